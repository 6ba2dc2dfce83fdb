"""Reading the lists of a run: metrics to compute and exporters to run.

"also track precision", "report accuracy only", "no confusion matrix", "metrics: accuracy and
f1", "skip the confusion matrix and the model card", "save just the LoRA adapter".
"""

from __future__ import annotations

import re
from typing import Any

from tunekit.spec import DEFAULT_SPEC

from .catalog import clauses
from .language import negated_before
from .reading import Reading

LIST_CUES = {
    "metric": r"\b(?:metrics?|report\w*|track\w*|measur\w*|evaluat\w*|scor\w*|comput\w*|log\w*|"
              r"show\w*|add|include|also|plus|calculat\w*|print|see|get|only|just|as well)\b",
    "exporter": r"\b(?:export\w*|sav(?:e|ing)|write|writ\w*|output|produc\w*|format|publish\w*|"
                r"push|upload|packag\w*|generat\w*|creat\w*|add|include|also|plus|only|just|"
                r"as well|want|give me)\b",
}
# "no metrics except accuracy" means "only accuracy": the exception is what is wanted
ALL_BUT = (r"\b(?:no|none of the|nothing|no other)\s+(?:(?:metrics?|exports?|exporters?)\s+)?"
           r"(?:except|but|other than|apart from|besides|save)\b")
NONE_OF = {
    "exporters": r"\b(?:no|without|skip|don't|do not|nothing to)\b (?:\w+ ){0,2}?(?:export\w*|"
                 r"artifacts|saving|save anything)\b|\bexport nothing\b",
    "metrics": r"\bno (?:extra )?metrics\b",
}


def read_list(reading: Reading, key: str, kind: str) -> None:
    """Metrics and exporters: added to the list, removed ("no confusion matrix"), or the list
    replaced ("only accuracy", "metrics: accuracy and f1")."""
    text = reading.text
    items = _current_items(reading, key)
    current = [_item_name(i) for i in items]
    exception = re.search(ALL_BUT, text)
    if exception:  # "no metrics except accuracy": "only accuracy" (same length, same places)
        said = "only".ljust(exception.end() - exception.start())
        text = reading.text = text[:exception.start()] + said + text[exception.end():]
    if re.search(NONE_OF[key], text):
        if current:
            reading.result.set(key, [], f"no {key}")
        return
    wanted, dropped = _mentioned(reading, kind)
    if not wanted and not dropped and not any(_options_said(reading, kind, i) for i in items):
        return
    replaces = bool(wanted) and _replaces(text, key, [
        m.start for m in reading.catalog.exact(kind, text) if m.component.name in wanted])
    if kind == "metric" and wanted:
        _task_of_metrics(reading, wanted)
    # "f1" on a tagging run is its entity f1: the names said, in the task's own components
    task = reading.result.changes.get("task") or reading.draft.get("task") or \
        DEFAULT_SPEC["task"]
    wanted = list(dict.fromkeys(for_task(reading.catalog, kind, w, task) for w in wanted))
    dropped = [for_task(reading.catalog, kind, d, task) for d in dropped]
    if replaces:
        kept = [next((i for i in items if _item_name(i) == w), w) for w in wanted]
    else:
        kept = [i for i in items if _item_name(i) not in dropped]
        kept += [w for w in wanted if w not in current]
    kept = _with_options(reading, kind, kept)
    if kept != items:
        reading.result.set(key, kept, f"{key}: {', '.join(map(_item_name, kept)) or 'none'}")
    elif wanted:
        reading.result.keep(f"{key}: {', '.join(wanted)}")


def _task_of_metrics(reading: Reading, wanted: list[str]) -> None:
    """Metrics said that only one other task computes ("show me mae and r2" on a draft that
    classifies) say the task, when no task is said this turn; words said later still win."""
    if "task" in reading.result.changes:
        return
    metrics = [reading.catalog.get("metric", name) for name in wanted]
    tasks = set.intersection(*(set(m.tasks) for m in metrics if m is not None and m.tasks))\
        if all(m is not None and m.tasks for m in metrics) else set()
    now = reading.draft.get("task") or DEFAULT_SPEC["task"]
    if len(tasks) == 1 and now not in tasks:
        task = tasks.pop()
        reading.result.set("task", task, f"task: {task} ({', '.join(wanted)} "
                           f"{'are' if len(wanted) > 1 else 'is'} for it)")


def for_task(catalog: Any, kind: str, name: str, task: str) -> str:
    """``name``, or the one component of ``kind`` for ``task`` that it is the short name of,
    when ``name`` itself does not do the task: on token-classification, "f1" is entity-f1
    and "accuracy" token-accuracy (a name or alias of theirs ends in the words said)."""
    component = catalog.get(kind, name)
    if component is None or not component.tasks or task in component.tasks:
        return name
    words = _words(name)
    found = [other.name for other in catalog.components if other.kind == kind and
             task in other.tasks and any(_words(said)[-len(words):] == words
                                         for said in (other.name, *other.aliases))]
    return found[0] if len(found) == 1 else name


def _words(name: str) -> list[str]:
    return re.split(r"[\s_-]+", name.lower())


def _current_items(reading: Reading, key: str) -> list[Any]:
    if key in reading.result.changes:
        return list(reading.result.changes[key])
    if key in reading.draft:
        return list(reading.draft[key] or [])
    return list(DEFAULT_SPEC[key])


def _item_name(item: Any) -> str:
    return item if isinstance(item, str) else item.get("name")


def _mentioned(reading: Reading, kind: str) -> tuple[list[str], list[str]]:
    """The components of a kind the text asks for, and the ones it turns down. A "no" carries
    along a list: "skip the confusion matrix and the model card" drops both."""
    text = reading.text
    mentions = sorted((m for k in ("metric", "exporter") for m in reading.catalog.exact(k, text)),
                      key=lambda m: m.start)
    # the longest name said wins: "token accuracy" is not also accuracy
    mentions = [m for m in mentions if not any(
        o.start <= m.start and m.end <= o.end and o.length > m.length for o in mentions)]
    wanted: list[str] = []
    dropped: list[str] = []
    previous = None
    for mention in mentions:
        phrase = text[mention.start:mention.end]
        if " " not in phrase and phrase != mention.component.name and not re.search(
                LIST_CUES[mention.component.kind], _clause_around(text, mention.start)):
            continue  # "card", "acc": one loose word needs a word about lists nearby
        negated = mention.negated or _taken_out(text, mention.start, mention.end) or (
            previous is not None and previous.negated and previous.end <= mention.start
            and re.fullmatch(r"\s*(?:,|and|or|nor|&|, and|, or)\s*(?:the |a |an )?",
                             text[previous.end:mention.start]) is not None)
        mention.negated = negated
        previous = mention
        if mention.component.kind != kind:
            continue
        target = dropped if negated else wanted
        if mention.component.name not in target:
            target.append(mention.component.name)
    return [w for w in wanted if w not in dropped], dropped


# a list's own ways of taking an item away, beyond the negations of every reader (where "cut"
# or "lose" would turn down too much: "cut the max length to 64")
TAKEN_OUT = re.compile(r"\b(?:take (?:out|off|away)|leave out|omit\w*|delete|ditch|lose|cut|"
                       r"strip(?: out)?|throw out|kick out|minus|w/o|no more|not interested in|"
                       r"(?:do not|don't|dont) (?:care|bother) (?:about|with))\s+"
                       r"(?:(?:the|a|an|any|that|this)\s+)?$")
OUT_AFTER = re.compile(r"\s+(?:metric\s+)?(?:out|off)\b|\s+(?:can|may) go\b")


def _taken_out(text: str, start: int, end: int) -> bool:
    """"take out f1", "lose the token accuracy", "leave the confusion matrix out"."""
    before = text[max(0, start - 30):start]
    take = re.search(r"\b(?:take|leave|throw|kick)\s+(?:the\s+)?$", before)
    return bool(TAKEN_OUT.search(before) or (take and OUT_AFTER.match(text, end)))


def _replaces(text: str, key: str, places: list[int]) -> bool:
    """Whether the items said replace the list: "only" in the clause of one of them (at
    ``places``: "report accuracy only", not "train only the biases and report mcc"), or the
    list named as a whole ("metrics: accuracy and f1")."""
    singular = key.rstrip("s")
    if any(re.search(r"\b(?:only|just|solely)\b", clause) for start, clause in clauses(text)
           if any(start <= place < start + len(clause) for place in places)):
        return True
    return bool(re.search(rf"\b{key}?\s*(?:are|:|=|should be|will be)|"
                          rf"\b(?:as|for) (?:the |my )?{key}\b|\b(?:the )?{singular}s? to "
                          rf"(?:use|report|track) (?:are|is)", text))


def _clause_around(text: str, position: int) -> str:
    return text[max(0, position - 40):position + 40]


def _options_said(reading: Reading, kind: str, item: Any) -> dict[str, bool]:
    """On/off options of a listed component said in words: "adapter only" (the
    ``adapter_only`` option of huggingface), "no adapter only"."""
    component = reading.catalog.get(kind, _item_name(item))
    said = {}
    for param in getattr(component, "params", ()):
        if param.type is not bool:
            continue
        head = re.escape(param.name.split("_")[0])
        words = param.name.replace("_", r"s?[ _-]?")
        match = re.search(rf"\b{words}\b|\b(?:only|just)\b (?:\w+ ){{0,2}}?(?:the )?"
                          rf"(?:lora )?{head}s?\b|\b{head}s? (?:weights )?only\b", reading.text)
        if match:
            said[param.name] = not negated_before(reading.text, match.start())
    return said


def _with_options(reading: Reading, kind: str, items: list[Any]) -> list[Any]:
    """The items, with the on/off options said in the message set on them."""
    result = []
    for item in items:
        said = _options_said(reading, kind, item)
        if said:
            item = {**({"name": item} if isinstance(item, str) else item), **said}
        result.append(item)
    return result
