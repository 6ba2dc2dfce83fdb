"""Classification metrics: accuracy, precision, recall, F1 (macro and per class), confusion matrix.

Precision, recall and F1 are macro averages over every label of the task; a label never
predicted (or never present) scores 0 for the undefined ratio, as scikit-learn's
``zero_division=0`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

import tunekit

# the tasks whose predictions and references are label indices
CLASSIFICATION_TASKS = ("text-classification", "image-classification")


def confusion(predictions: Sequence[int], references: Sequence[int], size: int) -> list[list[int]]:
    """Rows are the true labels, columns the predicted ones."""
    matrix = [[0] * size for _ in range(size)]
    for p, r in zip(predictions, references, strict=True):
        matrix[r][p] += 1
    return matrix


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def per_class(predictions: Sequence[int], references: Sequence[int],
              labels: list[str]) -> dict[str, list[float]]:
    matrix = confusion(predictions, references, len(labels))
    size = len(labels)
    tp = [matrix[i][i] for i in range(size)]
    predicted = [sum(matrix[r][i] for r in range(size)) for i in range(size)]
    actual = [sum(matrix[i]) for i in range(size)]
    precision = [_ratio(tp[i], predicted[i]) for i in range(size)]
    recall = [_ratio(tp[i], actual[i]) for i in range(size)]
    f1 = [_ratio(2 * p * r, p + r) for p, r in zip(precision, recall, strict=True)]
    return {"precision": precision, "recall": recall, "f1": f1}


def accuracy(predictions, references, labels):
    correct = sum(int(p == r) for p, r in zip(predictions, references, strict=True))
    return {"accuracy": _ratio(correct, len(references))}


def _macro(name: str):
    def compute(predictions, references, labels):
        scores = per_class(predictions, references, labels)[name]
        return {name: sum(scores) / len(scores),
                f"{name}_per_class": dict(zip(labels, scores, strict=True))}

    return compute


def confusion_matrix(predictions, references, labels):
    return {"confusion_matrix": {"labels": list(labels),
                                 "matrix": confusion(predictions, references, len(labels))}}


@tunekit.hookimpl
def register_metrics(register):
    register(tunekit.Metric(
        name="accuracy", title="Accuracy",
        tasks=CLASSIFICATION_TASKS,
        description="The share of examples whose predicted label is right.",
        aliases=("acc", "accuracy score", "percent correct"),
        compute=accuracy))
    register(tunekit.Metric(
        name="precision", title="Precision (macro)",
        tasks=CLASSIFICATION_TASKS,
        description="Of the examples predicted as a class, the share that truly are; averaged "
                    "over classes, with the score of each class kept too.",
        aliases=("macro precision",), compute=_macro("precision")))
    register(tunekit.Metric(
        name="recall", title="Recall (macro)",
        tasks=CLASSIFICATION_TASKS,
        description="Of the examples of a class, the share found; averaged over classes, with "
                    "the score of each class kept too.",
        aliases=("macro recall", "sensitivity"), compute=_macro("recall")))
    register(tunekit.Metric(
        name="f1", title="F1 (macro)",
        tasks=CLASSIFICATION_TASKS,
        description="The harmonic mean of precision and recall per class, averaged over classes "
                    "so that small classes count as much as large ones. Good for imbalanced data.",
        aliases=("f1 score", "f1-score", "f-score", "f measure", "macro f1", "macro-f1",
                 "f1 macro"), compute=_macro("f1")))
    register(tunekit.Metric(
        name="confusion-matrix", title="Confusion matrix",
        tasks=CLASSIFICATION_TASKS,
        description="How many examples of each true class were predicted as each class.",
        aliases=("confusion", "confusion matrix", "errors by class"),
        compute=confusion_matrix))
