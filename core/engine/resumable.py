"""Which stopped runs can be resumed, and where each stopped.

A run that was cancelled, interrupted or failed carries on from its checkpoint with
``tunekit run --resume RUN`` (``tunekit.resume``). The CLI, the studio and the assistant ask
here first, so each says the same thing: where the run stopped, or why it cannot be resumed.
Only the checkpoint's metadata is read, never its tensors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import TunekitError
from .checkpoints import checkpoint_path, has_checkpoint

STOPPED = ("cancelled", "interrupted", "failed")


@dataclass(frozen=True)
class StoppedRun:
    """A run that can be resumed: its id, how it ended, and the step and epoch (1-based, the
    one it will carry on in) its checkpoint holds (None where the checkpoint does not say)."""

    id: int
    status: str
    step: int | None = None
    epoch: int | None = None

    def where(self) -> str:
        """``at step 40 (epoch 2)``."""
        if self.step is None:
            return "at its last checkpoint"
        return f"at step {self.step}" + (f" (epoch {self.epoch})" if self.epoch else "")

    def startup_line(self) -> str:
        """The line a start of tunekit prints about a run it found interrupted."""
        return (f"run {self.id} was {self.status} {self.where()}; resume it with: "
                f"tunekit run --resume {self.id}")


class Resumable:
    """The stopped runs of ``registry`` that may be resumed, as seen by someone who may see
    only the runs ``visible`` accepts (every run when None: a shared studio passes a tab's own
    runs)."""

    def __init__(self, registry: Any, visible: Callable[[int], bool] | None = None):
        self.registry = registry
        self.visible = visible or (lambda run_id: True)

    def check(self, run_id: int) -> StoppedRun:
        """The run ``run_id`` if it can be resumed; else TunekitError saying why and what to
        do instead."""
        where = f"run {run_id}"
        record = self.registry.get_run(run_id)
        if record is None or not self.visible(run_id):
            raise TunekitError(f"there is no run {run_id}", where=where)
        if record.status == "completed":
            raise TunekitError(f"run {run_id} completed; there is nothing left to resume",
                               where=where, hint="clone it to train again from its settings")
        if record.status not in STOPPED:
            raise TunekitError(f"run {run_id} is still {record.status}", where=where,
                               hint="stop it first; a stopped run keeps its checkpoint")
        stopped = describe(record)
        if stopped is None:
            raise TunekitError(f"run {run_id} has no checkpoint to resume from (it stopped "
                               "before its first checkpoint)", where=where,
                               hint="clone it to start it again from its settings")
        return stopped

    def runs(self, ids: Iterable[int] | None = None, limit: int = 50) -> list[StoppedRun]:
        """The resumable runs among ``ids`` (default: the latest ``limit`` runs), newest
        first."""
        if ids is None:
            records = self.registry.runs(limit=limit)
        else:
            records = [r for r in (self.registry.get_run(i) for i in sorted(set(ids),
                                                                          reverse=True)) if r]
        found = []
        for record in records:
            if record.status in STOPPED and self.visible(record.id):
                stopped = describe(record)
                if stopped is not None:
                    found.append(stopped)
        return found


def describe(record: Any) -> StoppedRun | None:
    """Where a stopped run's checkpoint stands; None when it has no checkpoint."""
    if not has_checkpoint(record.output_dir):
        return None
    step = epoch = None
    try:
        from safetensors import safe_open

        with safe_open(str(checkpoint_path(Path(record.output_dir))), framework="pt") as file:
            state = json.loads((file.metadata() or {}).get("tunekit", "{}"))
        step = int(state["step"])
        epoch = int(state["epoch"]) + 1
    except Exception:  # noqa: BLE001 - an unreadable checkpoint says so when it is resumed
        pass
    return StoppedRun(record.id, record.status, step, epoch)


def announce(registry: Any, run_ids: Iterable[int]) -> list[str]:
    """One line per run of ``run_ids`` (those a sweep just marked interrupted) that can be
    resumed: what a start of tunekit prints."""
    return [run.startup_line() for run in Resumable(registry).runs(run_ids)]
