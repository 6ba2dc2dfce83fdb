"""Stopping and resuming: a run stopped midway and resumed ends exactly where an uninterrupted
run with the same seed ends (CPU, within 1e-6), and what cannot be resumed says why."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import tunekit
from tunekit.engine.checkpoints import checkpoint_path
from tunekit.errors import TunekitError
from tunekit.registry import Registry


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry.open(tmp_path / "registry.db")


def spec_for(manager, data: Path, strategy: str = "full", **training):
    return tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(data)},
        "backbone": "tiny-bert",
        "strategy": strategy,
        "training": {"epochs": 2, "batch_size": 8, "learning_rate": 1e-3, "seed": 3,
                     "log_every": 1, "dropout": 0.1, **training},
        "metrics": ["accuracy", "f1"],
        "exporters": ["capture"],
    }, manager)


class StopAt:
    """A listener that stops the run (as Ctrl-C would) when step ``step`` is reported."""

    def __init__(self, step: int):
        self.step = step

    def __call__(self, event) -> None:
        if event.kind == "step" and event.data["step"] == self.step:
            raise KeyboardInterrupt


def train(spec, manager, registry, **kwargs):
    return tunekit.run(spec, manager=manager, registry=registry, progress=False,
                       output_root=Path.cwd() / "runs", **kwargs)


def weights(capture) -> dict[str, torch.Tensor]:
    return {n: t.detach().clone() for n, t in capture.exported[-1].state_dict().items()}


def curve(registry: Registry, run_id: int) -> list[tuple]:
    return [(p.step, p.split, p.name, p.value) for p in registry.metric_points(run_id)]


def assert_same_run(a, b, registry, weights_a, weights_b):
    assert a.metrics.keys() == b.metrics.keys()
    for name, value in a.metrics.items():
        assert b.metrics[name] == pytest.approx(value, abs=1e-6), name
    assert weights_a.keys() == weights_b.keys()
    for name, tensor in weights_a.items():
        assert torch.allclose(tensor.float(), weights_b[name].float(), atol=1e-6, rtol=0), name
    curve_a, curve_b = curve(registry, a.run_id), curve(registry, b.run_id)
    assert [p[:3] for p in curve_a] == [p[:3] for p in curve_b]  # no point lost or repeated
    for pa, pb in zip(curve_a, curve_b, strict=True):
        assert pb[3] == pytest.approx(pa[3], abs=1e-6), pa[:3]


@pytest.mark.parametrize("strategy,stop,accumulate", [("full", 3, 1), ("lora", 6, 1),
                                                     ("full", 1, 2), ("head-only", 4, 1)])
def test_a_run_stopped_midway_and_resumed_ends_as_an_uninterrupted_one(
        cap_manager, capture, registry, small_csv, strategy, stop, accumulate):
    spec = spec_for(cap_manager, small_csv, strategy, gradient_accumulation_steps=accumulate)
    whole = train(spec, cap_manager, registry)
    reference = weights(capture)

    with pytest.raises(KeyboardInterrupt):
        train(spec, cap_manager, registry, listeners=[StopAt(stop)])
    stopped = registry.runs()[0]
    assert stopped.status == "cancelled"
    assert f"tunekit run --resume {stopped.id}" in stopped.error
    assert checkpoint_path(Path(stopped.output_dir)).is_file()
    assert max(p.step for p in registry.metric_points(stopped.id)) == stop

    resumed = tunekit.resume(stopped.id, manager=cap_manager, registry=registry, progress=False)
    assert resumed.run_id == stopped.id and resumed.status == "completed"
    record = registry.get_run(stopped.id)
    assert record.status == "completed" and record.error is None
    assert record.summary_json and f"[{stop}]" in record.summary_json  # resumed_at_steps
    assert_same_run(whole, resumed, registry, reference, weights(capture))


def test_periodic_checkpoints_and_a_resume_across_an_epoch_boundary(
        cap_manager, capture, registry, small_csv):
    spec = spec_for(cap_manager, small_csv, checkpoint_every=3)
    whole = train(spec, cap_manager, registry)
    reference = weights(capture)
    steps_per_epoch = max(p.step for p in registry.metric_points(whole.run_id)) // 2

    # stopped right after the last step of the first epoch, before its evaluation
    with pytest.raises(KeyboardInterrupt):
        train(spec, cap_manager, registry, listeners=[StopAt(steps_per_epoch)])
    run_id = registry.runs()[0].id
    resumed = train(None, cap_manager, registry, resume=run_id)
    assert_same_run(whole, resumed, registry, reference, weights(capture))


def test_what_cannot_be_resumed_says_why(cap_manager, registry, tiny_csv):
    spec = spec_for(cap_manager, tiny_csv, epochs=1)
    done = train(spec, cap_manager, registry)
    with pytest.raises(TunekitError, match="completed; there is nothing left to resume"):
        train(None, cap_manager, registry, resume=done.run_id)
    with pytest.raises(TunekitError, match="there is no run 99"):
        train(None, cap_manager, registry, resume=99)

    # the data changed since the run stopped: refused, and the run is left as it was
    with pytest.raises(KeyboardInterrupt):
        train(spec, cap_manager, registry, listeners=[StopAt(3)])
    stopped = registry.runs()[0]
    with tiny_csv.open("a") as handle:
        handle.write("an extra row that was not there,positive\n")
    with pytest.raises(TunekitError, match="the data has changed"):
        train(None, cap_manager, registry, resume=stopped.id)
    after = registry.get_run(stopped.id)
    assert (after.status, after.error) == (stopped.status, stopped.error)


# ---------------------------------------------------------------- kill -9 and SIGTERM


def _cli(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tunekit.ui.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _spec_file(tmp_path: Path, data: Path, epochs: int = 3) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"""dataset: {{name: csv, path: {data}}}
backbone: tiny-bert
strategy: full
training: {{epochs: {epochs}, batch_size: 4, learning_rate: 1.0e-3, seed: 5, log_every: 1,
           checkpoint_every: 3, early_stopping: null}}
metrics: [accuracy]
exporters: [huggingface]
""")
    return spec


def _env(tmp_path: Path) -> dict:
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir(exist_ok=True)
    (plugin_dir / "tiny.py").write_text("from tunekit.testing import register_backbones\n")
    return {**os.environ, "TUNEKIT_REGISTRY": str(tmp_path / "registry.db"),
            "TUNEKIT_PLUGINS_DIR": str(plugin_dir), "OMP_NUM_THREADS": "1"}


def _wait_for_checkpoint(process: subprocess.Popen, path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.is_file():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no checkpoint was written"
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_9_leaves_an_interrupted_run_that_resumes_to_the_uninterrupted_result(
        manager, tmp_path, tiny_csv):
    import random

    from tunekit.engine.export import measure

    env = _env(tmp_path)
    spec = _spec_file(tmp_path, tiny_csv)
    registry = Registry.open(tmp_path / "registry.db")
    # the uninterrupted reference runs here, on one thread as the CLI's runs below do (the
    # same sums in the same order); only the killed run and its resume need processes
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        whole = tunekit.run(str(spec), manager=manager, registry=registry, progress=False,
                            output_root=tmp_path / "runs")
    finally:
        torch.set_num_threads(threads)
    assert whole.status == "completed"
    [reference] = registry.runs()

    process = _cli("run", str(spec), "--quiet", env=env)
    run_dir = tmp_path / "runs" / f"run-{reference.id + 1}"
    _wait_for_checkpoint(process, checkpoint_path(run_dir))
    time.sleep(random.uniform(0.0, 1.5))  # somewhere after the first checkpoint
    process.kill()
    process.wait()

    listed = subprocess.run([sys.executable, "-m", "tunekit.ui.cli", "runs", "list"], env=env,
                            capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    killed = registry.get_run(reference.id + 1)
    assert killed.status == "interrupted", listed.stdout
    assert f"tunekit run --resume {killed.id}" in listed.stdout

    resumed = subprocess.run([sys.executable, "-m", "tunekit.ui.cli", "run", "--resume",
                              str(killed.id), "--quiet"], env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    done = registry.get_run(killed.id)
    assert done.status == "completed"
    for name, value in reference.metrics.items():
        assert done.metrics[name] == pytest.approx(value, abs=1e-6)
    from safetensors.torch import load_file

    [a], [b] = registry.artifacts(reference.id), registry.artifacts(killed.id)
    assert (b.bytes, b.sha256) == measure(Path(b.path))  # artifacts match their checksums
    first = load_file(str(Path(a.path) / "model.safetensors"))
    second = load_file(str(Path(b.path) / "model.safetensors"))
    for name, tensor in first.items():
        assert torch.allclose(tensor, second[name], atol=1e-6, rtol=0), name


@pytest.mark.slow
def test_sigterm_stops_at_a_step_with_a_checkpoint_and_marks_the_run_cancelled(
        tmp_path, tiny_csv):
    env = _env(tmp_path)
    spec = _spec_file(tmp_path, tiny_csv, epochs=20)
    process = _cli("run", str(spec), "--quiet", env=env)
    path = checkpoint_path(tmp_path / "runs" / "run-1")
    _wait_for_checkpoint(process, path)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    record = Registry.open(tmp_path / "registry.db").get_run(1)
    assert record.status == "cancelled"
    assert "resume with: tunekit run --resume 1" in record.error
    from tunekit.engine.checkpoints import load

    state, _ = load(tmp_path / "runs" / "run-1")
    assert not state["finished"] and state["step"] > 0
