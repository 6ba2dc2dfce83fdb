"""The assistant reads the data's own columns and the dataset's own options from plain words.

Columns: a column of the named file said in any form (as written, with spaces for
underscores, misspelt, or by a word of its name) takes the role the words around it say, or
the role its values say; with the label known and one column alone holding free text, that
column is the text. Options: each option of the dataset in the spec is read from its own
name, help and type, so a third-party dataset's options are read the same way.

Each file here is written by the test in a fresh folder; each conversation goes through the
real Assistant on the installed plugins.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tunekit
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins():
    return load_plugins()


def _table(path: Path, header: tuple[str, ...], rows: list[tuple[Any, ...]],
           delimiter: str = ",") -> None:
    lines = [delimiter.join(header)] + [delimiter.join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def files(isolated: Path) -> Path:
    """Files whose column names no built-in list knows."""
    _table(isolated / "feedback_dump.csv", ("row_id", "feedback_note", "is_spam"),
           [(i, f"{'win cash now' if i % 3 == 0 else 'the app crashed on screen'} {i}",
             int(i % 3 == 0)) for i in range(40)])
    _table(isolated / "house_notes.tsv", ("ad_copy", "sale_value"),
           [(f"bright {1 + i % 4} bed home by the park no {i}", 100000 + 3750 * i)
            for i in range(40)], delimiter="\t")
    (isolated / "grades.jsonl").write_text("".join(
        json.dumps({"student_answer": f"answer {i}: photosynthesis makes sugar", "mark": i % 37})
        + "\n" for i in range(60)), encoding="utf-8")
    _table(isolated / "two_texts.csv", ("headline_text", "body_copy", "section"),
           [(f"headline {i}", f"story body number {i}", ("sport", "news")[i % 2])
            for i in range(30)])
    (isolated / "marked.jsonl").write_text("".join(
        json.dumps({"wordlist": ["Ada", "lives", "in", f"town{i}"],
                    "iob": ["B-PER", "O", "O", "B-LOC"]}) + "\n" for i in range(20)),
        encoding="utf-8")
    conll = "\n\n".join("\n".join(f"{w}\t{p}\t{c}\t{t}" for w, p, c, t in (
        ("Ada", "NNP", "B-NP", "B-PER"), ("ran", "VBD", "B-VP", "O"))) for _ in range(10))
    (isolated / "corpus.conll").write_text(conll + "\n", encoding="utf-8")
    (isolated / "sft.jsonl").write_text("".join(
        json.dumps({"instruction": f"say {i}", "response": f"{i}"}) + "\n" for i in range(30)),
        encoding="utf-8")
    return isolated


def talk(plugins: Any, *turns: str) -> tuple[dict[str, Any], str]:
    assistant = Assistant(plugins)
    replies = [assistant.respond(turn) for turn in turns]
    assert all(r.action is None for r in replies), "nothing launches without a confirmation"
    return assistant.spec(), replies[-1].text


# ---------------------------------------------------------------- columns

COLUMNS = [
    # a column said as written, roles from the values (free text; 0/1), the index left alone
    ("flag spam in feedback_dump.csv by looking at feedback_note with the is_spam column",
     {"text_column": "feedback_note", "label_column": "is_spam"}),
    # spaces and a hyphen for the underscores, roles from "predict" and "from"
    ("use feedback_dump.csv and predict is-spam from the Feedback Note",
     {"text_column": "feedback_note", "label_column": "is_spam"}),
    # a misspelt column
    ("classify feedbak_note into is_spam, the data is feedback_dump.csv",
     {"text_column": "feedback_note", "label_column": "is_spam"}),
    # a word of the name ("value"), a measure: regression; the only text column taken
    ("house_notes.tsv: estimate the value of each home", {"text_column": "ad_copy",
                                                         "label_column": "sale_value"}),
    # the role word right before the column, in the other order
    ("target sale_value, input ad_copy, file house_notes.tsv",
     {"text_column": "ad_copy", "label_column": "sale_value"}),
    # named by what it is called, after the file
    ("grades.jsonl. the grade there is called mark", {"label_column": "mark",
                                                      "text_column": "student_answer"}),
]


@pytest.mark.parametrize("said, want", COLUMNS, ids=[c[0][:60] for c in COLUMNS])
def test_the_files_own_columns_are_taken(plugins: Any, files: Path, said: str,
                                         want: dict[str, str]) -> None:
    spec, reply = talk(plugins, said)
    for key, value in want.items():
        assert spec["dataset"][key] == value, reply
    assert "Which column" not in reply, reply


def test_a_measure_as_the_label_means_regression(plugins: Any, files: Path) -> None:
    spec, reply = talk(plugins, "grades.jsonl, predict the mark")
    assert spec["task"] == "text-regression", reply
    assert "the only column of text" in reply


def test_two_text_columns_are_still_asked_about(plugins: Any, files: Path) -> None:
    spec, reply = talk(plugins, "two_texts.csv, predict the section")
    assert spec["dataset"]["label_column"] == "section"
    assert "Which column of two_texts.csv holds the text?" in reply
    assert spec["dataset"].get("text_column") is None


def test_a_column_the_file_lacks_gives_way_to_one_it_has(plugins: Any, files: Path) -> None:
    spec, reply = talk(plugins, "feedback_dump.csv, column feedback_note, label is_spam")
    assert (spec["dataset"]["text_column"], spec["dataset"]["label_column"]) == (
        "feedback_note", "is_spam"), reply


# ---------------------------------------------------------------- the dataset's own options

OPTIONS = [
    # which column holds the tags (counted from 0, as the option's help says)
    ("train a chunker on corpus.conll, take the tags from column 2", {"tag_column": 2}),
    ("corpus.conll: use the third column for the tags", {"tag_column": 2}),
    ("ner on corpus.conll with tag column = 1", {"tag_column": 1}),
    ("corpus.conll, the tags are in the last column", {"tag_column": -1}),
    # the fields of tagged records, named in the file's own words
    ("entity tagging on marked.jsonl, it has wordlist and iob per record",
     {"tokens_field": "wordlist", "tags_field": "iob"}),
    # a number with the unit the option's help counts, or with the option's name
    ("the generated ner sample with 800 sentences and a 20% test split",
     {"name": "sample-ner", "n": 800, "test_split": 0.2}),
    ("sample shapes: 2 shapes, 900 images", {"name": "sample-shapes", "classes": 2, "n": 900}),
    ("sample shapes, 64 pixels, 3 classes", {"name": "sample-shapes", "size": 64, "classes": 3}),
    # switches turned down, in other words
    ("train on the sample shapes without flipping", {"flip": False}),
    ("sample shapes please, turn off augmentation", {"augment": False}),
    ("sample shapes with flipping switched off", {"flip": False}),
    ("sample shapes, augmentation on but flip false", {"augment": True, "flip": False}),
    # the held-out share under the dataset's own name for it
    ("instruction tune on sft.jsonl, hold out 25% for validation",
     {"validation_fraction": 0.25}),
    ("sft.jsonl with a 0.1 validation share", {"validation_fraction": 0.1}),
    # copies said first, dropped after
    ("feedback_dump.csv may have duplicate rows, remove those before training",
     {"deduplicate": True}),
]


@pytest.mark.parametrize("said, want", OPTIONS, ids=[c[0][:60] for c in OPTIONS])
def test_the_datasets_own_options_are_read(plugins: Any, files: Path, said: str,
                                           want: dict[str, Any]) -> None:
    spec, reply = talk(plugins, said)
    for key, value in want.items():
        assert spec["dataset"].get(key) == value, (key, reply)


def test_options_said_apart_from_the_data_keep_their_numbers(plugins: Any) -> None:
    spec, reply = talk(plugins, "sample shapes with 4 classes", "batch size 8, seed 5")
    assert spec["dataset"]["classes"] == 4 and "size" not in spec["dataset"], reply
    assert spec["training"]["batch_size"] == 8 and spec["training"]["seed"] == 5


class PoemsPlugin:
    """A third-party dataset with options of its own: read the same way as a built-in's."""

    @staticmethod
    def _load(options: dict[str, Any], context: Any) -> Any:
        raise NotImplementedError  # never loaded: only talked about

    @tunekit.hookimpl
    def register_datasets(self, register: Any) -> None:
        register(tunekit.Dataset(
            name="verse-sample", title="Verse sample", description="generated short poems",
            aliases=("verse sample", "sample verses"), tasks=("text-classification",),
            params=(
                tunekit.Param(name="n", type=int, default=100, help="poems in all"),
                tunekit.Param(name="rhyme", type=bool, default=True,
                              help="make every poem rhyme"),
                tunekit.Param(name="meter_column", type=int, default=0,
                              help="which column holds the meter (0 is the verse)"),
                tunekit.Param(name="validation_share", type=float, default=0.2, min=0.0,
                              max=0.5, help="share held out for validation"),
            ),
            load=PoemsPlugin._load))


def test_a_third_party_datasets_options_are_read_the_same_way() -> None:
    from tunekit.testing import make_manager

    manager = make_manager(("verse-sample", PoemsPlugin()))
    spec, reply = talk(manager, "the verse sample, 250 poems, no rhyme, the meter is "
                                "column 3, keep 10% for validation")
    assert spec["dataset"] == {"name": "verse-sample", "n": 250, "rhyme": False,
                               "meter_column": 3, "validation_share": 0.1}, reply


def test_tagging_columns_of_a_dataset_of_several_tasks_go_to_its_tagging_options(
        plugins: Any) -> None:
    assistant = Assistant(plugins)
    assistant.respond("I want to tag named entities")
    assistant.set("dataset", {"name": "hf-dataset", "path": "some/tagged-set"})
    assistant.respond("the columns are words and iob_tags")
    dataset = assistant.spec()["dataset"]
    assert (dataset["tokens_column"], dataset["tags_column"]) == ("words", "iob_tags")
    assert dataset["text_column"] is None and dataset["label_column"] is None
