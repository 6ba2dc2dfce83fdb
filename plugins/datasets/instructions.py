"""Data for ``causal-lm``: ``text-jsonl`` (JSON lines of instructions, chats or texts) and
``sample-instructions`` (a small instruction set tunekit writes itself).

Each line of a ``text-jsonl`` file is one of

    {"instruction": "Add 3 and 4", "response": "3 plus 4 is 7."}          (optional "input")
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    {"text": "Any text the model should learn to write like."}

or the same in another tool's field names (alpaca's ``output``, ShareGPT's ``conversations``
of ``{from, value}``, ``prompt``/``completion``, ``question``/``answer``: ``lm_records``), and
the forms may be mixed. A line that is none of them stops the load with its line number. A
``.json`` file may instead hold one array of such records (alpaca_data.json). A plain text
file (.txt, .text, .md: a corpus, a handbook) is read as texts: each paragraph (lines up to a
blank line) one ``{"text": ...}``.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import tunekit
from tunekit.data import deduplicate, split_random

from . import looks
from .files import DEDUPLICATE, _json_array, resolve_path
from .lm_records import standard_row

TASKS = ("causal-lm",)


# ---------------------------------------------------------------- text-jsonl


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON-lines file of instructions, chats or texts; a DataError naming the
    line for anything else."""
    from tunekit.tasks.causal_lm import form_of

    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise tunekit.DataError(f"not UTF-8 text (byte {exc.start})", where=str(path),
                                hint="save the file as UTF-8") from None
    except OSError as exc:
        raise tunekit.DataError(f"cannot read the file: {exc.strerror or exc}",
                                where=str(path)) from None
    if path.suffix.lower() in looks.PLAIN_TEXT_SUFFIXES:
        return _paragraphs(raw, path)
    rows = []
    for where, record in _records(raw, path):
        row = standard_row(record, where)
        form_of(row, where)
        rows.append(row)
    if not rows:
        raise tunekit.DataError("the file has no examples", where=str(path))
    return rows


def _records(raw: str, path: Path) -> list[tuple[str, Any]]:
    """``(where, record)`` for each record of a JSON-lines file, or of a file holding one JSON
    array of records (alpaca_data.json is one)."""
    lines = raw.splitlines()
    array = _json_array(path, lines)
    if array is not None:
        return [(f"{path}: record {number}", record) for number, record in array[1]]
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            records.append((where, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise tunekit.DataError(f"not JSON: {exc.msg} (column {exc.colno})", where=where,
                                    hint="write one JSON object per line") from None
    return records


def _paragraphs(raw: str, path: Path) -> list[dict[str, Any]]:
    """A plain text file's paragraphs (lines joined up to a blank line), each one text."""
    rows = [{"text": " ".join(line.strip() for line in block.splitlines())}
            for block in re.split(r"\n\s*\n", raw) if block.strip()]
    if not rows:
        raise tunekit.DataError("the file has no text", where=str(path))
    return rows


def split_off(rows: list[dict[str, Any]], fraction: float,
              seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(kept, held out)``: a seeded random ``fraction`` of the rows held out (at least one),
    both sides in the file's order; copies (the same instruction and input, the same user
    turns, the same text) stay on one side."""
    return split_random(rows, fraction, seed, keep_order=True)


def load_text_jsonl(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
    path = resolve_path(options["path"], context.base_dir, "dataset.path")
    train = read_rows(path)
    notes = []
    if options.get("deduplicate", False):
        train, removed = deduplicate(train, label_key=None)
        if removed:
            notes.append(f"removed {removed} examples that were copies of another "
                         "(dataset.deduplicate)")
    held_out: tuple[str, ...] = ()
    if options["validation_path"]:
        validation = read_rows(resolve_path(options["validation_path"], context.base_dir,
                                            "dataset.validation_path"))
    else:
        if len(train) < 2:
            raise tunekit.DataError("one example cannot be split into training and validation",
                                    where=str(path), hint="add examples, or a validation_path")
        train, validation = split_off(train, options["validation_fraction"], context.seed)
        held_out = ("validation",)
        notes.append(f"held out {len(validation)} of {len(train) + len(validation)} examples "
                     "for validation (copies of one example kept on one side)")
    test = read_rows(resolve_path(options["test_path"], context.base_dir, "dataset.test_path")) \
        if options["test_path"] else None
    return tunekit.DataSplits(train=train, validation=validation, test=test, source=str(path),
                              notes=notes, held_out=held_out)


# ---------------------------------------------------------------- sample-instructions

# made-up places, so that no model knows the answers before it is taught them
COUNTRIES = ("zorvia", "plendor", "kastamar", "ulvenia", "brisk", "ostraland", "meribel",
             "quandor", "tessaly", "vormund", "elbaria", "nimbra")
CAPITALS = ("lumen", "dask", "orrin", "velt", "pim", "harrow", "sela", "coldwater", "arn",
            "fenwick", "maro", "tule")
WORDS = ("cat", "dog", "sun", "tree", "book", "lamp", "river", "stone", "apple", "cloud",
         "bread", "chair", "train", "water", "green", "music", "house", "light", "paper", "star")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COLOURS = {"lemon": "yellow", "grass": "green", "sky": "blue", "snow": "white", "coal": "black",
           "tomato": "red", "orange": "orange", "plum": "purple"}


def _pairs() -> list[list[tuple[str, str]]]:
    """Every instruction / response pair of each of the eight simple tasks."""
    kinds = [
        [(f"Add {a} and {b}.", f"{a} plus {b} is {a + b}.")
         for a in range(10) for b in range(10)],
        [(f"Subtract {b} from {a}.", f"{a} minus {b} is {a - b}.")
         for a in range(10) for b in range(a + 1)],
        [(question.format(country.title()),
          f"The capital of {country.title()} is {capital.title()}.")
         for country, capital in zip(COUNTRIES, CAPITALS, strict=True)
         for question in ("What is the capital of {}?", "Name the capital of {}.",
                          "Which city is the capital of {}?")],
        [(f"Repeat the word {word} {times} times.", " ".join([word] * count))
         for word in WORDS for times, count in (("two", 2), ("three", 3))],
        [(f"Which day comes after {day.title()}?",
          f"After {day.title()} comes {DAYS[(i + 1) % 7].title()}.")
         for i, day in enumerate(DAYS)]
        + [(f"Which day comes before {day.title()}?",
            f"Before {day.title()} comes {DAYS[i - 1].title()}.") for i, day in enumerate(DAYS)],
        [(f"Count from {n} to {n + 4}.", ", ".join(str(k) for k in range(n, n + 5)) + ".")
         for n in range(1, 41)],
        [(question.format(thing), f"{thing.capitalize()} is {colour}.")
         for thing, colour in COLOURS.items()
         for question in ("What colour is {}?", "Tell me the colour of {}.")],
        [(f"Spell the word {word}.", " ".join(word.upper()) + ".") for word in WORDS],
    ]
    return kinds


def sample_instructions(n: int = 300, seed: int = 0) -> list[dict[str, str]]:
    """``n`` different instruction / response pairs of eight simple, learnable tasks (adding,
    subtracting, made-up capitals, repeating, weekdays, counting, colours, spelling), as
    many of each task as there are, in a fixed order for a given seed."""
    rng = random.Random(seed)
    kinds = _pairs()
    available = sum(len(k) for k in kinds)
    if n > available:
        raise tunekit.DataError(f"the sample has {available} different pairs, not {n}",
                                where="dataset.n", hint=f"ask for at most {available}")
    for pairs in kinds:
        rng.shuffle(pairs)
    rows: list[dict[str, str]] = []
    turn = 0
    while len(rows) < n:  # round robin over the tasks, skipping the ones used up
        pairs = kinds[turn % len(kinds)]
        turn += 1
        if pairs:
            instruction, response = pairs.pop()
            rows.append({"instruction": instruction, "response": response})
    rng.shuffle(rows)
    return rows


def load_sample(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
    rows = sample_instructions(options["n"], options["seed"])
    train, validation = split_off(rows, options["validation_fraction"], options["seed"])
    return tunekit.DataSplits(train=train, validation=validation,
                              source=f"sample-instructions ({len(rows)} generated pairs)",
                              held_out=("validation",))


VALIDATION_FRACTION = tunekit.Param(
    name="validation_fraction", type=float, default=0.2, min=0.01, max=0.5,
    help="share of the examples held out for validation (a seeded random split) when there "
         "is no validation file")


@tunekit.hookimpl
def register_datasets(register):
    register(tunekit.Dataset(
        name="text-jsonl",
        title="Instructions, chats or texts (JSON lines or plain text)",
        description="A JSON-lines file for language-model fine-tuning: each line an "
                    "instruction and its response ({instruction, response}, optional input; "
                    "also alpaca's {instruction, input, output}, {prompt, completion}, "
                    "{question, answer}, {input, output}), a chat ({messages: [{role, "
                    "content}, ...]}, or ShareGPT's {conversations: [{from, value}, ...]}) or "
                    "a plain text ({text}); or one JSON array of such records, or a plain .txt "
                    "file, each paragraph one text.",
        aliases=("instructions", "instruction data", "chat data", "conversations", "sft data",
                 "instruction jsonl", "chat jsonl", "jsonl instructions", "text corpus"),
        tasks=TASKS,
        params=(
            tunekit.Param(name="path", type=str, required=True,
                          help="the JSON-lines file with the examples (or a plain .txt "
                               "file: each paragraph one text)"),
            tunekit.Param(name="validation_path", type=str,
                          help="a separate file for validation"),
            tunekit.Param(name="test_path", type=str, help="a separate file for the final test"),
            VALIDATION_FRACTION,
            DEDUPLICATE,
        ),
        load=load_text_jsonl,
        reads=looks.instruction_file,
        explains=looks.instruction_shape,
    ))
    register(tunekit.Dataset(
        name="sample-instructions",
        title="Sample instructions (bundled)",
        description="A bundled instruction set tunekit writes itself: 300 short instructions "
                    "and answers of eight simple tasks (adding, subtracting, made-up capitals, "
                    "counting, weekdays, colours, repeating and spelling words). Good for a first "
                    "language-model run.",
        aliases=("sample instructions", "bundled instructions", "demo instructions",
                 "instruction sample", "toy instructions"),
        tasks=TASKS,
        params=(
            tunekit.Param(name="n", type=int, default=300, min=20, max=2000,
                          help="instruction / response pairs in all"),
            tunekit.Param(name="seed", type=int, default=0, help="seed of the generated pairs"),
            VALIDATION_FRACTION,
        ),
        load=load_sample,
    ))
