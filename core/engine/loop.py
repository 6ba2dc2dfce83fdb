"""The training loop, top to bottom: set up, then for each epoch its batches (forward, backward,
optimizer step, a log point now and then, a checkpoint when due), an evaluation, a checkpoint;
then the end (the best weights, the test split, the exports).

Each named piece lives beside this file: ``setup`` (data, model, strategy, accelerator),
``state`` (where the loop is; each epoch's start, the batches left), ``evaluate`` (validation,
listeners, early stopping), ``checkpoints`` (save, restore, RNG), ``stopping`` (Ctrl-C, SIGTERM),
``meter`` and ``finish``. Everything that varies is a plugin; everything that happens is an
event (``tunekit.events``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..events import EventBus, RunInfo
from ..plugin_manager import PluginManager
from ..spec import RunSpec
from .checkpoints import Checkpointer
from .evaluate import evaluate_epoch, evaluate_steps
from .finish import finish
from .setup import running_status, start
from .stopping import StopRequests


def train(spec: RunSpec, manager: PluginManager, bus: EventBus, info: RunInfo, *,
          resumed: dict[str, Any] | None = None, take_over: Callable[[int], None] | None = None,
          before_checkpoint: Callable[[], None] | None = None) -> dict[str, Any]:
    """Train ``spec`` from the start (or, ``resumed``, from its checkpoint) and export it."""
    t = start(spec, manager, bus, info, resumed)  # data, model, strategy, accelerator
    accelerator, model, optimizer, scheduler = t.accelerator, t.model, t.optimizer, t.scheduler
    loop, clip = t.loop, spec.training.max_grad_norm
    if take_over:  # the run's record is this process's from here
        take_over(loop.step)
    bus.emit("status", status="running", **running_status(t))
    saver = Checkpointer(t, before=before_checkpoint)
    with StopRequests() as stop, saver:
        for epoch in t.epochs_left():
            t.start_epoch(epoch)  # the strategy's change (gradual unfreezing), train mode
            stopped = None  # by an evaluation within the epoch (training.eval_steps)
            for index, batch in t.batches():  # a resumed epoch skips what it trained
                if t.steps_done():  # training.max_steps: the rest of the epoch stays
                    break
                t.meter.count(batch)
                with accelerator.accumulate(model):  # no gradient sync between batches
                    loss = t.loss_fn(model, batch)
                    accelerator.backward(loss)  # divided by the accumulation steps
                    loop.running += loss.detach()  # on the device: no host sync per step
                    loop.batches += 1
                    if not accelerator.sync_gradients:
                        continue
                    if clip:
                        accelerator.clip_grad_norm_(t.trainable, clip)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad(set_to_none=True)
                loop.stepped(epoch, index + 1)
                if t.log_due(index):
                    t.log(epoch, index)  # the one host sync; a NaN loss stops here
                if t.eval_due() and (stopped := evaluate_steps(t, epoch)):
                    break
                if t.checkpoint_due(index, stop.requested):
                    saver.save(epoch)
                    if stop.requested:
                        raise KeyboardInterrupt
            reason = evaluate_epoch(t, epoch, stopped)  # validation, the listeners, early stopping
            saver.save(epoch)
            if reason:
                bus.emit("message", text=reason)
                break
            if stop.requested:
                raise KeyboardInterrupt
    return finish(t)  # the best weights back, the test split, the exports
