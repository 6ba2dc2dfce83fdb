"""The standard listeners of a run: the registry writer, the console progress bar, plugins."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from ..errors import PluginError
from ..events import Event, RunInfo
from ..registry import Registry, now


class RegistryWriter:
    """Records a run's events in registry.db: status, metric points, artifacts.

    Training-loss points are buffered and written with the next evaluation (or every few
    seconds), so the loop never waits on the database.
    """

    FLUSH_SECONDS = 5.0

    def __init__(self, registry: Registry, run_id: int):
        self.registry = registry
        self.run_id = run_id
        self.pending: list[dict[str, Any]] = []
        self.last_flush = time.monotonic()

    def __call__(self, event: Event) -> None:
        data = event.data
        if event.kind == "step":
            for name in ("loss", "learning_rate"):
                self.pending.append({"step": data["step"], "epoch": data["epoch"],
                                     "split": "train", "name": name, "value": data[name]})
            if time.monotonic() - self.last_flush > self.FLUSH_SECONDS:
                self.flush()
        elif event.kind == "evaluation":
            for name, value in data["metrics"].items():
                self.pending.append({"step": data["step"], "epoch": data["epoch"],
                                     "split": data["split"], "name": name, "value": value})
            self.flush()
            if data["split"] == "validation" and "generations" in (data.get("details") or {}):
                self._generations(data)
        elif event.kind == "artifact":
            self.registry.add_artifact(self.run_id, data["exporter"], data["path"],
                                       data["bytes"], data["sha256"])
        elif event.kind == "status":
            self.flush()
            self._status(data)

    def flush(self) -> None:
        self.registry.add_metric_points(self.run_id, self.pending)
        self.pending = []
        self.last_flush = time.monotonic()

    def _generations(self, data: dict[str, Any]) -> None:
        """What the model said after each validation evaluation (causal-lm), kept with the
        run's details as ``generations``: ``[{"epoch", "step", "items": [{"prompt",
        "output"}]}]``, one entry per epoch (an epoch evaluated again replaces its entry)."""
        details = self._details()
        kept = [g for g in details.get("generations", []) if g["epoch"] != data["epoch"]]
        kept.append({"epoch": data["epoch"], "step": data["step"],
                     "items": data["details"]["generations"]})
        self.registry.update_run(self.run_id, details={**details, "generations": kept})

    def _details(self) -> dict[str, Any]:
        record = self.registry.get_run(self.run_id)
        return json.loads(record.details_json or "{}") if record else {}

    def _status(self, data: dict[str, Any]) -> None:
        fields: dict[str, Any] = {"status": data["status"]}
        if data["status"] == "running":
            fields["started_at"] = now()
        elif data["status"] in ("completed", "failed", "cancelled"):
            fields["finished_at"] = now()
            fields["error"] = data.get("error")
        for key in ("device", "precision", "data_fingerprint", "versions", "summary", "metrics",
                    "test_metrics", "details"):
            if data.get(key) is not None:
                fields[key] = data[key]
        if "details" in fields:  # the final details keep the generations of every epoch
            kept = self._details().get("generations")
            if kept:
                fields["details"] = {**fields["details"], "generations": kept}
        self.registry.update_run(self.run_id, **fields)


class ConsoleProgress:
    """A progress bar on standard error, with one line per evaluation."""

    def __init__(self, stream: Any = None):
        self.stream = stream or sys.stderr
        self.bar: Any = None

    def __call__(self, event: Event) -> None:
        from tqdm.auto import tqdm  # a widget in a notebook, a text bar in a terminal

        data = event.data
        if event.kind == "epoch_start":
            if data["change"]:
                self._write(f"epoch {data['epoch'] + 1}: {data['change']}")
        elif event.kind == "step":
            if self.bar is None:
                self.bar = tqdm(total=data["total_steps"], desc="training", unit="step",
                                file=self.stream, dynamic_ncols=True, leave=False,
                                disable=None)  # no bar when the output is not a terminal
            self.bar.update(data["step"] - self.bar.n)
            self.bar.set_postfix(epoch=f"{data['epoch']:.2f}", loss=f"{data['loss']:.4f}")
        elif event.kind == "evaluation":
            scores = "  ".join(f"{k} {v:.4f}" for k, v in data["metrics"].items())
            label = f"epoch {data['epoch']}" if data["split"] == "validation" else "final"
            self._write(f"{label} {data['split']}: {scores}")
        elif event.kind == "message":
            self._write(data["text"])
        elif event.kind == "status" and data["status"] not in ("queued", "running"):
            if self.bar is not None:
                self.bar.close()
                self.bar = None

    def _write(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream)


class PluginObserver:
    """Forwards each event to the plugins' ``on_run_event`` hooks, naming a plugin that fails."""

    def __init__(self, manager: Any, run: RunInfo):
        self.manager = manager
        self.run = run

    def __call__(self, event: Event) -> None:
        for plugin, call in self.manager.call_each("on_run_event", run=self.run, event=event):
            try:
                call()
            except Exception as exc:
                raise PluginError(f"{type(exc).__name__}: {exc}",
                                  where=f"plugin {plugin} (on_run_event)") from exc
