"""The end of training: the best epoch's weights back (early stopping's restore_best), the test
split evaluated once, the exports written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .evaluate import evaluate_test
from .export import export, full_weights, write_weights_digest

if TYPE_CHECKING:  # pragma: no cover
    from .state import Training


def finish(t: Training) -> dict[str, Any]:
    """What the run gives back: its metrics (validation and test), the evaluations' details,
    the artifacts and the summary recorded with it."""
    from . import feature_cache

    loop, monitor, summary = t.loop, t.monitor, t.summary
    stopping = t.training.early_stopping
    epoch = max(loop.epoch - 1, 0)  # the last epoch trained
    t.meter.pause()
    summary["performance"] = t.meter.figures()
    final = loop.last_eval
    if monitor and stopping.restore_best and monitor.best_epoch != epoch + 1:
        monitor.restore(t.model)
        final = monitor.best_eval
        t.bus.emit("message", text=f"restored the weights of epoch {monitor.best_epoch}, the "
                   f"best validation {monitor.metric}")

    test_eval = evaluate_test(t, epoch)
    summary["evaluated_examples"] = {"validation": final.get("examples"),
                                     "test": test_eval["examples"] if test_eval else None}
    if os.environ.get("TUNEKIT_DEBUG_RANK_WEIGHTS"):
        write_weights_digest(Path(os.environ["TUNEKIT_DEBUG_RANK_WEIGHTS"]), t.accelerator,
                             t.model)

    ready, accelerator = t.ready, t.accelerator
    trained = {"strategy": ready.plan.summary, "learning_rate": ready.base_lr,
               "epochs": ready.epochs, "epochs_trained": epoch + 1,
               "max_length": ready.max_length,
               "best_epoch": monitor.best_epoch if monitor and stopping.restore_best else None}
    artifacts = []
    with full_weights(accelerator, t.model):
        if accelerator.is_main_process:  # the processes hold the same weights: one exports
            artifacts = export(t.spec, t.manager, t.bus, t.info,
                               feature_cache.full_model(accelerator.unwrap_model(t.model)),
                               ready.built, ready.labels, final, test_eval, ready.data_summary,
                               trained, ready.splits)
    details = {"validation": final["details"],
               "test": test_eval["details"] if test_eval else None}
    return {"metrics": final["metrics"],
            "test_metrics": test_eval["metrics"] if test_eval else None,
            "details": details, "artifacts": artifacts, "summary": summary}
