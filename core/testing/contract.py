"""``check_component``: every way a component breaks the plugin contract, said precisely.

The plugin manager refuses a component whose fields are wrong and stops at the first problem.
This check goes further, for plugin authors and their tests: it lists every problem of the
fields and params, then calls the component's callable on tiny real inputs (a tiny model built
from a config, generated texts) and checks what comes back against the contract of its kind.
Each problem says what is wrong, where, and what to do.

    from tunekit.testing import check_component

    report = check_component(my_metric)        # raises ContractError listing every problem
    report = check_component(my_metric, strict=False)
    report.ok, report.problems, report.advice  # advice: not wrong, but worth fixing

``check_plugin(plugin)`` loads a whole plugin the way tunekit does (import, hooks, register,
name clashes with the built-ins) and checks each component it registers.
"""

from __future__ import annotations

import copy
import functools
import importlib
import importlib.util
import inspect
import json
import math
import os
import random
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from ..components import (
    COMPONENT_TYPES,
    COPIES,
    KINDS,
    TEXT_CLASSIFICATION,
    Augmentation,
    Backbone,
    BuiltModel,
    Component,
    DataContext,
    Dataset,
    DataSplits,
    ExportContext,
    Exporter,
    Metric,
    ModelRequest,
    Param,
    ParamGroup,
    Strategy,
    StrategyContext,
    StrategyPlan,
)
from ..errors import PluginError, SpecError, TunekitError
from ..tasks import get_task

# what the callable of each kind is called with (the names the contract uses)
CALLS = {
    "dataset": ("load", ("options", "context"), "tunekit.DataSplits"),
    "augmentation": ("augment", ("texts", "options", "rng"), "a list of texts"),
    "backbone": ("build", ("options", "request"), "tunekit.BuiltModel"),
    "strategy": ("apply", ("model", "options", "context"), "tunekit.StrategyPlan"),
    "metric": ("compute", ("predictions", "references", "labels"), "a dict {name: value}"),
    "exporter": ("export", ("context",), "a list of the paths written"),
}
_PARAM_TYPES = (int, float, str, bool, list, dict)


@dataclass(frozen=True)
class ContractProblem:
    """One thing wrong: where, what, and what to do about it."""

    where: str
    what: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" + (f"\n    what to do: {self.fix}" if self.fix else "")


@dataclass
class ComponentReport:
    """What ``check_component`` found. ``problems`` break the contract; ``advice`` does not,
    but makes the component harder to find or to use (for people and for the assistant)."""

    subject: str
    problems: list[ContractProblem] = field(default_factory=list)
    advice: list[ContractProblem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, where: str, what: str, fix: str = "") -> None:
        self.problems.append(ContractProblem(where, what, fix))

    def advise(self, where: str, what: str, fix: str = "") -> None:
        self.advice.append(ContractProblem(where, what, fix))

    def __str__(self) -> str:
        lines = [f"{self.subject}: " + ("keeps the contract" if self.ok else
                                        f"{len(self.problems)} problem(s)")]
        lines += [f"  PROBLEM {p}" for p in self.problems]
        lines += [f"  advice  {a}" for a in self.advice]
        lines += [f"  checked: {c}" for c in self.checked]
        lines += [f"  not checked: {s}" for s in self.skipped]
        return "\n".join(lines)


@dataclass
class PluginReport:
    """What ``check_plugin`` found: the plugin's own loading problems and each component's
    report."""

    plugin: str
    problems: list[ContractProblem] = field(default_factory=list)
    components: list[ComponentReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(c.ok for c in self.components)

    def __str__(self) -> str:
        lines = [f"plugin {self.plugin}: " + ("keeps the contract" if self.ok else "problems")]
        lines += [f"  PROBLEM {p}" for p in self.problems]
        lines += ["\n".join("  " + line for line in str(c).splitlines())
                  for c in self.components]
        return "\n".join(lines)


class ContractError(PluginError):
    """A component or plugin that breaks the contract; ``report`` has every problem."""

    def __init__(self, report: ComponentReport | PluginReport):
        super().__init__(f"breaks the plugin contract:\n{report}")
        self.report = report


# ---------------------------------------------------------------- components


def check_component(component: Any, kind: str | None = None, *,
                    options: dict[str, Any] | None = None, call: bool = True,
                    strict: bool = True) -> ComponentReport:
    """Check ``component`` against the contract of its kind (``kind`` says which it must be).

    Fields and params are checked first; then, with ``call``, its callable runs on tiny real
    inputs with ``options`` (the spec fields a run would give it, defaults filled in).
    A component with a required param is called only when ``options`` give it.
    Raises ContractError listing every problem (``strict=False``: returns the report).
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    label = _label(component)
    report = ComponentReport(subject=label)
    if not isinstance(component, Component):
        expected = f"tunekit.{COMPONENT_TYPES[kind].__name__}" if kind else \
            "a tunekit component (Dataset, Augmentation, Backbone, Strategy, Metric, Exporter)"
        what = (f"the class {component.__name__} itself" if isinstance(component, type)
                else f"{type(component).__name__} {_short(component)}")
        report.problem(label, f"is {what}, not {expected}",
                       "create an instance, e.g. tunekit.Metric(name='my-metric', "
                       "description='...', compute=my_function)")
        return _finish(report, strict)
    if kind is not None and component.kind != kind:
        report.problem(label, f"is a tunekit.{type(component).__name__}, expected a "
                              f"tunekit.{COMPONENT_TYPES[kind].__name__}",
                       f"register a tunekit.{COMPONENT_TYPES[kind].__name__} through "
                       f"{_hook_of(kind)}")
    fields_ok = _check_fields(component, report)
    params_ok = _check_params(component, report)
    work_ok = _check_callable(component, report)
    _check_kind_fields(component, report)
    _agree_with_host(component, report)
    if call and fields_ok and params_ok and work_ok:
        _call(component, options or {}, report)
    elif call:
        report.skipped.append(f"calling {CALLS[component.kind][0]}: fix the problems above first")
    return _finish(report, strict)


def _finish(report: Any, strict: bool) -> Any:
    if strict and not report.ok:
        raise ContractError(report)
    return report


def _label(component: Any) -> str:
    if isinstance(component, Component):
        plugin = f" (plugin {component.plugin})" if component.plugin else ""
        return f"{component.kind} {component.name!r}{plugin}"
    return "component"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _hook_of(kind: str) -> str:
    from ..plugin_manager import REGISTER_HOOKS

    return next(h for h, kinds in REGISTER_HOOKS.items() if kind in kinds)


def _check_fields(c: Component, report: ComponentReport) -> bool:
    ok = True
    where = _label(c)
    if not isinstance(c.name, str) or not c.name.strip():
        report.problem(f"{where}.name", f"is {c.name!r}: a component needs a name",
                       "name it in lowercase words joined by '-', e.g. 'balanced-accuracy'")
        ok = False
    elif c.name != c.name.strip().lower() or " " in c.name:
        report.problem(f"{where}.name", "must be lowercase without spaces",
                       f"use {c.name.strip().lower().replace(' ', '-')!r}")
        ok = False
    elif not all(ch.isalnum() or ch in "-_." for ch in c.name):
        report.advise(f"{where}.name", "has characters other than letters, digits, '-', '_' "
                      "and '.'", "commas and slashes get in the way of --set and YAML")
    if not isinstance(c.description, str) or not c.description.strip():
        report.problem(f"{where}.description", "is empty: every component needs a "
                       "plain-language description",
                       "say in a sentence or two what it does and when to choose it; the "
                       "studio and the assistant show it as written")
        ok = False
    elif len(c.description.split()) < 5:
        report.advise(f"{where}.description", f"{c.description!r} is very short",
                      "say what it does and when to choose it: the assistant explains the "
                      "component with these words")
    if not isinstance(c.title, str):
        report.problem(f"{where}.title", f"must be text, got {_short(c.title)}")
        ok = False
    for name in ("aliases", "tasks"):
        value = getattr(c, name)
        if isinstance(value, str):
            report.problem(f"{where}.{name}", f"is the string {value!r}, not a tuple",
                           f"write {name}=({value!r},) — note the comma")
            ok = False
        elif not isinstance(value, tuple | list) or not all(
                isinstance(v, str) and v.strip() for v in value):
            report.problem(f"{where}.{name}", f"must be a tuple of non-empty strings, got "
                                              f"{_short(value)}")
            ok = False
    if ok and not c.tasks:
        report.problem(f"{where}.tasks", "is empty: no spec can use this component",
                       f"list the tasks it supports, e.g. tasks=({TEXT_CLASSIFICATION!r},)")
        ok = False
    if ok and not c.aliases:
        report.advise(f"{where}.aliases", "there are none: only the exact name "
                      f"{c.name!r} finds this component",
                      "add the words people use for it (aliases=('...', '...')): `--set`, "
                      "the studio and the assistant all match them")
    if ok and any(a != a.lower() for a in c.aliases):
        report.advise(f"{where}.aliases", "some are not lowercase",
                      "write them in lowercase: they are matched without regard to case")
    return ok


def _check_params(c: Component, report: ComponentReport) -> bool:
    ok = True
    where = _label(c)
    params = c.params
    if isinstance(params, Param) or not isinstance(params, tuple | list):
        report.problem(f"{where}.params", f"must be a tuple of tunekit.Param, got "
                                          f"{_short(params)}",
                       "write params=(tunekit.Param(name=..., type=...),)")
        return False
    seen: set[str] = set()
    for i, p in enumerate(params):
        at = f"{where}.params[{i}]"
        if not isinstance(p, Param):
            report.problem(at, f"is {_short(p)}, not a tunekit.Param",
                           "write tunekit.Param(name='r', type=int, default=8, help='...')")
            ok = False
            continue
        at = f"{where}.params[{i}] {p.name!r}"
        if not isinstance(p.name, str) or not p.name.isidentifier():
            report.problem(at, "the name must be a Python identifier (letters, digits, _)",
                           "options arrive as a dict keyed by this name: use e.g. 'min_count'")
            ok = False
        if p.name in seen or p.name == "name":
            report.problem(at, "the name is repeated" if p.name in seen else
                           "'name' is taken: it names the component in a spec",
                           "give every param its own name")
            ok = False
        seen.add(p.name)
        if isinstance(c, Augmentation) and p.name == COPIES.name and p != COPIES:
            report.problem(at, "'copies' is common to every augmentation and tunekit adds it",
                           "remove this param")
            ok = False
        if p.type not in _PARAM_TYPES:
            report.problem(at, f"has type {p.type!r}", "use int, float, str, bool, list or dict")
            ok = False
            continue
        if (p.min is not None or p.max is not None) and p.type not in (int, float):
            report.problem(at, f"min/max bound numbers, but the type is {p.type.__name__}",
                           "drop min/max, or make it an int or float param")
            ok = False
        if p.min is not None and p.max is not None and p.min > p.max:
            report.problem(at, f"min {p.min} is above max {p.max}", "swap them")
            ok = False
        for choice in p.choices:
            try:
                if Param(name=p.name, type=p.type).coerce(choice, at) != choice:
                    raise SpecError(f"becomes {p.type(choice)!r}")
            except (SpecError, TypeError, ValueError) as exc:
                report.problem(at, f"the choice {choice!r} is not a {p.type.__name__}: "
                                   f"{getattr(exc, 'message', exc)}",
                               f"make every choice a {p.type.__name__}")
                ok = False
        if p.required and p.default is not None:
            report.problem(at, "is required and has a default", "drop one: a required param "
                           "has no default, a param with a default is not required")
            ok = False
        elif p.default is not None:
            try:
                p.coerce(p.default, at)
            except SpecError as exc:
                report.problem(at, f"the default {p.default!r} is invalid: {exc.message}",
                               "change the default, or its type, choices, min or max")
                ok = False
        if not p.help:
            report.advise(at, "has no help text",
                          "say what it does in a few words: the studio's form and the "
                          "assistant show it")
    return ok


def _check_callable(c: Component, report: ComponentReport) -> bool:
    name, args, returns = CALLS[c.kind]
    where = f"{_label(c)}.{name}"
    work = getattr(c, name, None)
    if not callable(work):
        report.problem(where, f"is {_short(work)}, not a function",
                       f"pass {name}=a function ({', '.join(args)}) -> {returns}")
        return False
    ok = _accepts(work, args, where, report, returns)
    if isinstance(c, Backbone) and c.load_tokenizer is not None:
        if not callable(c.load_tokenizer):
            report.problem(f"{_label(c)}.load_tokenizer", f"is {_short(c.load_tokenizer)}, "
                           "not a function", "pass a function (options) -> tokenizer, or None")
            ok = False
        else:
            ok = _accepts(c.load_tokenizer, ("options",), f"{_label(c)}.load_tokenizer",
                          report, "a tokenizer") and ok
    return ok


def _accepts(function: Any, args: tuple[str, ...], where: str, report: ComponentReport,
             returns: str) -> bool:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # a builtin without a signature: trust it
        return True
    try:
        signature.bind(*args)
    except TypeError:
        report.problem(where, f"is called as {where.rsplit('.', 1)[-1]}({', '.join(args)}) but "
                              f"its signature is {signature}",
                       f"accept {len(args)} positional argument(s) ({', '.join(args)}) and "
                       f"return {returns}")
        return False
    return True


def _check_kind_fields(c: Component, report: ComponentReport) -> None:
    where = _label(c)
    if isinstance(c, Strategy):
        rate = c.default_learning_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1:
            report.problem(f"{where}.default_learning_rate", f"is {rate!r}",
                           "give a number above 0 and at most 1, e.g. 5e-5 to update every "
                           "weight, 1e-3 for a fresh head or adapters")
        epochs = c.default_epochs
        if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 1000:
            report.problem(f"{where}.default_epochs", f"is {epochs!r}",
                           "give a whole number from 1 to 1000")
    if isinstance(c, Metric) and c.params:
        report.advise(f"{where}.params", "a metric is not given options: compute receives "
                      "(predictions, references, labels) only",
                      "drop the params, or register one metric per setting")
    if isinstance(c, Metric) and not isinstance(c.higher_is_better, bool):
        report.problem(f"{where}.higher_is_better", f"is {c.higher_is_better!r}",
                       "say True when a bigger value is better (accuracy), False when smaller "
                       "is (an error rate)")


def _agree_with_host(c: Component, report: ComponentReport) -> None:
    """The host's own check (what registration runs) must find nothing this one missed."""
    if report.problems:
        return
    try:
        copy.copy(c).check()
    except PluginError as exc:
        report.problem(_label(c), exc.message)


# ---------------------------------------------------------------- calling the component


def _call(c: Component, options: dict[str, Any], report: ComponentReport) -> None:
    name = CALLS[c.kind][0]
    params = c.params if not isinstance(c, Augmentation) or COPIES in c.params \
        else (*c.params, COPIES)
    missing = [p.name for p in params if p.required and options.get(p.name) is None]
    if missing:
        report.skipped.append(
            f"calling {name}: the param {missing[0]!r} is required; pass "
            f"options={{{missing[0]!r}: ...}} to check_component to call it")
        return
    probe = copy.copy(c)
    probe.params = tuple(params)
    try:
        resolved = probe.resolve_options(options, "options")
    except SpecError as exc:
        report.problem(f"the options given to check_component ({exc.where})", exc.message)
        return
    checks = {"dataset": _call_dataset, "augmentation": _call_augmentation,
              "backbone": _call_backbone, "strategy": _call_strategy,
              "metric": _call_metric, "exporter": _call_exporter}
    checks[c.kind](c, resolved, report)


def _task_of(c: Component) -> str:
    """The task the check calls ``c`` for: text-classification when it supports it (the
    tiny inputs of every kind exist for it), else the first task it lists."""
    return TEXT_CLASSIFICATION if TEXT_CLASSIFICATION in c.tasks else c.tasks[0]


def _raised(report: ComponentReport, where: str, exc: BaseException, fix: str = "") -> None:
    from ..plugin_manager import _describe_exception

    if isinstance(exc, TunekitError):  # raised on purpose, for people: fine in a run, not here
        report.problem(where, f"raised {type(exc).__name__}: {exc} (on the tiny inputs of "
                              "this check)", fix or "check the options you passed")
        return
    report.problem(where, f"raised {_describe_exception(exc)}",
                   fix or "fix the error; raise tunekit.SpecError / DataError with a message "
                          "for problems a person can fix")


def _call_dataset(c: Dataset, options: dict[str, Any], report: ComponentReport) -> None:
    from ..data import check_classification_splits, fingerprint

    where = f"{_label(c)}.load"
    task = _task_of(c)
    results = []
    for seed in (0, 0):
        try:
            splits = c.load(dict(options), DataContext(task=task, seed=seed, base_dir=Path.cwd()))
        except Exception as exc:
            _raised(report, where, exc)
            return
        results.append(splits)
    splits = results[0]
    if not isinstance(splits, DataSplits):
        report.problem(where, f"returned {type(splits).__name__}, not tunekit.DataSplits",
                       "return tunekit.DataSplits(train=[...], validation=[...], test=None)")
        return
    report.checked.append(f"load(options, context) returned {len(splits.train)} train, "
                          f"{len(splits.validation or [])} validation, "
                          f"{len(splits.test or [])} test examples")
    for split in ("train", "validation", "test"):  # the first split found wrong is enough
        rows = getattr(splits, split)
        if split == "test" and rows is None:
            continue
        if not isinstance(rows, list):
            report.problem(f"{where} -> {split}", f"is {type(rows).__name__}, not a list",
                           "give a list of {'text': ..., 'label': ...} dicts (a generator is "
                           "read more than once)" + ("; test may be None" if split == "test"
                                                     else ""))
            return
        if not _check_rows(rows, f"{where} -> {split}", task, report):
            return
    try:  # the engine's own check of the task's rows (keys, labels, tags, targets, forms)
        if task == TEXT_CLASSIFICATION:
            check_classification_splits(splits, where)
        else:
            get_task(task).labels(splits, where)
    except TunekitError as exc:
        report.problem(where, exc.message, exc.hint or "")
        return
    if not isinstance(splits.source, str):
        report.problem(f"{where} -> source", f"is {_short(splits.source)}, not text",
                       "say where the examples came from (a path, a URL, a name)")
    if splits.hub_id is not None and (not isinstance(splits.hub_id, str)
                                      or not splits.hub_id.strip()):
        report.problem(f"{where} -> hub_id", f"is {_short(splits.hub_id)}",
                       "give the dataset's Hub id as text (org/name), or None")
    if not isinstance(splits.notes, list) or not all(isinstance(n, str) for n in splits.notes):
        report.problem(f"{where} -> notes", "must be a list of sentences",
                       "write what a person should know about the data as strings")
    second = results[1]
    if isinstance(second, DataSplits) and fingerprint(second) != fingerprint(splits):
        report.problem(where, "two calls with the same options and seed gave different "
                              "examples or splits",
                       "take every random choice from a random.Random(context.seed), so "
                       "a run can be repeated")
    else:
        report.checked.append("load is repeatable: the same options and seed give the same "
                              "splits")


def _check_rows(rows: list[Any], where: str, task: str, report: ComponentReport) -> bool:
    if not rows:
        return True  # empty train or validation is reported with the classification check
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            report.problem(f"{where}[{i}]", f"is {type(row).__name__} {_short(row)}, not a dict",
                           "give each example as {'text': ..., 'label': ...}")
            return False
        if task != TEXT_CLASSIFICATION:
            continue
        missing = [k for k in ("text", "label") if k not in row]
        if missing:
            report.problem(f"{where}[{i}]", f"has no {missing[0]!r} key (keys: "
                                            f"{', '.join(map(str, row)) or 'none'})",
                           "give each example the keys 'text' and 'label'; map your "
                           "columns to them in load")
            return False
        if not isinstance(row["text"], str) or not row["text"].strip():
            report.problem(f"{where}[{i}]", f"its text is {_short(row['text'])}: expected "
                                            "non-empty text",
                           "leave out examples without text, and say so in DataSplits.notes")
            return False
        if isinstance(row["label"], list | dict | type(None)):
            report.problem(f"{where}[{i}]", f"its label is {_short(row['label'])}: expected "
                                            "one value", "give one label per example (a "
                                                         "string, ideally)")
            return False
    return True


def _call_augmentation(c: Augmentation, options: dict[str, Any],
                       report: ComponentReport) -> None:
    where = f"{_label(c)}.augment"
    options = {k: v for k, v in options.items() if k != COPIES.name}
    texts = [row["text"] for row in _sample_rows()] + ["ok", "Not bad at all, really!"]
    outputs = []
    state = random.getstate()
    try:
        for global_seed in (1, 2):  # a different global stream each time: only rng may matter
            random.seed(global_seed)
            given = list(texts)
            try:
                out = c.augment(given, dict(options), random.Random(7))
            except Exception as exc:
                _raised(report, where, exc)
                return
            if given != texts:
                report.problem(where, "changed the list of texts it was given",
                               "build a new list and return it")
                return
            outputs.append(out)
    finally:
        random.setstate(state)
    out = outputs[0]
    if not isinstance(out, list):
        report.problem(where, f"returned {type(out).__name__}, not a list",
                       "return a list with one text for each text given")
        return
    if len(out) != len(texts):
        report.problem(where, f"returned {len(out)} texts for {len(texts)}",
                       "return one text per text given, at the same place (the text unchanged "
                       "when there is nothing to change)")
        return
    wrong = [t for t in out if not isinstance(t, str)]
    if wrong:
        report.problem(where, f"returned {type(wrong[0]).__name__} {_short(wrong[0])} among "
                              "its texts", "return strings")
        return
    report.checked.append(f"augment returned {len(out)} texts for {len(texts)}")
    if outputs[1] != out:
        report.problem(where, "gave different texts for the same rng seed",
                       "take every random choice from the rng argument (rng.random(), "
                       "rng.choice(...)), never from the random module or numpy")
    else:
        report.checked.append("augment is repeatable: the same rng seed gives the same texts")
    if out == texts:
        report.advise(where, "changed none of the texts with these options",
                      "if that is right for these options, fine; otherwise the engine adds "
                      "nothing")


def _sample_rows() -> list[dict[str, str]]:
    from .kit import tiny_rows

    return tiny_rows(6, seed=3)


LABELS = ["negative", "positive", "neutral"]


def _call_backbone(c: Backbone, options: dict[str, Any], report: ComponentReport) -> None:
    where = f"{_label(c)}.build"
    images = _task_of(c) == "image-classification"
    request = ModelRequest(task=_task_of(c), labels=list(LABELS), dropout=None)
    try:
        built = c.build(dict(options), request)
    except Exception as exc:
        _raised(report, where, exc)
        return
    if not _built_model_ok(built, where, report):
        return
    batch = _image_batch(built.tokenizer, f"{where} -> tokenizer", report) if images \
        else _text_batch(built, where, report)
    if batch is None or not _forward_ok(built, batch, images, where, report):
        return
    report.checked.append(f"build returned a model whose forward and backward pass work for "
                          f"{len(LABELS)} labels")
    if _layer_groups_ok(built, where, report) and c.load_tokenizer is not None:
        _check_load_tokenizer(c, options, images, report)


def _built_model_ok(built: Any, where: str, report: ComponentReport) -> bool:
    """Whether ``build`` returned a BuiltModel holding a module and a usable max_length."""
    import torch

    if not isinstance(built, BuiltModel):
        report.problem(where, f"returned {type(built).__name__}, not tunekit.BuiltModel",
                       "return tunekit.BuiltModel(model=..., tokenizer=..., source=...)")
        return False
    if not isinstance(built.model, torch.nn.Module):
        report.problem(f"{where} -> model", f"is {type(built.model).__name__}, not a "
                                            "torch.nn.Module",
                       "return the model itself, e.g. from "
                       "AutoModelForSequenceClassification")
        return False
    if not isinstance(built.max_length, int) or isinstance(built.max_length, bool) \
            or built.max_length < 1:
        report.problem(f"{where} -> max_length", f"is {built.max_length!r}",
                       "give the longest input in tokens the model takes, e.g. 512")
        return False
    if not isinstance(built.source, str) or not built.source:
        report.advise(f"{where} -> source", "is empty",
                      "say where the weights came from (a model id or a folder): the model "
                      "card shows it")
    for name in ("hub_id", "license"):  # the exports write them into JSON and YAML
        value = getattr(built, name, None)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            report.problem(f"{where} -> {name}", f"is {value!r}",
                           "give the Hub's name as text (an id such as org/model, a licence "
                           "such as apache-2.0), or None when there is none")
    return True


def _text_batch(built: BuiltModel, where: str, report: ComponentReport) -> dict[str, Any] | None:
    """Two encoded texts from the backbone's tokenizer, or None with the problem said."""
    from ..tasks.text_classification import encode_labelled, pad

    tokenizer = built.tokenizer
    if not callable(tokenizer):
        report.problem(f"{where} -> tokenizer", f"is {type(tokenizer).__name__}, "
                                                "which cannot be called on texts",
                       "return the model's tokenizer (e.g. AutoTokenizer.from_pretrained)")
        return None
    if getattr(tokenizer, "pad_token_id", None) is None:
        report.advise(f"{where} -> tokenizer", "has no padding token: batches pad with id 0",
                      "set tokenizer.pad_token = tokenizer.eos_token (and the model config's "
                      "pad_token_id) as GPT-style models need")
    rows = [{"text": "a short text", "label": "negative"},
            {"text": "another text that is a little longer", "label": "neutral"}]
    try:
        encoded = encode_labelled(rows, tokenizer, {label: i for i, label in enumerate(LABELS)},
                                  min(32, built.max_length))
        batch = pad(encoded, getattr(tokenizer, "pad_token_id", None) or 0)
    except Exception as exc:
        _raised(report, f"{where} -> tokenizer", exc,
                "the tokenizer is called on a list of strings with truncation=True, "
                "max_length=N and must return input_ids (and attention_mask)")
        return None
    batch.pop("labels")
    return batch


def _forward_ok(built: BuiltModel, batch: dict[str, Any], images: bool, where: str,
                report: ComponentReport) -> bool:
    """Whether the model's logits have the labels' shape and, given labels, its loss
    backpropagates."""
    import torch

    targets = torch.tensor([0, 2])
    inputs, things, head = (("pixel_values=...", "images", "*ForImageClassification") if images
                            else ("input_ids=..., attention_mask=...", "texts",
                                  "*ForSequenceClassification"))
    built.model.train()
    try:  # first without labels: the shape of the logits, before any loss is computed
        out = built.model(**batch)
    except Exception as exc:
        _raised(report, f"{where} -> model", exc,
                f"the model is called as model({inputs}, labels=...)")
        return False
    logits = getattr(out, "logits", None)
    if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (2, len(LABELS)):
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else _short(logits)
        report.problem(f"{where} -> model", f"for 2 {things} and {len(LABELS)} labels the "
                                            f"logits are {shape}, expected (2, {len(LABELS)})",
                       "build the classifier with num_labels=len(request.labels)")
        return False
    try:
        out = built.model(**batch, labels=targets)
    except Exception as exc:
        _raised(report, f"{where} -> model", exc,
                f"the model is called as model({inputs}, labels=...)")
        return False
    loss = getattr(out, "loss", None)
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0 or not torch.isfinite(loss):
        report.problem(f"{where} -> model", f"given labels, the output's loss is "
                                            f"{_short(loss)}, expected a finite scalar tensor",
                       f"return the output of a {head} model (it has .loss and .logits)")
        return False
    loss.backward()
    return True


def _layer_groups_ok(built: BuiltModel, where: str, report: ComponentReport) -> bool:
    """Whether the layer groups (the backbone's or the default ones) are a list of LayerGroup;
    says when a parameter is in no group or no group is the head."""
    from ..layers import LayerGroup, default_layer_groups

    groups = built.layer_groups
    if groups is not None:
        if not isinstance(groups, list) or not all(isinstance(g, LayerGroup) for g in groups):
            report.problem(f"{where} -> layer_groups", "must be a list of tunekit.LayerGroup "
                           "(or None)", "leave it None to use the default grouping")
            return False
    else:
        groups = default_layer_groups(built.model)
    grouped = {id(p) for g in groups for _, p in g.params}
    ungrouped = [n for n, p in built.model.named_parameters() if id(p) not in grouped]
    if ungrouped:
        report.problem(f"{where} -> layer_groups", f"{len(ungrouped)} parameters are in no "
                                                   f"layer group (e.g. {ungrouped[0]})",
                       "strategies freeze and train by group: put every parameter in one")
    elif not any(g.kind == "head" for g in groups):
        report.problem(f"{where} -> layer_groups", "no group is the head",
                       "mark the task head's group kind='head': head-only and gradual train it")
    else:
        report.checked.append("layer groups: " + ", ".join(g.name for g in groups))
    return True


def _check_load_tokenizer(c: Backbone, options: dict[str, Any], images: bool,
                          report: ComponentReport) -> None:
    try:
        tokenizer = c.load_tokenizer(dict(options))
        if images:
            tokenizer(images=_tiny_images(1), return_tensors="pt")["pixel_values"]
        else:
            tokenizer(["a short text"], truncation=True, max_length=16)["input_ids"]
    except Exception as exc:
        _raised(report, f"{_label(c)}.load_tokenizer", exc,
                "return the same tokenizer as build, loaded without the weights")
        return
    report.checked.append("load_tokenizer returned a working tokenizer")


def _tiny_images(n: int) -> list[Any]:
    """``n`` small RGB images of different sizes (a processor must resize them)."""
    from PIL import Image

    return [Image.new("RGB", (40 + 8 * i, 30 + 4 * i), (60 * i % 256, 120, 200))
            for i in range(n)]


def _image_batch(processor: Any, where: str, report: ComponentReport) -> dict[str, Any] | None:
    """``{"pixel_values": ...}`` for two images from the backbone's image processor (what
    BuiltModel.tokenizer holds for image-classification), or None with the problem said."""
    import torch

    fix = ("return the model's image processor (e.g. AutoImageProcessor.from_pretrained) in "
           "BuiltModel.tokenizer: it is called as processor(images=[...], return_tensors='pt') "
           "and must return pixel_values")
    if not callable(processor):
        report.problem(where, f"is {type(processor).__name__}, which cannot be called on "
                              "images", fix)
        return None
    try:
        pixels = processor(images=_tiny_images(2), return_tensors="pt")["pixel_values"]
    except Exception as exc:
        _raised(report, where, exc, fix)
        return None
    if not isinstance(pixels, torch.Tensor) or pixels.dim() != 4 or pixels.shape[0] != 2:
        shape = tuple(pixels.shape) if isinstance(pixels, torch.Tensor) else _short(pixels)
        report.problem(where, f"for 2 images the pixel_values are {shape}, expected a tensor "
                              "(2, channels, height, width)", fix)
        return None
    return {"pixel_values": pixels}


def _tiny_model(labels: list[str], layers: int = 4) -> tuple[Any, Any]:
    from .kit import tiny_model

    built = tiny_model(labels, layers=layers)
    return built.model, built.tokenizer


def _plan_ok(plan: Any, name: str, where: str, report: ComponentReport) -> bool:
    """Whether ``apply`` returned a StrategyPlan of the documented shape whose param groups
    the engine's optimizer accepts."""
    import torch

    from ..engine.optim import optimizer_groups

    if not isinstance(plan, StrategyPlan):
        report.problem(where, f"returned {type(plan).__name__}, not tunekit.StrategyPlan",
                       "return tunekit.StrategyPlan(model=..., param_groups=[...], "
                       "summary='...')")
        return False
    if not isinstance(plan.model, torch.nn.Module):
        report.problem(f"{where} -> model", f"is {type(plan.model).__name__}, not a "
                                            "torch.nn.Module", "return the model to train")
        return False
    if not isinstance(plan.param_groups, list) or not all(
            isinstance(g, ParamGroup) for g in plan.param_groups):
        report.problem(f"{where} -> param_groups", "must be a list of tunekit.ParamGroup",
                       "write [tunekit.ParamGroup(name='head', params=[...])]")
        return False
    for group in plan.param_groups:
        at = f"{where} -> param_groups {group.name!r}"
        if not isinstance(group.params, list) or not all(
                isinstance(p, torch.nn.Parameter) for p in group.params):
            report.problem(at, "params must be a list of torch.nn.Parameter",
                           "pass a list, e.g. list(module.parameters())")
            return False
        scale = group.lr_scale
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not scale > 0:
            report.problem(at, f"lr_scale is {scale!r}", "give a number above 0 (1.0: the "
                                                         "base rate)")
            return False
    if not isinstance(plan.summary, str) or not plan.summary.strip():
        report.problem(f"{where} -> summary", "is empty",
                       "say in a sentence what trains: it is shown with the run")
    if not isinstance(plan.frozen_modules, list) or not all(
            isinstance(m, torch.nn.Module) for m in plan.frozen_modules):
        report.problem(f"{where} -> frozen_modules", "must be a list of torch.nn.Module",
                       "list the modules to keep in eval mode, or leave it empty")
    if plan.on_epoch_start is not None and not callable(plan.on_epoch_start):
        report.problem(f"{where} -> on_epoch_start", f"is {_short(plan.on_epoch_start)}",
                       "give a function (epoch) -> str | None, or None")
        return False
    if report.problems:
        return False
    try:
        optimizer_groups(plan, plan.model, 1e-3, 0.01, name)
    except PluginError as exc:
        report.problem(f"{where} -> param_groups", exc.message, exc.hint or "")
        return False
    return True


def _call_strategy(c: Strategy, options: dict[str, Any], report: ComponentReport) -> None:
    from ..layers import default_layer_groups
    from ..tasks.text_classification import encode_labelled as _encode
    from ..tasks.text_classification import pad as _pad

    where = f"{_label(c)}.apply"
    model, tokenizer = _tiny_model(["negative", "positive"])
    groups = default_layer_groups(model)
    epochs = 3
    context = StrategyContext(task=_task_of(c), epochs=epochs, layer_groups=groups)
    try:
        plan = c.apply(model, dict(options), context)
    except Exception as exc:
        _raised(report, where, exc)
        return
    if not _plan_ok(plan, c.name, where, report):
        return
    planned = {id(p) for g in plan.param_groups for p in g.params}
    trained_somewhere = False
    batch = _pad(_encode(_sample_rows()[:4], tokenizer, {"negative": 0, "positive": 1}, 32),
                 tokenizer.pad_token_id or 0)
    for epoch in range(epochs):
        if plan.on_epoch_start is not None:
            try:
                said = plan.on_epoch_start(epoch)
            except Exception as exc:
                _raised(report, f"{where} -> on_epoch_start({epoch})", exc)
                return
            if said is not None and not isinstance(said, str):
                report.problem(f"{where} -> on_epoch_start({epoch})",
                               f"returned {_short(said)}", "return a sentence saying what "
                                                           "changed, or None")
                return
        trainable = [(n, p) for n, p in plan.model.named_parameters() if p.requires_grad]
        stray = [n for n, p in trainable if id(p) not in planned]
        if stray:
            report.problem(f"{where} -> epoch {epoch}",
                           f"{len(stray)} trainable parameters are in no param group (e.g. "
                           f"{stray[0]}): the optimizer never updates them",
                           "list every parameter that may ever train in param_groups")
            return
        trained_somewhere = trained_somewhere or bool(trainable)
    if not trained_somewhere:
        report.problem(where, f"nothing trains in any of {epochs} epochs",
                       "leave at least the head trainable (requires_grad=True)")
        return
    plan.model.train()
    plan.model.zero_grad(set_to_none=True)
    try:
        plan.model(**batch).loss.backward()
    except Exception as exc:
        _raised(report, f"{where} -> model", exc, "the planned model must still run forward "
                                                  "and backward as the backbone's did")
        return
    got = [p for g in plan.param_groups for p in g.params
           if p.requires_grad and p.grad is not None]
    if not got:
        report.problem(where, "after a forward and backward pass no trainable parameter in "
                              "param_groups has a gradient",
                       "put the parameters of plan.model in param_groups (not those of a copy)")
        return
    report.checked.append(f"apply returned a plan ({plan.summary}); every trainable parameter is "
                          f"in a param group over {epochs} epochs, and gradients reach them")


_CLASSES = (
    ("mixed", [0, 1, 2, 1, 0, 2, 1], [0, 1, 1, 1, 2, 2, 0], LABELS),
    ("perfect", [0, 1, 1, 1, 2, 2, 0], [0, 1, 1, 1, 2, 2, 0], LABELS),
    ("one class predicted", [0, 0, 0, 0, 0, 0, 0], [0, 1, 1, 1, 2, 2, 0], LABELS),
    ("two labels", [1, 0, 1, 1], [1, 0, 0, 1], ["no", "yes"]),
)
_TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
_SENTENCES = [[1, 2, 0, 3], [0, 1, 0], [3, 4, 0]]
# (case, predictions, references, labels) in the form each task hands a metric (see
# tunekit.tasks): the edge cases are those a score divides by zero on
METRIC_CASES: dict[str, tuple[tuple[str, list[Any], list[Any], list[str]], ...]] = {
    "text-classification": _CLASSES,
    "image-classification": _CLASSES,
    "text-regression": (
        ("mixed", [0.5, 2.0, 3.5, 1.0, 4.0], [1.0, 2.0, 3.0, 4.0, 5.0], []),
        ("perfect", [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0], []),
        ("one value predicted", [3.0] * 5, [1.0, 2.0, 3.0, 4.0, 5.0], []),
        ("references all equal", [1.5, 2.0, 2.5], [2.0, 2.0, 2.0], []),
    ),
    "token-classification": (
        ("mixed", [[1, 2, 0, 0], [1, 0, 0], [3, 0, 0]], _SENTENCES, _TAGS),
        ("perfect", _SENTENCES, _SENTENCES, _TAGS),
        ("no entity predicted", [[0, 0, 0, 0], [0, 0, 0], [0, 0, 0]], _SENTENCES, _TAGS),
        ("two tags", [[0, 1], [1, 0, 0]], [[0, 1], [0, 0, 1]], ["O", "B-X"]),
    ),
    "causal-lm": (
        ("mixed", [12.5, 3.0, 20.0], [5, 2, 8], []),
        ("perfect", [0.0, 0.0, 0.0], [5, 2, 8], []),
        ("an example with no scored token", [4.0, 0.0], [3, 0], []),
        ("one example", [2.5], [4], []),
    ),
}
_HANDED = {"text-classification": "label indices into labels",
           "image-classification": "label indices into labels",
           "text-regression": "numbers (labels is empty)",
           "token-classification": "a list of tag indices per example, one per word",
           "causal-lm": "per example the summed negative log-likelihood (predictions) and "
                        "the number of tokens scored (references)"}


def _call_metric(c: Metric, options: dict[str, Any], report: ComponentReport) -> None:
    where = f"{_label(c)}.compute"
    task = _task_of(c)
    cases = METRIC_CASES.get(task, _CLASSES)
    scores: dict[str, float] = {}
    for case, predictions, references, labels in cases:
        at = f"{where} ({case}: predictions={predictions}, references={references}, " \
             f"labels={labels})"
        given = copy.deepcopy((predictions, references, labels))
        try:
            out = c.compute(*given)
        except Exception as exc:
            _raised(report, at, exc, f"{task} hands compute "
                    f"{_HANDED.get(task, _HANDED[TEXT_CLASSIFICATION])}; guard divisions by "
                    "zero (a class never predicted, or absent) and handle any number of labels")
            return
        if given != (predictions, references, labels):
            report.problem(at, "changed the lists it was given", "read them; do not change "
                                                                 "them")
            return
        if not isinstance(out, Mapping):
            report.problem(at, f"returned {type(out).__name__} {_short(out)}, not a dict",
                           f"return {{{c.name!r}: value}}")
            return
        for key, value in out.items():
            if not isinstance(key, str):
                report.problem(at, f"the key {key!r} is not text", "name each value with a "
                                                                   "string")
                return
            if isinstance(value, bool):
                report.problem(f"{at}[{key!r}]", f"is {value!r}", "return a number (or a "
                                                                  "list/dict of details)")
                return
            if isinstance(value, int | float) and not math.isfinite(value):
                report.problem(f"{at}[{key!r}]", f"is {value!r}", "return a finite number: "
                               "guard divisions by zero")
                return
            if not isinstance(value, int | float):
                try:
                    json.dumps(value)
                except (TypeError, ValueError):
                    report.problem(f"{at}[{key!r}]", f"is {type(value).__name__}, which "
                                   "cannot be saved as JSON",
                                   "return numbers, or lists and dicts of numbers and strings "
                                   "(convert numpy and torch values with float())")
                    return
        scalars = {k: v for k, v in out.items() if isinstance(v, int | float)}
        own = [k for k in scalars if k == c.name or k.startswith(c.name + "_")]
        if scalars and not own:
            report.problem(at, f"returns the scores {sorted(scalars)} but none is named "
                               f"{c.name!r}",
                           f"name the main score after the metric ({{{c.name!r}: value}}): "
                           "early stopping and comparisons look it up by that name")
            return
        if c.name in scalars:
            scores[case] = float(scalars[c.name])
    report.checked.append(f"compute returned a dict for {len(cases)} {task} cases "
                          f"({', '.join(case[0] for case in cases)})")
    if "mixed" in scores and "perfect" in scores:
        perfect, mixed = scores["perfect"], scores["mixed"]
        if (c.higher_is_better and perfect < mixed) or (not c.higher_is_better and perfect > mixed):
            said = "True" if c.higher_is_better else "False"
            report.problem(f"{_label(c)}.higher_is_better",
                           f"is {said}, but perfect predictions score {perfect:g} and mixed "
                           f"ones {mixed:g}",
                           f"set higher_is_better={not c.higher_is_better}: early stopping "
                           "and comparisons would otherwise prefer the worse model")


@functools.cache
def _tiny_export_context(strategy: str | None = None) -> ExportContext:
    """An ExportContext exactly as the engine makes it, from a real tiny run (with
    ``strategy``, e.g. "lora", instead of the tiny run's own)."""
    from .kit import manager_with, plugin_of, train_tiny

    seen: list[ExportContext] = []
    keeper = Exporter(name="tunekit-check-keeper", description="Keeps the export context of "
                      "the run (check_component).", export=lambda ctx: seen.append(ctx) or [])
    manager = manager_with(("tunekit-check", plugin_of(keeper)))
    train_tiny(manager=manager, exporters=["tunekit-check-keeper"],
               dataset={"name": "tiny-text", "test_split": 0.2},
               **({"strategy": strategy} if strategy else {}))
    return seen[0]


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _check_export(c: Exporter, options: dict[str, Any], original: ExportContext,
                  report: ComponentReport, where: str) -> Exception | None:
    """Export from a copy of ``original`` into a fresh run folder and check what was written;
    the exception export raised, if any (the caller says what it means)."""
    with tempfile.TemporaryDirectory(prefix="tunekit-check-") as tmp:
        root = Path(tmp) / "run-1"
        directory = root / c.name
        directory.mkdir(parents=True)
        (root / "other-exporter").mkdir()
        context = replace(original, directory=directory, options=dict(options),
                          model=copy.deepcopy(original.model),
                          spec=copy.deepcopy(original.spec),
                          metrics=dict(original.metrics), data=copy.deepcopy(original.data),
                          training=dict(original.training))
        # a fresh working folder: a file written to a relative path shows up there
        workdir = Path(tmp) / "working-folder"
        workdir.mkdir()
        previous = os.getcwd()
        os.chdir(workdir)
        try:
            paths = c.export(context)
        except Exception as exc:
            return exc
        finally:
            os.chdir(previous)
        if paths is None:
            report.problem(where, "returned None", "return the list of paths written (an "
                                                   "empty list when nothing was)")
            return None
        if isinstance(paths, str | os.PathLike):
            report.problem(where, f"returned one path ({paths}), not a list",
                           f"return [{os.fspath(paths)!r}]")
            return None
        if not isinstance(paths, list | tuple):
            report.problem(where, f"returned {type(paths).__name__}, not a list of paths",
                           "return a list")
            return None
        inside = directory.resolve()
        for item in paths:
            if not isinstance(item, str | os.PathLike):
                report.problem(where, f"returned {_short(item)} among its paths",
                               "return str or pathlib.Path items")
                return None
            path = Path(item) if Path(item).is_absolute() else workdir / item
            path = path.resolve()
            if not path.exists():
                report.problem(where, f"returned {item}, which does not exist",
                               "return only what was written")
                return None
            if not path.is_relative_to(inside):
                report.problem(where, f"returned {item}, outside its directory {directory}",
                               "write everything under context.directory")
                return None
        stray = sorted(str(p) for p in _files(root) | _files(workdir)
                       if not p.is_relative_to(directory))
        if stray:
            report.problem(where, f"wrote {stray[0]}, outside its directory",
                           "write everything under context.directory (another exporter's "
                           "folder or the working folder is not yours)")
            return None
        written = _files(directory)
        listed = {(Path(p) if Path(p).is_absolute() else workdir / p).resolve() for p in paths}
        unlisted = [p for p in written if not any(p.resolve() == q or p.resolve()
                                                  .is_relative_to(q) for q in listed)]
        if unlisted:
            report.advise(where, f"wrote {unlisted[0].name} without returning it",
                          "return every path written: the registry records each with its "
                          "size and checksum")
        if not written:
            report.advise(where, "wrote nothing", "write the artifact into context.directory")
        report.checked.append(f"export wrote {len(written)} file(s) inside its directory and "
                              f"returned {len(paths)} path(s)")
    return None


def _call_exporter(c: Exporter, options: dict[str, Any], report: ComponentReport) -> None:
    where = f"{_label(c)}.export"
    error = _check_export(c, options, _tiny_export_context(), report, where)
    if isinstance(error, TunekitError):
        # a refusal said for people: an exporter that needs an adapter refuses a plain model,
        # as it would in a run; it must work on a model the lora strategy wrapped
        retry = _check_export(c, options, _tiny_export_context("lora"), report,
                              f"{where} (a LoRA-wrapped model)")
        if retry is None:
            report.checked.append(f"export refused the tiny model without an adapter, saying "
                                  f"why ({type(error).__name__}: {error.message}); it was "
                                  "checked on a LoRA-wrapped model instead")
            return
        if not isinstance(retry, TunekitError):
            _raised(report, f"{where} (a LoRA-wrapped model)", retry)
            return
    if error is not None:
        _raised(report, where, error)


# ---------------------------------------------------------------- plugins


def check_plugin(plugin: Any, *, name: str | None = None,
                 options: dict[str, dict[str, Any]] | None = None, call: bool = True,
                 strict: bool = True) -> PluginReport:
    """Load ``plugin`` as tunekit does and check every component it registers.

    ``plugin`` is a module, an object with hooks, a module name ("my_plugin") or a path to a
    ``.py`` file. Loading problems (an import error, an exception in a hook, a wrong type
    registered, a misspelled hook, a name already taken by a built-in) are reported as the
    plugin manager reports them. ``options`` maps component names to the options to call
    them with. Raises ContractError when anything is wrong (``strict=False``: returns).
    """
    from ..plugin_manager import _describe_exception
    from .kit import manager_with

    label = name or (plugin if isinstance(plugin, str) else
                     getattr(plugin, "__name__", type(plugin).__name__))
    report = PluginReport(plugin=str(label))
    if isinstance(plugin, str | os.PathLike):
        try:
            plugin = _import(plugin)
        except Exception as exc:
            report.problems.append(ContractProblem(f"plugin {label}", "failed to import: "
                                                   + _describe_exception(exc),
                                                   "fix the error; tunekit skips the plugin "
                                                   "until then"))
            return _finish(report, strict)
    manager = manager_with((str(label), plugin), strict=False)
    info = next((i for i in manager.plugins.values()
                 if manager.pm.get_plugin(i.name) is plugin), None) \
        or manager.plugins.get(str(label))
    # the built-ins and the tiny test plugins load cleanly: every problem is this plugin's
    for problem in manager.problems:
        report.problems.append(ContractProblem(f"plugin {label}", problem.error,
                                               _loading_fix(problem.error)))
    if info is None or info.status != "loaded":
        return _finish(report, strict)
    if not info.components and not manager.pm.get_hookcallers(plugin):
        report.problems.append(ContractProblem(
            f"plugin {label}", "implements no tunekit hook",
            "mark its functions with @tunekit.hookimpl and name them after the hooks "
            "(register_metrics, on_run_end, ...)"))
    for kind, component_name in info.components:
        component = manager.get(kind, component_name)
        report.components.append(check_component(
            component, kind, options=(options or {}).get(component_name), call=call,
            strict=False))
    return _finish(report, strict)


def _loading_fix(error: str) -> str:
    if "not a tunekit hook" in error:
        return "rename the function to the hook it means (see tunekit.hookspecs)"
    if "registered twice" in error:
        return "give the component a name of its own (the first one registered is kept)"
    if "expected tunekit." in error:
        return "register each kind of component through its own hook"
    if "a register hook returns nothing" in error:
        return "call register(component) for each component; return nothing"
    if "already loaded" in error:
        return "give the plugin (its entry point) a name of its own"
    return "fix the error; tunekit skips the plugin until then"


def _import(target: str | os.PathLike[str]) -> ModuleType:
    path = Path(target)
    if path.suffix == ".py":
        spec = importlib.util.spec_from_file_location(f"tunekit_checked_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(str(target))
