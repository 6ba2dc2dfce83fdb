"""A conversation with the chat assistant, for the assistant's tests: the turns said one after
another to a real ``Assistant`` over the installed plugins, with files the test wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tunekit.ui.assistant import Assistant


def talk(manager: Any, folder: Path, *turns: str) -> tuple[dict[str, Any], str]:
    """The spec after ``turns`` and every reply's text, joined."""
    assistant = Assistant(manager, base_dir=folder)
    replies = [assistant.respond(turn) for turn in turns]
    assert all(r.action is None for r in replies), "nothing launches without a yes"
    return assistant.spec(), "\n".join(r.text for r in replies)
