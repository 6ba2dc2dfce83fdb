"""The mcc metric against the formula worked by hand, and the predictions-csv exporter in a
real tiny run (tunekit.testing: a tiny BERT built from a config, tiny generated data)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
import tunekit
from tunekit.testing import check_plugin, manager_with, train_tiny
from tunekit_mcc import metric, predictions_csv
from tunekit_mcc.metric import matthews_correlation

# Each value worked by hand from the formula (the one scikit-learn's matthews_corrcoef uses):
#   two classes, [0,1,1,0,1,0] against [0,1,0,0,1,1]: TP 2, TN 2, FP 1, FN 1,
#     (2·2 − 1·1) / √(3·3·3·3) = 3/9
#   three classes, [0,1,2,0,1,2,0,2] against [0,2,1,0,0,2,1,2]: 4 right of 8, true counts
#     (3,2,3), predicted counts (3,2,3): (4·8 − 22) / √((64 − 22)·(64 − 22)) = 10/42
#   always the same answer: a zero denominator, scored 0 (as scikit-learn does)
WORKED = [
    ([0, 1, 1, 0, 1, 0], [0, 1, 0, 0, 1, 1], 2, 3 / 9),
    ([0, 1, 2, 0, 1, 2, 0, 2], [0, 2, 1, 0, 0, 2, 1, 2], 3, 10 / 42),
    ([1, 0, 1, 0], [0, 1, 0, 1], 2, -1.0),
    ([0, 1, 2, 3], [0, 1, 2, 3], 4, 1.0),
    ([0, 0, 0, 0], [0, 1, 0, 1], 2, 0.0),
    ([2, 2, 2], [0, 1, 2], 3, 0.0),
]


@pytest.mark.parametrize(("predictions", "references", "classes", "expected"), WORKED)
def test_matthews_correlation_matches_the_formula_worked_by_hand(predictions, references,
                                                                  classes, expected):
    assert math.isclose(matthews_correlation(predictions, references, classes), expected,
                        abs_tol=1e-12)


def test_two_classes_agree_with_the_binary_formula():
    predictions = [1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0]
    references = [1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0]
    pairs = list(zip(predictions, references, strict=True))
    tp, tn = pairs.count((1, 1)), pairs.count((0, 0))
    fp, fn = pairs.count((1, 0)), pairs.count((0, 1))
    binary = (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert math.isclose(matthews_correlation(predictions, references, 2), binary)


def test_the_majority_answer_scores_zero_where_accuracy_looks_good():
    references = [0] * 9 + [1]
    scores = metric.compute([0] * 10, references, ["ok", "fraud"])
    assert scores == {"mcc": 0.0}


def test_both_plugins_keep_the_contract(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the check watches the working folder for stray files
    assert check_plugin(metric).ok
    assert check_plugin(predictions_csv).ok


def test_the_exporter_writes_a_row_per_example_with_the_true_and_the_predicted_label(tmp_path):
    manager = manager_with(metric, predictions_csv)
    tiny = train_tiny(predictions_csv, manager=manager, metrics=["accuracy", "mcc"],
                      directory=tmp_path,
                      dataset={"name": "tiny-text", "test_split": 0.2},
                      training={"epochs": 2})
    assert tiny.status == "completed"
    assert -1.0 <= tiny.metrics["mcc"] <= 1.0
    written = {Path(a["path"]).name: Path(a["path"]) for a in tiny.artifacts
               if a["exporter"] == "predictions-csv"}
    assert set(written) == {"validation.csv", "test.csv"}
    sizes = json.loads(tiny.record().summary_json)["data"]["sizes"]
    rows = read(written["validation.csv"])
    assert list(rows[0]) == ["text", "label", "predicted", "probability", "correct"]
    assert len(rows) == sizes["validation"]
    assert len(read(written["test.csv"])) == sizes["test"]
    labels = {"negative", "positive"}
    assert {r["label"] for r in rows} <= labels and {r["predicted"] for r in rows} <= labels
    assert all(0.5 <= float(r["probability"]) <= 1.0 for r in rows)  # the likelier of two
    assert all(r["correct"] == str(r["label"] == r["predicted"]).lower() for r in rows)
    # the same model on the same examples: the CSV's accuracy is the run's
    accuracy = sum(r["correct"] == "true" for r in rows) / len(rows)
    assert math.isclose(accuracy, tiny.metrics["accuracy"])


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_without_the_examples_the_exporter_says_which_tunekit_it_needs(tmp_path):
    context = tunekit.ExportContext(
        run_id=1, directory=tmp_path, options={"test": True}, model=None, tokenizer=None,
        task=tunekit.TEXT_CLASSIFICATION, labels=["a", "b"], spec={}, metrics={},
        test_metrics=None, data={}, training={})
    with pytest.raises(tunekit.PluginError, match="contract is 1.1 or newer"):
        predictions_csv.export(context)
