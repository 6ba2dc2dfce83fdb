"""Bake-offs: every strategy (and scratch) on the same data and seed, side by side, recorded in
registry.db, with a verdict; on the real MiniLM, head-only falls clearly behind on reviews that
turn on negation and word order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import tunekit
import yaml
from studio_harness import TINY_PLUGIN
from tunekit import Backbone, SpecError, UnknownComponentError, hookimpl
from tunekit.registry import Registry
from tunekit.testing import make_manager, tiny_backbones
from tunekit.tools.bakeoff import Contender, bakeoff, load_bakeoff, verdict

COLUMNS = ["entry", "run", "status", "val accuracy", "val f1", "test accuracy", "test f1",
           "trainable params", "trainable %", "wall time s", "peak memory MB", "samples/s",
           "epochs", "learning rate"]


@pytest.fixture
def registry(isolated: Path) -> Registry:
    return Registry.open(isolated / "registry.db")


def base_spec(data: Path, **training) -> dict:
    return {"dataset": {"name": "csv", "path": str(data), "test_split": 0.2},
            "backbone": "tiny-bert", "strategy": "lora",
            "training": {"batch_size": 8, "early_stopping": None, **training},
            "metrics": ["accuracy", "f1"], "exporters": []}


def go(spec, strategies, manager, registry, **options):
    return bakeoff(spec, strategies, manager=manager, registry=registry, progress=False,
                   output_root=Path.cwd() / "runs", **options)


def test_an_entry_that_fails_is_recorded_as_failed_and_the_others_still_run(registry, tiny_csv):
    def apply(model, options, context):  # a third-party strategy that fails on this model
        raise SpecError(f"needs 12 blocks, the model has {len(context.layer_groups) - 2}",
                        where="strategy")

    @hookimpl
    def register_strategies(register):
        register(tunekit.Strategy(name="deep-only", description="needs a deep model",
                                  apply=apply))

    manager = make_manager(("tiny", tiny_backbones), ("deep", SimpleNamespace(
        register_strategies=register_strategies)))
    report = go(base_spec(tiny_csv, epochs=1), ["head-only", "deep-only"], manager, registry)
    runs = registry.sweep_runs(report.sweep_id)
    assert [(r.trial_label, r.status, r.trial_state) for r in runs] == [
        ("head-only", "completed", "completed"), ("deep-only", "failed", "failed")]
    assert "needs 12 blocks" in runs[1].error
    assert any("deep-only did not complete" in note for note in report.notes)


def test_every_entry_and_scratch_is_recorded_each_with_its_strategys_own_defaults(
        manager, registry, tiny_csv):
    entries = ["full", "head-only", "freeze-bottom", "lora", "gradual", "pretrained:false"]
    report = go(base_spec(tiny_csv, epochs=1), entries, manager, registry)

    runs = registry.sweep_runs(report.sweep_id)
    assert [r.trial_label for r in runs] == ["full", "head-only", "freeze-bottom", "lora",
                                              "gradual", "scratch"]
    assert [r.trial for r in runs] == list(range(6))
    assert [r.status for r in runs] == ["completed"] * 6
    # freeze-bottom's default: the lower half of the blocks, 1 of the tiny model's 2
    assert "lowest 1 of 2 blocks" in json.loads(runs[2].summary_json)["strategy"]
    # same data and seed for all; scratch is full fine-tuning with random weights
    assert len({r.data_fingerprint for r in runs if r.status == "completed"}) == 1
    assert {r.seed for r in runs} == {42}
    scratch = runs[-1].spec
    assert scratch["strategy"]["name"] == "full" and scratch["backbone"]["pretrained"] is False
    assert all(r.spec["backbone"]["pretrained"] is True for r in runs[:-1])
    # the epochs are pinned by the spec; each learning rate is the strategy's own default
    rates = {c.label: c.learning_rate for c in report.contenders if c.status == "completed"}
    defaults = {name: manager.get("strategy", name).default_learning_rate
                for name in ("full", "head-only", "freeze-bottom", "lora", "gradual")}
    assert rates == {**defaults, "scratch": defaults["full"]}
    assert all(c.epochs == 1 for c in report.contenders if c.status == "completed")
    assert any("epochs 1, as the spec pins it" in note for note in report.notes)

    record = registry.get_sweep(report.sweep_id)
    assert record.kind == "bakeoff" and record.status == "completed"
    assert [e["label"] for e in record.space["entries"]] == [r.trial_label for r in runs]
    # the registry holds the whole report: the studio rebuilds it from there
    again = load_bakeoff(registry, report.sweep_id)
    assert again.rows() == report.rows() and again.verdict == report.verdict


def test_the_report_has_every_column_and_the_verdict_names_the_best(manager, registry,
                                                                     tiny_csv):
    spec = base_spec(tiny_csv, epochs=4, learning_rate=3e-3)
    report = go(spec, "full,head-only,lora", manager, registry, scratch=True,
                markdown="report.md")

    rows = report.rows()
    assert [r["entry"] for r in rows] == ["full", "head-only", "lora", "scratch"]
    assert list(rows[0]) == COLUMNS
    for row, contender in zip(rows, report.contenders, strict=True):
        assert row["val accuracy"] == contender.metrics["accuracy"]
        assert row["test accuracy"] == contender.test_metrics["accuracy"]
        assert row["trainable params"] > 0 and 0 < row["trainable %"] <= 100
        assert row["wall time s"] >= 0 and row["peak memory MB"] > 0 and row["samples/s"] > 0
    by_entry = {r["entry"]: r for r in rows}
    assert by_entry["full"]["trainable %"] == 100
    assert by_entry["head-only"]["trainable %"] < by_entry["lora"]["trainable %"] < 100
    table = report.table()
    assert all(column in table.splitlines()[0] for column in COLUMNS)

    best = max(report.contenders, key=lambda c: c.metrics["accuracy"])
    assert report.best.metrics["accuracy"] == best.metrics["accuracy"]
    assert report.verdict[0].startswith(f"Best: {report.best.label}, with validation accuracy")
    assert registry.get_sweep(report.sweep_id).best_run_id == report.best.run_id
    assert registry.get_sweep(report.sweep_id).summary["best"] == report.best.label
    markdown = Path("report.md").read_text()
    assert "| entry | run | status | val accuracy |" in markdown
    assert report.verdict[0] in markdown


def test_unknown_strategies_and_scratch_without_a_pretrained_option_fail_before_any_run(
        manager, registry, tiny_csv):
    with pytest.raises(UnknownComponentError, match='Did you mean "lora"'):
        go(base_spec(tiny_csv), ["full", "lorra"], manager, registry)

    @hookimpl
    def register_backbones(register):
        register(Backbone(name="fixed-bert", description="A backbone without a pretrained "
                          "option.", build=lambda options, request: None))

    fixed = make_manager(("tiny", tiny_backbones),
                         ("fixed", SimpleNamespace(register_backbones=register_backbones)))
    spec = {**base_spec(tiny_csv), "backbone": "fixed-bert"}
    with pytest.raises(SpecError, match="'fixed-bert' has no 'pretrained' option"):
        go(spec, ["full"], fixed, registry, scratch=True)
    assert registry.runs() == [] and registry.sweeps() == []


# ---------------------------------------------------------------- the verdict


def contender(label, accuracy, trainable, *, seconds=60.0, memory=1000, pretrained=True):
    return Contender(label=label, run_id=1, status="completed",
                     strategy="full" if label == "scratch" else label, pretrained=pretrained,
                     metrics={"accuracy": accuracy}, test_metrics={"accuracy": accuracy},
                     trainable=trainable, total=1_000_000, seconds=seconds,
                     peak_memory_bytes=memory, validation_size=90, majority_share=0.5)


def test_the_verdict_reads_a_clear_gap_the_worth_of_pretraining_and_the_cost_of_lora():
    field = [contender("full", 0.90, 1_000_000), contender("head-only", 0.62, 1_000),
             contender("lora", 0.88, 5_000, seconds=30, memory=600),
             contender("scratch", 0.66, 1_000_000, pretrained=False)]
    lines = verdict(field, "accuracy", "maximize")

    assert lines[0].startswith("Best: full, with validation accuracy 90.0%")
    assert "ahead of lora (88.0%) by 2.0 points" in lines[0] and "treat them as tied" in lines[0]
    assert "Head-only is clearly behind: 62.0% against full's 90.0% (28.0 points lower)" in \
        lines[1] and "word order" in lines[1]
    assert "Pretraining is worth 24.0 points" in lines[2]
    assert "LoRA trains 0.50% of the parameters and reaches 98% of full fine-tuning's" in lines[3]
    assert "in 50% of the time and at 60% of the peak memory" in lines[3]
    assert lines[4].startswith("Recommendation: lora is within the noise of the best")


def test_the_verdict_says_when_head_only_keeps_up_and_when_nothing_learned():
    close = [contender("full", 0.90, 1_000_000), contender("head-only", 0.89, 1_000)]
    lines = verdict(close, "accuracy", "maximize")
    assert lines[1].startswith("Head-only keeps up")
    assert lines[-1].startswith("Recommendation: head-only")

    chance = [contender("full", 0.52, 1_000_000), contender("head-only", 0.50, 1_000)]
    [line] = verdict(chance, "accuracy", "maximize")
    assert line.startswith("No entry learned the task clearly")


# ---------------------------------------------------------------- through the CLI


def test_the_cli_runs_a_bakeoff_as_json_and_shows_it_again(isolated, tiny_csv):
    (isolated / "plugins").mkdir()
    (isolated / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    (isolated / "spec.yaml").write_text(yaml.safe_dump(base_spec(Path(tiny_csv.name),
                                                                 epochs=1)))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "tunekit.ui.cli", "--plugins-dir", "plugins",
               "--registry", "registry.db", "bakeoff"]
    done = subprocess.run([*command, "spec.yaml", "--strategies", "head-only,lora", "--json"],
                          cwd=isolated, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [e["label"] for e in report["entries"]] == ["head-only", "lora"]
    assert report["verdict"] and report["best"] in ("head-only", "lora")

    shown = subprocess.run([*command, "--show", str(report["sweep_id"])], cwd=isolated, env=env,
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "val accuracy" in shown.stdout and "head-only" in shown.stdout
    missing = subprocess.run([*command, "--show", "99"], cwd=isolated, env=env,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no bake-off 99" in missing.stderr


# ---------------------------------------------------------------- the real model


@pytest.mark.slow
def test_on_reviews_that_turn_on_negation_head_only_falls_clearly_behind_lora(registry):
    """The bundled MiniLM on the bundled sample reviews, each strategy at its own learning
    rate, four epochs each: the frozen sentence features cannot read negation and word order,
    so head-only trails by a wide margin (here 61.1% against LoRA's 86.7% validation accuracy;
    with each strategy's own six epochs, 61.1% against 94.4%)."""
    report = bakeoff(None, ["head-only", "lora"], overrides=["training.epochs=4"],
                     registry=registry, progress=False, output_root=Path.cwd() / "runs")
    scores = {c.label: c.metrics["accuracy"] for c in report.contenders}
    print(report.table())
    print(report.verdict_text())

    assert [c.status for c in report.contenders] == ["completed", "completed"]
    assert scores["lora"] - scores["head-only"] >= 0.15, scores
    assert report.best.label == "lora"
    assert "Head-only is clearly behind" in report.verdict_text()
