"""Reading data: file paths (and what each is for), held-out splits, and column names.

"train on data/tickets.csv, validate on dev.csv", "'my data/chat logs.csv'", "hold out 20% for
validation", "predict intent from utterance", "the text column is message".
"""

from __future__ import annotations

import json
import re
from difflib import get_close_matches
from itertools import islice, permutations
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tunekit.data import LABEL_COLUMN_NAMES, TEXT_COLUMN_NAMES
from tunekit.spec import Training

from .catalog import clauses
from .datafile import Preview, column_values, peek, refusal
from .fuzzy import close
from .label_words import named_for_classes
from .language import NUMBER, negated_after, negated_before
from .reading import Reading
from .tag_columns import KIND_TITLES, KIND_WORDS, column_kinds, kind_named
from .task_words import NUMERIC_TARGETS

DATA_SUFFIXES = ("csv", "tsv", "jsonl", "ndjson", "json", "txt", "conll", "conllu", "iob", "bio",
                 "zip", "parquet")
# a suffix with no plugin of its own name is read by the plugin of a kindred format
KINDRED = {"tsv": "csv", "txt": "csv", "ndjson": "jsonl", "json": "jsonl"}
_SUFFIX = "|".join(DATA_SUFFIXES)
QUOTED = re.compile(r"""(?<![\w])(["'`])([^"'`\n]{1,200}?)\1(?![\w])""")
UNQUOTED_PATH = re.compile(
    rf"(?<![\w/.~\\-])((?:[a-z]:[\\/]|~[\\/]|\.{{1,2}}[\\/]|[\\/])?(?:[\w.~-]*[\w~-][\\/])*"
    rf"[\w.-]*\w\.(?:{_SUFFIX}))(?![\w])", re.IGNORECASE)


# ---------------------------------------------------------------- files


def read_data_files(reading: Reading) -> None:
    """Data files named in the message: the training file, and validation or test files."""
    _plain_paths(reading)
    found = _paths(reading)
    _say_missing(reading, found)
    found = [f for f in found if not _missing_with_close(reading, f[2])]
    if not found:
        return
    roles = _roles(reading.message, found)
    current = reading.draft.get("dataset") or {}
    if "path" not in roles and not (isinstance(current, dict) and current.get("path")):
        roles[0] = "path"  # no training file yet: "hold out 20% for validation on t.csv"
    folders = [p for _, _, p in found if reading.here(p).is_dir()]
    parts = [_part_of(reading, path, folders) for _, _, path in found]
    for start, end, _ in found:
        reading.consume_written(start, end)
    training = [f for f, role, part in zip(found, roles, parts, strict=True)
                if role == "path" and not part]
    chosen = None
    for item in _in_preference(reading.message, training):
        if chosen is None and "dataset" not in reading.result.changes:
            use_file(reading, item[2])  # one no dataset reads says so: the next is tried
            chosen = item[2] if "dataset" in reading.result.changes else None
        elif chosen is not None and Path(item[2]) != Path(chosen):
            reading.result.unknown.append(_also_named(reading.message, item[2], chosen,
                                                      training))
    for (_, _, path), role, part in zip(found, roles, parts, strict=True):
        if not part and role != "path":
            reading.result.set(f"dataset.{role}", path, f"{role.replace('_', ' ')}: {path}")
            _move_from_other_role(reading, role, path)


HELD_OUT_ROLES = ("validation_path", "test_path")


def _move_from_other_role(reading: Reading, role: str, path: str) -> None:
    """A file the run already holds out for the other role, given this one in a later turn
    ("keep flowers/test for the final test, not for validation"), moves: one held-out file is
    not both the validation and the test data unless the person says both in one turn."""
    dataset = reading.draft.get("dataset")
    for other in HELD_OUT_ROLES:
        if other == role or f"dataset.{other}" in reading.result.changes or \
                not isinstance(dataset, dict) or dataset.get(other) != path:
            continue
        now = ("kept for the test only; validation is held out of the training data again"
               if other == "validation_path" else "the validation data only; no test set")
        reading.result.set(f"dataset.{other}", None,
                           f"{other.replace('_', ' ')}: none ({path} is {now})")


def _marked(message: str, item: tuple[int, int, str]) -> bool:
    """A data path named as one: quoted, written as a path or a file, by a name no word is
    ("weld_images", "scans2"), or called a folder ("the leaves folder"); not a plain word that
    happens to be a folder here too ("the defects in ...")."""
    start, end, path = item
    return not re.fullmatch(r"[a-z]+", path, re.IGNORECASE) or \
        message[start:start + 1] in QUOTE_MARKS or \
        re.match(r"[\\/]|\s+(?:folder|directory|dir)\b", message[end:end + 12],
                 re.IGNORECASE) is not None or \
        re.search(r"(?:\b(?:folder|directory|dir|data(?:set)?\s+is|data:)\s+"
                  r"(?:is\s+|called\s+|named\s+)?|\b(?:train|fine-?tun|learn|fit)\w*\s+(?:it\s+)?(?:on|from|with)\s+"
                  r"(?:the\s+|my\s+|our\s+)?)$", message[:start], re.IGNORECASE) is not None


QUOTE_MARKS = "'\"`"


def _in_preference(message: str,
                   training: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The paths named for training, the likeliest data first: those named as paths before
    words that are folders too, each in the order said; a folder named twice ("birds ...
    ./birds") in the words it was first named by."""
    first: dict[Path, tuple[int, int, str]] = {}
    for item in training:
        first.setdefault(Path(item[2]), item)
    return [first[Path(f[2])] for f in sorted(training, key=lambda f: not _marked(message, f))]


def _also_named(message: str, path: str, chosen: str,
                training: list[tuple[int, int, str]]) -> str:
    """Why a path named for training is not the data: said, never dropped."""
    item = next(f for f in training if f[2] == path)
    taken = next(f for f in training if f[2] == chosen)
    if _marked(message, taken) and not _marked(message, item):
        return (f"{path}: a folder here too, read as a word; the data is {chosen} "
                f"(say \"train on {path}\" to use {path} instead)")
    return (f"{path}: you named two sets of data; I took {chosen} for training (say \"train "
            f"on {path}\" to use {path} instead, or \"validate on {path}\" to check on it)")


def _part_of(reading: Reading, path: str, folders: list[str]) -> bool:
    """A file named by a name that is not here but is inside a folder the message names
    ("unsorted_pics/ ... and a labels.csv"): a part of that folder, not data of its own."""
    if reading.here(path).exists():
        return False
    for folder in folders:
        if (reading.here(folder) / path).is_file():
            reading.result.unknown.append(
                f"{path} is a file inside {folder}, not data of its own: the data is {folder}")
            return True
    return False


def _paths(reading: Reading) -> list[tuple[int, int, str]]:
    """``(start, end, path)`` of every data file, quoted ones first (they may hold spaces)."""
    found: list[tuple[int, int, str]] = []
    for match in QUOTED.finditer(reading.message):
        quoted = match.group(2).strip().rstrip("/\\") or match.group(2)
        if re.search(rf"\.(?:{_SUFFIX})$", quoted, re.IGNORECASE) or _data_folder(reading,
                                                                                 quoted):
            found.append((match.start(), match.end(), quoted))
    found += _spaced_folders(reading, found)
    taken = [(s, e) for s, e, _ in found]
    for match in UNQUOTED_PATH.finditer(reading.message):
        if any(s <= match.start() < e for s, e in taken):
            continue
        start, path = _longest_existing(reading, match.start(1), match.group(1))
        found.append((start, match.end(1), path))
    found += _looked_at(reading, found)
    return sorted(found)


# a file:// address ("file:///home/me/support%20tickets.csv"), and $HOME written out
FILE_URL = re.compile(r"\bfile://(?:localhost)?(/[^\s'\"`<>]+?)(?=[.,;:!?)]?(?:\s|$))",
                      re.IGNORECASE)
DOLLAR_HOME = re.compile(r"(?<![\w$])\$(?:HOME\b|\{HOME\})(?=[\\/])")


def _plain_paths(reading: Reading) -> None:
    """Write a file:// address as the (quoted) path it names and $HOME as ~, before any path
    is read: both are paths people paste."""
    def plain(text: str) -> str:
        text = FILE_URL.sub(lambda m: f"'{unquote(m.group(1))}'", text)
        return DOLLAR_HOME.sub("~", text)

    if FILE_URL.search(reading.message) or DOLLAR_HOME.search(reading.message):
        reading.message, reading.written = plain(reading.message), plain(reading.written)


def _data_folder(reading: Reading, name: str) -> bool:
    """A folder here that is no model folder (those hold a config.json); one this session may
    not read is not looked at."""
    folder = reading.here(name)
    return refusal(folder) is None and folder.is_dir() and not (folder / "config.json").is_file()


def _spaced_folders(reading: Reading,
                    taken: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Folders here whose names hold spaces, named unquoted ("my photos folder", "the
    directory my photos"): two to four words in a row that are the name of such a folder."""
    found: list[tuple[int, int, str]] = []
    words = list(re.finditer(r"[^\s,;:!?'\"`()]+", reading.message))
    for i in range(len(words)):
        for count in range(4, 1, -1):
            run = words[i:i + count]
            if len(run) < count or any(s <= run[0].start() < e for s, e, _ in taken + found):
                continue
            start, end = run[0].start(), run[-1].end()
            name = reading.message[start:end].rstrip("./\\")
            if " " in name and _data_folder(reading, name):
                found.append((start, start + len(name), name))
                break
    return found


# a path written as one: from home (~), the root, here (./, ../) or a drive (C:\)
EXPLICIT_PATH = re.compile(r"(?<![\w/.~\\:$-])((?:[a-z]:[\\/]|~[\\/]|\.{1,2}[\\/]|[\\/](?=\w))"
                           r"[\w.~-]*(?:[\\/][\w.~-]+)*)[\\/]?(?![\w\\/])", re.IGNORECASE)
# a folder named as one: "the cats-dogs folder", "folder called leafs", "directory scanz"
NAMED_FOLDER = (re.compile(r"\b(?:folder|directory|dir)\s+(?:called\s+|named\s+)?([\w.~-]*\w)",
                           re.IGNORECASE),
                re.compile(r"(?<![\w/.~\\-])([\w.~-]*\w)\s+(?:folder|directory)\b", re.IGNORECASE))
NOT_A_FOLDER_NAME = frozenset("""the my our a an this that your their its same one another
new output results data image images photo photos picture pictures file files sub each every
training train test validation root home parent working current called named whole""".split())
OUTPUT_WORDS = re.compile(r"\b(?:save|write|export|put|store|output|push|upload|copy|log)\w*\s+"
                          r"(?:[\w-]+\s+){0,3}(?:to|into|in|under|at)\s+(?:the\s+)?$"
                          r"|\b(?:model|backbone|checkpoint|weights|start(?:ing)? from|"
                          r"load(?:ed)? from)\s*(?:is|=|:|at|in|from)?\s*(?:the |my )?$",
                          re.IGNORECASE)


def _say_missing(reading: Reading, found: list[tuple[int, int, str]]) -> None:
    """A path written as one ("~/data/leaves", "C:\\Users\\me\\defects") or a folder named as
    one ("the cats-dogs folder") that is not here: said, with the close names that are here
    as choices, and never read as anything else (a model id). One that is here is left to
    the readers of data and models."""
    # a quoted span is read whole or not at all: a quoted model folder is the model's
    taken = [(s, e) for s, e, _ in found] + [m.span() for m in QUOTED.finditer(reading.message)]
    named = [(m.start(1), m.end(1), m.group(1).rstrip("."), True)
             for m in EXPLICIT_PATH.finditer(reading.message)]
    named += [(m.start(1), m.end(1), m.group(1), False)
              for pattern in NAMED_FOLDER for m in pattern.finditer(reading.message)]
    for start, end, path, explicit in named:
        if len(path) < 2 or any(s <= start < e for s, e in taken) or \
                OUTPUT_WORDS.search(reading.message[:start]):
            continue
        refused = refusal(Path(path))  # said as written, from the studio's folder
        if refused:  # a shared studio's data folder comes first: nothing outside is looked at
            if explicit:
                taken.append((start, end))
                reading.consume_written(start, end)
                reading.result.unknown.append(refused)
            continue
        if reading.here(path).exists():
            continue
        choices = close_names(reading, path)
        if not explicit and (path.lower() in NOT_A_FOLDER_NAME or not choices):
            continue
        taken.append((start, end))
        reading.consume_written(start, end)
        reading.result.unknown.append(_not_here(path, choices))


def _not_here(path: str, choices: list[str]) -> str:
    offered = f" — did you mean {' or '.join(choices)}?" if choices else "."
    return f"I can't find {path} here{offered} Give me the path of the data on this machine"


def close_names(reading: Reading, path: str) -> list[str]:
    """Names here close to a path that is not (cats_dogs for "cats-dogs", leaves for
    "leafs"), written as the person wrote the rest of the path."""
    name = re.split(r"[\\/]", path.rstrip("/\\"))[-1]
    parent = path.rstrip("/\\")[:-len(name)] if name else ""
    folder = reading.here(parent) if parent and not re.match(r"[a-z]:\\", parent, re.I) \
        else reading.base_dir
    if refusal(folder) or parent and (re.match(r"[a-z]:\\", parent, re.I)
                                      or not folder.is_dir()):
        return []  # nothing outside a shared studio's data folder is listed
    try:
        entries = [p.name for p in folder.iterdir() if not p.name.startswith(".")
                   and refusal(p) is None]
    except OSError:
        return []
    def plain(text: str) -> str:
        return re.sub(r"[-_ ]+", " ", text.lower())
    same = [e for e in entries if plain(e) == plain(name)]
    near = get_close_matches(plain(name), [plain(e) for e in entries], n=3, cutoff=0.7)
    fits = same + [e for e in entries if plain(e) in near and e not in same]
    return [f"{parent}{e}" for e in fits[:3]]


def _missing_with_close(reading: Reading, path: str) -> bool:
    """A named data file that is not here while a close name is: said and asked about, not
    taken (the close name is the person's to choose). One this session may not read is taken
    as named, unlooked at: the shared studio refuses it with its own message."""
    if refusal(reading.here(path)) or reading.here(path).exists():
        return False
    choices = close_names(reading, path)
    if choices:
        reading.result.unknown.append(_not_here(path, choices))
    return bool(choices)


# a word that may name a folder: "photos", "data/xrays", "./scans/"
FOLDER_WORD = re.compile(r"(?<![\w/.~\\-])((?:~[\\/]|\.{1,2}[\\/]|[\\/])?[\w.~-]*\w"
                         r"(?:[\\/][\w.~-]*\w)*)([\\/])?(?![\w/\\])")
# a folder or file counts as data when a dataset reads it at least this well (a folder of
# class folders; not the "data" folder that merely holds files)
FOLDER_AT_LEAST = 0.5


# a quoted name of a column, not of data: "text column is 'the defects'"
COLUMN_BEFORE = re.compile(r"\b(?:column|col|field|feature|target|label|text)s?\s*(?:is|=|:)?"
                           r"\s*$", re.IGNORECASE)


def _looked_at(reading: Reading, taken: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Folders, and files of other suffixes, the message names that an installed dataset
    says it reads ("train on photos", "data/xrays/", a plugin's "corpus.xyz")."""
    found, unread, meant = [], [], []
    # a quoted name of several words is read whole ("'my leaves'"): a word of it is no folder
    spans = [(m.start(), m.end(), m.group(2).strip()) for m in QUOTED.finditer(reading.message)
             if " " in m.group(2).strip()]
    for match in FOLDER_WORD.finditer(reading.message):
        if any(s <= match.start() < e for s, e, _ in taken):
            continue
        word, item = match.group(1), (match.start(1), match.end(1), match.group(1))
        opened, quoted = next(((s, q) for s, e, q in spans if s <= match.start() < e),
                              (0, None))
        if quoted is not None:
            if _read_best(reading, word) is not None and not COLUMN_BEFORE.search(
                    reading.message[:opened]):  # it would have been taken: said, not taken
                reading.result.unknown.append(_not_here(quoted, [word]))
                spans = [sp for sp in spans if sp[2] != quoted]  # said once
                taken = [*taken, (match.start(), match.end(), word)]
            continue
        best = _read_best(reading, word)
        if best is None:
            continue
        if best >= FOLDER_AT_LEAST:
            found.append(item)
        elif best > 0 and (match.group(2) or re.search(r"[_\d\\/]", word)):
            # read less well, still meant: written as a folder or by a name no word is
            # ("loose_shots": the dataset then says what it lacks), or a class folder
            meant.append(item)
        elif re.search(r"[\\/]", word):
            unread.append(item)
    parent = _common_parent(reading, unread + meant)
    if parent is not None:  # "sorted into leaves/train/rust and leaves/train/healthy"
        found = [f for f in found if re.search(r"[\\/]", f[2])] + [parent]
    else:
        found += meant
    return _named_over_common(reading.message, found, taken)


def _named_over_common(message: str, found: list[tuple[int, int, str]],
                       taken: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A folder named as one ("flowers/", "./scans") or by a name of its own wins over a word
    for data in general that is also a folder here ("the flower photos in flowers/": there is
    a photos folder too); alone, such a word still names its folder ("train on photos")."""
    def common(item: tuple[int, int, str]) -> bool:
        start, end, word = item
        marked = re.search(r"[\\/]", word) or re.match(r"[\\/]", message[end:end + 1])
        return not marked and bool(re.fullmatch(OWN_DATA_NOUNS, word.lower())
                                   or word.lower() in FOLDER_WORDS)

    def described(item: tuple[int, int, str]) -> bool:
        # "photos of defective parts", "pictures showing leaves": the things in general
        return common(item) and DESCRIBED.match(message, item[1]) is not None

    kept = [f for f in found if not common(f)]
    return kept if kept or taken else [f for f in found if not described(f)]


# what follows a word for data in general when it describes things, not names a folder
DESCRIBED = re.compile(r"\s+(?:of|showing|depicting|containing|that|which|where|taken|"
                       r"from (?:our|my|the))\b", re.IGNORECASE)


def _read_best(reading: Reading, word: str) -> float | None:
    """How well the best dataset reads the file or folder ``word`` (a folder of splits: its
    training split); None when it is not here."""
    folder = reading.here(word)
    if not folder.exists():
        return None
    own = _split_children(folder)
    folder = own.get("path", folder)
    return max((d.how_well_it_reads(folder) for d in reading.catalog.by_kind.get("dataset", [])
                if hasattr(d, "how_well_it_reads")), default=0.0)


# the names a folder's own splits go by ("photos/train", "photos/valid", "tables/test.csv")
SPLIT_NAMES = {"path": ("train", "training"),
               "validation_path": ("val", "valid", "validation", "dev", "eval"),
               "test_path": ("test", "testing")}


def _split_children(folder: Path) -> dict[str, Path]:
    """A folder's own splits: a training child and at least one other, folders or files of the
    training file's suffix, named for their split; {} when it holds no such pair."""
    try:
        children = sorted(c for c in folder.iterdir() if not c.name.startswith("."))
    except OSError:
        return {}
    found: dict[str, Path] = {}
    for role, names in SPLIT_NAMES.items():
        for child in children:
            kindred = "path" not in found or (child.is_dir(), child.suffix) == (
                found["path"].is_dir(), found["path"].suffix)
            name = child.name if child.is_dir() else child.stem
            if role not in found and kindred and name.lower() in names:
                found[role] = child
    return found if "path" in found and len(found) >= 2 else {}


def _own_splits(reading: Reading, path: str) -> dict[str, str]:
    """The splits of a named folder, as paths written from the name the person used."""
    folder = reading.here(path)
    if not folder.is_dir():
        return {}
    root = path.rstrip("/\\")
    return {role: f"{root}/{child.name}" for role, child in _split_children(folder).items()}


def _common_parent(reading: Reading,
                   named: list[tuple[int, int, str]]) -> tuple[int, int, str] | None:
    """Two or more folders named one by one (the class folders) whose common parent a
    dataset reads well: that parent, spanning them all."""
    groups: dict[str, list[tuple[int, int, str]]] = {}
    for item in named:
        groups.setdefault(str(Path(item[2]).parent), []).append(item)
    for parent, members in groups.items():
        best = _read_best(reading, parent) if len(members) >= 2 else None
        if parent not in ("", ".") and best is not None and best >= FOLDER_AT_LEAST:
            return members[0][0], members[-1][1], parent
    return None


def _longest_existing(reading: Reading, start: int, path: str) -> tuple[int, str]:
    """An unquoted path with spaces ("my data/chat logs.csv") is taken whole when such a file
    exists; otherwise only the part after the last space counts. Quoting is the sure way."""
    before = reading.message[max(0, start - 80):start]
    words = before.rstrip().split(" ") if before.endswith(" ") else []
    for count in range(min(4, len(words)), 0, -1):
        prefix = " ".join(words[-count:])
        candidate = f"{prefix} {path}"
        if prefix.strip() and reading.here(candidate).is_file():
            return start - len(prefix) - 1, candidate
    # no such file here: words before it that hold a folder separator are part of it
    # ("~/Downloads/tickets export.csv"); a separator standing alone, or after a file of its
    # own, sets two files side by side ("train.jsonl / valid.jsonl")
    joined = [w for w in words[-1:] if re.search(r"[/\\]", w) and re.search(r"\w", w) and
              not re.search(rf"\.(?:{_SUFFIX})[/\\]?$", w, re.IGNORECASE)]
    rooted = r"(?:[a-z]:|~|\.{1,2})?[\\/]"  # "D:\\work\\ticket exports\\all.csv"
    if joined and (not re.search(r"[/\\]", path) or re.match(rooted, joined[0], re.IGNORECASE)
                   and not re.match(rooted, path, re.IGNORECASE)):
        return start - len(joined[0]) - 1, f"{joined[0]} {path}"
    return start, path


def _roles(message: str, found: list[tuple[int, int, str]]) -> list[str]:
    """What each file is for, from the words around it ("validate on dev.csv", "test.csv as
    the test set", "keep b.csv for the final test only (not for validation)") or, failing
    that, from its name when there are several files. The words just after a file speak of
    it first; then those before it; a role turned down ("not for validation") is no role,
    and what the sentence goes on to say it is for counts instead."""
    lowered = message.lower()
    roles = []
    for i, (_, end, path) in enumerate(found):
        following = found[i + 1][0] if i + 1 < len(found) else None
        attached, tail = _words_after(lowered, end, following)
        before = _words_before(lowered, found, i)
        role, turned_down = _role_in(attached, nearest=min)
        if role and NOT_FOR.search(before):  # "don't use b.csv for validation"
            role, turned_down = None, True
        role = role or _role_in(before, nearest=max)[0]
        if role is None and turned_down:
            role = _role_in(tail, nearest=min)[0]
        roles.append(role or _role_by_name(path, found))
    return roles


# what a file is for, in words, the more particular first: "final evaluation" is the test
# though "eval" alone is validation, "evaluate during training" is validation though
# "training" alone is the training file; a phrase found hides its words from those after it
ROLE_PHRASES = (
    ("test_path",
     r"\bfinal\s+(?:\w+\s+)?(?:test\w*|eval\w*|check\w*|scor\w*|numbers?|results?|metrics?|"
     r"report\w*|benchmark\w*|run)\b|\bheld[- ]?out\s+test\w*|\breport\w*\s+(?:the\s+|my\s+|"
     r"our\s+)?(?:\w+\s+)?(?:numbers|scores?|results|metrics)\b|\b(?:until|till|til|at|for)\s+"
     r"(?:the\s+)?(?:very\s+)?end\b|\b(?:never|don'?t|do not)\s+(?:look|peek|touch)\w*|"
     r"\buntouched\b|\btest\w*|\bbenchmark\w*"),
    ("validation_path",
     r"\bearly[- ]?stop\w*|\bstop\w* early\b|\b(?:eval\w*|scor\w*|check\w*|monitor\w*|"
     r"track\w*)\s+(?:it\s+)?(?:during|while|each|every|after\s+each|per|between)\s+(?:the\s+)?"
     r"(?:training|epochs?|steps?)\b|\bvalid\w*|\bval\b|\bdev\b|\beval\w*|\bmodel\s+selection\b|"
     r"\btun\w*\s+(?:the\s+)?hyper\w*|\bhyper-?param\w*|\b(?:pick|choos|select)\w*\s+(?:the\s+)?"
     r"(?:best\s+)?(?:epoch|checkpoint|model|settings)"),
    ("path", r"\btrain\w*|\bfine-?tun\w*|\blearn\w*|\bfit\b"),
)
# a role turned down: "not for validation", "isn't the test set", "rather than dev"
TURNED_DOWN = re.compile(r"(?:\bnot|\bnever|\bno|\bnor|n't|\bwithout|\binstead of|\brather than|"
                         r"\bexcept|\bother than)\s+(?:[\w-]+\s+){0,2}$")
# a role turned down before the file: "don't use b.csv for validation", "never b.csv for"
NOT_FOR = re.compile(r"(?:n't|\bnot|\bnever)\s+(?:[\w-]+\s+){0,1}$")
SENTENCE_END = re.compile(r"[;!?\n]|\.(?=\s|$)")
# where the words of one file end and those of the next begin
FILE_BREAK = re.compile(r"[;!?\n,+&]|\.(?=\s|$)|\b(?:and|then|but|while|plus|with|whereas)\b")


def _words_after(lowered: str, end: int, following: int | None) -> tuple[str, str]:
    """The words after a file that speak of it (up to the first break: "for the final test
    only (not for validation)"), and the rest of its sentence when no file follows in it."""
    stop = SENTENCE_END.search(lowered, end)
    stop_at = stop.start() if stop else len(lowered)
    if following is not None and following < stop_at:
        between = lowered[end:following]
        cut = FILE_BREAK.search(between)
        return (between[:cut.start()] if cut else ""), ""  # no break: the next file's words
    words = lowered[end:stop_at]
    cut = FILE_BREAK.search(words)
    return (words[:cut.start()], words[cut.end():]) if cut else (words, "")


def _words_before(lowered: str, found: list[tuple[int, int, str]], i: int) -> str:
    """The words before a file, back to the previous file's own words or its clause."""
    start = found[i][0]
    if i == 0:
        before = lowered[max(0, start - 45):start]
        return re.split(r"[;.!?]|,\s*(?=and\b|then\b)", before)[-1]
    between = lowered[found[i - 1][1]:start]
    cuts = list(FILE_BREAK.finditer(between))
    return between[cuts[-1].end():] if cuts else between


def _role_in(words: str, nearest: Any) -> tuple[str | None, bool]:
    """The role the words give a file (the one nearest it: ``nearest`` is min for words
    after it, max for words before), and whether a role was turned down."""
    said: list[tuple[int, str]] = []
    turned_down = False
    for role, pattern in ROLE_PHRASES:
        for match in re.finditer(pattern, words):
            if TURNED_DOWN.search(words[:match.start()]):
                turned_down = True
            else:
                said.append((match.start(), role))
        words = re.sub(pattern, lambda m: " " * len(m.group(0)), words)
    if not said:
        return None, turned_down
    return nearest(said)[1], turned_down


def _role_by_name(path: str, found: list) -> str:
    if len(found) < 2:
        return "path"
    name = Path(path).stem.lower()
    if re.search(r"(?:^|[_.-])(?:val|valid|validation|dev|eval)(?:$|[_.-])", name):
        return "validation_path"
    if re.search(r"(?:^|[_.-])test(?:$|[_.-])", name):
        return "test_path"
    return "path"


def use_file(reading: Reading, path: str) -> None:
    """The file or folder at ``path`` is the data: the dataset that reads it (by a look at
    it), its task when the draft's task is another, and the columns named before. A folder
    that holds its own splits (train/ and val/, train.csv and test.csv) gives each its place."""
    folder, splits = path, _own_splits(reading, path)
    path = splits.pop("path", path)
    suffix = Path(path).suffix.lower().lstrip(".")
    component = _dataset_that_reads(reading, path) or _dataset_for(reading, suffix)
    if component is not None and _not_read_as_is(reading, path, component):
        return
    if component is None:
        what = f".{suffix} files" if suffix else f"the folder {path}"
        reading.result.unknown.append(f"no installed dataset plugin reads {what} ({path}): "
                                      "say which dataset reads it, or convert it to CSV")
        return
    task = reading.draft.get("task") or "text-classification"
    if component.tasks and task not in component.tasks:
        # the file says the task ("train.conll" is tagging); a task said in words still wins
        reading.result.set("task", component.tasks[0], f"task: {component.tasks[0]} "
                           f"(from {path})")
    new: dict[str, Any] = {"name": component.name, "path": path}
    current = reading.draft.get("dataset") or {}
    if isinstance(current, dict) and current.get("path"):
        # another file of the same table: the columns named before still apply
        for key in ("text_column", "label_column"):
            if current.get(key) and key in {p.name for p in component.params}:
                new[key] = current[key]
    # the reader is said when the suffix does not name it (a .txt corpus read as texts)
    named = component.name in (suffix, KINDRED.get(suffix)) or not Path(path).suffix
    how = _how_it_reads(reading, path, component)
    reading.result.set("dataset", new, f"data: {path}" + (
        f" (read as {component.title}: {how})" if how else "" if named else
        f" (read as {component.title})"))
    _use_splits(reading, component, folder, splits)


def _use_splits(reading: Reading, component: Any, folder: str, splits: dict[str, str]) -> None:
    """The other splits of a folder of splits, where the dataset takes a path for them and the
    message gave none; said, so the person sees where validation comes from."""
    params = {p.name for p in component.params}
    for role, split in splits.items():
        if role in params and f"dataset.{role}" not in reading.result.changes:
            reading.result.set(f"dataset.{role}", split, f"{role.replace('_', ' ')}: {split} "
                               f"(the {Path(split).name} split in {folder})")


def _how_it_reads(reading: Reading, path: str, component: Any) -> str:
    """The dataset's own words on how it reads this file (``Dataset.explains``)."""
    if not hasattr(component, "how_it_reads"):
        return ""
    return component.how_it_reads(reading.here(path))


# a look below this says "surely not this format" (a CoNLL file looked at as a table)
READS_AT_ALL = 0.2


def fit_data_to_task(reading: Reading) -> None:
    """The task the turn says picks among the datasets that read the file: a .txt file of
    paragraphs or of comma-holding lines is texts for a language model, a table for a
    classifier. When none of that task reads it, the file is not taken and the reply says so
    (never a bundled sample silently in its place)."""
    task = reading.result.changes.get("task")
    slot = reading.slot("dataset")
    component = reading.component("dataset", "dataset")
    path = slot.get("path")
    if not task or not path or component is None or not component.tasks or \
            task in component.tasks:
        return
    file = reading.here(path)
    if not file.exists():
        return
    scored = [(d.how_well_it_reads(file), d) for d in reading.catalog.by_kind.get("dataset", [])
              if hasattr(d, "how_well_it_reads") and task in d.tasks]
    scored = [s for s in scored if s[0] >= READS_AT_ALL]
    for key in [k for k in reading.result.changes if k == "dataset" or
                k.startswith("dataset.")]:
        del reading.result.changes[key]
    # the file's own reading of it (its dataset, the task it said) gives way
    reading.result.noticed = [n for n in reading.result.noticed if not (
        n.startswith(f"data: {path}") or n.endswith(f"(from {path})"))]
    if not scored:
        reading.result.unknown.append(
            f"{path}: no installed dataset reads it for {task} (it reads as "
            f"{component.title}, for {', '.join(component.tasks)}): give me a file in a form "
            f"the {task} datasets read, or say which dataset reads it")
        reading.result.wants_data = f"{task} data"
        return
    best = max(scored, key=lambda s: s[0])[1]
    reading.result.set("dataset", {"name": best.name, "path": path},
                       f"data: {path} (read as {best.title}, for {task})")


# a look below this says "meant for me, not in a form I read" (alpaca's "output" fields)
READS_AS_IS = 0.5


def _not_read_as_is(reading: Reading, path: str, component: Any) -> bool:
    """Records of a shape no dataset reads as they are, though the closest one is meant for
    them: its task is taken, the file is not, and the reply names the file's fields and what
    the dataset reads instead (its description), so the person can convert it."""
    file = reading.here(path)
    if not file.exists() or not 0 < component.how_well_it_reads(file) < READS_AS_IS:
        return False
    shape = _folder_shape(file) if file.is_dir() else _record_shape(file)
    if not shape or _fields_said(reading, shape, component):
        return False
    task = reading.draft.get("task") or "text-classification"
    if component.tasks and task not in component.tasks:
        reading.result.set("task", component.tasks[0], f"task: {component.tasks[0]} "
                           f"(from {path})")
    what, change, tool, new = (
        ("its records hold", "Rename or restructure the fields", "Python or jq", "file")
        if file.is_file() else ("it holds", "Move the files", "Python", "folder"))
    reading.result.unknown.append(
        f"{path} is not in a form I can read as it is: {what} {shape}. The closest "
        f"dataset, {component.title}, reads {_lowered(component.description)} {change} "
        f"into one of those forms (for example with a few lines of {tool}) and give me the "
        f"new {new}")
    return True


def _fields_said(reading: Reading, shape: str, component: Any) -> bool:
    """The person names the file's own fields for a dataset that takes its columns by name
    ("classify the reviewText by the overall stars"): the file is read as it is, with those
    columns, rather than turned away for fields no default name matches."""
    params = {p.name for p in getattr(component, "params", ())}
    if not {"text_column", "label_column"} <= params:
        return False
    fields = [part.split(" [")[0] for part in shape.split(", ")]
    return any(len(f) >= 3 and re.search(rf"(?<![\w.]){re.escape(f)}(?![\w])", reading.message,
                                         re.IGNORECASE) for f in fields)


def _folder_shape(folder: Path) -> str:
    """What lies at the top of a folder, by kind ("12 .jpg files and labels.csv, in no
    sub-folder"); "" when it holds folders (a layout of its own)."""
    try:
        entries = [e for _, e in zip(range(2000), folder.iterdir(), strict=False)
                   if not e.name.startswith(".")]
    except OSError:
        return ""
    if any(e.is_dir() for e in entries):
        return ""
    suffixes: dict[str, int] = {}
    for entry in entries:
        suffixes[entry.suffix.lower()] = suffixes.get(entry.suffix.lower(), 0) + 1
    # the many files by their suffix, the few (a labels table, a readme) by name
    many = [f"{n} {suffix or 'suffix-less'} files" for suffix, n in suffixes.items() if n > 3]
    few = sorted(e.name for e in entries if suffixes[e.suffix.lower()] <= 3)
    return (" and ".join(filter(None, [", ".join(many), ", ".join(few[:4])]))
            + ", in no sub-folder")


def _record_shape(file: Path) -> str:
    """The fields of a JSON-lines file's first record, nested lists shown with their keys
    ("conversations [from, value]"); "" when it is not JSON records."""
    try:
        with file.open(encoding="utf-8-sig") as handle:
            lines = list(islice((li for li in handle if li.strip()), 200))
        if lines and lines[0].lstrip().startswith("["):  # one JSON array of records
            records = json.loads(file.read_text(encoding="utf-8-sig"))[:200]
        else:
            records = [json.loads(line) for line in lines]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError, KeyError):
        return ""
    # a broken file (a line that is no object) is not a shape: the preview names its line
    if not records or not all(isinstance(r, dict) for r in records):
        return ""
    record = records[0]
    parts = []
    for key, value in record.items():
        inner = value[0] if isinstance(value, list) and value else None
        parts.append(f"{key} [{', '.join(inner)}]" if isinstance(inner, dict) else key)
    return ", ".join(parts)


def _lowered(description: str) -> str:
    text = description.strip()
    text = text[:1].lower() + text[1:]
    return text if text.endswith(".") else text + "."


def _dataset_that_reads(reading: Reading, path: str) -> Any | None:
    """The dataset that reads this file or folder best, by what each declares it reads
    (``Dataset.reads``, a look at the file); None when it does not exist or none reads it.
    On a tie the one that does the current task wins."""
    file = reading.here(path)
    if not file.exists():
        return None
    task = reading.draft.get("task") or "text-classification"
    scored = [(d.how_well_it_reads(file), task in d.tasks, d)
              for d in reading.catalog.by_kind.get("dataset", [])
              if hasattr(d, "how_well_it_reads")]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return None
    return max(scored, key=lambda s: (s[0], s[1]))[2]


def _dataset_for(reading: Reading, suffix: str) -> Any | None:
    """The dataset plugin that reads ``.suffix`` files: one named after the suffix, one that
    lists it among its aliases, or the plugin of a kindred format (.tsv -> csv)."""
    for name in (suffix, KINDRED.get(suffix)):
        component = reading.catalog.get("dataset", name) if name else None
        if component is not None:
            return component
    for component in reading.catalog.by_kind.get("dataset", []):
        if suffix in [a.lower() for a in component.aliases]:
            return component
    return None


# ---------------------------------------------------------------- held-out splits

HELD_OUT = {
    "validation_split": r"(?:validation|valid|val|dev|eval(?:uation)?)",
    "test_split": r"(?:test(?:ing)?)",
}


# after its number, a split also said as a verb ("30% to validate") or as a holdout alone
# ("a 20% holdout"; not with a test after it: "a 10% holdout test set")
WORDS_AFTER = {"validation_split": r"|validat(?:e|ing)\b|hold[ -]?out\b(?![\s-]+(?:set |split )?"
                                   r"(?:for |as )?(?:the |a )?test)"}
# words between a share and its split: "10% for a final test", "5% as a separate validation"
SPLIT_ADJECTIVES = (r"(?:final|separat\w*|held[- ]?out|holdout|independent|last|small|blind|"
                    r"extra|unseen)")


def read_splits(reading: Reading) -> None:
    """"hold out 20% for validation", "validation split 0.1", "a 10% test set", "80/20"."""
    dataset = reading.component("dataset", "dataset")
    # the dataset's own option for each share, whatever its name (validation_fraction)
    fields = {key: next((p.name for p in dataset.params if _is_share(p) and
                         p.name.split("_")[0] == key.split("_")[0]), None)
              for key in HELD_OUT} if dataset is not None else {}
    if not any(fields.values()):
        return
    for held_out, word in HELD_OUT.items():
        key = fields[held_out]
        if key is None or f"dataset.{key}" in reading.result.changes:
            continue
        patterns = [
            rf"{word}[\s_-]*(?:split|set|share|fraction|ratio|size|portion|part)?\s*"
            rf"(?:=|:|of|to|at|is|be)?\s*(?:about |around )?{NUMBER}\s*(%|percent)?",
            # "20% of the rows for validation", "keep 30% of it for validation"
            rf"{NUMBER}\s*(%|percent)?\s*(?:of (?:it|them|this|that|these|those|(?:the |my |our |"
            rf"your )?[\w-]+) )?"
            rf"(?:(?:is )?(?:held out |kept |set aside )?(?:for|as|to) )?(?:the |a |an )?"
            rf"(?:{SPLIT_ADJECTIVES} )?(?:{word}\b{WORDS_AFTER.get(held_out, '')})",
            rf"(?:hold|keep|set|put)\w* (?:out|aside|back) {NUMBER}\s*(%|percent)?[\w /.-]{{0,40}}"
            rf"(?:for|as) (?:the |a )?(?:{SPLIT_ADJECTIVES} )?{word}",
            rf"{word}\w* on {NUMBER}\s*(%|percent)",
            # "keep 20% aside for testing", "put 10 percent of the rows back for validation"
            rf"(?:hold|keep|set|put)\w* {NUMBER}\s*(%|percent)?(?: of (?:the |my )?\w+)? (?:out|"
            rf"aside|back|apart)[\w /.-]{{0,40}}(?:for|as) (?:the |a )?(?:{SPLIT_ADJECTIVES} )?"
            rf"{word}",
        ]
        for pattern in patterns:
            match = reading.find(pattern)
            if match:
                share = _share(match.group(1), match.group(2))
                if share is not None:
                    reading.result.set(f"dataset.{key}", share, f"{key.replace('_', ' ')}: "
                                       f"{share:g}")
                    reading.consume(match.start(), match.end())
                break
    ratio = reading.find(r"\b(\d{2})\s*/\s*(\d{1,2})\s*(?:train[\s/-]*(val\w*|dev|test)\s*)?"
                         r"(?:split|ratio|division)")
    if ratio and int(ratio.group(1)) + int(ratio.group(2)) == 100:
        key = fields["test_split" if (ratio.group(3) or "").startswith("test")
                     else "validation_split"]
        if key and f"dataset.{key}" not in reading.result.changes:
            reading.result.set(f"dataset.{key}", int(ratio.group(2)) / 100,
                               f"{key.replace('_', ' ')}: {int(ratio.group(2)) / 100:g}")
            reading.consume(ratio.start(), ratio.end())


COPIES = (r"(?:exact |identical |repeated )?(?:duplicates?|duplicated rows|dupes|copies|"
          r"repeated rows|repeats)")
DROP = r"(?:drop|remove|delete|strip|filter|throw away|get rid of|clean out|discard|skip)"
DEDUPE = re.compile(rf"\bde-?dup\w*|\b{DROP}\w*\s+(?:the |any |all )?{COPIES}|"
                    r"\bkeep (?:only )?(?:one|1) of each\b|"
                    # copies said first, then dropped: "duplicate rows may be there, drop them"
                    rf"\b{COPIES}\b[^.;!?]{{0,80}}?\b{DROP}\w* (?:them|those|these|it)\b")
KEEP_COPIES = re.compile(rf"\b(?:keep|leave) (?:the |all )?{COPIES}|\b(?:don'?t|do not|no) "
                         r"de-?dup\w*")


def read_deduplicate(reading: Reading) -> None:
    """"drop duplicate rows", "deduplicate", "keep one of each" (or "keep the duplicates"):
    the dataset's ``deduplicate`` option, for any dataset that declares one."""
    dataset = reading.component("dataset", "dataset")
    if dataset is None or "deduplicate" not in {p.name for p in dataset.params}:
        return
    for pattern, value in ((KEEP_COPIES, False), (DEDUPE, True)):
        match = reading.find(pattern.pattern)
        if match:
            reading.result.set("dataset.deduplicate", value,
                               "one of each copy kept before splitting" if value
                               else "copies kept")
            reading.consume(match.start(), match.end())
            return


# ---------------------------------------------------------------- the dataset's own options

# options read elsewhere: the files, the columns, the held-out shares, the copies
READ_ELSEWHERE = frozenset({"path", "validation_path", "test_path", "deduplicate",
                            "text_column", "label_column", "tokens_field", "tags_field",
                            "text_field", "label_field"})
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
SWITCHED_ON = r"(?:with|use|using|enable|enabled|turn on|keep|do|apply|add|random)"


def read_dataset_options(reading: Reading, said: str | None = None) -> None:
    """The options of the dataset in the spec, each read from its own name, help and type:
    "4 classes" and "600 images" (a number with the option's name or the unit its help
    counts: "images in all"), "don't flip the images" (a switch named and turned down),
    "the chunk tags are column 2" (an option that says which column holds a thing). A
    third-party dataset's options are read the same way. Switches are read on ``said``, the
    text before other readers took their words ("no augmentation" also means the texts')."""
    dataset = reading.component("dataset", "dataset")
    if dataset is None:
        return
    for param in dataset.params:
        if param.name in READ_ELSEWHERE or param.name in Training.model_fields or \
                f"dataset.{param.name}" in reading.result.changes:
            continue
        if param.type is bool:
            others = [o for o in dataset.params if o.type is bool and o.name != param.name]
            found = _switch(said or reading.text, param, others)
        elif param.type is int and param.name.endswith("_column"):
            found = _column_index(reading.text, param)
            fitted = _column_of_kind(reading, found)
            if fitted is not None:
                value, note = fitted
                reading.result.set(f"dataset.{param.name}", value,
                                   f"{param.name.replace('_', ' ')}: {value} ({note})")
                if found is not None:
                    reading.consume(*found[1])
                continue
        elif param.type in (int, float) and not _is_share(param):
            found = _amount(reading.text, param)
        else:
            continue
        if found is not None:
            value, (start, end) = found
            reading.result.set(f"dataset.{param.name}", value,
                               f"{param.name.replace('_', ' ')}: {_said_value(value)}")
            if param.type is not bool:
                reading.consume(start, end)


def _said_value(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else f"{value:g}"


def _is_share(param: Any) -> bool:
    """A share of the data held out (validation_split, validation_fraction, test_split)."""
    return param.type is float and param.max is not None and param.max <= 1 and \
        param.name.split("_")[0] in ("validation", "test")


def _name_words(param: Any) -> str:
    """The option's name as people write it: "tag_column" -> "tag[ _-]?column"."""
    return r"[ _-]?".join(re.escape(w) for w in param.name.split("_"))


# other words for a switch's name, as people say them ("don't mirror the images")
SWITCH_WORDS = {"flip": r"(?:flip|mirror|horizontal[ -]?flip|left[ -]?(?:to[ -]?)?right[ -]?flip)"}


def _switch_words(param: Any) -> str:
    return SWITCH_WORDS.get(param.name, _name_words(param))


def _switch(text: str, param: Any, others: list[Any] = ()) -> tuple[bool, tuple[int, int]] | None:
    """A yes/no option named by a form of its name ("flip", "flipping", "augmentation"):
    turned down ("don't flip", "no augmentation", "without flips") or switched on ("with
    flipping", "enable augmentation"). A bare mention says neither. A negation that names
    another switch of the dataset first ("no flip augmentation") turns that one down, not
    this one."""
    stem = _switch_words(param)
    other = "|".join(_switch_words(o) for o in others)
    found = None
    for match in re.finditer(rf"\b{stem}\w*", text):
        after = re.match(r"\s*(?:(?:is|should be|must be) )?(?:turned |switched |set )?"
                         r"(?:(off|disabled|false|no)|on|enabled|true|yes)\b", text[match.end():])
        qualified = other and re.search(rf"\b(?:{other})\w*[\s-]+(?:\w+[\s-]+)?$",
                                        text[max(0, match.start() - 30):match.start()])
        if qualified and not (after and after.group(1)):
            continue
        if negated_before(text, match.start()) or negated_after(text, match.end()) or (
                after and after.group(1)):
            found = (False, (match.start(), match.end()))
        elif after or re.search(rf"\b{SWITCHED_ON}\s+(?:the |a |some |data |image )?$",
                                text[max(0, match.start() - 20):match.start()]):
            found = (True, (match.start(), match.end()))
    return found


# what a column of tags is also called: "the NER labels are in the 2nd column"
SAME_THING = {"tag": "label", "label": "tag"}


def _column_index(text: str, param: Any) -> tuple[int, tuple[int, int]] | None:
    """Which column holds a thing, counted from 0 as the option says: "the pos tag is
    column 1", "column 2 has the chunk tags", "the tags are in the third column" (2)."""
    thing = r"[ _-]?".join(re.escape(w) for w in param.name.split("_")[:-1])
    if not thing:
        return None
    thing = f"(?:{thing}|{SAME_THING[thing]})" if thing in SAME_THING else thing
    numbered = r"\b(?:column|col)\.?\s*(?:number |no\.? |#|=|:)?\s*(\d+)\b"
    ordinal = rf"\b({'|'.join(ORDINALS)}|last|\d+(?:st|nd|rd|th))\s+(?:column|col)\b"
    # "the labels are the 2nd one": said after the thing, "one" is its column
    ordinal_after = ordinal.replace("(?:column|col)", r"(?:column|col|one|1(?![\d.]))")
    # a column said before the thing is its own only within one clause ("the token is the
    # 1st column, the labels are the 2nd": the 1st is the token's)
    for pattern in (rf"\b{thing}s?\b[^.;!?]{{0,40}}?{numbered}",
                    rf"{numbered}[^.;!?,]{{0,30}}?\b{thing}s?\b",
                    rf"\b{thing}s?\b[^.;!?]{{0,40}}?{ordinal_after}",
                    rf"{ordinal}[^.;!?,]{{0,30}}?\b{thing}s?\b"):
        match = re.search(pattern, text)
        if not match:
            continue
        said = match.group(1)
        if said.isdigit():
            return int(said), match.span()
        if said == "last":
            return -1, match.span()
        count = ORDINALS.get(said) or int(re.sub(r"\D", "", said))
        return count - 1, match.span()  # "the second column" is column 1, counted from 0
    return _listed_column(text, thing)


NUMBERED = re.compile(r"\b(?:column|col)\.?\s*(?:number |no\.? |#|=|:)?\s*\d+\b")


def _column_of_kind(reading: Reading,
                    found: tuple[int, tuple[int, int]] | None) -> tuple[int, str] | None:
    """The tag column the file says, where the words name a kind of tag (tag_columns.py):
    "the POS (column 2)" of a word/POS/chunk file is counted from 1, so column 1; "tag the
    POS" with no column said is the file's one POS column, not the last (the default).
    None when the file cannot tell, or agrees with what was read."""
    path = reading.slot("dataset").get("path")
    kinds = column_kinds(reading.here(path)) if path else ()
    if not kinds:
        return None
    text = reading.text
    if found:  # the words of the column said, and the clause's before them ("the pos tags sit
        start, end = found[1]  # in column 2")
        start = max([start - 40, *(m.end() for m in re.finditer(r"[.;!?,(]", text[:start]))])
        text = text[max(0, start):end]
    wanted = kind_named(text) if found else _kind_wanted(text)
    if wanted is None or wanted not in kinds:
        return None
    title = KIND_TITLES[wanted]
    if found is None:
        columns = [i for i, kind in enumerate(kinds) if kind == wanted]
        if len(columns) != 1 or columns[0] == len(kinds) - 1 or \
                reading.slot("dataset").get("tag_column") not in (None, -1):
            return None
        last = KIND_TITLES.get(kinds[-1] or "", "other")
        return columns[0], (f"the {title} tags, counted from 0 with the word as 0; the last "
                            f"column, the default, holds {last} tags")
    said = found[0]
    if not NUMBERED.search(text) or (0 <= said < len(kinds) and kinds[said] == wanted):
        return None
    if 1 <= said - 1 < len(kinds) and kinds[said - 1] == wanted:
        return said - 1, (f"your column {said} counted from 1, the {title} tags; the option "
                          "counts from 0, the word being 0")
    return None


def _kind_wanted(text: str) -> str | None:
    """The kind of tag the words ask for: the one named and not turned down ("tag the POS,
    not the chunk column")."""
    wanted = set()
    for kind, words in KIND_WORDS.items():
        for match in re.finditer(rf"\b(?:{words})\b", text):
            if not negated_before(text, match.start()):
                wanted.add(kind)
    return wanted.pop() if len(wanted) == 1 else None


# the columns listed in order: "the columns are token, NER tag, POS tag", "format: word / pos"
COLUMN_LIST = re.compile(r"\b(?:columns?|fields?|format|layout)\s*(?:are|is|:|=|were|read)\s*"
                         r"(?:the\s+)?([^.;:()!?]+)")
# the kinds of tags a column file holds, and the words that say each ("entities" for NER)
TAG_KINDS = {"ner": r"ner|entit\w*|named", "pos": r"u?pos|xpos|part[- ]of[- ]speech|speech",
             "chunk": r"chunk\w*"}


def _listed_items(said: str) -> list[str]:
    """The names of a list, up to the one after its "and" ("word, ner and pos, tag the
    entities": word, ner, pos) or a dash that starts another thought."""
    said = re.split(r"\s[-–]\s", said)[0]
    parts = re.split(r"(,|/|\||\band\b|\bthen\b)", said)
    items, last = [], False
    for part in parts[::2]:
        items.append(part.strip())
        if last:
            break
        last = len(items) < len(parts[1::2]) + 1 and parts[2 * len(items) - 1].strip() in (
            "and", "then")
    if len(items) > 3 and len(items[-1].split()) > 3:  # "..., chunk and I want the POS one":
        items.pop()  # the sentence goes on after the list
    return items


def _listed_column(text: str, thing: str) -> tuple[int, tuple[int, int]] | None:
    """The column a list of the columns says holds the thing wanted: the one the rest of the
    message names ("... train on the NER column"; "NER on it" with NER and POS columns
    listed), counted from 0 as the list goes. None when the message lists none, or leaves
    the choice open."""
    match = COLUMN_LIST.search(text)
    if not match:
        return None
    items = _listed_items(match.group(1))
    if len(items) < 3 or not all(items) or any(len(i.split()) > 3 for i in items):
        return None
    rest = text[:match.start()] + " " + text[match.end():]
    mentions = []
    for index, item in enumerate(items[1:], start=1):  # the first column is the token
        words = [w for w in re.findall(r"[a-z]+", item) if not re.fullmatch(rf"{thing}s?|labels?|"
                                                                                r"column", w)]
        kinds = [next((kind for kind in TAG_KINDS.values() if re.fullmatch(kind, w)),
                      re.escape(w)) for w in words] or [r"(?!x)x"]
        said = sum(len(re.findall(rf"\b(?:{kind})\b", rest)) for kind in kinds)
        mentions.append((said, index))
    best = max(mentions)
    if best[0] == 0 or sum(m[0] == best[0] for m in mentions) > 1:
        return None
    return best[1], match.span()


def _amount(text: str, param: Any) -> tuple[float | int, tuple[int, int]] | None:
    """A number said with the option's name ("4 classes", "classes = 4", "n=1000") or with
    the unit its help counts ("sentences in all": "1000 sentences"; "how many shapes": "4
    shapes"; "... in pixels": "64 pixels")."""
    name = _name_words(param)
    patterns = [rf"\b{name}\s*[=:]\s*{NUMBER}"]
    if len(param.name) > 2:
        patterns += [rf"(?<![\w.]){NUMBER}\s*{name}\b", rf"(?<!\w )\b{name}\s*(?:of|is|to|at)?\s*"
                     rf"{NUMBER}(?![\w.])"]
    patterns += [rf"(?<![\w.]){NUMBER}\s*(?:{unit})\b" for unit in _units(param)]
    for pattern in patterns:
        match = re.search(pattern, text.replace(",000", "000"))
        if match:
            raw = float(match.group(1))
            if param.type is int and not raw.is_integer():
                continue
            return (int(raw) if param.type is int else raw), match.span()
    return None


def _units(param: Any) -> list[str]:
    """What the option counts, in the words of its help."""
    help_text = (param.help or "").lower()
    units = []
    for pattern in (r"^([a-z]+(?: / [a-z]+)*(?: [a-z]+)?) in all\b", r"^how many ([a-z]+)",
                    r"\bin ([a-z]+)\s*$"):
        match = re.search(pattern, help_text)
        if match:
            unit = match.group(1).split()[-1]
            units.append(rf"{re.escape(unit.rstrip('s'))}s?")
    return units


def _counts_the_data(param: Any) -> bool:
    """An option that says how many examples the dataset yields ("sentences in all")."""
    return param.type is int and bool(re.search(r"^[a-z /]+ in all\b", (param.help or "").lower()))


# what a count of the data is said in: "200 examples", "500 rows"; not "32 examples per batch"
EXAMPLE_WORDS = (r"examples?|samples?|rows?|records?|items?|instances?|data ?points?|"
                 r"exemples?|exmaples?")
EXAMPLE_NOUNS = rf"(?:{EXAMPLE_WORDS})"
NOT_PER = r"(?!\s*(?:per|a|an|each|every|at a time)\b)"
DATA_NOUNS = (rf"(?:{EXAMPLE_WORDS}|reviews?|sentences?|images?|pictures?|photos?|pairs?|"
              r"instructions?|texts?|lines?)")
# a size of the data said with a number ("only 200 examples of it", "a subset of 500 rows")
DATA_COUNT = re.compile(
    rf"\b(?:use|using|only|just|take|taking|keep|first|subset of|sample of|limit\w* "
    rf"(?:it |the data |the sample )?to|cap\w* (?:it )?at)\s+(?:the\s+)?(?:first\s+)?"
    rf"(?:about\s+|around\s+|some\s+)?(\d[\d,]*)\s*{DATA_NOUNS}\b{NOT_PER}|"
    # "50 examples only", "300 rows max"
    rf"(?<![\w.])(\d[\d,]*)\s*{DATA_NOUNS}\s+(?:only|max|at most|tops)\b", re.IGNORECASE)
# a smaller part said without a number ("just a small subset")
SMALL_PART = re.compile(r"\b(?:small|tiny|little|smaller|reduced)\s+(?:sub-?set|part|portion|"
                        r"slice|piece|fraction|sub-?sample|chunk)\b|\bsub-?sample\b|"
                        r"\ba (?:sub-?set|fraction|slice) of\b", re.IGNORECASE)


# a split of a dataset by its name: "train", "validation", "test_sft", "dev"
SPLIT_NAME = (r"(?P<split>(?:train(?:ing)?|validation|valid|val|dev|test(?:ing)?|eval(?:uation)?)"
              r"(?:[_-]\w+)?|\w+_(?:sft|gen|prefs))")
SPLIT_OF = r"(?:\s+(?:split|set|part|portion))?"
# which option a split said with these words goes to: trained on, validated on, tested on
NAMED_SPLIT_ROLES = {
    "split": [rf"\b(?:use|using|train(?:ing)?(?: it)? on|fine[- ]?tune on|from|take)\s+(?:the\s+)?"
              rf"[\"'`]?{SPLIT_NAME}[\"'`]?(?:\s+(?:split|set))\b(?!\s+(?:for|as)\s+(?:the\s+)?"
              r"(?:validation|test|eval))",
              rf"\btrain(?:ing)? on (?:the )?[\"'`]?{SPLIT_NAME}[\"'`]?{SPLIT_OF}\b",
              rf"[\"'`]?{SPLIT_NAME}[\"'`]?\s+(?:split|set)\s+(?:for|as)\s+(?:the\s+)?"
              r"train(?:ing)?\b"],
    "validation": [rf"\b(?:validat\w*|eval\w*|dev)\s+(?:it\s+)?(?:on|with|against|using)\s+"
                   rf"(?:the\s+)?[\"'`]?{SPLIT_NAME}[\"'`]?{SPLIT_OF}\b",
                   rf"[\"'`]?{SPLIT_NAME}[\"'`]?\s+(?:split|set)\s+(?:for|as)\s+(?:the\s+)?"
                   r"(?:validation|eval\w*|dev)\b"],
    "test": [rf"\b(?:test\w*|final test)\s+(?:it\s+)?(?:on|with|against|using)\s+(?:the\s+)?"
             rf"[\"'`]?{SPLIT_NAME}[\"'`]?{SPLIT_OF}\b",
             rf"[\"'`]?{SPLIT_NAME}[\"'`]?\s+(?:split|set)\s+(?:for|as)\s+(?:the\s+)?"
             r"(?:final )?test\w*\b"],
}


def read_named_splits(reading: Reading) -> None:
    """Splits named for a dataset that takes them by name (a Hub dataset's ``split``,
    ``validation``, ``test``): "use the train split and test on validation", "validate on
    the dev set", "the test_sft split for the final test"."""
    dataset = reading.component("dataset", "dataset")
    if dataset is None:
        return
    params = {p.name: p for p in dataset.params if p.type is str}
    for role, patterns in NAMED_SPLIT_ROLES.items():
        if role not in params or f"dataset.{role}" in reading.result.changes:
            continue
        for pattern in patterns:
            match = reading.find(pattern)
            if match:
                name = match.group("split")
                said = "train" if role == "split" else role
                reading.result.set(f"dataset.{role}", name, f"{said} split: {name}")
                reading.consume(match.start(), match.end())
                break


def read_data_size(reading: Reading) -> None:
    """A size of the data the dataset's own options did not take: the dataset has no option
    for it (it reads all its examples), or the size was said without a number. Either is
    said, never dropped."""
    dataset = reading.component("dataset", "dataset")
    if dataset is None:
        return
    sized = next((p for p in dataset.params if _counts_the_data(p)), None)
    if sized is not None and f"dataset.{sized.name}" in reading.result.changes:
        return
    if sized is not None:  # the dataset the task brought in ("ner on the sample, 100 ...")
        found = _amount(reading.text, sized)
        if found is not None:
            reading.result.set(f"dataset.{sized.name}", found[0],
                               f"{sized.name.replace('_', ' ')}: {_said_value(found[0])}")
            reading.consume(*found[1])
            return
    count = DATA_COUNT.search(reading.text)
    small = SMALL_PART.search(reading.text)
    if count is None and small is None:
        return
    title = dataset.title
    if sized is not None and count is not None:  # "100 pictures" of "images in all"
        value = int((count.group(1) or count.group(2)).replace(",", ""))
        reading.result.set(f"dataset.{sized.name}", value,
                           f"{sized.name.replace('_', ' ')}: {value}")
        reading.consume(count.start(), count.end())
        return
    if small is not None:
        reading.consume(small.start(), small.end())
    if sized is not None:  # said without a number the option can take
        now = reading.slot("dataset").get(sized.name) or sized.default
        shown = f"now {now}" if now else "now all of them"
        reading.result.unknown.append(
            f"how many examples of {title}? say a number (\"use 100 examples\"; "
            f"dataset.{sized.name}, {shown})")
        return
    said = f"{count.group(1) or count.group(2)} examples" if count else "a smaller part"
    reading.result.unknown.append(
        f"{said}: {title} has no option for how many examples it reads, so it reads all of "
        "them; to train on fewer, give a file with only those rows (or cap the run with "
        "max_steps)")
    if count:
        reading.consume(count.start(), count.end())


def _share(raw: str, percent: str | None) -> float | None:
    value = float(raw)
    if percent or value >= 1:
        value /= 100
    return value if 0 < value < 1 else None


# ---------------------------------------------------------------- columns


# one word of a column's name, or a nested field's dotted path ("meta.label", as the jsonl
# dataset names fields inside objects); a sentence's full stop is no dot in a name
BARE_NAME = r"[A-Za-z_][\w\-]*(?:\.[A-Za-z_][\w\-]*)*"


def named(prefix: str = "") -> str:
    """A column name, quoted (may hold spaces) or one word; groups ``{prefix}q``/``{prefix}n``."""
    return rf"""(?:["'`](?P<{prefix}q>[^"'`\n]{{1,60}})["'`]|(?P<{prefix}n>{BARE_NAME}))"""


NAME, TEXT_NAME, LABEL_NAME = named(), named("t"), named("l")
TEXT_WORDS = (r"(?:input )?(?:texts?|inputs?|sentences?|messages?|documents?|utterances?|"
              r"content|features?|strings?)")
LABEL_WORDS = (r"(?:gold |class |target |true )?(?:labels?|targets?|class(?:es)?|"
               r"categor(?:y|ies)|answers?|outputs?|tags?|ground truth|y)")
COLUMN = r"(?:column|col|field|key|attribute|property)"
HOLDS = r"(?:has|have|holds?|contains?|stores?|carries|carry|gives?|is|are|as|=)"
# words a pattern may catch that are never the column meant
FILLER = frozenset("""
the a an column columns field fields col key keys attribute property is in from
my file data csv this that each every it them which what there here one both
given based using these those and or with to of for as on by into be are was
were should will would can our your their its column's english german french
spanish italian portuguese dutch chinese japanese
""".split())

# the values a column takes, listed: "pos or neg", "spam/ham", "happy, sad or angry", "0 or 1"
VALUE = r"""["'`]?(?!(?:the|a|an|my|our|its|their)\b)[\w-]+["'`]?"""
VALUES = rf"{VALUE}(?:\s*,\s*{VALUE})*(?:\s*/\s*|\s+or\s+|\s+vs\.?\s+){VALUE}"

# (pattern, explicit): explicit patterns name a column outright ("text column is X"); the
# loose ones read it from a freer sentence ("X holds the text")
TEXT_PATTERNS = [
    (rf"\b(?:text|input)[_ ]?{COLUMN}s?\b\s*(?:is|=|:|should be|will be|would be)?\s*"
     rf"(?:named |called )?(?:the )?{NAME}", True),
    (rf"\b(?:text|input)\s*[=:]\s*{NAME}", True),
    (rf"\b(?:the )?{TEXT_WORDS} (?:(?:is|are|can be|will be) )?(?:\w+ )?"
     rf"(?:in|under|from|at) (?:the |a )?(?:{COLUMN} )?(?:called |named )?{NAME}", False),
    (rf"\b{COLUMN} {NAME} (?:{HOLDS}) (?:the )?{TEXT_WORDS}\b", True),
    (rf"{NAME} (?:{COLUMN} )?(?:{HOLDS}) (?:the |my |our )?{TEXT_WORDS}\b", False),
    (rf"\b(?:use|using|take|taking|treat) (?:the )?(?:{COLUMN} )?{NAME} (?:{COLUMN} )?"
     rf"(?:as|for) (?:the |my )?{TEXT_WORDS}\b", True),
    (rf"\b(?:the )?{TEXT_WORDS} {COLUMN} (?:is |= ?|: ?)?(?:named |called )?{NAME}", True),
    (rf"{NAME} (?:{COLUMN} )?(?:as|for) (?:the |my )?{TEXT_WORDS}\b", False),
]
LABEL_PATTERNS = [
    (rf"\b(?:labels?|targets?|class|category|y|outputs?)[_ ]?{COLUMN}s?\b\s*"
     rf"(?:is|=|:|should be|will be|would be)?\s*(?:named |called )?(?:the )?{NAME}", True),
    (rf"\b(?:labels?|targets?)\s*[=:]\s*{NAME}", True),
    (rf"\b(?:the )?{LABEL_WORDS} (?:(?:is|are|can be|will be) )?(?:\w+ )?"
     rf"(?:in|under|from|at) (?:the |a )?(?:{COLUMN} )?(?:called |named )?{NAME}", False),
    (rf"\b{COLUMN} {NAME} (?:{HOLDS}) (?:the )?{LABEL_WORDS}\b", True),
    (rf"{NAME} (?:{COLUMN} )?(?:{HOLDS}) (?:the |my |our )?{LABEL_WORDS}\b", False),
    (rf"\b(?:use|using|take|taking|treat) (?:the )?(?:{COLUMN} )?{NAME} (?:{COLUMN} )?"
     rf"(?:as|for) (?:the |my )?{LABEL_WORDS}\b", True),
    (rf"\b(?:the )?(?:labels?|targets?) {COLUMN} (?:is |= ?|: ?)?(?:named |called )?"
     rf"{NAME}", True),
    (rf"\b(?:the )?(?:labels?|targets?) (?:are|is) (?:called|named) {NAME}", True),
    (rf"\bpredict\w* (?:the )?(?:{COLUMN} )?{NAME}(?: {COLUMN}\b)?", False),
    (rf"{NAME} (?:{COLUMN} )?(?:as|for) (?:the |my )?{LABEL_WORDS}\b", False),
    # a column said with the values it takes: "'note' is pos or neg", "the "flag" column holds
    # spam/ham", "'mood' is happy, sad or angry" (quoted or called a column: never a prose word)
    (rf"""(?:["'`](?P<q>[^"'`\n]{{1,60}})["'`](?: {COLUMN})?|\b(?P<n>[A-Za-z_][\w\-]*) {COLUMN})"""
     rf" (?:{HOLDS}|says|takes|reads) (?:either |one of |only |always )?{VALUES}", False),
]
# one sentence naming both: "predict intent from utterance", "classify body into topic"
BOTH_PATTERNS = [
    (rf"(?P<text>{TEXT_NAME})\s*(?:->|→|=>|-->)\s*(?P<label>{LABEL_NAME})", True),
    (rf"\bpredict\w* (?:the )?(?P<label>{LABEL_NAME}) (?:{COLUMN} |labels? |values? )?"
     rf"(?:from|given|based on|using|out of|off) (?:the )?(?:{COLUMN} )?"
     rf"(?P<text>{TEXT_NAME})", True),
    (rf"\b(?:classify|categori[sz]e|label|tag) (?:the )?(?:{COLUMN} )?(?P<text>{TEXT_NAME})"
     rf" (?:{COLUMN} |texts? )?(?:into|by|as|according to|with) (?:the |their )?"
     rf"(?P<label>{LABEL_NAME})", False),
]


def read_columns(reading: Reading) -> None:
    """Text and label column names, from the many ways people say them."""
    columns = _known_columns(reading)
    found: dict[str, tuple[str, int, int]] = {}
    for pattern, explicit in BOTH_PATTERNS:
        for match in re.finditer(pattern, reading.message, re.IGNORECASE):
            text = _name(match, "t", columns, explicit)
            label = _name(match, "l", columns, explicit)
            if text and label:
                found["text_column"] = (text, match.start("text"), match.end("text"))
                found["label_column"] = (label, match.start("label"), match.end("label"))
    for key, patterns in (("text_column", TEXT_PATTERNS), ("label_column", LABEL_PATTERNS)):
        for pattern, explicit in patterns:
            match = next((m for m in re.finditer(pattern, reading.message, re.IGNORECASE)
                          if _name(m, "", columns, explicit)), None)
            if match:
                group = "q" if match.group("q") else "n"
                found[key] = (_name(match, "", columns, explicit), match.start(group),
                              match.end(group))
                break
    if not found:
        found = _listed_pair(reading.message, columns)
    if len(found) < 2:
        _by_proximity(reading.message, columns, found)
    preview = _known_preview(reading)
    if preview is not None:  # the file's own columns, said in any form, settle the rest
        # a name the file does not have gives way to one of its columns said for that role
        absent = {k: v for k, v in found.items() if v[0] not in preview.columns}
        for key in absent:
            del found[key]
        _mentioned(reading.message, preview, found, _other_names(reading))
        for key, value in absent.items():
            found.setdefault(key, value)
    if len(found) == 1:
        _other_role(reading.message, columns, found)
    only_text = _only_text(preview, found)
    if not found:
        return
    component = reading.component("dataset", "dataset")
    params = {p.name for p in component.params} if component is not None else set()
    task = reading.result.changes.get("task", reading.draft.get("task"))
    roles = TAGGING_ROLE_PARAMS if task == "token-classification" else ROLE_PARAMS
    fields = {key: next((p for p in roles[key] if p in params), None) for key in found}
    if not all(fields.values()):
        if not _counts_columns(component):
            reading.result.unknown.append("column names need a data file of yours first (for "
                                          "example: train on data/tickets.csv)")
        return
    _measured(reading, preview, found)
    for key, (name, start, end) in found.items():
        field = fields[key]
        why = " (the only column of text)" if key == only_text else ""
        reading.result.set(f"dataset.{field}", name, f"{field.replace('_', ' ')}: {name}{why}")
        if end > start:
            reading.consume_written(start, end)


def _counts_columns(component: Any) -> bool:
    """A dataset whose file has columns counted, not named (CoNLL's tag_column): the column
    said is its option's, read by ``read_dataset_options``."""
    return component is not None and any(p.type is int and p.name.endswith("_column")
                                         for p in component.params)


# the option that holds each role, by the dataset's kind of file: a table's columns, the
# fields of tagged records (the words and their tags)
ROLE_PARAMS = {"text_column": ("text_column", "tokens_field", "text_field"),
               "label_column": ("label_column", "tags_field", "label_field")}
# tagging data read by a dataset of several tasks (a Hub dataset): its words and tags columns
TAGGING_ROLE_PARAMS = {"text_column": ("tokens_column", "tokens_field", "text_column"),
                       "label_column": ("tags_column", "tags_field", "label_column")}


# two columns named together, roles unsaid: "with columns ticket_text and urgency"
LISTED_PAIR = [
    rf"\b{COLUMN}s? (?:are |named |called |: ?)?(?P<a>{named('a')})\s*(?:,|and|&)\s*"
    rf"(?P<b>{named('b')})",
    rf"\b(?:has|have|with) (?:the )?(?P<a>{named('a')})\s*(?:,|and|&)\s*(?P<b>{named('b')}) "
    rf"{COLUMN}s\b",
    rf"\b(?:has|have|with|contains?) (?:an? |the )?(?P<a>{named('a')}) {COLUMN},? (?:and|&) "
    rf"(?:an? |the )?(?P<b>{named('b')}) {COLUMN}\b",
]
# words in column names that say what they hold, beyond the names found automatically
TEXT_HINTS = (*TEXT_COLUMN_NAMES, "email", "mail", "tweet", "post", "summary", "headline",
              "note", "notes", "transcript", "abstract", "sms", "complaint", "feedback",
              "narrative", "paragraph", "passage", "snippet", "ticket", "subject", "title")
LABEL_HINTS = (*LABEL_COLUMN_NAMES, "department", "team", "queue", "priority", "urgency",
               "score", "stars", "polarity", "flag", "type", "kind", "group", "genre", "section",
               "product", "emotion", "toxicity", "toxic", "spam", "is", "grade", "level")


def _listed_pair(message: str, columns: list[str] | None) -> dict[str, tuple[str, int, int]]:
    """Two columns listed without roles: the one whose name says text ("ticket_text",
    "review") holds the text, the other the label; or the other way round; failing both, the
    order people list them in (text, then label)."""
    for pattern in LISTED_PAIR:
        match = re.search(pattern, message, re.IGNORECASE)
        if not match:
            continue
        a, b = _name(match, "a", columns, not columns), _name(match, "b", columns, not columns)
        if not a or not b:
            continue
        spans = {a: (match.start("a"), match.end("a")), b: (match.start("b"), match.end("b"))}
        text = _looks_like(a, TEXT_HINTS) and a or _looks_like(b, TEXT_HINTS) and b
        label = _looks_like(b, LABEL_HINTS) and b or _looks_like(a, LABEL_HINTS) and a
        text = text or (label and (b if label == a else a))
        label = label or (text and (b if text == a else a))
        if not text and not label:  # nothing to tell them apart: text first, as people list
            text, label = a, b
        if text and label and text != label:
            return {"text_column": (text, *spans[text]), "label_column": (label, *spans[label])}
    return {}


# words that say which role a nearby column plays
COLUMN_ROLES = {"text_column": rf"\b{TEXT_WORDS}\b|\b(?:review|body|email|tweet|feature)s?\b",
              "label_column": rf"\b{LABEL_WORDS}\b|\bpredict\w*|\bclassif\w* (?:by|into)\b"}
CANDIDATE = [r"""["'`](?P<q>[^"'`\n]{1,60})["'`]""", rf"\b{COLUMN} (?P<n>{BARE_NAME})",
             rf"\b(?P<n>{BARE_NAME}) {COLUMN}\b"]


def _by_proximity(message: str, columns: list[str] | None,
                  found: dict[str, tuple[str, int, int]]) -> None:
    """The general rule behind the patterns: in each clause, one column name (quoted, or
    next to the word "column") and words of one role ("the answers sit in 'verdict'") make
    that column the role's."""
    taken = {name for name, _, _ in found.values()}
    for start, clause in clauses(message):
        names = {}
        for pattern in CANDIDATE:
            for match in re.finditer(pattern, clause, re.IGNORECASE):
                group = "q" if "q" in match.groupdict() and match.group("q") else "n"
                name = match.group(group)
                if name.lower() not in FILLER and name not in taken and (
                        not columns or name in columns):
                    names[name] = (start + match.start(group), start + match.end(group))
        if len(names) != 1:
            continue
        (name, (begin, end)), = names.items()
        rest = (message[start:begin] + " " + message[end:start + len(clause)]).lower()
        roles = [key for key, words in COLUMN_ROLES.items()
                 if key not in found and re.search(words, rest)]
        if len(roles) == 1:
            found[roles[0]] = (name, begin, end)
            taken.add(name)


# a column named without saying what it holds: "topics are in the 'label' column"
ROLELESS = [rf"\b(?:in|from|under|at) (?:the )?{COLUMN} {NAME}",
            rf"\b(?:in|from|under|at) (?:the )?{NAME} {COLUMN}\b",
            r"""\b(?:in|from|under|at) (?:the )?["'`](?P<q2>[^"'`\n]{1,60})["'`]"""]


def _other_role(message: str, columns: list[str] | None,
                found: dict[str, tuple[str, int, int]]) -> None:
    """One role said outright, another column named with a word of its own ("the documents
    in 'text', topics in the 'label' column"): that column takes the role left."""
    missing = "label_column" if "text_column" in found else "text_column"
    (known, start, end), = found.values()
    for pattern in ROLELESS:
        for match in re.finditer(pattern, message, re.IGNORECASE):
            group = next(g for g in ("q", "n", "q2") if g in match.groupdict() and match.group(g))
            name = match.group(group)
            if name == known or start <= match.start(group) < end or \
                    (columns and name not in columns) or name.lower() in FILLER:
                continue
            found[missing] = (name, match.start(group), match.end(group))
            return


def _looks_like(name: str, common: tuple[str, ...]) -> bool:
    words = re.split(r"[\W_]+", name.lower())
    return any(word in common for word in words)


# a file's name caught where a column's was looked for ("label from data.csv")
FILE_NAME = re.compile(r"\.(?:csv|tsv|txt|jsonl?|ndjson|parquet|pq|zip|xlsx?|conllu?)$")


def _name(match: re.Match, prefix: str, columns: list[str] | None, explicit: bool) -> str | None:
    """The column name a pattern caught, checked against the file's columns when known."""
    quoted = match.group(f"{prefix}q")
    name = quoted or match.group(f"{prefix}n")
    if not name:
        return None
    if columns:  # the file settles it
        exact = next((c for c in columns if c.lower() == name.lower()), None)
        return exact or (name if explicit and name.lower() not in FILLER else None)
    if quoted:
        return name
    lowered = name.lower()
    if lowered in FILLER or FILE_NAME.search(lowered):
        return None
    # a loosely phrased name is taken when it looks like a column, not like prose
    return name if explicit or name[1:] == name[1:].lower() or "_" in name else None


def _known_columns(reading: Reading) -> list[str] | None:
    """The columns of the file this message (or the draft) trains on, when it can be read."""
    preview = _known_preview(reading)
    return preview.columns if preview is not None else None


def _known_preview(reading: Reading) -> Preview | None:
    """A look at the file this message (or the draft) trains on: None when there is none
    or it cannot be read."""
    path = reading.slot("dataset").get("path")
    if not path:
        return None
    file = reading.here(path)
    if not file.is_file():
        return None
    component = reading.component("dataset", "dataset")
    if component is not None and not any(p.name.endswith(("_column", "_field")) and
                                         p.type is str for p in component.params):
        return None  # no columns to name (plain text, a CoNLL file): not read as a table
    preview = peek(file, limit=500)
    return preview if preview.columns else None


# ---------------------------------------------------------------- the file's own columns

# words just before a column that say what it holds: "predict csat_score", "label verdict",
# "target difficulty"; "from its blurb", "reads a tasting note", "text column passage"
ROLE_BEFORE = {
    "label_column": re.compile(
        r"(?:\bpredict\w*|\bestimat\w*|\bforecast\w*|\bguess\w*|\blabel(?:s|led)?|\btargets?|"
        r"\bclass(?:es)?|\bcategor(?:y|ies)|\boutputs?|\btags?|\bgold|\banswers?)"
        r"(?:\s+(?:the|a|an|its|their|each|is|are|in|=|:|column|field|called|named)\b|\s*[=:])*"
        r"\s*[\"'`]?$", re.IGNORECASE),
    "text_column": re.compile(
        r"(?:\bfrom|\bgiven|\bbased on|\bout of|\breads?|\breading|\btexts?|\binputs?|"
        r"\bsentences?|\bdocuments?|\bmessages?|\btokens?|\bwords?)"
        r"(?:\s+(?:the|a|an|its|their|each|is|are|in|=|:|column|field|called|named)\b|\s*[=:])*"
        r"\s*[\"'`]?$", re.IGNORECASE),
}
# words just after it: "verdict is the label", "'body' as the text"
ROLE_AFTER = {
    "label_column": re.compile(rf"^[\"'`]?\s*(?:{COLUMN}s?\s+)?(?:is|are|as|for|holds?|has)\s+"
                               rf"(?:the |my |our )?{LABEL_WORDS}\b", re.IGNORECASE),
    "text_column": re.compile(rf"^[\"'`]?\s*(?:{COLUMN}s?\s+)?(?:is|are|as|for|holds?|has)\s+"
                              rf"(?:the |my |our )?{TEXT_WORDS}\b", re.IGNORECASE),
}
# what a column's values make it, when no word says (datafile.column_kind)
ROLE_OF_KIND = {"text": "text_column", "tokens": "text_column", "category": "label_column",
                "number": "label_column", "measure": "label_column", "tags": "label_column"}
WORD = re.compile(r"[A-Za-z0-9]+")


def _other_names(reading: Reading) -> list[tuple[int, int]]:
    """Where the message names a metric or an exporter in several words ("token accuracy",
    "entity f1"): a column's word inside one ("tokens") is not that column said."""
    lowered = reading.message.lower()
    return [(m.start, m.end) for kind in ("metric", "exporter")
            for m in reading.catalog.exact(kind, lowered)
            if re.search(r"[\s-]", lowered[m.start:m.end])]


def _mentioned(message: str, preview: Preview, found: dict[str, tuple[str, int, int]],
               elsewhere: list[tuple[int, int]] = ()) -> None:
    """The file's columns said in the message in any form ("comment_text", "tasting note",
    "the score" for csat_score, a typo) take the role the words around them say, or else
    the role their values say (free text is the text, a few values or numbers the label).
    A role is taken only when one column alone claims it."""
    taken = {name for name, _, _ in found.values()}
    claims: dict[str, list[tuple[str, int, int]]] = {}
    worded: dict[str, set[str]] = {}  # the columns whose role the words say, not the values
    for column, start, end in _column_mentions(message, preview.columns):
        if column in taken or any(s <= start and end <= e for s, e in elsewhere):
            continue
        said = _role_by_words(message, start, end)
        role = said or ROLE_OF_KIND.get(preview.kinds.get(column, ""))
        if role and role not in found:
            claims.setdefault(role, [])
            if said:
                worded.setdefault(role, set()).add(column)
            if column not in [c for c, _, _ in claims[role]]:
                claims[role].append((column, start, end))
    for role, columns in claims.items():
        # "the label is meta.source": the column the words give the role beats one whose
        # name merely holds the role's word (meta.label)
        if len(columns) > 1 and len(worded.get(role, ())) == 1 and all(
                re.fullmatch(rf"{LABEL_WORDS}|{TEXT_WORDS}", message[start:end], re.IGNORECASE)
                for column, start, end in columns if column not in worded[role]):
            columns = [c for c in columns if c[0] in worded[role]][:1]
        if len(columns) == 1 and columns[0][0] not in {n for n, _, _ in found.values()}:
            found[role] = columns[0]


def _role_by_words(message: str, start: int, end: int) -> str | None:
    clause_start = max([m.end() for m in re.finditer(r"[.;!?(),]", message[:start])] or [0])
    before = message[max(clause_start, start - 40):start]
    after = message[end:end + 40]
    roles = {role for role, words in ROLE_BEFORE.items() if words.search(before)}
    roles |= {role for role, words in ROLE_AFTER.items() if words.search(after)}
    return roles.pop() if len(roles) == 1 else None


def _column_mentions(message: str, columns: list[str]) -> list[tuple[str, int, int]]:
    """``(column, start, end)`` wherever the message names a column: its words in order,
    in any case and joined by anything ("tasting note", "CSAT-score"), each long word
    allowed one slip; or one long word of its name that no other column shares ("points",
    "toxicity" for is_toxic, "score" for csat_score)."""
    words = [(m.group(0).lower(), m.start(), m.end()) for m in WORD.finditer(message)]
    parts = {c: [w.lower() for w in WORD.findall(c)] for c in columns}
    found = []
    for column, names in parts.items():
        if not names:
            continue
        for i in range(len(words) - len(names) + 1):
            if all(_same_word(words[i + k][0], n) for k, n in enumerate(names)):
                found.append((column, words[i][1], words[i + len(names) - 1][2]))
    whole = {(s, e) for _, s, e in found}
    for column, names in parts.items():
        own = [n for n in names if len(n) >= 4 and n.lower() not in FILLER and not any(
            n in other for c, other in parts.items() if c != column)]
        for word, start, end in words:
            if any(s <= start < e for s, e in whole):
                continue
            if any(_kindred(word, n) for n in own):
                found.append((column, start, end))
    return sorted(found, key=lambda f: f[1])


def _same_word(said: str, name: str) -> bool:
    return said == name or (len(name) >= 5 and close(said, name))


def _kindred(said: str, part: str) -> bool:
    """The same word, misspelt or in another form ("toxicity" / toxic, "night" / nightly)."""
    if len(said) < 4:
        return False
    if _same_word(said, part):
        return True
    short, long_ = sorted((said, part), key=len)
    return len(short) >= 5 and long_.startswith(short)


def _measured(reading: Reading, preview: Preview | None,
              found: dict[str, tuple[str, int, int]]) -> None:
    """A label whose values are a measure (fractions, many values) or whose name says a
    number ("nightly_price") is predicted as a number: text-regression, when the data's
    dataset does it and the task is still classification (a task said in words still wins)."""
    label = found.get("label_column", ("", 0, 0))[0]
    if preview is None or "task" in reading.result.changes or label not in preview.columns:
        return
    kind = preview.kinds.get(label)
    named_number = kind == "number" and re.search(rf"\b{NUMERIC_TARGETS}\b",
                                                  " ".join(WORD.findall(label)).lower())
    if kind != "measure" and not named_number:
        return
    values = column_values(reading.here(preview.path), label)
    if named_for_classes(label) and values is not None and values.integers:
        return  # "rating_class" of 0/1/2: a number in its name, but named for classes
    component = reading.component("dataset", "dataset")
    task = reading.draft.get("task") or "text-classification"
    if task == "text-classification" and component is not None and \
            "text-regression" in component.tasks:
        held = values.describe(label) if values else f"{label} holds numbers"
        why = ", and its name says a number" if kind == "number" else ""
        # said with the way back: a few whole numbers may be classes the person meant
        reading.result.set("task", "text-regression", f"task: text-regression ({held}{why}; "
                           'say "these are classes" to classify them)')


def _only_text(preview: Preview | None, found: dict[str, tuple[str, int, int]]) -> str | None:
    """With the label known and one column alone holding free text, that column is the text:
    taken and said, not asked. Returns the role so taken, if any."""
    if preview is None or "label_column" not in found or "text_column" in found:
        return None
    label = found["label_column"][0]
    if label not in preview.columns:
        return None
    candidates = preview.can_be_text(exclude=(label,))
    if len(candidates) != 1:
        return None
    found["text_column"] = (candidates[0], 0, 0)
    return "text_column"


# ---------------------------------------------------------------- what a table cannot do

NUMBER_KINDS = ("number", "measure", "id")
# several targets named together: "predict both topic and urgency", "the labels are a and b"
SEVERAL_TARGETS = (r"\b(?:predict\w*|classify\w* (?:by|into)|labels? (?:are|is|=|:)|targets? "
                   r"(?:are|is|=|:)|outputs? (?:are|is|=|:)|label(?:ling)? (?:with|by)|learn)\s+"
                   r"(?:both\s+|all\s+of\s+|each\s+of\s+)?(?:the\s+)?")


def read_table_problems(reading: Reading) -> None:
    """What the table a turn names cannot give, said when it is first read, never found out
    at the run: a header with an unnamed column (a saved index) that stops the run, a table of
    numbers only (tunekit trains on text, images, tags and chats), and several target columns
    at once (a run learns one: the first is kept, the others are said)."""
    preview = _known_preview(reading)
    if preview is None:
        return
    path = reading.slot("dataset").get("path")
    if "dataset" in reading.result.changes:
        unnamed = [i for i, c in enumerate(preview.columns) if not c.strip()]
        if unnamed:
            which = "the first" if unnamed == [0] else f"number {unnamed[0] + 1}"
            reading.result.unknown.append(
                f"{path}: its header has a column with no name ({which}, most likely an index "
                "that pandas wrote): the run would stop on it. Save the file without it "
                "(df.to_csv(path, index=False)) or give that column a name")
        named = [c for c in preview.columns if c.strip()]
        if named and all(preview.kinds.get(c) in NUMBER_KINDS for c in named):
            reading.result.unknown.append(
                f"{path} holds only numbers ({', '.join(named[:6])}): tunekit can't train on a "
                "table of numbers; it trains on text, images, tags and chats. For numeric "
                "columns use a tabular tool (scikit-learn, XGBoost); or give me a file with a "
                "column of text")
            return
    _several_targets(reading, preview)


def _several_targets(reading: Reading, preview: Preview) -> None:
    """"predict both topic and urgency": a run learns one label column. The first named is
    kept (or the one already set); the reply says the others are not, and how to have them."""
    if any("several outputs" in u for u in reading.result.unknown):
        return  # said already, by the limit of one model with several outputs
    columns = "|".join(re.escape(c) for c in sorted(preview.columns, key=len, reverse=True)
                       if c.strip())
    if not columns:
        return
    item = rf"[\"'`]?(?:{columns})[\"'`]?"
    match = re.search(rf"{SEVERAL_TARGETS}({item}(?:\s*(?:,|and|&|\+|as well as)\s*(?:the\s+)?"
                      rf"{item})+)", reading.written, re.IGNORECASE)
    if not match:
        return
    found = [c for c in preview.columns if c.strip() and re.search(
        rf"(?<![\w.]){re.escape(c)}(?![\w.])", match.group(1), re.IGNORECASE)]
    text = reading.slot("dataset").get("text_column")
    targets = [c for c in found if c != text]
    if len(targets) < 2:
        return
    kept = reading.slot("dataset").get("label_column")
    kept = kept if kept in targets else targets[0]
    if "dataset.label_column" not in reading.result.changes or \
            reading.result.changes["dataset.label_column"] not in targets:
        reading.result.set("dataset.label_column", kept, f"label column: {kept}")
    others = [c for c in targets if c != kept]
    reading.result.unknown.append(
        f"several target columns at once ({', '.join(targets)}): tunekit can't train one model "
        f"on several targets; a run learns one label column. I kept {kept}; say \"use "
        f"{others[0]} as the label\" for {'that one' if len(others) == 1 else 'another'}, or "
        "train one run per column")


# ---------------------------------------------------------------- data spoken of, not named

# what people call their own data: "my sentences", "I have some pictures of cats"
OWN_DATA_NOUNS = (r"(?:sentences|texts?|documents|docs|pictures|photos|images|scans|x-?rays|"
                  r"data|dataset|files?|examples|records|emails|e-?mails|messages|tweets|posts|"
                  r"reviews|tickets|comments|notes|reports|articles|chats|conversations|"
                  r"dialogues|transcripts|logs|recordings|labels|annotations|spreadsheet|table|"
                  r"corpus|folders?)")
OWN_DATA = re.compile(
    rf"\b(?:my|our|mine|own)\s+(?:own\s+)?(?:[\w-]+\s+){{0,2}}?(?P<a>{OWN_DATA_NOUNS})\b|"
    rf"\b(?:i|we)(?:'ve| have| got|'ve got| collected| took| scanned| saved| wrote)\s+"
    rf"(?:got\s+)?(?:some|a few|lots of|a lot of|many|a bunch of|a pile of|a folder of|a set of|"
    rf"hundreds of|thousands of|\d+)?\s*(?:[\w-]+\s+){{0,2}}?(?P<b>{OWN_DATA_NOUNS})\b")


def read_own_data(reading: Reading) -> None:
    """The person speaks of data of their own ("tag the words in my sentences", "I have some
    pictures to sort") and names no file: the reply asks for it, not the sample."""
    if "dataset" in reading.result.changes or reading.slot("dataset").get("path"):
        return
    match = OWN_DATA.search(reading.text)
    if match:
        reading.result.wants_data = match.group("a") or match.group("b")


# ---------------------------------------------------------------- bundled data


def read_dataset_name(reading: Reading) -> bool:
    """A bundled dataset by name ("the sample data", "the demo reviews"), when no file is
    named: file plugins ("csv") mean nothing without a path. True when it is a new one."""
    if "dataset" in reading.result.changes:
        return False
    component = _named_in_other_order(reading) or _named_without_a_file(reading)
    if component is None:
        component, _ = reading.catalog.best("dataset", reading.text)
    if component is None or _needs_a_file(component):
        return False
    if reading.slot("dataset").get("name") != component.name:
        reading.result.set("dataset", {"name": component.name}, f"data: {component.title}")
        task = reading.draft.get("task") or "text-classification"
        if component.tasks and task not in component.tasks and "task" not in \
                reading.result.changes:  # the data says the task, as a file does
            reading.result.set("task", component.tasks[0], f"task: {component.tasks[0]}")
        return True
    reading.result.keep(f"data: {component.title}")
    return False


def _needs_a_file(component: Any) -> bool:
    return any(getattr(p, "required", False) for p in component.params)


def _named_without_a_file(reading: Reading) -> Any | None:
    """The latest dataset named that needs no file (a bundled sample): "the shapes demo
    with 500 images" is the sample, though "images" also names the folder dataset."""
    named = [m for m in reading.catalog.exact("dataset", reading.text)
             if not m.negated and not _needs_a_file(m.component)]
    named.sort(key=lambda m: (m.end, m.length))
    return named[-1].component if named else None


# between the words of a name said in another order: "the sample of shapes"
LINK = r"\s+(?:(?:of|with|of the|with the)\s+)?"


def _named_in_other_order(reading: Reading) -> Any | None:
    """A dataset whose name of several words is said in another order ("the shapes sample",
    "a sample of shapes" for "sample shapes"), when no other dataset is named outside those
    words: that one, not the one a single word of it names ("sample")."""
    text = reading.text
    for component in reading.catalog.by_kind.get("dataset", []):
        for phrase in reading.catalog.phrases(component):
            words = phrase.split()
            if not 2 <= len(words) <= 3:
                continue
            for order in dict.fromkeys(permutations(words)):
                match = re.search(r"\b" + LINK.join(map(re.escape, order)) + r"\b", text)
                if match and list(order) == words and match.group(0) == phrase:
                    continue  # said as it is written: the catalog finds it
                if match and not any(
                        m.component is not component and not m.negated and
                        (m.start < match.start() or m.end > match.end())
                        for m in reading.catalog.exact("dataset", text)):
                    return component
    return None


# ---------------------------------------------------------------- datasets named on a hub

# a dataset's ``phrases`` name the place it fetches datasets from by name ("the hub"): an id
# written next to one is that dataset's path ("ag_news from the hub", "the hub dataset imdb")
HUB_ID = r"(?P<id>[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?(?<=\w))"
DATA_NOUN = r"(?:data ?set|corpus|data)"
OWNER_ID = r"(?P<id>[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*(?<=\w))"
# the first folder of a local path more often than an owner on a hub
FOLDER_WORDS = frozenset("""data datasets dataset images photos pictures files input inputs raw
train test val valid validation home tmp mnt users downloads documents desktop""".split())
# words that sit where an id would and are never one ("push the model to the hub")
NOT_AN_ID = frozenset("""
a an the it its this that them these those one something anything everything some my our your
their model models backbone checkpoint checkpoints weights tokenizer adapter adapters run runs
results result data dataset datasets corpus file files download load fetch get pull grab use
take train fine-tune finetune tune sft push upload publish share from on off in at via hub
regression classification classifier tagging tagger training finetuning fine-tuning tuning
""".split())
# the split a held-out role is read from: "validate on the validation split", "test split test"
SPLIT_ROLES = {"validation": r"(?:validat\w*|dev|eval\w*)", "test": r"test\w*",
               "split": r"train\w*"}


def read_hub_dataset(reading: Reading) -> None:
    """A dataset named by its id on a hub that an installed dataset fetches from (its
    ``phrases`` say where: "from the hub", "on hugging face"): that dataset, with the id as
    its path. Read before the model ids, so "tatsu-lab/alpaca from the hub" is data."""
    if "dataset" in reading.result.changes:
        return
    for component in reading.catalog.by_kind.get("dataset", []):
        field = _id_param(component)
        if field is None or not component.phrases:
            continue
        found = _hub_mention(reading, component.phrases)
        if found is None:
            continue
        start, end, name = found
        reading.consume_written(start, end)
        name = _with_owner(reading, name)
        reading.result.set("dataset", {"name": component.name, field: name},
                           f"data: {name} ({component.title}; it is downloaded when the run "
                           "starts, not now: if this machine is offline and it is not in the "
                           "cache, the run says so)")
        _read_split_names(reading, component)
        return


def _with_owner(reading: Reading, name: str) -> str:
    """A bare id said again with its owner ("the conll2003 dataset from the hub,
    eriktks/conll2003") is that owner's: the full id, its words taken from the model reader."""
    if "/" in name:
        return name
    for match in re.finditer(rf"(?<![\w/.-]){OWNER_ID}(?![\w/-])", reading.message):
        if match.group("id").split("/")[-1].lower() == name.lower():
            reading.consume_written(match.start(), match.end())
            return match.group("id")
    return name


def _id_param(component: Any) -> str | None:
    """The option that takes the id: ``path``, or the one required text option."""
    required = [p for p in component.params if getattr(p, "required", False) and p.type is str]
    names = [p.name for p in required]
    return "path" if "path" in names else names[0] if len(names) == 1 else None


def _hub_mention(reading: Reading, phrases: tuple[str, ...]) -> tuple[int, int, str] | None:
    """``(start, end, id)`` of the first id named next to one of the ``phrases``."""
    source = "(?:" + "|".join(f"(?:{p})" for p in phrases) + ")"
    placements = (
        rf"(?<![\w-]){source}/{HUB_ID}(?![\w/-])",
        rf"(?<![\w/.-]){HUB_ID}(?:\s{{1,2}}(?P<noun>{DATA_NOUN}))?\s{{1,2}}(?:from|on|off|via|"
        rf"at|in|of)\s+(?:the\s+)?{source}(?![\w-])",
        rf"(?<![\w-]){source}(?:'s)?\s+(?P<noun>{DATA_NOUN})\s+(?:called\s+|named\s+)?{HUB_ID}"
        rf"(?![\w/-])",
        # "the ag_news hub dataset", "imdb HF data"
        rf"(?<![\w/.-]){HUB_ID}\s{{1,2}}{source}\s+(?P<noun>{DATA_NOUN})(?![\w-])",
    )
    found = [(match.start(), match.end(), match.group("id").rstrip("."), match)
             for pattern in placements
             for match in re.finditer(pattern, reading.message, re.IGNORECASE)]
    found = [f for f in found if _could_be_id(reading, f[2], f[3])]
    if found:  # one called data, or with its owner, before a bare word ("regression on the hub")
        start, end, name, _ = min(found, key=lambda f: (not _surely_an_id(f[2], f[3]), f[0]))
        return start, end, name
    # no hub said: an owner/name the data is said to be, that is no folder here
    said_data = (  # "on x/y", "the dataset is x/y", "data: x/y", "the x/y dataset"
        rf"\b(?:on|(?P<noun>{DATA_NOUN}))(?:\s+|\s*(?:is|=|:|called|named)\s*)(?:the\s+)?"
        rf"{OWNER_ID}(?:\s{{1,2}}(?P<after>{DATA_NOUN}))?(?![\w/-]|\.\w)",
        rf"(?<![\w/.-]){OWNER_ID}\s{{1,2}}(?P<after>{DATA_NOUN})(?![\w-])(?P<noun>)")
    for match in (m for pattern in said_data
                  for m in re.finditer(pattern, reading.message, re.IGNORECASE)):
        name = match.group("id")
        owner = name.split("/")[0]
        if owner.lower() in FOLDER_WORDS or (reading.base_dir / owner).exists() or \
                _names_a_component(reading, name):
            continue
        if _could_be_id(reading, name, match) and not _names_a_model(name, match):
            start = match.start("id") if not match.group("noun") else match.start()
            return start, match.end(), name
    return None


def _surely_an_id(name: str, match: re.Match) -> bool:
    """An id with its owner ("ucberkeley-dlab/measuring-hate-speech"), or one called data."""
    return "/" in name or bool(match.groupdict().get("noun"))


def _names_a_component(reading: Reading, name: str) -> bool:
    """"peft/lora", "lora/full": words of the catalog, not a dataset's owner and name."""
    words = {p for c in reading.catalog.components for p in reading.catalog.phrases(c)}
    return any(part.lower() in words for part in name.split("/"))


def _names_a_model(name: str, match: re.Match) -> bool:
    """An owner/name with no word calling it data that reads like a model."""
    from .model_words import MODEL_ID

    if match.group("noun") or match.group("after"):
        return False
    return bool(MODEL_ID.fullmatch(name) or re.search(r"(?i)model|bert|gpt|llama|-\d+[bm]\b",
                                                      name))


def _could_be_id(reading: Reading, name: str, match: re.Match) -> bool:
    """Not a plain word, not a model ("bert from the hub", unless called a dataset), not a
    file or folder that is here."""
    from .model_words import MODEL_ID

    if name.lower() in NOT_AN_ID or re.fullmatch(r"\d+(?:\.\d+)?", name):
        return False
    if reading.here(name).exists():
        return False
    called_data = "noun" in match.groupdict() and match.group("noun")
    return bool(called_data) or "/" in match.group(0) or not MODEL_ID.fullmatch(name)


def _read_split_names(reading: Reading, component: Any) -> None:
    """"validate on the validation split", "use the test split for testing": the options that
    name a split of the dataset, when it has them."""
    params = {p.name for p in component.params if p.type is str}
    for field, role in SPLIT_ROLES.items():
        if field not in params:
            continue
        match = re.search(
            rf"\b{role}\s+(?:on|with|using|against)\s+(?:the\s+)?[\"'`]?(?P<s>[\w.-]+)[\"'`]?\s+"
            rf"split\b|\b(?:the\s+)?[\"'`]?(?P<t>[\w.-]+)[\"'`]?\s+split\s+(?:for|as)\s+"
            rf"(?:the\s+)?{role}", reading.message, re.IGNORECASE)
        if match:
            name = match.group("s") or match.group("t")
            reading.result.set(f"dataset.{field}", name, f"{field}: the {name!r} split")
            reading.consume_written(match.start(), match.end())
    config = re.search(r"\b(?:the\s+)?(?:config(?:uration)?|subset)\s*(?:is\s+|=\s*|:\s*)?"
                       r"[\"'`]?(?P<c>[A-Za-z0-9][\w.-]*)|\b(?:the\s+)?[\"'`]?(?P<d>[A-Za-z0-9]"
                       r"[\w.-]*)[\"'`]?\s+(?:config(?:uration)?|subset)\b",
                       reading.message, re.IGNORECASE)
    name = config and (config.group("c") or config.group("d"))
    if "config" in params and name and name.lower() not in NOT_AN_ID | {"of", "with", "its"}:
        reading.result.set("dataset.config", name, f"config: {name}")
        reading.consume_written(config.start(), config.end())


# ---------------------------------------------------------------- a task's own columns

# the keys of a task's rows (tunekit.tasks): the input first, then the target
ROW_KEYS = {"token-classification": ("tokens", "tags"), "image-classification": ("image", "label")}


def move_columns_to_task(reading: Reading) -> None:
    """The text and label columns said for a dataset that has options of the task's own rows
    move there: "columns tokens and ner_tags" for tagging are ``tokens_column`` and
    ``tags_column`` (``<row key>_column``)."""
    dataset = reading.component("dataset", "dataset")
    if dataset is None:
        return
    params = {p.name for p in dataset.params}
    if "task" not in reading.result.changes:
        _task_of_own_columns(reading)
    task = reading.result.changes.get("task") or reading.draft.get("task") or ""
    for role, key in zip(("text_column", "label_column"), ROW_KEYS.get(task, ()), strict=False):
        field = f"{key}_column"
        said = reading.result.changes.get(f"dataset.{role}")
        if field in params and field != role and said and f"dataset.{field}" not in \
                reading.result.changes:
            del reading.result.changes[f"dataset.{role}"]
            reading.result.set(f"dataset.{field}", said)
            reading.result.noticed = [n.replace(role.replace("_", " "), field.replace("_", " "))
                                      for n in reading.result.noticed]


def _task_of_own_columns(reading: Reading) -> None:
    """An option of one task's own rows said outright ("image column 'img'") says the task."""
    common = {k for keys in ROW_KEYS.values() for k in keys if
              sum(k in other for other in ROW_KEYS.values()) > 1} | {"text", "label"}
    for task, keys in ROW_KEYS.items():
        said = [k for k in keys if k not in common and f"dataset.{k}_column" in
                reading.result.changes]
        if said and task != (reading.draft.get("task") or "text-classification"):
            reading.result.set("task", task, f"task: {task} (from the {said[0]} column)")
            return


def read_own_columns(reading: Reading) -> None:
    """Columns said by the name of a dataset's own column option ("image column 'img'",
    "tags column ner"), for the options other than the text and label columns."""
    dataset = reading.component("dataset", "dataset")
    if dataset is None:
        return
    # the options that take a column's name (an int one, CoNLL's tag_column, is an index)
    params = {p.name for p in dataset.params if p.type is str}
    for field in sorted(params):
        key = field.removesuffix("_column")
        if field == key or field in ("text_column", "label_column") or \
                f"dataset.{field}" in reading.result.changes:
            continue
        word = re.escape(key.rstrip("s")).replace("_", "[ _]")
        match = re.search(rf"\b{word}s?[ _]?{COLUMN}s?\s*(?:is|=|:)?\s*(?:named |called )?"
                          rf"{NAME}", reading.message, re.IGNORECASE)
        name = match and (match.group("q") or match.group("n"))
        if name and name.lower() not in FILLER:
            reading.result.set(f"dataset.{field}", name, f"{field.replace('_', ' ')}: {name}")
            reading.consume_written(match.start(), match.end())
