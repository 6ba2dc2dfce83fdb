"""Datasets of tagged sentences (token-classification): ``conll`` column files, ``tagged-jsonl``,
and ``sample-ner``, a small named-entity sample tunekit writes itself.

Every loader yields ``{"tokens": [word, ...], "tags": [tag, ...]}`` rows with BIO tags
(``O``, ``B-TYPE``, ``I-TYPE``) or plain tags (parts of speech: ``NN``, ``VBD``...; the
scheme is read off the file's tags, ``tunekit.tagging``), and refuses malformed input naming
the file and line.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tunekit
from tunekit.data import carve, encoding_problem, read_problem
from tunekit.tagging import tags_problem

from . import looks
from .files import DEDUPLICATE, resolve_path

TASKS = ("token-classification",)
Row = dict[str, list[str]]

FILE_PARAMS = (
    tunekit.Param(name="path", type=str, required=True, help="the file with the sentences"),
    tunekit.Param(name="validation_path", type=str, help="a separate file for validation"),
    tunekit.Param(name="test_path", type=str, help="a separate file for the final test"),
    tunekit.Param(name="validation_split", type=float, default=0.15, min=0.01, max=0.5,
                  help="share of the sentences held out (at random) for validation when there "
                       "is no validation file"),
    tunekit.Param(name="test_split", type=float, default=0.0, min=0.0, max=0.5,
                  help="share held out as a test set when there is no test file"),
    DEDUPLICATE,
)


def read_text(path: Path) -> str:
    """A file's text, or a DataError saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise tunekit.DataError(encoding_problem(path, exc.start), where=str(path),
                                hint="save it as UTF-8") from None
    except OSError as exc:
        raise tunekit.DataError(read_problem(exc), where=str(path)) from None


def _check_tags(tags: list[tuple[str, str]]) -> None:
    """A DataError at the first ``(where, tag)`` that breaks the scheme of the file's tags."""
    found = tags_problem(tags)
    if found:
        raise tunekit.DataError(found[1], where=found[0],
                                hint="use one scheme: O, B-TYPE and I-TYPE for entities, or "
                                     "plain tags (NN, VB...) for parts of speech")


# CoNLL-U's columns: ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC
UPOS = 3


def _not_a_word(line: str) -> bool:
    """A CoNLL-U line that is no word of the sentence: a multiword token's range (``1-2``) or
    an empty node (``1.1``)."""
    first = line.split("\t", 1)[0]
    return "-" in first or "." in first


def read_conll(path: Path, options: dict[str, Any]) -> list[Row]:
    """Sentences of a CoNLL-style column file: a word per line, its token in the first column
    and its tag in column ``tag_column`` (the last by default), columns separated by spaces or
    tabs, a blank line between sentences; ``-DOCSTART-`` lines are skipped.

    A CoNLL-U file (Universal Dependencies: ``.conllu``, ten tab-separated columns, the first
    the word's number) is read by its own layout: the token is FORM (column 1), the tag UPOS
    (column 3) unless ``tag_column`` says another, ``#`` comment lines and the multiword-token
    (``1-2``) and empty-node (``1.1``) lines are skipped."""
    text = read_text(path)
    column = options["tag_column"]
    conllu = path.suffix.lower() == ".conllu"
    if conllu:  # the columns are counted from ID; the lines are read from FORM on
        column = UPOS if column == -1 else column
        column = column - 1 if column > 0 else column
    sentences: list[Row] = []
    tokens: list[str] = []
    tags: list[str] = []
    seen: list[tuple[str, str]] = []  # (where, tag): checked together, as one scheme
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{number}"
        if conllu and (line.startswith("#") or _not_a_word(line)):
            continue
        fields = line.split("\t") if conllu and line.strip() else line.split()
        if conllu and fields:
            fields = fields[1:]  # the word's number is no token
        if not fields:
            if tokens:
                sentences.append({"tokens": tokens, "tags": tags})
                tokens, tags = [], []
            continue
        if fields[0] == "-DOCSTART-":
            continue
        if len(fields) < 2:
            raise tunekit.DataError(f"one column ({fields[0]!r}): each line needs a token and "
                                    "its tag", where=where,
                                    hint="write 'token tag' (space or tab between them); a "
                                         "blank line ends a sentence")
        if not -len(fields) <= column < len(fields) or column in (0, -len(fields)):
            raise tunekit.DataError(f"no tag in column {column} (the line has {len(fields)} "
                                    "columns; the token is column 0)", where=where,
                                    hint="set dataset.tag_column to the tag's column (-1: "
                                         "the last)")
        seen.append((where, fields[column]))
        tokens.append(fields[0])
        tags.append(fields[column])
    _check_tags(seen)
    if tokens:
        sentences.append({"tokens": tokens, "tags": tags})
    if not sentences:
        raise tunekit.DataError("no sentences in the file (it is empty)", where=str(path),
                                hint="a CoNLL file has a 'token tag' line per word and a blank "
                                     "line between sentences")
    return sentences


def read_tagged_jsonl(path: Path, options: dict[str, Any]) -> list[Row]:
    """Sentences of a JSON-lines file: one object per line with a list of tokens and a list
    of as many tags (fields ``tokens`` and ``tags`` unless the options name others)."""
    text = read_text(path)
    tokens_field, tags_field = options["tokens_field"], options["tags_field"]
    sentences: list[Row] = []
    seen: list[tuple[str, str]] = []  # (where, tag): checked together, as one scheme
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise tunekit.DataError(f"invalid JSON: {exc.msg}", where=where) from None
        if not isinstance(item, dict):
            raise tunekit.DataError("each line must be a JSON object", where=where)
        tokens, tags = item.get(tokens_field), item.get(tags_field)
        for role, name, value in (("tokens", tokens_field, tokens), ("tags", tags_field, tags)):
            if value is None:
                found = ", ".join(item) or "none"
                raise tunekit.DataError(f"no {name!r} field (fields: {found})", where=where,
                                        hint=f"set dataset.{role}_field to the field with the "
                                             f"{role}")
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise tunekit.DataError(f"{name!r} must be a list of strings", where=where)
        if not tokens:
            raise tunekit.DataError(f"{tokens_field!r} is empty", where=where)
        if len(tokens) != len(tags):
            raise tunekit.DataError(f"{len(tokens)} tokens but {len(tags)} tags", where=where,
                                    hint="give one tag per token")
        seen += [(where, tag) for tag in tags]
        sentences.append({"tokens": tokens, "tags": tags})
    _check_tags(seen)
    if not sentences:
        raise tunekit.DataError("the file is empty", where=str(path))
    return sentences


def make_loader(reader: Callable[[Path, dict[str, Any]], list[Row]]) -> Any:
    def load(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
        path = resolve_path(options["path"], context.base_dir, "dataset.path")
        notes: list[str] = []
        rows = reader(path, options)
        given = {split: reader(resolve_path(options[f"{split}_path"], context.base_dir,
                                            f"dataset.{split}_path"), options)
                 for split in ("test", "validation") if options[f"{split}_path"]}
        return carve(rows, source=str(path), seed=context.seed,
                     validation_split=options["validation_split"],
                     test_split=options["test_split"], validation=given.get("validation"),
                     test=given.get("test"), stratify=False,
                     dedupe=options.get("deduplicate", False), noun="sentences", notes=notes)

    return load


# ---------------------------------------------------------------- sample-ner

FIRST_NAMES = ("Anna", "Ben", "Clara", "David", "Elena", "Farid", "Grace", "Hugo", "Ines",
               "Jonas", "Keiko", "Liam", "Maria", "Nadia", "Oscar", "Priya", "Rosa", "Samuel",
               "Tariq", "Yusuf")
LAST_NAMES = ("Garcia", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Schmidt", "Rossi",
              "Kowalski", "Haddad", "Fischer", "Costa")
PLACES = (("Paris",), ("Lisbon",), ("Nairobi",), ("Osaka",), ("Toronto",), ("Berlin",),
          ("Lima",), ("Cairo",), ("New", "York"), ("Buenos", "Aires"), ("Cape", "Town"),
          ("San", "Diego"), ("Hong", "Kong"), ("Rio", "de", "Janeiro"))
ORGANISATIONS = (("Acme", "Corp"), ("Globex",), ("Initech",), ("Red", "Cross"),
                 ("United", "Nations"), ("Vandelay", "Industries"), ("Northwind",),
                 ("Blue", "Harbor", "Bank"), ("Stark", "Labs"), ("Umbrella",),
                 ("Oceanic", "Airlines"), ("Pied", "Piper"))
# each template's slots: {PER}, {LOC}, {ORG}; the other words are O
TEMPLATES = (
    "{PER} works for {ORG} in {LOC} .",
    "{PER} moved to {LOC} last year .",
    "{ORG} opened a new office in {LOC} .",
    "Yesterday {PER} met {PER} at the {ORG} headquarters .",
    "The {ORG} team visited {LOC} in May .",
    "{PER} said that {ORG} will hire more staff .",
    "According to {PER} , prices in {LOC} keep rising .",
    "{ORG} and {ORG} signed an agreement .",
    "She flew from {LOC} to {LOC} on Monday .",
    "{PER} is the new director of {ORG} .",
    "A spokesperson for {ORG} declined to comment .",
    "The conference in {LOC} was opened by {PER} .",
    "Shares of {ORG} fell sharply on Friday .",
    "{PER} grew up near {LOC} .",
    "Nobody expected the storm that hit {LOC} .",
    "{PER} thanked {PER} for the help .",
)


def _entity(kind: str, rng: random.Random) -> list[str]:
    if kind == "PER":
        return [rng.choice(FIRST_NAMES)] + ([rng.choice(LAST_NAMES)] if rng.random() < 0.6
                                            else [])
    return list(rng.choice(PLACES if kind == "LOC" else ORGANISATIONS))


def sample_ner_rows(n: int = 400, seed: int = 0) -> list[Row]:
    """``n`` different sentences from templates, with people (PER), places (LOC) and
    organisations (ORG) tagged in BIO; the same ``seed`` gives the same sentences."""
    rng = random.Random(seed)
    rows: list[Row] = []
    seen: set[str] = set()
    attempts = 0
    while len(rows) < n:
        attempts += 1
        if attempts > n * 200:
            raise tunekit.SpecError(f"cannot make {n} different sentences from the templates",
                                    where="dataset.n", hint="ask for fewer")
        tokens, tags = [], []
        for word in rng.choice(TEMPLATES).split():
            if word in ("{PER}", "{LOC}", "{ORG}"):
                kind = word[1:-1]
                entity = _entity(kind, rng)
                tokens += entity
                tags += [f"B-{kind}"] + [f"I-{kind}"] * (len(entity) - 1)
            else:
                tokens.append(word)
                tags.append("O")
        key = " ".join(tokens)
        if key in seen:  # a copy would leak between the splits
            continue
        seen.add(key)
        rows.append({"tokens": tokens, "tags": tags})
    return rows


def load_sample_ner(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
    rows = sample_ner_rows(options["n"], options["seed"])
    return carve(rows, source=f"sample-ner ({options['n']} generated sentences)",
                 seed=options["seed"], validation_split=options["validation_split"],
                 test_split=options["test_split"], stratify=False, noun="sentences")


@tunekit.hookimpl
def register_datasets(register):
    register(tunekit.Dataset(
        name="conll",
        title="CoNLL column file",
        description="Tagged sentences in a CoNLL-style column file (as CoNLL-2003 NER): one "
                    "word per line with its token first and its tag last (BIO entity tags, or "
                    "plain tags such as parts of speech), a blank line between sentences.",
        aliases=("conll file", "conll-2003", "conll 2003", "column file", "iob file",
                 "bio file", "ner file"),
        tasks=TASKS,
        params=(*FILE_PARAMS,
                tunekit.Param(name="tag_column", type=int, default=-1,
                              help="which column holds the tag (0 is the token; -1, the "
                                   "default, is the last)")),
        load=make_loader(read_conll),
        reads=looks.conll_file,
    ))
    register(tunekit.Dataset(
        name="tagged-jsonl",
        title="Tagged JSON lines",
        description="Tagged sentences in a JSON-lines file: one object per line with a list of "
                    "tokens and a list of as many tags (BIO entity tags, or plain tags such as "
                    "parts of speech).",
        aliases=("tagged json lines", "ner jsonl", "tokens and tags", "jsonl tags"),
        tasks=TASKS,
        params=(*FILE_PARAMS,
                tunekit.Param(name="tokens_field", type=str, default="tokens",
                              help="the field with the list of tokens"),
                tunekit.Param(name="tags_field", type=str, default="tags",
                              help="the field with the list of tags")),
        load=make_loader(read_tagged_jsonl),
        reads=looks.tagged_records,
    ))
    register(tunekit.Dataset(
        name="sample-ner",
        title="Sample NER (bundled)",
        description="A small named-entity sample tunekit generates itself: a few hundred "
                    "sentences with people (PER), places (LOC) and organisations (ORG) tagged. "
                    "Good for a first tagging run.",
        aliases=("sample ner", "ner sample", "sample entities", "demo ner", "toy ner",
                 "bundled ner", "example ner data", "sample tagging data"),
        tasks=TASKS,
        params=(tunekit.Param(name="n", type=int, default=400, min=20, max=5000,
                              help="sentences in all"),
                tunekit.Param(name="seed", type=int, default=0,
                              help="seed of the generated sentences"),
                tunekit.Param(name="validation_split", type=float, default=0.15, min=0.01,
                              max=0.5, help="share held out for validation"),
                tunekit.Param(name="test_split", type=float, default=0.15, min=0.0, max=0.5,
                              help="share held out as a test set")),
        load=load_sample_ner,
    ))
