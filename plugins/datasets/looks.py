"""How the built-in datasets say what they read (``Dataset.reads``): a quick look at a file or
folder a person named, scored 0 (not this format) to 1 (surely this one).

Each look reads at most a few kilobytes and imports nothing heavy: the assistant calls every
dataset's look on every file a message names, and chat stays fast.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from tunekit.data import flatten_records

from . import lm_records

HEAD_BYTES = 16_384
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
TABLE_SUFFIXES = {".csv": 0.9, ".tsv": 0.9, ".txt": 0.4}
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
CONLL_SUFFIXES = (".conll", ".conllu", ".iob", ".bio", ".iob2", ".bioes")
# records meant for a language model, not a table of texts and labels, though text-jsonl may
# not read them (preference pairs: a prompt and a chosen and a rejected answer)
INSTRUCTION_FIELDS = ({"prompt", "chosen"}, {"prompt", "rejected"}, {"chosen", "rejected"})
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
    """The first records of a JSON-lines file, or of a file holding one JSON array of
    objects (an alpaca export, ``df.to_json(orient="records")``); [] when it is neither."""
    lines = _head_lines(path, 10)
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("["):
        return _array_records(path)
    records = []
    for line in lines:
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


def _array_records(path: Path, count: int = 10) -> list[dict[str, Any]]:
    """The first objects of a JSON array, decoded one by one from the file's head (the
    array may be far longer than the look reads)."""
    text = "\n".join(_head_lines(path, 10_000))
    decoder = json.JSONDecoder()
    at = text.index("[") + 1
    records: list[dict[str, Any]] = []
    while len(records) < count:
        at = len(text) - len(text[at:].lstrip(" \t\r\n,"))
        if at >= len(text) or text[at] == "]":
            break
        try:
            obj, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError:
            break  # the head ends inside an object: the ones before it are enough
        if not isinstance(obj, dict):
            return []
        records.append(obj)
    return records


def _is_conll(lines: list[str]) -> bool:
    """One token per line with its tag last (``O``, ``B-X``, ``I-X``), blank lines between;
    or plain tags (parts of speech) in sentences of such lines (``_is_column_file``)."""
    rows = [line.split() for line in lines if line.strip() and not line.startswith("-DOCSTART-")]
    if len(rows) < 2:
        return False
    tags = [row[-1] for row in rows if len(row) >= 2]
    tagged = sum(t == "O" or t[:2] in ("B-", "I-", "E-", "S-") for t in tags)
    return (len(tags) == len(rows) and tagged >= 0.8 * len(rows)) or _is_column_file(lines)


def _is_column_file(lines: list[str]) -> bool:
    """Sentences of "word tag" lines with plain tags (``NOUN``, ``VBD``): blank lines between
    sentences (a table has none), the same few columns on every line, and far fewer distinct
    tags than words. A CSV of texts has spaces inside its cells; a file of words has none."""
    blocks = [block for block in "\n".join(lines).split("\n\n") if block.strip()]
    rows = [line.split() for line in lines if line.strip() and not line.startswith("-DOCSTART-")]
    if len(blocks) < 2 or len(rows) < 4 or len(rows) < 2 * len(blocks):
        return False
    widths = {len(row) for row in rows}
    if len(widths) != 1 or not 2 <= min(widths) <= 12:
        return False
    tags = {row[-1] for row in rows}
    words = {row[0] for row in rows}
    return len(tags) <= max(2, len(rows) // 3) and len(words) > len(tags) and \
        all(len(tag) <= 16 for tag in tags)


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
    """JSON lines of records with a text and a label (``jsonl``): flat, or nested objects and
    lists of one label that read as flat (``flatten_records``: "meta.label")."""
    if path.suffix.lower() not in JSON_SUFFIXES or not path.is_file():
        return 0.0
    records = _first_records(path)
    if not records:
        return 0.3
    flat = all(not isinstance(v, (list, dict)) for r in flatten_records(records)
               for v in r.values())
    instructions = not lm_records.labelled(records) and any(
        lm_records.form(r) in ("instruction", "chat")
        or any(f <= set(r) for f in INSTRUCTION_FIELDS) for r in records)
    only_text = all(set(r) == {"text"} for r in records)
    return 0.9 if flat and not instructions and not only_text else 0.2


def instruction_file(path: Path) -> float:
    """JSON lines (or one JSON array) of instructions, chats or plain texts in any of the
    shapes ``lm_records`` reads (alpaca, ShareGPT, prompt/completion...), or a plain text file
    (``text-jsonl``). Records meant for a language model in a form it does not read
    (preference pairs) score low: meant for it, not read as is."""
    if path.suffix.lower() in PLAIN_TEXT_SUFFIXES and path.is_file():
        lines = _head_lines(path)
        # any text file can be read as texts: a table-like one only when the task says so
        return 0.8 if _is_prose(lines) else 0.0 if _is_conll(lines) else 0.2
    if path.suffix.lower() not in JSON_SUFFIXES or not path.is_file():
        return 0.0
    records = _first_records(path)
    if not records:
        return 0.1
    forms = [lm_records.form(r) for r in records]
    if lm_records.labelled(records):
        return 0.3  # {input, output: "positive"}: texts and their labels, most likely
    if all(f in ("instruction", "chat") or set(r) == {"text"}
           for f, r in zip(forms, records, strict=True)):
        return 0.95
    if all(f or any(i <= set(r) for i in INSTRUCTION_FIELDS)
           for f, r in zip(forms, records, strict=True)):
        return 0.3
    return 0.1


def instruction_shape(path: Path) -> str:
    """How ``text-jsonl`` reads a file in another tool's shape (alpaca, ShareGPT...), in
    words; "" for its own forms or a file it does not read."""
    if path.suffix.lower() not in JSON_SUFFIXES or not path.is_file():
        return ""
    records = _first_records(path)
    return lm_records.explain(records[0]) if records else ""


def _is_prose(lines: list[str]) -> bool:
    """Plain running text: no table (the first line's delimiter in every line, under a header
    of names) and no CoNLL."""
    filled = [line for line in lines if line.strip()]
    if not filled or _is_conll(lines):
        return False
    if len(filled) > 1 and len(lines) - len(filled) >= len(filled) - 1:
        return True  # a blank line after every line: paragraphs, never the rows of a table
    for delimiter in (",", "\t", ";", "|"):
        counts = {line.count(delimiter) for line in filled}
        if len(filled) > 1 and len(counts) == 1 and counts != {0} and \
                _is_header(filled[0].split(delimiter)):
            return False
    return True


def _is_header(cells: list[str]) -> bool:
    """A table's first line names its columns: short names, not sentences ("Recipe 1. Boil
    the pasta" is a line of text that happens to hold a comma)."""
    return all(len(cell.split()) <= 5 and not re.search(r"\w[.!?]\s+\w", cell)
               for cell in cells)


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
