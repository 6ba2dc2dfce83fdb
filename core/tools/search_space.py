"""What a sweep searches over: spec fields (dotted, as ``--set`` writes them) and their values.

    training.learning_rate: {low: 1.0e-5, high: 1.0e-3, log: true}   a range (float)
    training.epochs: {low: 2, high: 6, step: 2}                      a range (int)
    strategy: [lora, full]                                           choices
    strategy.r: [4, 8, 16]

A space comes from a spec file's ``sweep: {params: ...}`` section and from ``--param
FIELD=VALUES`` on the command line (``1e-4,3e-4``, ``1e-5..1e-3:log``, or YAML such as
``[4, 8]`` or ``{low: 0.0, high: 0.3}``). ``Dimension.suggest`` asks an Optuna trial for a value;
``grid`` lists every combination when each dimension is finite; ``apply`` writes values into a
raw spec. Nothing here imports Optuna: the trial is whatever object ``suggest`` is given.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import SpecError, did_you_mean
from ..spec import SLOTS, TOP_LEVEL, Training, set_field

SCALARS = (str, int, float, bool, type(None))
RANGE_KEYS = ("low", "high", "step", "log", "type")
CHOICE_KEYS = ("choices", "values")
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


@dataclass(frozen=True)
class Dimension:
    """One field searched: either ``choices`` or a ``low``..``high`` range (int or float)."""

    field: str
    choices: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return not self.choices

    @property
    def finite(self) -> bool:
        return not self.is_range or self.integer or self.step is not None

    def values(self) -> list[Any]:
        """Every value of a finite dimension, in order."""
        if not self.is_range:
            return list(self.choices)
        if not self.finite:
            raise ValueError(f"{self.field} is a continuous range")
        step = self.step or 1
        count = int(math.floor((self.high - self.low) / step + 1e-9)) + 1
        values = [self.low + i * step for i in range(count)]
        return [int(round(v)) for v in values] if self.integer else \
            [float(f"{v:.12g}") for v in values]

    def representatives(self) -> list[Any]:
        """Values that stand for the whole dimension when specs are checked up front: every
        choice, or a range's ends."""
        if not self.is_range:
            return list(self.choices)
        if not self.finite:
            return [self.low, self.high]
        step = self.step or 1
        last = self.low + math.floor((self.high - self.low) / step + 1e-9) * step
        return [self.low, int(round(last)) if self.integer else float(f"{last:.12g}")]

    def labels(self) -> list[Any]:
        """The choices as Optuna can store them (scalars as they are, others as JSON)."""
        return [c if isinstance(c, SCALARS) else json.dumps(c, sort_keys=True)
                for c in self.choices]

    def value_of(self, label: Any) -> Any:
        """The choice an Optuna label stands for."""
        for choice, shown in zip(self.choices, self.labels(), strict=True):
            if shown == label and type(shown) is type(label):
                return choice
        return label

    def suggest(self, trial: Any) -> Any:
        """Ask an Optuna trial for this dimension's value."""
        if not self.is_range:
            return self.value_of(trial.suggest_categorical(self.field, self.labels()))
        if self.integer:
            return trial.suggest_int(self.field, int(self.low), int(self.high),
                                     step=int(self.step or 1), log=self.log)
        return trial.suggest_float(self.field, float(self.low), float(self.high),
                                   step=self.step, log=self.log)

    def describe(self) -> Any:
        """The dimension as a spec file writes it."""
        if not self.is_range:
            return list(self.choices)
        shown: dict[str, Any] = {"low": self.low, "high": self.high}
        if self.step is not None:
            shown["step"] = self.step
        if self.log:
            shown["log"] = True
        shown["type"] = "int" if self.integer else "float"
        return shown


Space = dict[str, Dimension]


# ---------------------------------------------------------------- reading a space


def parse_space(raw: Any, where: str = "sweep.params") -> Space:
    """A space from a mapping ``{field: choices or range}`` (a spec file's ``sweep.params``)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SpecError("expected a mapping of spec fields to the values to try, e.g. "
                        "{training.learning_rate: [1.0e-4, 3.0e-4]}", where=where)
    return {str(field): parse_dimension(str(field), value, f"{where}.{field}")
            for field, value in raw.items()}


def parse_param_option(item: str) -> tuple[str, Dimension]:
    """``--param FIELD=VALUES``: ``a,b,c`` choices, ``LOW..HIGH`` (``:log``) a range, or YAML
    (``[a, b]``, ``{low: .., high: ..}``)."""
    if "=" not in item:
        raise SpecError(f"expected FIELD=VALUES, got {item!r}", where="--param",
                        hint="e.g. --param training.learning_rate=1e-4,3e-4 or "
                             "--param training.learning_rate=1e-5..1e-3:log")
    field, _, text = item.partition("=")
    field, text = field.strip(), text.strip()
    where = f"--param {field}"
    if not field:
        raise SpecError(f"no field named in {item!r}", where="--param")
    if not text:
        raise SpecError("no values given", where=where)
    if text[0] in "[{":
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SpecError(f"cannot read {text!r}: {getattr(exc, 'problem', exc)}",
                            where=where) from None
    elif ".." in text:
        bounds, _, scale = text.partition(":")
        low, _, high = bounds.partition("..")
        if scale.strip() not in ("", "log"):
            raise SpecError(f"unknown scale {scale!r} (only :log)", where=where)
        value = {"low": _scalar(low), "high": _scalar(high), "log": scale.strip() == "log"}
    else:
        value = [_scalar(part) for part in text.split(",") if part.strip()]
    return field, parse_dimension(field, value, where)


def _scalar(text: str) -> Any:
    try:
        return yaml.safe_load(text.strip())
    except yaml.YAMLError:
        return text.strip()


def parse_dimension(field: str, value: Any, where: str) -> Dimension:
    """One field's values: a list (or ``{choices: [...]}``) or a range mapping."""
    parts = [p for p in field.split(".") if p]
    if not parts or parts[0] not in TOP_LEVEL:
        head = parts[0] if parts else field
        raise SpecError(f"{field!r} is not a spec field.{did_you_mean(head, TOP_LEVEL)}",
                        where=where, hint="fields are dotted like --set: training.learning_rate, "
                        "strategy.r, strategy, backbone.dropout ...")
    if parts[0] == "training" and len(parts) > 1 and parts[1] not in Training.model_fields:
        raise SpecError(f"unknown field.{did_you_mean(parts[1], Training.model_fields)} "
                        f"Fields: {', '.join(Training.model_fields)}", where=where)
    if isinstance(value, dict) and any(k in value for k in CHOICE_KEYS):
        value = value.get("choices", value.get("values"))
    if isinstance(value, list | tuple):
        if not value:
            raise SpecError("an empty list of values", where=where)
        choices = tuple(_numeric(v) for v in value)
        if len({json.dumps(c, sort_keys=True, default=str) for c in choices}) < len(choices):
            raise SpecError(f"a value is listed twice in {list(choices)}", where=where)
        return Dimension(field, choices=choices)
    if isinstance(value, dict):
        return _range(field, value, where)
    # one value: a fixed setting, fine in a grid (it multiplies nothing)
    return Dimension(field, choices=(_numeric(value),))


def _numeric(value: Any) -> Any:
    """YAML 1.1 reads ``1e-4`` (no dot) as text: such a value is the number it spells."""
    if isinstance(value, str) and NUMBER.fullmatch(value.strip()):
        return float(value)
    return value


def _range(field: str, value: dict[str, Any], where: str) -> Dimension:
    unknown = [k for k in value if k not in RANGE_KEYS]
    if unknown:
        guess = did_you_mean(str(unknown[0]), RANGE_KEYS)
        raise SpecError(f"unknown key {unknown[0]!r} in a range.{guess} A range has: low, high, "
                        "and optionally step, log, type (int or float); a list gives choices",
                        where=where)
    if "low" not in value or "high" not in value:
        raise SpecError("a range needs both low and high, e.g. {low: 1.0e-5, high: 1.0e-3}",
                        where=where)
    numbers = {}
    for key in ("low", "high", "step"):
        raw = value.get(key)
        if raw is None:
            continue
        if isinstance(raw, str):  # YAML reads 1e-5 (no dot) as text
            try:
                raw = float(raw)
            except ValueError:
                pass
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise SpecError(f"{key} must be a number, got {value[key]!r}", where=where)
        numbers[key] = raw
    low, high, step = numbers["low"], numbers["high"], numbers.get("step")
    log = value.get("log", False)
    if not isinstance(log, bool):
        raise SpecError(f"log must be true or false, got {log!r}", where=where)
    kind = value.get("type") or _field_type(field)
    if kind is None:
        kind = "int" if all(isinstance(v, int) for v in numbers.values()) else "float"
    if kind not in ("int", "float"):
        raise SpecError(f"type must be int or float, got {kind!r}", where=where)
    integer = kind == "int"
    if integer and any(float(v) != int(v) for v in numbers.values()):
        raise SpecError(f"{field} takes whole numbers: low, high and step must be whole",
                        where=where)
    if low >= high:
        raise SpecError(f"low ({low}) must be below high ({high})", where=where,
                        hint="for a single value, give a list of one: [value]")
    if step is not None and step <= 0:
        raise SpecError(f"step must be positive, got {step}", where=where)
    if log and low <= 0:
        raise SpecError(f"a log range needs low above 0, got {low}", where=where)
    if log and step is not None and not (integer and step == 1):
        raise SpecError("a range cannot have both log and step", where=where,
                        hint="drop step (a log range samples continuously) or list the values")
    if integer:
        return Dimension(field, low=int(low), high=int(high), step=int(step) if step else None,
                         log=log, integer=True)
    return Dimension(field, low=float(low), high=float(high),
                     step=float(step) if step is not None else None, log=log)


def _field_type(field: str) -> str | None:
    """``int`` or ``float`` for a training field, so {low: 0, high: 1} on a float field is a
    float range; None where the spec's schema does not say (component options)."""
    parts = field.split(".")
    if parts[0] != "training" or len(parts) != 2 or parts[1] not in Training.model_fields:
        return None
    annotation = str(Training.model_fields[parts[1]].annotation)
    if "float" in annotation:
        return "float"
    if "int" in annotation:
        return "int"
    return None


def merge(*spaces: Space) -> Space:
    """Spaces combined; a later one's field replaces an earlier one's (``--param`` over the
    file)."""
    merged: Space = {}
    for space in spaces:
        merged.update(space)
    return merged


def component_type(field: str, data: dict[str, Any], manager: Any) -> str | None:
    """The declared type (``int``, ``float``...) of a component option such as
    ``strategy.r``, read from the installed component named in ``data``."""
    parts = field.split(".")
    if parts[0] not in SLOTS or len(parts) != 2:
        return None
    current = data.get(parts[0])
    name = current.get("name") if isinstance(current, dict) else current
    if not name:
        return None
    try:
        component = manager.get({"dataset": "dataset", "backbone": "backbone",
                                 "strategy": "strategy"}[parts[0]], str(name))
    except Exception:  # noqa: BLE001 - an unknown component is reported when the spec parses
        return None
    param = next((p for p in component.params if p.name == parts[1]), None)
    return param.type.__name__ if param else None


def typed(space: Space, data: dict[str, Any], manager: Any) -> Space:
    """The space with ranges over component options given the option's type (an int option
    searched over {low: 2, high: 16} stays whole; a float option over {low: 0, high: 1} is
    continuous)."""
    out: Space = {}
    for field, dim in space.items():
        kind = component_type(field, data, manager) if dim.is_range else None
        if kind == "float" and dim.integer:
            dim = Dimension(field, low=float(dim.low), high=float(dim.high),
                            step=float(dim.step) if dim.step else None, log=dim.log)
        elif kind == "int" and not dim.integer and all(
                float(v).is_integer() for v in (dim.low, dim.high, dim.step or 1)):
            dim = Dimension(field, low=int(dim.low), high=int(dim.high),
                            step=int(dim.step) if dim.step else None, log=dim.log, integer=True)
        out[field] = dim
    return out


# ---------------------------------------------------------------- using a space


def grid(space: Space, where: str = "sweep") -> list[dict[str, Any]]:
    """Every combination of a finite space, in the order the values are written."""
    for field, dim in space.items():
        if not dim.finite:
            raise SpecError(f"{field}: a grid needs a finite list of values, and this is a "
                            f"continuous range ({dim.low:g}..{dim.high:g})", where=where,
                            hint="list the values, give the range a step, or use "
                                 "--sampler random or tpe")
    fields = list(space)
    return [dict(zip(fields, combo, strict=True))
            for combo in itertools.product(*(space[f].values() for f in fields))]


def apply(data: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A copy of a raw spec with ``params`` set; a slot (``strategy``) before its options
    (``strategy.r``), since naming another component drops the old one's options."""
    data = deepcopy(data)
    for field in sorted(params, key=lambda f: f.count(".")):
        set_field(data, field, deepcopy(params[field]))
    return data


def describe_params(params: dict[str, Any]) -> str:
    """``training.learning_rate=0.0003 strategy=lora`` for tables and logs."""
    return " ".join(f"{field}={show(value)}" for field, value in params.items())


def show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
