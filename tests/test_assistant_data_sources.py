"""Where the data comes from, read from the words: a dataset named on the Hub, files of shapes
the readers cannot take, parquet previews, nested class folders, and the turns that want the
person's own data but name none.

Each table holds phrasings written for the cause, not the benchmark's words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from assistant_talk import talk
from tunekit import load_plugins


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


# ---------------------------------------------------------------- a dataset on the Hub

HUB = [
    # (message, task, path, other dataset fields)
    ("fine tune on imdb from HF please", "text-classification", "imdb", {}),
    ("can you pull the rotten_tomatoes dataset off hugging face and classify sentiment",
     "text-classification", "rotten_tomatoes", {}),
    ("NER with the HuggingFace dataset conll2003, validate using the test split",
     "token-classification", "conll2003", {"validation": "test"}),
    ("tag entities, data is wnut_17 on the hub, tokens column tokens and tags column ner_tags",
     "token-classification", "wnut_17", {"tokens_column": "tokens", "tags_column": "ner_tags"}),
    ("image classifier on food101 from the datasets hub with microsoft/resnet-50",
     "image-classification", "food101", {}),
    ("classify pictures: mnist from hugginface, image column \"image\"",
     "image-classification", "mnist", {"image_column": "image"}),
    ("instruction-tune gpt2 on yahma/alpaca-cleaned from the hub", "causal-lm",
     "yahma/alpaca-cleaned", {}),
    ("glue from the hub, config sst2, sentiment", "text-classification", "glue",
     {"config": "sst2"}),
    ("the mteb/amazon_reviews_multi dataset from HF, the en subset", "text-classification",
     "mteb/amazon_reviews_multi", {"config": "en"}),
    ("sft qwen on the OpenAssistant/oasst1 dataset", "causal-lm", "OpenAssistant/oasst1", {}),
    ("chat model on tatsu-lab/alpaca with gpt2", "causal-lm", "tatsu-lab/alpaca", {}),
    ("language model: distilgpt2 on https://huggingface.co/datasets/roneneldan/TinyStories",
     "causal-lm", "roneneldan/TinyStories", {}),
]


@pytest.mark.parametrize("message, task, path, fields", HUB, ids=[h[0][:60] for h in HUB])
def test_a_hub_dataset_is_taken_with_its_id(plugins: Any, tmp_path: Path, message: str,
                                           task: str, path: str, fields: dict) -> None:
    spec, said = talk(plugins, tmp_path, message)
    hub = [c for c in plugins.components("dataset") if c.phrases]
    assert spec["dataset"]["name"] in {c.name for c in hub}, said
    assert spec["dataset"]["path"] == path, said
    assert spec["task"] == task, said
    for key, value in fields.items():
        assert spec["dataset"][key] == value, (key, said)
    assert "downloaded when the run starts" in said
    assert "can't fetch" not in said and "cannot find" not in said


@pytest.mark.parametrize("message", [
    "fine-tune bert from the hub on tickets.csv",
    "push the model to the hub afterwards",
    "train on tickets.csv and share it on hugging face",
    "classify tickets.csv with my-org/ticket-model-v2",
    "train on data/tickets",
])
def test_a_model_or_a_push_is_not_a_hub_dataset(plugins: Any, tmp_path: Path,
                                                message: str) -> None:
    (tmp_path / "tickets.csv").write_text("message,category\n" + "\n".join(
        f"ticket {i},{'a' if i % 2 else 'b'}" for i in range(12)) + "\n")
    spec, said = talk(plugins, tmp_path, message)
    assert spec["dataset"].get("path") in ("tickets.csv", None), said


# ---------------------------------------------------------------- shapes the readers cannot take


def lines(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


ALPACA = [{"instruction": f"Say {i}", "input": "", "output": f"{i}"} for i in range(6)]
SHAREGPT = [{"conversations": [{"from": "human", "value": f"hi {i}"},
                               {"from": "gpt", "value": f"hello {i}"}]} for i in range(6)]
PROMPTS = [{"prompt": f"Q{i}", "completion": f"A{i}"} for i in range(6)]


PREFERENCES = [{"prompt": f"Q{i}", "chosen": f"A{i}", "rejected": "no"} for i in range(6)]


@pytest.mark.parametrize("message, records", [
    ("train an llm on {file}", ALPACA),
    ("gpt2 sft with {file} please", ALPACA),
    ("fine tune qwen on the chats in {file}", SHAREGPT),
    ("can you instruction-tune distilgpt2 on {file}?", PROMPTS),
])
def test_records_in_other_tools_shapes_are_taken(plugins: Any, tmp_path: Path, message: str,
                                                 records: list) -> None:
    """alpaca's output, ShareGPT's conversations, prompt/completion: text-jsonl reads them
    (plugins/datasets/lm_records.py), so the file is the data."""
    lines(tmp_path / "mine.jsonl", records)
    spec, said = talk(plugins, tmp_path, message.format(file="mine.jsonl"))
    assert spec["task"] == "causal-lm", said
    assert spec["dataset"].get("path") == "mine.jsonl", said


def test_records_no_dataset_reads_as_they_are_are_named_with_what_it_reads(
        plugins: Any, tmp_path: Path) -> None:
    lines(tmp_path / "mine.jsonl", PREFERENCES)
    spec, said = talk(plugins, tmp_path, "train an llm on mine.jsonl")
    assert spec["task"] == "causal-lm", said
    assert spec["dataset"].get("path") != "mine.jsonl", said  # a run would refuse it
    for word in ("mine.jsonl", "prompt, chosen, rejected", "response"):
        assert word in said, (word, said)


def test_records_it_reads_are_taken(plugins: Any, tmp_path: Path) -> None:
    lines(tmp_path / "pairs.jsonl", [{"instruction": "Say 1", "response": "1"}] * 3)
    spec, said = talk(plugins, tmp_path, "fine-tune gpt2 on pairs.jsonl")
    assert (spec["task"], spec["dataset"]["path"]) == ("causal-lm", "pairs.jsonl"), said


@pytest.mark.parametrize("message", [
    "here's handbook.txt, our staff manual as plain text. teach gpt2 to write like it",
    "distilgpt2 should learn from handbook.txt",
    "handbook.txt is just prose, fine-tune a language model on it",
    "train on handbook.txt with gpt2",
])
def test_a_plain_text_corpus_is_read_as_texts(plugins: Any, tmp_path: Path,
                                             message: str) -> None:
    (tmp_path / "handbook.txt").write_text(
        "Be kind to customers.\nAnswer within a day.\n\nRefunds take five days.\n"
        "Ask a manager when unsure.\n", encoding="utf-8")
    spec, said = talk(plugins, tmp_path, message)
    assert spec["task"] == "causal-lm", said
    assert spec["dataset"]["path"] == "handbook.txt", said
    assert "plain text" in said
    from tunekit.plugins.datasets.instructions import read_rows
    assert read_rows(tmp_path / "handbook.txt") == [
        {"text": "Be kind to customers. Answer within a day."},
        {"text": "Refunds take five days. Ask a manager when unsure."}]


def test_a_csv_saved_as_txt_is_still_a_table(plugins: Any, tmp_path: Path) -> None:
    (tmp_path / "rows.txt").write_text("text,label\n" + "".join(
        f"ticket {i},{'a' if i % 2 else 'b'}\n" for i in range(8)), encoding="utf-8")
    spec, said = talk(plugins, tmp_path, "classify rows.txt")
    assert spec["task"] == "text-classification"
    assert spec["dataset"]["path"] == "rows.txt", said


# ---------------------------------------------------------------- parquet previews


def test_a_parquet_file_is_previewed_not_called_unreadable(plugins: Any, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"blurb": [f"item {i}" for i in range(10)],
                             "stars": [float(i % 5) for i in range(10)]}),
                   tmp_path / "items.parquet")
    spec, said = talk(plugins, tmp_path, "predict the stars from blurb in items.parquet")
    assert "UTF-8" not in said and "cannot use" not in said, said
    assert spec["dataset"]["path"] == "items.parquet"
    from tunekit.ui.assistant.datafile import peek
    preview = peek(tmp_path / "items.parquet")
    assert (preview.problem, preview.columns, preview.count) == (None, ["blurb", "stars"], 10)


@pytest.mark.parametrize("message", [
    "items.parquet, regression, and train anyway if the data check complains",
    "train anyway on items.parquet",
    "ignore the data check: items.parquet for regression",
    "items.parquet. skip the data check, regression please",
])
def test_train_anyway_keeps_the_rest_of_the_turn(plugins: Any, tmp_path: Path,
                                                 message: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": [f"item {i}" for i in range(10)],
                             "label": [float(i) for i in range(10)]}), tmp_path / "items.parquet")
    spec, said = talk(plugins, tmp_path, message)
    assert spec["dataset"]["path"] == "items.parquet", said
    assert spec["training"]["data_check"] == "warn", said


# ---------------------------------------------------------------- nested class folders


@pytest.mark.parametrize("message", [
    "my scans are in xrays/2024/normal and xrays/2024/pneumonia, tell them apart",
    "images: xrays/2024/normal, xrays/2024/pneumonia, xrays/2024/covid. classify them",
    "I put pictures into folders xrays/2024/covid and xrays/2024/normal - train on those",
    "can you learn xrays/2024/pneumonia vs xrays/2024/normal from the photos",
])
def test_class_folders_named_one_by_one_are_their_parent(plugins: Any, tmp_path: Path,
                                                        message: str) -> None:
    for name in ("normal", "pneumonia", "covid"):
        (tmp_path / "xrays" / "2024" / name).mkdir(parents=True)
        for i in range(3):
            (tmp_path / "xrays" / "2024" / name / f"{i}.png").write_bytes(b"\x89PNG")
    (tmp_path / "photos").mkdir()
    spec, said = talk(plugins, tmp_path, message)
    assert spec["task"] == "image-classification", said
    assert spec["dataset"]["path"] == "xrays/2024", said


# ---------------------------------------------------------------- own data, not named


@pytest.mark.parametrize("message, task", [
    ("find the names of people in our documents", "token-classification"),
    ("we've got a few thousand product photos to sort", "image-classification"),
    ("label each word of my texts with its entity type", "token-classification"),
    ("classify my emails by department", "text-classification"),
    ("I have a bunch of x-rays of lungs, classify the images", "image-classification"),
])
def test_own_data_spoken_of_is_asked_for(plugins: Any, tmp_path: Path, message: str,
                                         task: str) -> None:
    spec, said = talk(plugins, tmp_path, message)
    assert spec["task"] == task, said
    asked = [s for s in said.replace("\n", " ").split("?")[:-1] if "file or folder" in s]
    assert asked, said
