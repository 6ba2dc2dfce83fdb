"""After a run: its metrics in plain words, what the curves say, and a concrete next run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tunekit.tools.diagnosis import diagnose


@dataclass
class Explanation:
    text: str
    verdict: str
    next_changes: dict[str, Any] = field(default_factory=dict)


def explain_run(registry: Any, run_id: int) -> Explanation:
    """Explain a finished run from what the registry recorded."""
    record = registry.get_run(run_id)
    if record is None:
        return Explanation(f"There is no run {run_id}.", "unknown")
    if record.status != "completed":
        why = f": {record.error}" if record.error else ""
        return Explanation(f"Run {run_id} {record.status}{why}.", record.status)
    metrics = record.metrics
    test = json.loads(record.test_metrics_json or "{}")
    summary = json.loads(record.summary_json or "{}")
    diagnosis = diagnose(registry.metric_points(run_id), record.spec, summary)
    parts = [f"Run {run_id} finished."]
    if "accuracy" in metrics:
        parts.append(f"On the validation examples it is right {metrics['accuracy']:.1%} of the "
                     "time" + (f" (F1 {metrics['f1']:.3f})" if "f1" in metrics else "") + ".")
    if test.get("accuracy") is not None:
        parts.append(f"On the held-out test set, scored once at the end: {test['accuracy']:.1%}.")
    if summary.get("trainable_parameters"):
        parts.append(f"It trained {summary['trainable_parameters']:,} of "
                     f"{summary['total_parameters']:,} parameters ({summary.get('strategy', '')}).")
    parts.append(diagnosis.explanation)
    if diagnosis.changes:
        parts.append(f"Next, I suggest: {diagnosis.reason}.")
    return Explanation(" ".join(parts), diagnosis.verdict, diagnosis.changes)
