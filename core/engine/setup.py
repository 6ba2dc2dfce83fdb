"""Setting a run up: the data read and checked, the model built, the strategy applied, the
optimizer and the batches made (``prepare``: the learning-rate finder starts here too); then
the accelerator, the feature cache, the schedule, the meter and early stopping around them
(``start``: the loop starts here)."""

from __future__ import annotations

import functools
import math
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..components import (
    BuiltModel,
    DataContext,
    DataSplits,
    ModelRequest,
    StrategyContext,
    StrategyPlan,
)
from ..data import fingerprint
from ..errors import SpecError, TunekitError
from ..events import EventBus, RunInfo
from ..plugin_manager import PluginManager, call_component
from ..spec import RunSpec
from .augment import augment_rows
from .evaluate import eval_loader
from .optim import checkpointing, make_optimizer, optimizer_groups

if TYPE_CHECKING:  # pragma: no cover
    from ..tasks import Task
    from .precision import Precision
    from .state import Training


@dataclass
class Prepared:
    """A run made ready to train: its data read and encoded, the model built, the strategy
    applied, the optimizer made. The training loop and the learning-rate finder start here."""

    task: Task  # the task family
    splits: DataSplits
    labels: list[str]
    label_ids: dict[str, int]
    data_summary: dict[str, Any]
    data_fingerprint: str
    built: BuiltModel
    plan: StrategyPlan
    optimizer: Any
    base_lr: float
    epochs: int
    max_length: int
    train_loader: Any
    val_loader: Any
    data_check: dict[str, Any] | None = None  # the data check's report (None: turned off)
    generator: Any = None  # the training order's RNG: its state at an epoch's start fixes it
    # the dtypes of the weights: as the backbone loaded them ("loaded") and as they train
    # ("training"; see tunekit.engine.precision.train_in_fp32), parameter counts per dtype
    weights: dict[str, Any] = field(default_factory=dict)


def run_data_check(splits: Any, training: Any, strategy: str, bus: EventBus,
                where: str) -> dict[str, Any] | None:
    """The data check, before anything heavy: blocking findings refuse the run (unless
    training.data_check is warn); warnings become messages. Returns the report as a dict."""
    if training.data_check == "off":
        return None
    from ..tools.datacheck import check_data

    report = check_data(splits, strategy=strategy, max_length=training.max_length)
    if report.blocking and training.data_check == "refuse":
        raise report.error(where)
    for finding in report.findings:
        if finding.severity != "info":
            bus.emit("message", text=f"data check, {finding.severity}: {finding.message}")
    return report.to_dict()


def planned_epochs(training: Any, train_rows: int) -> int | None:
    """The epochs a run goes through: ``training.max_steps`` wins over ``training.epochs`` (as
    many epochs as those steps take, counted as ``start`` counts them: the batches of one
    process, per optimizer update); None when neither is set (the strategy's default). A
    strategy plans by it (gradual unfreezing's stages), so it is known before the model is."""
    if not training.max_steps:
        return training.epochs
    processes = max(1, int(os.environ.get("WORLD_SIZE", "1")))
    batches = math.ceil(math.ceil(train_rows / training.batch_size) / processes)
    per_epoch = max(1, math.ceil(batches / training.gradient_accumulation_steps))
    return math.ceil(training.max_steps / per_epoch)


def prepare(spec: RunSpec, manager: PluginManager, bus: EventBus) -> Prepared:
    import torch

    training = spec.training
    dataset = manager.get("dataset", spec.data["dataset"]["name"])
    backbone = manager.get("backbone", spec.data["backbone"]["name"])
    strategy = manager.get("strategy", spec.data["strategy"]["name"])

    # data
    source = f"dataset {dataset.name!r}"
    splits = call_component(dataset, "loading the data", dataset.load, spec.options("dataset"),
                            DataContext(task=spec.task, seed=training.seed,
                                        base_dir=spec.base_dir))
    from ..tasks import get_task

    task = get_task(spec.task)
    data_check = run_data_check(splits, training, strategy.name, bus, splits.source or source) \
        if task.text_rows else None
    labels = task.labels(splits, splits.source or source)
    label_ids = {label: i for i, label in enumerate(labels)}
    data_summary = {
        "source": splits.source or dataset.name,
        "labels": labels,
        "sizes": {name: len(getattr(splits, name) or [])
                  for name in ("train", "validation", "test")},
        **task.describe_data(splits),
        "notes": splits.notes,
        # where the data is on the Hub (the model card's datasets); absent when it is not
        **({"hub_id": splits.hub_id} if splits.hub_id else {}),
    }
    data_fingerprint = fingerprint(splits)  # the data as read; the spec says how it is augmented
    if spec.data.get("augmentations"):  # the train split only: validation and test stay as read
        augmented = augment_rows(splits.train, spec.data["augmentations"], manager, training.seed)
        splits.train = augmented.rows
        data_summary["augmented"] = augmented.describe()
        by = ", ".join(f"{name} {n}" for name, n in augmented.added.items())
        bus.emit("message", text=f"augmentation added {augmented.total_added} training examples "
                 f"({by}), {len(splits.train)} in all; validation and test are untouched")

    # model
    built = call_component(backbone, "building the model", backbone.build,
                           spec.options("backbone"), ModelRequest(
                               task=spec.task, labels=labels, dropout=training.dropout))
    task.prepare_model(built, splits)
    from ..layers import default_layer_groups

    groups = built.layer_groups or default_layer_groups(built.model)
    from .precision import dtype_counts, train_in_fp32

    loaded = dtype_counts(built.model)  # before a strategy adds its own (LoRA's adapters)

    # strategy: what trains, at which rate, for how long (its defaults unless the spec says)
    base_lr = training.learning_rate or strategy.default_learning_rate
    epochs = planned_epochs(training, len(splits.train)) or strategy.default_epochs
    plan = call_component(strategy, "applying the strategy", strategy.apply, built.model,
                          spec.options("strategy"),
                          StrategyContext(task=spec.task, epochs=epochs, layer_groups=groups))
    model = plan.model
    # every weight the strategy may ever train (gradual unfreezing's later stages included)
    # trains in fp32; the optimizer is made over them afterwards
    train_in_fp32(p for group in plan.param_groups for p in group.params)
    if training.gradient_checkpointing:
        checkpointing(model, spec.data["backbone"]["name"])
    optimizer = make_optimizer(training.optim, optimizer_groups(
        plan, model, base_lr, training.weight_decay, strategy.name))

    # batches: encoded once (tokenized, aligned, resized), padded per batch to its longest
    max_length = min(training.max_length, built.max_length)
    train_rows = task.encode(splits.train, built, label_ids, max_length)
    val_rows = task.encode(splits.validation, built, label_ids, max_length)
    generator = torch.Generator().manual_seed(training.seed)
    from .batching import train_loader as make_train_loader

    device = "cuda" if torch.cuda.is_available() else "cpu"
    train_loader = make_train_loader(
        train_rows, [task.length(r) for r in train_rows], training.batch_size, generator,
        functools.partial(task.collate, built=built, train=True),
        group_by_length=training.group_by_length, device=torch.device(device))
    ready = Prepared(task=task, splits=splits, labels=labels, label_ids=label_ids,
                     data_summary=data_summary, data_fingerprint=data_fingerprint, built=built,
                     plan=plan, optimizer=optimizer, base_lr=base_lr, epochs=epochs,
                     max_length=max_length, train_loader=train_loader, val_loader=None,
                     data_check=data_check, generator=generator,
                     weights={"loaded": loaded})
    ready.val_loader = eval_loader(ready, val_rows, training.batch_size)
    return ready


def choose_precision(requested: str = "auto", model: Any = None) -> Precision:
    """The precision to train ``model`` in (a ``tunekit.engine.precision.Precision``): see
    ``training.precision``."""
    from .precision import choose

    parameters = sum(p.numel() for p in model.parameters()) if model is not None else 0
    return choose(requested, parameters)

def start(spec: RunSpec, manager: PluginManager, bus: EventBus, info: RunInfo,
          resumed: dict[str, Any] | None = None) -> Training:
    """Everything a run trains with: the data read, the model built, the strategy applied, the
    accelerator (device, precision, processes) wrapped around them, the schedule, the meter and
    early stopping; a resumed run put back where its checkpoint left it."""
    import torch
    from accelerate.utils import DistributedDataParallelKwargs, set_seed

    from ..layers import count_parameters
    from . import feature_cache
    from .checkpoints import restore
    from .meter import Meter
    from .optim import make_schedule
    from .precision import make_accelerator
    from .state import LoopState, Training
    from .stopping import Monitor

    training = spec.training
    metrics = [manager.get("metric", name) for name in spec.names("metrics")]
    set_seed(training.seed)
    ready = prepare(spec, manager, bus)

    # device and precision (training.precision; auto: bf16 on GPUs that have it, else fp16; on
    # CPUs with native bf16 for models large enough to gain, else fp32)
    chosen = choose_precision(training.precision, ready.plan.model)
    if chosen.warning:
        bus.emit("message", text=chosen.warning)
    from .precision import dtype_counts, settle_frozen

    settle_frozen(ready.plan.model, chosen.name)
    ready.weights["training"] = dtype_counts(ready.plan.model)
    # several processes (accelerate launch): DDP must tolerate parameters that take no part in
    # a step, the ones a strategy has frozen for now (gradual unfreezing)
    handlers = [DistributedDataParallelKwargs(find_unused_parameters=True)] \
        if int(os.environ.get("WORLD_SIZE", "1")) > 1 else []
    accelerator = make_accelerator(
        chosen, cpu=not torch.cuda.is_available(),
        gradient_accumulation_steps=training.gradient_accumulation_steps,
        kwargs_handlers=handlers)
    plan = ready.plan

    # a frozen bottom (head-only, freeze-bottom) runs once per example; the top trains on it
    if training.cache_features == "on" and not ready.task.feature_cache:
        raise SpecError(f"frozen features cannot be cached for the task {spec.task!r}",
                        where="training.cache_features", hint="set it to auto or off")
    cached = feature_cache.prepare(
        training.cache_features if ready.task.feature_cache else "off", ready,
        device=accelerator.device, precision=chosen.name,
        folder=feature_cache.cache_dir(Path(info.output_dir).parent.parent),
        autocast=accelerator.autocast, batch_size=training.batch_size * 2)
    model, train_loader, val_loader = plan.model, ready.train_loader, ready.val_loader
    if cached.model is not None:
        model, train_loader, val_loader = cached.model, cached.train_loader, cached.val_loader
    for note in cached.notes:
        bus.emit("message", text=note)

    # DDP syncs the gradients of the parameters that are trainable when it wraps the model:
    # every parameter the strategy may ever train must be trainable then (and frozen again)
    frozen_for_now = [p for group in plan.param_groups for p in group.params
                      if not p.requires_grad] if accelerator.num_processes > 1 else []
    for p in frozen_for_now:
        p.requires_grad_(True)
    model, optimizer, train_loader, val_loader = accelerator.prepare(
        model, ready.optimizer, train_loader, val_loader)
    for p in frozen_for_now:
        p.requires_grad_(False)
    # optimizer updates, per process once accelerate has sharded the data
    steps_per_epoch = -(-len(train_loader) // training.gradient_accumulation_steps)
    if training.max_steps:  # the steps given win over the epochs: as many as they take
        ready.epochs = -(-training.max_steps // steps_per_epoch)
    total_steps = training.max_steps or steps_per_epoch * ready.epochs
    cycle = steps_per_epoch if plan.cycle_per_epoch else total_steps
    warmup = training.warmup_steps if training.warmup_steps is not None \
        else int(cycle * training.warmup_ratio)
    scheduler = make_schedule(optimizer, training.scheduler, warmup, cycle,
                              repeat=plan.cycle_per_epoch)

    trainable, total = count_parameters(model)
    summary = {"strategy": plan.summary, "trainable_parameters": trainable,
               "total_parameters": total, "learning_rate": ready.base_lr,
               "epochs": ready.epochs,
               "precision": {"used": chosen.name, "asked": training.precision,
                             "reason": chosen.reason},
               "weights": ready.weights,
               "total_steps": total_steps, "max_length": ready.max_length,
               "data": ready.data_summary, "base_dir": str(spec.base_dir),
               "data_check": ready.data_check, "processes": accelerator.num_processes,
               "feature_cache": cached.summary}
    if resumed and resumed["fingerprint"] and ready.data_fingerprint != resumed["fingerprint"]:
        raise TunekitError(
            f"the data has changed since run {info.id} started (fingerprint "
            f"{resumed['fingerprint'][:12]}, now {ready.data_fingerprint[:12]}); resuming would "
            "train on other data", where=ready.data_summary["source"],
            hint=f"put the original data back, or start afresh: tunekit run --from {info.id}")
    # early stopping remembers what training can change: every parameter the strategy may
    # train (gradual unfreezing included) and the buffers (norm statistics)
    changeable = {id(p) for group in plan.param_groups for p in group.params}
    stopping = training.early_stopping
    t = Training(
        spec=spec, manager=manager, bus=bus, info=info, ready=ready, accelerator=accelerator,
        model=model, optimizer=optimizer, scheduler=scheduler, train_loader=train_loader,
        val_loader=val_loader,
        loss_fn=ready.task.loss_function(training, ready.labels, ready.splits.train,
                                         accelerator.device),
        metrics=metrics, monitor=Monitor(stopping, metrics, changeable) if stopping else None,
        meter=Meter(accelerator.device), loop=LoopState(accelerator.device), summary=summary,
        changeable=changeable, precision=chosen.name, total_steps=total_steps)
    if resumed:
        state = resumed["state"]
        restore(t, state, resumed["tensors"])
        summary["resumed_at_steps"] = [*state.get("resumed_at_steps", []), t.loop.step]
        if state.get("stopped_by"):
            summary["stopped_by"] = state["stopped_by"]
        bus.emit("message", text=f"resuming run {info.id} at step {t.loop.step} (epoch "
                 f"{t.loop.epoch + 1}, batch {t.loop.batch})")
    return t


def running_status(t: Training) -> dict[str, Any]:
    """What the ``status: running`` event says of a run that starts training."""
    return {"device": str(t.accelerator.device), "precision": t.precision,
            "versions": versions(), "data_fingerprint": t.ready.data_fingerprint,
            "summary": t.summary}


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("tunekit", "torch", "transformers", "peft", "accelerate"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found

