"""Reading a run's curves: each verdict on curves made to show it, then a planted overfitting
run diagnosed through the real CLI, and its proposed follow-up run with its lineage."""

from __future__ import annotations

import csv
import json
import random
import shlex
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_cli import TINY_PLUGIN, tunekit_cli
from tunekit.testing import FILLER, NEGATIVE, POSITIVE
from tunekit.tools.diagnosis import as_overrides, diagnose, follow_up_spec


def points(validation: list[float], val_loss: list[float], train_loss: list[float],
           metric: str = "accuracy") -> list[SimpleNamespace]:
    made = []
    for epoch, value in enumerate(validation, start=1):
        made.append(SimpleNamespace(split="validation", name=metric, epoch=epoch, value=value))
    for epoch, value in enumerate(val_loss, start=1):
        made.append(SimpleNamespace(split="validation", name="loss", epoch=epoch, value=value))
    for epoch, value in enumerate(train_loss, start=1):  # two training points per epoch
        for part in (0.5, 1.0):
            made.append(SimpleNamespace(split="train", name="loss", epoch=epoch - 1 + part,
                                        value=value))
    return made


SPEC = {"strategy": {"name": "lora"}, "training": {"epochs": 8, "learning_rate": 1e-3,
                                                   "weight_decay": 0.01}}


def test_overfitting_names_the_epoch_where_validation_loss_turned():
    result = diagnose(points([0.70, 0.80, 0.85, 0.84, 0.83, 0.82, 0.82, 0.81],
                             [0.60, 0.45, 0.40, 0.44, 0.50, 0.58, 0.66, 0.71],
                             [0.65, 0.45, 0.30, 0.20, 0.12, 0.08, 0.05, 0.03]), SPEC)
    assert result.verdict == "overfitting"
    assert result.figures["turned_at_epoch"] == 3
    assert "lowest in epoch 3 (0.400)" in result.explanation
    assert "0.710 by epoch 8" in result.explanation
    assert result.changes == {"training.epochs": 3, "training.weight_decay": 0.05,
                              "training.dropout": 0.2}


def test_a_noisy_wobble_in_validation_loss_is_not_overfitting():
    result = diagnose(points([0.80, 0.85, 0.86, 0.87], [0.40, 0.35, 0.36, 0.34],
                             [0.50, 0.35, 0.30, 0.28]), SPEC)
    assert result.verdict != "overfitting"


def test_still_improving_asks_for_more_epochs():
    result = diagnose(points([0.60, 0.70, 0.78, 0.84], [0.60, 0.50, 0.45, 0.40],
                             [0.65, 0.55, 0.45, 0.38]), {**SPEC, "training": {"epochs": 4}})
    assert result.verdict == "still-improving"
    assert result.changes == {"training.epochs": 6}


def test_a_rising_training_loss_is_divergence_and_the_rate_comes_down():
    result = diagnose(points([0.5, 0.5, 0.5], [0.7, 0.9, 1.4], [0.7, 0.9, 2.5]), SPEC)
    assert result.verdict == "diverged"
    assert result.changes == {"training.learning_rate": pytest.approx(1e-4)}


def test_poor_scores_and_a_high_training_loss_are_underfitting():
    spec = {"strategy": {"name": "head-only"}, "training": {"epochs": 3}}
    result = diagnose(points([0.55, 0.58, 0.58], [0.69, 0.68, 0.68], [0.69, 0.68, 0.67]), spec)
    assert result.verdict == "underfitting"
    assert result.changes == {"training.epochs": 6, "strategy": {"name": "lora"}}


def test_the_follow_up_spec_applies_the_changes_and_keeps_the_data_where_it_was(tmp_path):
    spec = {"dataset": {"name": "csv", "path": "data/train.csv"},
            "strategy": {"name": "head-only"}, "training": {"epochs": 3}}
    changes = {"training.epochs": 6, "strategy": {"name": "lora"}}
    follow = follow_up_spec(spec, changes, str(tmp_path))
    assert follow["dataset"]["path"] == str(tmp_path / "data" / "train.csv")
    assert follow["training"]["epochs"] == 6 and follow["strategy"] == {"name": "lora"}
    assert spec["training"]["epochs"] == 3  # the recorded spec is not touched
    assert as_overrides(changes) == ["training.epochs=6", "strategy=lora"]


# ---------------------------------------------------------------- a planted overfitting run


def write_noisy(path: Path, n: int, noise: float, seed: int) -> None:
    """Easy two-class texts, a share of them with the wrong label: a model that learns those
    by heart is memorising, which a validation split with clean labels shows."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i in range(n):
            label = i % 2
            words = rng.sample(FILLER, 4) + [rng.choice(POSITIVE if label else NEGATIVE)]
            rng.shuffle(words)
            if rng.random() < noise:
                label = 1 - label
            writer.writerow([" ".join(words), ("negative", "positive")[label]])


OVERFIT_SPEC = """\
dataset: {name: csv, path: train.csv, validation_path: validation.csv}
backbone: tiny-bert
strategy: full
training: {epochs: 20, learning_rate: 0.01, batch_size: 8, warmup_ratio: 0.0,
           early_stopping: false}
metrics: [accuracy]
exporters: []
"""


@pytest.mark.slow
def test_a_planted_overfitting_run_is_diagnosed_and_its_follow_up_runs(tmp_path):
    project = tmp_path / "project"
    (project / "plugins").mkdir(parents=True)
    (project / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    write_noisy(project / "train.csv", 48, noise=0.15, seed=0)
    write_noisy(project / "validation.csv", 40, noise=0.0, seed=1)
    (project / "spec.yaml").write_text(OVERFIT_SPEC)
    env = {"TUNEKIT_PLUGINS_DIR": str(project / "plugins"),
           "TUNEKIT_REGISTRY": str(project / "registry.db")}

    trained = tunekit_cli("run", "spec.yaml", "--quiet", cwd=project, env=env)
    assert trained.returncode == 0, trained.stderr
    shown = tunekit_cli("runs", "diagnose", "1", "--json", cwd=project, env=env)
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["verdict"] == "overfitting", report["explanation"]
    history = json.loads(tunekit_cli("runs", "show", "1", "--json", cwd=project,
                                     env=env).stdout)["history"]
    val_loss = [v for _, v in history["validation/loss"]]
    turned = min(range(len(val_loss)), key=lambda i: val_loss[i]) + 1
    assert report["figures"]["turned_at_epoch"] == turned < 20
    assert f"lowest in epoch {turned}" in report["explanation"]
    assert report["changes"]["training.epochs"] == turned
    assert report["problem"] is None

    # the proposed command, as printed, from another folder: the data is still found
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    command = shlex.split(report["command"])
    assert command[:4] == ["tunekit", "run", "--from", "1"]
    follow = tunekit_cli(*command[1:], "--quiet", cwd=elsewhere, env=env)
    assert follow.returncode == 0, follow.stderr
    child = json.loads(tunekit_cli("runs", "show", "2", "--json", cwd=project, env=env).stdout)
    assert child["parent_id"] == 1 and child["status"] == "completed"
    assert child["spec"]["training"]["epochs"] == turned
    assert child["spec"]["training"]["weight_decay"] == report["changes"]["training.weight_decay"]
    lineage = tunekit_cli("runs", "show", "2", cwd=project, env=env).stdout
    assert f"follows run 1, changing training.epochs 20 -> {turned}" in lineage
    assert "followed by run 2" in tunekit_cli("runs", "show", "1", cwd=project, env=env).stdout
    listed = tunekit_cli("runs", "list", cwd=project, env=env).stdout.splitlines()
    assert listed[1].split()[0] == "2" and listed[1].split()[-3] == "1"  # the parent column


def test_diagnosing_a_run_that_does_not_exist_is_one_clear_error(tmp_path):
    env = {"TUNEKIT_REGISTRY": str(tmp_path / "registry.db")}
    shown = tunekit_cli("runs", "diagnose", "7", cwd=tmp_path, env=env)
    assert shown.returncode == 2
    assert shown.stderr.strip().splitlines()[0] == "error: runs diagnose: there is no run 7"
    assert "Traceback" not in shown.stderr
