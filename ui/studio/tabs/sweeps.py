"""Sweeps in the studio: a form on the run card that starts one (sweeps.py), and the Sweeps
tab, which shows every sweep in registry.db — its trials, their values and scores, the best —
whether it was started here, by the assistant or by ``tunekit sweep``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import gradio as gr
import pandas as pd
from tunekit.ui.studio.jobs.rate_finder import failure
from tunekit.ui.studio.jobs.sweeps import SAMPLER_CHOICES, split_params
from tunekit.ui.studio.tabs.curves import dataset_label, duration

SWEEP_LIMIT = 100
TABLE_COLUMNS = ["trial", "run", "state", "values", "score", "time s"]
NO_CHANGE = {"__views__": ["none"]}


# ---------------------------------------------------------------- the page


def lay_out_sweep_form(page: Any) -> None:
    """The run card's sweep form (call inside the card, after the Training section)."""
    with gr.Accordion("Try several values (sweep)", open=False):
        page.sweep_params = gr.Textbox(
            label="Fields and values", lines=1, elem_id="tk-sweep-params",
            placeholder="training.learning_rate=1e-4,3e-4,1e-3; strategy.r=4,8",
            info="one field per part (;), values as a list (a,b,c) or a range (1e-5..1e-3:log)")
        with gr.Row():
            page.sweep_sampler = gr.Dropdown(
                label="Search", choices=list(SAMPLER_CHOICES), value="auto",
                info="auto: every combination of listed values, else Optuna's TPE",
                elem_id="tk-sweep-sampler")
            page.sweep_trials = gr.Number(label="Trials at most", precision=0, value=0,
                                          info="0: the whole grid, or 10",
                                          elem_id="tk-sweep-trials")
        page.sweep_start = gr.Button("Start the sweep", elem_id="tk-sweep-start")
        page.sweep_status = gr.Markdown(elem_id="tk-sweep-status")


def lay_out_sweeps_tab(page: Any) -> None:
    """The Sweeps tab's components (call inside its ``gr.Tab``)."""
    with gr.Row():
        gr.Markdown("The run card trained with other values of some fields, keeping the best "
                    "by a validation score: every sweep in registry.db, from the studio or "
                    "`tunekit sweep`.")
        page.sweep_refresh = gr.Button("Refresh", size="sm", scale=0, min_width=100,
                                       elem_id="tk-sweep-refresh")
    with gr.Row():
        page.sweep_pick = gr.Dropdown(label="Sweep", choices=[], scale=4,
                                      elem_id="tk-sweep-pick")
        page.sweep_stop = gr.Button("Stop", variant="stop", interactive=False, scale=1,
                                    elem_id="tk-sweep-stop")
    page.sweep_summary = gr.Markdown(elem_id="tk-sweep-summary")
    page.sweep_table = gr.Dataframe(label="Trials", interactive=False, wrap=True,
                                    elem_id="tk-sweep-table")
    page.sweep_timer = gr.Timer(2.0)


# ---------------------------------------------------------------- a sweep, read from the registry


def trial_rows(record: Any, runs: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        score = run.metrics.get(record.metric)
        trial = "" if run.trial is None else str(run.trial)
        rows.append({"trial": f"★ {trial}" if run.id == record.best_run_id else trial,
                     "run": run.id, "state": run.trial_state or run.status,
                     "values": run.trial_label or "",
                     "score": round(score, 4) if isinstance(score, int | float) else None,
                     "time s": round(duration(run) or 0.0, 1)})
    return rows


def trials_frame(record: Any, runs: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(trial_rows(record, runs), columns=TABLE_COLUMNS)
    return frame.rename(columns={"score": f"val {record.metric}"})


def best_run(record: Any, runs: list[Any]) -> Any:
    """The best completed trial so far (the recorded one once the sweep has ended)."""
    done = [r for r in runs if (r.trial_state or r.status) == "completed"
            and isinstance(r.metrics.get(record.metric), int | float)]
    if record.best_run_id is not None:
        return next((r for r in runs if r.id == record.best_run_id), None)
    if not done:
        return None
    pick = min if record.direction == "minimize" else max
    return pick(done, key=lambda r: r.metrics[record.metric])


def describe(record: Any, runs: list[Any]) -> str:
    settings, summary = record.settings, record.summary
    fields = ", ".join(f"`{f}`" for f in record.space) or "nothing"
    budget = settings.get("trials")
    ended = sum(1 for r in runs if r.status not in ("queued", "running"))
    lines = [f"### Sweep {record.id}: {record.status}",
             f"{record.sampler or 'grid'} search over {fields} · validation **{record.metric}** "
             f"({record.direction}) · {ended}{f' of {budget}' if budget else ''} trials done"]
    best = best_run(record, runs)
    if best is not None:
        lines.append(f"**Best**: trial {best.trial} (run {best.id}), validation {record.metric} "
                     f"**{best.metrics[record.metric]:.4f}** with {best.trial_label}")
    if summary.get("stopped"):
        lines.append(f"_Stopped because {summary['stopped']}._")
    if record.output_path:
        lines.append(f"Best spec: `{record.output_path}` (`tunekit run {record.output_path}`)")
    if record.error and not best:
        lines.append(f"⚠️ {record.error}")
    return "\n\n".join(lines)


def _label(record: Any) -> str:
    return (f"sweep {record.id} · {record.status} · {', '.join(record.space)} · "
            f"{dataset_label(record.spec)}")


# ---------------------------------------------------------------- the views


@dataclass
class SweepsView:
    """What a tab of sweeps (the Sweeps tab; the Bake-off tab, a bake-off being a sweep of
    strategies) remembers per browser tab: the sweep shown, and the fingerprint of what was
    last sent, so that its timer sends only changes."""

    selected: dict[str, int] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)

    def pick(self, session: Any, sweep_id: Any) -> None:
        """Show the sweep picked; a blank or odd pick forgets it (the tab's default shows)."""
        try:
            self.selected[session.key] = int(sweep_id)
        except (TypeError, ValueError):
            self.selected.pop(session.key, None)

    def poll(self, session: Any, now: str) -> dict[str, Any] | None:
        """What the timer answers: NO_CHANGE while the fingerprint ``now`` is the one last
        sent; else None, which renders the tab, ``now`` remembered as sent."""
        if self.shown.get(session.key) == now:
            return NO_CHANGE
        self.shown[session.key] = now
        return None


def render_sweeps(page: Any, view: SweepsView, session: Any) -> dict[Any, Any]:
    launcher = session.studio.sweeps
    registry = session.studio.registry
    job = launcher.follow()
    records = registry.sweeps(kind="sweep", limit=SWEEP_LIMIT)
    chosen = _chosen(view, session, job, records)
    views: dict[Any, Any] = {
        page.sweep_pick: gr.update(choices=[(_label(r), r.id) for r in records], value=chosen),
        page.sweep_stop: gr.update(interactive=job is not None and job.alive)}
    record = registry.get_sweep(chosen) if chosen is not None else None
    if record is None:
        views[page.sweep_summary] = ("No sweep yet: start one from the run card (Try several "
                                     "values), ask the assistant (\"try learning rates 1e-4 and "
                                     "3e-4\"), or run `tunekit sweep SPEC --param FIELD=VALUES`.")
        views[page.sweep_table] = pd.DataFrame(columns=TABLE_COLUMNS)
        return views
    runs = registry.sweep_runs(record.id)
    views[page.sweep_summary] = describe(record, runs)
    views[page.sweep_table] = trials_frame(record, runs)
    return views


def render_sweep_form(page: Any, session: Any) -> dict[Any, Any]:
    job = session.studio.sweeps.follow()
    running = job is not None and job.alive
    return {page.sweep_start: gr.update(interactive=not running),
            page.sweep_status: form_status(job, session.studio.registry)}


def form_status(job: Any, registry: Any) -> str:
    if job is None:
        return ""
    which = f"Sweep {job.sweep_id}" if job.sweep_id else "The sweep"
    if job.alive:
        done = sum(1 for r in registry.sweep_runs(job.sweep_id)
                   if r.status not in ("queued", "running")) if job.sweep_id else 0
        return (f"⏳ {which} is running: {done} of {job.trials} trials done (see the **Sweeps** "
                "tab).")
    code = job.process.returncode
    if code == 0:
        return f"✅ {which} finished: see the **Sweeps** tab."
    return f"⚠️ {which} did not finish: {failure(job.log_path, code)}"


def _chosen(view: SweepsView, session: Any, job: Any, records: list[Any]) -> int | None:
    chosen = view.selected.get(session.key)
    if chosen is None or all(r.id != chosen for r in records):
        chosen = job.sweep_id if job is not None and job.sweep_id else (
            records[0].id if records else None)
    return chosen


def fingerprint(view: SweepsView, session: Any) -> str:
    """What the tab and the form show, in short: it changes when a sweep or a trial does."""
    registry = session.studio.registry
    job = session.studio.sweeps.follow()
    records = registry.sweeps(kind="sweep", limit=SWEEP_LIMIT)
    chosen = _chosen(view, session, job, records)
    runs = [(r.id, r.status, r.trial_state) for r in registry.sweep_runs(chosen)] \
        if chosen else []
    return json.dumps([[(r.id, r.status) for r in records], chosen, runs,
                       job.alive if job else None, job.sweep_id if job else None])


def connect_sweeps(wiring: Any) -> None:
    """Wire the sweep form and the Sweeps tab (called from ``Wiring.connect``)."""
    page = wiring.page
    view = SweepsView()
    wiring.renderers["sweeps"] = lambda s: {**render_sweeps(page, view, s),
                                            **render_sweep_form(page, s)}

    def start(session: Any, params: Any, sampler: Any, trials: Any) -> None:
        session.start_sweep(split_params(str(params or "")), sampler, trials)
        view.selected.pop(session.key, None)  # show the new one as soon as it exists

    def stop(session: Any) -> None:
        session.notice = session.studio.sweeps.stop()

    def poll(session: Any) -> dict[str, Any] | None:
        return view.poll(session, fingerprint(view, session))

    def remember(session: Any) -> None:
        view.shown[session.key] = fingerprint(view, session)

    wiring.on([page.sweep_start.click], start,
              [page.sweep_params, page.sweep_sampler, page.sweep_trials], ("chat", "sweeps"),
              "start_sweep")
    wiring.on([page.sweeps_tab.select, page.sweep_refresh.click], remember, [], ("sweeps",),
              "sweeps")
    wiring.on([page.sweep_pick.input], view.pick, [page.sweep_pick], ("sweeps",), "open_sweep")
    wiring.on([page.sweep_stop.click], stop, [], ("sweeps",), "stop_sweep")
    wiring.on([page.sweep_timer.tick], poll, [], ("sweeps",), "poll_sweeps", quiet=True)
