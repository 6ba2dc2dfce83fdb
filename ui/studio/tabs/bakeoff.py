"""The Bake-off tab: strategies side by side (a table, a bar chart, the verdict), read from
registry.db, so bake-offs started from the CLI show here too; and a form that starts a
bake-off of the run card as ``tunekit bakeoff`` in its own process, as runs are started.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import gradio as gr
import pandas as pd
from tunekit.errors import TunekitError
from tunekit.spec import parse_spec
from tunekit.tools.bakeoff import DEFAULT_ORDER, BakeoffReport, load_bakeoff
from tunekit.ui.studio.jobs.runs import tail
from tunekit.ui.studio.jobs.sweeps import GroupJob
from tunekit.ui.studio.sharing import SHARED_OFF
from tunekit.ui.studio.tabs.curves import dataset_label
from tunekit.ui.studio.tabs.sweeps import SweepsView

BAKEOFF_LIMIT = 100
CHART_COLUMNS = ["entry", "score"]


# ---------------------------------------------------------------- the page


def lay_out_bakeoff(page: Any, manager: Any) -> None:
    """The tab's components (call inside its ``gr.Tab``)."""
    strategies = manager.names("strategy")
    with gr.Row():
        gr.Markdown("Strategies trained on the same data and seed, side by side: every "
                    "bake-off in registry.db, from the studio or `tunekit bakeoff`.")
        page.bakeoff_refresh = gr.Button("Refresh", size="sm", scale=0, min_width=100,
                                         elem_id="tk-bakeoff-refresh")
    page.bakeoff_pick = gr.Dropdown(label="Bake-off", choices=[], elem_id="tk-bakeoff-pick")
    page.bakeoff_summary = gr.Markdown(elem_id="tk-bakeoff-summary")
    page.bakeoff_chart = gr.BarPlot(x=CHART_COLUMNS[0], y=CHART_COLUMNS[1], sort="-y",
                                    label="Validation score by entry", y_lim=[0, None],
                                    elem_id="tk-bakeoff-chart")
    page.bakeoff_table = gr.Dataframe(label="Side by side", interactive=False, wrap=True,
                                      elem_id="tk-bakeoff-table")
    with gr.Accordion("Start a bake-off of the run card", open=False):
        gr.Markdown("Trains the spec on the Studio tab's run card once per strategy chosen, "
                    "each with its own recommended epochs and learning rate unless the card "
                    "sets them.")
        page.bakeoff_strategies = gr.CheckboxGroup(
            label="Strategies", choices=strategies,
            value=[s for s in DEFAULT_ORDER if s in strategies], elem_id="tk-bakeoff-strategies")
        page.bakeoff_scratch = gr.Checkbox(label="also train the same model from random weights "
                                                 "(what pretraining is worth)", value=False,
                                           elem_id="tk-bakeoff-scratch")
        with gr.Row():
            page.bakeoff_start = gr.Button("Start the bake-off", variant="primary",
                                           elem_id="tk-bakeoff-start")
            page.bakeoff_stop = gr.Button("Stop", variant="stop", interactive=False,
                                          elem_id="tk-bakeoff-stop")
        page.bakeoff_status = gr.Markdown(elem_id="tk-bakeoff-status")
    page.bakeoff_timer = gr.Timer(2.0)


# ---------------------------------------------------------------- shaping a report


def table_frame(report: BakeoffReport) -> pd.DataFrame:
    """The report's rows as the table shows them (numbers rounded, the best marked)."""
    rows = report.rows()
    if not rows:
        return pd.DataFrame(columns=["entry", "run", "status"])
    best = report.best
    for contender, row in zip(report.contenders, rows, strict=True):
        for key, value in row.items():
            if isinstance(value, float) and key.startswith(("val ", "test ")):
                row[key] = round(value, 4)
        if best is not None and contender is best:
            row["entry"] = f"★ {row['entry']}"
    return pd.DataFrame(rows, columns=list(rows[0]))


def chart_frame(report: BakeoffReport) -> pd.DataFrame:
    """One bar per completed entry: its validation score on the deciding metric."""
    rows = [(c.label, c.score(report.metric)) for c in report.contenders
            if c.score(report.metric) is not None]
    return pd.DataFrame(rows, columns=CHART_COLUMNS)


def describe(report: BakeoffReport, planned: int) -> str:
    done = sum(1 for c in report.contenders if c.status not in ("queued", "running"))
    lines = [f"### Bake-off {report.sweep_id}: {report.status}",
             f"Validation **{report.metric}** decides · {done} of {planned} entries done"]
    if report.contenders:
        lines += [f"- {line}" for line in report.verdict]
        lines += [f"- _{line}_" for line in report.notes]
    return "\n\n".join(lines[:2]) + ("\n\n" + "\n".join(lines[2:]) if lines[2:] else "")


# ---------------------------------------------------------------- state and launching


@dataclass
class Desk:
    """What the Bake-off tab remembers: the process it started, and per browser tab the
    bake-off shown and what was last sent (``view``, as the Sweeps tab's)."""

    studio: Any
    job: GroupJob | None = None
    view: SweepsView = field(default_factory=SweepsView)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, session: Any, strategies: list[str] | None, scratch: bool) -> str:
        """Start a bake-off of the session's run card; returns what happened, in words."""
        if self.studio.safety.isolated:
            return f"⚠️ {SHARED_OFF.format(what='Bake-offs')}"
        strategies = [s for s in strategies or [] if s]
        if not strategies and not scratch:
            return "⚠️ Choose at least one strategy."
        with self.lock:
            if self.job is not None and self.job.alive:
                return "⚠️ A bake-off is still going: stop it or wait for it to finish."
            if self.studio.runner.active_job() is not None:
                return "⚠️ A run is still going: wait for it before starting a bake-off."
            spec = session.assistant.spec()
            base_dir = session.assistant.base_dir
            try:
                parse_spec(spec, self.studio.manager, base_dir=base_dir)
            except TunekitError as exc:
                return f"⚠️ The run card is not ready: {exc}"
            runner = self.studio.runner
            spec_path = runner.write_spec(spec, base_dir, "bakeoff")
            command = runner.cli("bakeoff", spec_path, "--strategies", ",".join(strategies),
                                 "--quiet", *(["--scratch"] if scratch else []))
            log_path = runner.folder / "logs" / f"{spec_path.stem}.log"
            self.job = GroupJob(runner.spawn(command, log_path), log_path, time.time())
            self.view.selected.pop(session.key, None)  # show the new one as soon as it exists
        entries = ", ".join(strategies + (["scratch"] if scratch else []))
        return f"Starting a bake-off of {entries}…"

    def follow(self) -> GroupJob | None:
        """The studio's bake-off process, with the sweep id it registered once it has one."""
        return self.job.follow(self.studio.registry, "bakeoff") if self.job else None

    def stop(self) -> str:
        if self.job is None or not self.job.alive:
            return "No bake-off of this studio is running."
        self.job.stop()
        return "Stopping the bake-off…"

    def stop_all(self) -> None:
        if self.job is not None:
            self.job.stop_and_wait()


# ---------------------------------------------------------------- the views


def render_bakeoffs(page: Any, desk: Desk, session: Any) -> dict[Any, Any]:
    """Every view of the tab for this session: the list, the bake-off shown, the launcher."""
    registry = desk.studio.registry
    job = desk.follow()
    records = registry.sweeps(kind="bakeoff", limit=BAKEOFF_LIMIT)
    choices = [(_label(r), r.id) for r in records]
    chosen = desk.view.selected.get(session.key)
    if chosen is None or all(r.id != chosen for r in records):
        chosen = job.sweep_id if job is not None and job.sweep_id else (
            records[0].id if records else None)
    running = job is not None and job.alive
    status = session_status(job)
    views: dict[Any, Any] = {page.bakeoff_pick: gr.update(choices=choices, value=chosen),
                             page.bakeoff_status: status,
                             page.bakeoff_stop: gr.update(interactive=running),
                             page.bakeoff_start: gr.update(interactive=not running)}
    if chosen is None:
        views.update({page.bakeoff_summary: "No bake-off yet: start one below, or run "
                                            "`tunekit bakeoff SPEC --strategies a,b,c`.",
                      page.bakeoff_table: pd.DataFrame(columns=["entry", "run", "status"]),
                      page.bakeoff_chart: pd.DataFrame(columns=CHART_COLUMNS)})
        return views
    report = load_bakeoff(registry, chosen)
    planned = len(registry.get_sweep(chosen).space.get("entries", [])) or len(report.contenders)
    views.update({page.bakeoff_summary: describe(report, planned),
                  page.bakeoff_table: table_frame(report),
                  page.bakeoff_chart: gr.update(value=chart_frame(report),
                                                y_title=f"validation {report.metric}")})
    return views


def session_status(job: GroupJob | None) -> str:
    if job is None:
        return ""
    which = f"Bake-off {job.sweep_id}" if job.sweep_id else "The bake-off"
    if job.alive:
        return f"{which} is running (log: `{job.log_path.name}`)."
    code = job.process.returncode
    ended = {0: "finished", 130: "was stopped"}.get(code, f"ended with exit code {code}")
    last = tail(job.log_path, lines=3)
    return f"{which} {ended}." + (f"\n\n```\n{last}\n```" if code not in (0, 130) and last
                                  else "")


def fingerprint(desk: Desk, session: Any) -> str:
    """What the tab shows, in short: it changes when a bake-off or one of its runs does."""
    registry = desk.studio.registry
    job = desk.follow()
    records = registry.sweeps(kind="bakeoff", limit=BAKEOFF_LIMIT)
    chosen = desk.view.selected.get(session.key) or (job.sweep_id if job else None) or (
        records[0].id if records else None)
    runs = [(r.id, r.status) for r in registry.sweep_runs(chosen)] if chosen else []
    return json.dumps([[(r.id, r.status) for r in records], chosen, runs,
                       job.alive if job else None, job.sweep_id if job else None])


def _label(record: Any) -> str:
    entries = [e.get("label", "?") for e in record.space.get("entries", [])]
    return (f"bake-off {record.id} · {record.status} · {', '.join(entries)} · "
            f"{dataset_label(record.spec)}")


def connect_bakeoff(wiring: Any, desk: Desk) -> None:
    """Wire the tab's events (called from ``Wiring.connect``)."""
    page = wiring.page

    def start(session: Any, strategies: Any, scratch: Any) -> None:
        said = desk.start(session, list(strategies or []), bool(scratch))
        if said.startswith("⚠️"):
            session.notice = said

    def stop(session: Any) -> None:
        session.notice = desk.stop()

    def poll(session: Any) -> dict[str, Any] | None:
        return desk.view.poll(session, fingerprint(desk, session))

    def remember(session: Any) -> None:
        desk.view.shown[session.key] = fingerprint(desk, session)

    wiring.on([page.bakeoff_tab.select, page.bakeoff_refresh.click], remember, [],
              ("bakeoff",), "bakeoffs")
    wiring.on([page.bakeoff_pick.input], desk.view.pick, [page.bakeoff_pick], ("bakeoff",),
              "open_bakeoff")
    wiring.on([page.bakeoff_start.click], start,
              [page.bakeoff_strategies, page.bakeoff_scratch], ("bakeoff",), "start_bakeoff")
    wiring.on([page.bakeoff_stop.click], stop, [], ("bakeoff",), "stop_bakeoff")
    wiring.on([page.bakeoff_timer.tick], poll, [], ("bakeoff",), "poll_bakeoff", quiet=True)
