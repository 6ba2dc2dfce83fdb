"""The fallback when no rule reads a turn: the catalog ranked by meaning.

The rules (understand.py, tool_words.py) read what they recognise; a turn they leave empty
("make it learn less of the network") is compared here with everything the assistant knows how
to set or do: each installed component (its title, description and aliases, a third-party
plugin's as much as a built-in's), each task family (title, description, aliases) and the
assistant's own intents (check the data, find a learning rate, compare strategies...). The
texts are embedded by the bundled all-MiniLM-L6-v2 (encoder.py: numpy, no torch, no network),
an entry scores the best cosine of its texts against the turn, and the ranking is
deterministic: the same words against the same catalog give the same order.

What is done with the ranking is cautious. At ``PROPOSE`` or above, and ``MARGIN`` clear of
the second, the top component is *proposed*: named with its description (a strategy's says
which layers train) and held as an offer that only a yes or its button applies. Otherwise,
from ``ASK`` up, the best two or three are offered as buttons. Below ``ASK`` the turn is not
about anything in the catalog ("hello there") and the usual "I did not catch a setting"
stands. Nothing but a task is ever set by the fallback alone: a turn that describes a job
(``DESCRIBES_A_JOB``) whose closest entry is a task family sets that task when it is
``TASK_SURE`` and ``TASK_MARGIN`` clear of the next one, says "I read this as ..." with the
runner-up a button away and asks for the data; less sure, the two closest tasks are asked
between. The thresholds were chosen on the phrasings of tests/test_semantic.py and
tests/test_assistant_tasks_words.py.

The model loads at the first turn that needs it, once per process; the catalog's vectors are
kept on disk (``cache_folder()``) under a key of the model's files, one vector per text, so a
new plugin costs only its own texts and a start with the same catalog encodes nothing but the
turn.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .language import normalise

# cosine similarities (unit vectors), chosen on tests/test_semantic.py's 43 phrasings: none
# about nothing in the catalog ("hello there", "asdf qwerty") scored 0.40; at 0.65 and 0.05
# clear of the second, 6 of the 8 proposed were right (the two wrong: antonyms the model holds
# close, "thaw" for "freeze", hence a proposal that names the part and waits for a yes)
PROPOSE = 0.65
MARGIN = 0.05
ASK = 0.40
MOST_CHOICES = 3
# a task read by meaning alone (no rule named one, no file decided): set, and said so it can be
# corrected, at TASK_SURE and TASK_MARGIN clear of the next task; chosen on 81 task
# descriptions of tests/test_assistant_tasks_words.py and a set beside it: 30 were that sure,
# all 30 right (of the others the right task was one of the two offered for most)
TASK_SURE = 0.40
TASK_MARGIN = 0.08
# a turn that describes a job to train (what it does, or the thing that does it): only then is
# a task read by meaning ("the thing with words and numbers" is not one)
DESCRIBES_A_JOB = re.compile(
    r"\b(?:train|teach|build|make|creat|fine[- ]?tun|model|ai|bot|machine|system|tool|program|"
    r"classif|predict|detect|extract|recogni[sz]|generat|sort|tell|spot|find|answer|writ|label|"
    r"tag|estimat|guess|scor|flag|identif|decid|figure out|work out|learn|understand|read|"
    r"something that|one that|sorter|tagger|detector|writer|predictor)\w*")
# the slots a component of each kind fills; a kind not here (a future one) is only named
SLOTS = {"task": "task", "dataset": "dataset", "backbone": "backbone", "strategy": "strategy"}
LISTS = {"metric": "metrics", "exporter": "exporters", "augmentation": "augmentations"}


@dataclass(frozen=True)
class Entry:
    """Something a turn may mean: a component (``kind`` is its kind), a task family
    (``task``) or one of the assistant's intents (``intent``, with the words the rules read
    for it in ``say``)."""

    kind: str
    name: str
    title: str
    description: str
    texts: tuple[str, ...]
    say: str = ""

    @property
    def label(self) -> str:
        """The button: an intent's own words, "Use <title>" for a part of the run."""
        return self.say[:1].upper() + self.say[1:] if self.kind == "intent" else \
            f"Use {self.title}"


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


# the assistant's intents (what the rules do besides settings), as (name, title, the words
# the rules read for it, other ways to say it). A button of one sends its words as the next
# turn, so the rules handle it exactly as if typed: the tools that train are then offered,
# never started.
INTENTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("check-data", "Check the data", "check the data",
     ("look for problems in my data", "find duplicates and wrong labels in the training file",
      "validate my dataset before training", "is my data good enough")),
    ("lr-find", "Find a learning rate", "find a good learning rate",
     ("work out how fast the model should learn", "search for the best step size",
      "run the learning rate range test")),
    ("bakeoff", "Compare the strategies", "compare the strategies",
     ("which way of fine-tuning works best on my data", "try each strategy and see which wins",
      "benchmark the fine-tuning methods against each other")),
    ("advice", "Which strategy should I use?", "which strategy should I use?",
     ("what do you recommend", "what is the best way to fine-tune this", "give me advice")),
    ("show", "Show the run so far", "show the run so far",
     ("what have we got so far", "what will be trained", "summarise the settings")),
    ("start-over", "Start over", "start over",
     ("wipe everything and begin from nothing", "throw away all the settings")),
    ("undo", "Undo the last change", "undo",
     ("put it back the way it was", "I did not mean that change", "reverse what you just did")),
)


def entries(catalog: Any) -> list[Entry]:
    """Every entry of the live ``catalog`` (ui/assistant/catalog.py), in a fixed order."""
    from tunekit.tasks import describe, names

    found = []
    for component in catalog.components:
        found.append(_entry(component.kind, component.name, component.title,
                            component.description, component.aliases))
    known = set(names())
    for task in catalog.tasks():
        if task in known:  # describe() builds nothing: no torch
            family = describe(task)
            found.append(_entry("task", task, family.title, family.description,
                                (*family.aliases, *family.examples)))
    for name, title, say, ways in INTENTS:
        found.append(Entry("intent", name, title, "", tuple(dict.fromkeys(
            [title.lower(), say, *ways])), say))
    return found


def _entry(kind: str, name: str, title: str, description: str, aliases: Any) -> Entry:
    texts = [title, name.replace("-", " "), description, *aliases]
    return Entry(kind, name, title, description,
                 tuple(dict.fromkeys(t.strip() for t in texts if t and t.strip())))


# ---------------------------------------------------------------- the index


class Index:
    """The entries' vectors, and the ranking of a turn against them."""

    def __init__(self, found: list[Entry], encoder: Any, cache: Path | None):
        import numpy as np

        self.entries, self.encoder = found, encoder
        texts = list(dict.fromkeys(t for e in found for t in e.texts))
        vectors, self.computed = _cached_vectors(texts, encoder, cache)
        self.matrix = np.stack([vectors[t] for t in texts])
        where = {t: i for i, t in enumerate(texts)}
        self.rows = [[where[t] for t in e.texts] for e in found]

    def rank(self, text: str) -> list[Match]:
        """Every entry by its best text's cosine with ``text``, best first (ties by kind and
        name, so the order never depends on anything but the words)."""
        scores = self.matrix @ self.encoder.encode([text])[0]
        matches = [Match(e, round(float(scores[rows].max()), 4))
                   for e, rows in zip(self.entries, self.rows, strict=True)]
        return sorted(matches, key=lambda m: (-m.score, m.entry.kind, m.entry.name))


def _cached_vectors(texts: list[str], encoder: Any,
                    cache: Path | None) -> tuple[dict[str, Any], int]:
    """A vector per text: those on disk reused, the others encoded and added to the file.
    Returns them and how many were encoded."""
    import numpy as np

    known: dict[str, Any] = {}
    if cache is not None and cache.is_file():
        try:
            with np.load(cache, allow_pickle=False) as saved:
                known = dict(zip(saved["texts"].tolist(), saved["vectors"], strict=True))
        except (OSError, ValueError, KeyError):  # a damaged file is rebuilt, not trusted
            known = {}
    missing = [t for t in texts if t not in known]
    if missing:
        known.update(zip(missing, encoder.encode(missing), strict=True))
        if cache is not None:
            _save(cache, known)
    return known, len(missing)


def _save(cache: Path, vectors: dict[str, Any]) -> None:
    """Write the whole file beside itself, then swap it in: a reader sees the old file or
    the new one, never half of one. A folder that cannot be written costs only speed."""
    import numpy as np

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.stem}.{os.getpid()}.partial.npz")
        texts = list(vectors)
        np.savez(partial, texts=np.array(texts), vectors=np.stack([vectors[t] for t in texts]))
        os.replace(partial, cache)
    except OSError:
        pass


def cache_folder() -> Path:
    """``$TUNEKIT_CACHE_DIR/assistant``, else the user's cache (``~/.cache/tunekit/assistant``):
    the vectors depend only on the model and the words, so every project shares them."""
    root = os.environ.get("TUNEKIT_CACHE_DIR")
    if root:
        return Path(root) / "assistant"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tunekit" / "assistant"


_LOCK = threading.Lock()  # the studio's sessions share one encoder and index
_ENCODER: dict[str, Any] = {}
_INDEXES: dict[str, Index] = {}


def index_for(catalog: Any) -> Index | None:
    """The index of ``catalog``, built once per process and catalog; None when the bundled
    model is not installed (the fallback is then simply not there)."""
    from .encoder import Encoder, fingerprint, model_folder

    folder = model_folder()
    if folder is None:
        return None
    found = entries(catalog)
    with _LOCK:
        key = fingerprint(folder)
        if key not in _ENCODER:
            _ENCODER.clear()  # other weights: the old encoder and its vectors are stale
            _INDEXES.clear()
            _ENCODER[key] = Encoder(folder)
        texts = repr([(e.kind, e.name, e.texts) for e in found]).encode()
        wanted = key + hashlib.sha256(texts).hexdigest()[:16]
        if wanted not in _INDEXES:
            _INDEXES[wanted] = Index(found, _ENCODER[key],
                                     cache_folder() / f"embeddings-{key}.npz")
        return _INDEXES[wanted]


# ---------------------------------------------------------------- what the assistant says


def _index_or_none(catalog: Any) -> Index | None:
    """The catalog's index, or None where the model is not installed or its install is
    damaged: that costs the fallback, never the turn (the examples are said instead)."""
    try:
        return index_for(catalog)
    except (ImportError, OSError, ValueError, KeyError):
        return None


def suggest(assistant: Any, message: str) -> Any:
    """What to say to a turn the rules could not read (a ``tool_talk.Said``: text, buttons
    and the offers they accept), or None when nothing in the catalog is close to it."""
    index = _index_or_none(assistant.catalog)
    if index is None:
        return None
    close = [m for m in index.rank(message) if m.score >= ASK][:MOST_CHOICES]
    if not close:
        return None
    top = close[0]
    clear = len(close) < 2 or top.score - close[1].score >= MARGIN
    if top.score >= PROPOSE and clear and top.entry.kind != "intent":
        return _propose(assistant, top.entry, close[1:])
    return _ask(assistant, close)


def task_by_meaning(assistant: Any, message: str) -> tuple[list[Entry], bool] | None:
    """For a turn the rules read nothing in whose closest entry is a task family: the two
    closest tasks, best first, and whether the best is sure enough to be set (TASK_SURE,
    TASK_MARGIN); None when the turn is closer to something else, or the model is not
    installed."""
    index = _index_or_none(assistant.catalog)
    if index is None:
        return None
    if not DESCRIBES_A_JOB.search(normalise(message)):
        return None
    ranked = index.rank(message)
    if not ranked or ranked[0].entry.kind != "task" or ranked[0].score < ASK:
        return None
    tasks = [m for m in ranked if m.entry.kind == "task"][:2]
    sure = len(tasks) < 2 or (tasks[0].score >= TASK_SURE and
                              tasks[0].score - tasks[1].score >= TASK_MARGIN)
    return [m.entry for m in tasks], sure


def ask_task(assistant: Any, choices: list[Entry]) -> Any:
    """Two tasks the turn may mean, as buttons that set the task."""
    from .tool_talk import Offer, Said

    said = Said("That sounds like a task to train, but I am not sure which. Is it one of "
                "these?\n\n" + "\n".join(f"- **{e.title}** (`{e.name}`): "
                                          f"{e.description.rstrip('.')}" for e in choices))
    for entry in choices:
        said.choices.append(entry.label)
        said.offers[_key(entry.label)] = Offer("apply", {"task": entry.name})
    return said


def _propose(assistant: Any, entry: Entry, others: list[Match]) -> Any:
    """The top entry named, with what it would set, held until a yes."""
    from .tool_talk import NOT_NOW, Offer, Said

    changes, problem = _changes(assistant, entry)
    about = f"**{entry.title}** (the {_kind_word(entry.kind)} `{entry.name}`)" + (
        f": {entry.description.rstrip('.')}." if entry.description else ".")
    if problem:
        return Said(f"I did not catch a setting in that; the closest I know is {about} It "
                    f"cannot be used as the run is now: {problem}")
    if not changes:
        return Said(f"That sounds like {about} The run already uses it.")
    offer = Offer("apply", changes)
    said = Said(f"I did not catch a setting in that, but it sounds like {about}\n\nShall I "
                f"set {_what(changes)}? Nothing changes until you say yes.",
                [entry.label], {_key(entry.label): offer}, offer)
    _add_choices(assistant, said, others)
    said.choices.append(NOT_NOW)  # the dialogue reads it as a refusal
    return said


def _ask(assistant: Any, close: list[Match]) -> Any:
    """The best two or three as buttons; a plain yes accepts none of them."""
    from .tool_talk import Said

    said = Said("I did not catch a setting in that. Did you mean one of these?\n\n"
                + "\n".join(_line(assistant, m.entry) for m in close))
    _add_choices(assistant, said, close)
    return said


def _line(assistant: Any, entry: Entry) -> str:
    """One of the choices in words: its title, kind, description, and whether it can be set."""
    line = f"- **{entry.title}** ({_kind_word(entry.kind)})" + (
        f": {entry.description.rstrip('.')}" if entry.description else "")
    if entry.kind == "intent":
        return line
    changes, problem = _changes(assistant, entry)
    if problem:
        return f"{line} (not usable as the run is now: {problem})"
    return line if changes else f"{line} (the run already uses it)"


def _add_choices(assistant: Any, said: Any, matches: list[Match]) -> None:
    """A button per match: a component's applies its change when clicked; an intent's sends
    its words, which the rules then read."""
    from .tool_talk import Offer

    for match in matches:
        entry = match.entry
        if entry.kind == "intent":
            said.choices.append(entry.label)
            continue
        changes, problem = _changes(assistant, entry)
        if changes and not problem:
            said.choices.append(entry.label)
            said.offers[_key(entry.label)] = Offer("apply", changes)


def _changes(assistant: Any, entry: Entry) -> tuple[dict[str, Any], str]:
    """The fields choosing ``entry`` sets on the draft ({} when it is already so), and why
    it cannot be used ("" when it can): checked on a copy, as a yes would apply it."""
    from tunekit.errors import TunekitError
    from tunekit.spec import parse_spec, retarget, set_field

    spec = assistant.spec()
    if entry.kind in LISTS:
        key = LISTS[entry.kind]
        items = spec.get(key) or []
        named = [i.get("name") if isinstance(i, dict) else i for i in items]
        changes: dict[str, Any] = {} if entry.name in named else {
            key: [*items, {"name": entry.name}]}
    elif entry.kind in SLOTS:
        current = spec.get(entry.kind)
        name = current.get("name") if isinstance(current, dict) else current
        value = entry.name if entry.kind == "task" else {"name": entry.name}
        changes = {} if name == entry.name else {entry.kind: value}
    else:
        return {}, f"a {entry.kind} is not set from the chat"
    trial = deepcopy(assistant.draft)
    for path, value in changes.items():
        if path == "task":
            retarget(trial, value, assistant.manager)
        else:
            set_field(trial, path, value)
    try:
        parse_spec(trial, assistant.manager, base_dir=assistant.base_dir)
    except TunekitError as exc:
        if exc.where in ("dataset", "backbone") and not trial.get(exc.where):
            return changes, ""  # a task with no bundled part: the dialogue asks for it next
        return changes, str(exc)
    return changes, ""


def _what(changes: dict[str, Any]) -> str:
    said = []
    for path, value in changes.items():
        if path == "task":
            said.append(f"the task to **{value}**")
        elif isinstance(value, list):
            said.append(f"the {path} to **{', '.join(i['name'] for i in value)}**")
        else:
            said.append(f"the {path} to **{value['name']}**")
    return " and ".join(said)


def _kind_word(kind: str) -> str:
    return {"backbone": "model", "intent": "action"}.get(kind, kind)


def _key(label: str) -> str:
    """An offer's key: the label as the dialogue reads it back (dialogue._accepted)."""
    return normalise(label).strip(" .!")
