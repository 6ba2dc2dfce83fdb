"""``mcc``: the Matthews correlation coefficient, for two classes or more.

One number from the whole confusion matrix: 1 is perfect, 0 is no better than chance (or a
constant answer), -1 is always wrong. Unlike accuracy it stays honest on imbalanced data:
predicting the majority class everywhere scores 0. With K classes it is Gorodkin's R_K, the
same formula scikit-learn's ``matthews_corrcoef`` uses:

    MCC = (c·s − Σ p_k·t_k) / √((s² − Σ p_k²) · (s² − Σ t_k²))

where c is the number of right answers, s the number of examples, and t_k and p_k how often
class k is the true and the predicted label. A zero denominator (one class only, in the
references or in the predictions) scores 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import tunekit

requires_contract = ">=1.0,<2"


def matthews_correlation(predictions: Sequence[int], references: Sequence[int],
                         classes: int) -> float:
    """Matthews correlation of label indices in ``range(classes)``."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references")
    true_counts = [0] * classes
    predicted_counts = [0] * classes
    correct = 0
    for p, r in zip(predictions, references, strict=True):
        true_counts[r] += 1
        predicted_counts[p] += 1
        correct += p == r
    total = len(references)
    covariance = correct * total - sum(p * t for p, t in zip(predicted_counts, true_counts,
                                                               strict=True))
    spread_predicted = total * total - sum(p * p for p in predicted_counts)
    spread_true = total * total - sum(t * t for t in true_counts)
    if spread_predicted == 0 or spread_true == 0:
        return 0.0
    return covariance / math.sqrt(spread_predicted * spread_true)


def compute(predictions: Sequence[int], references: Sequence[int],
            labels: list[str]) -> dict[str, float]:
    return {"mcc": matthews_correlation(predictions, references, len(labels))}


@tunekit.hookimpl
def register_metrics(register):
    register(tunekit.Metric(
        name="mcc",
        title="Matthews correlation (MCC)",
        description="The correlation between the true and the predicted labels, from the whole "
                    "confusion matrix: 1 perfect, 0 chance, -1 always wrong. Honest on "
                    "imbalanced data, where always predicting the majority scores 0.",
        aliases=("matthews correlation", "matthews correlation coefficient", "matthews",
                 "matthews corr", "phi coefficient", "mcc score"),
        compute=compute,
    ))
