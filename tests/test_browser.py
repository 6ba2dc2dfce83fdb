"""The studio in a real browser: headless Chromium on the real app, served in this process.

What a person sees and clicks, nothing else: the chat and the run card kept in sync both ways,
a run launched by a click and watched to its end on the live monitor, the history, a run
opened, two runs compared, a run stopped, and a learning rate found and used from the card.
Runs train the tiny test backbone (a plugin file in the project's plugins folder), so each
takes seconds. The page itself is found through
the ``elem_id``s of ui/studio/layout.py (see tests/studio_page.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")

from playwright.sync_api import Browser, expect, sync_playwright  # noqa: E402
from studio_harness import TINY_PLUGIN  # noqa: E402
from studio_page import StudioPage, chromium_path, launch_chromium  # noqa: E402
from tunekit.testing import write_text_csv  # noqa: E402

pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="no Chromium: apt-get install chromium (or set TUNEKIT_CHROMIUM to its path)")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    write_text_csv(folder / "reviews.csv", n=60)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def studio(app: Any, browser: Browser) -> Iterator[StudioPage]:
    """A fresh browser tab (its own session with the assistant), opened on the studio."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    tab = StudioPage(context.new_page(), app.local_url)
    try:
        yield tab.open()
        if tab.notice.count():  # shown only when there is something to say
            assert "Something went wrong" not in tab.notice.inner_text()
        assert tab.errors == [], tab.errors
    finally:
        context.close()


def request(project: Path, epochs: int) -> str:
    return f"use tiny-bert on {project / 'reviews.csv'} with full fine-tuning for {epochs} epochs"


def draft(app: Any) -> dict[str, Any]:
    """The spec the assistant holds for the tab most recently heard from."""
    sessions = app.studio.sessions
    return sessions[next(reversed(sessions))].assistant.spec()


def test_chat_and_run_card_stay_in_sync(studio: StudioPage, app: Any, project: Path) -> None:
    # the page opens on the bundled default, ready to start
    expect(studio.summary).to_contain_text("sample-reviews")
    expect(studio.choice("Start training")).to_be_visible()
    assert studio.field_value("strategy.name") == "LoRA adapters (lora)"
    expect(studio.field("strategy.lora.r")).to_be_visible()

    # said in the chat: the card and its form show it
    reply = studio.say(request(project, 2))
    assert "Shall I start it?" in reply
    expect(studio.summary).to_contain_text("tiny-bert")
    expect(studio.summary).to_contain_text("strategy: full")
    expect(studio.summary).to_contain_text("2 epochs")
    assert studio.field_value("strategy.name") == "Full fine-tuning (full)"
    assert studio.field_value("backbone.name") == "Tiny bert (tiny-bert)"
    assert studio.field_value("training.epochs") == "2"
    assert studio.field_value("dataset.csv.path") == str(project / "reviews.csv")
    expect(studio.field("strategy.lora.r")).to_be_hidden()  # only the chosen strategy's options
    expect(studio.at("#tk-data-summary")).to_contain_text("60 rows")

    # edited in the form: the chat and the assistant's draft know
    before = studio.bot_messages.count()
    studio.fill_field("training.epochs", 5)
    expect(studio.bot_messages).to_have_count(before + 1)
    assert "epochs" in studio.last_reply()
    expect(studio.summary).to_contain_text("5 epochs")
    assert draft(app)["training"]["epochs"] == 5

    # a value the spec refuses: said at the top of the page, the form shows the draft again
    studio.fill_field("training.batch_size", 0)
    expect(studio.notice).to_contain_text("batch_size")
    expect(studio.field("training.batch_size").locator("input")).to_have_value("16")
    assert draft(app)["training"]["batch_size"] == 16
    # leaving the field (its blur, nothing changed) and the other one keep what the page says
    studio.field("training.epochs").locator("input").first.focus()
    studio.field("training.batch_size").locator("input").first.focus()
    studio.page.wait_for_timeout(1500)
    expect(studio.notice).to_contain_text("batch_size")

    # asked in the chat, answered in the chat; the form is untouched
    answer = studio.say("what is gradual unfreezing?")
    assert "unfreez" in answer.lower()
    assert studio.field_value("training.epochs") == "5"


@pytest.mark.slow
def test_a_run_from_chat_to_history_and_compare(studio: StudioPage, app: Any,
                                                project: Path) -> None:
    studio.say(request(project, 2))
    started = studio.choose("Start training")
    assert "starting" in started.lower()

    # the live monitor follows it to its end
    first = studio.wait_for_run("completed")
    expect(studio.at("#tk-progress")).to_contain_text("100%")
    expect(studio.at("#tk-progress [role=progressbar]")).to_have_attribute("aria-valuenow",
                                                                            "100")
    assert set(studio.curve_names("tk-loss-plot")) == {"train", "validation"}
    assert "accuracy" in studio.curve_names("tk-metric-plot")
    expect(studio.at("#tk-log textarea")).to_have_value(re.compile(f"run {first} completed"))
    expect(studio.bot_messages.last).to_contain_text(f"Run {first} finished")

    # the explanation offers a next run: one click applies it, another starts it
    suggested = draft_changes(app)
    assert "Shall I start it?" in studio.choose("Run the suggestion")
    studio.choose("Start training")
    expect(studio.run_status()).not_to_contain_text(f"Run {first} ", timeout=30_000)
    second = studio.wait_for_run("completed")
    assert second != first

    # both are in the history; one opens with its curves, metrics, spec and artifacts
    studio.tab("History")
    rows = studio.rows("tk-history")
    expect(rows.first).to_contain_text(re.compile(rf"^\s*{second}\s+completed"))  # newest first
    row = rows.filter(has_text=re.compile(rf"^\s*{first}\s+completed"))
    row.get_by_text("completed").click()  # a row clicked opens its run
    expect(studio.at("#tk-detail-summary")).to_contain_text(f"Run {first}: completed")
    expect(studio.at("#tk-detail-summary")).to_contain_text("accuracy")
    assert set(studio.curve_names("tk-detail-loss")) == {"train", "validation"}
    expect(studio.at("#tk-detail-spec")).to_contain_text("tiny-bert")
    expect(studio.at("#tk-detail-confusion")).to_contain_text("positive")
    files = studio.at("#tk-detail-files")
    expect(files).to_contain_text("model-card-README")
    card = files.get_by_role("row", name=re.compile("model-card-README")).get_by_role("link")
    downloaded = studio.page.request.get(card.get_attribute("href"))
    assert downloaded.ok and "tiny-bert" in downloaded.text()

    # compared: curves overlaid, specs side by side
    studio.pick("tk-compare-pick", f"run {first}", f"run {second}")
    studio.at("#tk-compare").click()
    expect(studio.at("#tk-compare-summary")).to_contain_text(f"run {second}")
    assert set(studio.curve_names("tk-compare-loss")) == {f"run {first}", f"run {second}"}
    assert set(studio.curve_names("tk-compare-metric")) == {f"run {first}", f"run {second}"}
    diff = studio.at("#tk-compare-diff")
    expect(diff).to_contain_text(f"run {second}")
    for path in suggested:
        expect(diff).to_contain_text(path)


def draft_changes(app: Any) -> list[str]:
    """The spec fields the last explanation suggests changing (read off the server)."""
    sessions = app.studio.sessions
    session = sessions[next(reversed(sessions))]
    assert session.suggestion is not None
    return list(session.suggestion[1])


@pytest.mark.slow
def test_stop_a_running_run(studio: StudioPage, project: Path) -> None:
    studio.say(request(project, 2))
    studio.fill_field("training.epochs", 500)
    expect(studio.summary).to_contain_text("500 epochs")
    studio.open_section("Advanced training")
    studio.tick("training.early_stopping", False)
    expect(studio.summary).to_contain_text("no early stopping")
    studio.at("#tk-start").click()  # the run card's button: no second confirmation

    studio.wait_for_run("running")
    # the monitor is live: the loss curve and the progress grow while it trains
    assert "train" in studio.curve_names("tk-loss-plot")
    expect(studio.at("#tk-progress")).to_contain_text(re.compile(r"step \d+ of \d+ .* left"))
    expect(studio.run_status()).to_contain_text("running")
    stop = studio.at("#tk-stop")
    expect(stop).to_be_enabled()
    stop.click()
    run = studio.run_id()
    expect(studio.notice).to_contain_text(f"Stopping run {run}")
    studio.wait_for_run("cancelled")
    expect(studio.bot_messages.last).to_contain_text("cancelled")
    expect(stop).to_be_disabled()


# ---------------------------------------------------------------- charts gaining series
# Gradio 6's line chart fixes its series (the colour scale's domain) when it is first drawn;
# the studio redraws a chart whose series changed by sending it a new colour map after the
# data (see ui/studio/app.py). A run written straight into the registry makes the timing
# deterministic (no training).


def fake_run(registry: Any, status: str, points: list[tuple[str, int, float]]) -> int:
    """A run recorded as if by a live process (this one), with (split, step, loss) points."""
    spec = {"task": "text-classification", "dataset": {"name": "sample-reviews"},
            "backbone": {"name": "tiny-bert"}, "strategy": {"name": "full"}}
    run = registry.create_run(spec).id
    registry.update_run(run, status=status, started_at=datetime.now(UTC),
                        summary={"total_steps": 40, "epochs": 4})
    add_points(registry, run, points)
    return run


def add_points(registry: Any, run: int, points: list[tuple[str, int, float]]) -> None:
    registry.add_metric_points(run, [{"step": step, "epoch": step / 10, "split": split,
                                      "name": "loss", "value": value}
                                     for split, step, value in points])


def test_live_loss_curve_gains_the_validation_series(studio: StudioPage, app: Any) -> None:
    registry = app.studio.registry
    run = fake_run(registry, "running", [("train", 2, 0.70), ("train", 4, 0.69)])
    try:
        expect(studio.run_status()).to_contain_text(f"Run {run}")
        assert studio.curve_names("tk-loss-plot") == ["train"]
        add_points(registry, run, [("validation", 5, 0.68), ("train", 6, 0.66),
                                   ("train", 8, 0.60), ("validation", 10, 0.62)])
        expect(studio.at("#tk-progress")).to_contain_text("step 8 of 40")  # the poll came
        legend = studio.at("#tk-loss-plot svg g.role-legend[aria-label]")
        expect(legend).to_have_attribute("aria-label", re.compile("train, validation"),
                                         timeout=3_000)
    finally:
        registry.update_run(run, status="cancelled", finished_at=datetime.now(UTC))


def test_compare_another_set_of_runs(studio: StudioPage, app: Any) -> None:
    registry = app.studio.registry
    curve = [("train", 2, 0.7), ("train", 4, 0.6), ("validation", 4, 0.65)]
    a, b, c = (fake_run(registry, "completed", curve) for _ in range(3))
    studio.tab("History")
    expect(studio.rows("tk-history").first).to_contain_text(str(c))
    studio.pick("tk-compare-pick", f"run {a}", f"run {b}")
    studio.at("#tk-compare").click()
    assert set(studio.curve_names("tk-compare-loss")) == {f"run {a}", f"run {b}"}
    studio.pick("tk-compare-pick", f"run {c}")
    studio.at("#tk-compare").click()
    expect(studio.at("#tk-compare-summary")).to_contain_text(f"run {c}")
    legend = studio.at("#tk-compare-loss svg g.role-legend[aria-label]")
    expect(legend).to_have_attribute("aria-label", re.compile(f"run {c}"), timeout=3_000)


def test_the_learning_rate_finder_and_the_sweep_form(studio: StudioPage, app: Any,
                                                      project: Path) -> None:
    studio.say(request(project, 1))
    steps = studio.at("#tk-rate-steps input")
    steps.fill("30")  # a short test: the tiny model and data need no more
    studio.at("#tk-rate-find").click()
    status = studio.at("#tk-rate-status")
    expect(status).to_contain_text("Finding a learning rate: up to 30 steps")
    expect(status).to_contain_text("Suggested learning rate", timeout=90_000)
    expect(studio.at("#tk-rate-plot img")).to_be_visible()
    use = studio.at("#tk-rate-use")
    expect(use).to_be_visible()
    rate = re.search(r"\(([^)]+)\)", use.inner_text()).group(1)  # "Use this rate (0.0012)"
    use.click()
    expect(studio.summary).to_contain_text(f"learning rate {float(rate):g}")
    assert float(studio.field_value("training.learning_rate")) == float(rate)
    assert draft(app)["training"]["learning_rate"] == float(rate)

    # the sweep form sends what it shows (a typo is answered at once; nothing starts)
    studio.open_section("Try several values (sweep)")
    box = studio.at("#tk-sweep-params textarea, #tk-sweep-params input").first
    box.fill("training.learnin_rate=1e-4,1e-3")
    studio.at("#tk-sweep-start").click()
    expect(studio.notice).to_contain_text("The sweep cannot start")
    expect(studio.notice).to_contain_text("learning_rate")
    assert app.studio.sweeps.job is None
