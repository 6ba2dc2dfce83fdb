"""The engine end to end on a tiny real model: what a run records, emits, exports and refuses."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import pytest
import torch
import tunekit
from capture import capture_manager
from tunekit.components import DataContext
from tunekit.data import fingerprint
from tunekit.registry import Registry


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry.open(tmp_path / "registry.db")


def spec_for(manager, data: Path, *, strategy="full", epochs: int = 1, seed: int = 42,
             exporters=("capture",), dataset: dict | None = None, **training):
    return tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(data), **(dataset or {})},
        "backbone": "tiny-bert",
        "strategy": strategy,
        "training": {"epochs": epochs, "batch_size": 8, "learning_rate": 1e-3, "seed": seed,
                     "early_stopping": None, **training},
        "metrics": ["accuracy", "f1"],
        "exporters": list(exporters),
    }, manager)


def run(spec, manager, registry: Registry, listeners=()):
    return tunekit.run(spec, manager=manager, registry=registry, progress=False,
                       output_root=Path.cwd() / "runs", listeners=list(listeners))


def measure(path: Path) -> tuple[int, str]:
    """Size and sha256 as the registry documents them: a file's bytes, or a folder's files'
    relative names and contents in name order."""
    digest = hashlib.sha256()
    if path.is_file():
        data = path.read_bytes()
        return len(data), hashlib.sha256(data).hexdigest()
    files = sorted((p for p in path.rglob("*") if p.is_file()),
                   key=lambda p: p.relative_to(path).parts)
    size = 0
    for file in files:
        data = file.read_bytes()
        digest.update(str(file.relative_to(path)).encode() + b"\0" + data)
        size += len(data)
    return size, digest.hexdigest()


def shape_of(events) -> list[str]:
    """Event kinds with runs of steps collapsed: ``status:running, epoch_start, step, ...``."""
    shape: list[str] = []
    for e in events:
        label = e.kind
        if e.kind == "status":
            label = f"status:{e.data['status']}"
        elif e.kind == "evaluation":
            label = f"evaluation:{e.data['split']}"
        if label == "step" and shape and shape[-1] == "step":
            continue
        shape.append(label)
    return shape


# ---------------------------------------------------------------- a run, recorded


def test_a_run_is_recorded_with_its_metrics_artifacts_and_events(cap_manager, registry, tiny_csv):
    events = []
    spec = spec_for(cap_manager, tiny_csv, epochs=2, seed=7, log_every=2,
                    dataset={"test_split": 0.2}, exporters=("huggingface", "model-card"))

    result = run(spec, cap_manager, registry, listeners=[events.append])

    assert result.status == "completed"
    record = registry.get_run(result.run_id)
    assert record.status == "completed"
    assert record.error is None
    assert record.created_at <= record.started_at <= record.finished_at
    assert record.device == "cpu"
    versions = json.loads(record.versions_json)
    assert versions["torch"] == torch.__version__
    assert {"python", "tunekit", "transformers", "accelerate"} <= set(versions)
    assert record.seed == 7
    splits = cap_manager.get("dataset", "csv").load(
        spec.options("dataset"), DataContext(task=spec.task, seed=7, base_dir=Path.cwd()))
    assert record.data_fingerprint == fingerprint(splits)
    assert re.fullmatch(r"[0-9a-f]{64}", record.data_fingerprint)

    # training loss is recorded as it goes; validation once per epoch; test once at the end
    train_loss = registry.metric_points(result.run_id, split="train")
    losses = [p for p in train_loss if p.name == "loss"]
    assert len(losses) >= 2
    assert all(math.isfinite(p.value) and p.value > 0 for p in losses)
    assert [p.step for p in losses] == sorted({p.step for p in losses})
    validation = registry.metric_points(result.run_id, split="validation")
    for name in ("loss", "accuracy", "f1"):
        assert [p.epoch for p in validation if p.name == name] == [1, 2]
    last = {p.name: p.value for p in validation if p.epoch == 2}
    assert record.metrics == result.metrics == last
    test_points = registry.metric_points(result.run_id, split="test")
    assert {p.name: p.value for p in test_points} == result.test_metrics
    assert set(result.test_metrics) == {"loss", "accuracy", "f1"}
    assert json.loads(record.test_metrics_json) == result.test_metrics

    # artifacts: the registry's size and checksum match the files on disk
    artifacts = registry.artifacts(result.run_id)
    assert [a.exporter for a in artifacts] == ["huggingface", "model-card"]
    for artifact in artifacts:
        path = Path(artifact.path)
        assert path.exists()
        assert (artifact.bytes, artifact.sha256) == measure(path)
    assert (Path(artifacts[0].path) / "model.safetensors").is_file()
    assert Path(artifacts[1].path).name == "README.md"
    assert [(a["path"], a["sha256"]) for a in result.artifacts] == [
        (a.path, a.sha256) for a in artifacts]

    # events arrive in order
    assert shape_of(events) == [
        "status:running",
        "epoch_start", "step", "evaluation:validation",
        "epoch_start", "step", "evaluation:validation",
        "evaluation:test",
        "artifact", "artifact",
        "status:completed",
    ]
    steps = [e.data for e in events if e.kind == "step"]
    assert [s["step"] for s in steps] == sorted({s["step"] for s in steps})
    assert steps[-1]["step"] == steps[-1]["total_steps"]
    assert [e.data["epoch"] for e in events if e.kind == "epoch_start"] == [0, 1]


# ---------------------------------------------------------------- reproducibility


def test_the_same_seed_gives_bit_identical_weights_and_metrics(cap_manager, registry, small_csv):
    from safetensors.torch import load_file

    def weights_and_metrics(seed: int):
        result = run(spec_for(cap_manager, small_csv, seed=seed, exporters=("huggingface",)),
                     cap_manager, registry)
        weights = load_file(Path(result.artifacts[0]["path"]) / "model.safetensors")
        losses = [p.value for p in registry.metric_points(result.run_id, split="train")]
        return weights, result.metrics, losses

    first, metrics_1, losses_1 = weights_and_metrics(seed=1)
    second, metrics_2, losses_2 = weights_and_metrics(seed=1)
    other, _, _ = weights_and_metrics(seed=2)

    assert first.keys() == second.keys() == other.keys()
    assert [k for k in first if not torch.equal(first[k], second[k])] == []
    assert metrics_1 == metrics_2
    assert losses_1 == losses_2
    assert [k for k in first if not torch.equal(first[k], other[k])] != []


def test_training_dropout_reaches_the_model(capture, cap_manager, registry, small_csv):
    run(spec_for(cap_manager, small_csv, dropout=0.0), cap_manager, registry)

    rates = {m.p for m in capture.last().model.modules() if isinstance(m, torch.nn.Dropout)}
    assert rates == {0.0}


# ---------------------------------------------------------------- early stopping


def test_early_stopping_stops_before_the_planned_epochs(cap_manager, registry, small_csv):
    events = []
    # no validation loss can drop by 10: the first evaluation stays the best
    stopping = {"metric": "loss", "patience": 1, "min_delta": 10.0, "restore_best": False}

    result = run(spec_for(cap_manager, small_csv, epochs=6, early_stopping=stopping),
                 cap_manager, registry, listeners=[events.append])

    assert result.status == "completed"
    evaluations = [e.data["epoch"] for e in events if e.kind == "evaluation"]
    assert evaluations == [1, 2]
    messages = [e.data["text"] for e in events if e.kind == "message"]
    assert len(messages) == 1 and "early stopping after epoch 2" in messages[0]
    points = registry.metric_points(result.run_id, split="validation")
    assert sorted({p.epoch for p in points}) == [1, 2]
    assert registry.get_run(result.run_id).status == "completed"


@pytest.mark.parametrize("strategy", ["full", "gradual"])
def test_restore_best_ends_with_the_best_epochs_weights(capture, cap_manager, registry, small_csv,
                                                        strategy):
    at_evaluation = {}

    def snapshot(event):
        if event.kind == "evaluation" and event.data["split"] == "validation":
            at_evaluation[event.data["epoch"]] = (
                {n: p.detach().clone() for n, p in capture.last().model.named_parameters()},
                event.data["metrics"])

    stopping = {"metric": "loss", "patience": 1, "min_delta": 10.0, "restore_best": True}
    events = []
    result = run(spec_for(cap_manager, small_csv, strategy=strategy, epochs=4,
                          early_stopping=stopping),
                 cap_manager, registry, listeners=[snapshot, events.append])

    assert sorted(at_evaluation) == [1, 2]
    best, best_metrics = at_evaluation[1]
    later, _ = at_evaluation[2]
    final = dict(capture.exported[0].named_parameters())
    assert [n for n in best if not torch.equal(best[n], final[n].detach())] == []
    assert [n for n in best if not torch.equal(later[n], final[n].detach())] != []
    assert result.metrics == best_metrics
    assert registry.get_run(result.run_id).metrics == best_metrics
    assert any("restored the weights of epoch 1" in e.data["text"]
               for e in events if e.kind == "message")


# ---------------------------------------------------------------- failures are recorded


class ExplodingTracker:
    """A plugin whose on_run_event fails once training starts."""

    def __init__(self):
        self.ends = []

    @tunekit.hookimpl
    def on_run_event(self, event):
        if event.kind == "epoch_start":
            raise RuntimeError("the tracking server is down")

    @tunekit.hookimpl
    def on_run_end(self, status, error):
        self.ends.append((status, error))


def test_a_plugin_that_fails_on_an_event_fails_the_run_naming_it(capture, registry, small_csv):
    tracker = ExplodingTracker()
    manager = capture_manager(capture, ("exploding-tracker", tracker))

    with pytest.raises(tunekit.PluginError) as caught:
        run(spec_for(manager, small_csv), manager, registry)

    message = str(caught.value)
    assert "exploding-tracker" in message and "the tracking server is down" in message
    record = registry.get_run(caught.value.run_id)
    assert record.status == "failed"
    assert record.finished_at is not None
    assert "exploding-tracker" in record.error
    assert tracker.ends == [("failed", record.error)]


def test_ctrl_c_marks_the_run_cancelled(cap_manager, registry, small_csv):
    def interrupt(event):
        if event.kind == "step":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(spec_for(cap_manager, small_csv, log_every=1), cap_manager, registry,
            listeners=[interrupt])

    [record] = registry.runs()
    assert record.status == "cancelled"
    assert record.finished_at is not None


def write_one_class(path: Path) -> Path:
    path.write_text("text,label\n" + "".join(f"example {i},positive\n" for i in range(20)))
    return path


@pytest.mark.parametrize(("make", "expected"), [
    (write_one_class, "only one class"),
    (lambda path: path, "file not found"),
], ids=["one-class", "missing-file"])
def test_bad_data_fails_the_run_with_a_recorded_message(cap_manager, registry, tmp_path, make,
                                                        expected):
    data = make(tmp_path / "data.csv")
    events = []

    with pytest.raises(tunekit.TunekitError, match=expected) as caught:
        run(spec_for(cap_manager, data), cap_manager, registry, listeners=[events.append])

    assert isinstance(caught.value, tunekit.DataError)
    record = registry.get_run(caught.value.run_id)
    assert record.status == "failed"
    assert expected in record.error
    assert "data.csv" in record.error
    assert [(e.kind, e.data["status"]) for e in events] == [("status", "failed")]


# ---------------------------------------------------------------- frozen means not back-propagated


def test_head_only_does_not_back_propagate_into_the_frozen_body(capture, cap_manager, registry,
                                                                small_csv):
    seen = []  # (where, the model is training, the output requires grad)
    gradients = []  # where a gradient arrived

    def watch(where):
        def hook(module, inputs, output):
            tensor = output if isinstance(output, torch.Tensor) else output[0]
            seen.append((where, capture.last().model.training, tensor.requires_grad))
            if tensor.requires_grad:
                tensor.register_hook(lambda grad: gradients.append(where))
        return hook

    def install(event):
        if event.kind == "status" and event.data["status"] == "running":
            modules = dict(capture.last().model.named_modules())
            modules["bert.embeddings"].register_forward_hook(watch("embeddings"))
            modules["bert.encoder"].register_forward_hook(watch("encoder"))
            modules["bert.pooler"].register_forward_hook(watch("pooler"))

    # the body runs at each step only without the frozen-feature cache (test_feature_cache.py)
    result = run(spec_for(cap_manager, small_csv, strategy="head-only", cache_features="off"),
                 cap_manager, registry, listeners=[install])

    assert result.status == "completed"
    training = [(where, needs) for where, model_training, needs in seen if model_training]
    assert {where for where, _ in training} == {"embeddings", "encoder", "pooler"}
    assert [w for w, needs in training if needs and w != "pooler"] == []
    assert all(needs for w, needs in training if w == "pooler")  # the head does train
    assert set(gradients) == {"pooler"}


# ---------------------------------------------------------------- stop requests, performance


def test_a_listener_stops_training_after_an_evaluation(cap_manager, registry, tiny_csv):
    def stop_after_first(event):
        if event.kind == "evaluation" and event.data["split"] == "validation":
            raise tunekit.StopTraining("pruned by the sweep at epoch 1")

    spec = spec_for(cap_manager, tiny_csv, epochs=4)
    result = run(spec, cap_manager, registry, listeners=[stop_after_first])
    assert result.status == "completed"
    record = registry.get_run(result.run_id)
    summary = json.loads(record.summary_json)
    assert summary["stopped_by"] == "pruned by the sweep at epoch 1"
    epochs = {p.epoch for p in registry.metric_points(result.run_id) if p.split == "validation"}
    assert epochs == {1.0}


def test_a_run_records_its_throughput_and_peak_memory(cap_manager, registry, tiny_csv):
    spec = spec_for(cap_manager, tiny_csv, epochs=2)
    result = run(spec, cap_manager, registry)
    performance = json.loads(registry.get_run(result.run_id).summary_json)["performance"]
    train_rows = json.loads(registry.get_run(result.run_id).summary_json)["data"]["sizes"]["train"]
    assert performance["samples"] == 2 * train_rows
    assert performance["tokens"] > performance["samples"]  # every text has several tokens
    assert performance["train_seconds"] > 0
    assert performance["samples_per_second"] == pytest.approx(
        performance["samples"] / performance["train_seconds"], rel=0.01)
    assert performance["peak_memory_bytes"] > 50 * 2**20  # torch alone takes more than this
