"""Reading the augmentations of the training data.

"with random deletion", "augment the data with typos", "random deletion at 10%", "swap words
with probability 0.2", "2 augmented copies", "no random swap", "no augmentation", and a plain
"use data augmentation" (random deletion, the safest: it never drops a negation).

This reader runs before the training numbers and consumes what it read, so "word dropout" and
"10% random deletion" are not read as the model's dropout.
"""

from __future__ import annotations

import re
from typing import Any

from tunekit.spec import DEFAULT_SPEC

from .language import NUMBER, negated_before
from .reading import Reading

KEY, KIND = "augmentations", "augmentation"
DEFAULT = "random-deletion"  # what a plain "augment the data" adds

NONE = (r"\b(?:no|without|skip|don't|do not|disable|turn off|switch off|remove|drop|stop|"
        r"get rid of)\b (?:\w+ ){0,2}?(?:augment\w*)\b|\baugment\w* (?:off|none)\b")
GENERIC = r"\b(?:data |text |training )?augment\w*\b"
# the rate said right after a name: "random deletion at 10%", "typos (p=0.05)", "random swap
# with a probability of 0.2"; without a rate word only a percent or a fraction counts
RATE = (rf"\s*[(,]?\s*(?:with |at |of |using )?(?:an? |the )?(?:(?:probability|prob|p|rate|"
        rf"chance|ratio)\s*(?:of|=|:|at)?\s*{NUMBER}\s*(%|percent)?|{NUMBER}\s*(%|percent)|"
        rf"(0?\.\d+)\b)\)?(?!\s*(?:dropout|weight|decay|lr|learning|warm|epoch|seed|batch|"
        rf"label|smooth|valid|test|held|hold))")
RATE_BEFORE = rf"{NUMBER}\s*(%|percent)\s*(?:of\s+)?$"
COPIES = (r"(?<![\w.])(\d+)\s+(?:augmented |extra |more |perturbed |noisy |new )?"
          r"(?:copies|copy|versions|variants)\b|\bcopies\s*(?:=|:|of)?\s*(\d+)\b")


def read_augmentations(reading: Reading) -> None:
    """The spec's ``augmentations``: added, removed ("no random swap"), all removed ("no
    augmentation"), with the rate and the number of copies said next to them."""
    items = _current_items(reading)
    off = reading.find(NONE)
    if off and _names_one(off.group(0)):
        off = None  # "no flip augmentation": that one turned down, not all of them
    if off:
        reading.consume(off.start(), off.end())
        if items:
            reading.result.set(KEY, [], "no augmentation")
        else:
            reading.result.keep("no augmentation")
        return
    names = [_name(i) for i in items]
    wanted: dict[str, dict[str, Any]] = {}
    dropped: list[str] = []
    mentions = sorted(reading.catalog.exact(KIND, reading.text), key=lambda m: m.start)
    spans = []
    for mention in mentions:
        name = mention.component.name
        if mention.negated:
            dropped.append(name)
        else:
            wanted.setdefault(name, {}).update(_rate(reading, mention.start, mention.end,
                                                     spans))
        spans.append((mention.start, mention.end))
    if not mentions:
        generic = reading.find(GENERIC)
        if generic and not negated_before(reading.text, generic.start()):
            spans.append((generic.start(), generic.end()))
            options = _rate(reading, generic.start(), generic.end(), spans)
            if not items or options:  # a plain "augment" with some already listed: keep them
                for name in names or [DEFAULT]:
                    wanted[name] = options
    copies = reading.find(COPIES)
    if copies and (wanted or names):
        spans.append((copies.start(), copies.end()))
        for name in _copied(reading.text, copies, mentions) or list(wanted) or names:
            wanted.setdefault(name, {})["copies"] = int(copies.group(1) or copies.group(2))
    for start, end in spans:
        reading.consume(start, end)
    if not wanted and not dropped:
        return
    kept = [_with(item, wanted.get(_name(item))) for item in items
            if _name(item) not in dropped]
    kept += [_with(name, options) for name, options in wanted.items()
             if name not in names and name not in dropped]
    if kept != items:
        described = ", ".join(_describe(i) for i in kept) or "none"
        reading.result.set(KEY, kept, f"augmentation: {described}")
    else:
        reading.result.keep(f"augmentation: {', '.join(_describe(i) for i in kept)}")


# the words that may stand between "no" and "augmentation" in a turning-off of all of it
ALL_OF_IT = frozenset("""
    the a an any all data text texts image images training more of kind kinds sort type types
    extra fancy further additional such this that these those your my at
""".split())


def _names_one(said: str) -> bool:
    """Whether a turning-off ("no flip augmentation", "without the random swap
    augmentation") names which augmentation, so only that one is off, not all of them."""
    words = re.findall(r"[a-z]+(?:[-'][a-z]+)*", said.lower())
    between = words[1:-1] if len(words) > 1 else []
    if words[:2] in (["do", "not"], ["turn", "off"], ["switch", "off"], ["get", "rid"]):
        between = words[2:-1] if words[:2] != ["get", "rid"] else words[3:-1]
    return any(word not in ALL_OF_IT for word in between)


def _current_items(reading: Reading) -> list[Any]:
    if KEY in reading.result.changes:
        return list(reading.result.changes[KEY])
    if KEY in reading.draft:
        return list(reading.draft[KEY] or [])
    return list(DEFAULT_SPEC[KEY])


def _copied(text: str, copies: re.Match, mentions: list[Any]) -> list[str]:
    """The augmentation a number of copies belongs to: "2 copies of typos", "typos with 2
    copies", "random swap at 20%, 2 copies"; none for "2 copies each" or when no name stands
    next to it (then every one the message names, or the whole list)."""
    after = text[copies.end():]
    if re.match(r"\s*(?:each|of each|for each|apiece)\b", after):
        return []
    following = next((m for m in mentions if m.start >= copies.end()), None)
    if following and re.fullmatch(r"\s*(?:of|with|using|by)\s+(?:the\s+)?",
                                  text[copies.end():following.start]):
        return [following.component.name]
    preceding = [m for m in mentions if m.end <= copies.start()]
    if preceding and not preceding[-1].negated:
        gap = text[preceding[-1].end:copies.start()]
        if len(gap) <= 40 and not re.search(r"\b(?:and|or|but|then|plus)\b", gap):
            return [preceding[-1].component.name]
    return []


def _rate(reading: Reading, start: int, end: int,
          spans: list[tuple[int, int]]) -> dict[str, Any]:
    """``{"probability": p}`` when a rate is said right after (or, as a percent, right before)
    the words from ``start`` to ``end``; the rate's own words join ``spans``."""
    after = re.match(RATE, reading.text[end:])
    if after:
        raw, percent = next(((after.group(i), after.group(i + 1)) for i in (1, 3)
                             if after.group(i)), (after.group(5), None))
        value = _probability(raw, percent)
        if value is not None:
            spans.append((end, end + after.end()))
            return {"probability": value}
    before = re.search(RATE_BEFORE, reading.text[max(0, start - 16):start])
    if before:
        value = _probability(before.group(1), before.group(2))
        if value is not None:
            spans.append((start - len(before.group(0)), start))
            return {"probability": value}
    return {}


def _probability(raw: str, percent: str | None) -> float | None:
    value = float(raw)
    if percent:
        value /= 100
    return value if 0 <= value <= 1 else None


def _name(item: Any) -> str:
    return item if isinstance(item, str) else item.get("name")


def _with(item: Any, options: dict[str, Any] | None) -> Any:
    if not options:
        return item
    return {**({"name": item} if isinstance(item, str) else item), **options}


def _describe(item: Any) -> str:
    if isinstance(item, str):
        return item
    options = ", ".join(f"{k} {v}" for k, v in item.items() if k != "name")
    return f"{item['name']} ({options})" if options else item["name"]
