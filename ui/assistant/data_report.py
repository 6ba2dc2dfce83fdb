"""The data check in plain words: what the assistant says when asked to check the data, and
what the studio shows beside its preview. Blocking findings come first, each with what to do;
a fix the run card can make in one click (balanced class weights for imbalanced classes, a
strategy that trains fewer weights for small classes) is offered as a choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TRAIN_ANYWAY = "Train anyway"
SHOWN_PER_SEVERITY = 6
TITLES = {"blocking": "Blocking — a run refuses this data",
          "warning": "Warnings", "info": "Worth knowing"}
MARKS = {"blocking": "⛔", "warning": "⚠️", "info": "ℹ️"}


@dataclass(frozen=True)
class Fix:
    """A one-click fix: the choice a person clicks and the changes it makes to the draft."""

    label: str
    changes: dict[str, Any]


def sizes_line(report: Any) -> str:
    """"540 training, 90 validation and 90 test examples, 2 classes"."""
    parts = [f"{report.sizes[s]} {name}" for s, name in (
        ("train", "training"), ("validation", "validation"), ("test", "test"))
        if report.sizes.get(s)]
    said = (", ".join(parts[:-1]) + " and " + parts[-1]) if len(parts) > 1 else (
        parts[0] if parts else "no")
    classes = len(report.classes.get("train") or {})
    return f"{said} examples, {classes} class{'es' if classes != 1 else ''}"


def findings_markdown(report: Any, severities: tuple[str, ...] = ("blocking", "warning",
                                                                   "info")) -> str:
    """The findings of ``severities`` as Markdown sections, most severe first, each with what
    to do ('' when there are none)."""
    sections = []
    for severity in severities:
        found = [f for f in report.findings if f.severity == severity]
        if not found:
            continue
        lines = [f"**{TITLES[severity]}**"]
        for finding in found[:SHOWN_PER_SEVERITY]:
            lines.append(f"- {MARKS[severity]} {_sentence(finding.message)} _What to do:_ "
                         f"{_sentence(finding.recommendation)}")
        if len(found) > SHOWN_PER_SEVERITY:
            lines.append(f"- … and {len(found) - SHOWN_PER_SEVERITY} more "
                         "(`tunekit data check` lists them all)")
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


def verdict(report: Any) -> str:
    """One line: clean, fine with warnings, or refused."""
    blocking, warnings = len(report.blocking), len(report.warnings)
    if blocking:
        return (f"{blocking} blocking problem{'s' if blocking != 1 else ''}: a run refuses this "
                "data until it is fixed (or you train anyway).")
    if warnings:
        return (f"No blocking problems; {warnings} warning{'s' if warnings != 1 else ''} worth "
                "a look.")
    return "No problems found: no duplicates, leakage, conflicting labels or tiny classes."


def fixes(report: Any, spec: dict[str, Any], catalog: Any) -> list[Fix]:
    """The fixes the run card can make for ``report``'s findings, given the current ``spec``."""
    found = {f.code for f in report.findings}
    training = spec.get("training") or {}
    strategy = (spec.get("strategy") or {}).get("name")
    offered: list[Fix] = []
    if "imbalance" in found and not training.get("class_weights"):
        offered.append(Fix("Use balanced class weights", {"training.class_weights": "balanced"}))
    if "too-few-per-class" in found:
        lighter = {"full": "lora", "gradual": "lora", "freeze-bottom": "lora",
                   "lora": "head-only"}.get(strategy or "")
        if lighter and catalog.get("strategy", lighter) is not None:
            title = catalog.get("strategy", lighter).title.split(" (")[0]
            offered.append(Fix(f"Switch to {title}", {"strategy": {"name": lighter}}))
    if report.blocking and training.get("data_check", "refuse") == "refuse":
        offered.append(Fix(TRAIN_ANYWAY, {"training.data_check": "warn"}))
    return offered


def say_report(report: Any, offered: list[Fix]) -> str:
    """The chat answer to "check my data"."""
    lines = [f"I checked the data ({report.source}): {sizes_line(report)}.", verdict(report)]
    details = findings_markdown(report)
    if details:
        lines.append(details)
    if any(f.label == TRAIN_ANYWAY for f in offered):
        lines.append(f"Fix the data and use it again, or say \"{TRAIN_ANYWAY.lower()}\" to train "
                     "with these problems reported as warnings.")
    others = [f.label for f in offered if f.label != TRAIN_ANYWAY]
    if others:
        lines.append("I can fix part of it on the run card: " + "; ".join(
            f"**{label.lower()}**" for label in others) + ".")
    return "\n\n".join(lines)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
