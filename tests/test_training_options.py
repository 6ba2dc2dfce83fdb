"""Training practice in the spec: schedules, gradient accumulation, label smoothing, class
weights — each checked against what it must compute, then in a real run of a tiny model."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
import tunekit
from tunekit.engine.optim import make_schedule
from tunekit.errors import SpecError
from tunekit.registry import Registry
from tunekit.spec import Training
from tunekit.tasks.text_classification import classification_loss


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry.open(tmp_path / "registry.db")


def spec_for(manager, data: Path, **training):
    return tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(data)},
        "backbone": "tiny-bert",
        "strategy": "full",
        "training": {"epochs": 1, "batch_size": 8, "learning_rate": 1e-3, "seed": 3,
                     "early_stopping": None, **training},
        "metrics": ["accuracy"],
        "exporters": ["capture"],
    }, manager)


def run(spec, manager, registry):
    return tunekit.run(spec, manager=manager, registry=registry, progress=False,
                       output_root=Path.cwd() / "runs")


def rates(kind: str, warmup: int, cycle: int, steps: int, repeat: bool = False) -> list[float]:
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    schedule = make_schedule(optimizer, kind, warmup, cycle, repeat)
    seen = []
    for _ in range(steps):
        seen.append(schedule.get_last_lr()[0])
        optimizer.step()
        schedule.step()
    return seen


# ---------------------------------------------------------------- schedules


def test_every_schedule_warms_up_as_transformers_does_then_follows_its_shape():
    # transformers' warm-up starts at 0 (step / warmup); constant has no warm-up at all
    for kind in ("constant_with_warmup", "linear", "cosine"):
        assert rates(kind, warmup=4, cycle=20, steps=4) == [0.0, 0.25, 0.5, 0.75], kind
    assert rates("constant", 4, 20, 20) == [1.0] * 20
    assert rates("constant_with_warmup", 4, 20, 20)[4:] == [1.0] * 16
    linear = rates("linear", 4, 20, 20)[4:]
    assert linear == pytest.approx([1 - i / 16 for i in range(16)])
    cosine = rates("cosine", 4, 20, 20)[4:]
    assert cosine == pytest.approx([0.5 * (1 + math.cos(math.pi * i / 16)) for i in range(16)])
    assert cosine[8] == pytest.approx(0.5)  # half-way down at half the decay
    # gradual unfreezing starts a transformers schedule again at each stage too
    assert rates("linear", 2, 10, 12, repeat=True)[10:] == [0.0, 0.5]


def test_slanted_triangular_rises_briefly_and_decays_to_a_32nd():
    seen = rates("slanted-triangular", warmup=2, cycle=20, steps=22)
    assert seen[:2] == [0.5, 1.0]
    assert seen[19] == pytest.approx(1 / 32 + (1 - 1 / 32) / 18)
    assert seen[20:] == pytest.approx([1 / 32, 1 / 32])  # it stays at the floor
    assert min(seen) >= 1 / 32 - 1e-12
    # gradual unfreezing starts the schedule again at each stage
    assert rates("slanted-triangular", 2, 20, 22, repeat=True)[20:] == [0.5, 1.0]


def test_a_misspelled_scheduler_is_one_clear_error(manager, small_csv):
    with pytest.raises(SpecError) as info:
        spec_for(manager, small_csv, scheduler="cosin")
    message = str(info.value)
    assert "training.scheduler" in message and "'cosin'" in message and "cosine" in message


# ---------------------------------------------------------------- the loss


def _loss_function(training, labels, rows, device):
    """The text-classification loss, applied to given logits (as the model's output)."""
    loss = classification_loss(training, labels, rows, device)
    return lambda logits, targets: loss(lambda **_: SimpleNamespace(logits=logits),
                                        {"labels": targets})


def test_label_smoothing_spreads_the_target_over_the_other_classes():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 1.5, 0.0]])
    targets = torch.tensor([0, 1])
    loss = _loss_function(Training(label_smoothing=0.1), ["a", "b", "c"], [], "cpu")
    log_p = torch.log_softmax(logits, -1)
    expected = -(0.9 * log_p[[0, 1], targets] + 0.1 * log_p.mean(-1)).mean()
    assert float(loss(logits, targets)) == pytest.approx(float(expected), rel=1e-6)


def test_balanced_class_weights_make_every_class_count_the_same_in_total():
    rows = [{"text": "x", "label": "rare"}] * 10 + [{"text": "y", "label": "common"}] * 90
    loss = _loss_function(Training(class_weights="balanced"), ["common", "rare"], rows, "cpu")
    # weights n/(k*count): common 100/180, rare 100/20; cross-entropy takes the weighted mean
    lopsided = torch.tensor([[4.0, 0.0], [4.0, 0.0]])  # right on "common", wrong on "rare"
    targets = torch.tensor([0, 1])
    ce = torch.nn.functional.cross_entropy(lopsided, targets, reduction="none")
    w = torch.tensor([100 / 180, 100 / 20])
    assert float(loss(lopsided, targets)) == pytest.approx(float((w * ce).sum() / w.sum()))
    assert float(loss(torch.zeros(2, 2), targets)) == pytest.approx(math.log(2))


def test_explicit_class_weights_must_name_labels_of_the_data(cap_manager, registry, small_csv):
    spec = spec_for(cap_manager, small_csv, class_weights={"positive": 2.0, "postive": 1.0})
    with pytest.raises(SpecError) as info:
        run(spec, cap_manager, registry)
    assert "training.class_weights" in str(info.value) and "'postive'" in str(info.value)
    with pytest.raises(SpecError) as info:
        spec_for(cap_manager, small_csv, class_weights={"positive": -1})
    assert "training.class_weights" in str(info.value)


# ---------------------------------------------------------------- in a real run


def test_accumulating_two_batches_of_4_equals_one_batch_of_8(capture, cap_manager, registry,
                                                              tmp_path):
    from tunekit.testing import write_text_csv

    data = write_text_csv(tmp_path / "even.csv", n=76)  # 64 train rows: whole batches only

    def trained(**training):
        capture.reset()
        result = run(spec_for(cap_manager, data, dropout=0.0, warmup_ratio=0.0, **training),
                     cap_manager, registry)
        summary = json.loads(registry.get_run(result.run_id).summary_json)
        assert summary["data"]["sizes"]["train"] % 8 == 0
        return capture.exported[0].state_dict(), summary["total_steps"]

    one_batch, steps_8 = trained(batch_size=8)
    accumulated, steps_4x2 = trained(batch_size=4, gradient_accumulation_steps=2)
    unaccumulated, _ = trained(batch_size=4)
    assert steps_8 == steps_4x2
    for name, value in one_batch.items():
        assert torch.allclose(value, accumulated[name], atol=1e-5), name
    assert any(not torch.allclose(v, unaccumulated[k], atol=1e-5) for k, v in one_batch.items())


def test_a_run_uses_the_schedule_and_loss_options_it_is_given(cap_manager, registry, small_csv):
    spec = spec_for(cap_manager, small_csv, epochs=2, scheduler="cosine", warmup_ratio=0.0,
                    label_smoothing=0.1, class_weights="balanced", log_every=1,
                    gradient_accumulation_steps=2)
    result = run(spec, cap_manager, registry)
    assert result.status == "completed"
    lrs = [p.value for p in registry.metric_points(result.run_id, split="train")
           if p.name == "learning_rate"]
    total = json.loads(registry.get_run(result.run_id).summary_json)["total_steps"]
    assert len(lrs) == total
    # after step k of n the cosine schedule stands at 0.5 * (1 + cos(pi * k / n))
    expected = [1e-3 * 0.5 * (1 + math.cos(math.pi * k / total)) for k in range(1, total + 1)]
    assert lrs == pytest.approx(expected, rel=1e-6, abs=1e-12)
