"""The studio app: the page (layout.py) wired to the sessions (session.py).

Every event runs one Session method under that session's lock and answers with the views it
touched (tabs/: studio.py, monitor.py, history.py, plugins.py; the protocol is in
tabs/__init__.py; background processes are in jobs/). Each event has an ``api_name``, so
``gradio_client`` drives the studio exactly as the page does. An unexpected error becomes one
line at the top of the page, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from tunekit import PluginManager, load_plugins
from tunekit.registry import Registry
from tunekit.ui.studio.layout import Page, lay_out
from tunekit.ui.studio.session import START, Session, Studio
from tunekit.ui.studio.sharing import Safety
from tunekit.ui.studio.tabs.bakeoff import Desk, connect_bakeoff, render_bakeoffs
from tunekit.ui.studio.tabs.curves import series_colours
from tunekit.ui.studio.tabs.form import FormField, triggers
from tunekit.ui.studio.tabs.history import render_compare, render_detail, render_history
from tunekit.ui.studio.tabs.monitor import render_monitor
from tunekit.ui.studio.tabs.plugins import change_plugin, render_plugins
from tunekit.ui.studio.tabs.rate import connect_rate_finder
from tunekit.ui.studio.tabs.studio import render_card, render_chat, render_data
from tunekit.ui.studio.tabs.sweeps import connect_sweeps

log = logging.getLogger("tunekit.studio")

Action = Callable[..., dict[Any, Any] | None]
# an action may return {VIEWS: [...]} to answer with fewer views than its event could
VIEWS = "__views__"

# Gradio runs one event of a kind at a time unless told otherwise: one session checking a big
# file made every other session's chat wait for it. Events touch their own session's state,
# so they run side by side, up to this many at once.
SESSION_EVENTS = 16
# Side by side, they still share the GIL: a data check (pure Python over 60k rows) held it for
# 5 ms slices, the default, and a chat beside it took 1.00 s instead of 0.15 s on 2 cores. With
# 0.5 ms slices the chat takes 0.33 s and the check 10% longer (measured 2026-12-07).
GIL_SLICE_S = 0.0005
# The events that may start a training (a confirmation in the chat, Start, Resume, a sweep or
# a bake-off) share one queue of one: two launches never run at once, so the runner's count
# of free slots is always read and taken by one of them.
LAUNCHES = ("chat", "choose", "start", "resume", "start_sweep", "start_bakeoff", "find_rate")


def build_app(manager: PluginManager | None = None, registry_path: str | Path | None = None,
              workdir: str | Path | None = None, plugins_dir: str | Path | None = None,
              manage_plugins: bool = True, safety: Safety | None = None) -> gr.Blocks:
    """The studio as a ``gr.Blocks`` (launch it yourself, or use ``serve``).

    ``manager`` defaults to the installed plugins plus ``plugins_dir`` (less those disabled in
    the registry); ``registry_path`` to ``$TUNEKIT_REGISTRY`` or ./registry.db; ``workdir``
    (uploads, spec files, logs) to the current folder. ``plugins_dir`` is also handed to every
    run process. ``manage_plugins`` False hides the Plugins tab's disable/enable switch (for a
    studio whose users should not change what the machine loads). ``safety`` holds the rules
    of a studio others reach (sharing.py; default: a local studio's). The app's ``studio``
    attribute is the shared state, ``output_names`` maps each api_name to its outputs' names.
    """
    plugins = str(plugins_dir) if plugins_dir else None
    manager = manager or load_plugins(plugins, registry=registry_path)
    registry = Registry.open(registry_path)
    studio = Studio(manager, registry, Path(workdir or Path.cwd()), plugins_dir=plugins,
                    safety=safety)
    with gr.Blocks(title="tunekit studio", analytics_enabled=False, fill_width=True) as blocks:
        page = lay_out(manager)
        wiring = Wiring(studio, page, manage_plugins=manage_plugins)
        wiring.connect(blocks)
    blocks.queue(default_concurrency_limit=SESSION_EVENTS)
    sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SLICE_S))
    blocks.studio = studio
    blocks.page = page
    blocks.output_names = wiring.output_names
    blocks.bakeoffs = wiring.bakeoffs
    return blocks


class Wiring:
    """Connects the page's events to session methods and views."""

    def __init__(self, studio: Studio, page: Page, manage_plugins: bool = True):
        self.studio = studio
        self.page = page
        self.manage_plugins = manage_plugins
        self.output_names: dict[str, list[str]] = {}
        self.bakeoffs = Desk(studio)  # the Bake-off tab's state (tabs/bakeoff.py)
        studio.bakeoffs = self.bakeoffs  # the assistant starts bake-offs too
        self.renderers: dict[str, Callable[[Session], dict[Any, Any]]] = {
            "chat": lambda s: render_chat(page, s),
            "card": lambda s: render_card(page, s),
            "data": lambda s: render_data(page, s),
            "monitor": lambda s: self._remember(s, render_monitor(page, s)),
            "history": lambda s: render_history(page, studio, s),
            "plugins": lambda s: render_plugins(page, studio.manager, studio.registry,
                                                self.manage_plugins),
            "bakeoff": lambda s: render_bakeoffs(page, self.bakeoffs, s),
        }

    # ------------------------------------------------------------ events

    def connect(self, blocks: gr.Blocks) -> None:
        page = self.page
        talk = ("chat", "card", "data", "monitor")
        self.on([page.message.submit, page.send.click], self.say, [page.message],
                [*talk, "message"], "chat", progress_on=page.chatbot)
        # a choice button sends its own label; clients call "choose" with the label instead
        # (gradio_client does not send values of buttons)
        for i, button in enumerate(page.choices):
            self.on([button.click], self.choose, [button], talk, f"choice_{i}",
                    progress_on=page.chatbot, private=True)
        self.on([page.choice_text.submit], self.choose, [page.choice_text], talk, "choose")
        self.on([page.start.click], lambda s: s.choose(START), [], talk, "start",
                progress_on=page.chatbot)
        self.on([page.attach.upload], self.upload, [page.attach], [*talk, "upload"], "upload")
        self.on([page.upload.upload], self.upload, [page.upload], [*talk, "upload"],
                "upload_form")
        for field in page.fields:
            widget = page.widgets[field.key]
            self.on(triggers(field, widget), self.edit(field), [widget],
                    ("chat", "card", "data"), field.api_name)
        self.on([page.timer.tick], self.poll, [], ("monitor", "chat", "history"), "poll",
                quiet=True)
        self.on([page.stop.click], self.stop, [], ("monitor",), "stop")
        self.on([page.refresh.click, page.history_tab.select], None, [], ("history",),
                "history")
        opened = self.on([page.open_run.click, page.run_pick.input], self.open_run,
                         [page.run_pick], ("detail",), "open_run")
        detail_charts = [page.detail_loss, page.detail_metrics]
        self.redraw_charts(opened, detail_charts)
        self.on([page.clone.click], self.clone, [page.run_pick],
                ("chat", "card", "data", "tabs"), "clone")
        self.on([page.resume.click], self.resume, [page.run_pick],
                ("chat", "monitor", "history", "tabs"), "resume")
        self.on([page.publish.click], self.publish,
                [page.run_pick, page.publish_repo, page.publish_private, page.publish_space],
                ("detail",), "publish")
        compared = self.on([page.compare.click], self.compare,
                           [page.compare_pick, page.compare_all], ("compare",), "compare")
        self.redraw_charts(compared, [page.compare_loss, page.compare_metric])
        self.on([page.plugins_tab.select], None, [], ("plugins",), "plugins")
        self.on([page.plugin_disable.click], self.switch_plugin(False), [page.plugin_pick],
                ("plugins",), "disable_plugin")
        self.on([page.plugin_enable.click], self.switch_plugin(True), [page.plugin_pick],
                ("plugins",), "enable_plugin")
        connect_bakeoff(self, self.bakeoffs)
        connect_rate_finder(self)
        connect_sweeps(self)
        self.redraw_charts(
            page.history_table.select(self.open_from_table, None, self.page.group("detail"),
                                      api_visibility="private", show_progress="hidden"),
            detail_charts)
        self.on([], None, [], (*talk, "history", "plugins"), "load", load=blocks)

    def on(self, triggers: list[Any], action: Action | None, inputs: list[Any],
           groups: tuple[str, ...] | list[str], api_name: str, *, load: gr.Blocks | None = None,
           quiet: bool = False, progress_on: Any = None, private: bool = False) -> Any:
        """Wire ``triggers`` to ``action(session, *values)``, answering with ``groups``."""
        names = list(groups)
        extra = [n for n in names if n in ("message", "upload")]
        outputs = self.page.group("notice", *[n for n in names if n not in extra])
        outputs += [getattr(self.page, n) for n in extra]
        handler = self._handler(action, names, len(inputs), quiet)
        # what gradio_client returns: every output but those it skips (buttons, tabs)
        self.output_names[api_name] = [self.page.name_of(c) for c in outputs if not c.skip_api]
        options: dict[str, Any] = {"api_name": api_name,
                                   "show_progress": "minimal" if progress_on else "hidden"}
        if progress_on is not None:
            options["show_progress_on"] = progress_on
        if private:
            options["api_visibility"] = "private"
        if api_name in LAUNCHES or api_name.startswith("choice_"):
            options.update(concurrency_id="launch", concurrency_limit=1)
        if load is not None:  # the page opened (or was refreshed)
            return load.load(handler, None, outputs, **options)
        if quiet:
            options["trigger_mode"] = "always_last"
        return gr.on(triggers=triggers, fn=handler, inputs=inputs or None, outputs=outputs,
                     **options)

    # Gradio 6 draws only the series a line chart had at its first draw: new data with a new
    # series is not drawn until a chart setting changes. So a chart that got new series gets
    # a new colour map (those series' colours) in a later update of its own: the next poll
    # for the monitor, a chained event for the history. (Sent with the data, it does not
    # redraw reliably.)

    def redraw_charts(self, event: Any, charts: list[Any]) -> None:
        """After ``event``, send the charts it gave new series to their new colour maps."""
        def recolour(request: gr.Request) -> dict[Any, Any]:
            session = self.studio.session(getattr(request, "session_hash", None))
            with session.lock:
                return {chart: gr.update(color_map=session.recolour.pop(id(chart)))
                        if id(chart) in session.recolour else gr.skip() for chart in charts}

        event.then(recolour, None, charts, api_visibility="private", show_progress="hidden")

    def _handler(self, action: Action | None, groups: list[str], arity: int,
                 quiet: bool) -> Callable[..., dict[Any, Any]]:
        def run(request: gr.Request | None, values: tuple[Any, ...]) -> dict[Any, Any]:
            session = self.studio.session(getattr(request, "session_hash", None))
            with session.lock:
                session.user = getattr(request, "username", None)  # None: no login
                said_before, hush = session.notice, quiet
                if not hush:
                    session.notice = ""
                updates: dict[Any, Any] = {}
                try:
                    with session.guarded():  # a confined studio reads no file outside it
                        updates.update((action(session, *values) if action else None) or {})
                except Exception as exc:  # one line for the person; the traceback for the log
                    log.exception("studio event failed")
                    session.notice = f"⚠️ Something went wrong: {type(exc).__name__}: {exc}"
                wanted = updates.pop(VIEWS, None) or groups
                if wanted == ["none"] and not session.notice:
                    # nothing happened (a field left as it was, e.g. the blur after Enter):
                    # what the page says stays, even when this answer comes after a newer one
                    session.notice = said_before
                    hush = True
                rendered = self._render(session, [g for g in wanted if g in self.renderers],
                                        hush)
                rendered.update(updates)
                note_colours(session, rendered)
                if not hush or "chat" in wanted:
                    rendered[self.page.notice] = gr.update(value=session.notice,
                                                           visible=bool(session.notice))
                else:  # an empty dict would read as one value: say "no change" explicitly
                    rendered.setdefault(self.page.notice, gr.skip())
                if session.notice.startswith("⚠️") and not hush:
                    gr.Warning(session.notice.removeprefix("⚠️").strip())
                return rendered

        # Gradio passes the request to a parameter annotated gr.Request: one signature per
        # number of inputs
        if arity == 0:
            def handler(request: gr.Request) -> dict[Any, Any]:
                return run(request, ())
        elif arity == 1:
            def handler(value: Any, request: gr.Request) -> dict[Any, Any]:
                return run(request, (value,))
        elif arity == 2:
            def handler(first: Any, second: Any, request: gr.Request) -> dict[Any, Any]:
                return run(request, (first, second))
        elif arity == 3:
            def handler(first: Any, second: Any, third: Any,
                        request: gr.Request) -> dict[Any, Any]:
                return run(request, (first, second, third))
        else:
            def handler(first: Any, second: Any, third: Any, fourth: Any,
                        request: gr.Request) -> dict[Any, Any]:
                return run(request, (first, second, third, fourth))
        return handler

    def _render(self, session: Session, groups: list[str], quiet: bool) -> dict[Any, Any]:
        rendered: dict[Any, Any] = {}
        for group in groups:
            try:
                views = self.renderers[group](session)
            except Exception as exc:
                log.exception("studio view %s failed", group)
                session.notice = f"⚠️ The {group} view failed: {type(exc).__name__}: {exc}"
                continue
            if quiet and group == "monitor":
                views = {k: v for k, v in views.items() if k in session.shown_changed}
            rendered.update(views)
        return rendered

    def _remember(self, session: Session, views: dict[Any, Any]) -> dict[Any, Any]:
        """Note which monitor values changed since the page last got them (the poll sends
        only those, so curves do not redraw every second)."""
        memo = session.shown
        changed = set()
        for component, value in list(views.items()):
            key = id(component)
            if key in session.recolour:  # new series last time: redraw (data on next poll)
                views[component] = gr.update(color_map=session.recolour.pop(key))
                memo.pop(key, None)
                changed.add(component)
                continue
            fingerprint = _fingerprint(value)
            if memo.get(key) != fingerprint:
                memo[key] = fingerprint
                changed.add(component)
        session.shown_changed = changed
        return views

    # ------------------------------------------------------------ actions

    def say(self, session: Session, text: str) -> dict[Any, Any]:
        session.say(text or "")
        return {self.page.message: ""}

    @staticmethod
    def choose(session: Session, label: str) -> None:
        session.choose(label or "")

    def upload(self, session: Session, file: Any) -> dict[Any, Any]:
        path = file if isinstance(file, str) or file is None else getattr(file, "name", None)
        session.upload(path)
        return {self.page.upload: None}

    def edit(self, field: FormField) -> Action:
        def edit(session: Session, value: Any) -> dict[Any, Any] | None:
            if not session.edit(field, value) and not session.notice:
                # nothing changed: leave every view as it is (no flicker, no lost typing)
                return {VIEWS: ["none"]}
            return None

        return edit

    @staticmethod
    def stop(session: Session) -> None:
        session.stop()

    def poll(self, session: Session) -> dict[Any, Any]:
        if session.follow_run():
            return {VIEWS: ["monitor", "chat", "history"]}
        return {VIEWS: ["monitor"]}

    def switch_plugin(self, enabled: bool) -> Action:
        def switch(session: Session, name: Any) -> None:
            session.notice = change_plugin(self.studio.manager, self.studio.registry, name,
                                           enabled, self.manage_plugins)

        return switch

    def open_run(self, session: Session, run_id: Any) -> dict[Any, Any]:
        return render_detail(self.page, self.studio, _as_int(run_id), session)

    def open_from_table(self, event: gr.SelectData, request: gr.Request) -> dict[Any, Any]:
        row = event.row_value or []
        session = self.studio.session(getattr(request, "session_hash", None))
        with session.lock:
            views = render_detail(self.page, self.studio, _as_int(row[0] if row else None),
                                  session)
            note_colours(session, views)
        return views

    def clone(self, session: Session, run_id: Any) -> dict[Any, Any]:
        number = _as_int(run_id)
        if number is None:
            session.notice = "⚠️ Pick a run to clone first."
            return {}
        if session.clone(number):
            return {self.page.tabs: gr.Tabs(selected="studio")}
        return {}

    def resume(self, session: Session, run_id: Any) -> dict[Any, Any]:
        number = _as_int(run_id)
        if number is None:
            session.notice = "⚠️ Pick a run to resume first."
            return {}
        if session.resume(number, in_chat=False):  # the monitor follows it on the Studio tab
            return {self.page.tabs: gr.Tabs(selected="studio")}
        return {}

    def publish(self, session: Session, run_id: Any, repo: Any, private: Any,
                space: Any) -> dict[Any, Any]:
        number = _as_int(run_id)
        if session.publish(number, repo, bool(private), bool(space)):
            return render_detail(self.page, self.studio, number, session)  # with its push
        return {}

    def compare(self, session: Session, run_ids: Any, everything: Any) -> dict[Any, Any]:
        return render_compare(self.page, self.studio, run_ids, bool(everything), session)


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def note_colours(session: Session, views: dict[Any, Any]) -> None:
    """Mark the line charts whose series changed in ``views`` for a redraw (see above)."""
    for chart, value in views.items():
        if isinstance(chart, gr.LinePlot) and isinstance(value, pd.DataFrame):
            colours = series_colours(value, chart.color)
            if colours and colours != session.colours.get(id(chart)):
                session.colours[id(chart)] = session.recolour[id(chart)] = colours


def _fingerprint(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        return value.to_json()
    return json.dumps(value, default=str, sort_keys=True)
