"""How the built-in datasets say what they read (``Dataset.reads``): a quick look at a file or
folder a person named, scored 0 (not this format) to 1 (surely this one).

Each look reads at most a few kilobytes and imports nothing heavy: the assistant calls every
dataset's look on every file a message names, and chat stays fast.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

HEAD_BYTES = 16_384
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
TABLE_SUFFIXES = {".csv": 0.9, ".tsv": 0.9, ".txt": 0.4}
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
CONLL_SUFFIXES = (".conll", ".conllu", ".iob", ".bio", ".iob2", ".bioes")
# records meant for a language model: not a table of texts and labels...
INSTRUCTION_FIELDS = ({"instruction", "response"}, {"prompt", "completion"},
                      {"instruction", "output"}, {"messages"}, {"conversations"})
# ...and those text-jsonl reads as they are (tunekit.tasks.causal_lm.form_of)
READ_AS_IS = ({"instruction", "response"}, {"messages"})
PLAIN_TEXT_SUFFIXES = (".txt", ".text", ".md")


def _head_lines(path: Path, count: int = 40) -> list[str]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(HEAD_BYTES)
    except OSError:
        return []
    text = raw.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    return lines[:-1][:count] if len(raw) == HEAD_BYTES else lines[:count]


def _first_records(path: Path) -> list[dict[str, Any]]:
    records = []
    for line in _head_lines(path, 10):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            return []
        if not isinstance(obj, dict):
            return []
        records.append(obj)
    return records


def _is_conll(lines: list[str]) -> bool:
    """One token per line with its tag last (``O``, ``B-X``, ``I-X``), blank lines between."""
    rows = [line.split() for line in lines if line.strip() and not line.startswith("-DOCSTART-")]
    if len(rows) < 2:
        return False
    tags = [row[-1] for row in rows if len(row) >= 2]
    tagged = sum(t == "O" or t[:2] in ("B-", "I-", "E-", "S-") for t in tags)
    return len(tags) == len(rows) and tagged >= 0.8 * len(rows)


def table_file(path: Path) -> float:
    """A CSV/TSV file with a header (``csv``); not a CoNLL column file saved as .txt/.tsv."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES or not path.is_file():
        return 0.0
    lines = _head_lines(path)
    if _is_conll(lines):
        return 0.1
    if suffix == ".txt" and _is_prose(lines):
        return 0.05  # running text, not a table with a header
    return TABLE_SUFFIXES[suffix]


def parquet_file(path: Path) -> float:
    """A parquet file (``parquet``): its suffix and the magic bytes it starts with."""
    if path.suffix.lower() not in (".parquet", ".pq") or not path.is_file():
        return 0.0
    try:
        with path.open("rb") as handle:
            return 0.95 if handle.read(4) == b"PAR1" else 0.1
    except OSError:
        return 0.0


def record_file(path: Path) -> float:
    """JSON lines of flat records, a text and a label (``jsonl``)."""
    if path.suffix.lower() not in JSON_SUFFIXES or not path.is_file():
        return 0.0
    records = _first_records(path)
    if not records:
        return 0.3
    flat = all(not isinstance(v, (list, dict)) for r in records for v in r.values())
    instructions = any(fields <= set(r) for r in records for fields in INSTRUCTION_FIELDS)
    only_text = all(set(r) == {"text"} for r in records)
    return 0.9 if flat and not instructions and not only_text else 0.2


def instruction_file(path: Path) -> float:
    """JSON lines of instructions, chats or plain texts, or a plain text file (``text-jsonl``).
    Records meant for a language model in a form it does not read (alpaca's "output",
    ShareGPT's "conversations", prompt/completion) score low: meant for it, not read as is."""
    if path.suffix.lower() in PLAIN_TEXT_SUFFIXES and path.is_file():
        return 0.8 if _is_prose(_head_lines(path)) else 0.0
    if path.suffix.lower() not in JSON_SUFFIXES or not path.is_file():
        return 0.0
    records = _first_records(path)
    if not records:
        return 0.1
    if all(any(f <= set(r) for f in READ_AS_IS) or set(r) == {"text"} for r in records):
        return 0.95
    if all(any(f <= set(r) for f in INSTRUCTION_FIELDS) for r in records):
        return 0.3
    return 0.1


def _is_prose(lines: list[str]) -> bool:
    """Plain running text: no table (the first line's delimiter in every line) and no CoNLL."""
    filled = [line for line in lines if line.strip()]
    if not filled or _is_conll(lines):
        return False
    for delimiter in (",", "\t", ";", "|"):
        counts = {line.count(delimiter) for line in filled}
        if len(filled) > 1 and len(counts) == 1 and counts != {0}:
            return False
    return True


def tagged_records(path: Path) -> float:
    """JSON lines whose records hold two lists of the same length, tokens and tags
    (``tagged-jsonl``)."""
    if path.suffix.lower() not in JSON_SUFFIXES or not path.is_file():
        return 0.0
    records = _first_records(path)
    if not records:
        return 0.1
    for record in records:
        lists = [v for v in record.values() if isinstance(v, list)
                 and all(isinstance(x, str) for x in v)]
        if len(lists) < 2 or len({len(v) for v in lists}) == len(lists):
            return 0.1
    return 0.95


def conll_file(path: Path) -> float:
    """A CoNLL-style column file (``conll``), by its suffix or by its lines."""
    if not path.is_file():
        return 0.0
    if path.suffix.lower() in CONLL_SUFFIXES:
        return 0.95
    return 0.9 if _is_conll(_head_lines(path)) else 0.0


def image_folder(path: Path) -> float:
    """A folder with one sub-folder of images per class, or a .zip of one (``image-folder``)."""
    if path.is_file() and path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()[:200]
        except (OSError, zipfile.BadZipFile):
            return 0.0
        return 0.95 if any(Path(n).suffix.lower() in IMAGE_SUFFIXES for n in names) else 0.2
    if not path.is_dir():
        return 0.0
    try:
        folders = [p for p in path.iterdir() if p.is_dir()][:50]
        images = sum(1 for folder in folders for i, f in zip(range(20), folder.iterdir(),
                                                                strict=False)
                     if f.suffix.lower() in IMAGE_SUFFIXES)
    except OSError:
        return 0.0
    if images:
        return 0.95
    # class folders not yet filled are still most likely meant as images
    if folders:
        return 0.5
    # images loose at the top, in no class folder (a labels table beside them, perhaps):
    # meant as images, but not a layout image-folder reads; a folder with no images and no
    # folders in it (even an empty one named like a file) is nobody's data
    try:
        loose = any(f.suffix.lower() in IMAGE_SUFFIXES for _, f in zip(range(200), path.iterdir(),
                                                                        strict=False))
    except OSError:
        return 0.0
    return 0.2 if loose else 0.0
