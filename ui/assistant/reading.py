"""The working state of reading one message.

A message is read by several small readers (files, models, columns, strategy, numbers...).
Each one *consumes* what it understood: the span is blanked so that a later reader does not
read it again ("data/sentiment.csv" is a path, not the bundled sentiment dataset; "32 samples
per batch" is a batch size, not the sample data). Readers of names, paths and column names work
on the message as written (case matters there); the others on the normalised text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .fuzzy import catalog_words, correct
from .language import blank, distribute_negation, normalise, strip_interjections


@dataclass
class Understanding:
    """What one message asks for."""

    changes: dict[str, Any] = field(default_factory=dict)  # dotted path -> value
    noticed: list[str] = field(default_factory=list)  # short notes for the reply
    unknown: list[str] = field(default_factory=list)  # things named that are not installed
    # of ``unknown``: the requests no reader took (leftover_words.py), and whether a connector
    # added each ("..., then link every entity to wikipedia": True)
    leftovers: list[tuple[str, bool]] = field(default_factory=list)
    negated: list[str] = field(default_factory=list)  # components the message turns down
    # the person's own data, spoken of but not named ("my sentences"): asked for
    wants_data: str = ""
    acknowledged: list[str] = field(default_factory=list)  # understood, already so
    # what the next turn may refer to ("halve the batch size" ... "and the learning rate too")
    carried: dict[str, Any] = field(default_factory=dict)

    # the note each path was last set with: a path set again (the task read from the data,
    # then from the words) is said once, in its latest words
    notes: dict[str, str] = field(default_factory=dict)

    def set(self, path: str, value: Any, note: str | None = None) -> None:
        self.changes[path] = value
        old = self.notes.pop(path, None)
        if old in self.noticed and note:
            self.noticed[self.noticed.index(old)] = note
        elif note:
            self.noticed.append(note)
        if note:
            self.notes[path] = note

    def keep(self, note: str) -> None:
        """Something understood that needs no change ("with early stopping": it is on)."""
        self.acknowledged.append(note)

    def __bool__(self) -> bool:
        return bool(self.changes or self.acknowledged or self.wants_data)


@dataclass
class Reading:
    """One message being read: as written, normalised, and what has been consumed."""

    message: str
    catalog: Catalog
    draft: dict[str, Any]
    base_dir: Path
    result: Understanding = field(default_factory=Understanding)
    text: str = ""
    carried: dict[str, Any] = field(default_factory=dict)  # left by the previous turn
    written: str = ""  # the message as written, nothing consumed
    # spans of the normalised text a known limit already said "not taken" of (scope_words,
    # limit_words): the leftover reader (leftover_words.py) leaves them to that saying
    declined: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.written = self.written or self.message

    def here(self, path: str | Path) -> Path:
        """``path`` as the person wrote it, from the folder they work in (``~`` expanded)."""
        file = Path(path).expanduser()
        return file if file.is_absolute() else self.base_dir / file

    def consume_written(self, start: int, end: int) -> None:
        """Blank a span of the message as written (a path, a model id, a column name)."""
        self.message = blank(self.message, start, end)

    def normalise(self) -> None:
        """Move on to the normalised text, once the as-written readers are done."""
        words = getattr(self.catalog, "words", None)
        if words is None:  # the catalog's words, gathered once per catalog
            words = self.catalog.words = catalog_words(self.catalog.components)
        self.text = correct(distribute_negation(strip_interjections(normalise(self.message))),
                            words)

    def decline(self, pattern: re.Pattern) -> None:
        """Mark what ``pattern`` matches in the text as said by a known limit."""
        self.declined += [m.span() for m in pattern.finditer(self.text)]

    def consume(self, start: int, end: int) -> None:
        """Blank a span of the normalised text."""
        self.text = blank(self.text, start, end)

    def find(self, pattern: str) -> re.Match | None:
        """The last match of ``pattern`` in the text (a later word corrects an earlier one)."""
        matches = list(re.finditer(pattern, self.text))
        return matches[-1] if matches else None

    # ---- the spec as it will be after this message

    def slot(self, name: str) -> dict[str, Any]:
        """The slot (dataset, backbone, strategy) as this message leaves it so far."""
        value = self.result.changes.get(name, self.draft.get(name))
        if isinstance(value, str):
            value = {"name": value}
        value = dict(value or {})
        for path, change in self.result.changes.items():
            if path.startswith(name + "."):
                value[path.split(".", 1)[1]] = change
        return value

    def component(self, kind: str, slot: str) -> Any | None:
        name = self.slot(slot).get("name")
        return self.catalog.get(kind, name) if name else None

    def training(self, key: str) -> Any:
        if f"training.{key}" in self.result.changes:
            return self.result.changes[f"training.{key}"]
        return (self.draft.get("training") or {}).get(key)
