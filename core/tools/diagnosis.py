"""Reading a run's curves: did it overfit, underfit, diverge, plateau, or is it still improving?

``diagnose(points, spec)`` takes the metric points recorded for a run and returns a
``Diagnosis``: a verdict, an explanation in plain words with the figures, and the changes a
follow-up run should make (dotted spec paths, like ``--set``) with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Diagnosis:
    verdict: str  # overfitting | underfitting | still-improving | diverged | plateaued | good-fit
    explanation: str
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    figures: dict[str, Any] = field(default_factory=dict)


def _series(points: list[Any], split: str, name: str) -> list[tuple[float, float]]:
    return [(p.epoch, p.value) for p in points if p.split == split and p.name == name]


def _per_epoch(series: list[tuple[float, float]]) -> list[float]:
    """Mean of the points falling in each epoch (epoch 1 is (0, 1])."""
    buckets: dict[int, list[float]] = {}
    for epoch, value in series:
        buckets.setdefault(max(1, math.ceil(epoch - 1e-9)), []).append(value)
    return [sum(v) / len(v) for _, v in sorted(buckets.items())]


def _overfitting_turn(val: list[float], val_loss: list[float], train_loss: list[float],
                      higher: bool) -> int | None:
    """The epoch where validation turned, if the run overfit: validation loss rose clearly
    (over 10%) above its lowest point for the last two evaluations, or the metric fell from a
    peak two or more evaluations before the end, while the training loss went on falling."""
    still_learning = len(train_loss) < 2 or train_loss[-1] < train_loss[0]
    if not still_learning:
        return None
    if len(val_loss) >= 3:
        low = min(range(len(val_loss)), key=lambda i: val_loss[i])
        if low <= len(val_loss) - 3 and min(val_loss[-2:]) > val_loss[low] * 1.1:
            return low + 1
    if len(val) >= 3 and not val_loss:
        best = max(range(len(val)), key=lambda i: val[i]) if higher else \
            min(range(len(val)), key=lambda i: val[i])
        if best <= len(val) - 3:
            return best + 1
    return None


def diagnose(points: list[Any], spec: dict[str, Any], summary: dict[str, Any] | None = None
             ) -> Diagnosis:
    """The verdict on one run from its recorded points (``split``, ``name``, ``epoch``,
    ``value``) and its spec."""
    training = spec.get("training", {})
    summary = summary or {}
    epochs_run = int(max((p.epoch for p in points if p.split == "validation"), default=0))
    names = [p.name for p in points if p.split == "validation" and p.name != "loss"]
    metric = "accuracy" if "accuracy" in names else (names[0] if names else "loss")
    higher = metric != "loss"
    val = [v for _, v in _series(points, "validation", metric)]
    val_loss = [v for _, v in _series(points, "validation", "loss")]
    train_loss = _per_epoch(_series(points, "train", "loss"))
    figures = {"metric": metric, "validation": val, "validation_loss": val_loss,
               "train_loss": train_loss}
    if not val:
        return Diagnosis("unknown", "The run recorded no evaluation, so there is nothing to "
                         "read yet.", figures=figures)
    best_index = max(range(len(val)), key=lambda i: val[i]) if higher else \
        min(range(len(val)), key=lambda i: val[i])
    best_epoch, last = best_index + 1, len(val)
    fmt = (lambda v: f"{v:.1%}") if higher and metric in ("accuracy", "f1", "precision",
                                                           "recall") else (lambda v: f"{v:.4f}")
    lr = summary.get("learning_rate") or training.get("learning_rate")
    epochs = summary.get("epochs") or training.get("epochs") or epochs_run

    if any(not math.isfinite(v) for v in train_loss) or (
            len(train_loss) >= 2 and train_loss[-1] > train_loss[0] * 1.5):
        new_lr = (lr or 1e-4) / 10
        return Diagnosis(
            "diverged", f"The training loss went up instead of down ({train_loss[0]:.3f} in the "
            f"first epoch, {train_loss[-1]:.3f} in the last): the steps are too large.",
            {"training.learning_rate": new_lr}, f"a learning rate ten times lower ({new_lr:g})",
            figures)

    turn = _overfitting_turn(val, val_loss, train_loss, higher)
    if turn is not None:
        wd = training.get("weight_decay") or 0.0
        changes = {"training.epochs": turn,
                   "training.weight_decay": round(max(0.05, wd * 5), 4)}
        if (training.get("dropout") or 0.1) < 0.3:
            changes["training.dropout"] = 0.2
        figures["turned_at_epoch"] = turn
        said = [f"Validation loss was lowest in epoch {turn} ({val_loss[turn - 1]:.3f}) and rose "
                f"to {val_loss[-1]:.3f} by epoch {last}"] if val_loss else []
        if val_loss and val[-1] != val[best_index]:
            said.append(f"validation {metric} peaked at {fmt(val[best_index])} in epoch "
                        f"{best_epoch} and ended at {fmt(val[-1])}")
        elif not val_loss:
            said.append(f"Validation {metric} peaked at {fmt(val[best_index])} in epoch "
                        f"{best_epoch} and fell to {fmt(val[-1])} by epoch {last}")
        falling = (f" (from {train_loss[turn - 1]:.3f} in epoch {turn} to {train_loss[-1]:.3f})"
                   if len(train_loss) >= max(turn, 2) else "")
        return Diagnosis(
            "overfitting", f"{'; '.join(said)}, while the training loss kept falling{falling}: "
            f"the model started to memorise the training examples after epoch {turn}.",
            changes, f"stop at epoch {turn} and regularise more (weight decay "
            f"{changes['training.weight_decay']}, dropout 0.2)", figures)

    rising = len(val) >= 2 and ((val[-1] > val[-2]) if higher else (val[-1] < val[-2]))
    if best_epoch == last and rising:
        more = max(epochs + 1, math.ceil(epochs * 1.5))
        return Diagnosis(
            "still-improving", f"Validation {metric} was still improving at the end "
            f"({fmt(val[-2])} -> {fmt(val[-1])} in the last epoch): more training should help.",
            {"training.epochs": more}, f"train for {more} epochs instead of {epochs}", figures)

    strong = (val[best_index] >= 0.85) if higher and metric != "loss" else True
    if not strong and train_loss and train_loss[-1] > 0.3:
        changes: dict[str, Any] = {"training.epochs": max(epochs * 2, epochs + 2)}
        strategy = spec.get("strategy", {}).get("name")
        reason = f"train longer ({changes['training.epochs']} epochs)"
        if strategy in ("head-only", "freeze-bottom"):
            changes["strategy"] = {"name": "lora"}
            reason += " and let more of the model adapt (LoRA)"
        return Diagnosis(
            "underfitting", f"Both the training loss ({train_loss[-1]:.3f}) and validation "
            f"{metric} ({fmt(val[-1])}) are still poor: the model has not learned the task yet.",
            changes, reason, figures)

    if len(val) >= 3 and max(val[-3:]) - min(val[-3:]) < 0.005:
        return Diagnosis(
            "plateaued", f"Validation {metric} has stayed at about {fmt(val[-1])} for the last "
            "three epochs: more of the same will not help.",
            {"strategy": {"name": "full"}} if spec.get("strategy", {}).get("name") != "full"
            else {"training.learning_rate": (lr or 1e-4) / 2},
            "try another strategy or learning rate", figures)

    return Diagnosis(
        "good-fit", f"Validation {metric} reached {fmt(val[best_index])} (epoch {best_epoch} of "
        f"{last}) and held: no sign of over- or underfitting.", {}, "", figures)


def follow_up_spec(spec: dict[str, Any], changes: dict[str, Any],
                   base_dir: str | None = None) -> dict[str, Any]:
    """The recorded ``spec`` with a diagnosis's ``changes`` applied (dotted paths, as ``--set``
    takes them) and relative data paths made absolute against the run's ``base_dir``."""
    from pathlib import Path

    from ..spec import absolute_paths, set_field

    data = absolute_paths(spec, Path(base_dir)) if base_dir else dict(spec)
    for path, value in changes.items():
        set_field(data, path, value)
    return data


def as_overrides(changes: dict[str, Any]) -> list[str]:
    """``--set`` arguments for a diagnosis's changes: ``training.epochs=3``, ``strategy=lora``."""
    import json

    out = []
    for path, value in changes.items():
        if isinstance(value, dict) and set(value) == {"name"}:
            value = value["name"]
        out.append(f"{path}={json.dumps(value) if isinstance(value, dict) else value}")
    return out

