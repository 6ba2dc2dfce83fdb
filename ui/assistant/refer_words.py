"""A turn that refers back to what the question before it was about.

"is r2 or mae better?" ... "ok, show me both": both are r2 and mae. "can tunekit use datasets
from the hugging face hub?" ... "great, then ag_news": ag_news is a dataset of that hub. The
question's components (``asked_about``) are carried to the next turn
(``Understanding.carried["asked"]``, as ``(kind, name)`` pairs; a ``("task", name)`` pair is the
task the question named: "is the hub supported for NER data?" ... "good, wnut_17 please" is a
tagging dataset); ``read_referred`` runs first on that turn and writes the referent in place of
the words that point at it, or takes a bare name as the id of the dataset the question was
about, with the task it was asked for. Nothing is carried past that turn.
"""

from __future__ import annotations

import re
from typing import Any

from .language import normalise
from .reading import Reading

# kinds a question may be about, in the order they are looked for
KINDS = ("strategy", "backbone", "dataset", "metric", "exporter", "augmentation")
# kinds a run holds several of: "both", "all of them" add them all
LISTED = ("metric", "exporter", "augmentation")
ALL_OF_THEM = re.compile(r"\b(?:both(?: of (?:them|those|these))?|all (?:of )?(?:them|those|these)|"
                         r"all (?:two|three|four|2|3|4)|(?:those|these|the) (?:two|three|2|3)"
                         r"(?: ones)?|each of (?:them|those))\b", re.IGNORECASE)
# one of them: "that one", "the former", "the second one"
ONE_OF_THEM = re.compile(r"\b(?:that|this|the) one\b|\bthe (?P<first>former|first(?: one)?)\b|"
                         r"\bthe (?P<last>latter|second(?: one)?|last(?: one)?)\b",
                         re.IGNORECASE)
# where a bare name stands for the data: "then ag_news", "ok, imdb please", "use yelp_review"
LEAD = (r"(?:then|use|using|try|load|take|pick|with|on|go with|how about|what about|switch to|"
        r"let'?s (?:do|use|try)|ok(?:ay)?|great|good|fine|perfect|cool|nice|sure|yes)")
NAME = re.compile(r"(?<![\w/.-])(?P<id>[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?(?<=\w))"
                  r"(?:\s+(?:dataset|data|corpus))?(?=\s|[,.;!?]|$)")
WHERE_DATA_GOES = re.compile(rf"(?:^|[.,;!?]\s*|\b{LEAD}[,:]?\s+)(?:the\s+)?$", re.IGNORECASE)


def asked_about(questions: list[str], catalog: Any) -> list[tuple[str, str]]:
    """The components the questions name, as ``(kind, name)`` in the order said."""
    found: list[tuple[int, str, str]] = []
    for question in questions:
        text = normalise(question)
        for kind in KINDS:
            found += [(m.start, kind, m.component.name) for m in catalog.exact(kind, text)]
        # a dataset by where it fetches from ("a dataset from the hugging face hub")
        if re.search(r"\b(?:data ?sets?|corpus|corpora|data)\b", text):
            for component in catalog.by_kind.get("dataset", []):
                place = _where_from(component, text)
                if place is not None:
                    found.append((place, "dataset", component.name))
    return list(dict.fromkeys((kind, name) for _, kind, name in sorted(found)))


def _where_from(component: Any, text: str) -> int | None:
    """Where in ``text`` one of the places a dataset fetches from (``phrases``) is named."""
    for phrase in component.phrases or ():
        match = re.search(rf"(?<![\w-])(?:{phrase})(?![\w-])", text, re.IGNORECASE)
        if match:
            return match.start()
    return None


def read_referred(reading: Reading) -> None:
    """Put the referent in place of "both" / "that one", or take a bare name as the id of the
    dataset the question was about. Runs on the message as written, before every reader."""
    asked = [tuple(pair) for pair in reading.carried.get("asked") or []]
    tasks = [name for kind, name in asked if kind == "task"]
    asked = [pair for pair in asked if pair[0] != "task"]
    if not asked:
        return
    listed = [name for kind, name in asked if kind in LISTED]
    several = ALL_OF_THEM.search(reading.message)
    if several and len(listed) >= 2 and len({k for k, _ in asked if k in LISTED}) == 1:
        _replace(reading, several, " and ".join(listed))
        return
    one = ONE_OF_THEM.search(reading.message)
    if one and len(asked) >= 2 and len({k for k, _ in asked}) == 1:
        _replace(reading, one, asked[0][1] if one.group("first") else asked[-1][1])
        return
    if one and len(asked) == 1:
        _replace(reading, one, asked[0][1])
        return
    if _bare_dataset_id(reading, asked) and tasks and "task" not in reading.result.changes \
            and tasks[-1] != (reading.draft.get("task") or "text-classification"):
        reading.result.set("task", tasks[-1], f"task: {tasks[-1]} (as you asked about)")


def _replace(reading: Reading, match: re.Match, said: str) -> None:
    reading.message = reading.message[:match.start()] + said + reading.message[match.end():]


def _bare_dataset_id(reading: Reading, asked: list[tuple[str, str]]) -> bool:
    """The question was about a dataset that fetches by id (a hub): a name said bare in this
    turn, where data goes, that is no model, file, folder or word of the catalog, is its id
    (True when one was)."""
    from .data_words import NOT_AN_ID, UNQUOTED_PATH, _could_be_id, _id_param
    from .model_words import MODEL_ID

    datasets = [reading.catalog.get("dataset", name) for kind, name in asked if kind == "dataset"]
    fetching = [d for d in datasets if d is not None and d.phrases and _id_param(d)]
    if len(fetching) != 1 or UNQUOTED_PATH.search(reading.message):
        return False
    component = fetching[0]
    words = {p for c in reading.catalog.components for p in reading.catalog.phrases(c)}
    for match in NAME.finditer(reading.message):
        name = match.group("id")
        if not WHERE_DATA_GOES.search(reading.message[:match.start()]):
            continue
        after = reading.message[match.end():]
        if (name.lower() in NOT_AN_ID | words or re.fullmatch(r"[\d.]+", name)
                or MODEL_ID.fullmatch(name) or not _looks_like_id(name, after)
                or not _could_be_id(reading, name, match)):
            continue
        reading.consume_written(match.start("id"), match.end("id"))
        reading.result.set("dataset", {"name": component.name, _id_param(component): name},
                           f"data: {name} ({component.title}, as you asked about; it is "
                           "downloaded when the run starts, not now)")
        return True
    return False


def _looks_like_id(name: str, after: str) -> bool:
    """An id is written as one: with an owner, an underscore, a dash or a digit; or all in
    lower case (imdb, yelp) with nothing after it but a setting ("then imdb with bert"), where
    a verb would have its object ("then classify them")."""
    if re.search(r"[/_\d-]", name):
        return True
    return (name.islower() and len(name) >= 3 and name not in COMMON
            and re.match(r"\s*(?:$|[,.;!?]|(?:with|for|and|please|then|using|dataset|data)\b)",
                         after) is not None)


# lower-case words that stand where a name would ("then more epochs", "ok thanks")
COMMON = frozenset("""
then use try load take pick with on go how what about switch lets let do ok okay great good fine
perfect cool nice sure yes yeah yep thanks thank please and also more less fewer same again that
this those these them one ones all both it its and but so now next first instead anyway well
""".split())
