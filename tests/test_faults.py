"""Numerical and resource faults: a diverging loss, running out of memory, a full disk. Each
stops the run with a message that says what happened and what to change, and never leaves a
broken file where a good one was."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
import tunekit
from tunekit.engine.checkpoints import checkpoint_path, load
from tunekit.errors import ResourceError, TrainingDiverged, TunekitError
from tunekit.registry import Registry
from tunekit.tasks.text_classification import TextClassification


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry.open(tmp_path / "registry.db")


def spec_for(manager, data: Path, exporters=("capture",), **training):
    return tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(data)},
        "backbone": "tiny-bert",
        "strategy": "full",
        "training": {"epochs": 1, "batch_size": 8, "learning_rate": 1e-3, "seed": 1,
                     "early_stopping": None, **training},
        "metrics": ["accuracy"],
        "exporters": list(exporters),
    }, manager)


def train(spec, manager, registry):
    return tunekit.run(spec, manager=manager, registry=registry, progress=False,
                       output_root=Path.cwd() / "runs")


def loss_that(monkeypatch, after: int, fault):
    """Make the loss function misbehave (``fault(loss)``) from call ``after`` + 1 on."""
    real = TextClassification.loss_function

    def patched(self, *args, **kwargs):
        inner = real(self, *args, **kwargs)
        calls = [0]

        def loss(model, batch):
            calls[0] += 1
            value = inner(model, batch)
            return fault(value) if calls[0] > after else value

        return loss

    monkeypatch.setattr(TextClassification, "loss_function", patched)


def test_a_nan_loss_stops_the_run_naming_the_step_and_keeps_the_last_checkpoint(
        cap_manager, registry, small_csv, monkeypatch):
    loss_that(monkeypatch, after=3, fault=lambda loss: loss * float("nan"))
    spec = spec_for(cap_manager, small_csv, log_every=1, checkpoint_every=2, max_grad_norm=None)

    with pytest.raises(TrainingDiverged) as caught:
        train(spec, cap_manager, registry)

    message = str(caught.value)
    assert "the training loss became nan at step 4 (epoch 1)" in message
    assert "--set training.learning_rate=0.0001 (a tenth of 0.001)" in message
    assert "max_grad_norm=1.0" in message  # clipping was off
    record = registry.runs()[0]
    assert record.status == "failed" and "became nan at step 4" in record.error
    state, tensors = load(Path(record.output_dir))  # the last good checkpoint, step 2
    assert state["step"] == 2
    assert all(bool(t.isfinite().all()) for n, t in tensors.items() if n.startswith("model/"))


def test_running_out_of_memory_says_which_settings_to_change(
        cap_manager, registry, small_csv, monkeypatch):
    def out_of_memory(loss):
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't "
                           "allocate memory: you tried to allocate 123456789 bytes")

    loss_that(monkeypatch, after=1, fault=out_of_memory)
    spec = spec_for(cap_manager, small_csv, gradient_accumulation_steps=2, max_length=128)

    with pytest.raises(ResourceError) as caught:
        train(spec, cap_manager, registry)

    message = str(caught.value)
    assert "ran out of memory (batch_size 8, max_length 128)" in message
    assert ("--set training.batch_size=4 --set training.gradient_accumulation_steps=4"
            in message)  # the effective batch of 16 kept
    assert "strategy=lora" in message and "max_length=64" in message
    record = registry.runs()[0]
    assert record.status == "failed" and "ran out of memory" in record.error


def _full_disk_after(calls: int, write):
    """``write`` that works ``calls`` times, then writes half a file and fails: disk full."""
    count = [0]

    def failing(*args, **kwargs):
        count[0] += 1
        if count[0] > calls:
            target = Path(args[1] if len(args) > 1 else kwargs.get("filename"))
            target.write_bytes(b"half a fi")
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return write(*args, **kwargs)

    return failing


def test_a_full_disk_while_checkpointing_keeps_the_previous_checkpoint(
        cap_manager, registry, small_csv, monkeypatch):
    import safetensors.torch

    monkeypatch.setattr(safetensors.torch, "save_file",
                        _full_disk_after(1, safetensors.torch.save_file))
    spec = spec_for(cap_manager, small_csv, checkpoint_every=2)

    with pytest.raises(TunekitError, match="the disk is full while writing the checkpoint"):
        train(spec, cap_manager, registry)

    record = registry.runs()[0]
    assert record.status == "failed"
    assert f"tunekit run --resume {record.id}" in record.error
    state, _ = load(Path(record.output_dir))  # intact, from the first checkpoint
    assert state["step"] == 2
    assert [p.name for p in checkpoint_path(Path(record.output_dir)).parent.iterdir()] == [
        "checkpoint.safetensors"]  # no half-written file beside it


def test_a_full_disk_while_exporting_leaves_the_previous_export_in_place(
        cap_manager, registry, small_csv, monkeypatch):
    from transformers import PreTrainedModel

    previous = Path.cwd() / "runs" / "run-1" / "huggingface"
    previous.mkdir(parents=True)
    (previous / "model.safetensors").write_bytes(b"the good export")

    def full_disk(self, directory, **kwargs):
        (Path(directory) / "model.safetensors").write_bytes(b"half an exp")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(PreTrainedModel, "save_pretrained", full_disk)
    spec = spec_for(cap_manager, small_csv, exporters=("huggingface",))

    with pytest.raises(TunekitError, match="the disk is full while writing the huggingface"):
        train(spec, cap_manager, registry)

    record = registry.get_run(1)
    assert record.status == "failed" and "the disk is full" in record.error
    assert (previous / "model.safetensors").read_bytes() == b"the good export"
    assert sorted(p.name for p in previous.parent.iterdir()) == ["checkpoint", "huggingface"]
    assert registry.artifacts(1) == []
