"""``tunekit.run(spec, data=...)``: a DataFrame, a list of dicts, a datasets Dataset or
DatasetDict handed over from Python trains, records where its data is, and can be resumed or
re-run from the registry; bad data= is one message and records nothing. The notebook example of
docs/guide/python.md is run as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import datasets
import pandas as pd
import pytest
import tunekit
from tunekit.engine.python_data import as_dataset_dict, save
from tunekit.testing import tiny_rows

ROOT = Path(__file__).resolve().parents[1]
TINY = {"backbone": "tiny-bert", "strategy": "full",
        "training": {"epochs": 1, "batch_size": 8, "seed": 0}}


@pytest.fixture()
def registry(tmp_path):
    return tunekit.Registry.open(tmp_path / "registry.db")


def frame(n: int = 60) -> pd.DataFrame:
    rows = tiny_rows(n, seed=1)
    return pd.DataFrame({"message": [r["text"] for r in rows],
                         "topic": [r["label"] for r in rows]},
                        index=range(1000, 1000 + n))  # an index that is not 0..n-1


def train(manager, registry, spec, data, tmp_path):
    return tunekit.run(spec, data=data, manager=manager, registry=registry, progress=False,
                       output_root=tmp_path / "runs")


@pytest.mark.parametrize("kind", ["dataframe", "records", "columns", "dataset", "dataset-dict"])
def test_each_kind_of_python_data_trains_and_is_recorded(kind, manager, registry, tmp_path):
    df = frame()
    data = {"dataframe": df,
            "records": df.to_dict(orient="records"),
            "columns": {"message": list(df.message), "topic": list(df.topic)},
            "dataset": datasets.Dataset.from_pandas(df, preserve_index=False),
            "dataset-dict": datasets.DatasetDict(
                train=datasets.Dataset.from_pandas(df.iloc[:48], preserve_index=False),
                validation=datasets.Dataset.from_pandas(df.iloc[48:], preserve_index=False)),
            }[kind]
    spec = {**TINY, "dataset": {"text_column": "message", "label_column": "topic"}}
    result = train(manager, registry, spec, data, tmp_path)
    assert result.status == "completed"
    record = registry.get_run(result.run_id)
    dataset = record.spec["dataset"]
    assert dataset["name"] == "hf-dataset"
    folder = Path(dataset["path"])
    assert folder.parent == tmp_path / "data" and folder.name.startswith("python-")
    assert (folder / "dataset_dict.json").is_file()
    saved = datasets.load_from_disk(str(folder))
    splits = {"dataset-dict": {"train": 48, "validation": 12}}.get(kind, {"train": 60})
    assert {name: part.num_rows for name, part in saved.items()} == splits
    assert saved["train"].column_names == ["message", "topic"]  # no __index_level_0__
    if kind == "dataset-dict":  # the validation split given is the one validated on
        assert json.loads(record.summary_json)["data"]["sizes"]["validation"] == 12


def test_the_same_rows_are_one_folder_and_a_run_from_the_record_reads_them(manager, registry,
                                                                          tmp_path):
    spec = {**TINY, "dataset": {"text_column": "message", "label_column": "topic"}}
    first = train(manager, registry, spec, frame(), tmp_path)
    again = train(manager, registry, spec, frame().to_dict(orient="records"), tmp_path)
    one, two = (registry.get_run(r.run_id).spec["dataset"]["path"] for r in (first, again))
    assert one == two
    assert [p.name for p in (tmp_path / "data").iterdir()] == [Path(one).name]  # no leftovers
    changed = frame()
    changed.loc[1000, "message"] = "a text that was not there before"
    three = train(manager, registry, spec, changed, tmp_path)
    assert registry.get_run(three.run_id).spec["dataset"]["path"] != one

    # the recorded spec alone trains again: the data is where the record says
    rerun = tunekit.run(registry.get_run(first.run_id).spec, manager=manager, registry=registry,
                        progress=False, output_root=tmp_path / "runs")
    assert rerun.status == "completed"
    assert rerun.metrics == pytest.approx(first.metrics)


def test_a_spec_file_and_a_runspec_take_data_too(manager, registry, tmp_path):
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text("backbone: tiny-bert\nstrategy: head-only\n"
                         "dataset: {text_column: message, label_column: topic}\n"
                         "training: {epochs: 1}\n")
    result = train(manager, registry, spec_file, frame(), tmp_path)
    assert result.status == "completed"
    assert registry.get_run(result.run_id).spec["strategy"]["name"] == "head-only"
    parsed = tunekit.load_spec(None, manager)  # the bundled default's own dataset is replaced
    bundled = train(manager, registry, parsed.to_dict() | {"backbone": "tiny-bert",
                                                           "training": TINY["training"]},
                    frame().rename(columns={"message": "text", "topic": "label"}), tmp_path)
    assert registry.get_run(bundled.run_id).spec["dataset"]["name"] == "hf-dataset"


@pytest.mark.parametrize(("data", "where", "says"), [
    ([], "data", "empty"),
    (42, "data", "DataFrame"),
    ({"text": ["a", "b"], "label": ["x"]}, "data", "different lengths"),
    ({"validation": [{"text": "a", "label": "x"}]}, "data", "'train'"),
    ([{"text": "a", "label": 1}, {"text": "b", "label": [1, 2]}], "data", "shape"),
])
def test_data_it_cannot_use_is_one_message_and_records_nothing(data, where, says, manager,
                                                              registry, tmp_path):
    with pytest.raises(tunekit.TunekitError) as caught:
        train(manager, registry, dict(TINY), data, tmp_path)
    assert caught.value.where == where and says in str(caught.value)
    assert registry.runs() == []
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


def test_data_and_a_dataset_path_together_are_refused(manager, registry, tmp_path):
    spec = {**TINY, "dataset": {"name": "csv", "path": "reviews.csv"}}
    with pytest.raises(tunekit.TunekitError, match="both data= and dataset.path"):
        train(manager, registry, spec, frame(), tmp_path)
    assert registry.runs() == []


def test_a_save_interrupted_leaves_no_folder_a_run_would_take(tmp_path, monkeypatch):
    def broken(self, path, **kwargs):
        Path(path).mkdir(parents=True)
        (Path(path) / "data-00000.arrow").write_bytes(b"half")
        raise OSError("No space left on device")

    monkeypatch.setattr(datasets.DatasetDict, "save_to_disk", broken)
    with pytest.raises(OSError):
        save(frame(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_dict_of_splits_and_a_dict_of_columns_are_told_apart():
    columns = as_dataset_dict({"text": ["a", "b"], "label": ["x", "y"]})
    assert list(columns) == ["train"] and columns["train"].column_names == ["text", "label"]
    splits = as_dataset_dict({"train": [{"text": "a", "label": "x"}],
                              "test": [{"text": "b", "label": "y"}]})
    assert list(splits) == ["train", "test"]


def guide_python_block(marker: str) -> str:
    text = (ROOT / "docs" / "guide" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    return next(b for b in blocks if marker in b)


@pytest.mark.slow
def test_the_guide_notebook_example_runs_as_written(tmp_path):
    code = guide_python_block("data=reviews")
    env = {**os.environ, "TUNEKIT_REGISTRY": str(tmp_path / "registry.db"),
           "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("completed {")
    assert "Traceback" not in done.stderr
    assert list((tmp_path / "data").glob("python-*/dataset_dict.json"))


def test_the_progress_bar_is_tqdm_auto(tmp_path):
    """tqdm.auto: a widget in a notebook (Jupyter), a text bar elsewhere."""
    import io

    import tqdm.auto
    from tunekit.engine.listeners import ConsoleProgress
    from tunekit.events import Event

    progress = ConsoleProgress(stream=io.StringIO())
    progress(Event(kind="step", data={"total_steps": 4, "step": 1, "epoch": 0.25,
                                      "loss": 0.5}))
    assert isinstance(progress.bar, tqdm.auto.tqdm)
    progress.bar.close()
