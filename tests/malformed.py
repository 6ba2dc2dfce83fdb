"""A corpus of malformed inputs, written on demand (no binaries in the repository).

``write_corpus(folder)`` writes a small valid project (a spec, its data, the tiny backbones)
plus one bad file per case and returns the cases: the ``tunekit`` arguments that meet the bad
input and the words its one error message must contain (the first names the place: a
``file:line``, a file, or a spec field). ``HANDLED`` files are odd but fine: they must load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from studio_harness import TINY_PLUGIN
from tunekit.testing import write_text_csv

SPEC = """\
task: text-classification
dataset: {name: csv, path: data.csv}
backbone: tiny-bert
strategy: head-only
training: {epochs: 1, batch_size: 8}
metrics: [accuracy]
exporters: []
"""

HUGE_FIELD = 10 * 2**20  # 10 MB: far past the csv module's default field limit (128 KiB)


@dataclass
class Case:
    """One bad input: ``args`` for ``tunekit`` (after --plugins-dir and --registry), the words
    the error must contain (``expected[0]`` is the location), and the data file that
    ``tunekit data check`` should also be given (None: not a data file case)."""

    args: list[str]
    expected: list[str]
    check: str | None = None
    files: list[str] = field(default_factory=list)


def _rows(n: int, labels: str = "ab", start: int = 0) -> str:
    return "".join(f"example number {i} about {labels[i % len(labels)]},"
                   f"{labels[i % len(labels)]}\n" for i in range(start, start + n))


def _jsonl(rows: list[object]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def _data(name: str, *more: str) -> list[str]:
    """``tunekit run`` of the base spec reading ``name`` (a .jsonl switches the dataset)."""
    kind = ["--set", "dataset.name=jsonl"] if name.endswith(".jsonl") else []
    return ["run", "spec.yaml", *kind, "--set", f"dataset.path={name}", *more]


def write_corpus(folder: Path) -> dict[str, Case]:
    """Write the project and every bad file into ``folder``; the cases by name."""
    folder.mkdir(parents=True, exist_ok=True)
    write_text_csv(folder / "data.csv", n=40)
    (folder / "spec.yaml").write_text(SPEC)
    (folder / "plugins").mkdir(exist_ok=True)
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)

    text: dict[str, str] = {
        "ragged.csv": "text,label\n" + _rows(4) + "one,two,three\n" + _rows(4, start=4),
        "header_only.csv": "text,label\n",
        "empty.csv": "",
        "blank_lines.csv": "\n\n   \n",
        "unclosed_quote.csv": "text,label\n" + _rows(4) + '"this quote is never closed,a\n'
                              + _rows(4, start=4),
        "nul.csv": "text,label\n" + _rows(3) + "bin\0ary,a\n" + _rows(3, start=3),
        "one_class.csv": "text,label\n" + _rows(20, labels="a"),
        "wrong_columns.csv": "review,stars\n" + _rows(20),
        "one_column.csv": "text\n" + "".join(f"only text {i}\n" for i in range(20)),
        "no_labels.csv": "text,label\n" + "".join(f"text {i},\n" for i in range(20)),
        "train.csv": "text,label\n" + _rows(20),
        "unseen_validation.csv": "text,label\n" + _rows(6, labels="abc", start=100),
        "not_object.jsonl": _jsonl([{"text": "fine", "label": "a"}, [1, 2, 3]]),
        "not_json.jsonl": _jsonl([{"text": "fine", "label": "a"}]) + "{text: not json}\n",
        "missing_key.jsonl": _jsonl([{"text": f"t {i}", "tag": "ab"[i % 2]}
                                     for i in range(20)]),
        "list_label.jsonl": _jsonl([{"text": f"t {i}", "label": ["a", "b"]}
                                    for i in range(20)]),
        "object_text.jsonl": _jsonl([{"text": {"nested": i}, "label": "ab"[i % 2]}
                                     for i in range(20)]),
        "scalar_lines.jsonl": "1\n2\n\"three\"\n",
        # odd but fine: these must load
        "bom.csv": "\ufefftext,label\n" + _rows(20),
        "mixed_newlines.csv": "text,label\r\n" + "".join(
            line + ("\r\n", "\n", "\r")[i % 3] for i, line in enumerate(_rows(21).splitlines())),
        "number_labels.jsonl": _jsonl([{"text": f"t {i}", "label": i % 2} for i in range(20)]),
        "mixed_labels.jsonl": _jsonl([{"text": f"t {i}", "label": i % 2 if i % 3 else
                                       str(i % 2)} for i in range(20)]),
        "huge_field.csv": "text,label\n" + _rows(20) + "x" * HUGE_FIELD + ",a\n",
    }
    for name, content in text.items():
        (folder / name).write_text(content, encoding="utf-8", newline="")
    (folder / "latin1.csv").write_bytes(("text,label\n" + _rows(4) + "café crème,a\n"
                                         + _rows(4, start=4)).encode("latin-1"))
    (folder / "utf16.csv").write_text("text,label\n" + _rows(20), encoding="utf-16")
    (folder / "utf16.jsonl").write_text(_jsonl([{"text": "t", "label": "a"}]),
                                        encoding="utf-16")
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 64)
    (folder / "binary.jsonl").write_bytes(bytes(range(128, 256)) * 64)
    (folder / "a_folder.csv").mkdir(exist_ok=True)

    specs = {
        "tabs.yaml": "dataset:\n\tname: csv\n",
        "invalid.yaml": "dataset: {name: csv,\n  path: [data.csv\nbackbone: x\n",
        "list.yaml": "- dataset\n- backbone\n",
        "scalar.yaml": "just some words\n",
        "blank.yaml": "# nothing here\n",
        "invalid.json": '{"dataset": {"name": "csv",}}',
        "epochs_word.yaml": SPEC.replace("epochs: 1", "epochs: five"),
        "lr_list.yaml": SPEC.replace("epochs: 1", "epochs: 1, learning_rate: [1]"),
        "training_list.yaml": SPEC.replace("training: {epochs: 1, batch_size: 8}",
                                           "training: [1, 2]"),
        "unknown_field.yaml": SPEC + "colour: red\n",
        "misplaced_field.yaml": SPEC + "epochs: 3\n",
        "unknown_option.yaml": SPEC.replace("path: data.csv", "path: data.csv, sep: ';'"),
        "number_option.yaml": SPEC.replace("path: data.csv", "path: data.csv, 7: x"),
        "duplicate_metrics.yaml": SPEC.replace("[accuracy]", "[accuracy, f1, accuracy]"),
        "metrics_number.yaml": SPEC.replace("[accuracy]", "12"),
        "dataset_list.yaml": SPEC.replace("{name: csv, path: data.csv}", "[csv, data.csv]"),
        "no_dataset.yaml": SPEC.replace("dataset: {name: csv, path: data.csv}\n", ""),
        "no_path.yaml": SPEC.replace(", path: data.csv", ""),
    }
    for name, content in specs.items():
        (folder / name).write_text(content)
    (folder / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage\x00")

    cases = {
        # ---- data files, through the real loader of a real run
        "ragged rows": Case(_data("ragged.csv"), ["ragged.csv:6", "3 field(s)"], "ragged.csv"),
        "header only": Case(_data("header_only.csv"), ["header_only.csv", "no examples"],
                            "header_only.csv"),
        "empty file": Case(_data("empty.csv"), ["empty.csv", "empty"], "empty.csv"),
        "blank lines only": Case(_data("blank_lines.csv"), ["blank_lines.csv", "empty"]),
        "quote never closed": Case(_data("unclosed_quote.csv"),
                                   ["unclosed_quote.csv:6", "quote"], "unclosed_quote.csv"),
        "NUL bytes": Case(_data("nul.csv"), ["nul.csv:5", "binary"], "nul.csv"),
        "binary data": Case(_data("binary.csv"), ["binary.csv", "not UTF-8"], "binary.csv"),
        "binary jsonl": Case(_data("binary.jsonl"), ["binary.jsonl", "not UTF-8"],
                             "binary.jsonl"),
        "latin-1": Case(_data("latin1.csv"), ["latin1.csv", "not UTF-8", "Latin-1"],
                        "latin1.csv"),
        "utf-16 csv": Case(_data("utf16.csv"), ["utf16.csv", "UTF-16"], "utf16.csv"),
        "utf-16 jsonl": Case(_data("utf16.jsonl"), ["utf16.jsonl", "UTF-16"], "utf16.jsonl"),
        "one class": Case(_data("one_class.csv"), ["one_class.csv", "only one class"],
                          "one_class.csv"),
        "wrong columns": Case(_data("wrong_columns.csv", "--set", "dataset.text_column=message"),
                              ["wrong_columns.csv", "no text column 'message'",
                               "Columns found: review, stars"]),
        "one column": Case(_data("one_column.csv"), ["one_column.csv", "label"],
                           "one_column.csv"),
        "no labels": Case(_data("no_labels.csv"), ["no_labels.csv", "no rows with both"],
                          "no_labels.csv"),
        "unseen validation labels": Case(
            _data("train.csv", "--set", "dataset.validation_path=unseen_validation.csv"),
            ["train.csv", "never seen in training", "c"]),
        "jsonl line not an object": Case(_data("not_object.jsonl"),
                                         ["not_object.jsonl:2", "JSON object"], "not_object.jsonl"),
        "jsonl line not JSON": Case(_data("not_json.jsonl"), ["not_json.jsonl:2", "invalid JSON"],
                                    "not_json.jsonl"),
        "jsonl missing key": Case(_data("missing_key.jsonl", "--set", "dataset.label_column=label"),
                                  ["missing_key.jsonl", "no label column 'label'", "tag"]),
        "jsonl list label": Case(_data("list_label.jsonl"), ["list_label.jsonl:1", "label"],
                                 "list_label.jsonl"),
        "jsonl object text": Case(_data("object_text.jsonl"), ["object_text.jsonl:1", "text"],
                                  "object_text.jsonl"),
        "jsonl scalar lines": Case(_data("scalar_lines.jsonl"),
                                   ["scalar_lines.jsonl:1", "JSON object"], "scalar_lines.jsonl"),
        "a folder": Case(_data("a_folder.csv"), ["dataset.path", "folder"]),
        "missing data file": Case(_data("gone.csv"), ["dataset.path", "not found", "gone.csv"]),
        "missing validation file": Case(_data("train.csv", "--set",
                                              "dataset.validation_path=gone.csv"),
                                        ["dataset.validation_path", "not found"]),
        # ---- specs
        "spec with tabs": Case(["run", "tabs.yaml"], ["tabs.yaml:2:", "invalid YAML"]),
        "invalid YAML": Case(["run", "invalid.yaml"], ["invalid.yaml:3:", "invalid YAML"]),
        "invalid JSON": Case(["run", "invalid.json"], ["invalid.json:1:", "invalid JSON"]),
        "spec is a list": Case(["run", "list.yaml"], ["list.yaml", "mapping"]),
        "spec is a sentence": Case(["run", "scalar.yaml"], ["scalar.yaml", "mapping"]),
        "spec is empty": Case(["run", "blank.yaml"], ["blank.yaml", "empty"]),
        "spec is binary": Case(["run", "binary.yaml"], ["binary.yaml", "not a text file"]),
        "spec is a folder": Case(["run", "a_folder.csv"], ["a_folder.csv", "folder"]),
        "missing spec": Case(["run", "nowhere.yaml"], ["nowhere.yaml", "not found"]),
        "epochs: five": Case(["run", "epochs_word.yaml"], ["training.epochs", "five"]),
        "lr: [1]": Case(["run", "lr_list.yaml"], ["training.learning_rate", "[1]"]),
        "training is a list": Case(["run", "training_list.yaml"], ["training", "[1, 2]"]),
        "negative epochs": Case(["run", "spec.yaml", "--set", "training.epochs=-3"],
                                ["training.epochs", "-3"]),
        "lr of 1e9": Case(["run", "spec.yaml", "--set", "training.learning_rate=1e9"],
                          ["training.learning_rate", "1"]),
        "batch size 0": Case(["run", "spec.yaml", "--set", "training.batch_size=0"],
                             ["training.batch_size", "0"]),
        "unknown backbone": Case(["run", "spec.yaml", "--set", "backbone=tiny-brt"],
                                 ["backbone.name", "tiny-brt", '"tiny-bert"']),
        "unknown metric": Case(["run", "spec.yaml", "--set", "metrics=accuracy,f2"],
                               ["metrics[1].name", "f2"]),
        "unknown task": Case(["run", "spec.yaml", "--set", "task=translation"],
                             ["task", "translation"]),
        "unknown field": Case(["run", "unknown_field.yaml"], ["colour", "unknown field"]),
        "field in the wrong place": Case(["run", "misplaced_field.yaml"],
                                         ["epochs", "under training"]),
        "unknown option": Case(["run", "unknown_option.yaml"], ["dataset", "'sep'"]),
        "number as option name": Case(["run", "number_option.yaml"], ["dataset", "option 7"]),
        "unknown --set field": Case(["run", "spec.yaml", "--set", "trainig.epochs=3"],
                                    ["--set trainig.epochs", '"training"']),
        "--set without =": Case(["run", "spec.yaml", "--set", "training.epochs"],
                                ["--set", "FIELD=VALUE"]),
        "duplicate metrics": Case(["run", "duplicate_metrics.yaml"],
                                  ["metrics", "'accuracy' is listed twice"]),
        "metrics a number": Case(["run", "metrics_number.yaml"], ["metrics", "12"]),
        "dataset a list": Case(["run", "dataset_list.yaml"], ["dataset", "['csv', 'data.csv']"]),
        "no dataset": Case(["run", "no_dataset.yaml"], ["dataset", "required"]),
        "no data path": Case(["run", "no_path.yaml"], ["dataset.path", "required"]),
        "validation split of 2": Case(["run", "spec.yaml", "--set",
                                       "dataset.validation_split=2"],
                                      ["dataset.validation_split", "0.5"]),
        # ---- the data check's own entry
        "data check of a folder": Case(["data", "check", "a_folder.csv"], ["folder"]),
        "data check of a missing file": Case(["data", "check", "gone.csv"], ["gone.csv",
                                                                             "not found"]),
        "data check of a bad spec": Case(["data", "check", "epochs_word.yaml"],
                                         ["training.epochs", "five"]),
    }
    return cases


# odd but fine: each loads into examples with a text and a label
HANDLED = {"bom.csv": 20, "mixed_newlines.csv": 21, "number_labels.jsonl": 20,
           "mixed_labels.jsonl": 20, "huge_field.csv": 21}
