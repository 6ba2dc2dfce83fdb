"""``run(spec, data=...)``: data handed over from Python (a notebook's DataFrame, a list of
dicts, a ``datasets.Dataset`` or ``DatasetDict``) becomes a ``save_to_disk`` folder that the
``hf-dataset`` dataset reads, so such a run is recorded, resumed, compared and re-run like any
other: its spec names the folder.

The folder is named by the content (``<registry folder>/data/python-<sha256 prefix>``): the
same rows given twice are one folder, and a run's data never changes under it. It is written
under a temporary name and renamed, so a crash leaves no half-written folder that a later run
would take for the data.

Hand-written rather than a ``dataset: {name: python}`` plugin: a plugin's options come from a
spec file, and a DataFrame cannot be written into one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from copy import deepcopy
from pathlib import Path
from typing import Any

from ..errors import DataError, SpecError, require
from ..spec import DEFAULT_SPEC, RunSpec, read_spec_file

READER = "hf-dataset"
# what data= replaces in a spec's dataset section; the other fields are hf-dataset's options
SOURCE_FIELDS = ("name", "path")
# the options table datasets (csv, jsonl, parquet) and hf-dataset share: kept when data=
# replaces another dataset of the spec
SHARED_OPTIONS = ("text_column", "label_column", "validation_split", "test_split",
                  "deduplicate", "tokens_column", "tags_column", "image_column")
WHAT = "data= takes a pandas DataFrame, a list of dicts, a datasets Dataset or DatasetDict, " \
       "or a dict of split name to one of those"


def as_dataset_dict(data: Any) -> Any:
    """``data`` as a ``datasets.DatasetDict`` (one ``train`` split unless splits are given)."""
    datasets = require("datasets", "datasets", "data= (data from Python)")
    if isinstance(data, datasets.DatasetDict):
        parts = dict(data)
    elif isinstance(data, dict) and any(_is_table(v) for v in data.values()):  # splits
        parts = {name: _as_dataset(datasets, part, f"data[{name!r}]")
                 for name, part in data.items()}
    else:
        parts = {"train": _as_dataset(datasets, data, "data")}
    if "train" not in parts:
        raise DataError(f"the splits given are {', '.join(parts)}: none is called 'train'",
                        where="data", hint="name the split to train on 'train' (and the "
                        "others 'validation' and 'test')")
    for name, part in parts.items():
        if part.num_rows == 0:
            raise DataError(f"the {name} split has no rows", where=f"data[{name!r}]",
                            hint="hand over at least a few examples per label")
    return datasets.DatasetDict(parts)


def _is_table(value: Any) -> bool:
    """A split's rows: a Dataset, a DataFrame, a dict of columns or a list of dicts."""
    return hasattr(value, "num_rows") or hasattr(value, "columns") or isinstance(value, dict) \
        or (isinstance(value, list | tuple) and bool(value) and isinstance(value[0], dict))


def _as_dataset(datasets: Any, part: Any, where: str) -> Any:
    if isinstance(part, datasets.Dataset):
        return part
    if hasattr(part, "to_dict") and hasattr(part, "columns") and hasattr(part, "iloc"):
        # a pandas DataFrame: its index is not a column of the data
        return datasets.Dataset.from_pandas(part.reset_index(drop=True), preserve_index=False)
    if isinstance(part, dict) and part and all(isinstance(v, list | tuple) for v in part.values()):
        lengths = {len(v) for v in part.values()}
        if len(lengths) > 1:
            raise DataError("the columns given have different lengths "
                            f"({', '.join(f'{k}: {len(v)}' for k, v in part.items())})",
                            where=where, hint="give every column one value per example")
        return datasets.Dataset.from_dict({k: list(v) for k, v in part.items()})
    if isinstance(part, list | tuple) and part and all(isinstance(r, dict) for r in part):
        try:
            return datasets.Dataset.from_list(list(part))
        except Exception as exc:  # pyarrow's word for rows whose fields do not agree
            raise DataError(f"the rows do not share one shape: {str(exc).splitlines()[0]}",
                            where=where, hint="give each field the same type in every row"
                            ) from None
    if isinstance(part, list | tuple) and not part:
        raise DataError("the list of examples is empty", where=where,
                        hint="hand over at least a few examples per label")
    raise DataError(f"got {type(part).__module__}.{type(part).__qualname__}", where=where,
                    hint=WHAT)


def fingerprint(parts: Any) -> str:
    """A hash of every split's column names and values, not of how they were built: a
    DataFrame and the same rows as a list of dicts (whose Arrow types may differ: string and
    large_string) are one folder."""
    digest = hashlib.sha256()
    for name in sorted(parts):
        part = parts[name].with_format(None)
        digest.update(json.dumps([name, part.column_names]).encode())
        for batch in part.iter(batch_size=1024):
            digest.update(json.dumps(batch, default=_plain, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _plain(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else repr(value)


def save(data: Any, folder: Path) -> Path:
    """``data`` saved under ``folder`` (a registry's data folder), once per content."""
    parts = as_dataset_dict(data)
    target = folder / f"python-{fingerprint(parts)}"
    if (target / "dataset_dict.json").is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / f".python-{uuid.uuid4().hex}.partial"
    from datasets.utils import logging as datasets_logging

    shown = datasets_logging.is_progress_bar_enabled()
    datasets_logging.disable_progress_bar()  # a bar for a save that takes a blink is noise
    try:
        parts.save_to_disk(str(scratch))
        try:
            os.replace(scratch, target)
        except OSError:  # another process saved the same data meanwhile (a non-empty target)
            if not (target / "dataset_dict.json").is_file():
                raise
    finally:
        if shown:
            datasets_logging.enable_progress_bar()
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def with_data(spec: RunSpec | dict[str, Any] | str | os.PathLike[str] | None, data: Any,
              folder: Path) -> tuple[dict[str, Any], Path | None]:
    """``spec`` as a mapping whose dataset is ``data`` saved under ``folder`` (read by
    hf-dataset), with the options the spec's dataset section gave (columns, splits, ...), and
    the folder relative paths in the spec are read from."""
    base_dir = None
    if spec is None:
        raw = deepcopy(DEFAULT_SPEC)
    elif isinstance(spec, RunSpec):
        raw = spec.to_dict()
        if (raw.get("dataset") or {}).get("name") != READER:  # the options of another dataset
            raw["dataset"] = {}
    elif isinstance(spec, dict):
        raw = deepcopy(spec)
    else:
        base_dir = Path(spec).resolve().parent
        raw = read_spec_file(Path(spec))
    section = raw.get("dataset") or {}
    if isinstance(section, str):
        section = {}
    if not isinstance(section, dict):
        raise SpecError("dataset must be a mapping of its options", where="dataset")
    if section.get("path"):
        raise SpecError("both data= and dataset.path name the data", where="dataset.path",
                        hint="give the data one way: drop dataset.path, or call run() "
                             "without data=")
    options = {k: v for k, v in section.items() if k not in SOURCE_FIELDS}
    if section.get("name") not in (None, READER, "python"):
        # the options of the dataset data= replaces (e.g. sample-reviews) mean nothing here,
        # except the column names and splits that every table dataset shares
        options = {k: v for k, v in options.items() if k in SHARED_OPTIONS}
    raw["dataset"] = {"name": READER, "path": str(save(data, folder)), **options}
    return raw, base_dir
