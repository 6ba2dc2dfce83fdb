"""sweep(spec, space): many runs of one spec with other values, searched by Optuna.

    from tunekit.tools.sweep import sweep

    result = sweep("spec.yaml", {"training.learning_rate": {"low": 1e-5, "high": 1e-3,
                                                             "log": True},
                                 "strategy.r": [4, 8, 16]}, sampler="tpe", trials=12)
    print(result.table())          # every trial: its values, score and how it ended
    result.best_spec_path          # the best trial's spec, ready for `tunekit run`

Every trial is a run in registry.db filed under one sweep (``runs.sweep_id``); the score is a
validation metric (never the test split): the spec's early-stopping metric, else its first
metric. Hopeless trials are pruned after an epoch (Optuna's median rule: worse than the
median of earlier trials at the same epoch; a diverged loss always). The budget is a number
of trials and/or minutes: no trial starts once the minutes are spent. A trial that fails is
recorded and the sweep goes on; a spec that does not validate stops it before any run.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import SpecError, TunekitError, UnknownComponentError, did_you_mean
from ..events import Event, Listener, StopTraining
from ..spec import DEFAULT_SPEC, RunSpec, apply_overrides, parse_spec, read_spec_file
from .search_space import (
    Dimension,
    Space,
    apply,
    describe_params,
    grid,
    merge,
    parse_param_option,
    parse_space,
    show,
    typed,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..plugin_manager import PluginManager
    from ..registry import Registry

SAMPLERS = ("grid", "random", "tpe")
SECTIONS = ("sweep", "bakeoff")  # top-level sections a run ignores and sweep/bakeoff read
SWEEP_KEYS = ("params", "sampler", "trials", "minutes", "metric", "direction", "prune", "seed",
              "output", "prune_startup_trials", "prune_warmup_epochs")
DIRECTIONS = ("maximize", "minimize")
DEFAULT_TRIALS = 10  # random or tpe search with no budget given
FAILURES_IN_A_ROW = 3  # then something is wrong beyond one trial's values: stop
CHECK_ALL_UP_TO = 256  # combinations checked one by one up front; beyond, each value once


# ---------------------------------------------------------------- the base spec


@dataclass
class Base:
    """The spec every trial starts from: the raw mapping (``--set`` applied, the ``sweep:``
    and ``bakeoff:`` sections taken out), where its relative paths start, and its sections."""

    data: dict[str, Any]
    base_dir: Path
    source: str
    sections: dict[str, Any]
    spec: RunSpec

    def build(self, params: dict[str, Any], manager: PluginManager) -> RunSpec:
        """The validated spec of one trial."""
        return parse_spec(apply(self.data, params), manager, base_dir=self.base_dir,
                          source=self.source)


def read_base(spec: RunSpec | dict[str, Any] | str | os.PathLike[str] | None,
              manager: PluginManager, overrides: Iterable[str] = ()) -> Base:
    """Read the base spec (a RunSpec, a mapping, a file, or None for the bundled default),
    apply ``--set`` overrides and validate it; SpecError names the file and field."""
    if isinstance(spec, RunSpec):
        data, base_dir, source = spec.to_dict(), spec.base_dir, spec.source or "spec"
    elif isinstance(spec, dict):
        data, base_dir, source = deepcopy(spec), Path.cwd(), "spec"
    elif spec is None:
        data, base_dir, source = deepcopy(DEFAULT_SPEC), Path.cwd(), "bundled default"
    else:
        path = Path(spec)
        data, base_dir, source = read_spec_file(path), path.resolve().parent, str(path)
    sections = {key: data.pop(key) for key in SECTIONS if key in data}
    try:
        data = apply_overrides(data, list(overrides))
        parsed = parse_spec(data, manager, base_dir=base_dir, source=source)
    except (SpecError, UnknownComponentError) as exc:
        if source not in ("spec", "bundled default") and not (exc.where or "").startswith(
                "--set"):
            exc.where = f"{source}: {exc.where}" if exc.where else source
        raise
    return Base(data, base_dir, source, sections, parsed)


def objective(spec: RunSpec, manager: PluginManager, metric: str | None = None,
              direction: str | None = None) -> tuple[str, str]:
    """The validation score a sweep optimises and which way is better: ``metric`` if given
    (``loss`` or a score the spec's metrics give), else the early-stopping metric, else the
    first metric that gives a score (as early stopping picks it)."""
    scores: dict[str, bool] = {}  # name -> higher is better
    for name in spec.names("metrics"):
        component = manager.get("metric", name)
        try:  # a metric says which scores it gives only by computing them: a tiny probe
            probe = component.compute([0, 1], [0, 1], ["a", "b"])
        except Exception:  # noqa: BLE001 - a metric that needs real data: take its name
            probe = {name: 0.0}
        for key, value in probe.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                scores.setdefault(key, component.higher_is_better)
    stopping = spec.data["training"].get("early_stopping") or {}
    if metric is None:
        metric = stopping.get("metric") or next(
            (name for name in spec.names("metrics") if name in scores), "loss")
    elif metric != "loss" and metric not in scores:
        choices = ["loss", *scores]
        raise SpecError(f"{metric!r} is not a score this spec computes."
                        f"{did_you_mean(metric, choices)} Choose one of: {', '.join(choices)}",
                        where="--metric")
    higher = scores.get(metric, False) if metric != "loss" else False
    if direction is None:
        direction = "maximize" if higher else "minimize"
    elif direction not in DIRECTIONS:
        raise SpecError(f"direction must be maximize or minimize, got {direction!r}",
                        where="--direction")
    return metric, direction


def check_specs(base: Base, space: Space, manager: PluginManager, where: str) -> None:
    """Validate the trials' specs before any training: every combination of the values (a
    range by its ends) when there are few, else each value with the others at their first."""
    if not space:
        return
    values = {f: d.representatives() for f, d in space.items()}
    count = math.prod(len(v) for v in values.values())
    fields = list(space)
    if count <= CHECK_ALL_UP_TO:
        import itertools

        combos = [dict(zip(fields, c, strict=True))
                  for c in itertools.product(*(values[f] for f in fields))]
    else:
        first = {f: values[f][0] for f in fields}
        combos = [{**first, f: v} for f in fields for v in values[f]]
    for params in combos:
        try:
            base.build(params, manager)
        except (SpecError, UnknownComponentError) as exc:
            trial = describe_params(params) if len(params) > 1 else \
                f"{fields[0]}={show(params[fields[0]])}"
            raise SpecError(f"the trial with {trial} does not validate: {exc}", where=where,
                            hint="check the field names and values of the search space") \
                from None


# ---------------------------------------------------------------- results


@dataclass
class Trial:
    """One trial: its values, its run, how it ended and its score."""

    number: int
    params: dict[str, Any]
    state: str = "running"  # completed | pruned | failed | cancelled
    run_id: int | None = None
    value: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    epochs: int | None = None
    seconds: float | None = None
    note: str | None = None  # why it was pruned, or the error

    def to_dict(self) -> dict[str, Any]:
        return {"trial": self.number, "run_id": self.run_id, "state": self.state,
                "params": self.params, "value": self.value, "metrics": self.metrics,
                "epochs": self.epochs, "seconds": self.seconds, "note": self.note}


@dataclass
class SweepResult:
    """What a sweep did: every trial, the best one and where its spec was written."""

    sweep_id: int
    status: str
    sampler: str
    metric: str
    direction: str
    space: Space
    trials: list[Trial]
    stopped: str = ""  # why no further trial started
    best: Trial | None = None
    best_spec: dict[str, Any] | None = None
    best_spec_path: Path | None = None

    def table(self) -> str:
        """The trials as a plain-text table, best marked with ``*``."""
        fields = list(self.space)
        headers = ["trial", "run", "state", *fields, self.metric, "epochs", "time"]
        rows = []
        for t in self.trials:
            mark = "*" if self.best is not None and t is self.best else ""
            rows.append([f"{t.number}{mark}", str(t.run_id or "-"), t.state,
                         *(show(t.params.get(f, "")) for f in fields),
                         f"{t.value:.4f}" if t.value is not None else "-",
                         str(t.epochs or "-"), _duration(t.seconds)])
        return format_table(headers, rows)

    def to_dict(self) -> dict[str, Any]:
        return {"sweep_id": self.sweep_id, "status": self.status, "sampler": self.sampler,
                "metric": self.metric, "direction": self.direction,
                "space": {f: d.describe() for f, d in self.space.items()},
                "stopped": self.stopped, "trials": [t.to_dict() for t in self.trials],
                "best": self.best.to_dict() if self.best else None,
                "best_spec": self.best_spec,
                "best_spec_path": str(self.best_spec_path) if self.best_spec_path else None}


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


# ---------------------------------------------------------------- pruning


class TrialWatch:
    """A run listener that reports the watched validation score to the Optuna trial after each
    epoch and stops the run (``StopTraining``) when the pruner says it is hopeless."""

    def __init__(self, trial: Any, metric: str, prune: bool):
        self.trial = trial
        self.metric = metric
        self.prune = prune
        self.pruned: str | None = None
        self.epochs = 0

    def __call__(self, event: Event) -> None:
        if event.kind != "evaluation" or event.data.get("split") != "validation":
            return
        self.epochs = int(event.data["epoch"])
        scores = event.data.get("metrics") or {}
        loss = scores.get("loss")
        value = scores.get(self.metric)
        if self.prune and loss is not None and not math.isfinite(loss):
            self.pruned = f"diverged: the validation loss is {loss} after epoch {self.epochs}"
            raise StopTraining(f"pruned by the sweep: {self.pruned}")
        if value is None or not math.isfinite(value):
            return
        self.trial.report(value, step=self.epochs)
        if self.prune and self.trial.should_prune():
            self.pruned = (f"validation {self.metric} {value:.4f} after epoch {self.epochs} is "
                           "worse than the median of the earlier trials at that epoch")
            raise StopTraining(f"pruned by the sweep: {self.pruned}")


# ---------------------------------------------------------------- the sweep


def sweep(spec: RunSpec | dict[str, Any] | str | os.PathLike[str] | None = None,
          space: dict[str, Any] | Iterable[str] | None = None, *,
          sampler: str | None = None, trials: int | None = None, minutes: float | None = None,
          metric: str | None = None, direction: str | None = None, prune: bool | None = None,
          seed: int | None = None, overrides: Iterable[str] = (),
          output: str | os.PathLike[str] | None = None,
          prune_startup_trials: int | None = None, prune_warmup_epochs: int | None = None,
          manager: PluginManager | None = None, registry: Registry | None = None,
          listeners: Iterable[Listener] = (), progress: bool = False,
          output_root: str | os.PathLike[str] | None = None,
          say: Callable[[str], None] | None = None) -> SweepResult:
    """Search ``space`` (a mapping of dotted spec fields to choices or ranges, or
    ``FIELD=VALUES`` strings as ``--param`` takes them; added to the spec file's ``sweep:``
    section) and return every trial and the best spec, written to ``output`` (default:
    ``sweep-N/best.yaml`` in the runs folder).

    ``sampler``: grid (every combination, in order), random, or tpe (Optuna's Bayesian
    sampler); default grid when every field has a finite list of values, else tpe. The budget
    is ``trials`` and/or ``minutes`` (default: the whole grid, or 10 trials). ``prune`` stops
    hopeless trials after ``prune_warmup_epochs`` epochs once ``prune_startup_trials`` trials
    have completed. ``say`` receives one line per trial. Raises SpecError before any run when
    a trial's spec does not validate; KeyboardInterrupt cancels the running trial and the
    sweep."""
    import optuna

    from ..engine import run
    from ..plugin_manager import load_plugins
    from ..registry import Registry

    manager = manager or load_plugins()
    base = read_base(spec, manager, overrides)
    settings = _settings(base.sections.get("sweep"), base.source)
    file_space = parse_space(settings.get("params"), f"{base.source}: sweep.params")
    if space is None:
        given: Space = {}
    elif isinstance(space, dict):
        given = parse_space(space, "space")
    else:
        given = dict(parse_param_option(item) for item in space)
    space = typed(merge(file_space, given), base.data, manager)
    if not space:
        raise SpecError("nothing to search: no fields and values given", where="sweep",
                        hint="add --param FIELD=VALUES (e.g. --param "
                             "training.learning_rate=1e-4,3e-4) or a sweep: {params: ...} "
                             "section to the spec")

    sampler = sampler or settings.get("sampler") or (
        "grid" if all(d.finite for d in space.values()) else "tpe")
    if sampler not in SAMPLERS:
        raise SpecError(f"unknown sampler {sampler!r}.{did_you_mean(sampler, SAMPLERS)}",
                        where="--sampler", hint="choose grid, random or tpe")
    trials = trials if trials is not None else settings.get("trials")
    minutes = minutes if minutes is not None else settings.get("minutes")
    _check_budget(trials, minutes)
    metric, direction = objective(base.spec, manager, metric or settings.get("metric"),
                                  direction or settings.get("direction"))
    prune = prune if prune is not None else settings.get("prune", True)
    seed = seed if seed is not None else settings.get("seed", base.spec.training.seed)
    startup = _whole(prune_startup_trials, settings.get("prune_startup_trials"), 2,
                     "prune_startup_trials")
    warmup = _whole(prune_warmup_epochs, settings.get("prune_warmup_epochs"), 1,
                    "prune_warmup_epochs")
    output = output or settings.get("output")

    plan = grid(space, where="--sampler grid") if sampler == "grid" else None
    budget_note = ""
    if plan is not None:
        trials = len(plan) if trials is None else min(trials, len(plan))
    elif trials is None and minutes is None:
        trials, budget_note = DEFAULT_TRIALS, f" (no budget given: {DEFAULT_TRIALS} trials)"
    check_specs(base, space, manager, where=f"{base.source}: sweep")

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if sampler == "tpe":
        startup_trials = min(10, max(2, (trials or 30) // 3))
        chosen = optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup_trials)
    else:  # grid: every combination is queued in order; the sampler is never asked
        chosen = optuna.samplers.RandomSampler(seed=seed)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=startup, n_warmup_steps=warmup + 1) \
        if prune else optuna.pruners.NopPruner()
    study = optuna.create_study(direction=direction, sampler=chosen, pruner=pruner)
    for params in plan or []:
        study.enqueue_trial({f: _label(space[f], v) for f, v in params.items()})

    registry = registry or Registry.open()
    budget = {"trials": trials, "minutes": minutes}
    record = registry.create_sweep(
        "sweep", base.spec.to_dict(), {f: d.describe() for f, d in space.items()},
        metric=metric, direction=direction, sampler=sampler, name=Path(base.source).stem,
        settings={**budget, "seed": seed, "prune": prune, "prune_startup_trials": startup,
                  "prune_warmup_epochs": warmup, "source": base.source})
    result = SweepResult(record.id, "running", sampler, metric, direction, space, [])
    say = say or (lambda text: None)
    say(f"sweep {record.id}: {sampler} search over {', '.join(space)} for the best validation "
        f"{metric} ({direction}); budget: {_say_budget(trials, minutes)}{budget_note}")

    started = time.monotonic()
    failures = 0
    try:
        while True:
            number = len(result.trials)
            if trials is not None and number >= trials:
                result.stopped = (f"all {trials} trials of the grid ran" if plan is not None
                                  and trials == len(plan) else
                                  f"the budget of {_say_budget(trials, None)} was used")
                break
            spent = time.monotonic() - started
            if minutes is not None and number > 0 and spent >= minutes * 60:
                result.stopped = (f"the budget of {minutes:g} minutes was spent after {number} "
                                  f"trial{'s' if number != 1 else ''} ({_duration(spent)}): no "
                                  "new trial started")
                break
            if failures >= FAILURES_IN_A_ROW:
                result.stopped = (f"{failures} trials failed in a row: stopping (see the "
                                  "errors in the table)")
                break
            trial = _run_trial(study, space, number, base, manager, registry, record.id, run,
                               metric, prune, list(listeners), progress, output_root)
            result.trials.append(trial)
            failures = failures + 1 if trial.state == "failed" else 0
            value = f"{metric} {trial.value:.4f}" if trial.value is not None else trial.state
            say(f"[{number + 1}{f'/{trials}' if trials else ''}] trial {number}: "
                f"{describe_params(trial.params)} -> {value}"
                + (f" ({trial.state}: {trial.note})" if trial.state != "completed" else "")
                + f" [run {trial.run_id or '-'}, {_duration(trial.seconds)}]")
    except KeyboardInterrupt:
        result.status = "cancelled"
        result.stopped = "stopped by the user"
        _finish(registry, result, error="stopped by the user")
        raise

    completed = [t for t in result.trials if t.state == "completed" and t.value is not None]
    if completed:
        pick = max if direction == "maximize" else min
        result.best = pick(completed, key=lambda t: t.value)
        best_record = registry.get_run(result.best.run_id)
        result.best_spec = best_record.spec
        target = Path(output) if output else (
            (Path(output_root) if output_root else registry.path.resolve().parent / "runs")
            / f"sweep-{record.id}" / "best.yaml")
        result.best_spec_path = write_best_spec(result, target, base)
        result.status = "completed"
        say(f"best: trial {result.best.number} (run {result.best.run_id}) with "
            f"{describe_params(result.best.params)}: validation {metric} "
            f"{result.best.value:.4f}; spec written to {result.best_spec_path}")
    else:
        result.status = "failed"
    _finish(registry, result, error=None if completed else "no trial completed")
    return result


def _run_trial(study: Any, space: Space, number: int, base: Base, manager: PluginManager,
               registry: Registry, sweep_id: int, run: Callable[..., Any], metric: str,
               prune: bool, listeners: list[Listener], progress: bool,
               output_root: Any) -> Trial:
    """Ask Optuna for the values, train the run, tell Optuna how it went."""
    from optuna.trial import TrialState

    asked = study.ask()
    params = {f: d.suggest(asked) for f, d in space.items()}
    trial = Trial(number, params)
    watch = TrialWatch(asked, metric, prune)
    clock = time.monotonic()
    try:
        spec = base.build(params, manager)
        outcome = run(spec, manager=manager, registry=registry, listeners=[watch, *listeners],
                      progress=progress, output_root=output_root, sweep_id=sweep_id,
                      trial=number, trial_label=describe_params(params))
    except KeyboardInterrupt:
        trial.state = "cancelled"
        study.tell(asked, state=TrialState.FAIL)
        for record in registry.sweep_runs(sweep_id):
            if record.trial == number:
                registry.update_run(record.id, trial_state="cancelled")
        raise
    except Exception as exc:  # recorded, and the sweep goes on
        trial.state, trial.run_id = "failed", getattr(exc, "run_id", None)
        trial.note = str(exc) if isinstance(exc, TunekitError) else f"{type(exc).__name__}: {exc}"
        trial.seconds = time.monotonic() - clock
        study.tell(asked, state=TrialState.FAIL)
        if trial.run_id is not None:
            registry.update_run(trial.run_id, trial_state="failed")
        return trial
    trial.run_id, trial.metrics = outcome.run_id, outcome.metrics
    trial.epochs = watch.epochs or None
    trial.seconds = registry.get_run(outcome.run_id).duration_seconds()
    trial.value = outcome.metrics.get(metric)
    if watch.pruned:
        trial.state, trial.note = "pruned", watch.pruned
        study.tell(asked, state=TrialState.PRUNED)
    elif trial.value is None or not math.isfinite(trial.value):
        trial.state = "failed"
        trial.note = f"the run gave no finite validation {metric}"
        trial.value = None
        study.tell(asked, state=TrialState.FAIL)
    else:
        trial.state = "completed"
        study.tell(asked, trial.value)
    registry.update_run(outcome.run_id, trial_state=trial.state)
    return trial


def _finish(registry: Registry, result: SweepResult, error: str | None) -> None:
    from ..registry import now

    counts: dict[str, int] = {}
    for t in result.trials:
        counts[t.state] = counts.get(t.state, 0) + 1
    summary = {"stopped": result.stopped, "trials": counts,
               "best_trial": result.best.number if result.best else None,
               "best_value": result.best.value if result.best else None,
               "best_params": result.best.params if result.best else None}
    registry.update_sweep(result.sweep_id, status=result.status, summary=summary, error=error,
                          best_run_id=result.best.run_id if result.best else None,
                          output_path=str(result.best_spec_path or ""), finished_at=now())


def write_best_spec(result: SweepResult, path: Path, base: Base) -> Path:
    """The best trial's spec as YAML, headed by a comment saying where it comes from; dataset
    paths are made absolute when the file lands outside the spec's folder."""
    assert result.best is not None and result.best_spec is not None
    spec = deepcopy(result.best_spec)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.resolve().parent != base.base_dir.resolve():
        dataset = dict(spec.get("dataset") or {})
        for key, value in list(dataset.items()):
            if key.endswith("path") and isinstance(value, str) and value:
                candidate = Path(value).expanduser()
                if not candidate.is_absolute() and (base.base_dir / candidate).exists():
                    dataset[key] = str((base.base_dir / candidate).resolve())
        spec["dataset"] = dataset
    best = result.best
    header = [f"# The best trial of sweep {result.sweep_id} ({result.sampler} search, "
              f"{len(result.trials)} trials, from {base.source}):",
              f"# trial {best.number}, run {best.run_id}: validation {result.metric} "
              f"{best.value:.4f} ({result.direction})",
              f"# with {describe_params(best.params)}",
              f"# train it: tunekit run {path}"]
    path.write_text("\n".join(header) + "\n" + yaml.safe_dump(spec, sort_keys=False),
                    encoding="utf-8")
    return path


# ---------------------------------------------------------------- settings


def _settings(section: Any, source: str) -> dict[str, Any]:
    """A spec file's ``sweep:`` section, checked."""
    if section is None:
        return {}
    where = f"{source}: sweep"
    if not isinstance(section, dict):
        raise SpecError("expected a mapping (params, sampler, trials, minutes, metric, ...)",
                        where=where)
    unknown = [k for k in section if k not in SWEEP_KEYS]
    if unknown:
        raise SpecError(f"unknown key {unknown[0]!r}.{did_you_mean(str(unknown[0]), SWEEP_KEYS)}",
                        where=where, hint="a sweep section has: " + ", ".join(SWEEP_KEYS))
    return dict(section)


def _check_budget(trials: Any, minutes: Any) -> None:
    if trials is not None and (isinstance(trials, bool) or not isinstance(trials, int)
                               or trials < 1):
        raise SpecError(f"the number of trials must be a whole number of at least 1, got "
                        f"{trials!r}", where="--trials")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int | float)
                                or not minutes > 0):
        raise SpecError(f"the minutes must be a number above 0, got {minutes!r}",
                        where="--minutes")


def _whole(given: Any, from_file: Any, default: int, name: str) -> int:
    value = given if given is not None else from_file if from_file is not None else default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SpecError(f"expected a whole number of 0 or more, got {value!r}",
                        where=f"sweep.{name}")
    return value


def _label(dim: Dimension, value: Any) -> Any:
    if dim.is_range:
        return value
    return dim.labels()[[json.dumps(c, sort_keys=True, default=str) for c in dim.choices]
                        .index(json.dumps(value, sort_keys=True, default=str))]


def _say_budget(trials: int | None, minutes: float | None) -> str:
    parts = []
    if trials is not None:
        parts.append(f"{trials} trial{'s' if trials != 1 else ''}")
    if minutes is not None:
        parts.append(f"{minutes:g} minutes")
    return " or ".join(parts) if parts else "none"
