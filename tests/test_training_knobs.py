"""The training knobs people know from transformers: max_steps, warmup_steps, eval_steps,
gradient_checkpointing, optim, schedules that are transformers' own, and TrainingArguments
names as aliases in a spec file, in --set and in the chat — each in a real run of a tiny model
or through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import tunekit
import yaml
from transformers import get_scheduler
from tunekit.errors import SpecError
from tunekit.registry import Registry


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry.open(tmp_path / "registry.db")


def spec_data(data: Path, **training) -> dict:
    return {
        "dataset": {"name": "csv", "path": str(data)},
        "backbone": "tiny-bert",
        "strategy": "full",
        "training": {"epochs": 1, "batch_size": 4, "learning_rate": 1e-3, "seed": 3,
                     "early_stopping": None, "log_every": 1, **training},
        "metrics": ["accuracy"],
        "exporters": ["capture"],
    }


def run(manager, registry, data: Path, **training):
    spec = tunekit.parse_spec(spec_data(data, **training), manager)
    result = tunekit.run(spec, manager=manager, registry=registry, progress=False,
                         output_root=Path.cwd() / "runs")
    assert result.status == "completed", result
    return result


def points(registry, run_id: int, split: str, name: str) -> list:
    return [p for p in registry.metric_points(run_id, split=split) if p.name == name]


def summary(registry, run_id: int) -> dict:
    return json.loads(registry.get_run(run_id).summary_json)


# ---------------------------------------------------------------- steps and schedules


def test_max_steps_stops_after_that_many_steps_over_the_epochs(cap_manager, registry, small_csv):
    # 40 rows, 90% train: 9 batches of 4 an epoch; 11 steps take 2 epochs, the second cut short
    result = run(cap_manager, registry, small_csv, epochs=5, max_steps=11)
    steps = [p.step for p in points(registry, result.run_id, "train", "loss")]
    assert steps == list(range(1, 12))
    assert summary(registry, result.run_id)["total_steps"] == 11
    # the linear schedule spans the 11 steps: the last rate is (11 - 11 + 1) / 11 of the peak
    lrs = [p.value for p in points(registry, result.run_id, "train", "learning_rate")]
    assert lrs[-1] == pytest.approx(0.0, abs=1e-12)


def expected_rates(kind: str, warmup: int, total: int) -> list[float]:
    """What transformers' get_scheduler gives after each of ``total`` steps."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    schedule = get_scheduler(kind, optimizer, num_warmup_steps=warmup, num_training_steps=total)
    seen = []
    for _ in range(total):
        optimizer.step()
        schedule.step()
        seen.append(schedule.get_last_lr()[0])
    return seen


def test_warmup_steps_give_transformers_curve_and_win_over_the_ratio(cap_manager, registry,
                                                                      small_csv):
    result = run(cap_manager, registry, small_csv, epochs=2, warmup_steps=5, warmup_ratio=0.5,
                 scheduler="cosine")
    lrs = [p.value for p in points(registry, result.run_id, "train", "learning_rate")]
    assert lrs == pytest.approx(expected_rates("cosine", 5, 18), rel=1e-6, abs=1e-12)


def test_constant_has_no_warm_up(cap_manager, registry, small_csv):
    result = run(cap_manager, registry, small_csv, scheduler="constant", warmup_ratio=0.5)
    lrs = [p.value for p in points(registry, result.run_id, "train", "learning_rate")]
    assert lrs == [pytest.approx(1e-3)] * 9
    warmed = run(cap_manager, registry, small_csv, scheduler="constant_with_warmup",
                 warmup_steps=4)
    lrs = [p.value for p in points(registry, warmed.run_id, "train", "learning_rate")]
    assert lrs == pytest.approx(expected_rates("constant_with_warmup", 4, 9))
    assert lrs[0] < 1e-3


# ---------------------------------------------------------------- eval_steps


def test_eval_steps_records_validation_every_n_steps(cap_manager, registry, small_csv):
    result = run(cap_manager, registry, small_csv, epochs=2, eval_steps=4)
    steps = [p.step for p in points(registry, result.run_id, "validation", "loss")]
    # every 4 steps within an epoch, and each epoch's end (9 steps an epoch)
    assert steps == [4, 8, 9, 12, 16, 18]
    assert len(points(registry, result.run_id, "validation", "accuracy")) == 6


def test_early_stopping_fires_within_an_epoch(cap_manager, registry, small_csv):
    # min_delta 1: no evaluation improves, so patience 1 stops at the second one, step 2
    result = run(cap_manager, registry, small_csv, epochs=3, eval_steps=1,
                 early_stopping={"metric": "loss", "patience": 1, "min_delta": 1.0})
    steps = [p.step for p in points(registry, result.run_id, "validation", "loss")]
    assert steps == [1, 2]
    assert [p.step for p in points(registry, result.run_id, "train", "loss")] == [1, 2]


# ---------------------------------------------------------------- checkpointing, optimizers


def test_gradient_checkpointing_on_a_tiny_bert_trains(cap_manager, registry, small_csv):
    result = run(cap_manager, registry, small_csv, gradient_checkpointing=True)
    losses = points(registry, result.run_id, "train", "loss")
    assert len(losses) == 9 and all(p.value == p.value for p in losses)  # finite, not NaN


def test_sgd_and_adamw_train_differently(cap_manager, registry, small_csv):
    adamw = run(cap_manager, registry, small_csv, optim="adamw_torch")
    sgd = run(cap_manager, registry, small_csv, optim="sgd")
    again = run(cap_manager, registry, small_csv, optim="sgd")

    def losses(result):
        return [p.value for p in points(registry, result.run_id, "train", "loss")]

    assert losses(sgd) == losses(again)  # the same optimizer, the same run
    assert losses(sgd)[1:] != pytest.approx(losses(adamw)[1:])


# ---------------------------------------------------------------- aliases

ALIASES = {"num_train_epochs": 2, "per_device_train_batch_size": 8, "learning_rate": 3e-4,
           "weight_decay": 0.05, "warmup_steps": 3, "warmup_ratio": 0.2, "max_steps": 7,
           "eval_steps": 2, "lr_scheduler_type": "cosine", "gradient_accumulation_steps": 2,
           "seed": 9, "bf16": True}
AS_TUNEKIT = {"epochs": 2, "batch_size": 8, "learning_rate": 3e-4, "weight_decay": 0.05,
              "warmup_steps": 3, "warmup_ratio": 0.2, "max_steps": 7, "eval_steps": 2,
              "scheduler": "cosine", "gradient_accumulation_steps": 2, "seed": 9,
              "precision": "bf16"}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tunekit.ui.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_transformers_names_in_a_spec_file(cap_manager, small_csv, tmp_path):
    data = spec_data(small_csv)
    data["training"] = dict(ALIASES)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    training = tunekit.load_spec(path, cap_manager).data["training"]
    assert {k: training[k] for k in AS_TUNEKIT} == AS_TUNEKIT
    data["training"] = {"fp16": True}
    path.write_text(yaml.safe_dump(data))
    assert tunekit.load_spec(path, cap_manager).data["training"]["precision"] == "fp16"


def test_transformers_names_through_set(small_csv, tmp_path):
    path = tmp_path / "spec.yaml"
    # the bundled backbone and no exporter: the installed plugins alone validate it
    data = {**spec_data(small_csv), "exporters": []}
    del data["backbone"]
    path.write_text(yaml.safe_dump(data))
    sets = [f"--set=training.{k}={json.dumps(v) if isinstance(v, str) else v}"
            for k, v in ALIASES.items()]
    done = cli("run", str(path), "--dry-run", "--json", *sets, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    training = json.loads(done.stdout)["training"]
    assert {k: training[k] for k in AS_TUNEKIT} == AS_TUNEKIT


@pytest.mark.parametrize(("said", "field", "value"), [
    ("set per_device_train_batch_size to 8", "batch_size", 8),
    ("num_train_epochs 4", "epochs", 4),
    ("max_steps 200", "max_steps", 200),
    ("warmup_steps 10", "warmup_steps", 10),
    ("eval_steps 25", "eval_steps", 25),
    ("lr_scheduler_type constant_with_warmup", "scheduler", "constant_with_warmup"),
    ("gradient_accumulation_steps 4", "gradient_accumulation_steps", 4),
    ("optim sgd", "optim", "sgd"),
    ("use adafactor with gradient checkpointing", "gradient_checkpointing", True),
])
def test_transformers_names_in_the_chat(tmp_path, said, field, value):
    done = subprocess.run([sys.executable, "-m", "tunekit.ui.cli", "--registry",
                           str(tmp_path / "r.db"), "chat", "--json"], input=said + "\n",
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    resolved = json.loads(done.stdout.strip().splitlines()[-1])
    assert resolved["training"][field] == value


# ---------------------------------------------------------------- bad values


@pytest.mark.parametrize(("training", "words"), [
    ({"max_steps": -1}, ["training.max_steps", "greater than or equal to 1"]),
    ({"optim": "nope"}, ["training.optim", "'nope'", "adamw_torch"]),
    ({"lr_scheduler_type": "nope"}, ["training.scheduler", "'nope'"]),
])
def test_a_wrong_value_is_one_clear_message(manager, small_csv, training, words):
    with pytest.raises(SpecError) as info:
        tunekit.parse_spec(spec_data(small_csv, **training), manager)
    message = str(info.value)
    assert all(w in message for w in words), message
    assert "Traceback" not in message
