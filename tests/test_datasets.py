"""Datasets from files (csv, jsonl), the bundled sample, and the data checks in tunekit.data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import tunekit
from tunekit import DataContext, DataError, DataSplits
from tunekit.data import check_classification_splits, class_counts, fingerprint, split_stratified


def load(manager, kind: str, tmp_path: Path | None = None, seed: int = 0,
         **options) -> DataSplits:
    component = manager.get("dataset", kind)
    resolved = component.resolve_options(options, "dataset")
    context = DataContext(task=tunekit.TEXT_CLASSIFICATION, seed=seed,
                          base_dir=tmp_path or Path.cwd())
    return component.load(resolved, context)


def load_error(manager, kind: str, **options) -> DataError:
    with pytest.raises(DataError) as err:
        load(manager, kind, **options)
    return err.value


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def labelled(n: int, labels=("negative", "positive")) -> list[tuple[str, str]]:
    return [(f"example number {i} says {labels[i % len(labels)]}", labels[i % len(labels)])
            for i in range(n)]


def every_row(splits: DataSplits) -> list[dict]:
    return splits.train + splits.validation + (splits.test or [])


# ---------------------------------------------------------------- columns


@pytest.mark.parametrize(("text", "label"), [("review", "sentiment"), ("message", "category"),
                                             ("Text", "Label"), ("sentence", "class")])
def test_columns_with_common_names_are_found(manager, tmp_path, text, label):
    rows = [f"{t},{lab}" for t, lab in labelled(20)]
    write_csv(tmp_path / "data.csv", f"{text},{label}", rows)
    splits = load(manager, "csv", path="data.csv")
    assert len(every_row(splits)) == 20
    first = splits.train[0]
    assert set(first) == {"text", "label"}
    assert first["text"].startswith("example number")
    assert first["label"] in {"negative", "positive"}


def test_explicit_columns_are_used_among_others(manager, tmp_path):
    rows = [f"{i},{t},{lab},ignored" for i, (t, lab) in enumerate(labelled(20))]
    write_csv(tmp_path / "data.csv", "id,body_text,verdict,notes", rows)
    splits = load(manager, "csv", path="data.csv", text_column="body_text",
                  label_column="verdict")
    assert {r["label"] for r in every_row(splits)} == {"negative", "positive"}
    assert all(r["text"].startswith("example number") for r in every_row(splits))


def test_with_two_oddly_named_columns_the_other_one_is_the_text(manager, tmp_path):
    rows = [f"{t},{lab}" for t, lab in labelled(20)]
    write_csv(tmp_path / "data.csv", "blurb,sentiment", rows)
    splits = load(manager, "csv", path="data.csv")
    assert all(r["text"].startswith("example number") for r in every_row(splits))


def test_columns_that_cannot_be_guessed_are_listed(manager, tmp_path):
    write_csv(tmp_path / "data.csv", "blurb,stars", ["a,1", "b,2"])
    err = load_error(manager, "csv", path="data.csv")
    assert "cannot tell which column holds the label" in err.message
    assert "Columns found: blurb, stars" in err.message
    assert "dataset.label_column" in err.hint


def test_columns_with_unusual_names_are_guessed_from_their_values_and_noted(manager, tmp_path):
    rows = [f"row {i},the {w} was {w} and I would say so again {i},{'ok' if i % 3 else 'ko'}"
            for i, w in enumerate(["food", "room", "staff", "view", "bed"] * 4)]
    write_csv(tmp_path / "data.csv", "ref,remarks,verdict", rows)
    dataset = manager.get("dataset", "csv")
    options = dataset.resolve_options({"path": "data.csv"}, "dataset")
    splits = dataset.load(options, DataContext(task="text-classification", seed=0,
                                               base_dir=tmp_path))
    assert {r["label"] for r in splits.train} == {"ok", "ko"}
    assert all(r["text"].startswith("the ") for r in splits.train)
    assert any("guessed from the values" in n and "'remarks'" in n and "'verdict'" in n
               for n in splits.notes)


def test_a_wrong_column_name_lists_the_columns_and_suggests_the_close_one(manager, tmp_path):
    write_csv(tmp_path / "data.csv", "review,sentiment", ["nice,pos", "awful,neg"])
    err = load_error(manager, "csv", path="data.csv", text_column="reviw")
    assert err.where == str(tmp_path / "data.csv")
    assert "no text column 'reviw'" in err.message
    assert 'Did you mean "review"' in err.message
    assert "Columns found: review, sentiment" in err.message


def test_column_names_match_regardless_of_case(manager, tmp_path):
    write_csv(tmp_path / "data.csv", "Review,Sentiment",
              [f"{t},{lab}" for t, lab in labelled(10)])
    splits = load(manager, "csv", path="data.csv", text_column="review",
                  label_column="SENTIMENT")
    assert len(every_row(splits)) == 10


def test_semicolon_separated_files_are_read(manager, tmp_path):
    write_csv(tmp_path / "data.csv", "text;label",
              [f"{t}, really;{lab}" for t, lab in labelled(10)])
    splits = load(manager, "csv", path="data.csv")
    assert all(r["text"].endswith(", really") for r in every_row(splits))


def test_rows_without_text_or_label_are_skipped(manager, tmp_path):
    rows = [f"{t},{lab}" for t, lab in labelled(10)] + [",positive", "lonely text,", ",", ""]
    write_csv(tmp_path / "data.csv", "text,label", rows)
    assert len(every_row(load(manager, "csv", path="data.csv"))) == 10


# ---------------------------------------------------------------- unreadable files


def test_an_empty_file_says_so(manager, tmp_path):
    (tmp_path / "data.csv").write_text("")
    err = load_error(manager, "csv", path="data.csv")
    assert err.where == str(tmp_path / "data.csv")
    assert "empty" in err.message


def test_a_header_without_rows_says_there_are_no_rows(manager, tmp_path):
    write_csv(tmp_path / "data.csv", "text,label", [])
    assert "no examples below" in load_error(manager, "csv", path="data.csv").message


def test_a_missing_file_says_file_not_found(manager, tmp_path):
    err = load_error(manager, "csv", path="nowhere/data.csv")
    assert err.where == "dataset.path"
    assert "file not found: nowhere/data.csv" in err.message
    assert str(tmp_path / "nowhere" / "data.csv") in err.message


def test_a_folder_is_not_a_file(manager, tmp_path):
    (tmp_path / "data").mkdir()
    assert "is a folder, not a file" in load_error(manager, "csv", path="data").message


def test_relative_paths_start_at_the_specs_folder(manager, tmp_path):
    spec_dir = tmp_path / "project"
    spec_dir.mkdir()
    write_csv(spec_dir / "data.csv", "text,label", [f"{t},{lab}" for t, lab in labelled(10)])
    splits = load(manager, "csv", tmp_path=spec_dir, path="data.csv")
    assert splits.source == str(spec_dir / "data.csv")


def test_a_ragged_row_names_the_file_and_line(manager, tmp_path):
    rows = [f"{t},{lab}" for t, lab in labelled(4)] + ["one, two, three,positive"]
    write_csv(tmp_path / "data.csv", "text,label", rows)
    err = load_error(manager, "csv", path="data.csv")
    assert err.where == f"{tmp_path / 'data.csv'}:6"
    assert "has 4 field(s) but the header has 2" in err.message
    assert "quote" in err.hint


def test_a_file_in_another_encoding_is_explained(manager, tmp_path):
    (tmp_path / "data.csv").write_bytes("text,label\nun café crème,positive\n".encode("latin-1"))
    err = load_error(manager, "csv", path="data.csv")
    assert err.where == str(tmp_path / "data.csv")
    assert "not UTF-8" in err.message
    assert "UTF-8" in err.hint


def test_binary_junk_is_refused(manager, tmp_path):
    (tmp_path / "model.csv").write_bytes(bytes(range(256)) * 8)
    assert "not UTF-8" in load_error(manager, "csv", path="model.csv").message
    (tmp_path / "zeros.csv").write_bytes(b"text,label\n\x00\x00\x00,\x00\n")
    assert "binary data" in load_error(manager, "csv", path="zeros.csv").message


def test_a_utf8_file_with_a_byte_order_mark_is_read(manager, tmp_path):
    content = "text,label\n" + "".join(f"{t},{lab}\n" for t, lab in labelled(10))
    (tmp_path / "data.csv").write_bytes(content.encode("utf-8-sig"))
    assert len(every_row(load(manager, "csv", path="data.csv"))) == 10


# ---------------------------------------------------------------- jsonl


def write_jsonl(path: Path, objects: list, extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(o) for o in objects] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_finds_common_field_names(manager, tmp_path):
    objects = [{"message": t, "category": lab, "id": i}
               for i, (t, lab) in enumerate(labelled(20))]
    write_jsonl(tmp_path / "data.jsonl", objects)
    splits = load(manager, "jsonl", path="data.jsonl")
    assert len(every_row(splits)) == 20
    assert {r["label"] for r in every_row(splits)} == {"negative", "positive"}


def test_jsonl_labels_may_be_numbers(manager, tmp_path):
    write_jsonl(tmp_path / "data.jsonl", [{"text": f"t{i}", "label": i % 2} for i in range(10)])
    splits = load(manager, "jsonl", path="data.jsonl")
    assert {r["label"] for r in every_row(splits)} == {"0", "1"}


def test_jsonl_invalid_line_names_the_file_and_line(manager, tmp_path):
    objects = [{"text": t, "label": lab} for t, lab in labelled(3)]
    write_jsonl(tmp_path / "data.jsonl", objects, ('{"text": "oops", "label": }',))
    err = load_error(manager, "jsonl", path="data.jsonl")
    assert err.where == f"{tmp_path / 'data.jsonl'}:4"
    assert "invalid JSON" in err.message


def test_jsonl_line_that_is_not_an_object_names_its_line(manager, tmp_path):
    write_jsonl(tmp_path / "data.jsonl", [{"text": "a", "label": "x"}, ["a", "x"]])
    err = load_error(manager, "jsonl", path="data.jsonl")
    assert err.where == f"{tmp_path / 'data.jsonl'}:2"
    assert "JSON object" in err.message


def test_jsonl_label_that_is_a_list_names_its_line(manager, tmp_path):
    write_jsonl(tmp_path / "data.jsonl", [{"text": "a", "label": "x"},
                                          {"text": "b", "label": ["x", "y"]}])
    err = load_error(manager, "jsonl", path="data.jsonl")
    assert err.where == f"{tmp_path / 'data.jsonl'}:2"
    assert "not a single value" in err.message


def test_jsonl_empty_file_says_so(manager, tmp_path):
    (tmp_path / "data.jsonl").write_text("\n\n")
    assert "empty" in load_error(manager, "jsonl", path="data.jsonl").message


# ---------------------------------------------------------------- splits


def test_validation_split_is_stratified(manager, tmp_path):
    rows = [f"common text {i},common" for i in range(80)]
    rows += [f"rare text {i},rare" for i in range(20)]
    write_csv(tmp_path / "data.csv", "text,label", rows)
    splits = load(manager, "csv", path="data.csv", validation_split=0.2)
    assert class_counts(splits.validation) == {"common": 16, "rare": 4}
    assert class_counts(splits.train) == {"common": 64, "rare": 16}
    assert splits.test is None
    assert any("held out 20 examples for validation" in note for note in splits.notes)
    train_texts = {r["text"] for r in splits.train}
    assert not train_texts & {r["text"] for r in splits.validation}


def test_a_tiny_class_still_reaches_both_sides(manager, tmp_path):
    rows = [f"common text {i},common" for i in range(40)] + ["rare a,rare", "rare b,rare"]
    write_csv(tmp_path / "data.csv", "text,label", rows)
    splits = load(manager, "csv", path="data.csv", validation_split=0.1)
    assert class_counts(splits.train)["rare"] == 1
    assert class_counts(splits.validation)["rare"] == 1


def test_the_split_depends_on_the_seed_only(manager, tmp_path):
    write_csv(tmp_path / "data.csv", "text,label", [f"{t},{lab}" for t, lab in labelled(60)])
    first = load(manager, "csv", seed=1, path="data.csv")
    again = load(manager, "csv", seed=1, path="data.csv")
    other = load(manager, "csv", seed=2, path="data.csv")
    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first) != fingerprint(other)


def test_test_split_holds_out_a_stratified_test_set(manager, tmp_path):
    write_csv(tmp_path / "data.csv", "text,label", [f"{t},{lab}" for t, lab in labelled(100)])
    splits = load(manager, "csv", path="data.csv", validation_split=0.1, test_split=0.2)
    assert class_counts(splits.test) == {"negative": 10, "positive": 10}
    assert len(splits.train) + len(splits.validation) == 80
    texts = [r["text"] for r in every_row(splits)]
    assert len(texts) == len(set(texts)) == 100


def test_validation_and_test_files_are_used_as_given(manager, tmp_path):
    write_csv(tmp_path / "train.csv", "text,label", [f"{t},{lab}" for t, lab in labelled(30)])
    write_csv(tmp_path / "dev.csv", "text,label", ["dev one,negative", "dev two,positive"])
    write_csv(tmp_path / "test.csv", "text,label", ["test one,positive"])
    splits = load(manager, "csv", path="train.csv", validation_path="dev.csv",
                  test_path="test.csv")
    assert len(splits.train) == 30
    assert [r["text"] for r in splits.validation] == ["dev one", "dev two"]
    assert splits.test == [{"text": "test one", "label": "positive"}]
    assert splits.notes == []


def test_a_missing_validation_file_names_its_field(manager, tmp_path):
    write_csv(tmp_path / "train.csv", "text,label", [f"{t},{lab}" for t, lab in labelled(10)])
    err = load_error(manager, "csv", path="train.csv", validation_path="dev.csv")
    assert err.where == "dataset.validation_path"


# ---------------------------------------------------------------- the bundled sample


def test_sample_reviews_has_three_splits_of_two_labels(manager):
    splits = load(manager, "sample-reviews")
    assert len(every_row(splits)) >= 600
    assert splits.train and splits.validation and splits.test
    for rows in (splits.train, splits.validation, splits.test):
        assert set(class_counts(rows)) == {"negative", "positive"}
    assert check_classification_splits(splits, splits.source) == ["negative", "positive"]


def test_sample_reviews_shares_no_text_across_splits(manager):
    splits = load(manager, "sample-reviews")
    train = {r["text"] for r in splits.train}
    validation = {r["text"] for r in splits.validation}
    test = {r["text"] for r in splits.test}
    assert not train & validation
    assert not train & test
    assert not validation & test
    assert len(train) == len(splits.train)  # no duplicates within a split either


def test_sample_reviews_is_roughly_balanced(manager):
    counts = Counter(r["label"] for r in load(manager, "sample-reviews").train)
    assert min(counts.values()) / max(counts.values()) > 0.6


# ---------------------------------------------------------------- tunekit.data


def rows(*labels: str) -> list[dict]:
    return [{"text": f"t{i}", "label": label} for i, label in enumerate(labels)]


def test_check_refuses_a_single_class():
    splits = DataSplits(train=rows("a", "a", "a"), validation=rows("a"))
    with pytest.raises(DataError) as err:
        check_classification_splits(splits, "data.csv")
    assert err.value.where == "data.csv"
    assert "only one class" in err.value.message and "'a'" in err.value.message


@pytest.mark.parametrize(("train", "validation", "words"), [
    ([], rows("a", "b"), "no training examples"),
    (rows("a", "b"), [], "no validation examples"),
])
def test_check_refuses_empty_splits(train, validation, words):
    with pytest.raises(DataError, match=words):
        check_classification_splits(DataSplits(train=train, validation=validation), "x")


def test_check_refuses_labels_never_seen_in_training():
    splits = DataSplits(train=rows("a", "b"), validation=rows("a", "c"))
    with pytest.raises(DataError) as err:
        check_classification_splits(splits, "x")
    assert "validation split has labels never seen in training: c" in err.value.message
    splits = DataSplits(train=rows("a", "b"), validation=rows("a"), test=rows("d", "b"))
    with pytest.raises(DataError, match="test split has labels never seen in training: d"):
        check_classification_splits(splits, "x")


def test_check_returns_the_sorted_labels():
    splits = DataSplits(train=rows("pos", "neg", "mixed"), validation=rows("neg"))
    assert check_classification_splits(splits, "x") == ["mixed", "neg", "pos"]


def test_fingerprint_is_stable_and_changes_with_the_data():
    splits = DataSplits(train=rows("a", "b"), validation=rows("a"))
    same = DataSplits(train=[{"label": r["label"], "text": r["text"]} for r in rows("a", "b")],
                      validation=rows("a"))
    assert fingerprint(splits) == fingerprint(same)  # key order does not matter
    assert len(fingerprint(splits)) == 64
    relabelled = DataSplits(train=rows("a", "c"), validation=rows("a"))
    moved = DataSplits(train=rows("a"), validation=rows("a", "b"))
    assert fingerprint(relabelled) != fingerprint(splits)
    assert fingerprint(moved) != fingerprint(splits)


def test_split_stratified_never_empties_a_class():
    data = rows(*(["big"] * 50 + ["small"] * 3 + ["single"]))
    kept, held = split_stratified(data, 0.5, seed=0)
    assert class_counts(kept) == {"big": 25, "single": 1, "small": 1}
    assert class_counts(held) == {"big": 25, "small": 2}
    assert sorted(r["text"] for r in kept + held) == sorted(r["text"] for r in data)


def test_a_text_field_holding_an_object_is_read_or_asked_about(tmp_path: Path) -> None:
    from tunekit.plugins.datasets import files

    def write(name: str, text_of: Any) -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps({"text": text_of(i), "label": "ab"[i % 2]}) + "\n"
                                for i in range(20)), encoding="utf-8")
        return path

    options = {"text_column": None, "label_column": None}
    # one field holding text: plainly the text
    one = write("one.jsonl", lambda i: {"body": f"review number {i}"})
    examples = files.load_examples(one, options, files.read_jsonl)
    assert examples[3] == {"text": "review number 3", "label": "b"}
    # two fields, or one that holds no text: the person names the field, on the first line
    for path in (write("two.jsonl", lambda i: {"title": f"t {i}", "body": f"b {i}"}),
                 write("ints.jsonl", lambda i: {"nested": i})):
        with pytest.raises(tunekit.DataError, match="holds an object") as raised:
            files.load_examples(path, options, files.read_jsonl)
        assert raised.value.where == f"{path}:1"
        assert "text_column" in str(raised.value.hint)
    # named, it is taken
    named = files.load_examples(tmp_path / "two.jsonl", {**options, "text_column": "text.body"},
                                files.read_jsonl)
    assert named[0] == {"text": "b 0", "label": "a"}
