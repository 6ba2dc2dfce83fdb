"""Every malformed input of the corpus (tests/malformed.py) gets one clear message naming its
place, in the CLI, the assistant and the studio's upload preview; no traceback, and the
registry stays consistent (a run it created is failed with the message, none is left queued
or running, the database passes its integrity check)."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
import tunekit
from malformed import HANDLED, write_corpus
from test_cli import tunekit_cli
from tunekit.components import DataContext
from tunekit.tools.datacheck import ReadLog, check_data


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("malformed")
    return folder, write_corpus(folder)


def _case_names() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        return list(write_corpus(Path(scratch)))


CASE_NAMES = _case_names()


def _registry_state(path: Path) -> list[tuple[int, str, str | None]]:
    """``(id, status, error)`` of every run, after checking the database is whole."""
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return db.execute("SELECT id, status, error FROM runs").fetchall()


def _one_error(output: str) -> str:
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    return errors[0]


def _check_outcome(case, returncode: int, stdout: str, stderr: str, registry: Path) -> None:
    assert returncode == 2, (stdout, stderr)
    first = _one_error(stderr + stdout)
    where, *words = case.expected
    assert where in first, (where, stderr)  # the place is on the error line itself
    for word in words:
        assert word in stderr, (word, stderr)
    runs = _registry_state(registry)
    assert all(status == "failed" for _, status, _ in runs), runs
    for _, _, error in runs:  # the run records the message the person saw
        assert words[0] in error, (words[0], error)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_the_cli_gives_one_clear_message_and_keeps_the_registry_consistent(corpus, name, capsys,
                                                                          monkeypatch):
    """``tunekit.ui.cli.main`` in this process (the command a subprocess runs, without paying
    for a fresh interpreter and torch per case): an exception escaping it fails the test."""
    from tunekit.ui.cli import main

    folder, cases = corpus
    case = cases[name]
    registry = folder / f"registry-{CASE_NAMES.index(name)}.db"
    monkeypatch.chdir(folder)

    returncode = main(["--plugins-dir", str(folder / "plugins"), "--registry", str(registry),
                       *case.args])

    captured = capsys.readouterr()
    _check_outcome(case, returncode, captured.out, captured.err, registry)


# one case of each kind through the real command in a subprocess
SUBPROCESS_CASES = ["ragged rows", "utf-16 csv", "one class", "unseen validation labels",
                    "jsonl line not an object", "spec with tabs", "lr: [1]", "unknown backbone"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_the_real_command_in_a_subprocess(corpus, name):
    folder, cases = corpus
    case = cases[name]
    registry = folder / f"registry-sub-{SUBPROCESS_CASES.index(name)}.db"

    done = tunekit_cli("--plugins-dir", str(folder / "plugins"), "--registry", str(registry),
                       *case.args, cwd=folder, timeout=120)

    _check_outcome(case, done.returncode, done.stdout, done.stderr, registry)


@pytest.mark.parametrize("name", [n for n in CASE_NAMES if n.startswith(("ragged", "quote",
                                                                          "NUL", "binary",
                                                                          "utf-16", "latin",
                                                                          "jsonl line",
                                                                          "one class"))])
def test_the_data_check_reports_a_bad_file_without_a_traceback(corpus, name):
    folder, cases = corpus
    case = cases[name]

    done = tunekit_cli("--plugins-dir", str(folder / "plugins"), "data", "check", case.check,
                       cwd=folder, timeout=120)

    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert done.returncode in (1, 2), output  # 1: blocking findings; 2: cannot be read at all
    if done.returncode == 2:
        _one_error(output)
    assert Path(case.check).stem.split("_")[0] in output  # the file is named


def test_a_file_that_cannot_be_read_says_so(corpus, monkeypatch):
    """chmod 000 blocks nobody when the tests run as root: the read fails on purpose instead."""
    folder, _ = corpus
    manager = tunekit.load_plugins()
    path = folder / "train.csv"
    real_read_text = Path.read_text

    def refuse(self: Path, *args, **kwargs):
        if self.name == path.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    dataset = manager.get("dataset", "csv")
    with pytest.raises(tunekit.DataError, match="permission denied") as raised:
        dataset.load(dataset.resolve_options({"path": str(path)}, "dataset"),
                     DataContext(task="text-classification", seed=1, base_dir=folder))
    assert raised.value.where == str(path)
    from tunekit.ui.assistant.datafile import peek

    assert "permission denied" in peek(path).problem


@pytest.mark.parametrize("name", sorted(HANDLED))
def test_odd_but_valid_files_load_and_check(corpus, name):
    """A BOM, mixed newlines, numbers as labels and a 10 MB field are read, not refused."""
    folder, _ = corpus
    manager = tunekit.load_plugins()
    dataset = manager.get("dataset", "jsonl" if name.endswith(".jsonl") else "csv")
    options = dataset.resolve_options({"path": name}, "dataset")
    context = DataContext(task="text-classification", seed=1, base_dir=folder)

    splits = dataset.load(options, context)
    log = ReadLog()
    checked = dataset.load(options, dataclasses.replace(context, read_log=log))

    rows = splits.train + splits.validation
    assert len(rows) == HANDLED[name]
    assert {r["label"] for r in rows} <= {"a", "b", "0", "1"}
    assert all(isinstance(r["text"], str) and r["text"] for r in rows)
    assert not log.unreadable
    check_data(checked, log=log)  # never raises


def test_the_assistant_says_what_is_wrong_with_a_data_file(corpus, manager):
    from tunekit.ui.assistant import Assistant

    folder, cases = corpus
    unreadable = {"ragged.csv", "unclosed_quote.csv", "nul.csv", "binary.csv", "binary.jsonl",
                  "latin1.csv", "utf16.csv", "utf16.jsonl", "not_object.jsonl",
                  "scalar_lines.jsonl", "header_only.csv", "a_folder.csv", "gone.csv"}
    for name in sorted(unreadable):
        reply = Assistant(manager).respond(f"train a classifier on {folder / name}")
        note = reply.text.split("\n")[0]
        assert note.startswith("Note:") and Path(name).name in note, (name, reply.text)
        assert note.count(". ") == 0 or "?" in note, (name, note)  # one sentence


def test_the_studio_upload_preview_refuses_unreadable_files_with_a_reason(corpus, tmp_path):
    from tunekit.ui.studio.files import UploadError, take_upload

    folder, cases = corpus
    refused = {"ragged.csv", "unclosed_quote.csv", "nul.csv", "binary.csv", "binary.jsonl",
               "latin1.csv", "utf16.csv", "utf16.jsonl", "not_object.jsonl", "not_json.jsonl",
               "scalar_lines.jsonl", "header_only.csv", "empty.csv", "blank_lines.csv",
               "one_column.csv", "a_folder.csv"}
    every = sorted({p.name for p in folder.iterdir() if p.suffix in (".csv", ".jsonl")})
    for name in every:
        try:
            take_upload(folder / name, tmp_path / "uploads")
        except UploadError as exc:
            assert name in refused, (name, str(exc))
            assert name in str(exc) and len(str(exc).splitlines()) == 1, str(exc)
        else:
            assert name not in refused, name
