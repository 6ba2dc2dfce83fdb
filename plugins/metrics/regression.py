"""Regression metrics: mean squared error, its root (RMSE), mean absolute error, R².

Predictions and references are numbers (``text-regression``). R² is 1 - SS_res / SS_tot: 1 for
a perfect fit, 0 for always answering the mean of the references, negative for worse; when
the references are all equal (SS_tot = 0) it is 1 for a perfect fit and 0 otherwise, as
scikit-learn's ``r2_score`` gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import tunekit

TASKS = ("text-regression",)


def _pairs(predictions: Sequence[float], references: Sequence[float]) -> list[tuple[float, float]]:
    return [(float(p), float(r)) for p, r in zip(predictions, references, strict=True)]


def mse(predictions, references, labels):
    pairs = _pairs(predictions, references)
    return {"mse": sum((p - r) ** 2 for p, r in pairs) / max(len(pairs), 1)}


def rmse(predictions, references, labels):
    return {"rmse": mse(predictions, references, labels)["mse"] ** 0.5}


def mae(predictions, references, labels):
    pairs = _pairs(predictions, references)
    return {"mae": sum(abs(p - r) for p, r in pairs) / max(len(pairs), 1)}


def r2(predictions, references, labels):
    pairs = _pairs(predictions, references)
    if not pairs:
        return {"r2": 0.0}
    mean = sum(r for _, r in pairs) / len(pairs)
    residual = sum((r - p) ** 2 for p, r in pairs)
    total = sum((r - mean) ** 2 for _, r in pairs)
    if total == 0:
        return {"r2": 1.0 if residual == 0 else 0.0}
    return {"r2": 1 - residual / total}


@tunekit.hookimpl
def register_metrics(register):
    register(tunekit.Metric(
        name="mse", title="Mean squared error",
        description="The mean of the squared differences between predicted and true numbers: "
                    "big misses weigh most. Lower is better; in the target's units squared.",
        aliases=("mean squared error", "squared error", "l2 error"),
        tasks=TASKS, higher_is_better=False, compute=mse))
    register(tunekit.Metric(
        name="rmse", title="Root mean squared error",
        description="The square root of the mean squared error: big misses weigh most, as in "
                    "mse, but in the target's own units. Lower is better.",
        aliases=("root mean squared error", "root mean square error", "root-mean-square error"),
        tasks=TASKS, higher_is_better=False, compute=rmse))
    register(tunekit.Metric(
        name="mae", title="Mean absolute error",
        description="The mean distance between predicted and true numbers, in the target's "
                    "own units. Lower is better.",
        aliases=("mean absolute error", "absolute error", "l1 error", "average error"),
        tasks=TASKS, higher_is_better=False, compute=mae))
    register(tunekit.Metric(
        name="r2", title="R² (coefficient of determination)",
        description="How much of the spread of the true numbers the predictions explain: 1 is "
                    "perfect, 0 is no better than always guessing the average.",
        aliases=("r squared", "r-squared", "coefficient of determination", "explained variance"),
        tasks=TASKS, compute=r2))
