"""The Studio tab's left and right halves, as values: the chat and its choices, the run card
(the spec as a form) and the data preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from tunekit.ui.studio.files import label_counts
from tunekit.ui.studio.jobs.runs import absolute_paths
from tunekit.ui.studio.layout import Page
from tunekit.ui.studio.session import Session
from tunekit.ui.studio.tabs.data_check import check_view
from tunekit.ui.studio.tabs.form import update

MAX_LABEL_BARS = 30


def render_chat(page: Page, session: Session) -> dict[Any, Any]:
    updates: dict[Any, Any] = {
        page.notice: gr.update(value=session.notice, visible=bool(session.notice)),
        page.chatbot: list(session.messages),
    }
    for i, button in enumerate(page.choices):
        label = session.choices[i] if i < len(session.choices) else None
        updates[button] = gr.update(value=label or "", visible=bool(label))
    return updates


def render_card(page: Page, session: Session) -> dict[Any, Any]:
    assistant, manager = session.assistant, session.studio.manager
    spec = assistant.spec()
    selected = session.selected_names()
    task = spec.get("task") or "text-classification"
    preview = _current_preview(session, spec)
    columns = list(preview.columns) if preview else []
    updates: dict[Any, Any] = {}
    for field in page.fields:
        updates[page.widgets[field.key]] = gr.update(
            **update(field, spec, selected, manager, columns, task))
    try:
        summary = assistant.summary()
    except Exception:  # noqa: BLE001 - a draft that does not resolve has no summary yet
        summary = "_The run is not complete yet: see the chat._"
    if session.selected:
        picked = ", ".join(f"{slot}: {name}" for slot, name in session.selected.items())
        summary += f"\n\n_Picked in the form, waiting for its required fields: {picked}_"
    updates[page.summary] = summary
    exported = session.studio.downloads.spec_yaml(
        absolute_paths(spec, assistant.base_dir), session.key)
    updates[page.export] = gr.update(value=str(exported))
    return updates


def render_data(page: Page, session: Session) -> dict[Any, Any]:
    """The data preview and, beside it, the data check's findings (data_check.py)."""
    spec = session.assistant.spec()
    checked = session.studio.checks.check(spec, session.assistant.base_dir)
    return {**_preview(page, session, spec), page.data_check: check_view(checked)}


def _preview(page: Page, session: Session, spec: dict[str, Any]) -> dict[Any, Any]:
    preview = _current_preview(session, spec)
    dataset = spec.get("dataset") if isinstance(spec.get("dataset"), dict) else {}
    if preview is None:
        component = _dataset(session, dataset)
        about = f"**{component.title}** — {component.description}" if component else ""
        path = dataset.get("path")
        if path:
            about = f"**{Path(str(path)).name}**: no preview (the file is not here yet)."
        return {page.data_summary: about,
                page.data_rows: pd.DataFrame(),
                page.data_labels: pd.DataFrame(columns=["label", "count"])}
    if preview.problem:
        return {page.data_summary: f"⚠️ **{Path(preview.path).name}**: {preview.problem}",
                page.data_rows: pd.DataFrame(),
                page.data_labels: pd.DataFrame(columns=["label", "count"])}
    text_column = dataset.get("text_column") or preview.text_column
    label_column = dataset.get("label_column") or preview.label_column
    lines = [f"**{Path(preview.path).name}** — {preview.count} rows; columns: "
             + ", ".join(f"`{c}`" for c in preview.columns),
             f"text column: **{text_column or 'not chosen yet'}** · label column: "
             f"**{label_column or 'not chosen yet'}**"]
    labels = preview.labels
    if label_column and label_column != preview.label_column:  # chosen by the person
        labels = label_counts(preview.path, label_column)
    if labels:
        counts = sorted(labels.values())
        balance = counts[0] / counts[-1] if counts[-1] else 1
        lines.append(f"{len(labels)} labels; the rarest has {counts[0]} examples"
                     + (" — quite unbalanced" if balance < 0.3 else ""))
    shown = list(labels.items())[:MAX_LABEL_BARS]
    return {page.data_summary: "\n\n".join(lines),
            page.data_rows: pd.DataFrame(preview.rows, columns=preview.columns),
            page.data_labels: pd.DataFrame(shown, columns=["label", "count"])}


def _current_preview(session: Session, spec: dict[str, Any]) -> Any:
    """The assistant's preview when it is of the file the spec trains on."""
    preview = session.assistant.preview
    dataset = spec.get("dataset") if isinstance(spec.get("dataset"), dict) else {}
    path = dataset.get("path")
    if preview is None or not path:
        return None
    file = Path(str(path)).expanduser()
    if not file.is_absolute():
        file = session.assistant.base_dir / file
    try:
        same = Path(preview.path).expanduser().resolve() == file.resolve()
    except OSError:
        same = False
    return preview if same else None


def _dataset(session: Session, dataset: dict[str, Any]) -> Any:
    try:
        return session.studio.manager.get("dataset", str(dataset.get("name")))
    except Exception:  # noqa: BLE001
        return None
