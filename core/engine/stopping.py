"""Stopping early: the monitor of early stopping (training.early_stopping), and Ctrl-C or SIGTERM
asking the loop to stop at the next safe point."""

from __future__ import annotations

import sys
from typing import Any

from ..errors import SpecError
from .checkpoints import changeable_state


class Monitor:
    """Early stopping: remembers the best evaluation and, when asked, its weights."""

    def __init__(self, stopping: Any, metrics: list[Any], changeable: set[int]):
        self.stopping = stopping
        self.metrics = metrics
        self.changeable = changeable
        self.metric: str | None = stopping.metric
        self.higher = False
        self.best: float | None = None
        self.best_epoch = 0
        self.best_eval: dict[str, Any] | None = None
        self.best_state: dict[str, Any] = {}
        self.waited = 0

    def _watch(self, scores: dict[str, float]) -> None:
        """Settle which score to watch (the first metric that gives one, else the loss)."""
        if self.metric is None:
            self.metric = next((m.name for m in self.metrics if m.name in scores), "loss")
        owner = next((m for m in self.metrics
                      if self.metric == m.name or self.metric.startswith(m.name + "_")), None)
        self.higher = owner.higher_is_better if owner and self.metric != "loss" else False

    def update(self, evaluation: dict[str, Any], model: Any, epoch: int) -> bool:
        """Record an evaluation; True when training should stop."""
        if self.best is None:
            self._watch(evaluation["metrics"])
        if self.metric not in evaluation["metrics"]:
            scores = ", ".join(evaluation["metrics"])
            raise SpecError(f"the metrics give no score named {self.metric!r}; they give: "
                            f"{scores}", where="training.early_stopping.metric")
        value = evaluation["metrics"][self.metric]
        delta = self.stopping.min_delta
        improved = self.best is None or (
            value > self.best + delta if self.higher else value < self.best - delta)
        if improved:
            self.best, self.best_epoch, self.waited = value, epoch, 0
            self.best_eval = evaluation
            if self.stopping.restore_best:
                # kept in host memory: a second copy on the GPU would double its footprint
                self.best_state = {n: t.detach().to("cpu", copy=True)
                                   for n, t in self._state(model)}
            return False
        self.waited += 1
        return self.waited >= self.stopping.patience

    def restore(self, model: Any) -> None:
        current = dict(self._state(model))
        for name, saved in self.best_state.items():
            current[name].data.copy_(saved)

    def _state(self, model: Any) -> list[tuple[str, Any]]:
        return changeable_state(model, self.changeable)

    def checkpoint_state(self) -> dict[str, Any]:
        """What a checkpoint keeps besides the best weights (``best_state``)."""
        return {"metric": self.metric, "higher": self.higher, "best": self.best,
                "best_epoch": self.best_epoch, "best_eval": self.best_eval,
                "waited": self.waited}

    def load_checkpoint_state(self, state: dict[str, Any], best_state: dict[str, Any]) -> None:
        self.metric, self.higher, self.best = state["metric"], state["higher"], state["best"]
        self.best_epoch, self.best_eval = state["best_epoch"], state["best_eval"]
        self.waited = state["waited"]
        self.best_state = best_state


class StopRequests:
    """While training, Ctrl-C and SIGTERM ask the loop to stop at the next step boundary, after
    a checkpoint, instead of breaking off mid-update; asked twice, it stops at once."""

    def __init__(self) -> None:
        self.requested: str | None = None
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> StopRequests:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                if signal.getsignal(sig) is not signal.SIG_IGN:
                    self.previous[sig] = signal.signal(sig, self._request)
        return self

    def _request(self, signum: int, frame: Any) -> None:
        import signal

        if self.requested:
            raise KeyboardInterrupt
        self.requested = signal.Signals(signum).name
        print(f"\n{self.requested}: stopping after this step, with a checkpoint (again: stop at "
              "once)", file=sys.stderr)

    def __exit__(self, *exc: Any) -> None:
        import signal

        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
