"""A run in training: its parts (``Training``) and where it is (``LoopState``), with the small
steps the loop takes between its batches — each epoch's start, the batches left to train, the
log points, whether a checkpoint is due."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..plugin_manager import call_component
from .checkpoints import set_rng_state

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from ..events import EventBus, RunInfo
    from ..plugin_manager import PluginManager
    from ..spec import RunSpec
    from ..spec import Training as TrainingOptions
    from .meter import Meter
    from .setup import Prepared
    from .stopping import Monitor


class LoopState:
    """Where training is, beyond the weights and the optimizer: what a checkpoint records."""

    def __init__(self, device: Any):
        import torch

        self.epoch = 0  # the epoch in progress (0-based)
        self.batch = 0  # batches of it already trained
        self.step = 0  # optimizer steps so far
        self.running = torch.zeros((), device=device)  # loss summed since the last log point
        self.batches = 0
        self.since_log = 0
        self.order_state: Any = None  # the shuffle generator's state when ``epoch`` started
        self.rng: tuple[dict[str, Any], dict[str, Any]] | None = None  # to set before a batch
        self.last_eval: dict[str, Any] | None = None
        self.finished = False  # training is over (export may still be to do)
        self.at_rest = False  # between two steps: the state matches (epoch, batch, step)
        self.saved = False  # a checkpoint of this very point is written

    def rest(self, epoch: int, batch: int) -> None:
        self.epoch, self.batch = epoch, batch
        self.at_rest, self.saved = True, False

    def stepped(self, epoch: int, batch: int) -> None:
        """An optimizer step is done: ``batch`` batches of ``epoch`` are trained."""
        self.step += 1
        self.since_log += 1
        self.rest(epoch, batch)

    def replay_rng(self) -> None:
        """A resumed run takes up the RNG states where they were saved, once."""
        if self.rng:
            set_rng_state(*self.rng)
            self.rng = None


@dataclass
class Training:
    """Everything a run trains with, made ready by ``tunekit.engine.setup.start``."""

    spec: RunSpec
    manager: PluginManager
    bus: EventBus
    info: RunInfo
    ready: Prepared
    accelerator: Any
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: Any
    train_loader: Any
    val_loader: Any
    loss_fn: Any
    metrics: list[Any]
    monitor: Monitor | None
    meter: Meter
    loop: LoopState
    summary: dict[str, Any]
    changeable: set[int]  # ids of every parameter the strategy may ever train
    precision: str
    total_steps: int
    trainable: list[Any] = field(default_factory=list)  # this epoch's trainable parameters

    @property
    def training(self) -> TrainingOptions:
        return self.spec.training

    @property
    def base_lr(self) -> float:
        return self.ready.base_lr

    @property
    def epochs(self) -> int:
        return self.ready.epochs

    @property
    def batches_per_epoch(self) -> int:
        return len(self.train_loader)  # per process, once accelerate has sharded the data

    def epochs_left(self) -> range:
        loop = self.loop
        return range(loop.epoch, self.epochs if not loop.finished else loop.epoch)

    def start_epoch(self, epoch: int) -> None:
        """The strategy's change for this epoch (gradual unfreezing), then train mode."""
        from ..layers import count_parameters

        plan = self.ready.plan
        change = call_component(
            self.manager.get("strategy", self.spec.data["strategy"]["name"]),
            f"starting epoch {epoch + 1}", plan.on_epoch_start, epoch,
        ) if plan.on_epoch_start else None
        trainable, _ = count_parameters(self.model)
        self.bus.emit("epoch_start", epoch=epoch, epochs=self.epochs, change=change,
                      trainable=trainable)
        self.trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.train_mode()

    def train_mode(self) -> None:
        """Train mode, but a frozen extractor stays in eval mode: the same features."""
        self.model.train()
        for module in self.ready.plan.frozen_modules:
            module.eval()

    def steps_done(self) -> bool:
        """training.max_steps reached (the epochs' steps otherwise end with the epochs)."""
        return self.loop.step >= self.total_steps

    def eval_due(self) -> bool:
        """Every training.eval_steps steps within an epoch; its last step has the epoch's."""
        every, loop = self.training.eval_steps, self.loop
        return bool(every) and loop.step % every == 0 and not self.steps_done() \
            and loop.batch < self.batches_per_epoch

    def batches(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """The epoch's batches, in the order the shuffle generator gives; a resumed epoch
        replays that order and skips the batches already trained, and dropout goes on exactly
        as it would have."""
        loop, generator = self.loop, self.ready.generator
        skip = loop.batch
        if loop.order_state is not None:
            generator.set_state(loop.order_state)
        loop.order_state = generator.get_state()
        # the RNG states were saved before this epoch's batches (at an epoch's start), or
        # after the batches it skips
        if not skip:
            loop.replay_rng()
        for index, batch in enumerate(self.train_loader):
            if index < skip:
                continue
            loop.replay_rng()
            loop.at_rest = False
            yield index, batch
        loop.replay_rng()  # stopped after the epoch's last batch: nothing left of it to train
        loop.at_rest = False

    def log_due(self, index: int) -> bool:
        last = index == self.batches_per_epoch - 1 or self.steps_done()
        return last or self.loop.since_log == min(self.training.log_every, self._steps_per_epoch)

    @property
    def _steps_per_epoch(self) -> int:
        return -(-self.batches_per_epoch // self.training.gradient_accumulation_steps)

    def log(self, epoch: int, index: int) -> None:
        """The mean loss since the last log point, as a ``step`` event: the one host sync."""
        from .faults import diverged

        loop, accelerator = self.loop, self.accelerator
        running = loop.running / loop.batches
        if accelerator.num_processes > 1:  # the mean over every process's share
            running = accelerator.reduce(running, reduction="mean")
        value = float(running)
        if not math.isfinite(value):
            raise diverged(value, loop, epoch, self.training, self.base_lr, self.precision)
        loop.running.zero_()
        loop.batches = loop.since_log = 0
        self.bus.emit("step", step=loop.step, total_steps=self.total_steps,
                      epoch=epoch + (index + 1) / self.batches_per_epoch,
                      loss=value, learning_rate=self.scheduler.get_last_lr()[0])

    def checkpoint_due(self, index: int, stop_requested: str | None) -> bool:
        """Within an epoch (its end always has one): on a stop request, or every
        training.checkpoint_every steps."""
        if index == self.batches_per_epoch - 1:
            return False
        every = self.training.checkpoint_every
        return bool(stop_requested) or bool(every and self.loop.step % every == 0)
