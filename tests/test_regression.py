"""text-regression end to end: the metrics by hand, numeric labels refused with their line, a
random validation split, predictions, and a real tiny run through the ``tunekit`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from exported import demo_answer, onnx_parity, predict_json
from studio_harness import TINY_PLUGIN
from tunekit.components import DataContext, DataSplits, ModelRequest
from tunekit.errors import DataError
from tunekit.plugins.metrics.regression import mae, mse, r2, rmse
from tunekit.registry import Registry
from tunekit.tasks import get_task
from tunekit.testing import manager_with, rating_rows, write_rating_csv
from tunekit.ui.cli import main


def test_the_metrics_by_hand():
    predictions, references = [1.0, 2.0, 4.0], [1.0, 3.0, 2.0]
    assert mse(predictions, references, [])["mse"] == pytest.approx((0 + 1 + 4) / 3)
    assert mae(predictions, references, [])["mae"] == pytest.approx((0 + 1 + 2) / 3)
    assert rmse(predictions, references, [])["rmse"] == pytest.approx(((0 + 1 + 4) / 3) ** 0.5)
    # mean 2: SS_tot = 1 + 1 + 0 = 2, SS_res = 5
    assert r2(predictions, references, [])["r2"] == pytest.approx(1 - 5 / 2)
    assert r2([2.0, 2.0, 2.0], references, [])["r2"] == pytest.approx(0.0)  # the mean: 0
    assert r2([5.0, 5.0], [5.0, 5.0], [])["r2"] == 1.0  # constant target, hit exactly
    assert r2([4.0, 5.0], [5.0, 5.0], [])["r2"] == 0.0


def test_the_metrics_are_registered_for_regression_only():
    manager = manager_with()
    for name, higher in (("mse", False), ("rmse", False), ("mae", False), ("r2", True)):
        metric = manager.get("metric", name)
        assert metric.tasks == ("text-regression",) and metric.higher_is_better is higher


def _load(path: Path, **options):
    manager = manager_with()
    dataset = manager.get("dataset", "csv")
    resolved = dataset.resolve_options({"path": str(path), **options}, "dataset")
    return dataset.load(resolved, DataContext(task="text-regression", seed=0,
                                              base_dir=path.parent))


def test_the_csv_reads_numbers_and_holds_out_a_random_validation_split(tmp_path):
    splits = _load(write_rating_csv(tmp_path / "ratings.csv", 40), validation_split=0.25)
    assert (len(splits.train), len(splits.validation)) == (30, 10)
    assert all(isinstance(r["label"], float) for r in splits.train + splits.validation)
    assert any("at random" in note for note in splits.notes)


def test_a_label_that_is_not_a_number_is_refused_with_its_line(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_text("text,label\ngood film,4.5\ndull film,two\n")
    with pytest.raises(DataError) as caught:
        _load(path)
    assert "'two' is not a number" in caught.value.message
    assert caught.value.where == f"{path}:3"


def test_the_task_checks_targets_from_any_dataset():
    task = get_task("text-regression")
    rows = rating_rows(20)
    splits = DataSplits(train=rows[:15], validation=rows[15:])
    assert task.labels(splits, "mine") == []
    figures = task.describe_data(splits)["train_target"]
    assert figures["count"] == 15 and figures["min"] <= figures["mean"] <= figures["max"]
    splits.validation[2] = {"text": "x", "label": float("nan")}
    with pytest.raises(DataError, match=r"'nan'|nan.*\(validation row 3\)"):
        task.labels(splits, "mine")
    splits.validation[2] = {"text": "x", "label": "high", "line": 7}
    with pytest.raises(DataError) as caught:
        task.labels(splits, "data.jsonl")
    assert caught.value.where == "data.jsonl:7"


def test_predict_answers_a_number_per_text(tmp_path):
    from tunekit.testing.kit import _tiny

    task = get_task("text-regression")
    built = _tiny("bert")({"layers": 1, "init_seed": 0, "pretrained": True},
                          ModelRequest(task="text-regression", labels=[]))
    (tmp_path / "in.txt").write_text("a good film\nan awful film\n")
    inputs = task.read_inputs(str(tmp_path / "in.txt"))
    answers = task.predict(built.model.eval(), built, inputs, [], max_length=32)
    assert [a["input"] for a in answers] == ["a good film", "an awful film"]
    assert all(isinstance(a["value"], float) for a in answers)


SPEC = """\
task: text-regression
dataset: {name: csv, path: ratings.csv, validation_split: 0.2}
backbone: tiny-bert
strategy: full
training: {epochs: 6, batch_size: 16, learning_rate: 0.003, max_length: 16}
exporters: [huggingface, {name: onnx, exporter: torchscript}, gradio-demo]
"""


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("regression")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    write_rating_csv(folder / "ratings.csv", 200)
    (folder / "spec.yaml").write_text(SPEC)
    code = main(["--plugins-dir", str(folder / "plugins"), "--registry",
                 str(folder / "registry.db"), "run", str(folder / "spec.yaml"), "--quiet"])
    return code, Registry.open(folder / "registry.db"), folder


def test_a_tiny_regressor_learns_what_the_words_say(trained):
    code, registry, _ = trained
    assert code == 0
    run = registry.get_run(1)
    metrics = json.loads(run.metrics_json)
    assert set(metrics) >= {"mse", "mae", "r2"}  # the task's default metrics
    # R² 0 is always answering the mean; the target follows the rating word
    assert metrics["r2"] > 0.5, metrics
    summary = json.loads(run.summary_json)
    assert summary["data"]["labels"] == []
    assert 2.5 < summary["data"]["train_target"]["mean"] < 3.5
    assert {p.name for p in registry.metric_points(1)} >= {"mse", "mae", "r2"}
    assert {a.exporter for a in registry.artifacts(1)} == {"huggingface", "onnx",
                                                           "gradio-demo"}


def test_the_regressor_exports_reloads_and_answers_a_number(trained, capsys):
    _, registry, folder = trained
    assert onnx_parity(registry, 1)["argmax_agreement"] is None  # one output: no argmax
    # new texts of the data's kind: an excellent one, an awful one
    excellent, awful = (row["text"] for row in rating_rows(5, seed=7)[::-4])
    texts = folder / "texts.txt"
    texts.write_text(f"{excellent}\n{awful}\n")
    answers = predict_json(capsys, folder, 1, str(texts))
    assert [a["input"] for a in answers] == [excellent, awful]
    assert all(isinstance(a["value"], float) for a in answers)
    assert answers[0]["value"] > answers[1]["value"]  # the rating word decides
    value = demo_answer(registry, 1)(excellent)
    assert isinstance(value, float) and abs(value - answers[0]["value"]) < 1e-3
