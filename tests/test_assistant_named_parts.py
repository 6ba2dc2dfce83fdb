"""The parts of the data a person names, read as they meant them.

- a column said with the values it takes ("'verdict' holds spam or ham") is the label, even
  when the file cannot be read (a Latin-1 CSV): the name said is kept, and the file's problem
  said beside it;
- a misspelt word of the training ("clasify", "fintune") is the training request, not a
  request nothing here takes;
- two files set side by side with a slash ("train.jsonl / dev.jsonl") are two files;
- a money amount named as the target ("rent", "profit") with a few whole numbers is a number
  to predict;
- an id with its owner, or one called a dataset, wins over a word before "on the hub";
- a kind of tag named (POS, chunk, NER) picks the file's column of that kind, and a column
  number counted from 1 is read as such when the file shows it;
- a held-out file moved to the other role in a later turn leaves the first one.

The phrasings are written for these causes, not taken from the request sets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from assistant_talk import talk
from tunekit import load_plugins

CONLL = [("Maria", "NNP", "B-NP"), ("sold", "VBD", "B-VP"), ("the", "DT", "B-NP"),
         ("old", "JJ", "I-NP"), ("car", "NN", "I-NP"), ("in", "IN", "B-PP"),
         ("Lisbon", "NNP", "B-NP"), (".", ".", "O")]


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


def write_files(folder: Path) -> None:
    (folder / "verdicts.csv").write_bytes(("body;verdict\n" + "".join(
        f"très {'bon' if i % 2 else 'mauvais'} produit {i};{'spam' if i % 2 else 'ham'}\n"
        for i in range(30))).encode("latin-1"))
    (folder / "moods.csv").write_text("sentence,mood\n" + "".join(
        f"day {i} was {'fine' if i % 3 else 'awful'},{('happy', 'sad', 'angry')[i % 3]}\n"
        for i in range(30)))
    for name, start in (("flats_train.jsonl", 0), ("flats_dev.jsonl", 500)):
        (folder / name).write_text("".join(json.dumps(
            {"ad": f"{1 + i % 3} room flat near park {i}", "rent": 700 + 125 * (i % 5),
             "profit": 50 * (i % 4)}) + "\n" for i in range(start, start + 40)))
    sentences = [CONLL] * 12
    (folder / "news_tags.conll").write_text(
        "\n\n".join("\n".join(" ".join(row) for row in s) for s in sentences) + "\n")
    for split in ("fit", "holdout"):
        (folder / "pets" / split).mkdir(parents=True, exist_ok=True)
    _images(folder / "pets" / "fit")
    _images(folder / "pets" / "holdout")


def _images(root: Path) -> None:
    from PIL import Image

    for k, label in enumerate(("cat", "dog")):
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(4):
            Image.new("RGB", (10, 10), (90 * k, 20 * i, 40)).save(root / label / f"{i}.png")


def said(plugins: Any, folder: Path, *turns: str) -> tuple[dict[str, Any], str]:
    write_files(folder)
    return talk(plugins, folder, *turns)


@pytest.mark.parametrize("message", [
    "classify verdicts.csv: 'body' is the text and 'verdict' is spam or ham",
    "train on verdicts.csv, the text is in 'body', the \"verdict\" column holds spam/ham",
    "verdicts.csv please, text column body; 'verdict' is either spam or ham",
])
def test_a_column_said_with_its_values_is_the_label_even_unread(plugins, tmp_path, message):
    spec, text = said(plugins, tmp_path, message)
    assert spec["dataset"]["path"] == "verdicts.csv"
    assert spec["dataset"]["label_column"] == "verdict"
    assert "not UTF-8" in text  # the file's problem is said, not hidden


def test_values_said_of_a_readable_file_pick_its_column(plugins, tmp_path):
    spec, _ = said(plugins, tmp_path, "moods.csv where 'mood' is happy, sad or angry")
    assert spec["dataset"]["label_column"] == "mood"


@pytest.mark.parametrize("message", [
    "i wnat to clasify my spanish product comments in moods.csv",
    "fintune something on moods.csv for my little experiment",
])
def test_a_misspelt_training_word_is_no_request_of_its_own(plugins, tmp_path, message):
    _, text = said(plugins, tmp_path, message)
    assert "nothing in tunekit does that" not in text


@pytest.mark.parametrize("message", [
    "flats_train.jsonl / flats_dev.jsonl (dev set), predict the rent",
    "data: flats_train.jsonl / flats_dev.jsonl for validation; the target is rent",
])
def test_two_files_side_by_side_and_a_rent_to_predict(plugins, tmp_path, message):
    spec, text = said(plugins, tmp_path, message)
    assert spec["dataset"]["path"] == "flats_train.jsonl"
    assert spec["dataset"]["validation_path"] == "flats_dev.jsonl"
    assert spec["dataset"]["label_column"] == "rent"
    assert spec["task"] == "text-regression", text


def test_a_profit_named_as_the_target_is_a_number(plugins, tmp_path):
    spec, _ = said(plugins, tmp_path, "estimate profit from the ad text in flats_train.jsonl")
    assert spec["task"] == "text-regression"
    assert spec["dataset"]["label_column"] == "profit"


@pytest.mark.parametrize("message, task", [
    ("classification on the hub dataset someone/tweet-topics, text `tweet`, label `topic`",
     "text-classification"),
    ("a regression on the hub data someone/essay-scores: text `essay`, target `score`",
     "text-regression"),
])
def test_a_hub_id_with_its_owner_wins_over_the_task_word(plugins, tmp_path, message, task):
    spec, _ = said(plugins, tmp_path, message)
    assert spec["dataset"]["name"] == "hf-dataset"
    assert spec["dataset"]["path"].startswith("someone/")
    assert spec["task"] == task
    assert spec["backbone"]["name"] != "hf" or "someone" not in str(spec["backbone"])


@pytest.mark.parametrize("message, column", [
    ("part-of-speech tagging with news_tags.conll", 1),
    ("tag the words of news_tags.conll with their pos, not their chunks", 1),
    ("news_tags.conll: the pos tags sit in column 2 (I count from one)", 1),
    ("news_tags.conll, chunking please", -1),  # the chunks are the last column: the default
    ("tag news_tags.conll; the pos tags are column 1", 1),  # counted from 0: it agrees
])
def test_a_kind_of_tag_picks_the_files_column(plugins, tmp_path, message, column):
    spec, text = said(plugins, tmp_path, message)
    assert spec["task"] == "token-classification"
    assert spec["dataset"]["tag_column"] == column, text


def test_a_column_counted_from_one_is_said_so(plugins, tmp_path):
    _, text = said(plugins, tmp_path, "news_tags.conll, POS tags = column 2")
    assert "counted from 1" in text


@pytest.mark.parametrize("turns", [
    ("train on the images in pets/fit", "pets/holdout is for validation",
     "actually use pets/holdout as the test set only"),
    ("train on the images in pets/fit", "validate on pets/holdout",
     "no, pets/holdout is the final test data, not for validating"),
])
def test_a_held_out_folder_moved_to_test_leaves_validation(plugins, tmp_path, turns):
    spec, text = said(plugins, tmp_path, *turns)
    assert spec["dataset"]["test_path"] == "pets/holdout"
    assert spec["dataset"].get("validation_path") is None
    assert "validation path: none" in text


def test_a_test_folder_moved_to_validation_leaves_the_test(plugins, tmp_path):
    spec, text = said(plugins, tmp_path, "train on the images in pets/fit",
                      "pets/holdout is the test set", "no, validate on pets/holdout instead")
    assert spec["dataset"]["validation_path"] == "pets/holdout"
    assert spec["dataset"].get("test_path") is None
    assert "test path: none" in text
