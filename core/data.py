"""Helpers for datasets: splits that keep copies on one side, deduplication, label checks,
and a fingerprint of the data."""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .components import DataSplits, Example
from .errors import DataError

# column names that usually hold the text and the label (tried in this order)
TEXT_COLUMN_NAMES = ("text", "sentence", "review", "message", "content", "body", "comment",
                     "utterance", "document", "tweet", "query", "question", "input", "prompt",
                     "description", "title")
LABEL_COLUMN_NAMES = ("label", "labels", "category", "class", "target", "sentiment", "intent",
                      "topic", "tag", "y", "output", "classification", "rating")


# the csv module refuses fields over 128 KiB by default: one long text would make a whole
# file unreadable. 2**31 - 1 fits the C long the limit is stored in on every platform.
CSV_FIELD_LIMIT = 2**31 - 1


def allow_long_csv_fields() -> None:
    """Let the csv module read fields of any length (a long review is still one example)."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)


def encoding_problem(path: Path, byte: int) -> str:
    """Why a file that is not UTF-8 cannot be read (``byte``: where decoding failed), naming
    the encoding when its first bytes say it (a UTF-16 or UTF-32 byte-order mark)."""
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
    except OSError:
        start = b""
    if start.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "the file is UTF-32 text, not UTF-8"
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is UTF-16 text, not UTF-8"
    return (f"not UTF-8 text (byte {byte}); is it a spreadsheet, or text in another encoding "
            "such as Latin-1?")


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")


def refuse_spreadsheet(path: Path, where: str) -> None:
    """A DataError for a spreadsheet (``.xlsx``, ``.ods``...) saying how to turn it into a file
    tunekit reads; nothing for any other file. (Reading Excel would take openpyxl and its
    quirks, merged cells and sheets; "save as CSV" is one step every spreadsheet has.)"""
    suffix = Path(path).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        raise DataError(
            f"{Path(path).name} is a spreadsheet ({suffix}); tunekit reads CSV, JSON lines "
            "and parquet files", where=where,
            hint="open it and save it as CSV UTF-8 (Excel: File > Save As > CSV UTF-8; "
                 "LibreOffice: Save As > Text CSV), or in Python "
                 "pd.read_excel(path).to_csv('data.csv', index=False); then name that file")


def read_problem(exc: OSError) -> str:
    """An OSError met while reading a file, in words (permission denied, ...)."""
    return f"cannot read the file: {(exc.strerror or type(exc).__name__).lower()}"


def detect_column(columns: list[str], common: tuple[str, ...],
                  exclude: str | None = None) -> str | None:
    """The first column (case-insensitively) with one of the ``common`` names; else the first
    nested field (``flatten_records``) whose last part has one ("meta.label", "review.body")."""
    lowered = {c.lower().strip(): c for c in columns if c != exclude}
    found = next((lowered[name] for name in common if name in lowered), None)
    if found is not None:
        return found
    last: dict[str, str] = {}
    for column in columns:
        if "." in column and column != exclude:
            last.setdefault(column.rsplit(".", 1)[1].lower().strip(), column)
    return next((last[name] for name in common if name in last), None)


def flatten_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON records as a table: a nested object's fields become dotted columns
    (``{"meta": {"label": "pos"}}`` -> ``{"meta.label": "pos"}``, as the ``datasets``
    library's ``flatten()`` names them), and a field that holds a list of at most one plain
    value in every record (``"labels": ["pos"]``) holds that value. Longer lists (tokens,
    tags, several labels) stay lists; flat records come back as they are."""
    flat = [_spread(record) for record in records]
    singles = {key for record in flat for key, value in record.items()
               if isinstance(value, list)}
    for record in flat:
        for key in list(singles):
            value = record.get(key)
            if value is not None and not (isinstance(value, list) and len(value) <= 1 and
                                          not any(isinstance(v, list | dict) for v in value)):
                singles.discard(key)
    if not singles:
        return flat
    for record in flat:
        for key in singles:
            if isinstance(record.get(key), list):
                record[key] = record[key][0] if record[key] else None
    return flat


def _spread(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    if not prefix and not any(isinstance(v, dict) for v in record.values()):
        return dict(record)
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_spread(value, f"{name}."))
        else:
            out.setdefault(name, value)
    return out


def guess_columns(columns: list[str], rows: list[Example]) -> tuple[str | None,
                                                                        str | None, bool]:
    """``(text column, label column, guessed from the values)`` for a table.

    Common names come first (text, review, message... / label, category, sentiment...); with
    two columns, naming one names the other; otherwise the values decide: the label column is
    the one with the fewest distinct values (a handful, repeated), the text column the
    wordiest varied column that is not numbers (an id is never the text). Either is None when
    nothing fits.
    """
    label = detect_column(columns, LABEL_COLUMN_NAMES)
    text = detect_column(columns, TEXT_COLUMN_NAMES, exclude=label)
    if len(columns) == 2 and (text is None) != (label is None):
        other = next(c for c in columns if c not in (text, label))
        return (text or other, label or other, False)
    if text and label:
        return text, label, False
    if len(rows) < 10:  # too few rows for the values to say anything
        return text, label, False
    values = {c: [str(r.get(c, "") or "") for r in rows] for c in columns}
    n = max(1, len(rows))

    def distinct(c: str) -> int:
        return len(set(values[c]))

    def length(c: str) -> float:
        return sum(len(v) for v in values[c]) / n

    def words(c: str) -> float:
        return sum(len(v.split()) for v in values[c]) / n

    if label is None:
        categorical = [c for c in columns if c != text and 2 <= distinct(c) <= max(2, n // 2)
                       and distinct(c) <= 100]
        label = min(categorical, key=lambda c: (distinct(c), length(c))) if categorical else None
    if text is None:
        # free text: not a number (an id, a score), and varied; real exports repeat texts, so
        # varied means more than a quarter distinct, and the wordiest such column wins
        free = [c for c in columns if c != label and not _numeric(values[c])
                and distinct(c) > max(1, n // 4)]
        text = max(free, key=lambda c: (words(c), length(c))) if free else None
    return text, label, True


def _numeric(values: list[str]) -> bool:
    """Every value given is a number (an id, a count, a score): never the text column."""
    given = [v for v in values if v.strip()]
    try:
        return bool(given) and all(float(v) == float(v) for v in given)  # NaN is no number
    except ValueError:
        return False


_APOSTROPHES = re.compile(r"['\u2019`]")
_NOT_WORD = re.compile(r"[\W_]+")


def same_text_key(text: str) -> str:
    """The text as a reader would compare it: case, spacing and punctuation aside (digits
    kept: "3 stars" and "5 stars" differ). The data check and the splits compare with it."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", _APOSTROPHES.sub("", text)).split())


@functools.lru_cache(maxsize=65536)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _content_of(value: Any) -> str:
    if isinstance(value, list):  # chat messages: what the user said decides the example
        return " ".join(str(m.get("content", "")) for m in value
                        if isinstance(m, dict) and m.get("role") != "assistant")
    return "" if value is None else str(value)


def example_key(row: Example) -> str | None:
    """What makes two examples "the same" for the splits: the normalised text
    (``same_text_key``) of a text, of a sentence's tokens, of an instruction and its input or
    of the user's side of a chat; the file's sha256 for an image. None when the row has none
    of these (then it is compared with nothing)."""
    if "image" in row:
        path = str(row["image"])
        try:
            stat = os.stat(path)
            return "image:" + _file_digest(path, stat.st_size, stat.st_mtime_ns)
        except OSError:
            return "image-path:" + path
    if "tokens" in row and isinstance(row["tokens"], list):
        return "text:" + same_text_key(" ".join(str(t) for t in row["tokens"]))
    if "instruction" in row:
        return "text:" + same_text_key(f"{_content_of(row['instruction'])} "
                                       f"{_content_of(row.get('input'))}")
    if "messages" in row:
        return "text:" + same_text_key(_content_of(row["messages"]))
    if "text" in row:
        return "text:" + same_text_key(_content_of(row["text"]))
    return None


Key = Callable[[Example], "str | None"]


def _groups(rows: list[Example], key: Key | None) -> list[list[Example]]:
    """The rows in groups of copies (one group per key, in the order first seen); a row
    without a key is a group of its own."""
    if key is None:
        return [[row] for row in rows]
    groups: dict[Any, list[Example]] = {}
    for i, row in enumerate(rows):
        k = key(row)
        groups.setdefault(("row", i) if k is None else k, []).append(row)
    return list(groups.values())


def _hold(groups: list[list[Example]], n_held: int,
          ) -> tuple[list[Example], list[Example]]:
    """(kept, held): whole groups, in order, go to the held side while they fit in
    ``n_held``; with single rows that is exactly the first ``n_held``."""
    kept: list[Example] = []
    held: list[Example] = []
    for group in groups:
        (held if len(held) + len(group) <= n_held else kept).extend(group)
    if not held and n_held and len(groups) > 1:  # every group was too big: hold the smallest
        smallest = min(groups, key=len)
        held = list(smallest)
        kept = [r for g in groups if g is not smallest for r in g]
    return kept, held


def split_stratified(rows: list[Example], fraction: float, seed: int,
                     label_key: str = "label", key: Key | None = example_key,
                     ) -> tuple[list[Example], list[Example]]:
    """Split rows into (kept, held out), holding out about ``fraction`` of every label.

    Each label keeps at least one example on the kept side; labels with two or more examples
    give at least one to the held-out side. Copies (rows with the same ``key``, by default
    ``example_key``: the same normalised text, the same image file) all go to one side, so
    the held-out split never shares an example with the kept one; a group of copies counts
    under the label of its first row. ``key=None`` splits row by row. Without copies the
    split is the same as row by row.
    """
    by_label: dict[Any, list[list[Example]]] = {}
    for group in _groups(rows, key):
        by_label.setdefault(group[0][label_key], []).append(group)
    rng = random.Random(seed)
    kept, held = [], []
    for label in sorted(by_label, key=str):
        groups = list(by_label[label])
        rng.shuffle(groups)
        size = sum(len(g) for g in groups)
        n_held = round(size * fraction)
        n_held = min(max(n_held, 1 if size >= 2 else 0), size - 1)
        k, h = _hold(groups, n_held)
        held.extend(h)
        kept.extend(k)
    rng.shuffle(kept)
    rng.shuffle(held)
    return kept, held


def split_random(rows: list[Example], fraction: float, seed: int,
                 key: Key | None = example_key, keep_order: bool = False,
                 ) -> tuple[list[Example], list[Example]]:
    """Split rows into (kept, held out) at random, holding out about ``fraction`` (at least
    one, never all): for examples without a class to stratify by (numbers, tagged sentences,
    instructions). Copies stay on one side as in ``split_stratified``; ``keep_order`` keeps
    both sides in the rows' order instead of the shuffled one."""
    groups = _groups(rows, key)
    rng = random.Random(seed)
    if keep_order:
        order = list(range(len(groups)))
        rng.shuffle(order)
        shuffled = [groups[i] for i in order]
    else:
        shuffled = list(groups)
        rng.shuffle(shuffled)
    n = len(rows)
    n_held = min(max(round(n * fraction), 1), n - 1) if n > 1 else 0
    kept, held = _hold(shuffled, n_held)
    if keep_order:
        where = {id(r): i for i, r in enumerate(rows)}
        kept.sort(key=lambda r: where[id(r)])
        held.sort(key=lambda r: where[id(r)])
    return kept, held


def deduplicate(rows: list[Example], key: Key = example_key,
                label_key: str | None = "label") -> tuple[list[Example], int]:
    """``(rows, copies removed)``: the first of each group of copies (same ``key`` and the
    same label) is kept, in the rows' order. Copies with different labels are all kept: which
    label is right is the user's call, and the data check reports them as conflicts."""
    seen: set[Any] = set()
    kept = []
    for row in rows:
        k = key(row)
        mark = (k, str(row.get(label_key)) if label_key else None)
        if k is not None and mark in seen:
            continue
        seen.add(mark)
        kept.append(row)
    return kept, len(rows) - len(kept)


def carve(rows: list[Example], *, source: str, seed: int, validation_split: float,
          test_split: float = 0.0, validation: list[Example] | None = None,
          test: list[Example] | None = None, stratify: bool = True,
          dedupe: bool = False, noun: str = "examples", notes: list[str] | None = None,
          key: Key = example_key) -> DataSplits:
    """The splits of one source: ``validation`` / ``test`` as the user gave them, else held
    out of ``rows`` (the test split first, with ``seed + 1``; stratified by label, or at
    random) so that no example is on two sides; ``dedupe`` keeps one of each group of copies
    first. Carved splits are listed in ``DataSplits.held_out``; each step is noted."""
    notes = [] if notes is None else notes
    if dedupe:
        rows, removed = deduplicate(rows, key, "label" if stratify else None)
        if removed:
            notes.append(f"removed {removed} {noun} that were copies of another "
                         "(dataset.deduplicate)")
    how = "stratified" if stratify else "at random"

    def split(part: list[Example], fraction: float, seed: int):
        if stratify:
            return split_stratified(part, fraction, seed, key=key)
        return split_random(part, fraction, seed, key=key)

    held_out: list[str] = []
    if test is None and test_split:
        rows, test = split(rows, test_split, seed + 1)
        held_out.append("test")
        notes.append(f"held out {len(test)} {noun} as a test set ({how})")
    if validation is None:
        rows, validation = split(rows, validation_split, seed)
        held_out.append("validation")
        notes.append(f"held out {len(validation)} {noun} for validation ({how}; copies of one "
                     "example kept on one side)")
    return DataSplits(train=rows, validation=validation, test=test, source=source, notes=notes,
                      held_out=tuple(held_out))


def class_counts(rows: list[Example], label_key: str = "label") -> dict[str, int]:
    return dict(sorted(Counter(str(r[label_key]) for r in rows).items()))


def require_rows(splits: DataSplits, source: str) -> None:
    """A DataError unless there is something to train on and to validate with."""
    if not splits.train:
        raise DataError("no training examples", where=source,
                        hint="check the file has rows below its header")
    if not splits.validation:
        raise DataError("no validation examples", where=source,
                        hint="add rows, or a validation split")


def check_classification_splits(splits: DataSplits, source: str) -> list[str]:
    """The label list (sorted) after checking the splits can train a classifier."""
    require_rows(splits, source)
    labels = sorted({str(r["label"]) for r in splits.train})
    if len(labels) < 2:
        raise DataError(
            f"only one class in the training data ({labels[0]!r}); a classifier needs at least two",
            where=source, hint="check the label column, or add examples of the other classes")
    for name, rows in (("validation", splits.validation), ("test", splits.test or [])):
        unseen = sorted({str(r["label"]) for r in rows} - set(labels))
        if unseen:
            raise DataError(
                f"the {name} split has labels never seen in training: {', '.join(unseen[:5])}",
                where=source, hint="add training examples of those labels or drop those rows")
    return labels


def fingerprint(splits: DataSplits) -> str:
    """A sha256 over every split's examples: the same data gives the same fingerprint."""
    digest = hashlib.sha256()
    for name in ("train", "validation", "test"):
        rows = getattr(splits, name) or []
        digest.update(name.encode())
        for row in rows:
            digest.update(json.dumps(row, sort_keys=True, default=str).encode())
    return digest.hexdigest()
