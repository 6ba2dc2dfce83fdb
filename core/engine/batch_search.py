"""The automatic batch-size search (``training.auto_batch_size: true``).

A run that runs out of memory before it has saved anything (no evaluation, no checkpoint yet)
halves ``batch_size`` and doubles ``gradient_accumulation_steps``, so the effective batch
stays, frees the memory and trains again from the start with the same seed, until it fits or
a batch of one still does not (then the usual out-of-memory error). Each retry is a message
event; the run's summary records the batch size found under ``auto_batch_size``, and its
recorded spec takes the batch that fits, so ``tunekit run --resume`` carries on with it.

The engine hands ``BatchSearch.train`` one attempt of its training loop; nothing here knows
what an attempt does.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..events import Event, EventBus
from ..spec import RunSpec
from .checkpoints import has_checkpoint
from .faults import out_of_memory

MAX_ACCUMULATION = 1024  # the upper bound of training.gradient_accumulation_steps




class BatchSearch:
    """Runs attempts of a training with smaller batches until one fits in memory.

    ``spec`` is the run's spec (``self.spec`` is the one last tried); ``enabled`` False makes
    ``train`` a single plain attempt (a resumed run keeps its checkpoint's batch; several
    processes cannot agree on a retry). ``start_again(spec)`` is called before each retry so
    the caller forgets what the failed attempt recorded.
    """

    def __init__(self, spec: RunSpec, bus: EventBus, output_dir: Path | None, *,
                 enabled: bool, start_again: Callable[[RunSpec], None] | None = None):
        self.spec = spec
        self.requested = spec.training.batch_size
        self.enabled = enabled and spec.training.auto_batch_size
        self.output_dir = output_dir
        self.start_again = start_again
        self.evaluated = False
        if self.enabled:
            bus.add(self._watch)
        self.bus = bus

    def _watch(self, event: Event) -> None:
        if event.kind == "evaluation":
            self.evaluated = True

    def train(self, attempt: Callable[[RunSpec], dict[str, Any]]) -> dict[str, Any]:
        """``attempt(spec)`` until it fits; its outcome, with the search in its summary."""
        while True:
            try:
                outcome = attempt(self.spec)
                break
            except Exception as exc:
                smaller = self._smaller(exc)
                if smaller is None:
                    raise
            # out of the except block, the failed attempt's frames (and tensors) are gone
            _free_memory()
            before, after = self.spec.training, smaller.training
            self.bus.emit("message", text=(
                f"out of memory at batch {before.batch_size}; retrying with batch "
                f"{after.batch_size} x {after.gradient_accumulation_steps} accumulated"))
            self.spec = smaller
            if self.start_again is not None:
                self.start_again(smaller)
        if self.enabled:
            training = self.spec.training
            outcome["summary"]["auto_batch_size"] = {
                "requested": self.requested, "found": training.batch_size,
                "gradient_accumulation_steps": training.gradient_accumulation_steps,
                "effective_batch": training.batch_size * training.gradient_accumulation_steps}
        return outcome

    def _smaller(self, exc: BaseException) -> RunSpec | None:
        """The spec to try next after ``exc``, or None when ``exc`` is not for a retry."""
        if not self.enabled or not out_of_memory(exc) or self.evaluated \
                or has_checkpoint(self.output_dir):
            return None
        training = self.spec.training
        batch, accumulate = training.batch_size, training.gradient_accumulation_steps
        if batch <= 1 or accumulate * 2 > MAX_ACCUMULATION:
            return None
        data = self.spec.to_dict()
        data["training"].update(batch_size=batch // 2, gradient_accumulation_steps=accumulate * 2)
        return RunSpec(data, base_dir=self.spec.base_dir, source=self.spec.source)


def _free_memory() -> None:
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # noqa: BLE001 - only tidying up
        pass
