"""The studio's Bake-off tab, driven by a real gradio_client: bake-offs recorded anywhere show
as a table, a chart and a verdict; one started from the run card runs as ``tunekit bakeoff``
in its own process and shows up when it is done."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from studio_harness import TINY_PLUGIN
from test_studio import StudioClient, value
from tunekit.registry import Registry
from tunekit.testing import make_manager, tiny_backbones, write_text_csv
from tunekit.tools.bakeoff import bakeoff

BAKEOFF_TIMEOUT = 180.0


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("studio-bakeoff")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    write_text_csv(folder / "reviews.csv", n=60)
    return folder


@pytest.fixture
def studio(app: Any, tmp_path: Path) -> StudioClient:
    return StudioClient(app, app.local_url, tmp_path / "downloads")


def rows(table: Any) -> list[dict[str, Any]]:
    table = value(table)
    return [dict(zip(table["headers"], row, strict=True)) for row in table["data"]]


def test_a_bakeoff_from_python_shows_as_a_table_a_chart_and_a_verdict(studio, project):
    manager = make_manager(("tiny", tiny_backbones))
    registry = Registry.open(project / "registry.db")
    spec = {"dataset": {"name": "csv", "path": str(project / "reviews.csv")},
            "backbone": "tiny-bert", "training": {"epochs": 1, "batch_size": 8},
            "metrics": ["accuracy"], "exporters": []}
    report = bakeoff(spec, ["full", "head-only"], scratch=True, manager=manager,
                     registry=registry, output_root=project / "runs")

    shown = studio.call("bakeoffs")
    pick = shown["bakeoff_pick"]
    assert [choice[1] for choice in pick["choices"]] == [report.sweep_id]
    assert pick["value"] == report.sweep_id
    assert "full, head-only, scratch" in pick["choices"][0][0]
    table = rows(shown["bakeoff_table"])
    assert [r["entry"].lstrip("★ ") for r in table] == ["full", "head-only", "scratch"]
    assert {"val accuracy", "test accuracy", "trainable %", "wall time s", "peak memory MB",
            "samples/s"} <= set(table[0])
    chart = value(shown["bakeoff_chart"])
    assert {row[0] for row in chart["data"]} == {"full", "head-only", "scratch"}
    summary = shown["bakeoff_summary"]
    assert summary.startswith(f"### Bake-off {report.sweep_id}: completed")
    assert "3 of 3 entries done" in summary and report.verdict[0] in summary

    opened = studio.call("open_bakeoff", report.sweep_id)
    assert value(opened["bakeoff_summary"]).startswith(f"### Bake-off {report.sweep_id}")
    # nothing changed since: the timer sends nothing
    quiet = studio.call("poll_bakeoff")
    assert all(isinstance(v, dict) and "value" not in v for k, v in quiet.items()
               if k != "notice"), quiet


def test_a_bakeoff_of_the_run_card_runs_in_its_own_process(studio, app, project):
    studio.call("load")
    refused = studio.call("start_bakeoff", [], False)
    assert "Choose at least one strategy" in value(refused["notice"])

    studio.call("chat", f"train on {project / 'reviews.csv'} with tiny-bert for 1 epoch")
    started = studio.call("start_bakeoff", ["head-only", "lora"], False)
    assert "running" in value(started["bakeoff_status"]) or \
        "Bake-off" in value(started["bakeoff_status"])
    registry = app.studio.registry
    deadline = time.monotonic() + BAKEOFF_TIMEOUT
    while time.monotonic() < deadline:
        studio.call("poll_bakeoff")
        job = app.bakeoffs.job
        if job is not None and not job.alive:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the bake-off did not end:\n" + app.bakeoffs.job.log_path.read_text())
    job = app.bakeoffs.job
    assert job.process.returncode == 0, job.log_path.read_text()
    record = registry.get_sweep(job.sweep_id)
    assert record.status == "completed" and record.kind == "bakeoff"
    assert [r.trial_label for r in registry.sweep_runs(record.id)] == ["head-only", "lora"]
    assert record.spec["backbone"]["name"] == "tiny-bert"
    assert record.spec["training"]["epochs"] == 1

    shown = studio.call("bakeoffs")
    assert [r["entry"].lstrip("★ ") for r in rows(shown["bakeoff_table"])] == ["head-only",
                                                                             "lora"]
    assert value(shown["bakeoff_summary"]).startswith(f"### Bake-off {record.id}: completed")
    assert "finished" in value(shown["bakeoff_status"])
