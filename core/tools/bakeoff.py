"""bakeoff(spec, strategies): the same data, backbone and seed trained with each strategy (and
from scratch), side by side, with a verdict in plain words.

    from tunekit.tools.bakeoff import bakeoff

    report = bakeoff("spec.yaml", ["full", "head-only", "lora", "gradual"], scratch=True)
    print(report.table())        # validation and test scores, parameters, time, memory
    print(report.verdict_text())  # which is best, by how much, and what that says

Each strategy trains with its own recommended epochs and learning rate (a rate right for
full fine-tuning starves LoRA and a fresh head) unless the spec pins them. ``scratch`` is full
fine-tuning of the same backbone with ``pretrained: false``: the gap says what pretraining is
worth. The runs are filed in registry.db under one bake-off (``kind`` bakeoff in the sweeps
table); ``load_bakeoff`` rebuilds the report from there, which is how the studio shows
bake-offs started anywhere.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SpecError, TunekitError
from ..events import Event, Listener
from ..spec import RunSpec, parse_spec, set_field
from .sweep import Base, format_table, objective, read_base

if TYPE_CHECKING:  # pragma: no cover
    from ..plugin_manager import PluginManager
    from ..registry import Registry

SCRATCH = "scratch"
SCRATCH_WORDS = ("scratch", "from-scratch", "pretrained:false", "pretrained=false",
                 "pretrained: false")
BAKEOFF_KEYS = ("strategies", "scratch", "metric")
SHARE_METRICS = ("accuracy", "f1", "precision", "recall")  # proportions: a binomial error fits
HEAD_ONLY = "head-only"
# the default entries: the built-in strategies from the most to the least trained, then any
# other installed strategy
DEFAULT_ORDER = ("full", "head-only", "freeze-bottom", "lora", "gradual")


@dataclass(frozen=True)
class Entry:
    """One contender: a strategy on the pretrained backbone, or full fine-tuning from scratch."""

    label: str
    strategy: str
    pretrained: bool = True


def parse_entries(items: Iterable[str] | str | None, manager: PluginManager,
                  scratch: bool = False) -> list[Entry]:
    """Entries from strategy names (``full,lora`` or a list); ``scratch`` (or
    ``pretrained:false``) adds full fine-tuning from random weights. None: every installed
    strategy."""
    if isinstance(items, str):
        items = items.split(",")
    if items is None:
        installed = manager.names("strategy")
        items = [n for n in DEFAULT_ORDER if n in installed] + \
            [n for n in installed if n not in DEFAULT_ORDER]
    names = [str(i).strip() for i in items if str(i).strip()]
    if not names and not scratch:
        raise SpecError("no strategies given", where="--strategies",
                        hint="e.g. --strategies full,head-only,lora")
    entries: list[Entry] = []
    for name in names:
        if name.lower().replace(" ", "") in {w.replace(" ", "") for w in SCRATCH_WORDS}:
            entry = Entry(SCRATCH, "full", pretrained=False)
        else:
            strategy = manager.get("strategy", name, where="--strategies").name
            entry = Entry(strategy, strategy)
        if entry in entries:
            raise SpecError(f"{entry.label!r} is listed twice", where="--strategies")
        entries.append(entry)
    if scratch and Entry(SCRATCH, "full", pretrained=False) not in entries:
        entries.append(Entry(SCRATCH, "full", pretrained=False))
    return entries


def entry_spec(base: Base, entry: Entry, manager: PluginManager) -> RunSpec:
    """The spec of one entry: the base with the entry's strategy (its own epochs and rate
    unless the spec pins them) and, for scratch, ``backbone.pretrained: false``."""
    data = json.loads(json.dumps(base.data))
    set_field(data, "strategy", entry.strategy)
    if not entry.pretrained:
        backbone = base.spec.data["backbone"]["name"]
        params = {p.name for p in manager.get("backbone", backbone).params}
        if "pretrained" not in params:
            raise SpecError(f"backbone {backbone!r} has no 'pretrained' option, so it cannot be "
                            "trained from scratch", where="--scratch",
                            hint="leave out scratch, or use a backbone that has it "
                                 "(minilm-l6, hf)")
        set_field(data, "backbone.pretrained", False)
    return parse_spec(data, manager, base_dir=base.base_dir, source=base.source)


# ---------------------------------------------------------------- the report


@dataclass
class Contender:
    """One entry's run, as the report shows it."""

    label: str
    run_id: int | None
    status: str
    strategy: str
    pretrained: bool = True
    metrics: dict[str, float] = field(default_factory=dict)
    test_metrics: dict[str, float] = field(default_factory=dict)
    trainable: int | None = None
    total: int | None = None
    seconds: float | None = None  # wall time of the run
    train_seconds: float | None = None
    peak_memory_bytes: int | None = None
    peak_memory_kind: str = ""
    samples_per_second: float | None = None
    epochs: int | None = None
    learning_rate: float | None = None
    validation_size: int | None = None
    majority_share: float | None = None  # of the training labels: what always-the-same scores
    error: str | None = None

    @property
    def share(self) -> float | None:
        """The fraction of parameters that trained."""
        return self.trainable / self.total if self.trainable is not None and self.total else None

    def score(self, metric: str) -> float | None:
        value = self.metrics.get(metric)
        return value if isinstance(value, int | float) and math.isfinite(value) else None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "run_id": self.run_id, "status": self.status,
                "strategy": self.strategy, "pretrained": self.pretrained,
                "metrics": self.metrics, "test_metrics": self.test_metrics,
                "trainable_parameters": self.trainable, "total_parameters": self.total,
                "trainable_share": self.share, "wall_seconds": self.seconds,
                "train_seconds": self.train_seconds,
                "peak_memory_bytes": self.peak_memory_bytes,
                "peak_memory_kind": self.peak_memory_kind,
                "samples_per_second": self.samples_per_second, "epochs": self.epochs,
                "learning_rate": self.learning_rate, "validation_size": self.validation_size,
                "error": self.error}


@dataclass
class BakeoffReport:
    """A bake-off's contenders side by side, and the verdict."""

    sweep_id: int
    status: str
    metric: str
    direction: str
    contenders: list[Contender]
    verdict: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def best(self) -> Contender | None:
        ranked = _ranked(self.contenders, self.metric, self.direction)
        return ranked[0] if ranked else None

    def metric_names(self) -> list[str]:
        """The scores shown: the deciding one first, then the others (no loss)."""
        names = [self.metric] if self.metric != "loss" else []
        for c in self.contenders:
            names += [n for n in c.metrics if n != "loss" and n not in names]
        return names or ["loss"]

    def rows(self) -> list[dict[str, Any]]:
        """One row per contender with every column of the table (values, not text)."""
        rows = []
        for c in self.contenders:
            row: dict[str, Any] = {"entry": c.label, "run": c.run_id, "status": c.status}
            for name in self.metric_names():
                row[f"val {name}"] = c.metrics.get(name)
            for name in self.metric_names():
                row[f"test {name}"] = c.test_metrics.get(name)
            row.update({"trainable params": c.trainable,
                        "trainable %": round(100 * c.share, 2) if c.share is not None else None,
                        "wall time s": round(c.seconds, 1) if c.seconds is not None else None,
                        "peak memory MB": round(c.peak_memory_bytes / 2**20, 1)
                        if c.peak_memory_bytes else None,
                        "samples/s": c.samples_per_second, "epochs": c.epochs,
                        "learning rate": c.learning_rate})
            rows.append(row)
        return rows

    def table(self) -> str:
        """The contenders as a plain-text table, the best marked with ``*``."""
        rows = self.rows()
        if not rows:
            return "(no entries)"
        headers = list(rows[0])
        best = self.best
        text_rows = []
        for contender, row in zip(self.contenders, rows, strict=True):
            cells = [_cell(key, value) for key, value in row.items()]
            if best is not None and contender is best:
                cells[0] += " *"
            text_rows.append(cells)
        return format_table(headers, text_rows)

    def verdict_text(self) -> str:
        return "\n".join(self.verdict + self.notes)

    def markdown(self) -> str:
        """The report as Markdown: a table, the verdict, the notes."""
        rows = self.rows()
        lines = [f"# Bake-off {self.sweep_id}: validation {self.metric} ({self.status})", ""]
        if rows:
            headers = list(rows[0])
            lines.append("| " + " | ".join(headers) + " |")
            lines.append("|" + "---|" * len(headers))
            best = self.best
            for contender, row in zip(self.contenders, rows, strict=True):
                cells = [_cell(k, v) for k, v in row.items()]
                if best is not None and contender is best:
                    cells[0] = f"**{cells[0]}**"
                lines.append("| " + " | ".join(cells) + " |")
        lines += ["", "## Verdict", ""] + [f"- {line}" for line in self.verdict]
        if self.notes:
            lines += ["", "## Notes", ""] + [f"- {line}" for line in self.notes]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        return {"sweep_id": self.sweep_id, "kind": "bakeoff", "status": self.status,
                "metric": self.metric, "direction": self.direction,
                "best": best.label if best else None,
                "entries": [c.to_dict() for c in self.contenders], "rows": self.rows(),
                "verdict": self.verdict, "notes": self.notes}


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key == "trainable params":
        return f"{value:,}"
    if isinstance(value, float):
        if key.startswith(("val ", "test ")):
            return f"{value:.4f}"
        return f"{value:g}"
    return str(value)


def load_bakeoff(registry: Registry, sweep_id: int) -> BakeoffReport:
    """A bake-off's report rebuilt from registry.db (its runs and their summaries)."""
    record = registry.get_sweep(sweep_id)
    if record is None or record.kind != "bakeoff":
        raise TunekitError(f"there is no bake-off {sweep_id}", where="registry")
    entries = {e["label"]: e for e in record.space.get("entries", [])}
    contenders = []
    for run in registry.sweep_runs(sweep_id):
        summary = json.loads(run.summary_json or "{}")
        performance = summary.get("performance") or {}
        label = run.trial_label or run.strategy
        spec = run.spec
        contenders.append(Contender(
            label=label, run_id=run.id, status=run.status, strategy=run.strategy,
            pretrained=entries.get(label, {}).get(
                "pretrained", (spec.get("backbone") or {}).get("pretrained", True) is not False),
            metrics={k: v for k, v in run.metrics.items() if isinstance(v, int | float)},
            test_metrics={k: v for k, v in json.loads(run.test_metrics_json or "{}").items()
                          if isinstance(v, int | float)},
            trainable=summary.get("trainable_parameters_most",
                                  summary.get("trainable_parameters")),
            total=summary.get("total_parameters"),
            seconds=run.duration_seconds(), train_seconds=performance.get("train_seconds"),
            peak_memory_bytes=performance.get("peak_memory_bytes"),
            peak_memory_kind=performance.get("peak_memory_kind", ""),
            samples_per_second=performance.get("samples_per_second"),
            epochs=_epochs_trained(registry, run.id) or summary.get("epochs"),
            learning_rate=summary.get("learning_rate"),
            validation_size=((summary.get("data") or {}).get("sizes") or {}).get("validation"),
            majority_share=_majority((summary.get("data") or {}).get("train_classes")),
            error=run.error))
    report = BakeoffReport(record.id, record.status, record.metric, record.direction,
                           contenders)
    report.verdict = verdict(contenders, record.metric, record.direction)
    report.notes = _notes(record, contenders)
    return report


def _majority(counts: Any) -> float | None:
    if not isinstance(counts, dict) or not counts:
        return None
    values = [v for v in counts.values() if isinstance(v, int | float)]
    return max(values) / sum(values) if values and sum(values) else None


def _epochs_trained(registry: Registry, run_id: int) -> int | None:
    epochs = [p.epoch for p in registry.metric_points(run_id, "validation") if p.name == "loss"]
    return int(max(epochs)) if epochs else None


# ---------------------------------------------------------------- the verdict


def _ranked(contenders: list[Contender], metric: str, direction: str) -> list[Contender]:
    scored = [c for c in contenders if c.status == "completed" and c.score(metric) is not None]
    return sorted(scored, key=lambda c: c.score(metric), reverse=direction == "maximize")


def noise(metric: str, a: float, b: float, n: int | None) -> float | None:
    """Twice the rough standard error of the difference of two scores on ``n`` validation
    examples (binomial, as if independent): a gap below it may be chance. None when the
    metric is not a proportion or the size is unknown."""
    if metric not in SHARE_METRICS or not n:
        return None
    a, b = min(max(a, 0.0), 1.0), min(max(b, 0.0), 1.0)
    # a floor of one example either way: two perfect scores are not infinitely certain
    spread = max(a * (1 - a) + b * (1 - b), 1.0 / n)
    return 2 * math.sqrt(spread / n)


def _clearly_ahead(metric: str, score: float, other: float, n: int | None,
                   direction: str) -> bool:
    """Whether ``score`` beats ``other`` (``direction``: "maximize" or "minimize") by more than
    the noise of ``n`` validation examples; by anything, where the noise cannot be judged."""
    ahead = (score > other) if direction == "maximize" else (score < other)
    margin = noise(metric, score, other, n)
    return ahead and (margin is None or abs(score - other) > margin)


def _gap(metric: str, better: float, worse: float) -> str:
    if metric in SHARE_METRICS:
        return f"{100 * abs(better - worse):.1f} points"
    return f"{abs(better - worse):.4f}"


def _score(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if metric in SHARE_METRICS else f"{value:.4f}"


def verdict(contenders: list[Contender], metric: str, direction: str) -> list[str]:
    """The verdict in plain sentences: the best and by how much (and whether that is more
    than noise), what head-only's gap says, what pretraining is worth, what LoRA costs."""
    ranked = _ranked(contenders, metric, direction)
    if not ranked:
        return ["No entry completed, so there is nothing to compare yet."]
    lines = []
    best = ranked[0]
    n = best.validation_size
    v = best.score(metric)
    baseline = best.majority_share if metric == "accuracy" else None
    if baseline is not None:
        margin = noise(metric, v, baseline, n) or 0.0
        if v <= baseline + margin:
            return [f"No entry learned the task clearly: the best validation accuracy "
                    f"({_score(metric, v)}, {best.label}) is within the noise of always "
                    f"answering the most common label ({_score(metric, baseline)}). Train "
                    "longer (--set training.epochs=...) or on more data before reading the "
                    "comparison."]
    test = best.test_metrics.get(metric)
    lead = (f"Best: {best.label}, with validation {metric} {_score(metric, v)}"
            + (f" (test {_score(metric, test)})" if test is not None else "") + ".")
    if len(ranked) > 1:
        second = ranked[1]
        s = second.score(metric)
        margin = noise(metric, v, s, n)
        if v == s:
            lead += f" It ties with {second.label} ({_score(metric, s)})."
        else:
            lead += (f" It is ahead of {second.label} ({_score(metric, s)}) by "
                     f"{_gap(metric, v, s)}")
            if margin is None:
                lead += "."
            elif abs(v - s) > margin:
                lead += (f", a clear margin on {n} validation examples (gaps under about "
                         f"{100 * margin:.0f} points could be chance).")
            else:
                lead += (f", within the noise of {n} validation examples (gaps under about "
                         f"{100 * margin:.0f} points could be chance): treat them as tied.")
    lines.append(lead)

    by_label = {c.label: c for c in ranked}
    head = by_label.get(HEAD_ONLY)
    deeper = [c for c in ranked if c.label not in (HEAD_ONLY, SCRATCH)]
    if head is not None and deeper:
        top = deeper[0]
        h, t = head.score(metric), top.score(metric)
        if _clearly_ahead(metric, t, h, n, direction):
            lines.append(
                f"Head-only is clearly behind: {_score(metric, h)} against {top.label}'s "
                f"{_score(metric, t)} ({_gap(metric, t, h)} lower). The frozen pretrained "
                "features do not carry what decides these labels (in text, often word order "
                "and negation), so the layers themselves have to adapt: fine-tune deeper "
                "(LoRA, gradual unfreezing or full fine-tuning).")
        else:
            lines.append(
                f"Head-only keeps up ({_score(metric, h)} against {top.label}'s "
                f"{_score(metric, t)}): the frozen features already separate the classes, and "
                "training only the head is the cheapest option.")

    scratch = by_label.get(SCRATCH)
    pretrained = by_label.get("full") or (deeper[0] if deeper else None)
    if scratch is not None and pretrained is not None:
        p, r = pretrained.score(metric), scratch.score(metric)
        if _clearly_ahead(metric, p, r, n, direction):
            lines.append(
                f"Pretraining is worth {_gap(metric, p, r)}: {pretrained.label} from the "
                f"pretrained weights reaches {_score(metric, p)}, the same model trained from "
                f"random weights {_score(metric, r)}.")
        else:
            lines.append(
                f"Pretraining made no clear difference here ({pretrained.label} "
                f"{_score(metric, p)}, from scratch {_score(metric, r)}): the task is learnable "
                "from this data alone, or the pretrained knowledge does not fit it.")

    lora, full = by_label.get("lora"), by_label.get("full")
    if lora is not None and full is not None and lora.share and full.score(metric) and \
            metric in SHARE_METRICS:
        lines.append(
            f"Cost: LoRA trains {100 * lora.share:.2f}% of the parameters and reaches "
            f"{100 * lora.score(metric) / full.score(metric):.0f}% of full fine-tuning's "
            f"{metric} ({_score(metric, lora.score(metric))} against "
            f"{_score(metric, full.score(metric))})" + _cost(lora, full) + ".")

    cheapest = _cheapest_close(ranked, metric, n)
    if cheapest is not None and cheapest is not best:
        lines.append(
            f"Recommendation: {cheapest.label} is within the noise of the best and trains "
            f"{_params(cheapest)}, so it is the economical choice; {best.label} if every point "
            "counts.")
    else:
        lines.append(f"Recommendation: {best.label}.")
    return lines


def _cost(cheap: Contender, dear: Contender) -> str:
    parts = []
    if cheap.seconds and dear.seconds:
        parts.append(f"in {100 * cheap.seconds / dear.seconds:.0f}% of the time")
    if cheap.peak_memory_bytes and dear.peak_memory_bytes:
        parts.append(f"at {100 * cheap.peak_memory_bytes / dear.peak_memory_bytes:.0f}% of the "
                     "peak memory")
    return ", " + " and ".join(parts) if parts else ""


def _params(c: Contender) -> str:
    if c.trainable is None:
        return "fewer parameters"
    share = f" ({100 * c.share:.2f}%)" if c.share is not None else ""
    return f"{c.trainable:,} parameters{share}"


def _cheapest_close(ranked: list[Contender], metric: str, n: int | None) -> Contender | None:
    """The contender with the fewest trainable parameters whose score is within the noise of
    the best (None when the noise cannot be judged)."""
    best = ranked[0]
    v = best.score(metric)
    close = []
    for c in ranked:
        margin = noise(metric, v, c.score(metric), n)
        if margin is None:
            return None
        if abs(v - c.score(metric)) <= margin and c.trainable and c.pretrained:
            close.append(c)
    return min(close, key=lambda c: c.trainable) if close else None


def _notes(record: Any, contenders: list[Contender]) -> list[str]:
    notes = []
    settings = record.settings
    pinned = settings.get("pinned") or {}
    if pinned:
        said = " and ".join(f"{k.replace('_', ' ')} {v:g}" if isinstance(v, float)
                            else f"{k.replace('_', ' ')} {v}" for k, v in pinned.items())
        notes.append(f"Every entry trained with {said}, as the spec pins it; without the pin "
                     "each strategy uses its own recommended value.")
    else:
        notes.append("Each strategy trained with its own recommended epochs and learning rate.")
    for c in contenders:
        if c.status != "completed":
            notes.append(f"{c.label} did not complete ({c.status}): {c.error or 'no error'}")
    kinds = {c.peak_memory_kind for c in contenders if c.peak_memory_kind}
    if "process_rss" in kinds:
        notes.append("Peak memory is the process's resident memory while training (on a CPU), "
                     "so it includes the libraries loaded.")
    notes.append("The verdict reads validation scores; test scores are shown for reference.")
    if record.status in ("cancelled", "interrupted", "failed"):
        notes.append(f"The bake-off {record.status} before every entry ran.")
    return notes


# ---------------------------------------------------------------- the bake-off


def bakeoff(spec: RunSpec | dict[str, Any] | str | os.PathLike[str] | None = None,
            strategies: Iterable[str] | str | None = None, *, scratch: bool | None = None,
            overrides: Iterable[str] = (), metric: str | None = None,
            manager: PluginManager | None = None, registry: Registry | None = None,
            listeners: Iterable[Listener] = (), progress: bool = False,
            output_root: str | os.PathLike[str] | None = None,
            markdown: str | os.PathLike[str] | None = None,
            say: Callable[[str], None] | None = None) -> BakeoffReport:
    """Train the spec with each of ``strategies`` (default: every installed one; ``scratch``
    or ``pretrained:false`` in the list, or ``scratch=True``, adds full fine-tuning from random
    weights) on the same data and seed, and return the report; ``markdown`` also writes it as
    a Markdown file. Every entry's spec is checked before the first run; an entry that fails
    is recorded and the others still run; KeyboardInterrupt cancels the bake-off."""
    from ..engine import run
    from ..plugin_manager import load_plugins
    from ..registry import Registry, now

    manager = manager or load_plugins()
    base = read_base(spec, manager, overrides)
    section = _section(base.sections.get("bakeoff"), base.source)
    strategies = strategies if strategies is not None else section.get("strategies")
    scratch = scratch if scratch is not None else bool(section.get("scratch", False))
    entries = parse_entries(strategies, manager, scratch)
    specs = [entry_spec(base, entry, manager) for entry in entries]  # every error up front
    metric, direction = objective(base.spec, manager, metric or section.get("metric"))
    training = base.data.get("training") or {}
    pinned = {k: training[k] for k in ("epochs", "learning_rate") if training.get(k) is not None}

    registry = registry or Registry.open()
    record = registry.create_sweep(
        "bakeoff", base.spec.to_dict(),
        {"entries": [{"label": e.label, "strategy": e.strategy, "pretrained": e.pretrained}
                     for e in entries]},
        metric=metric, direction=direction, name=Path(base.source).stem,
        settings={"seed": base.spec.training.seed, "pinned": pinned, "source": base.source})
    say = say or (lambda text: None)
    say(f"bake-off {record.id}: {', '.join(e.label for e in entries)} on "
        f"{base.spec.data['dataset']['name']} with {base.spec.data['backbone']['name']}, seed "
        f"{base.spec.training.seed}; deciding on validation {metric}")
    try:
        for number, (entry, entry_run) in enumerate(zip(entries, specs, strict=True)):
            say(f"[{number + 1}/{len(entries)}] {entry.label}: training…")
            most = MostTrainable()
            try:
                outcome = run(entry_run, manager=manager, registry=registry,
                              listeners=[most, *listeners], progress=progress,
                              output_root=output_root, sweep_id=record.id, trial=number,
                              trial_label=entry.label)
            except KeyboardInterrupt:
                for r in registry.sweep_runs(record.id):
                    if r.trial == number:
                        registry.update_run(r.id, trial_state="cancelled")
                raise
            except Exception as exc:  # recorded; the other entries still run
                run_id = getattr(exc, "run_id", None)
                if run_id is not None:
                    registry.update_run(run_id, trial_state="failed")
                say(f"[{number + 1}/{len(entries)}] {entry.label}: failed: {exc}")
                continue
            record_run = registry.get_run(outcome.run_id)
            summary = json.loads(record_run.summary_json or "{}")
            if most.count is not None:
                summary["trainable_parameters_most"] = most.count
            registry.update_run(outcome.run_id, trial_state="completed", summary=summary)
            score = outcome.metrics.get(metric)
            say(f"[{number + 1}/{len(entries)}] {entry.label}: validation {metric} "
                + (f"{score:.4f}" if isinstance(score, int | float) else "-")
                + f" (run {outcome.run_id})")
    except KeyboardInterrupt:
        registry.update_sweep(record.id, status="cancelled", error="stopped by the user",
                              finished_at=now())
        raise

    report = load_bakeoff(registry, record.id)
    best = report.best
    report.status = "completed" if best is not None else "failed"
    report.notes = [n for n in report.notes if "before every entry ran" not in n]
    path = None
    if markdown:
        path = Path(markdown)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.markdown(), encoding="utf-8")
    registry.update_sweep(
        record.id, status=report.status, best_run_id=best.run_id if best else None,
        output_path=str(path or ""), finished_at=now(),
        error=None if best else "no entry completed",
        summary={"best": best.label if best else None,
                 "best_value": best.score(metric) if best else None,
                 "verdict": report.verdict})
    return report


class MostTrainable:
    """A run listener: the most parameters that trained at once (gradual unfreezing starts
    with the head alone, so the count at the start says little)."""

    def __init__(self) -> None:
        self.count: int | None = None

    def __call__(self, event: Event) -> None:
        if event.kind == "epoch_start" and isinstance(event.data.get("trainable"), int):
            self.count = max(self.count or 0, event.data["trainable"])


def _section(section: Any, source: str) -> dict[str, Any]:
    """A spec file's ``bakeoff:`` section, checked."""
    if section is None:
        return {}
    if not isinstance(section, dict) or any(k not in BAKEOFF_KEYS for k in section):
        raise SpecError("expected a mapping with: " + ", ".join(BAKEOFF_KEYS),
                        where=f"{source}: bakeoff")
    return dict(section)
