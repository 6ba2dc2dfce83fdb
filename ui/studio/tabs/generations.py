"""The "Generations" block of a causal-lm run: what the model answered to the same prompts
after each evaluation, epoch by epoch (recorded in the run's details by the registry writer)."""

from __future__ import annotations

import html
import json
from typing import Any

MAX_CHARS = 300  # of one prompt or answer, in the block


def generations_markdown(record: Any) -> str:
    """Markdown for the run's generations, newest epoch first; "" when it has none."""
    if record is None or getattr(record, "task", "") != "causal-lm":
        return ""
    details = json.loads(record.details_json or "{}")
    epochs = details.get("generations") or []
    if not epochs:
        return ""
    lines = ["#### Generations", "_What the model answered to the same prompts after each "
             "evaluation (greedy decoding)._"]
    for entry in sorted(epochs, key=lambda g: g.get("epoch", 0), reverse=True):
        lines.append(f"**Epoch {entry.get('epoch')}** (step {entry.get('step')})")
        for item in entry.get("items") or []:
            prompt, output = _short(item.get("prompt", "")), _short(item.get("output", ""))
            lines.append(f"- _{prompt}_ → {output or '(nothing)'}")
    return "\n\n".join(lines)


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS - 1] + "…"
    # the model's words are shown as text, never as markup
    return html.escape(text).replace("_", "\\_").replace("*", "\\*")
