"""JSON records with nested objects and lists of one label: the jsonl dataset reads a nested
field by its dotted path ("meta.label"), the Hub dataset flattens the same way, and the
assistant keeps the file the person named as the data (never a bundled sample in its place),
in phrasings of our own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tunekit
from assistant_talk import talk
from tunekit import load_plugins
from tunekit.data import flatten_records
from tunekit.testing import train_tiny

LABELS = ("positive", "negative", "neutral")


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def nested(path: Path, n: int = 60) -> Path:
    """A review export: the text inside "review", the label inside "meta"."""
    return jsonl(path, [{"id": i, "review": {"title": f"title {i}",
                                             "body": f"the blender number {i} was "
                                                     f"{('great', 'awful', 'fine')[i % 3]}"},
                         "meta": {"label": LABELS[i % 3], "source": ("web", "app")[i % 2]}}
                        for i in range(n)])


def annotated(path: Path, n: int = 60) -> Path:
    """An annotation tool's export: odd field names, the label a list of one."""
    return jsonl(path, [{"doc": {"words": f"call {i} went {('well', 'badly', 'so-so')[i % 3]}"},
                         "ann": {"cls": [LABELS[i % 3]], "who": "ann-1"}} for i in range(n)])


def _load(path: Path, **options: str) -> tunekit.DataSplits:
    dataset = load_plugins().get("dataset", "jsonl")
    return dataset.load(dataset.resolve_options({"path": str(path), **options}, "dataset"),
                        tunekit.DataContext(task="text-classification", seed=0,
                                            base_dir=path.parent))


# ---------------------------------------------------------------- the dataset plugin


def test_flatten_records_spreads_objects_and_unwraps_single_labels_only() -> None:
    flat = flatten_records([{"a": {"b": {"c": 1}}, "one": ["x"], "many": ["y", "z"]},
                            {"a": {"b": {"c": 2}}, "one": ["w"], "many": ["v"]}])
    assert flat == [{"a.b.c": 1, "one": "x", "many": ["y", "z"]},
                    {"a.b.c": 2, "one": "w", "many": ["v"]}]  # tokens stay lists
    assert flatten_records([{"text": "t", "label": "l"}]) == [{"text": "t", "label": "l"}]


def test_dotted_fields_are_read_as_text_and_label(isolated: Path) -> None:
    splits = _load(nested(isolated / "export.jsonl"), text_column="review.body",
                   label_column="meta.label")
    rows = splits.train + splits.validation
    assert len(rows) == 60 and {r["label"] for r in rows} == set(LABELS)
    assert all(r["text"].startswith("the blender number") for r in rows)


def test_dotted_fields_are_found_by_their_last_name(isolated: Path) -> None:
    rows = _load(nested(isolated / "export.jsonl")).train
    assert rows[0]["text"].startswith("the blender") and rows[0]["label"] in LABELS


def test_a_list_of_one_label_is_that_label_and_a_json_array_reads_too(isolated: Path) -> None:
    records = [json.loads(line) for line in
               annotated(isolated / "a.jsonl").read_text().splitlines()]
    (isolated / "a.json").write_text(json.dumps(records, indent=2))
    for name in ("a.jsonl", "a.json"):
        rows = _load(isolated / name, text_column="doc.words", label_column="ann.cls").train
        assert {r["label"] for r in rows} == set(LABELS), name


def test_several_labels_in_one_record_are_refused_with_the_line(isolated: Path) -> None:
    jsonl(isolated / "multi.jsonl", [{"text": f"t {i}", "labels": ["a", "b"] if i == 3 else ["a"]}
                                     for i in range(20)])
    with pytest.raises(tunekit.DataError, match="not a single value") as info:
        _load(isolated / "multi.jsonl", text_column="text", label_column="labels")
    assert "multi.jsonl:4" in str(info.value.where)


def test_a_wrong_dotted_field_names_the_fields_there_are(isolated: Path) -> None:
    with pytest.raises(tunekit.DataError, match="meta.label"):
        _load(nested(isolated / "export.jsonl"), text_column="review.body",
              label_column="meta.lable")


def test_a_run_trains_on_nested_fields(isolated: Path) -> None:
    path = nested(isolated / "export.jsonl", 40)
    run = train_tiny(dataset={"name": "jsonl", "path": str(path), "text_column": "review.body",
                              "label_column": "meta.label"}, directory=isolated)
    assert run.status == "completed"


def test_the_hub_dataset_flattens_nested_features_for_a_dotted_column(isolated: Path) -> None:
    from datasets import Dataset, DatasetDict

    rows = [{"review": {"body": f"pan {i} is {('good', 'bad')[i % 2]}"},
             "meta": {"label": ("pos", "neg")[i % 2]}} for i in range(40)]
    DatasetDict({"train": Dataset.from_list(rows)}).save_to_disk(str(isolated / "hub"))
    dataset = load_plugins().get("dataset", "hf-dataset")
    splits = dataset.load(dataset.resolve_options(
        {"path": str(isolated / "hub"), "text_column": "review.body",
         "label_column": "meta.label"}, "dataset"),
        tunekit.DataContext(task="text-classification", seed=0, base_dir=isolated))
    assert {r["label"] for r in splits.train} == {"pos", "neg"}


# ---------------------------------------------------------------- the assistant

FIRST_TURNS = [
    "train a sentiment classifier on export.jsonl",
    "export.jsonl , classify it plz",
    "i have export.jsonl (nested json, reviews inside), make a model",
]


@pytest.mark.parametrize("said", FIRST_TURNS)
def test_a_nested_file_is_the_data_with_its_fields_found(manager, isolated: Path,
                                                        said: str) -> None:
    nested(isolated / "export.jsonl")
    spec, replies = talk(manager, isolated, said)
    assert spec["dataset"]["name"] == "jsonl" and spec["dataset"]["path"] == "export.jsonl", \
        replies
    assert (spec["dataset"]["text_column"], spec["dataset"]["label_column"]) == (
        "review.body", "meta.label"), replies
    assert "not in a form" not in replies


NAMED_FIELDS = [
    ("the text is doc.words and the label is ann.cls", "doc.words", "ann.cls"),
    ("text field: doc.words, label field: ann.cls", "doc.words", "ann.cls"),
    ("use doc.words as text and ann.cls as the label", "doc.words", "ann.cls"),
    ("labels r in ann.cls , the text in doc.words", "doc.words", "ann.cls"),
    ("label_column=ann.cls text_column=doc.words", "doc.words", "ann.cls"),
]


@pytest.mark.parametrize(("said", "text", "label"), NAMED_FIELDS,
                         ids=[n[0] for n in NAMED_FIELDS])
def test_fields_named_by_their_dotted_path_are_taken(manager, isolated: Path, said: str,
                                                     text: str, label: str) -> None:
    annotated(isolated / "calls.jsonl")
    spec, replies = talk(manager, isolated, "fine tune a classifier on calls.jsonl", said)
    assert spec["dataset"]["path"] == "calls.jsonl", replies
    assert (spec["dataset"]["text_column"], spec["dataset"]["label_column"]) == (text, label), \
        replies
    assert "sample" not in spec["dataset"]["name"]


def test_a_label_named_against_the_column_named_label_wins(manager, isolated: Path) -> None:
    nested(isolated / "export.jsonl")
    spec, replies = talk(manager, isolated, "classify export.jsonl",
                         "no, the label is meta.source")
    assert spec["dataset"]["label_column"] == "meta.source", replies


def test_a_file_name_is_never_taken_for_a_column(manager, isolated: Path) -> None:
    spec, replies = talk(manager, isolated, "the label column is in tickets.csv")
    assert spec["dataset"].get("label_column") != "tickets.csv", replies


def dump(path: Path, n: int = 40) -> Path:
    """A review dump as it is published (JSON lines in a .json file): no field has a name a
    dataset looks for, a nested style object and a two-number list beside the text."""
    return jsonl(path, [{"asin": f"B{i:06d}", "reviewerName": f"user {i}",
                         "overall": 5.0 if i % 2 else 1.0, "summary": "fine",
                         "reviewText": ("works well, quiet" if i % 2 else "stopped working")
                         + f" after {i} days", "style": {"Size:": "large"},
                         "helpful": [i % 3, 3]} for i in range(n)])


@pytest.mark.parametrize("said", [
    "classify the reviewText in dump.json by overall",
    "dump.json: predict overall from reviewtext",
    "fine-tune on dump.json, texts in 'reviewText', classes in 'overall' please",
])
def test_a_dump_whose_fields_are_named_is_read_as_it_is(manager, isolated: Path,
                                                        said: str) -> None:
    dump(isolated / "dump.json")
    spec, replies = talk(manager, isolated, said)
    dataset = spec["dataset"]
    assert (dataset["name"], dataset["path"]) == ("jsonl", "dump.json"), replies
    assert dataset["text_column"].lower() == "reviewtext", replies
    assert dataset["label_column"] == "overall", replies


def test_a_dump_whose_fields_are_not_named_is_said_not_swapped(manager, isolated: Path) -> None:
    dump(isolated / "dump.json")
    _, replies = talk(manager, isolated, "train a classifier on dump.json")
    assert "dump.json" in replies and "reviewText" in replies, replies
