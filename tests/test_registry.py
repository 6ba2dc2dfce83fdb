"""registry.db: a real SQLite file, read by other processes while a run writes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tunekit
from tunekit.registry import RUN_STATUSES, Registry

SPEC = {
    "task": "text-classification",
    "dataset": {"name": "csv", "path": "data/tickets.csv"},
    "backbone": {"name": "minilm-l6", "pretrained": True},
    "strategy": {"name": "lora", "r": 8},
    "training": {"epochs": 3, "seed": 7},
    "metrics": [{"name": "accuracy"}],
}


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry.open(tmp_path / "registry.db")


def dead_pid() -> int:
    """The pid of a process that has already ended (and been reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_the_registry_file_is_in_wal_mode(registry, tmp_path):
    assert registry.journal_mode() == "wal"
    # the mode is stored in the file itself, so any other reader sees it too
    with sqlite3.connect(tmp_path / "registry.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_open_without_a_path_uses_tunekit_registry(isolated):
    registry = Registry.open()
    assert registry.path == isolated / "registry.db"
    assert (isolated / "registry.db").is_file()


def test_a_new_run_is_queued_with_what_the_spec_says(registry):
    before = datetime.now(UTC)
    run = registry.create_run(SPEC)
    assert run.id == 1
    assert run.status == "queued"
    assert (run.dataset, run.backbone, run.strategy) == ("csv", "minilm-l6", "lora")
    assert run.task == "text-classification"
    assert run.seed == 7
    assert run.pid == os.getpid()
    assert run.started_at is None and run.finished_at is None
    assert run.spec == SPEC
    assert before <= run.created_at <= datetime.now(UTC)
    assert run.duration_seconds() is None


def test_a_run_moves_through_its_statuses_with_timestamps(registry):
    run = registry.create_run(SPEC)
    started = datetime.now(UTC)
    registry.update_run(run.id, status="running", started_at=started, device="cpu")
    running = registry.get_run(run.id)
    assert running.status == "running"
    assert running.started_at == started
    assert running.device == "cpu"
    assert running.finished_at is None
    finished = datetime.now(UTC)
    registry.update_run(run.id, status="completed", finished_at=finished)
    done = registry.get_run(run.id)
    assert done.status == "completed"
    assert done.finished_at == finished
    assert done.duration_seconds() == pytest.approx((finished - started).total_seconds())
    assert {"queued", "running", "completed", "failed", "cancelled", "interrupted"} == set(
        RUN_STATUSES)


def test_json_fields_round_trip(registry):
    run = registry.create_run(SPEC)
    metrics = {"accuracy": 0.875, "f1_per_class": {"neg": 0.8, "pos": 0.9},
               "confusion_matrix": {"labels": ["neg", "pos"], "matrix": [[4, 1], [0, 3]]}}
    registry.update_run(run.id, metrics=metrics, versions={"torch": "2.4.0"},
                        test_metrics={"accuracy": 0.5}, summary={"path": Path("out")})
    got = registry.get_run(run.id)
    assert got.metrics == metrics
    assert json.loads(got.versions_json) == {"torch": "2.4.0"}
    assert json.loads(got.test_metrics_json) == {"accuracy": 0.5}
    assert json.loads(got.summary_json) == {"path": "out"}


def test_updating_a_missing_run_is_a_tunekit_error(registry):
    with pytest.raises(tunekit.TunekitError, match="there is no run 42"):
        registry.update_run(42, status="running")


def test_a_child_run_points_at_its_parent_and_a_missing_parent_is_an_error(registry):
    parent = registry.create_run(SPEC)
    child = registry.create_run(SPEC, parent_id=parent.id)
    assert registry.get_run(child.id).parent_id == parent.id
    with pytest.raises(tunekit.TunekitError) as err:
        registry.create_run(SPEC, parent_id=99)
    assert err.value.where == "--parent"


def test_runs_are_listed_newest_first(registry):
    ids = [registry.create_run(SPEC).id for _ in range(3)]
    assert [r.id for r in registry.runs()] == ids[::-1]
    assert [r.id for r in registry.runs(limit=2)] == ids[:0:-1]


def test_metric_points_are_recorded_and_read_back_in_order(registry):
    run = registry.create_run(SPEC)
    other = registry.create_run(SPEC)
    registry.add_metric_points(run.id, [
        {"step": 10, "epoch": 0.5, "split": "train", "name": "loss", "value": 0.69},
        {"step": 20, "epoch": 1.0, "split": "train", "name": "loss", "value": 0.51},
        {"step": 20, "epoch": 1.0, "split": "validation", "name": "accuracy", "value": 0.75},
    ])
    registry.add_metric_points(other.id, [
        {"step": 1, "epoch": 0.1, "split": "train", "name": "loss", "value": 9.0}])
    registry.add_metric_points(run.id, [])
    points = registry.metric_points(run.id)
    assert [(p.step, p.split, p.name, p.value) for p in points] == [
        (10, "train", "loss", 0.69), (20, "train", "loss", 0.51),
        (20, "validation", "accuracy", 0.75)]
    validation = registry.metric_points(run.id, split="validation")
    assert [(p.epoch, p.value) for p in validation] == [(1.0, 0.75)]


def test_artifacts_are_recorded_with_size_and_checksum(registry):
    run = registry.create_run(SPEC)
    registry.add_artifact(run.id, "model-card", "out/README.md", 1234, "ab" * 32)
    registry.add_artifact(run.id, "huggingface", "out/model", 5_000_000_000, "cd" * 32)
    artifacts = registry.artifacts(run.id)
    assert [(a.exporter, a.path, a.bytes, a.sha256) for a in artifacts] == [
        ("model-card", "out/README.md", 1234, "ab" * 32),
        ("huggingface", "out/model", 5_000_000_000, "cd" * 32)]
    assert registry.artifacts(run.id + 1) == []


def test_metric_points_for_a_missing_run_are_refused(registry):
    # foreign keys are on: a point can never belong to no run
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        registry.add_metric_points(77, [
            {"step": 1, "epoch": 0.0, "split": "train", "name": "loss", "value": 1.0}])


def test_record_plugins_keeps_plugins_and_their_components(registry, manager):
    described = manager.describe()
    registry.record_plugins(described["plugins"], manager.components())
    plugins = {p.name: p for p in registry.plugins()}
    assert plugins["strategies-lora"].source == "built-in"
    assert plugins["tiny-backbones"].source == "python"
    components = {(c.kind, c.name): c for c in registry.components()}
    lora = components[("strategy", "lora")]
    assert lora.plugin == "strategies-lora"
    assert json.loads(lora.details_json)["params"][0]["name"] == "r"
    assert ("backbone", "tiny-bert") in components
    # recording again replaces rather than duplicates
    registry.record_plugins(described["plugins"], manager.components())
    assert len(registry.components()) == len(components)


def test_record_plugins_keeps_a_failed_plugins_error(registry, tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "broken.py").write_text("raise RuntimeError('no GPU driver')\n")
    manager = tunekit.load_plugins(folder)
    registry.record_plugins(manager.describe()["plugins"], manager.components())
    broken = next(p for p in registry.plugins() if p.name == "broken")
    assert broken.status == "failed"
    assert "RuntimeError: no GPU driver" in broken.error


def test_a_running_run_whose_process_died_is_marked_interrupted(registry):
    orphan = registry.create_run(SPEC)
    registry.update_run(orphan.id, status="running", pid=dead_pid())
    alive = registry.create_run(SPEC)
    registry.update_run(alive.id, status="running", pid=os.getpid())
    finished = registry.create_run(SPEC)
    registry.update_run(finished.id, status="completed", pid=dead_pid())
    elsewhere = registry.create_run(SPEC)
    registry.update_run(elsewhere.id, status="running", pid=dead_pid(), host="another-host")

    assert registry.mark_orphans_interrupted() == [orphan.id]

    interrupted = registry.get_run(orphan.id)
    assert interrupted.status == "interrupted"
    assert interrupted.finished_at is not None
    assert "ended unexpectedly" in interrupted.error
    assert registry.get_run(alive.id).status == "running"
    assert registry.get_run(finished.id).status == "completed"
    # a run on another machine may be alive there: leave it alone
    assert registry.get_run(elsewhere.id).status == "running"
    assert registry.mark_orphans_interrupted() == []


READER = """
    import json, sys, time
    from tunekit.registry import Registry

    registry = Registry.open(sys.argv[1])
    print("ready", flush=True)
    seen, reads, started = [], 0, time.monotonic()
    while time.monotonic() - started < float(sys.argv[2]):
        runs = registry.runs()
        seen.append(len(registry.metric_points(runs[-1].id)))
        reads += 1
    print(json.dumps({"reads": reads, "seen": seen}), flush=True)
"""


def start_reader(path: Path, seconds: float) -> subprocess.Popen[str]:
    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(READER), str(path), str(seconds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "ready", reader.stderr.read()
    return reader


def test_another_process_reads_while_this_one_writes(registry, tmp_path):
    run = registry.create_run(SPEC)
    reader = start_reader(tmp_path / "registry.db", seconds=1.5)
    writes = 0
    while reader.poll() is None and writes < 5000:
        registry.add_metric_points(run.id, [
            {"step": writes, "epoch": 0.0, "split": "train", "name": "loss", "value": 1.0}])
        writes += 1
    out, err = reader.communicate(timeout=30)
    assert reader.returncode == 0, err
    assert "database is locked" not in err
    result = json.loads(out)
    assert result["reads"] > 10
    # the reader watched the points arrive while they were being written
    assert result["seen"] == sorted(result["seen"])
    assert len(set(result["seen"])) > 2
    assert writes > 10


def test_another_process_reads_while_this_one_holds_a_write_transaction(registry, tmp_path):
    run = registry.create_run(SPEC)
    writer = sqlite3.connect(tmp_path / "registry.db", timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    for step in range(2000):
        writer.execute(
            "INSERT INTO metric_points (run_id, step, epoch, split, name, value, recorded_at) "
            "VALUES (?, ?, 0.0, 'train', 'loss', 1.0, '2025-01-01 00:00:00')", (run.id, step))
    try:
        started = time.monotonic()
        reader = start_reader(tmp_path / "registry.db", seconds=0.3)
        out, err = reader.communicate(timeout=30)
        assert reader.returncode == 0, err
        result = json.loads(out)
        assert result["reads"] > 0
        assert set(result["seen"]) == {0}  # nothing uncommitted leaks out
        assert time.monotonic() - started < 20  # never waited on the writer's lock
    finally:
        writer.commit()
        writer.close()
    assert len(registry.metric_points(run.id)) == 2000


def test_opening_a_file_that_is_not_a_database_is_a_plain_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(tunekit.TunekitError) as err:
        Registry.open(path)
    assert err.value.where == str(path)
    assert "cannot open the registry" in err.value.message
    assert "not a database" in err.value.message
    assert err.value.hint
    assert err.value.__suppress_context__  # printed without the sqlite traceback


def test_opening_in_a_missing_folder_is_a_plain_error(tmp_path):
    with pytest.raises(tunekit.TunekitError) as err:
        Registry.open(tmp_path / "missing" / "registry.db")
    assert "does not exist" in err.value.message
    assert "TUNEKIT_REGISTRY" in err.value.hint


def test_opening_an_existing_registry_again_keeps_its_runs(tmp_path):
    first = Registry.open(tmp_path / "registry.db")
    run = first.create_run(SPEC)
    first.update_run(run.id, status="completed", metrics={"accuracy": 0.9})
    first.engine.dispose()
    again = Registry.open(tmp_path / "registry.db")
    (kept,) = again.runs()
    assert kept.id == run.id
    assert kept.status == "completed"
    assert kept.metrics == {"accuracy": 0.9}
    assert again.create_run(SPEC).id == run.id + 1


# ---------------------------------------------------------------- sweeps


def test_sweeps_are_recorded_with_their_runs_in_trial_order(registry):
    sweep = registry.create_sweep("sweep", SPEC, {"training.epochs": [1, 2]}, metric="loss",
                                  direction="minimize", sampler="grid", settings={"trials": 2})
    assert sweep.status == "running" and sweep.pid == os.getpid()
    second = registry.create_run(SPEC, sweep_id=sweep.id, trial=1)
    first = registry.create_run(SPEC, sweep_id=sweep.id, trial=0)
    registry.create_run(SPEC)  # not part of it
    assert [r.id for r in registry.sweep_runs(sweep.id)] == [first.id, second.id]

    registry.update_sweep(sweep.id, status="completed", best_run_id=first.id,
                          summary={"stopped": "all 2 trials ran"})
    done = registry.get_sweep(sweep.id)
    assert done.summary == {"stopped": "all 2 trials ran"} and done.settings == {"trials": 2}
    assert done.space == {"training.epochs": [1, 2]}
    assert [s.id for s in registry.sweeps(kind="sweep")] == [sweep.id]
    assert registry.sweeps(kind="bakeoff") == []
    with pytest.raises(ValueError):
        registry.update_sweep(sweep.id, status="exploded")
    with pytest.raises(ValueError):
        registry.update_run(first.id, trial_state="exploded")
    with pytest.raises(tunekit.TunekitError, match="no sweep 99"):
        registry.create_run(SPEC, sweep_id=99)


def test_a_running_sweep_whose_process_died_is_marked_interrupted(registry):
    sweep = registry.create_sweep("sweep", SPEC, {}, metric="loss", direction="minimize")
    registry.update_sweep(sweep.id, pid=dead_pid())
    registry.mark_orphans_interrupted()
    assert registry.get_sweep(sweep.id).status == "interrupted"
