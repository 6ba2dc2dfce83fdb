"""The run monitor: status, progress with ETA, live curves, log tail, stop — read from
registry.db (and the run's log file) every time the page polls."""

from __future__ import annotations

import html
import json
from typing import Any

import gradio as gr
from tunekit.ui.studio.jobs.runs import FINAL_STATUSES, tail
from tunekit.ui.studio.layout import Page
from tunekit.ui.studio.session import Session
from tunekit.ui.studio.tabs.curves import dataset_label, loss_frame, metric_frame, progress
from tunekit.ui.studio.tabs.generations import generations_markdown

STATUS_COLOURS = {"completed": "#16a34a", "failed": "#dc2626", "cancelled": "#d97706",
                  "interrupted": "#d97706", "running": "#2563eb", "queued": "#6b7280"}


def render_monitor(page: Page, session: Session) -> dict[Any, Any]:
    studio = session.studio
    run_id, job = session.current_run()
    if run_id is None:
        if job is None:
            return {page.run_status: "No run yet: start one from the chat or the run card.",
                    page.progress: "", page.loss_plot: loss_frame([]),
                    page.metric_plot: metric_frame([]), page.log_tail: "",
                    page.stop: gr.update(interactive=False)}
        position = studio.runner.position(job)
        if position is not None:
            slots = studio.runner.max_concurrent
            return {page.run_status: f"**New run** — waiting in the queue: position {position} "
                                     f"({slots} run{'s' if slots > 1 else ''} train at once "
                                     "here; it starts by itself when one ends)",
                    page.progress: progress_bar(0.0, f"queued: position {position}", "queued"),
                    page.loss_plot: loss_frame([]), page.metric_plot: metric_frame([]),
                    page.log_tail: "", page.stop: gr.update(interactive=True)}
        state = "stopping…" if job.stop_requested else "starting (loading tunekit)…"
        return {page.run_status: f"**New run** — {state}",
                page.progress: progress_bar(0.0, "preparing…", "queued"),
                page.loss_plot: loss_frame([]), page.metric_plot: metric_frame([]),
                page.log_tail: tail(job.log_path),
                page.stop: gr.update(interactive=job.alive)}
    record = studio.registry.get_run(run_id)
    if record is None:
        return {page.run_status: f"Run {run_id} is not in the registry."}
    points = studio.registry.metric_points(run_id)
    state = progress(record, points)
    summary = json.loads(record.summary_json or "{}")
    where = f" on {record.device}" if record.device else ""
    lines = [f"**Run {record.id}** — <span style='color:{STATUS_COLOURS.get(record.status, '')}'>"
             f"**{record.status}**</span>{where} · {dataset_label(record.spec)} → "
             f"{record.backbone} with {record.strategy}"]
    if summary.get("strategy"):
        lines.append(f"{summary['strategy']}")
    if record.error and record.status != "cancelled":
        lines.append(f"⚠️ {record.error}")
    generations = generations_markdown(record)  # causal-lm: what it said after each epoch
    if generations:
        lines.append(generations)
    active = record.status not in FINAL_STATUSES
    stopping = job is not None and job.stop_requested and active
    log_path = studio.runner.log_path(run_id) or (job.log_path if job else None)
    return {
        page.run_status: "\n\n".join(lines),
        page.progress: progress_bar(state["fraction"],
                                    "stopping…" if stopping else state["line"], record.status),
        page.loss_plot: loss_frame(points),
        page.metric_plot: metric_frame(points),
        page.log_tail: tail(log_path),
        page.stop: gr.update(interactive=active and not stopping),
    }


def progress_bar(fraction: float, line: str, status: str) -> str:
    """A progress bar in plain HTML (no script), with its line of text under it."""
    colour = STATUS_COLOURS.get(status, "#2563eb")
    percent = max(0.0, min(1.0, fraction)) * 100
    return (f"<div style='background:#e5e7eb;border-radius:6px;height:14px;overflow:hidden'>"
            f"<div role='progressbar' aria-valuenow='{percent:.0f}' aria-valuemin='0' "
            f"aria-valuemax='100' style='width:{percent:.1f}%;height:100%;background:{colour};"
            f"transition:width .5s'></div></div>"
            f"<div style='font-size:0.9em;margin-top:4px'>{percent:.0f}% · "
            f"{html.escape(line)}</div>")
