"""Classification metrics, checked against values worked out by hand in each test."""

from __future__ import annotations

import pytest

BINARY = ["neg", "pos"]
THREE = ["a", "b", "c"]


def compute(manager, name, predictions, references, labels):
    return manager.get("metric", name).compute(predictions, references, labels)


# ---------------------------------------------------------------- a class never predicted
# references  neg neg neg pos pos
# predictions neg neg neg neg neg
# neg: tp 3, predicted 5, present 3 -> precision 3/5, recall 1, f1 2*.6*1/1.6 = .75
# pos: tp 0, predicted 0, present 2 -> precision 0 (0/0 counts as 0), recall 0, f1 0
REFS_A = [0, 0, 0, 1, 1]
PREDS_A = [0, 0, 0, 0, 0]


def test_accuracy_when_one_class_is_never_predicted(manager):
    assert compute(manager, "accuracy", PREDS_A, REFS_A, BINARY) == {"accuracy": 0.6}


@pytest.mark.parametrize(("name", "per_class", "mean"), [
    # the precision of a class never predicted is zero
    ("precision", {"neg": pytest.approx(0.6), "pos": 0.0}, 0.3),
    ("recall", {"neg": 1.0, "pos": 0.0}, 0.5),
    ("f1", {"neg": pytest.approx(0.75), "pos": 0.0}, 0.375),
])
def test_macro_scores_when_one_class_is_never_predicted(manager, name, per_class, mean):
    result = compute(manager, name, PREDS_A, REFS_A, BINARY)
    assert result[f"{name}_per_class"] == per_class
    assert result[name] == pytest.approx(mean)


def test_confusion_matrix_rows_are_true_labels(manager):
    result = compute(manager, "confusion-matrix", PREDS_A, REFS_A, BINARY)
    assert result == {"confusion_matrix": {"labels": ["neg", "pos"],
                                           "matrix": [[3, 0], [2, 0]]}}


# ---------------------------------------------------------------- three classes
# true a: predicted a a b c   -> row [2, 1, 1]
# true b: predicted b b a     -> row [1, 2, 0]
# true c: predicted c c b     -> row [0, 1, 2]
# columns (predicted): a 3, b 4, c 3; rows (present): a 4, b 3, c 3; diagonal 2 2 2
REFS_B = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
PREDS_B = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1]


def test_three_class_confusion_matrix(manager):
    result = compute(manager, "confusion-matrix", PREDS_B, REFS_B, THREE)
    assert result["confusion_matrix"]["matrix"] == [[2, 1, 1], [1, 2, 0], [0, 1, 2]]
    assert result["confusion_matrix"]["labels"] == THREE


def test_three_class_accuracy(manager):
    assert compute(manager, "accuracy", PREDS_B, REFS_B, THREE)["accuracy"] == pytest.approx(0.6)


@pytest.mark.parametrize(("name", "per_class", "mean"), [
    ("precision", {"a": 2 / 3, "b": 2 / 4, "c": 2 / 3}, 11 / 18),
    ("recall", {"a": 2 / 4, "b": 2 / 3, "c": 2 / 3}, 11 / 18),
    # a: 2PR/(P+R) with P 2/3, R 1/2 -> 4/7; b: P 1/2, R 2/3 -> 4/7; c: P = R = 2/3 -> 2/3
    ("f1", {"a": 4 / 7, "b": 4 / 7, "c": 2 / 3}, 38 / 63),
])
def test_three_class_macro_scores(manager, name, per_class, mean):
    result = compute(manager, name, PREDS_B, REFS_B, THREE)
    assert result[f"{name}_per_class"] == pytest.approx(per_class)
    assert result[name] == pytest.approx(mean)


# ---------------------------------------------------------------- a label never present


def test_a_label_of_the_task_absent_from_the_data_still_counts_in_the_macro_average(manager):
    # a: tp 1, predicted 1, present 2 -> P 1, R 1/2, F1 2/3
    # b: tp 2, predicted 3, present 2 -> P 2/3, R 1, F1 4/5
    # c: never present, never predicted -> 0 for everything
    refs, preds = [0, 1, 0, 1], [0, 1, 1, 1]
    assert compute(manager, "precision", preds, refs, THREE)["precision"] == pytest.approx(5 / 9)
    assert compute(manager, "recall", preds, refs, THREE)["recall"] == pytest.approx(1 / 2)
    f1 = compute(manager, "f1", preds, refs, THREE)
    assert f1["f1"] == pytest.approx(22 / 45)
    assert f1["f1_per_class"]["c"] == 0.0
    matrix = compute(manager, "confusion-matrix", preds, refs, THREE)["confusion_matrix"]
    assert matrix["matrix"] == [[1, 1, 0], [0, 2, 0], [0, 0, 0]]


def test_perfect_predictions_score_one_everywhere(manager):
    refs = [2, 0, 1, 1, 0, 2]
    for name in ("accuracy", "precision", "recall", "f1"):
        assert compute(manager, name, refs, refs, THREE)[name] == 1.0
    assert compute(manager, "f1", refs, refs, THREE)["f1_per_class"] == {"a": 1.0, "b": 1.0,
                                                                         "c": 1.0}


def test_every_prediction_wrong_scores_zero(manager):
    refs, preds = [0, 0, 1, 1], [1, 1, 0, 0]
    for name in ("accuracy", "precision", "recall", "f1"):
        assert compute(manager, name, preds, refs, BINARY)[name] == 0.0


def test_metrics_say_which_way_is_better(manager):
    for name in ("accuracy", "precision", "recall", "f1"):
        assert manager.get("metric", name).higher_is_better is True
