"""registry.db under load, and registries from the first tunekit.

Two processes write a run's metric points as fast as they can (one small transaction each)
while a third reads the runs and their points in a loop, as the studio does: nobody ever sees
"database is locked", and every point written is there at the end. A registry written by the
first schema (every table as tunekit 0.1 created it) opens, keeps its history and takes runs and
sweeps.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tunekit.registry import SCHEMA_VERSION, Registry

SPEC = {"task": "text-classification", "dataset": {"name": "csv"}, "training": {"seed": 1}}
SECONDS = 2.5

WRITER = """
import json, sys, time
from tunekit.registry import Registry

path, run_id, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
registry = Registry.open(path)
print("ready", flush=True)
sys.stdin.readline()  # start together
points = updates = 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    batch = [{"step": points + i, "epoch": 0.0, "split": "train", "name": "loss",
              "value": float(points + i)} for i in range(3)]
    registry.add_metric_points(run_id, batch)
    points += len(batch)
    if points % 30 == 0:  # the run's own row too, as the engine's writer does
        registry.update_run(run_id, status="running", summary={"points": points})
        updates += 1
print(json.dumps({"points": points, "updates": updates}))
"""

READER = """
import json, sys, time
from tunekit.registry import Registry

path, seconds = sys.argv[1], float(sys.argv[2])
registry = Registry.open(path)
print("ready", flush=True)
sys.stdin.readline()
reads, seen = 0, {}
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    for run in registry.runs(limit=50):  # the studio's history, then each run's curves
        points = registry.metric_points(run.id, split="train")
        steps = [p.step for p in points]
        assert steps == sorted(steps), "points out of order"
        assert len(steps) >= seen.get(run.id, 0), "points went missing"
        seen[run.id] = len(steps)
        registry.get_run(run.id)
    reads += 1
print(json.dumps({"reads": reads, "seen": seen}))
"""


def _start(script: str, *args: object) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script),
                                *map(str, args)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def test_two_runs_writing_and_a_reader_never_see_a_locked_database(tmp_path):
    path = tmp_path / "registry.db"
    registry = Registry.open(path)
    runs = [registry.create_run(SPEC).id for _ in range(2)]
    writers = [_start(WRITER, path, run_id, SECONDS) for run_id in runs]
    reader = _start(READER, path, SECONDS)
    for process in [*writers, reader]:  # all at once
        process.stdin.write("go\n")
        process.stdin.flush()

    results = []
    for process in [*writers, reader]:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert "locked" not in err and "OperationalError" not in err, err
        results.append(json.loads(out))

    *written, read = results
    assert read["reads"] > 5
    for run_id, result in zip(runs, written, strict=True):
        assert result["points"] > 100  # each writer got through many transactions
        points = registry.metric_points(run_id)
        assert len(points) == result["points"]  # every point written is there
        assert [p.step for p in points] == list(range(result["points"]))
        assert registry.get_run(run_id).summary_json == json.dumps(
            {"points": result["updates"] * 30})
        assert read["seen"][str(run_id)] <= result["points"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_write_waits_for_another_writer_instead_of_failing(tmp_path):
    """A writer holding the lock for a while (a slow disk, a big batch) delays the next write;
    it does not make it fail."""
    path = tmp_path / "registry.db"
    registry = Registry.open(path)
    run = registry.create_run(SPEC)
    blocker = sqlite3.connect(path, timeout=1)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("UPDATE runs SET device = 'held' WHERE id = ?", (run.id,))
    started = time.monotonic()
    try:
        waiting = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent("""
                import sys
                from tunekit.registry import Registry
                registry = Registry.open(sys.argv[1])
                registry.add_metric_points(int(sys.argv[2]), [
                    {"step": 0, "epoch": 0.0, "split": "train", "name": "loss", "value": 1.0}])
                """), str(path), str(run.id)], stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)  # the other process is now waiting on the lock
        assert waiting.poll() is None
    finally:
        blocker.commit()
        blocker.close()
    _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert time.monotonic() - started >= 1.5
    assert len(registry.metric_points(run.id)) == 1
    assert registry.get_run(run.id).device == "held"


# ---------------------------------------------------------------- the first schema

# every table exactly as the first tunekit created it (schema 1; its registry.py built these
# with sqlmodel's create_all), with a finished run, its curve, an artifact and a plugin
FIRST_SCHEMA = """
CREATE TABLE plugins (name VARCHAR NOT NULL, version VARCHAR NOT NULL, source VARCHAR NOT NULL,
    status VARCHAR NOT NULL, error VARCHAR, seen_at DATETIME NOT NULL, PRIMARY KEY (name));
CREATE TABLE components (kind VARCHAR NOT NULL, name VARCHAR NOT NULL, plugin VARCHAR NOT NULL,
    title VARCHAR NOT NULL, description VARCHAR NOT NULL, details_json VARCHAR NOT NULL,
    seen_at DATETIME NOT NULL, PRIMARY KEY (kind, name));
CREATE TABLE runs (id INTEGER NOT NULL, status VARCHAR NOT NULL, task VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL, backbone VARCHAR NOT NULL, strategy VARCHAR NOT NULL,
    spec_json VARCHAR NOT NULL, created_at DATETIME NOT NULL, started_at DATETIME,
    finished_at DATETIME, device VARCHAR NOT NULL, precision VARCHAR NOT NULL,
    versions_json VARCHAR NOT NULL, seed INTEGER, data_fingerprint VARCHAR NOT NULL,
    parent_id INTEGER, output_dir VARCHAR NOT NULL, host VARCHAR NOT NULL, pid INTEGER,
    error VARCHAR, metrics_json VARCHAR NOT NULL, test_metrics_json VARCHAR NOT NULL,
    details_json VARCHAR NOT NULL, summary_json VARCHAR NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(parent_id) REFERENCES runs (id));
CREATE INDEX ix_runs_status ON runs (status);
CREATE TABLE meta ("key" VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY ("key"));
CREATE TABLE metric_points (id INTEGER NOT NULL, run_id INTEGER NOT NULL, step INTEGER NOT NULL,
    epoch FLOAT NOT NULL, split VARCHAR NOT NULL, name VARCHAR NOT NULL, value FLOAT NOT NULL,
    recorded_at DATETIME NOT NULL, PRIMARY KEY (id), FOREIGN KEY(run_id) REFERENCES runs (id));
CREATE INDEX ix_metric_points_run_id ON metric_points (run_id);
CREATE TABLE artifacts (id INTEGER NOT NULL, run_id INTEGER NOT NULL, exporter VARCHAR NOT NULL,
    path VARCHAR NOT NULL, bytes INTEGER NOT NULL, sha256 VARCHAR NOT NULL,
    created_at DATETIME NOT NULL, PRIMARY KEY (id), FOREIGN KEY(run_id) REFERENCES runs (id));
CREATE INDEX ix_artifacts_run_id ON artifacts (run_id);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO plugins VALUES ('builtin-csv', '0.1.0', 'built-in', 'loaded', NULL,
    '2025-01-01 09:00:00');
INSERT INTO components VALUES ('dataset', 'csv', 'builtin-csv', 'CSV file', 'rows', '{}',
    '2025-01-01 09:00:00');
INSERT INTO runs VALUES (1, 'completed', 'text-classification', 'csv', 'minilm-l6', 'lora',
    '{"task": "text-classification"}', '2025-01-01 10:00:00', '2025-01-01 10:00:01',
    '2025-01-01 10:01:00', 'cpu', 'no', '{}', 42, 'abc', NULL, 'runs/run-1', 'elsewhere', 1,
    NULL, '{"accuracy": 0.9}', '{}', '{}', '{}');
INSERT INTO metric_points VALUES (1, 1, 10, 0.5, 'train', 'loss', 0.7, '2025-01-01 10:00:30');
INSERT INTO metric_points VALUES (2, 1, 20, 1.0, 'validation', 'accuracy', 0.9,
    '2025-01-01 10:01:00');
INSERT INTO artifacts VALUES (1, 1, 'huggingface', 'runs/run-1/huggingface', 1024, 'ff',
    '2025-01-01 10:01:00');
"""


def first_schema_file(path: Path) -> Path:
    """A registry file at ``path`` as the first tunekit left it (FIRST_SCHEMA)."""
    with sqlite3.connect(path) as db:
        db.executescript(FIRST_SCHEMA)
    return path


def test_a_registry_of_the_first_schema_opens_keeps_its_history_and_takes_new_runs(tmp_path):
    path = first_schema_file(tmp_path / "first.db")

    registry = Registry.open(path)

    (old,) = registry.runs()
    assert (old.id, old.status, old.metrics) == (1, "completed", {"accuracy": 0.9})
    assert old.sweep_id is None and old.trial_state is None
    assert [(p.step, p.name) for p in registry.metric_points(1)] == [(10, "loss"),
                                                                      (20, "accuracy")]
    assert [a.exporter for a in registry.artifacts(1)] == ["huggingface"]
    assert [p.name for p in registry.plugins()] == ["builtin-csv"]
    # everything a current tunekit writes works on the upgraded file
    child = registry.create_run(SPEC, parent_id=1)
    registry.update_run(child.id, status="failed", error="stopped", metrics={"accuracy": 0.5})
    registry.add_metric_points(child.id, [{"step": 1, "epoch": 0.1, "split": "train",
                                           "name": "loss", "value": 1.2}])
    registry.add_artifact(child.id, "model-card", "card.md", 10, "ee")
    sweep = registry.create_sweep("sweep", SPEC, {}, metric="accuracy", direction="maximize")
    registry.set_plugin_enabled("builtin-csv", False)
    assert registry.plugin_settings() == {"builtin-csv": False}
    assert [r.id for r in registry.runs()] == [child.id, 1]
    assert registry.get_run(child.id).parent_id == 1
    assert registry.get_sweep(sweep.id).kind == "sweep"
    registry.engine.dispose()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert int(version[0]) == SCHEMA_VERSION
    assert [r.id for r in Registry.open(path).runs()] == [child.id, 1]  # and opens again


def test_a_registry_from_before_sweeps_opens_and_takes_sweeps(tmp_path):
    path = first_schema_file(tmp_path / "old.db")

    registry = Registry.open(path)

    (old,) = registry.runs()
    assert old.metrics == {"accuracy": 0.9}
    assert old.sweep_id is None and old.trial is None and old.trial_state is None
    record = registry.create_sweep("bakeoff", SPEC, {"entries": []}, metric="accuracy",
                                   direction="maximize")
    run = registry.create_run(SPEC, sweep_id=record.id, trial=0, trial_label="lora")
    registry.update_run(run.id, trial_state="pruned")
    assert [r.id for r in registry.sweep_runs(record.id)] == [run.id]
    assert registry.get_run(run.id).trial_label == "lora"
    with sqlite3.connect(path) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert int(version[0]) >= 2


OPEN_AND_RUN = """
import sys
from tunekit.registry import Registry

print("ready", flush=True)
sys.stdin.readline()
registry = Registry.open(sys.argv[1])
registry.create_run({"task": "text-classification"})
"""


def test_processes_opening_a_new_or_old_registry_at_once_take_turns(tmp_path):
    """Two runs and the studio starting on a fresh (or first-schema) registry: each creates or
    upgrades the tables in one transaction, so none trips over a table another just made."""
    for name, setup in (("fresh.db", ""), ("old.db", FIRST_SCHEMA)):
        path = tmp_path / name
        if setup:
            with sqlite3.connect(path) as db:
                db.executescript(setup)
        openers = [_start(OPEN_AND_RUN, path) for _ in range(5)]
        for process in openers:
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in openers:
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
        runs = Registry.open(path).runs()
        assert len(runs) == 5 + (1 if setup else 0)
