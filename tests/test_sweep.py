"""Sweeps on the tiny test backbone: every trial a run of one sweep in registry.db, Optuna's
samplers and pruning, the budget, the best spec written out, and bad spaces refused up front."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tunekit
import yaml
from studio_harness import TINY_PLUGIN
from tunekit.errors import SpecError
from tunekit.registry import Registry
from tunekit.tools.search_space import grid, parse_param_option, parse_space
from tunekit.tools.sweep import sweep


@pytest.fixture
def registry(isolated: Path) -> Registry:
    return Registry.open(isolated / "registry.db")


def base_spec(data: Path, **training) -> dict:
    return {"dataset": {"name": "csv", "path": str(data)}, "backbone": "tiny-bert",
            "strategy": "full",
            "training": {"epochs": 1, "batch_size": 16, "learning_rate": 3e-3,
                         "early_stopping": None, **training},
            "metrics": ["accuracy", "f1"], "exporters": []}


def go(spec, space, manager, registry, **options):
    return sweep(spec, space, manager=manager, registry=registry, progress=False,
                 output_root=Path.cwd() / "runs", **options)


# ---------------------------------------------------------------- the space


def test_param_options_read_choices_ranges_and_yaml():
    field, dim = parse_param_option("training.learning_rate=1e-4,3e-4")
    assert field == "training.learning_rate" and dim.choices == (1e-4, 3e-4)
    _, dim = parse_param_option("training.learning_rate=1e-5..1e-3:log")
    assert (dim.low, dim.high, dim.log, dim.integer) == (1e-5, 1e-3, True, False)
    _, dim = parse_param_option("strategy.r=[4, 8]")
    assert dim.choices == (4, 8)
    # a float field stays continuous even with whole-number bounds
    _, dim = parse_param_option("training.dropout={low: 0, high: 1}")
    assert not dim.integer and not dim.finite
    _, dim = parse_param_option("training.epochs={low: 2, high: 6, step: 2}")
    assert dim.integer and dim.values() == [2, 4, 6]
    _, dim = parse_param_option("strategy=lora,full")
    assert dim.choices == ("lora", "full")


@pytest.mark.parametrize("item, words", [
    ("training.learnin_rate=1,2", ["training.learnin_rate", '"learning_rate"']),
    ("trainig.epochs=1,2", ["not a spec field", '"training"']),
    ("training.learning_rate={low: 1e-3, high: 1e-5}", ["must be below high"]),
    ("training.learning_rate={low: 0, high: 1e-3, log: true}", ["log range needs low above 0"]),
    ("training.learning_rate={low: 1e-5, hi: 1e-3}", ["unknown key 'hi'", '"high"']),
    ("training.learning_rate=", ["no values"]),
    ("training.epochs=3,3", ["listed twice"]),
])
def test_a_bad_param_option_is_one_clear_error(item, words):
    with pytest.raises(SpecError) as err:
        parse_param_option(item)
    for word in words:
        assert word in str(err.value), str(err.value)


def test_a_grid_lists_every_combination_in_order_and_needs_finite_values():
    space = parse_space({"training.learning_rate": [1e-3, 3e-3], "training.batch_size": [8, 16]})
    assert grid(space) == [
        {"training.learning_rate": 1e-3, "training.batch_size": 8},
        {"training.learning_rate": 1e-3, "training.batch_size": 16},
        {"training.learning_rate": 3e-3, "training.batch_size": 8},
        {"training.learning_rate": 3e-3, "training.batch_size": 16}]
    with pytest.raises(SpecError, match="a grid needs a finite list of values"):
        grid(parse_space({"training.learning_rate": {"low": 1e-5, "high": 1e-3}}))


# ---------------------------------------------------------------- sweeps that train


def test_a_two_by_two_grid_records_four_runs_of_one_sweep_and_writes_a_best_spec_that_runs(
        manager, registry, tiny_csv):
    space = {"training.learning_rate": [3e-3, 1e-4], "training.batch_size": [8, 16]}
    result = go(base_spec(tiny_csv), space, manager, registry, prune=False)

    assert result.status == "completed" and result.sampler == "grid"
    runs = registry.sweep_runs(result.sweep_id)
    assert [r.trial for r in runs] == [0, 1, 2, 3]
    assert all(r.sweep_id == result.sweep_id and r.status == "completed" for r in runs)
    assert all(r.trial_state == "completed" for r in runs)
    tried = [(r.spec["training"]["learning_rate"], r.spec["training"]["batch_size"]) for r in runs]
    assert tried == [(3e-3, 8), (3e-3, 16), (1e-4, 8), (1e-4, 16)]
    assert [t.run_id for t in result.trials] == [r.id for r in runs]
    # the score is the validation accuracy of each run, and the best is the highest
    for trial, record in zip(result.trials, runs, strict=True):
        assert trial.value == record.metrics["accuracy"]
    assert result.metric == "accuracy" and result.direction == "maximize"
    assert result.best.value == max(t.value for t in result.trials)
    record = registry.get_sweep(result.sweep_id)
    assert record.kind == "sweep" and record.status == "completed"
    assert record.best_run_id == result.best.run_id
    assert record.summary["trials"] == {"completed": 4}
    assert set(record.space) == set(space)
    table = result.table()
    assert "training.learning_rate" in table and "accuracy" in table
    assert len(table.splitlines()) == 5 and "*" in table

    path = result.best_spec_path
    assert path == Path.cwd() / "runs" / f"sweep-{result.sweep_id}" / "best.yaml"
    header = [line for line in path.read_text().splitlines() if line.startswith("#")]
    assert f"sweep {result.sweep_id}" in header[0]
    assert f"trial {result.best.number}, run {result.best.run_id}" in header[1]
    best = tunekit.load_spec(path, manager)
    assert best.data["training"]["learning_rate"] == result.best.params["training.learning_rate"]
    again = tunekit.run(best, manager=manager, registry=registry, progress=False)
    assert again.status == "completed"


def test_random_search_runs_the_number_of_trials_asked_within_the_range(manager, registry,
                                                                         tiny_csv):
    space = {"training.learning_rate": {"low": 1e-4, "high": 1e-2, "log": True}}
    result = go(base_spec(tiny_csv), space, manager, registry, sampler="random", trials=3)

    runs = registry.sweep_runs(result.sweep_id)
    assert len(runs) == 3 and result.sampler == "random"
    rates = [r.spec["training"]["learning_rate"] for r in runs]
    assert all(1e-4 <= rate <= 1e-2 for rate in rates)
    assert len(set(rates)) == 3
    assert registry.get_sweep(result.sweep_id).sampler == "random"


def test_tpe_searches_a_component_option_and_a_range(manager, registry, tiny_csv):
    spec = {**base_spec(tiny_csv), "strategy": "lora"}
    space = ["strategy.r=2,4", "training.learning_rate=1e-3..1e-2:log"]
    result = go(spec, space, manager, registry, sampler="tpe", trials=3, seed=1)

    runs = registry.sweep_runs(result.sweep_id)
    assert len(runs) == 3 and result.sampler == "tpe"
    assert all(r.spec["strategy"]["name"] == "lora" for r in runs)
    assert {r.spec["strategy"]["r"] for r in runs} <= {2, 4}
    assert [t.params["strategy.r"] for t in result.trials] == \
        [r.spec["strategy"]["r"] for r in runs]


def test_a_diverging_trial_is_pruned_after_its_first_epoch_and_recorded(manager, registry,
                                                                        tiny_csv):
    # a learning rate of 1.0 sends the validation loss far above the first trial's
    space = {"training.learning_rate": [3e-3, 1.0]}
    result = go(base_spec(tiny_csv, epochs=3), space, manager, registry, metric="loss",
                prune_startup_trials=1, prune_warmup_epochs=0)

    good, bad = result.trials
    assert result.direction == "minimize"
    assert good.state == "completed" and good.epochs == 3
    assert bad.state == "pruned" and bad.epochs == 1
    record = registry.get_run(bad.run_id)
    assert record.status == "completed" and record.trial_state == "pruned"
    assert "pruned by the sweep" in json.loads(record.summary_json)["stopped_by"]
    epochs = {p.epoch for p in registry.metric_points(bad.run_id, "validation")}
    assert epochs == {1.0}
    assert result.best is good
    assert registry.get_sweep(result.sweep_id).summary["trials"] == {"completed": 1,
                                                                     "pruned": 1}


def test_a_minutes_budget_starts_no_new_trial_once_spent(manager, registry, tiny_csv):
    space = {"training.learning_rate": [3e-3, 1e-3, 1e-4]}
    result = go(base_spec(tiny_csv), space, manager, registry, minutes=0.001)

    assert len(result.trials) == 1
    assert len(registry.sweep_runs(result.sweep_id)) == 1
    assert "budget of 0.001 minutes was spent" in result.stopped
    assert "no new trial started" in result.stopped
    assert registry.get_sweep(result.sweep_id).summary["stopped"] == result.stopped


def test_a_failing_trial_is_recorded_and_the_sweep_goes_on(manager, registry, tiny_csv):
    # freezing 3 blocks of a 2-block model passes validation but fails when the model exists
    space = {"strategy": [{"name": "freeze-bottom", "layers": 3}, "full"]}
    result = go(base_spec(tiny_csv), space, manager, registry)

    failed, completed = result.trials
    assert failed.state == "failed" and "cannot freeze 3" in failed.note
    assert completed.state == "completed"
    runs = registry.sweep_runs(result.sweep_id)
    assert [(r.status, r.trial_state) for r in runs] == [("failed", "failed"),
                                                         ("completed", "completed")]
    assert result.best is completed and result.status == "completed"


@pytest.mark.parametrize("space, words", [
    ({"training.learnin_rate": [1e-3, 1e-4]}, ["learnin_rate", '"learning_rate"']),
    ({"strategy.r": [4, 8]}, ["strategy.r=4", "unknown option 'r'", "'full'"]),
    ({"training.learning_rate": [1e-3, 5.0]}, ["training.learning_rate=5", "less than or equal"]),
    ({"backbone": ["tiny-bert", "tiny-brt"]}, ["tiny-brt"]),
])
def test_a_bad_space_is_one_clear_error_before_any_run(manager, registry, tiny_csv, space,
                                                        words):
    with pytest.raises(SpecError) as err:
        go(base_spec(tiny_csv), space, manager, registry)
    for word in words:
        assert word in str(err.value), str(err.value)
    assert registry.runs() == [] and registry.sweeps() == []


def test_the_space_and_settings_can_live_in_the_spec_file(manager, registry, tiny_csv):
    spec = {**base_spec(tiny_csv), "sweep": {
        "params": {"training.batch_size": [8, 16]}, "sampler": "grid", "trials": 1}}
    path = Path("spec.yaml")
    path.write_text(yaml.safe_dump(spec))
    result = go(path, None, manager, registry)
    assert len(result.trials) == 1 and result.stopped == "the budget of 1 trial was used"

    path.write_text(yaml.safe_dump({**spec, "sweep": {"params": {"training.batch_size": [8]},
                                                      "trails": 3}}))
    with pytest.raises(SpecError, match='unknown key \'trails\'. Did you mean "trials"'):
        go(path, None, manager, registry)


# ---------------------------------------------------------------- through the CLI


def cli(*args: str, cwd: Path, **popen) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("TUNEKIT_PLUGINS_DIR", None)
    return subprocess.Popen([sys.executable, "-m", "tunekit.ui.cli", "--plugins-dir",
                             str(cwd / "plugins"), "--registry", str(cwd / "registry.db"),
                             *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


@pytest.fixture
def project(isolated: Path, tiny_csv: Path) -> Path:
    (isolated / "plugins").mkdir()
    (isolated / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    spec = base_spec(Path(tiny_csv.name))
    (isolated / "spec.yaml").write_text(yaml.safe_dump(spec))
    return isolated


def test_the_cli_sweeps_and_prints_json_and_a_bad_field_exits_2(project):
    done = cli("sweep", "spec.yaml", "--param", "training.batch_size=8,16", "--json",
               "--output", "best.yaml", cwd=project)
    out, err = done.communicate(timeout=240)
    assert done.returncode == 0, err
    result = json.loads(out)
    assert [t["state"] for t in result["trials"]] == ["completed", "completed"]
    assert result["best_spec_path"] == "best.yaml" and Path(project / "best.yaml").exists()
    assert "[2/2] trial 1: training.batch_size=16 -> accuracy" in err

    bad = cli("sweep", "spec.yaml", "--param", "training.bach_size=8,16", cwd=project)
    out, err = bad.communicate(timeout=120)
    assert bad.returncode == 2
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        err.splitlines()[0]]
    assert "Traceback" not in err and '"batch_size"' in err


def test_sigterm_cancels_the_running_trial_and_the_sweep(project):
    registry = Registry.open(project / "registry.db")
    done = cli("sweep", "spec.yaml", "--param", "training.batch_size=8,16,32",
               "--set", "training.epochs=200", "--quiet", cwd=project)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        runs = registry.runs()
        if runs and runs[0].status == "running":
            break
        time.sleep(0.2)
    else:
        done.kill()
        pytest.fail("the first trial never started: " + done.communicate()[1])
    done.send_signal(signal.SIGTERM)
    out, err = done.communicate(timeout=120)

    assert done.returncode == 130, err
    [record] = registry.runs()
    assert record.status == "cancelled" and record.trial_state == "cancelled"
    [sweep_record] = registry.sweeps()
    assert sweep_record.status == "cancelled" and sweep_record.finished_at is not None
