"""The History tab, as values: every run, one run opened, two or more runs compared.

The registry is shared by everyone, but a shared studio (sharing.py) shows each browser tab
only the runs it started: ``session`` given, the others are as if they did not exist."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr
import pandas as pd
import yaml
from tunekit.ui.commands.push import PUSHED
from tunekit.ui.studio.layout import Page
from tunekit.ui.studio.session import Session, Studio
from tunekit.ui.studio.tabs.curves import (
    confusion_frame,
    dataset_label,
    duration,
    loss_frame,
    metric_frame,
    runs_frame,
    say_duration,
    spec_diff,
)
from tunekit.ui.studio.tabs.generations import generations_markdown

HISTORY_LIMIT = 500


def render_history(page: Page, studio: Studio, session: Session | None = None) -> dict[Any, Any]:
    records = studio.registry.runs(limit=HISTORY_LIMIT)
    if session is not None and studio.safety.isolated:
        own = session.own_runs()
        records = [r for r in records if r.id in own]
    choices = [(f"run {r.id} · {r.status} · {r.strategy} · {dataset_label(r.spec)}", r.id)
               for r in records]
    return {page.history_table: runs_frame(records),
            page.run_pick: gr.update(choices=choices),
            page.compare_pick: gr.update(choices=choices)}


def render_detail(page: Page, studio: Studio, run_id: int | None,
                  session: Session | None = None) -> dict[Any, Any]:
    empty = {page.detail_loss: loss_frame([]), page.detail_metrics: metric_frame([]),
             page.detail_confusion: pd.DataFrame(), page.detail_spec: "",
             page.detail_files: None}
    if run_id is None:
        return {page.detail_summary: "Pick a run to open.", **empty}
    record = studio.registry.get_run(int(run_id))
    if record is None or (session is not None and not session.may_see(record.id)):
        return {page.detail_summary: f"⚠️ There is no run {run_id}.", **empty}
    points = studio.registry.metric_points(record.id)
    details = json.loads(record.details_json or "{}")
    artifacts = studio.registry.artifacts(record.id)
    files = []
    for artifact in artifacts:
        if artifact.exporter == PUSHED:  # a push: an address on the Hub, no file to offer
            continue
        path = studio.downloads.artifact(record.id, artifact.exporter, artifact.path)
        if path is not None:
            files.append(str(path))
    log = studio.runner.log_path(record.id)
    if log is not None:
        files.append(str(log))
    return {
        page.detail_summary: describe_run(record, artifacts),
        page.detail_loss: loss_frame(points),
        page.detail_metrics: metric_frame(points),
        page.detail_confusion: confusion_frame(details),
        page.detail_spec: yaml.safe_dump(record.spec, sort_keys=False),
        page.detail_files: files or None,
    }


def describe_run(record: Any, artifacts: list[Any]) -> str:
    summary = json.loads(record.summary_json or "{}")
    test = json.loads(record.test_metrics_json or "{}")
    lines = [f"### Run {record.id}: {record.status}",
             f"{dataset_label(record.spec)} → {record.backbone} with {record.strategy} · "
             f"{say_duration(duration(record))}" + (f" on {record.device}" if record.device
                                                     else "")]
    if record.parent_id is not None:
        lines.append(f"follows run {record.parent_id}")
    if record.error:
        lines.append(f"⚠️ {record.error}")
    if summary.get("strategy"):
        trainable = summary.get("trainable_parameters")
        total = summary.get("total_parameters")
        share = f" — {trainable:,} of {total:,} parameters trained" if trainable and total else ""
        lines.append(f"{summary['strategy']}{share}")
    metrics = {k: v for k, v in record.metrics.items() if isinstance(v, int | float)}
    if metrics:
        lines.append("| | " + " | ".join(metrics) + " |\n|---|" + "---|" * len(metrics)
                     + "\n| validation | " + " | ".join(f"{v:.4f}" for v in metrics.values())
                     + " |" + ("\n| test | " + " | ".join(
                         f"{test[k]:.4f}" if isinstance(test.get(k), int | float) else "-"
                         for k in metrics) + " |" if test else ""))
    for artifact in artifacts:
        where = (f"published on the Hub: [{artifact.path}]({artifact.path})"
                 if artifact.exporter == PUSHED else f"{artifact.exporter}: `{artifact.path}`")
        lines.append(f"- {where} ({artifact.bytes:,} bytes, sha256 {artifact.sha256[:12]})")
    generations = generations_markdown(record)  # causal-lm: what it said after each epoch
    if generations:
        lines.append(generations)
    return "\n\n".join(lines)


def render_compare(page: Page, studio: Studio, run_ids: list[Any] | None,
                   everything: bool = False, session: Session | None = None) -> dict[Any, Any]:
    ids = []
    for value in run_ids or []:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    records = [r for r in (studio.registry.get_run(i) for i in dict.fromkeys(ids))
               if r and (session is None or session.may_see(r.id))]
    if len(records) < 2:
        return {page.compare_summary: "Pick two or more runs to compare.",
                page.compare_loss: pd.DataFrame(columns=["step", "loss", "run"]),
                page.compare_metric: pd.DataFrame(columns=["epoch", "value", "run"]),
                page.compare_diff: pd.DataFrame()}
    losses, scores, rows = [], [], []
    names = [name for r in records for name in r.metrics if name != "loss"]
    main = "accuracy" if "accuracy" in names else (names[0] if names else "loss")
    for record in records:
        points = studio.registry.metric_points(record.id)
        label = f"run {record.id}"
        losses += [(p.step, p.value, label) for p in points
                   if p.split == "train" and p.name == "loss"]
        scores += [(p.epoch, p.value, label) for p in points
                   if p.split == "validation" and p.name == main]
        rows.append(f"| run {record.id} | {record.status} | {record.strategy} | "
                    + " | ".join(_score(record.metrics.get(m)) for m in ("accuracy", "f1",
                                                                           "loss"))
                    + f" | {say_duration(duration(record))} |")
    table = ("| run | status | strategy | accuracy | f1 | loss | duration |\n"
             "|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    return {
        page.compare_summary: f"Validation **{main}** by epoch, training loss by step.\n\n"
                              + table,
        page.compare_loss: pd.DataFrame(losses, columns=["step", "loss", "run"]),
        page.compare_metric: pd.DataFrame(scores, columns=["epoch", "value", "run"]),
        page.compare_diff: spec_diff({r.id: r.spec for r in records}, everything),
    }


def _score(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else "-"
