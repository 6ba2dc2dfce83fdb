"""The learning-rate finder on the run card: a button that starts it (rate_finder.py), its
status while it runs, then the plot and the suggestion with a "Use this rate" button that sets
the card's learning rate the way a form edit does (the chat hears of it too)."""

from __future__ import annotations

from typing import Any

import gradio as gr
from tunekit.ui.studio.jobs.rate_finder import DEFAULT_STEPS, MAX_STEPS, MIN_STEPS

NO_CHANGE = {"__views__": ["none"]}
ABOUT = ("_The finder trains a throwaway copy of this run for a few hundred steps while the "
         "rate grows, and suggests a rate from how the loss falls._")


def lay_out_rate_finder(page: Any) -> None:
    """The finder's components (call inside the run card's Training section)."""
    with gr.Group():
        with gr.Row(equal_height=True):
            page.rate_find = gr.Button("Find a learning rate", scale=2, elem_id="tk-rate-find")
            # no minimum/maximum here: the finder says what is wrong in its own words
            page.rate_steps = gr.Number(label="Finder steps", value=DEFAULT_STEPS, precision=0,
                                        info=f"{MIN_STEPS} to {MAX_STEPS}; fewer is quicker "
                                             "and rougher", scale=1, elem_id="tk-rate-steps")
        page.rate_status = gr.Markdown(ABOUT, elem_id="tk-rate-status")
        page.rate_plot = gr.Image(label="Loss against learning rate", type="filepath",
                                  interactive=False, visible=False, elem_id="tk-rate-plot")
        page.rate_use = gr.Button("Use this rate", visible=False, elem_id="tk-rate-use")
    page.rate_timer = gr.Timer(1.0)


def render_rate(page: Any, session: Any) -> dict[Any, Any]:
    job = session.studio.rate_finder.job(session.key)
    views: dict[Any, Any] = {page.rate_find: gr.update(interactive=job is None or not job.alive)}
    plot = job.plot_path if job is not None and job.plot_path.exists() and not job.alive \
        else None
    views[page.rate_plot] = gr.update(value=str(plot) if plot else None, visible=bool(plot))
    rate = job.suggestion if job is not None and not job.alive else None
    views[page.rate_use] = gr.update(value=f"Use this rate ({rate:.2g})" if rate else
                                     "Use this rate", visible=rate is not None)
    views[page.rate_status] = status(job)
    return views


def status(job: Any) -> str:
    if job is None:
        return ABOUT
    if job.alive:
        return (f"⏳ Finding a learning rate: up to {job.steps} steps of a throwaway copy of this "
                "run…")
    if job.error:
        return f"⚠️ The learning-rate finder failed: {job.error}"
    finding = job.finding or {}
    notes = " ".join(f"_{note}_" for note in finding.get("notes") or [])
    if job.suggestion is None:
        return f"No clear rate from this test. {notes}".strip()
    lowest, steepest = finding.get("min_loss_rate"), finding.get("steepest_rate")
    said = f"Suggested learning rate: **{job.suggestion:.2g}** (lowest loss at {lowest:.2g}"
    said += f", steepest fall at {steepest:.2g})" if steepest else ")"
    return f"{said}. {notes}".strip()


def connect_rate_finder(wiring: Any) -> None:
    """Wire the finder's events (called from ``Wiring.connect``)."""
    page = wiring.page
    shown: dict[str, Any] = {}  # what each tab last got, so the timer sends only changes

    def find(session: Any, steps: Any) -> None:
        session.find_rate(steps=steps)

    def use(session: Any) -> None:
        session.use_rate()

    def poll(session: Any) -> dict[str, Any] | None:
        if session.follow_rate():
            shown.pop(session.key, None)
            return {"__views__": ["rate", "chat"]}
        job = session.studio.rate_finder.job(session.key)
        now = None if job is None else (id(job), job.alive, job.error, job.finding is None)
        if shown.get(session.key, "never") == now:
            return NO_CHANGE
        shown[session.key] = now
        return {"__views__": ["rate"]}

    wiring.renderers["rate"] = lambda s: render_rate(page, s)
    wiring.on([page.rate_find.click], find, [page.rate_steps], ("chat", "rate"), "find_rate")
    wiring.on([page.rate_use.click], use, [], ("chat", "card", "data", "rate"), "use_rate")
    wiring.on([page.rate_timer.tick], poll, [], ("rate", "chat"), "poll_rate", quiet=True)
