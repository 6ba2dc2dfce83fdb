"""What the registry holds about a run, shaped for the screen: curves, progress, tables.

Pure functions of registry records (no Gradio): the monitor, the history and the comparison
all draw from here.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from tunekit.spec import flatten_spec
from tunekit.ui.studio.jobs.runs import FINAL_STATUSES

LOSS_COLUMNS = ["step", "loss", "series"]
METRIC_COLUMNS = ["epoch", "value", "metric"]
# the charts' own default colours (Vega's tableau10), in the order the series appear
PALETTE = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
           "#ff9da6", "#9d755d", "#bab0ac"]


def loss_frame(points: list[Any], series_prefix: str = "") -> pd.DataFrame:
    """Training loss (by step) and validation loss (at each evaluation) in one frame."""
    rows = [(p.step, p.value, f"{series_prefix}{p.split}") for p in points
            if p.name == "loss" and p.split in ("train", "validation")
            and math.isfinite(p.value)]
    return pd.DataFrame(rows, columns=LOSS_COLUMNS)


def metric_frame(points: list[Any], series_prefix: str = "") -> pd.DataFrame:
    """Validation metrics other than the loss, by epoch."""
    rows = [(p.epoch, p.value, f"{series_prefix}{p.name}") for p in points
            if p.split == "validation" and p.name != "loss" and math.isfinite(p.value)]
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def series_colours(frame: pd.DataFrame, column: str) -> dict[str, str]:
    """A colour for each series of a chart's frame, in the order they appear."""
    names = dict.fromkeys(frame[column]) if column in frame else {}
    return {str(name): PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def duration(record: Any) -> float | None:
    """Seconds the run has been (or was) training; None before it started."""
    started = as_utc(record.started_at)
    if started is None:
        return None
    finished = as_utc(record.finished_at) or datetime.now(UTC)
    return max(0.0, (finished - started).total_seconds())


def say_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def progress(record: Any, points: list[Any]) -> dict[str, Any]:
    """How far a run is: fraction done, step, epoch, the ETA, and a line saying so."""
    summary = json.loads(record.summary_json or "{}")
    total = summary.get("total_steps") or 0
    epochs = summary.get("epochs")
    train = [p for p in points if p.split == "train" and p.name == "loss"]
    step = max((p.step for p in train), default=0)
    epoch = max((p.epoch for p in train), default=0.0)
    elapsed = duration(record)
    state: dict[str, Any] = {"status": record.status, "step": step, "total_steps": total,
                             "epoch": epoch, "epochs": epochs, "elapsed": elapsed, "eta": None}
    if record.status == "completed":
        state["fraction"] = 1.0
        state["line"] = f"completed in {say_duration(elapsed)}"
        return state
    fraction = min(1.0, step / total) if total else 0.0
    state["fraction"] = fraction
    if record.status in FINAL_STATUSES:
        state["line"] = f"{record.status} at step {step} of {total or '?'} " \
                        f"after {say_duration(elapsed)}"
        return state
    if record.status == "queued" or not total:
        state["line"] = "preparing: loading the data and the model…"
        return state
    if step and elapsed:
        state["eta"] = elapsed * (total - step) / step
    eta = f" · about {say_duration(state['eta'])} left" if state["eta"] is not None else ""
    of_epochs = f" of {epochs}" if epochs else ""
    state["line"] = (f"step {step} of {total} · epoch {epoch:.1f}{of_epochs} · "
                     f"{say_duration(elapsed)} elapsed{eta}")
    return state


def dataset_label(spec: dict[str, Any]) -> str:
    dataset = spec.get("dataset") or {}
    path = dataset.get("path")
    if path:
        return str(path).replace("\\", "/").rsplit("/", 1)[-1]
    return dataset.get("name", "")


def runs_frame(records: list[Any]) -> pd.DataFrame:
    """The history table: one row per run, newest first."""
    rows = []
    for r in records:
        metrics = r.metrics
        started = as_utc(r.started_at or r.created_at)
        rows.append({
            "run": r.id, "status": r.status, "data": dataset_label(r.spec),
            "backbone": r.backbone, "strategy": r.strategy,
            "accuracy": _rounded(metrics.get("accuracy")), "f1": _rounded(metrics.get("f1")),
            "duration": say_duration(duration(r)),
            "started": started.astimezone().strftime("%Y-%m-%d %H:%M") if started else "",
            "parent": r.parent_id if r.parent_id is not None else "",
        })
    columns = ["run", "status", "data", "backbone", "strategy", "accuracy", "f1", "duration",
               "started", "parent"]
    return pd.DataFrame(rows, columns=columns)


def _rounded(value: Any) -> Any:
    return round(value, 4) if isinstance(value, int | float) else ""


def confusion_frame(details: dict[str, Any] | None) -> pd.DataFrame:
    """The validation confusion matrix: rows are the true labels, columns the predicted."""
    matrix = ((details or {}).get("validation") or {}).get("confusion_matrix") or {}
    labels, values = matrix.get("labels") or [], matrix.get("matrix") or []
    if not labels or not values:
        return pd.DataFrame(columns=["true \\ predicted"])
    rows = [{"true \\ predicted": label, **dict(zip(labels, row, strict=False))}
            for label, row in zip(labels, values, strict=False)]
    return pd.DataFrame(rows, columns=["true \\ predicted", *labels])


def spec_diff(specs: dict[int, dict[str, Any]], everything: bool = False) -> pd.DataFrame:
    """Fields side by side, one column per run; only those that differ unless ``everything``."""
    flat = {run_id: flatten_spec(spec) for run_id, spec in specs.items()}
    fields: list[str] = []
    for values in flat.values():
        fields += [f for f in values if f not in fields]
    rows = []
    for field in fields:
        values = [flat[run_id].get(field, "—") for run_id in specs]
        if everything or len({json.dumps(v, default=str) for v in values}) > 1:
            rows.append({"field": field,
                         **{f"run {run_id}": _show(v) for run_id, v in zip(specs, values,
                                                                            strict=True)}})
    return pd.DataFrame(rows, columns=["field", *(f"run {run_id}" for run_id in specs)])


def _show(value: Any) -> str:
    if value is None:
        return "default"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
