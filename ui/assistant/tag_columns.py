"""Which kind of tag each column of a CoNLL-style file holds, told by the tags' look.

A column file may carry several tags per word (word, part of speech, chunk, entity), and a
person names the one they want by its kind ("the POS tags") and often by a number counted
from 1 ("column 2") where the dataset's ``tag_column`` counts from 0 (0 is the word). The
file settles both: chunk tags are phrase types with B-/I- prefixes (B-NP, I-VP), entity tags
are prefixed too with other types (B-PER, I-LOC), part-of-speech tags are short capitals with
no prefix (NN, VBD, DT, NOUN, and punctuation).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# the phrase types of chunking (CoNLL-2000); any other prefixed type is an entity's
CHUNKS = frozenset("NP VP PP ADJP ADVP SBAR PRT CONJP INTJ LST UCP".split())
PREFIXED = re.compile(r"^[BIESL]-(\w+)$")
POS_TAG = re.compile(r"^(?:[A-Z]{1,5}[$]?|[^\w\s]{1,3}|-[A-Z]{3}-)$")
# the words that name each kind, in a message
KIND_WORDS = {"pos": r"u?pos|xpos|part[- ]of[- ]speech",
              "chunk": r"chunk\w*|chunking",
              "ner": r"ner|(?:named[- ])?entit(?:y|ies)"}
KIND_TITLES = {"pos": "part-of-speech", "chunk": "chunk", "ner": "entity"}
LINES = 400


def column_kinds(path: Path) -> tuple[str | None, ...]:
    """The kind of tag in each column of the file (None for the word's column and for a
    column that looks like none of them); empty when it cannot be read or is CoNLL-U
    (its columns are counted from the word's number: the dataset reads them its own way)."""
    try:
        stat = path.stat()
    except OSError:
        return ()
    if path.suffix.lower() == ".conllu" or not path.is_file():
        return ()
    return _kinds(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=32)
def _kinds(path: str, size: int, mtime: int) -> tuple[str | None, ...]:
    columns: list[list[str]] = []
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle):
                if number >= LINES:
                    break
                fields = line.split()
                if not fields or fields[0] == "-DOCSTART-":
                    continue
                if columns and len(fields) != len(columns):
                    return ()  # not one layout: nothing said of it
                columns = columns or [[] for _ in fields]
                for values, value in zip(columns, fields, strict=True):
                    values.append(value)
    except (OSError, UnicodeDecodeError):
        return ()
    return tuple(None if i == 0 else _kind(values) for i, values in enumerate(columns))


def _kind(values: list[str]) -> str | None:
    prefixed = [m.group(1) for v in values if (m := PREFIXED.match(v))]
    outside = sum(v == "O" for v in values)
    if prefixed and len(prefixed) + outside >= 0.9 * len(values):
        return "chunk" if set(prefixed) <= CHUNKS else "ner"
    if sum(bool(POS_TAG.match(v)) for v in values) >= 0.9 * len(values) and \
            len(set(values)) > 2:
        return "pos"
    return None


def kind_named(text: str) -> str | None:
    """The one kind of tag ``text`` names ("tag the POS", "NER on it"), or None."""
    named = [kind for kind, words in KIND_WORDS.items() if re.search(rf"\b(?:{words})\b", text)]
    return named[0] if len(named) == 1 else None
