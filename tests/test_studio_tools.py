"""The tools beside a run, in the studio, driven by a real gradio_client: the data check beside
the upload preview (and a run it refuses, trained anyway on request), the learning-rate finder
started from the run card as ``tunekit lr-find`` in its own process, and sweeps started from
the card or the chat as ``tunekit sweep``, their trials on the Sweeps tab."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from gradio_client import handle_file
from studio_harness import TINY_PLUGIN
from test_studio import StudioClient, value
from tunekit.testing import write_text_csv
from tunekit.ui.studio.tabs.rate import render_rate

TOOL_TIMEOUT = 150.0
TINY_RUN = "with tiny-bert, full fine-tuning for 1 epoch"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("studio-tools")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    write_text_csv(folder / "reviews.csv", n=60)
    # every example twice (copies: a warning), and 10 texts a third time with the other label
    # (contradictions: blocking)
    lines = write_text_csv(folder / "unique.csv", n=30).read_text().splitlines()
    flipped = [line.replace("negative", "POS").replace("positive", "negative")
               .replace("POS", "positive") for line in lines[1:11]]
    (folder / "contradictory.csv").write_text(
        "\n".join([lines[0], *lines[1:] * 2, *flipped]) + "\n")
    return folder


@pytest.fixture
def studio(app: Any, tmp_path: Path) -> StudioClient:
    return StudioClient(app, app.local_url, tmp_path / "downloads")


def poll_until(studio: StudioClient, api_name: str, done: Any,
               timeout: float = TOOL_TIMEOUT) -> dict[str, Any]:
    """Poll as the page's timer does until ``done()``; what the polls sent, merged."""
    screen: dict[str, Any] = {}

    def look() -> None:
        screen.update({k: v for k, v in studio.call(api_name).items()
                       if not (isinstance(v, dict) and v.get("__type__") == "update"
                               and "value" not in v and "visible" not in v)})

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        look()
        if done():
            look()  # the poll after the end: what the page shows of it
            return screen
        time.sleep(0.5)
    raise AssertionError(f"{api_name}: not done in {timeout}s:\n{studio.log()}")


def test_an_upload_shows_the_data_check_and_a_refused_run_can_train_anyway(
        studio: StudioClient, project: Path) -> None:
    studio.call("load")
    clean = studio.call("upload", handle_file(str(project / "reviews.csv")))
    assert "No problems found" in value(clean["data_check"])

    contradictory = studio.call("upload", handle_file(str(project / "contradictory.csv")))
    check = value(contradictory["data_check"])
    assert check.startswith("#### Data check\n⛔ 1 blocking problem")
    blocking, _, rest = check.partition("**Warnings**")
    assert "10 texts appear with different labels" in blocking
    assert "_What to do:_ Decide on one label" in blocking
    assert "copies of another in the same split" in rest  # then the warnings
    assert "also appear in train" not in check  # tunekit's own split keeps copies together
    assert "70 rows" in contradictory["data_summary"]

    studio.call("chat", f"train {TINY_RUN}")
    refused = studio.call("choose", "Start training")
    said = studio.last_message(refused)
    assert said.startswith("I did not start the run: the data check found 1 blocking problem")
    assert "Train anyway" in said and studio.session.choices == ["Train anyway"]
    assert studio.session.job is None and studio.app.studio.registry.runs() == []

    studio.call("choose", "Train anyway")
    assert studio.session.job is not None
    studio.wait_for_run()
    record = studio.app.studio.registry.get_run(studio.session.watching)
    assert record.spec["training"]["data_check"] == "warn"
    assert str(project / "uploads" / "contradictory.csv") == record.spec["dataset"]["path"]


def test_the_learning_rate_finder_from_the_run_card(studio: StudioClient, project: Path) -> None:
    studio.call("load")
    refused = studio.call("find_rate", 2)
    assert "takes 5 to 5000 steps" in value(refused["notice"])

    studio.call("chat", f"train on {project / 'reviews.csv'} {TINY_RUN}")
    started = studio.call("find_rate", 30)
    assert value(started["rate_status"]).startswith("⏳ Finding a learning rate: up to 30 steps")
    assert "Finding a learning rate" in studio.last_message(started)
    again = studio.call("find_rate", 30)
    assert "already running" in value(again["notice"])
    finder = studio.app.studio.rate_finder
    found = poll_until(studio, "poll_rate", lambda: not finder.jobs[studio.session.key].alive)

    job = finder.job(studio.session.key)
    assert job.error == "" and job.suggestion is not None, job.log_path.read_text()
    rate = job.suggestion
    assert value(found["rate_status"]).startswith(f"Suggested learning rate: **{rate:.2g}**")
    plot = found["rate_plot"]
    assert plot["visible"] is True and Path(value(plot)).read_bytes()[:4] == b"\x89PNG"
    use = render_rate(studio.app.page, studio.session)[studio.app.page.rate_use]  # a button:
    assert use["visible"] is True and use["value"] == f"Use this rate ({rate:.2g})"  # not in API
    assert f"suggests **{rate:.2g}**" in studio.last_message(found)
    assert studio.session.choices == [f"Use learning rate {rate:.2g}"]

    used = studio.call("use_rate")
    assert studio.session.assistant.spec()["training"]["learning_rate"] == rate
    assert value(used["field:training.learning_rate"]) == pytest.approx(rate)
    assert f"{rate:g}" in used["summary"]

    # the subprocess fails: its error in one line (the finder refuses contradictory data, as
    # runs do)
    studio.call("set_dataset_csv_path", str(project / "contradictory.csv"))
    studio.call("find_rate", 30)
    failed = poll_until(studio, "poll_rate", lambda: not finder.jobs[studio.session.key].alive)
    shown = value(failed["rate_status"])
    assert shown.startswith("⚠️ The learning-rate finder failed:") and "\n" not in shown
    assert "blocking problem" in shown
    assert render_rate(studio.app.page, studio.session)[studio.app.page.rate_use]["visible"] \
        is False


def test_a_sweep_from_the_run_card_records_its_trials(studio: StudioClient, app: Any,
                                                      project: Path) -> None:
    studio.call("load")
    studio.call("chat", f"train on {project / 'reviews.csv'} {TINY_RUN}")
    typo = studio.call("start_sweep", "training.learnin_rate=1e-4,1e-3", "auto", None)
    assert "The sweep cannot start" in value(typo["notice"])
    assert "learning_rate" in value(typo["notice"])  # the closest field is named
    assert app.studio.sweeps.job is None

    started = studio.call("start_sweep", "training.learning_rate=1e-4, 1e-3; strategy=full",
                          "grid", None)
    assert value(started["notice"]) in ("", None)
    launcher = app.studio.sweeps
    done = poll_until(studio, "poll_sweeps", lambda: not launcher.job.alive)
    job = launcher.follow()
    assert job.process.returncode == 0, job.log_path.read_text()

    registry = app.studio.registry
    record = registry.get_sweep(job.sweep_id)
    assert record.kind == "sweep" and record.status == "completed"
    runs = registry.sweep_runs(record.id)
    assert [r.trial_label for r in runs] == ["training.learning_rate=0.0001 strategy=full",
                                             "training.learning_rate=0.001 strategy=full"]
    assert all(r.trial_state == "completed" for r in runs)

    shown = studio.call("sweeps")
    assert value(shown["sweep_summary"]).startswith(f"### Sweep {record.id}: completed")
    assert "**Best**: trial" in value(shown["sweep_summary"])
    table = value(shown["sweep_table"])
    assert [row[1] for row in table["data"]] == [r.id for r in runs]
    assert sum(str(row[0]).startswith("★") for row in table["data"]) == 1
    assert "finished" in value(done["sweep_status"])


def test_the_assistant_starts_tools_only_when_confirmed(studio: StudioClient, app: Any,
                                                        project: Path) -> None:
    studio.call("load")
    studio.call("chat", f"train on {project / 'reviews.csv'} {TINY_RUN}")
    offered = studio.call("chat", "try learning rates 1e-4 and 1e-3")
    assert "Shall I start it?" in studio.last_message(offered)
    sweeps = app.studio.sweeps
    before = sweeps.job
    studio.call("chat", "yes")
    job = sweeps.job
    assert job is not None and job is not before
    assert "Follow it on the **Sweeps** tab" in studio.session.messages[-1]["content"]
    arguments = job.process.args
    assert arguments[arguments.index("--param") + 1] == "training.learning_rate=[0.0001, 0.001]"
    assert arguments[arguments.index("--trials") + 1] == "2"
    sweeps.stop_all()

    studio.call("chat", "find a good learning rate")
    assert app.studio.rate_finder.jobs.get(studio.session.key) is None  # offered, not run
    studio.call("chat", "yes")
    assert app.studio.rate_finder.jobs[studio.session.key].alive
    app.studio.rate_finder.stop_all()

    studio.call("chat", "run a bake-off of head-only and lora")
    assert app.bakeoffs.job is None or not app.bakeoffs.job.alive
    started = studio.call("chat", "yes")
    assert "Follow it on the **Bake-off** tab" in studio.last_message(started)
    assert "head-only,lora" in app.bakeoffs.job.process.args
    app.bakeoffs.stop_all()
