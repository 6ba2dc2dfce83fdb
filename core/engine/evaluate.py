"""Evaluation: a split's loss, the task's own figures and every metric; after each epoch, the
listeners' say and early stopping's."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ..events import StopTraining
from ..plugin_manager import call_component

if TYPE_CHECKING:  # pragma: no cover
    from .setup import Prepared
    from .state import Training


def eval_loader(ready: Prepared, rows: list[dict[str, Any]], batch_size: int) -> Any:
    import torch

    # sorted by length so that evaluation batches carry little padding
    order = sorted(range(len(rows)), key=lambda i: ready.task.length(rows[i]))
    return torch.utils.data.DataLoader(
        [rows[i] for i in order], batch_size=batch_size * 2,
        collate_fn=functools.partial(ready.task.collate, built=ready.built, train=False))


def gather(accelerator: Any, value: Any) -> list[Any]:
    """An evaluation batch's values from every process, the repeated samples dropped."""
    if isinstance(value, list):
        gathered = accelerator.gather_for_metrics(value, use_gather_object=True) \
            if accelerator.num_processes > 1 else value
        return list(gathered)
    return accelerator.gather_for_metrics(value).cpu().tolist()


def evaluate(ready: Prepared, model: Any, loader: Any, metrics: list[Any],
             accelerator: Any) -> dict[str, Any]:
    """Validation loss, the task's own figures and every metric, over the whole split."""
    import torch

    task, labels = ready.task, ready.labels
    model.eval()
    gathered: dict[str, list[Any]] = {}
    with torch.no_grad():
        for batch in loader:
            for key, value in task.evaluate_batch(model, batch).items():
                gathered.setdefault(key, []).extend(gather(accelerator, value))
    losses, preds, refs = gathered["loss"], gathered["predictions"], gathered["references"]
    scalars: dict[str, float] = {"loss": float(sum(losses) / max(len(losses), 1))}
    details: dict[str, Any] = {}
    own_scalars, own_details = task.extra_scores(gathered, labels)
    scalars.update(own_scalars)
    details.update(own_details)
    for metric in metrics:
        computed = call_component(metric, "computing the metric", metric.compute, preds, refs,
                                  labels)
        for name, value in computed.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                scalars[name] = float(value)
            else:
                details[name] = value
    # gather_for_metrics has dropped the samples repeated to even out the last batch
    return {"metrics": scalars, "details": details, "examples": len(preds)}


def evaluate_epoch(t: Training, epoch: int, stopped: str | None = None) -> str | None:
    """Evaluate on the validation split after ``epoch`` (unless an evaluation within it has
    ``stopped`` training already), tell the listeners, and settle whether training stops here:
    the reason, or None to go on."""
    loop, ready = t.loop, t.ready
    reason = stopped or _evaluate_and_judge(t, epoch, f"after epoch {epoch + 1}")
    # the next epoch's order follows from the generator's state now
    loop.order_state = ready.generator.get_state()
    loop.finished = bool(reason) or epoch + 1 == t.epochs
    loop.rest(epoch + 1, 0)
    return reason


def evaluate_steps(t: Training, epoch: int) -> str | None:
    """The evaluation every ``training.eval_steps`` steps within an epoch: recorded, told to
    the listeners and to early stopping like an epoch's; then training goes on (train mode)
    unless it stops here."""
    reason = _evaluate_and_judge(t, epoch, f"at step {t.loop.step}")
    t.train_mode()
    return reason


def _evaluate_and_judge(t: Training, epoch: int, when: str) -> str | None:
    loop, accelerator, ready, summary = t.loop, t.accelerator, t.ready, t.summary
    t.meter.pause()
    last_eval = loop.last_eval = evaluate(ready, t.model, t.val_loader, t.metrics, accelerator)
    if accelerator.is_main_process:  # the task's own record (causal-lm: generations)
        last_eval["details"].update(ready.task.after_evaluation(
            accelerator.unwrap_model(t.model), ready.built,
            {"prompts": t.training.generation_prompts,
             "validation": ready.splits.validation, "max_length": ready.max_length}))
    reason = None
    try:
        t.bus.emit("evaluation", split="validation", epoch=epoch + 1, step=loop.step,
                   **last_eval)
    except StopTraining as request:
        summary["stopped_by"] = str(request)
        reason = f"stopped {when}: {request}"
    finally:
        t.meter.resume()
    if accelerator.num_processes > 1:  # a listener of the main process decides
        from accelerate.utils import broadcast_object_list

        reason, summary["stopped_by"] = broadcast_object_list(
            [reason, summary.get("stopped_by")])
        if summary["stopped_by"] is None:
            del summary["stopped_by"]
    monitor = t.monitor
    if monitor and monitor.update(last_eval, t.model, epoch + 1) and not reason:
        reason = (f"early stopping {when}: validation {monitor.metric} has "
                  f"not improved for {monitor.stopping.patience} evaluations")
    return reason


def evaluate_test(t: Training, epoch: int) -> dict[str, Any] | None:
    """The test split, evaluated once at the end (None when there is none)."""
    ready = t.ready
    if not ready.splits.test:
        return None
    rows = ready.task.encode(ready.splits.test, ready.built, ready.label_ids, ready.max_length)
    loader = t.accelerator.prepare(eval_loader(ready, rows, t.training.batch_size))
    test_eval = evaluate(ready, t.model, loader, t.metrics, t.accelerator)
    t.bus.emit("evaluation", split="test", epoch=epoch + 1, step=t.loop.step, **test_eval)
    return test_eval
