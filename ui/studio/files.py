"""Files the studio takes in and hands out: uploaded data, exported specs, run artifacts.

Uploads are copied into ``<workdir>/uploads`` (a folder per browser tab in a shared studio)
so a run (and a clone of it next week) still finds them after Gradio clears its cache. Size
and row limits are the caller's (sharing.py holds a shared studio's). Downloads are written to
a folder under the system's temp directory, which Gradio serves without extra configuration.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from tunekit.ui.assistant import datafile
from tunekit.ui.assistant.datafile import Preview, peek

DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json")
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


class UploadError(ValueError):
    """An uploaded file that cannot be used; the message says why, for a person."""


def take_upload(source: str | Path, uploads: Path, max_rows: int | None = None,
                max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[Path, Preview]:
    """Copy an uploaded data file into ``uploads`` and look at it; UploadError if unusable
    (more than ``max_rows`` rows or ``max_bytes`` bytes included)."""
    source = Path(source)
    name = _original_name(source)
    if not source.is_file():
        raise UploadError(f"the upload of {name} did not arrive; please try again")
    if source.suffix.lower() not in DATA_SUFFIXES:
        raise UploadError(f"{name} is not a CSV or JSONL file: upload a .csv, .tsv or .jsonl "
                          "file with a text column and a label column")
    if source.stat().st_size == 0:
        raise UploadError(f"{name} is empty")
    if source.stat().st_size > max_bytes:
        raise UploadError(f"{name} is larger than {max_bytes / 2**20:g} MB, the most this "
                          "studio takes")
    with source.open("rb") as handle:
        if b"\x00" in handle.read(8192):
            raise UploadError(f"{name} is not a text file: upload a CSV or JSONL file")
    rows = count_rows(source)
    if max_rows is not None and rows is not None and rows > max_rows:
        raise UploadError(f"{name} has {rows:,} rows and this studio takes {max_rows:,} at "
                          "most: upload a smaller sample")
    preview = peek(source)
    if preview.problem:
        raise UploadError(f"{name}: {preview.problem}")
    if preview.count == 0 or not preview.columns:
        raise UploadError(f"{name} has no rows of data under a header line")
    if len(preview.columns) < 2:
        raise UploadError(f"{name} has a single column ({preview.columns[0]}); it needs a text "
                          "column and a label column")
    uploads.mkdir(parents=True, exist_ok=True)
    target = _free_name(uploads / name, source)
    if not target.exists():
        shutil.copyfile(source, target)
    return target, peek(target)


def count_rows(path: str | Path) -> int | None:
    """The data rows of a CSV/TSV (lines after the header) or JSON-lines file (its
    non-blank lines), counted without parsing: quick enough for any upload. None when it
    cannot be read. (A quoted field spanning lines counts once per line: an upper bound.)"""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            lines = sum(1 for line in handle if line.strip())
    except OSError:
        return None
    if file.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return lines
    return max(0, lines - 1)


def _original_name(path: Path) -> str:
    """Gradio keeps the name the person's file had; make it safe for our folder."""
    name = path.name.replace("/", "_").replace("\\", "_").strip() or "data.csv"
    return name.lstrip(".") or "data.csv"


def _free_name(wanted: Path, source: Path) -> Path:
    """``wanted``, or ``name-2.csv``... when another file of that name is already there.
    The same content uploaded twice lands on the same file."""
    digest = _sha256(source)
    candidate, n = wanted, 1
    while candidate.exists():
        if _sha256(candidate) == digest:
            return candidate
        n += 1
        candidate = wanted.with_name(f"{wanted.stem}-{n}{wanted.suffix}")
    return candidate


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def label_counts(path: str | Path, column: str) -> dict[str, int]:
    """How many rows carry each value of ``column``, for a label column a person chose;
    cached until the file changes. {} when the file cannot be read."""
    file = Path(path)
    try:
        return dict(_label_counts(str(file.resolve()), file.stat().st_mtime, column))
    except OSError:
        return {}


@lru_cache(maxsize=32)
def _label_counts(path: str, mtime: float, column: str) -> tuple[tuple[str, int], ...]:
    """``mtime`` is part of the cache key: an edited file is counted again."""
    return tuple(datafile.label_counts(path, column).items())


class Downloads:
    """A folder of files handed to the browser: exported specs, artifacts (folders zipped)."""

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder or tempfile.mkdtemp(prefix="tunekit-studio-"))
        self.folder.mkdir(parents=True, exist_ok=True)

    def spec_yaml(self, spec: dict[str, Any], owner: str) -> Path:
        """The spec as a YAML file (rewritten only when it changes)."""
        folder = self.folder / "specs" / _safe(owner)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "tunekit-run.yaml"
        text = "# a tunekit run: `tunekit run tunekit-run.yaml`\n" + yaml.safe_dump(
            spec, sort_keys=False)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        return path

    def artifact(self, run_id: int, exporter: str, path: str | Path) -> Path | None:
        """A downloadable file for an artifact: the file itself (copied), or a folder zipped.
        None when the artifact is gone from the disk."""
        source = Path(path)
        folder = self.folder / "artifacts" / f"run-{run_id}"
        folder.mkdir(parents=True, exist_ok=True)
        if source.is_file():
            target = folder / f"{_safe(exporter)}-{source.name}"
            if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
                shutil.copyfile(source, target)
            return target
        if source.is_dir():
            target = folder / f"{_safe(exporter)}.zip"
            newest = max((p.stat().st_mtime for p in source.rglob("*") if p.is_file()),
                         default=0.0)
            if not target.exists() or target.stat().st_mtime < newest:
                partial = target.with_suffix(".zip.partial")
                # stored, not deflated: weights barely compress and zipping must be quick
                with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
                    for file in sorted(source.rglob("*")):
                        if file.is_file():
                            archive.write(file, Path(source.name) / file.relative_to(source))
                partial.replace(target)
            return target
        return None


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in str(text))[:80] or "x"
