"""What a run emits, and who listens.

The engine emits events; listeners receive them in order: the registry writer, the console
progress bar, the studio, and every plugin's ``on_run_event`` hook.

Event kinds and their ``data``:

- ``status``: ``status`` (queued, running, completed, failed, cancelled), ``error`` or None
- ``epoch_start``: ``epoch`` (0-based), ``epochs``, ``trainable`` (parameter count), ``change``
  (what the strategy changed, or None)
- ``step``: ``step``, ``total_steps``, ``epoch``, ``loss`` (mean over the steps since the last
  one), ``learning_rate``; emitted every few steps, not every step
- ``evaluation``: ``split`` (validation or test), ``epoch``, ``step``, ``metrics`` (scalars by
  name), ``details`` (per-class scores, confusion matrix), ``examples`` (how many were
  evaluated: the whole split once, however many processes share it)
- ``artifact``: ``exporter``, ``path``, ``bytes``, ``sha256``
- ``message``: ``text``

A listener may end training early by raising ``StopTraining`` while it receives a validation
``evaluation`` (a sweep prunes a hopeless trial this way): the engine finishes the run after
that evaluation, as early stopping does, and records the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:  # pragma: no cover
    from .components import SpecDict

EVENT_KINDS = ("status", "epoch_start", "step", "evaluation", "artifact", "message")


class StopTraining(Exception):  # noqa: N818 - a request, not an error
    """Raised by a listener on a validation evaluation: stop training after it.

    ``str(exc)`` is the reason, recorded with the run (``summary.stopped_by``).
    """


@dataclass(frozen=True)
class RunInfo:
    """Which run an event belongs to."""

    id: int
    spec: SpecDict
    output_dir: Path


@dataclass(frozen=True)
class Event:
    """One thing that happened in a run."""

    kind: str
    # its keys depend on ``kind`` (the module's docstring); Any, since a listener reads the
    # few it needs (``event.data["loss"]``) as the number or text the docstring says
    data: dict[str, Any]
    time: float = field(default_factory=time.time)


Listener = Callable[[Event], None]


class Artifact(TypedDict):
    """A path an exporter wrote, as recorded (the ``artifact`` event's data, and
    ``RunResult.artifacts``)."""

    exporter: str
    path: str  # absolute
    bytes: int
    sha256: str


class EventBus:
    """Delivers each event to every listener, in the order they were added."""

    def __init__(self, listeners: Iterable[Listener] = ()):
        self.listeners: list[Listener] = list(listeners)

    def add(self, listener: Listener) -> None:
        self.listeners.append(listener)

    def emit(self, kind: str, *, strict: bool = True, **data: Any) -> Event:  # data: see Event
        """Deliver an event. With ``strict=False`` a failing listener does not stop the others
        (used for the final status, which every listener must hear)."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        event = Event(kind, data)
        for listener in self.listeners:
            if strict:
                listener(event)
                continue
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - the run has ended; nothing left to protect
                pass
        return event
