"""A quick look at a data file: columns, a few rows, the label distribution.

Used by the assistant to recommend and to ask about ambiguous columns, and by the studio's
preview. It reads at most ``limit`` rows and never raises on a bad file: it says what is wrong.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from tunekit.data import (
    allow_long_csv_fields,
    encoding_problem,
    flatten_records,
    guess_columns,
    read_problem,
)


@dataclass
class Preview:
    path: str
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    count: int = 0
    text_column: str | None = None
    label_column: str | None = None
    labels: dict[str, int] = field(default_factory=dict)
    problem: str | None = None
    # what the values suggest when the names do not say: offered first, but asked about
    suggested: dict[str, str] = field(default_factory=dict)
    # what each column holds, by its values (``column_kind``): "text", "tags", "tokens",
    # "number", "id" or "category"
    kinds: dict[str, str] = field(default_factory=dict)

    def can_be_text(self, exclude: tuple[str | None, ...] = ()) -> list[str]:
        """The columns whose values are free text (or lists of words), ``exclude`` aside."""
        return [c for c, kind in self.kinds.items() if kind in ("text", "tokens")
                and c not in exclude]

    def describe(self) -> str:
        if self.problem:
            return f"{self.path}: {self.problem}"
        parts = [f"{self.count} rows, columns: {', '.join(self.columns)}"]
        if self.labels:
            shown = ", ".join(f"{k} {v}" for k, v in list(self.labels.items())[:8])
            parts.append(f"{len(self.labels)} labels ({shown})")
        return "; ".join(parts)


class Unreadable(Exception):
    """A data file that cannot be read; the message says why."""


# the check a shared studio puts around its events: raises ValueError for a file this
# session may not read (outside the data folder), so no preview ever opens one
_PATH_CHECK: ContextVar[Callable[[Path], object] | None] = ContextVar("tunekit_path_check",
                                                                      default=None)


@contextmanager
def confined(check: Callable[[Path], object]) -> Iterator[None]:
    """Within this block, every file read here is first passed to ``check``, which raises
    ValueError (its message said as the file's problem) for one that may not be read."""
    token = _PATH_CHECK.set(check)
    try:
        yield
    finally:
        _PATH_CHECK.reset(token)


def refusal(file: Path) -> str | None:
    """Why this session may not read ``file`` (a shared studio's data folder), or None. Ask
    before looking at a path at all: not even whether it exists may be said."""
    check = _PATH_CHECK.get()
    if check is None:
        return None
    try:
        check(file)
    except ValueError as exc:
        return str(exc)
    return None


def read_records(file: Path, limit: int = 20000) -> tuple[list[str], list[dict[str, str]]]:
    """The columns and up to ``limit`` rows of a CSV/TSV, JSON-lines or parquet file, as
    strings.

    The delimiter is read off the header line alone, as the csv dataset plugin does."""
    refused = refusal(file)
    if refused:
        raise Unreadable(refused)
    if file.suffix.lower() in PARQUET_SUFFIXES:
        return _read_parquet(file, limit)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(encoding_problem(file, exc.start)) from None
    except OSError as exc:
        raise Unreadable(read_problem(exc)) from None
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise Unreadable(f"line {line} holds binary data (NUL bytes): it is not a text file")
    records: list[dict[str, str]] = []
    if file.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        # nested fields as the jsonl dataset reads them: dotted ("meta.label")
        for obj in flatten_records(list(_json_objects(text, limit))):
            records.append({k: _as_text(v) for k, v in obj.items()})
        return list(dict.fromkeys(k for r in records for k in r)), records
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";", "|") if d in first), ",")
    allow_long_csv_fields()
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        columns = [c.strip() for c in reader.fieldnames or []]
        for i, row in enumerate(reader):
            if i >= limit:
                break
            if None in row or None in row.values():  # more or fewer fields than the header
                fields = len(row) - 1 + len(row.get(None) or []) if None in row else \
                    sum(v is not None for v in row.values())
                raise Unreadable(f"line {reader.line_num} has {fields} field(s) where the header "
                                 f"has {len(columns)}")
            records.append({k.strip(): v for k, v in row.items()})
    except csv.Error as exc:
        raise Unreadable(f"unreadable CSV ({exc}, near line {reader.line_num})") from None
    return columns, records


def _json_objects(text: str, limit: int) -> Iterator[dict]:
    """The objects of JSON lines, or of one JSON array of objects (what an alpaca export or
    ``df.to_json(orient="records")`` writes), as the file datasets read them."""
    if text.lstrip().startswith("["):
        yield from _array_objects(text, limit)
        return
    for number, line in enumerate(text.splitlines()[:limit], start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise Unreadable(f"line {number} is not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise Unreadable(f"line {number} is not a JSON object (each line must be "
                             "one object with a text and a label)")
        yield obj


def _array_objects(text: str, limit: int) -> Iterator[dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"line {exc.lineno} is not valid JSON ({exc.msg}): give JSON lines "
                         "(one object per line) or one array of objects") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise Unreadable("the JSON array must hold objects, one per example")
    yield from data[:limit]


def _as_text(value: object) -> str:
    """A value as the preview shows it; a list (tokens, tags) as JSON, so it reads back."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else \
        str(value)


PARQUET_SUFFIXES = (".parquet", ".pq")


def _read_parquet(file: Path, limit: int) -> tuple[list[str], list[dict[str, str]]]:
    """The columns and first rows of a parquet file (pyarrow is imported only here: a chat
    about a CSV never pays for it)."""
    try:
        import pyarrow.parquet as pq
        from pyarrow import ArrowException
    except ImportError:
        raise Unreadable("reading parquet needs pyarrow, which is not installed") from None
    try:
        handle = pq.ParquetFile(file)
        columns = list(handle.schema_arrow.names)
        rows: list[dict[str, str]] = []
        for batch in handle.iter_batches(batch_size=min(limit, 2000)):
            rows += [{k: _as_text(v) for k, v in r.items()} for r in batch.to_pylist()]
            if len(rows) >= limit:
                break
    except OSError as exc:
        raise Unreadable(read_problem(exc)) from None
    except ArrowException as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise Unreadable(f"not a readable parquet file: {first}") from None
    return columns, rows[:limit]


def label_counts(path: str | Path, column: str, limit: int = 20000) -> dict[str, int]:
    """How many rows carry each value of ``column``; {} when the file cannot be read."""
    try:
        _, records = read_records(Path(path).expanduser(), limit)
    except Unreadable:
        return {}
    return dict(Counter(str(r.get(column) or "") for r in records).most_common())


@dataclass(frozen=True)
class Values:
    """What a column holds, in brief: how many distinct values, and whether they are numbers."""

    distinct: int
    numeric: bool  # every value given is a number
    integers: bool  # ... and a whole one

    def describe(self, column: str) -> str:
        kind = "whole numbers" if self.integers else "numbers"
        return f"{column} holds {self.distinct} distinct {kind}" if self.numeric else \
            f"{column} holds {self.distinct} distinct values"


# (file, size, mtime, column) -> Values: the chat asks on every turn, the file is read once
_VALUES: dict[tuple[str, int, int, str], Values | None] = {}


def column_values(path: str | Path, column: str, limit: int = 20000) -> Values | None:
    """What ``column`` of the file at ``path`` holds; None when it cannot be read or lacks it.
    Read once per file version (its size and modification time), however many turns ask."""
    file = Path(path).expanduser()
    try:
        stat = file.stat()
    except OSError:
        return None
    key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns, column)
    if key not in _VALUES:
        _VALUES[key] = _values(file, column, limit)
    return _VALUES[key]


def _values(file: Path, column: str, limit: int) -> Values | None:
    try:
        columns, records = read_records(file, limit)
    except Unreadable:
        return None
    if column not in columns:
        return None
    given = [str(r.get(column) or "").strip() for r in records]
    given = [v for v in given if v]
    numbers = []
    for value in given:
        try:
            numbers.append(float(value))
        except ValueError:
            break
    numeric = bool(given) and len(numbers) == len(given) and all(n == n for n in numbers)
    return Values(len(set(given)), numeric, numeric and all(n.is_integer() for n in numbers))


def peek(path: str | Path, limit: int = 20000) -> Preview:
    file = Path(path).expanduser()
    preview = Preview(path=str(path))
    refused = refusal(file)  # before looking: not even whether it exists is said
    if refused:
        preview.problem = refused
        return preview
    if file.is_dir():
        preview.problem = "this is a folder, not a data file"
        return preview
    if not file.is_file():
        preview.problem = "file not found"
        return preview
    try:
        columns, records = read_records(file, limit)
    except Unreadable as exc:
        preview.problem = str(exc)
        return preview
    preview.columns = columns
    preview.rows = records[:5]
    preview.count = len(records)
    # the same guess a run makes (names first, then the values), so the preview and the
    # run agree on which column is which
    text, label, from_values = guess_columns(columns, records[:2000])
    if from_values:
        preview.suggested = {k: v for k, v in (("text", text), ("label", label)) if v}
    else:
        preview.text_column, preview.label_column = text, label
    preview.kinds = {c: column_kind([r.get(c, "") for r in records[:500]]) for c in columns}
    if preview.label_column:
        preview.labels = dict(Counter(str(r.get(preview.label_column, "")) for r in records
                                      ).most_common())
    return preview



TAG = re.compile(r"^(?:O|[BIESLU]-\S+)$")


def column_kind(values: list[str]) -> str:
    """What a column holds, by its values: "tags" (lists of BIO tags), "tokens" (other lists
    of words), "measure" (numbers with fractions or many values), "number" (a few whole
    numbers), "id" (whole numbers counting up from 0 or 1, as an exported index),
    "text" (varied free text) or "category" (a few values, repeated)."""
    given = [v for v in values if str(v).strip()]
    if not given:
        return "category"
    lists = [_list_of(v) for v in given]
    if all(items is not None for items in lists):
        items = [str(i) for found in lists for i in found or []]
        return "tags" if items and sum(bool(TAG.match(i)) for i in items) >= 0.8 * len(items) \
            else "tokens"
    try:
        numbers = [float(v) for v in given]
    except ValueError:
        numbers = []
    if numbers and all(n == n for n in numbers):  # NaN is no number
        counting = numbers[0] in (0, 1) and len(numbers) > 2 and all(
            b - a == 1 for a, b in zip(numbers, numbers[1:], strict=False))
        if counting:
            return "id"
        # a measure (fractions, or many values) is predicted as a number, not as classes
        many = len(set(numbers)) > 10 or not all(n.is_integer() for n in numbers)
        return "measure" if many else "number"
    distinct = len(set(given))
    return "text" if distinct >= 3 and distinct > len(given) // 4 else "category"


def _list_of(value: str) -> list | None:
    if not value.startswith("["):
        return None
    try:
        items = json.loads(value)
    except json.JSONDecodeError:
        return None
    return items if isinstance(items, list) else None
