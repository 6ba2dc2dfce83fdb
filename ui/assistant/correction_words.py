"""A number said with no field, as a correction: "make it 16", "change that to 8", "3e-5
instead", "no, use 50", "512 would be better", "put it at 5".

The number is for the setting just talked about: one set earlier in the same turn, before the
correction ("batch size 64... no, make it 16"), else one the turn before set or asked about
(the dialogue carries those as ``carried["numbers"]``, dotted paths). Of several, the ones that
can hold the value count ("make it 3e-5" after "lr 1e-4 and 3 epochs": the learning rate);
when more than one still can, nothing is guessed: the reply asks which.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from tunekit.spec import Training

from .language import NUMBER, as_int, negated_before
from .reading import Reading

PERCENT = r"\s*(%|percent)?"
# where a corrected number ends: the end, a comma, "and" ("make it 16 and accumulate over 4")
ENDS = r"(?=\s*(?:$|[,.;:!?)]|(?:and|then|please|pls|instead|maybe|now|for now|ok)\b))"
SAID = [
    # "make it 16", "change that to 8", "put it at 5", "bring it down to 4", "set this to 0.1"
    rf"\b(?:make|set|change|put|turn|bring|lower|raise|reduce|increase|decrease|drop|bump|"
    rf"cut|switch|move|up)\w* (?:it|that|this|them|those|the value|that value|that number|"
    rf"the number)(?: (?:down|up|back))?(?: (?:to|into|at|as|=))?(?: (?:about|around|maybe|"
    rf"just|only))? {NUMBER}{PERCENT}{ENDS}",
    # "3e-5 instead", "8 rather"
    rf"(?<![\w.-]){NUMBER}{PERCENT} (?:instead|rather)\b",
    # "512 would be better", "4 is enough", "8 should do"
    rf"(?<![\w.-]){NUMBER}{PERCENT} (?:(?:would|should|will|might) be|is|seems|sounds) "
    rf"(?:better|enough|plenty|fine|ok|okay|safer|more reasonable|good|right)\b|"
    rf"(?<![\w.-]){NUMBER}{PERCENT} (?:should|will|would) do\b",
    # "no, use 50", "let's go with 16", "try 3e-5", "actually 5", "rather 8"
    rf"\b(?:use|try|go with|go for|let's do|lets do|do|take|pick|actually|rather|instead|no|"
    rf"nah|hmm+|better)\b,? {NUMBER}{PERCENT}{ENDS}",
]
_SCRATCH = Training()


def read_corrected_number(reading: Reading, said_here: list[tuple[int, str]],
                          shares: frozenset[str]) -> None:
    """Each number said with no field, for the setting just talked about (``said_here``:
    where each training field this turn was said, and its dotted path; ``shares``: the
    training fields that are shares, said in percent: "10%", "10")."""
    for pattern in SAID:
        for match in list(re.finditer(pattern, reading.text)):
            # "no, make it 16" corrects; "don't make it 16" turns the number down
            opens = re.search(r"\b(?:no|nah|nope)\b,?\s*$", reading.text[:match.start()])
            if negated_before(reading.text, match.start(), window=12) and not opens and \
                    not re.match(r"(?:no|nah)\b", match.group(0)):
                continue
            before = [path for end, path in sorted(said_here) if end <= match.start()]
            paths = before[-1:] or list(reading.carried.get("numbers") or [])
            _correct(reading, match, [p for p in paths if p not in reading.result.changes
                                      or p in before], shares)


def _correct(reading: Reading, match: re.Match, paths: list[str],
             shares: frozenset[str]) -> None:
    raw, percent = match.group(1), match.group(2)
    fits = {path: value for path in paths
            if (value := _typed(reading, path, raw, percent, shares)) is not None}
    if not fits:
        return
    reading.consume(*match.span())
    if len(fits) > 1:
        names = " or the ".join(_label(p) for p in fits)
        example = _label(next(iter(fits)))
        reading.result.unknown.append(f"\"{match.group(0).strip()}\": is {raw} the {names}? "
                                      f"Say it with its name (\"{example} {raw}\")")
        return
    path, value = next(iter(fits.items()))
    reading.result.set(path, value, f"{_label(path)}: {value:g}")


def _label(path: str) -> str:
    return path.rsplit(".", 1)[-1].replace("_", " ")


def _typed(reading: Reading, path: str, raw: str, percent: str | None,
           shares: frozenset[str]) -> Any | None:
    """The number as ``path`` takes it (a share: 5 or 5% is 0.05; a count: an int), or None
    when the field cannot hold it."""
    slot, _, name = path.partition(".")
    if slot == "training":
        return _training_value(name, float(raw), percent, shares)
    component = reading.component(slot, slot) if slot in ("dataset", "backbone",
                                                          "strategy") else None
    param = next((p for p in getattr(component, "params", ()) if p.name == name), None)
    if param is None or param.type not in (int, float):
        return None
    value = float(raw)
    if param.type is float and param.max is not None and param.max <= 1 and (
            percent or value >= 1):
        value /= 100
    if param.type is int:
        value = as_int(value)
    try:
        return param.coerce(value, path) if value is not None else None
    except Exception:  # noqa: BLE001  (the param's own check: out of range, not a number)
        return None


def _training_value(name: str, value: float, percent: str | None,
                    shares: frozenset[str]) -> Any | None:
    field = Training.model_fields.get(name)
    kinds = _kinds(field.annotation) if field is not None else set()
    if not kinds & {int, float}:
        return None  # a choice or a switch: no number
    if name in shares and (percent or value >= 1):
        value /= 100  # a share: "warmup 10%" ... "make it 5"
    elif percent:
        return None
    number: Any = as_int(value) if float not in kinds else value
    if number is None:
        return None
    try:
        Training.__pydantic_validator__.validate_assignment(_SCRATCH, name, number)
    except ValidationError:
        return None
    return number


def _kinds(annotation: Any) -> set[type]:
    return {a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)}
