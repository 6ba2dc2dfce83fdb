"""Helpers for datasets: stratified splits, label checks, and a fingerprint of the data."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from .components import DataSplits
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


def read_problem(exc: OSError) -> str:
    """An OSError met while reading a file, in words (permission denied, ...)."""
    return f"cannot read the file: {(exc.strerror or type(exc).__name__).lower()}"


def detect_column(columns: list[str], common: tuple[str, ...],
                  exclude: str | None = None) -> str | None:
    """The first column (case-insensitively) with one of the ``common`` names."""
    lowered = {c.lower().strip(): c for c in columns if c != exclude}
    return next((lowered[name] for name in common if name in lowered), None)


def guess_columns(columns: list[str], rows: list[dict[str, Any]]) -> tuple[str | None,
                                                                        str | None, bool]:
    """``(text column, label column, guessed from the values)`` for a table.

    Common names come first (text, review, message... / label, category, sentiment...); with
    two columns, naming one names the other; otherwise the values decide: the label column is
    the one with the fewest distinct values (a handful, repeated), the text column the one
    with the longest values. Either is None when nothing fits.
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

    if label is None:
        categorical = [c for c in columns if c != text and 2 <= distinct(c) <= max(2, n // 2)
                       and distinct(c) <= 100]
        label = min(categorical, key=lambda c: (distinct(c), length(c))) if categorical else None
    if text is None:
        free = [c for c in columns if c != label and distinct(c) > n // 2]
        text = max(free, key=length) if free else None
    return text, label, True


def split_stratified(rows: list[dict[str, Any]], fraction: float, seed: int,
                     label_key: str = "label") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split rows into (kept, held out), holding out about ``fraction`` of every label.

    Each label keeps at least one example on the kept side; labels with two or more examples
    give at least one to the held-out side.
    """
    by_label: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        by_label.setdefault(row[label_key], []).append(row)
    rng = random.Random(seed)
    kept, held = [], []
    for label in sorted(by_label, key=str):
        group = list(by_label[label])
        rng.shuffle(group)
        n_held = round(len(group) * fraction)
        n_held = min(max(n_held, 1 if len(group) >= 2 else 0), len(group) - 1)
        held.extend(group[:n_held])
        kept.extend(group[n_held:])
    rng.shuffle(kept)
    rng.shuffle(held)
    return kept, held


def class_counts(rows: list[dict[str, Any]], label_key: str = "label") -> dict[str, int]:
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
