"""Resuming a stopped run from everywhere a person meets it: the line a start of tunekit prints
about a run it found dead, the assistant ("resume run 12", "resume"), and the studio's
greeting, History button and queue, which start ``tunekit run --resume`` in a process of its
own.

One real run is stopped midway (a checkpoint is written) and then made to look killed (its
process gone, the registry still saying "running"), as kill -9 leaves it.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import tunekit
from studio_harness import TINY_PLUGIN, serving
from test_studio import StudioClient, text, value
from tunekit.engine.resumable import Resumable, announce
from tunekit.registry import Registry
from tunekit.testing import manager_with, write_text_csv
from tunekit.ui.assistant import Assistant
from tunekit.ui.studio import Safety
from tunekit.ui.studio.session import Studio

RUN_TIMEOUT = 120.0


class StopAt:
    """Stops the run (as Ctrl-C does) when step ``step`` is reported."""

    def __init__(self, step: int):
        self.step = step

    def __call__(self, event: Any) -> None:
        if event.kind == "step" and event.data["step"] == self.step:
            raise KeyboardInterrupt


def killed(registry: Registry, run_id: int) -> None:
    """Make ``run_id`` look as kill -9 leaves a run: 'running', its process gone."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    registry.update_run(run_id, status="running", pid=gone.pid, finished_at=None, error=None)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("resume-studio")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    write_text_csv(folder / "reviews.csv", n=32)
    return folder


@pytest.fixture(scope="module")
def stopped(project: Path) -> int:
    """A run stopped at step 3 of 2 epochs (4 steps each), with its checkpoint."""
    registry = Registry.open(project / "registry.db")
    spec = tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(project / "reviews.csv")},
        "backbone": "tiny-bert", "strategy": "full",
        "training": {"epochs": 2, "batch_size": 8, "learning_rate": 1e-3, "seed": 0,
                     "max_length": 32, "log_every": 1, "early_stopping": None},
        "metrics": ["accuracy"], "exporters": [],
    }, manager_with(), base_dir=project)
    with pytest.raises(KeyboardInterrupt):
        tunekit.run(spec, manager=manager_with(), registry=registry, progress=False,
                    output_root=project / "runs", listeners=[StopAt(3)])
    return registry.runs(limit=1)[0].id


@pytest.fixture(scope="module")
def no_checkpoint(project: Path) -> int:
    """A run that failed before its first checkpoint."""
    registry = Registry.open(project / "registry.db")
    record = registry.create_run({"task": "text-classification"})
    registry.update_run(record.id, status="failed", error="the data could not be read",
                        output_dir=str(project / "runs" / f"run-{record.id}"))
    return record.id


def test_a_start_of_tunekit_says_which_dead_run_can_be_resumed(
        project: Path, stopped: int, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tunekit.ui.cli import _registry

    registry = Registry.open(project / "registry.db")
    killed(registry, stopped)
    monkeypatch.setenv("TUNEKIT_REGISTRY", str(project / "registry.db"))
    _registry(announce=True)

    assert capsys.readouterr().err.splitlines() == [
        f"run {stopped} was interrupted at step 3 (epoch 1); resume it with: "
        f"tunekit run --resume {stopped}"]
    assert registry.get_run(stopped).status == "interrupted"
    assert announce(registry, [stopped]) and not announce(registry, [])
    _registry(announce=True)  # said once: the next start has nothing new to say
    assert capsys.readouterr().err == ""


def test_the_assistant_offers_to_resume_and_says_why_it_cannot(
        project: Path, stopped: int, no_checkpoint: int) -> None:
    registry = Registry.open(project / "registry.db")
    assistant = Assistant(manager_with(), base_dir=project)
    assistant.runs = Resumable(registry)

    offered = assistant.respond(f"resume run {stopped}")
    assert f"Run {stopped} was" in offered.text and "at step 3 (epoch 1)" in offered.text
    assert offered.choices[0] == f"Resume run {stopped}" and offered.action is None
    accepted = assistant.respond(f"Resume run {stopped}")  # the one click
    assert (accepted.action, accepted.arguments) == ("resume", {"run": stopped})

    last = assistant.respond("resume")  # the last interrupted (here: stopped) run
    assert f"Resume run {stopped}" in last.choices
    assert assistant.respond("yes").arguments == {"run": stopped}

    refused = assistant.respond(f"please resume run {no_checkpoint}")
    assert refused.action is None and refused.choices == []
    assert f"I cannot resume run {no_checkpoint}: run {no_checkpoint} has no checkpoint" \
        in refused.text
    assert "I cannot resume run 999: there is no run 999" in \
        assistant.respond("resume run 999").text
    # a column called "resume" is not a request to resume
    assert assistant.respond("use column resume").action is None


def test_a_shared_studio_resumes_only_a_tabs_own_runs(project: Path, stopped: int) -> None:
    registry = Registry.open(project / "registry.db")
    killed(registry, stopped)
    studio = Studio(manager_with(), registry, project,
                    safety=Safety(shared=True, data_dir=project))
    assert [r.id for r in studio.interrupted] == [stopped]
    stranger = studio.session("stranger")
    assert not any("interrupted" in m["content"] for m in stranger.messages)  # not theirs
    assert not stranger.resume(stopped)
    assert f"Run {stopped} cannot be resumed: there is no run {stopped}" in \
        stranger.messages[-1]["content"]
    assert studio.runner.jobs == []


@pytest.fixture(scope="module")
def app(project: Path, stopped: int, no_checkpoint: int) -> Any:
    killed(Registry.open(project / "registry.db"), stopped)  # the studio starts after a crash
    with serving(project, plugins_dir=project / "plugins") as studio_app:
        yield studio_app


def test_the_studio_greets_with_the_interrupted_run_and_resumes_it(
        app: Any, project: Path, stopped: int, no_checkpoint: int, tmp_path: Path) -> None:
    studio = StudioClient(app, app.local_url, tmp_path)
    page = studio.call("load")
    greeting = "\n".join(text(m) for m in page["chatbot"])
    assert f"run {stopped} was interrupted at step 3 (epoch 1)" in greeting
    assert studio.session.choices[0] == f"Resume run {stopped}"  # a button beside Start

    # History's Resume button: a run without a checkpoint is refused in one line
    refused = studio.call("resume", no_checkpoint)
    assert f"Run {no_checkpoint} cannot be resumed: run {no_checkpoint} has no checkpoint" in \
        value(refused["notice"])
    assert app.studio.runner.jobs == []

    # the greeting's one click resumes it: `tunekit run --resume` in its own process
    studio.call("choose", f"Resume run {stopped}")
    job = studio.session.job
    assert job is not None and job.resume_id == stopped
    assert job.process.args[-2:] == ["--resume", str(stopped)]
    again = studio.call("resume", stopped)  # a second click does not start a second process
    assert "already resuming" in value(again["notice"])

    deadline = time.monotonic() + RUN_TIMEOUT
    while studio.session.job is not None and time.monotonic() < deadline:
        studio.call("poll")
        time.sleep(0.5)
    record = app.studio.registry.get_run(stopped)
    assert record.status == "completed", studio.session.messages[-1]
    said = text(studio.session.messages[-1])
    assert "could not resume" not in said
    # the curve goes on from step 3 without repeating a step
    steps = [p.step for p in app.studio.registry.metric_points(stopped, split="train")
             if p.name == "loss"]
    total = json.loads(record.summary_json)["total_steps"]
    assert steps == sorted(set(steps)) and steps[0] <= 3 and steps[-1] == total
