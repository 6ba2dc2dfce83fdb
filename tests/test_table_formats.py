"""Data as people have it: parquet (pandas' to_parquet), a JSON array of records, and a
spreadsheet told to become a CSV, through the csv/jsonl/parquet datasets and the CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd  # the default install has it (the datasets extra)
import pytest
import tunekit
from tunekit.data import same_text_key
from tunekit.plugins.datasets import looks
from tunekit.testing import train_tiny, write_text_csv


def _frame(tmp_path: Path, n: int = 96):
    rows = list(csv.DictReader(write_text_csv(tmp_path / "seed.csv", n).open()))
    # an export's copies: every 12th text again, in other case and spacing
    rows += [{"text": r["text"].upper() + "  ", "label": r["label"]} for r in rows[::12]]
    return pd.DataFrame(rows).rename(columns={"text": "review", "label": "sentiment"})


def _no_shared_text(splits: tunekit.DataSplits) -> None:
    train = {same_text_key(r["text"]) for r in splits.train}
    assert not train & {same_text_key(r["text"]) for r in splits.validation}


@pytest.mark.parametrize("dataset", ["parquet", "csv", "jsonl"])
def test_a_parquet_file_is_read_by_its_suffix_in_the_whole_family(tmp_path: Path,
                                                                   dataset: str) -> None:
    path = tmp_path / "reviews.parquet"
    _frame(tmp_path).to_parquet(path)
    manager = tunekit.load_plugins()
    component = manager.get("dataset", dataset)
    options = component.resolve_options({"path": str(path)}, "dataset")
    splits = component.load(options, tunekit.DataContext(
        task="text-classification", seed=0, base_dir=tmp_path))
    assert len(splits.train) + len(splits.validation) == 96 + 8
    assert {r["label"] for r in splits.train} == {"negative", "positive"}
    _no_shared_text(splits)
    assert splits.source == str(path)


def test_format_reads_a_file_whatever_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    _frame(tmp_path).to_parquet(path)
    manager = tunekit.load_plugins()
    csv_set = manager.get("dataset", "csv")
    context = tunekit.DataContext(task="text-classification", seed=0, base_dir=tmp_path)
    with pytest.raises(tunekit.DataError):  # read as the CSV its dataset expects: binary
        csv_set.load(csv_set.resolve_options({"path": str(path)}, "dataset"), context)
    options = csv_set.resolve_options({"path": str(path), "format": "parquet"}, "dataset")
    assert len(csv_set.load(options, context).train) > 80
    with pytest.raises(tunekit.SpecError, match="parquet"):
        csv_set.resolve_options({"path": str(path), "format": "xlsx"}, "dataset")


def test_a_parquet_file_trains_and_the_run_records_it(tmp_path: Path) -> None:
    path = tmp_path / "reviews.parquet"
    _frame(tmp_path).to_parquet(path)
    run = train_tiny(dataset={"name": "parquet", "path": str(path)}, directory=tmp_path)
    assert run.status == "completed"
    assert run.summary()["data"]["source"] == str(path)
    assert json.loads(run.record().spec_json)["dataset"]["path"] == str(path)


def test_a_json_array_of_records_reads_like_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    _frame(tmp_path).to_json(path, orient="records")
    assert path.read_text().startswith("[")
    jsonl = tunekit.load_plugins().get("dataset", "jsonl")
    splits = jsonl.load(jsonl.resolve_options({"path": str(path)}, "dataset"),
                        tunekit.DataContext(task="text-classification", seed=0,
                                            base_dir=tmp_path))
    assert len(splits.train) + len(splits.validation) == 104
    (tmp_path / "bad.json").write_text("[1, 2, 3]")
    with pytest.raises(tunekit.DataError, match="objects"):
        jsonl.load(jsonl.resolve_options({"path": str(tmp_path / "bad.json")}, "dataset"),
                   tunekit.DataContext(task="text-classification", seed=0, base_dir=tmp_path))


def test_a_broken_parquet_file_is_one_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really parquet at all")
    parquet = tunekit.load_plugins().get("dataset", "parquet")
    with pytest.raises(tunekit.DataError, match="not a readable parquet file") as caught:
        parquet.load(parquet.resolve_options({"path": str(path)}, "dataset"),
                     tunekit.DataContext(task="text-classification", seed=0,
                                         base_dir=tmp_path))
    assert caught.value.where == str(path)


def test_the_assistant_look_tells_parquet_from_a_renamed_file(tmp_path: Path) -> None:
    real = tmp_path / "real.parquet"
    _frame(tmp_path).to_parquet(real)
    fake = tmp_path / "fake.parquet"
    fake.write_text("text,label\nhi,a\n")
    assert looks.parquet_file(real) > 0.9 > looks.parquet_file(fake)
    assert looks.table_file(real) == 0.0


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tunekit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_the_cli_checks_parquet_and_turns_a_spreadsheet_away_in_one_message(
        tmp_path: Path) -> None:
    _frame(tmp_path).to_parquet(tmp_path / "reviews.parquet")
    done = _cli("data", "check", "reviews.parquet", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["dataset"] == "parquet"
    (tmp_path / "reviews.xlsx").write_bytes(b"PK\x03\x04 a zip, as .xlsx files are")
    for args in (("data", "check", "reviews.xlsx"),
                 ("run", "--set", "dataset.name=csv", "--set", "dataset.path=reviews.xlsx")):
        done = _cli(*args, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "spreadsheet" in done.stderr and "CSV UTF-8" in done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_id_column_is_never_taken_for_the_text(tmp_path: Path, suffix: str) -> None:
    """An export's columns: a running id, a review text with a gap and many repeats (40% of
    the rows say what another says), a rating 0/1/2; only the values can tell which is which."""
    rng = __import__("random").Random(0)
    pool = [f"review {k}: the fabric is {rng.choice(['soft', 'rough', 'thin'])} and it fits "
            f"{rng.choice(['well', 'badly'])}" for k in range(80)]
    frame = pd.DataFrame({"id": range(1, 201),
                          "Review Text": [None if i == 5 else rng.choice(pool)
                                          for i in range(200)],
                          "Rating": [i % 3 for i in range(200)]})
    path = tmp_path / f"export{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path)
    dataset = tunekit.load_plugins().get("dataset", "csv")
    splits = dataset.load({"path": str(path)} | {p.name: p.default for p in dataset.params
                                                  if p.name != "path"},
                          tunekit.DataContext(task="text-classification", seed=0,
                                              base_dir=tmp_path))
    assert {r["text"] for r in splits.train} <= set(pool)
    assert {r["label"] for r in splits.train} == {"0", "1", "2"}
    assert any("text column 'Review Text'" in n for n in splits.notes)
