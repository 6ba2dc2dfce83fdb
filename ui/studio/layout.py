"""The studio's screens, laid out: Studio (chat, run card, data, monitor), History, Bake-off,
Plugins.

``lay_out`` builds the components inside an open ``gr.Blocks`` and returns a ``Page`` that
names each of them; ``app.py`` wires the events, the view modules fill in the values.
Every component a person uses has an ``elem_id`` (``tk-...``; a form field's is
``field_id(key)``), so browser tests and custom CSS find it without depending on the layout.
"""

from __future__ import annotations

import re
from typing import Any

import gradio as gr
from tunekit.ui.studio.files import DATA_SUFFIXES
from tunekit.ui.studio.tabs.bakeoff import lay_out_bakeoff
from tunekit.ui.studio.tabs.curves import LOSS_COLUMNS, METRIC_COLUMNS
from tunekit.ui.studio.tabs.form import FormField, build_fields, make_widget
from tunekit.ui.studio.tabs.rate import lay_out_rate_finder
from tunekit.ui.studio.tabs.sweeps import lay_out_sweep_form, lay_out_sweeps_tab

CHOICE_BUTTONS = 4
# No ``height`` on the plots: with one, Gradio 6's chart keeps the field types of its first
# value (an empty frame: every column "nominal") and never draws the lines of later values.


class Page:
    """Every component of the page, by name (filled in by ``lay_out``)."""

    fields: list[FormField]
    widgets: dict[str, Any]  # field key -> component
    choices: list[gr.Button]

    def __init__(self) -> None:
        self.fields, self.widgets, self.choices = [], {}, []

    def group(self, *names: str) -> list[Any]:
        """The components of the named groups, in a fixed order (an event's outputs)."""
        members: list[Any] = []
        for name in names:
            for component in GROUPS[name](self):
                if component not in members:
                    members.append(component)
        return members

    def name_of(self, component: Any) -> str:
        for name, value in vars(self).items():
            if value is component:
                return name
        for i, button in enumerate(self.choices):
            if button is component:
                return f"choice_{i}"
        for key, widget in self.widgets.items():
            if widget is component:
                return f"field:{key}"
        return "?"


GROUPS = {
    "notice": lambda p: [p.notice],
    "chat": lambda p: [p.notice, p.chatbot, *p.choices],
    "card": lambda p: [p.summary, *p.widgets.values(), p.export],
    "data": lambda p: [p.data_summary, p.data_check, p.data_rows, p.data_labels],
    "monitor": lambda p: [p.run_status, p.progress, p.loss_plot, p.metric_plot, p.log_tail,
                          p.stop],
    "history": lambda p: [p.history_table, p.run_pick, p.compare_pick],
    "detail": lambda p: [p.detail_summary, p.detail_loss, p.detail_metrics, p.detail_confusion,
                         p.detail_spec, p.detail_files],
    "compare": lambda p: [p.compare_summary, p.compare_loss, p.compare_metric, p.compare_diff],
    "plugins": lambda p: [p.plugins_table, p.components_table, p.problems, p.plugin_pick,
                          p.plugin_disable, p.plugin_enable, p.plugin_note],
    "bakeoff": lambda p: [p.bakeoff_pick, p.bakeoff_summary, p.bakeoff_chart, p.bakeoff_table,
                          p.bakeoff_status, p.bakeoff_start, p.bakeoff_stop],
    "rate": lambda p: [p.rate_status, p.rate_plot, p.rate_use, p.rate_find],
    "sweeps": lambda p: [p.sweep_pick, p.sweep_summary, p.sweep_table, p.sweep_stop,
                         p.sweep_start, p.sweep_status],
    "tabs": lambda p: [p.tabs],
}


def field_id(key: str) -> str:
    """The elem_id of a form field: ``training.epochs`` -> ``tk-field-training-epochs``."""
    return "tk-field-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def loss_plot(label: str, elem_id: str) -> gr.LinePlot:
    return gr.LinePlot(x=LOSS_COLUMNS[0], y=LOSS_COLUMNS[1], color=LOSS_COLUMNS[2], label=label,
                       x_title="step", y_title="loss", elem_id=elem_id)


def metric_plot(label: str, elem_id: str) -> gr.LinePlot:
    return gr.LinePlot(x=METRIC_COLUMNS[0], y=METRIC_COLUMNS[1], color=METRIC_COLUMNS[2],
                       label=label, x_title="epoch", y_title="score", elem_id=elem_id)


def lay_out(manager: Any) -> Page:
    """Build the page's components (call inside ``with gr.Blocks()``)."""
    page = Page()
    gr.Markdown("## tunekit studio\nFine-tune a pretrained model on your data: say what you "
                "want, check the run card, start, watch, compare.")
    page.notice = gr.Markdown(visible=False, elem_id="tk-notice")
    with gr.Tabs(elem_id="tk-tabs") as page.tabs:
        with gr.Tab("Studio", id="studio", elem_id="tk-tab-studio"):
            _studio_tab(page, manager)
        with gr.Tab("History", id="history", elem_id="tk-tab-history") as page.history_tab:
            _history_tab(page)
        with gr.Tab("Bake-off", id="bakeoff", elem_id="tk-tab-bakeoff") as page.bakeoff_tab:
            lay_out_bakeoff(page, manager)
        with gr.Tab("Sweeps", id="sweeps", elem_id="tk-tab-sweeps") as page.sweeps_tab:
            lay_out_sweeps_tab(page)
        with gr.Tab("Plugins", id="plugins", elem_id="tk-tab-plugins") as page.plugins_tab:
            _plugins_tab(page, manager)
    page.timer = gr.Timer(1.0)
    return page


def _studio_tab(page: Page, manager: Any) -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            page.chatbot = gr.Chatbot(label="Assistant", height=520, buttons=["copy"],
                                      elem_id="tk-chat")
            with gr.Row():
                page.choices = [gr.Button(visible=False, size="sm", elem_classes="tk-choice",
                                          elem_id=f"tk-choice-{i}")
                                for i in range(CHOICE_BUTTONS)]
                page.choice_text = gr.Textbox(visible=False)  # "choose" by label (API)
            with gr.Row():
                page.message = gr.Textbox(show_label=False, scale=8, lines=1, autofocus=True,
                                          placeholder="Say what you want to train, or ask a "
                                                      "question… (Enter sends)",
                                          elem_id="tk-message")
                page.send = gr.Button("Send", variant="primary", scale=1, min_width=80,
                                      elem_id="tk-send")
                page.attach = gr.UploadButton("📎 Data", file_types=list(DATA_SUFFIXES),
                                              scale=1, min_width=90, elem_id="tk-attach")
        with gr.Column(scale=4):
            gr.Markdown("### Run card")
            page.summary = gr.Markdown(elem_id="tk-summary")
            _form(page, manager)
            with gr.Row():
                page.start = gr.Button("Start training", variant="primary", elem_id="tk-start")
                page.export = gr.DownloadButton("Export as YAML", variant="secondary",
                                                elem_id="tk-export")
    gr.Markdown("### Run monitor")
    with gr.Group():
        with gr.Row():
            page.run_status = gr.Markdown("No run yet.", elem_id="tk-run-status")
            page.stop = gr.Button("Stop", variant="stop", interactive=False, scale=0,
                                  min_width=100, elem_id="tk-stop")
        page.progress = gr.HTML("", elem_id="tk-progress")
        with gr.Row():
            page.loss_plot = loss_plot("Loss (train and validation)", "tk-loss-plot")
            page.metric_plot = metric_plot("Validation metrics", "tk-metric-plot")
        page.log_tail = gr.Textbox(label="Log", lines=8, max_lines=8, interactive=False,
                                   autoscroll=True, elem_id="tk-log")


def _form(page: Page, manager: Any) -> None:
    page.fields = build_fields(manager)
    sections = [("task", "Task", True), ("dataset", "Data", True),
                ("backbone", "Model", True), ("strategy", "Strategy", True),
                ("training", "Training", True), ("advanced", "Advanced training", False),
                ("outputs", "Metrics and exports", False)]
    for section, title, open_ in sections:
        fields = [f for f in page.fields if f.section == section]
        if section == "task":
            for field in fields:
                page.widgets[field.key] = _field_widget(field)
            continue
        with gr.Accordion(title, open=open_):
            for field in fields:
                page.widgets[field.key] = _field_widget(field)
            if section == "dataset":
                page.upload = gr.File(label="Upload a CSV or JSONL file",
                                      file_types=list(DATA_SUFFIXES), height=90,
                                      elem_id="tk-upload")
                page.data_summary = gr.Markdown(elem_id="tk-data-summary")
                page.data_check = gr.Markdown(elem_id="tk-data-check")
                page.data_rows = gr.Dataframe(label="First rows", interactive=False,
                                              max_height=220, wrap=True, elem_id="tk-data-rows")
                page.data_labels = gr.BarPlot(x="label", y="count", label="Labels",
                                              y_lim=[0, None], elem_id="tk-data-labels")
            if section == "training":
                lay_out_rate_finder(page)
        if section == "training":
            lay_out_sweep_form(page)


def _field_widget(field: FormField) -> gr.components.Component:
    widget = make_widget(field)
    widget.elem_id = field_id(field.key)  # read when the page's config is built
    return widget


def _history_tab(page: Page) -> None:
    with gr.Row():
        gr.Markdown("Every run recorded in registry.db, newest first.")
        page.refresh = gr.Button("Refresh", size="sm", scale=0, min_width=100,
                                 elem_id="tk-refresh")
    page.history_table = gr.Dataframe(interactive=False, max_height=320, elem_id="tk-history")
    with gr.Row():
        page.run_pick = gr.Dropdown(label="Run", choices=[], scale=3, elem_id="tk-run-pick")
        page.open_run = gr.Button("Open", scale=1, elem_id="tk-open-run")
        page.clone = gr.Button("Clone into a new run", scale=1, elem_id="tk-clone")
        # a cancelled, interrupted or failed run with a checkpoint carries on from it
        page.resume = gr.Button("Resume", scale=1, elem_id="tk-resume")
    # publish the picked run on the Hugging Face Hub, as `tunekit push` does
    with gr.Row():
        page.publish_repo = gr.Textbox(label="Hub repo", placeholder="ana/reviews-classifier",
                                       scale=3, elem_id="tk-publish-repo")
        page.publish_private = gr.Checkbox(label="private", value=False, scale=1,
                                           elem_id="tk-publish-private")
        page.publish_space = gr.Checkbox(label="as a Space (the demo app)", value=False,
                                         scale=1, elem_id="tk-publish-space")
        page.publish = gr.Button("Publish", scale=1, elem_id="tk-publish")
    page.detail_summary = gr.Markdown(elem_id="tk-detail-summary")
    with gr.Row():
        page.detail_loss = loss_plot("Loss", "tk-detail-loss")
        page.detail_metrics = metric_plot("Validation metrics", "tk-detail-metrics")
    with gr.Row():
        page.detail_confusion = gr.Dataframe(label="Confusion matrix (rows: true, columns: "
                                                   "predicted)", interactive=False,
                                             elem_id="tk-detail-confusion")
        page.detail_files = gr.File(label="Artifacts", file_count="multiple",
                                    interactive=False, elem_id="tk-detail-files")
    page.detail_spec = gr.Code(label="Spec", language="yaml", interactive=False, lines=8,
                               elem_id="tk-detail-spec")
    gr.Markdown("### Compare runs")
    with gr.Row():
        page.compare_pick = gr.Dropdown(label="Runs to compare", choices=[],
                                        multiselect=True, scale=3, elem_id="tk-compare-pick")
        page.compare_all = gr.Checkbox(label="show every field", value=False, scale=1,
                                       elem_id="tk-compare-all")
        page.compare = gr.Button("Compare", scale=1, elem_id="tk-compare")
    page.compare_summary = gr.Markdown(elem_id="tk-compare-summary")
    with gr.Row():
        page.compare_loss = gr.LinePlot(x="step", y="loss", color="run", label="Training loss",
                                        elem_id="tk-compare-loss")
        page.compare_metric = gr.LinePlot(x="epoch", y="value", color="run",
                                          label="Validation score", elem_id="tk-compare-metric")
    page.compare_diff = gr.Dataframe(label="Spec, side by side", interactive=False, wrap=True,
                                     elem_id="tk-compare-diff")


def _plugins_tab(page: Page, manager: Any) -> None:
    page.problems = gr.Markdown(elem_id="tk-problems")
    page.plugins_table = gr.Dataframe(label="Installed plugins", interactive=False,
                                      wrap=True, elem_id="tk-plugins-table")
    with gr.Row():
        # any name may be typed: a misspelled one is answered with the closest
        page.plugin_pick = gr.Dropdown(label="Plugin", choices=list(manager.plugins), scale=3,
                                       allow_custom_value=True, elem_id="tk-plugin-pick")
        page.plugin_disable = gr.Button("Disable", scale=1, elem_id="tk-plugin-disable")
        page.plugin_enable = gr.Button("Enable", scale=1, elem_id="tk-plugin-enable")
    page.plugin_note = gr.Markdown(elem_id="tk-plugin-note")
    page.components_table = gr.Dataframe(label="Components by kind", interactive=False,
                                         wrap=True, max_height=600,
                                         elem_id="tk-components-table")
