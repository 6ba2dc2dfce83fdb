"""What the assistant answers where a spec field does not exist or the words ask for advice:

- transformers' ``evaluation_strategy`` / ``eval_strategy``: "steps" is eval_steps (taken
  when a number of steps is said, else asked for), "epoch" is the default, "no" cannot be;
- a run that does not fit in GPU memory gets the ways to make it fit, with the run's numbers,
  not a "not taken: the device" line;
- an ensemble gets what tunekit does instead (a bake-off, a sweep);
- rmse is a regression metric;
- a question about the job that names no data still sets its task.

The phrasings are written for these causes, not taken from the request sets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from assistant_talk import talk
from tunekit import load_plugins


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


def said(plugins: Any, folder: Path, *turns: str) -> tuple[dict[str, Any], str]:
    (folder / "notes.csv").write_text("text,label\n" + "".join(
        f"note {i} about {'billing' if i % 2 else 'login'},{'money' if i % 2 else 'it'}\n"
        for i in range(40)))
    (folder / "waits.csv").write_text("complaint,wait_minutes\n" + "".join(
        f"complaint {i} said the queue was long,{5 + (i * 7) % 60}\n" for i in range(40)))
    return talk(plugins, folder, *turns)


@pytest.mark.parametrize("turns, steps", [
    (("notes.csv, eval_strategy='steps', eval_steps=25",), 25),
    (("train on notes.csv with eval_steps 40", "and evaluation strategy: steps"), 40),
])
def test_eval_strategy_steps_with_a_number_is_taken(plugins, tmp_path, turns, steps):
    spec, text = said(plugins, tmp_path, *turns)
    assert spec["training"]["eval_steps"] == steps
    assert "no setting of tunekit's has that name" not in text
    assert f"every {steps} steps" in text


@pytest.mark.parametrize("message", ["notes.csv please, evaluation_strategy=steps",
                                     "use notes.csv and set the eval strategy to steps"])
def test_eval_strategy_steps_alone_says_what_is_needed(plugins, tmp_path, message):
    spec, text = said(plugins, tmp_path, message)
    assert spec["training"]["eval_steps"] is None
    assert "eval_steps" in text and "once per epoch" in text


def test_eval_strategy_epoch_clears_eval_steps(plugins, tmp_path):
    spec, text = said(plugins, tmp_path, "notes.csv, eval_steps=30",
                      "actually evaluation_strategy=epoch")
    assert spec["training"]["eval_steps"] is None
    assert "once per epoch" in text


def test_eval_strategy_no_is_said_to_be_impossible(plugins, tmp_path):
    _, text = said(plugins, tmp_path, "notes.csv with eval_strategy: no")
    assert "cannot be turned off" in text


@pytest.mark.parametrize("message", [
    "train on notes.csv with batch size 32, my gpu runs out of memory",
    "notes.csv; last time I got a CUDA OOM error",
    "fine-tune on notes.csv but roberta-large is too big for my GPU",
    "notes.csv, the model doesn't really fit in my 8 GB of VRAM",
])
def test_a_run_that_does_not_fit_gets_the_ways_to_fit(plugins, tmp_path, message):
    _, text = said(plugins, tmp_path, message)
    assert "gradient accumulation" in text and "bf16" in text
    assert "the device is not part of the spec" not in text


def test_the_memory_advice_uses_the_runs_batch(plugins, tmp_path):
    _, text = said(plugins, tmp_path, "notes.csv, batch size 64, out of memory on the gpu")
    assert "batch size 16, gradient accumulation 4" in text


@pytest.mark.parametrize("message", [
    "train an ensemble of three models on notes.csv",
    "notes.csv: can we combine several classifiers and take a majority vote of them?",
    "notes.csv, then blend the runs into one prediction",
])
def test_an_ensemble_gets_what_tunekit_does_instead(plugins, tmp_path, message):
    _, text = said(plugins, tmp_path, message)
    assert "bake-off" in text and "sweep" in text
    assert "nothing in tunekit does that" not in text


@pytest.mark.parametrize("message", [
    "predict wait_minutes from waits.csv and show me the rmse",
    "waits.csv, regression on wait_minutes; metrics: root mean squared error and mae",
])
def test_rmse_is_a_regression_metric(plugins, tmp_path, message):
    spec, text = said(plugins, tmp_path, message)
    assert spec["task"] == "text-regression"
    assert "rmse" in [m["name"] if isinstance(m, dict) else m for m in spec["metrics"]]
    assert "Not taken" not in text


def test_rmse_is_computed_as_the_root_of_mse():
    from tunekit.plugins.metrics.regression import mse, rmse

    predictions, references = [3.0, 0.0, 1.0], [1.0, 0.0, 4.0]
    assert rmse(predictions, references, [])["rmse"] == pytest.approx(
        (mse(predictions, references, [])["mse"]) ** 0.5)
    assert rmse(predictions, references, [])["rmse"] == pytest.approx((13 / 3) ** 0.5)


@pytest.mark.parametrize("message, task", [
    ("which backbone would you recommend for tagging place names in travel blogs?",
     "token-classification"),
    ("what model should I pick to predict how many minutes a repair takes from its notes?",
     "text-regression"),
])
def test_a_question_about_the_job_sets_its_task(plugins, tmp_path, message, task):
    spec, _ = said(plugins, tmp_path, message)
    assert spec["task"] == task


@pytest.mark.parametrize("message", ["what is named entity recognition?",
                                     "what's the difference between NER and classification?"])
def test_a_question_about_what_a_task_is_sets_none(plugins, tmp_path, message):
    spec, _ = said(plugins, tmp_path, message)
    assert spec["task"] == "text-classification"  # the default, untouched


def test_the_metrics_said_are_the_metrics_kept(plugins, tmp_path):
    spec, text = said(plugins, tmp_path, "waits.csv: predict wait_minutes, and report the rmse")
    assert [m["name"] if isinstance(m, dict) else m for m in spec["metrics"]] == ["rmse"]
    assert "metrics: rmse" in text and "accuracy" not in text
