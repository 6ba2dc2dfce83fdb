"""run(spec): resolve the components, train, evaluate, export, record.

The training loop lives in ``_train`` and reads top to bottom: device and precision, data,
model, strategy, batches, optimizer, loop, evaluation, export. Everything that varies is a
plugin; everything that happens is an event (see ``tunekit.events``).
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import math
import os
import platform
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .augment import augment_rows
from .batch_search import BatchSearch, out_of_memory
from .checkpoint import BackgroundWriter, disk_error, has_checkpoint, set_rng_state
from .checkpoint import load as checkpoint_load
from .components import (
    DataContext,
    ExportContext,
    ModelRequest,
    StrategyContext,
)
from .data import fingerprint
from .errors import PluginError, ResourceError, SpecError, TrainingDiverged, TunekitError
from .events import EventBus, Listener, RunInfo, StopTraining
from .listeners import ConsoleProgress, PluginObserver, RegistryWriter
from .plugin_manager import PluginManager, call_component, load_plugins
from .registry import Registry
from .spec import RunSpec, load_spec, parse_spec

if TYPE_CHECKING:  # pragma: no cover
    import torch


@dataclass
class RunResult:
    """How a run ended: its id, status, final validation (and test) metrics and artifacts."""

    run_id: int
    status: str
    metrics: dict[str, float] = field(default_factory=dict)
    test_metrics: dict[str, float] | None = None
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    output_dir: Path | None = None
    error: str | None = None
    main_process: bool = True  # False in the other processes of a multi-process run


def run(spec: RunSpec | dict[str, Any] | str | os.PathLike[str] | None = None, *,
        manager: PluginManager | None = None, registry: Registry | None = None,
        listeners: list[Listener] = (), parent_id: int | None = None, progress: bool = True,
        output_root: str | os.PathLike[str] | None = None, sweep_id: int | None = None,
        trial: int | None = None, trial_label: str | None = None,
        resume: int | None = None, attach: int | None = None) -> RunResult:
    """Train one run described by ``spec`` (a RunSpec, a mapping, a file path, or None for the
    bundled default) and record it in the registry. Raises TunekitError on bad input, after
    marking the run failed; KeyboardInterrupt (Ctrl-C, SIGTERM) stops at the next step,
    writes a checkpoint and marks the run cancelled. ``sweep_id``, ``trial`` and
    ``trial_label`` file the run as a trial of a sweep or bake-off (``tunekit.sweep``).

    ``resume=RUN_ID`` carries on a stopped run (cancelled, interrupted or failed) from its
    checkpoint, with its recorded spec, instead of starting a new one (see ``resume``).
    ``attach=RUN_ID`` trains a run that ``queue_run`` recorded, with its recorded spec.

    Under ``accelerate launch`` (or torchrun) every process calls ``run``: they train
    together, and only the main process records the run, prints progress, calls the plugins'
    hooks and listeners, writes checkpoints and exports. The others get a RunResult with
    ``main_process`` False and no artifacts."""
    main, processes = _process_role()
    manager = manager or load_plugins()
    resumed = None
    record = None
    if resume is not None and processes > 1:
        raise TunekitError("resuming with several processes is not supported yet",
                           where=f"--resume {resume}",
                           hint=f"resume in one process: tunekit run --resume {resume}")
    if main:
        registry = registry or Registry.open()
        registry.record_plugins([p.describe() for p in manager.plugins.values()],
                                manager.components())
        if resume is not None:
            record, spec, resumed = _resumable(resume, registry, manager)
        elif attach is not None:
            record, spec = _queued(attach, registry, manager)
        else:
            if isinstance(spec, dict):
                spec = parse_spec(spec, manager)
            elif not isinstance(spec, RunSpec):
                spec = load_spec(spec, manager)
            record = queue_run(spec, registry=registry, parent_id=parent_id,
                               output_root=output_root, sweep_id=sweep_id, trial=trial,
                               trial_label=trial_label)
        output_dir = Path(record.output_dir)
    if processes > 1:  # the other processes learn the run from the main one
        from accelerate.utils import broadcast_object_list

        shared = broadcast_object_list([(record.id, output_dir, spec) if main else None])
        run_id, output_dir, spec = shared[0]
    else:
        run_id = record.id
    info = RunInfo(id=run_id, spec=spec.to_dict(), output_dir=output_dir)
    if not main:
        return _train_quietly(spec, manager, info)
    writer = RegistryWriter(registry, record.id)
    bus = EventBus([writer])
    if progress:
        bus.add(ConsoleProgress())
    bus.add(PluginObserver(manager, info))
    for listener in listeners:
        bus.add(listener)

    # a resumed run's record is left as it was until its data is known to be the same
    touched = [resumed is None]

    def take_over(step: int) -> None:
        registry.resume_run(record.id, after_step=step)
        touched[0] = True

    def start_again(smaller: RunSpec) -> None:
        """The batch search's next attempt: forget the last one's points, record the batch."""
        writer.pending.clear()
        take_over(0)
        registry.update_run(record.id, spec=smaller.to_dict())

    # training.auto_batch_size: out of memory early, try again with a smaller batch; a
    # resumed run keeps its checkpoint's batch
    search = BatchSearch(spec, bus, output_dir, enabled=resumed is None and processes == 1,
                         start_again=start_again)
    result = RunResult(run_id=record.id, status="failed", output_dir=output_dir)
    try:
        _call_plugins(manager, "on_run_start", run=info)
        outcome = search.train(lambda attempt: _train(
            attempt, manager, bus, info, resumed=resumed, take_over=take_over,
            before_checkpoint=writer.flush))
        result.status = "completed"
        result.metrics, result.test_metrics = outcome["metrics"], outcome["test_metrics"]
        result.artifacts = outcome["artifacts"]
    except KeyboardInterrupt:
        result.status, result.error = "cancelled", "stopped by the user"
        if has_checkpoint(output_dir):
            result.error += f"; resume with: tunekit run --resume {record.id}"
        raise
    except Exception as exc:
        resource = _resource_error(exc, search.spec, record.id)
        if resource is not None:
            result.error = str(resource)
            resource.run_id = record.id
            raise resource from exc
        result.error = str(exc) if isinstance(exc, TunekitError) else f"{type(exc).__name__}: {exc}"
        exc.run_id = record.id  # lets a caller say which run failed
        raise
    finally:
        if touched[0]:
            final = {"status": result.status, "error": result.error}
            if result.status == "completed":
                final.update(metrics=result.metrics, test_metrics=result.test_metrics,
                             details=outcome["details"], summary=outcome["summary"])
            bus.emit("status", strict=False, **final)  # every listener hears the end
            _call_plugins(manager, "on_run_end", run=info, status=result.status,
                          metrics=result.metrics, error=result.error, quiet=True)
    return result


def queue_run(spec: RunSpec, *, registry: Registry, parent_id: int | None = None,
              output_root: str | os.PathLike[str] | None = None, sweep_id: int | None = None,
              trial: int | None = None, trial_label: str | None = None) -> Any:
    """Record a new, queued run of ``spec`` and its output folder; returns the record.
    ``run(attach=record.id)`` trains it (``tunekit run --processes`` queues the run in the
    launcher, then each launched process attaches to it)."""
    record = registry.create_run(spec.to_dict(), parent_id=parent_id, sweep_id=sweep_id,
                                 trial=trial, trial_label=trial_label)
    root = Path(output_root) if output_root else registry.path.resolve().parent / "runs"
    # relative data paths in the spec are read from base_dir: kept so the run can be repeated
    return registry.update_run(record.id, output_dir=str(root / f"run-{record.id}"),
                               summary={"base_dir": str(spec.base_dir)})


def _queued(run_id: int, registry: Registry, manager: PluginManager) -> tuple[Any, RunSpec]:
    """The record and recorded spec of a queued run, to train it (``run(attach=...)``)."""
    record = registry.get_run(run_id)
    if record is None or record.status != "queued":
        state = f"is {record.status}" if record else "does not exist"
        raise TunekitError(f"run {run_id} {state}; only a queued run can be attached to",
                           where=f"run {run_id}", hint="tunekit run SPEC starts a new run")
    return record, _recorded_spec(record, manager)


def _recorded_spec(record: Any, manager: PluginManager) -> RunSpec:
    """A run's recorded spec, its data paths read from where the run was started."""
    from .spec import absolute_paths

    base_dir = json.loads(record.summary_json or "{}").get("base_dir")
    data = absolute_paths(record.spec, Path(base_dir)) if base_dir else record.spec
    return parse_spec(data, manager, base_dir=Path(base_dir) if base_dir else None,
                      source=f"run {record.id}'s spec")


def _process_role() -> tuple[bool, int]:
    """(whether this is the main process, how many processes train together): one, unless
    launched by ``accelerate launch`` or torchrun, which set WORLD_SIZE."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return True, 1
    import torch
    from accelerate import PartialState

    # joins the process group the launcher set up (gloo on CPUs, nccl on GPUs)
    state = PartialState(cpu=not torch.cuda.is_available())
    return state.is_main_process, state.num_processes


def _train_quietly(spec: RunSpec, manager: PluginManager, info: RunInfo) -> RunResult:
    """A process other than the main one: it trains its share of each batch and evaluates its
    share of the data, and records, prints and exports nothing."""
    outcome = _train(spec, manager, EventBus(), info)
    return RunResult(run_id=info.id, status="completed", metrics=outcome["metrics"],
                     test_metrics=outcome["test_metrics"], output_dir=info.output_dir,
                     main_process=False)


def resume(run_id: int, **kwargs: Any) -> RunResult:
    """Carry on run ``run_id`` from its checkpoint: ``run(resume=run_id, ...)``."""
    return run(resume=run_id, **kwargs)


def _resumable(run_id: int, registry: Registry,
               manager: PluginManager) -> tuple[Any, RunSpec, dict[str, Any]]:
    """The record, recorded spec and checkpoint of a run that may be resumed; else why not."""
    where = f"--resume {run_id}"
    registry.mark_orphans_interrupted()
    record = registry.get_run(run_id)
    if record is None:
        raise TunekitError(f"there is no run {run_id}", where=where,
                           hint="`tunekit runs list` shows the runs")
    if record.status == "completed":
        raise TunekitError(f"run {run_id} completed; there is nothing left to resume",
                           where=where, hint=f"to train again from its spec: tunekit run "
                           f"--from {run_id}")
    if record.status in ("queued", "running"):
        raise TunekitError(f"run {run_id} is still {record.status} (process {record.pid} on "
                           f"{record.host})", where=where,
                           hint="stop it first (Ctrl-C or SIGTERM writes a checkpoint)")
    state, tensors = checkpoint_load(Path(record.output_dir))
    if state.get("processes", 1) > 1:
        raise TunekitError(f"run {run_id} trained in {state['processes']} processes; resuming "
                           "a multi-process run is not supported yet", where=where,
                           hint=f"start it again: tunekit run --from {run_id}")
    spec = _recorded_spec(record, manager)
    return record, spec, {"state": state, "tensors": tensors,
                          "fingerprint": record.data_fingerprint}


def _resource_error(exc: BaseException, spec: RunSpec, run_id: int) -> TunekitError | None:
    """Out of memory or out of disk, in words with what to change; None for anything else."""
    if isinstance(exc, TunekitError):
        return None
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_error(exc, "the run's files", run_id)
    text = str(exc)
    if not out_of_memory(exc):
        return None
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # noqa: BLE001 - only tidying up
        pass
    training = spec.training
    batch, accumulate = training.batch_size, training.gradient_accumulation_steps
    hints = []
    if batch > 1:
        hints.append(f"halve the batch and double the accumulation, which keeps the effective "
                     f"batch of {batch * accumulate}: --set training.batch_size={batch // 2} "
                     f"--set training.gradient_accumulation_steps={accumulate * 2}")
        if not training.auto_batch_size:
            hints.append("let the run find the batch that fits: --set "
                          "training.auto_batch_size=true")
    if spec.data["strategy"]["name"] not in ("lora", "head-only", "linear-probe"):
        hints.append("train far fewer weights with --set strategy=lora")
    if training.max_length > 64:
        hints.append(f"shorten the examples: --set training.max_length="
                     f"{training.max_length // 2}")
    device = "GPU" if type(exc).__name__ == "OutOfMemoryError" else "machine"
    return ResourceError(
        f"the {device} ran out of memory (batch_size {batch}, max_length "
        f"{training.max_length}): {text.splitlines()[0][:200] if text else type(exc).__name__}",
        where="training", hint="; or ".join(hints) or "use a machine with more memory")


def _call_plugins(manager: PluginManager, hook_name: str, quiet: bool = False,
                  **kwargs: Any) -> None:
    """Call one lifecycle hook plugin by plugin, so a failure names its plugin. With ``quiet``
    (the run has ended) a failure is reported on standard error and the others still run."""
    for plugin, call in manager.call_each(hook_name, **kwargs):
        try:
            call()
        except Exception as exc:
            if quiet:
                print(f"warning: plugin {plugin} failed in {hook_name}: "
                      f"{type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            raise PluginError(f"{type(exc).__name__}: {exc}",
                              where=f"plugin {plugin} ({hook_name})") from exc


# ---------------------------------------------------------------- the loop


def _train(spec: RunSpec, manager: PluginManager, bus: EventBus, info: RunInfo, *,
           resumed: dict[str, Any] | None = None, take_over: Any = None,
           before_checkpoint: Any = None) -> dict[str, Any]:
    import torch
    from accelerate.utils import DistributedDataParallelKwargs, set_seed

    from .precision import make_accelerator

    training = spec.training
    metrics = [manager.get("metric", name) for name in spec.names("metrics")]

    set_seed(training.seed)

    # data, model, strategy, batches
    ready = _prepare(spec, manager, bus)

    # device and precision (training.precision; auto: bf16 on GPUs that have it, else fp16; on
    # CPUs with native bf16 for models large enough to gain, else fp32)
    chosen = _precision(training.precision, ready.plan.model)
    precision = chosen.name
    if chosen.warning:
        bus.emit("message", text=chosen.warning)
    # several processes (accelerate launch): DDP must tolerate parameters that take no part in
    # a step, the ones a strategy has frozen for now (gradual unfreezing)
    handlers = [DistributedDataParallelKwargs(find_unused_parameters=True)] \
        if int(os.environ.get("WORLD_SIZE", "1")) > 1 else []
    accelerator = make_accelerator(
        chosen, cpu=not torch.cuda.is_available(),
        gradient_accumulation_steps=training.gradient_accumulation_steps,
        kwargs_handlers=handlers)
    splits, labels, built, plan = ready.splits, ready.labels, ready.built, ready.plan
    base_lr, epochs, max_length = ready.base_lr, ready.epochs, ready.max_length
    data_summary, label_ids = ready.data_summary, ready.label_ids
    model, optimizer = plan.model, ready.optimizer
    train_loader, val_loader = ready.train_loader, ready.val_loader
    from . import feature_cache
    from .layers import count_parameters

    # a frozen bottom (head-only, freeze-bottom) runs once per example; the top trains on it
    if training.cache_features == "on" and not ready.task.feature_cache:
        raise SpecError(f"frozen features cannot be cached for the task {spec.task!r}",
                        where="training.cache_features", hint="set it to auto or off")
    cached = feature_cache.prepare(
        training.cache_features if ready.task.feature_cache else "off", ready,
        device=accelerator.device, precision=precision,
        folder=feature_cache.cache_dir(Path(info.output_dir).parent.parent),
        autocast=accelerator.autocast, batch_size=training.batch_size * 2)
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
        model, optimizer, train_loader, val_loader)
    for p in frozen_for_now:
        p.requires_grad_(False)
    batches_per_epoch = len(train_loader)  # per process, once accelerate has sharded the data
    accumulate = training.gradient_accumulation_steps
    steps_per_epoch = -(-batches_per_epoch // accumulate)  # optimizer updates
    total_steps = steps_per_epoch * epochs
    cycle = steps_per_epoch if plan.cycle_per_epoch else total_steps
    scheduler = make_schedule(optimizer, training.scheduler, int(cycle * training.warmup_ratio),
                              cycle, repeat=plan.cycle_per_epoch)
    loss_fn = ready.task.loss_function(training, labels, splits.train, accelerator.device)

    trainable, total = count_parameters(model)
    summary = {"strategy": plan.summary, "trainable_parameters": trainable,
               "total_parameters": total, "learning_rate": base_lr, "epochs": epochs,
               "precision": {"used": precision, "asked": training.precision,
                             "reason": chosen.reason},
               "total_steps": total_steps, "max_length": max_length, "data": data_summary,
               "base_dir": str(spec.base_dir), "data_check": ready.data_check,
               "processes": accelerator.num_processes, "feature_cache": cached.summary}
    if resumed and resumed["fingerprint"] and ready.data_fingerprint != resumed["fingerprint"]:
        raise TunekitError(
            f"the data has changed since run {info.id} started (fingerprint "
            f"{resumed['fingerprint'][:12]}, now {ready.data_fingerprint[:12]}); resuming would "
            "train on other data", where=data_summary["source"],
            hint=f"put the original data back, or start afresh: tunekit run --from {info.id}")
    meter = _Meter(accelerator.device)
    stopping = training.early_stopping
    # early stopping remembers what training can change: every parameter the strategy may
    # train (gradual unfreezing included) and the buffers (norm statistics)
    changeable = {id(p) for group in plan.param_groups for p in group.params}
    monitor = _Monitor(stopping, metrics, changeable) if stopping else None
    loop = _LoopState(accelerator.device)
    if resumed:
        state = resumed["state"]
        _restore(state, resumed["tensors"], accelerator, model, optimizer, scheduler, monitor,
                 meter, loop, changeable)
        summary["resumed_at_steps"] = [*state.get("resumed_at_steps", []), loop.step]
        if state.get("stopped_by"):
            summary["stopped_by"] = state["stopped_by"]
        bus.emit("message", text=f"resuming run {info.id} at step {loop.step} (epoch "
                 f"{loop.epoch + 1}, batch {loop.batch})")
    if take_over:
        take_over(loop.step)
    bus.emit("status", status="running", device=str(accelerator.device), precision=precision,
             versions=_versions(), data_fingerprint=ready.data_fingerprint, summary=summary)

    def checkpoint() -> None:
        """Everything needed to carry on from here (a safe point: between two steps)."""
        if not accelerator.is_main_process:  # the processes hold the same weights: one writes
            loop.saved = True
            return
        if before_checkpoint:
            before_checkpoint()  # the points recorded so far stay with the checkpoint
        try:
            _save_checkpoint(info.output_dir, accelerator, model, optimizer, scheduler, monitor,
                             meter, loop, changeable, summary, writer=saving)
        except OSError as exc:
            raise disk_error(exc, "the checkpoint", info.id) from exc

    # checkpoints are written in a thread while training goes on; the next checkpoint, a stop,
    # an error and the end of training wait for the one in flight (and raise its error)
    saving = BackgroundWriter()

    def checkpoint_written(raise_error: bool = True) -> None:
        try:
            saving.wait(raise_error=raise_error)
        except OSError as exc:
            raise disk_error(exc, "the checkpoint", info.id) from exc

    log_every = min(training.log_every, steps_per_epoch)
    generator = ready.generator
    epoch = loop.epoch
    with _StopRequests() as stop:
        try:
            for epoch in range(loop.epoch, epochs if not loop.finished else loop.epoch):
                change = call_component(
                    manager.get("strategy", spec.data["strategy"]["name"]),
                    f"starting epoch {epoch + 1}", plan.on_epoch_start, epoch,
                ) if plan.on_epoch_start else None
                trainable, _ = count_parameters(model)
                bus.emit("epoch_start", epoch=epoch, epochs=epochs, change=change,
                         trainable=trainable)
                trainable_params = [p for p in model.parameters() if p.requires_grad]
                model.train()
                for module in plan.frozen_modules:  # a frozen extractor gives the same features
                    module.eval()
                # the shuffled order of this epoch follows from the generator's state now; a
                # resumed epoch replays it and skips the batches already trained
                skip, rng = loop.batch, loop.rng
                if loop.order_state is not None:
                    generator.set_state(loop.order_state)
                loop.order_state = generator.get_state()
                # a resumed run takes up the RNG states where they were saved: before this
                # epoch's batches (at an epoch's start), else after the batches it skips
                if rng and not skip:
                    set_rng_state(*rng)
                    rng = loop.rng = None
                for batch_index, batch in enumerate(train_loader):
                    if batch_index < skip:
                        continue
                    if rng:
                        set_rng_state(*rng)  # dropout goes on exactly as it would have
                        rng = loop.rng = None
                    loop.at_rest = False
                    meter.count(batch)
                    with accelerator.accumulate(model):  # no gradient sync between batches
                        loss = loss_fn(model, batch)
                        accelerator.backward(loss)  # divided by the accumulation steps
                        loop.running += loss.detach()  # on the device: no host sync per step
                        loop.batches += 1
                        if not accelerator.sync_gradients:
                            continue
                        if training.max_grad_norm:
                            accelerator.clip_grad_norm_(trainable_params, training.max_grad_norm)
                        optimizer.step()
                        scheduler.step()
                        optimizer.zero_grad(set_to_none=True)
                    loop.step += 1
                    loop.since_log += 1
                    loop.rest(epoch, batch_index + 1)
                    if loop.since_log == log_every or batch_index == batches_per_epoch - 1:
                        running = loop.running / loop.batches
                        if accelerator.num_processes > 1:  # the mean over every process's share
                            running = accelerator.reduce(running, reduction="mean")
                        value = float(running)  # the one host sync
                        if not math.isfinite(value):
                            raise _diverged(value, loop, epoch, training, base_lr, precision)
                        loop.running.zero_()
                        loop.batches = loop.since_log = 0
                        bus.emit("step", step=loop.step, total_steps=total_steps,
                                 epoch=epoch + (batch_index + 1) / batches_per_epoch,
                                 loss=value, learning_rate=scheduler.get_last_lr()[0])
                    last_of_epoch = batch_index == batches_per_epoch - 1
                    if not last_of_epoch and (stop.requested or (
                            training.checkpoint_every
                            and loop.step % training.checkpoint_every == 0)):
                        _check_finite(loop, epoch, training, base_lr, precision)
                        checkpoint()
                        if stop.requested:
                            raise KeyboardInterrupt
                if rng:  # stopped after the epoch's last batch: nothing left of it to train
                    set_rng_state(*rng)
                    rng = loop.rng = None
                loop.at_rest = False
                meter.pause()
                last_eval = loop.last_eval = _evaluate(ready, model, val_loader, metrics,
                                                       accelerator)
                if accelerator.is_main_process:  # the task's own record (causal-lm: generations)
                    last_eval["details"].update(ready.task.after_evaluation(
                        accelerator.unwrap_model(model), built,
                        {"prompts": training.generation_prompts,
                         "validation": splits.validation, "max_length": max_length}))
                reason = None
                try:
                    bus.emit("evaluation", split="validation", epoch=epoch + 1, step=loop.step,
                             **last_eval)
                except StopTraining as request:
                    summary["stopped_by"] = str(request)
                    reason = f"stopped after epoch {epoch + 1}: {request}"
                finally:
                    meter.resume()
                if accelerator.num_processes > 1:  # a listener of the main process decides
                    from accelerate.utils import broadcast_object_list

                    reason, summary["stopped_by"] = broadcast_object_list(
                        [reason, summary.get("stopped_by")])
                    if summary["stopped_by"] is None:
                        del summary["stopped_by"]
                if monitor and monitor.update(last_eval, model, epoch + 1) and not reason:
                    reason = (f"early stopping after epoch {epoch + 1}: validation "
                              f"{monitor.metric} has not improved for {stopping.patience} "
                              "evaluations")
                # the next epoch's order follows from the generator's state now
                loop.order_state = generator.get_state()
                loop.finished = bool(reason) or epoch + 1 == epochs
                loop.rest(epoch + 1, 0)
                _check_finite(loop, epoch, training, base_lr, precision)
                checkpoint()
                if reason:
                    bus.emit("message", text=reason)
                    break
                if stop.requested:
                    raise KeyboardInterrupt
            meter.pause()  # the last checkpoint's write is not training time
            checkpoint_written()
        except KeyboardInterrupt:
            # Ctrl-C twice, or a listener stopping the run: a checkpoint only at a safe point
            if loop.at_rest and not loop.saved:
                checkpoint()
            checkpoint_written()  # on disk before the run says it can be resumed
            raise
        except BaseException:
            checkpoint_written(raise_error=False)  # the error on its way says more
            raise

    epoch = max(loop.epoch - 1, 0)  # the last epoch trained
    last_eval = loop.last_eval
    meter.pause()
    summary["performance"] = meter.figures()
    final = last_eval
    if monitor and stopping.restore_best and monitor.best_epoch != epoch + 1:
        monitor.restore(model)
        final = monitor.best_eval
        bus.emit("message", text=f"restored the weights of epoch {monitor.best_epoch}, the best "
                 f"validation {monitor.metric}")

    test_eval = None
    if splits.test:
        test_rows = ready.task.encode(splits.test, built, label_ids, max_length)
        test_loader = accelerator.prepare(_eval_loader(ready, test_rows, training.batch_size))
        test_eval = _evaluate(ready, model, test_loader, metrics, accelerator)
        bus.emit("evaluation", split="test", epoch=epoch + 1, step=loop.step, **test_eval)
    summary["evaluated_examples"] = {"validation": final.get("examples"),
                                     "test": test_eval["examples"] if test_eval else None}
    if os.environ.get("TUNEKIT_DEBUG_RANK_WEIGHTS"):
        _write_weights_digest(Path(os.environ["TUNEKIT_DEBUG_RANK_WEIGHTS"]), accelerator,
                              model)

    trained = {"strategy": plan.summary, "learning_rate": base_lr, "epochs": epochs,
               "epochs_trained": epoch + 1, "max_length": max_length,
               "best_epoch": monitor.best_epoch if monitor and stopping.restore_best else None}
    artifacts = []
    with _full_weights(accelerator, model):
        if accelerator.is_main_process:  # the processes hold the same weights: one exports
            artifacts = _export(spec, manager, bus, info,
                                feature_cache.full_model(accelerator.unwrap_model(model)),
                                built, labels, final, test_eval, data_summary, trained, splits)
    details = {"validation": final["details"],
               "test": test_eval["details"] if test_eval else None}
    return {"metrics": final["metrics"],
            "test_metrics": test_eval["metrics"] if test_eval else None,
            "details": details, "artifacts": artifacts, "summary": summary}


# ---------------------------------------------------------------- pieces of the loop


@dataclass
class Prepared:
    """A run made ready to train: its data read and encoded, the model built, the strategy
    applied, the optimizer made. The training loop and the learning-rate finder start here."""

    task: Any  # the task family (tunekit.tasks.Task)
    splits: Any
    labels: list[str]
    label_ids: dict[str, int]
    data_summary: dict[str, Any]
    data_fingerprint: str
    built: Any
    plan: Any
    optimizer: Any
    base_lr: float
    epochs: int
    max_length: int
    train_loader: Any
    val_loader: Any
    data_check: dict[str, Any] | None = None  # the data check's report (None: turned off)
    generator: Any = None  # the training order's RNG: its state at an epoch's start fixes it


def _check_data(splits: Any, training: Any, strategy: str, bus: EventBus,
                where: str) -> dict[str, Any] | None:
    """The data check, before anything heavy: blocking findings refuse the run (unless
    training.data_check is warn); warnings become messages. Returns the report as a dict."""
    if training.data_check == "off":
        return None
    from .datacheck import check_data

    report = check_data(splits, strategy=strategy, max_length=training.max_length)
    if report.blocking and training.data_check == "refuse":
        raise report.error(where)
    for finding in report.findings:
        if finding.severity != "info":
            bus.emit("message", text=f"data check, {finding.severity}: {finding.message}")
    return report.to_dict()


def _prepare(spec: RunSpec, manager: PluginManager, bus: EventBus) -> Prepared:
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
    from .tasks import get_task

    task = get_task(spec.task)
    data_check = _check_data(splits, training, strategy.name, bus, splits.source or source) \
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
    from .layers import default_layer_groups

    groups = built.layer_groups or default_layer_groups(built.model)

    # strategy: what trains, at which rate, for how long (its defaults unless the spec says)
    base_lr = training.learning_rate or strategy.default_learning_rate
    epochs = training.epochs or strategy.default_epochs
    plan = call_component(strategy, "applying the strategy", strategy.apply, built.model,
                          spec.options("strategy"),
                          StrategyContext(task=spec.task, epochs=epochs, layer_groups=groups))
    model = plan.model
    optimizer = adamw(_optimizer_groups(plan, model, base_lr, training.weight_decay,
                                        strategy.name))

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
                     data_check=data_check, generator=generator)
    ready.val_loader = _eval_loader(ready, val_rows, training.batch_size)
    return ready


def _precision(requested: str = "auto", model: Any = None) -> Any:
    """The precision to train ``model`` in (a ``tunekit.precision.Precision``): see
    ``training.precision``."""
    from .precision import choose

    parameters = sum(p.numel() for p in model.parameters()) if model is not None else 0
    return choose(requested, parameters)


def adamw(groups: list[dict[str, Any]]) -> Any:
    """AdamW, fused where this torch has it for the parameters (one kernel over every
    parameter instead of a loop of small ones: the update takes a fraction of the time, on a
    CPU as on a GPU; transformers' Trainer uses it too)."""
    import torch

    try:
        return torch.optim.AdamW(groups, fused=True)
    except (RuntimeError, ValueError):  # a device or dtype the fused kernel does not take
        return torch.optim.AdamW(groups)


def _optimizer_groups(plan: Any, model: torch.nn.Module, base_lr: float, weight_decay: float,
                      strategy: str) -> list[dict[str, Any]]:
    """AdamW groups: each strategy group at its rate, no weight decay on biases and norms."""
    seen: set[int] = set()
    groups = []
    for group in plan.param_groups:
        decay, no_decay = [], []
        for p in group.params:
            if id(p) in seen:
                raise PluginError(f"a parameter is in two param_groups (again in {group.name!r})",
                                  where=f"strategy {strategy!r}")
            seen.add(id(p))
            (decay if p.ndim >= 2 else no_decay).append(p)
        lr = base_lr * group.lr_scale
        for params, wd in ((decay, weight_decay), (no_decay, 0.0)):
            if params:
                groups.append({"params": params, "lr": lr, "weight_decay": wd,
                               "name": group.name})
    missing = [p for p in model.parameters() if p.requires_grad and id(p) not in seen]
    if missing:
        raise PluginError(f"{len(missing)} trainable parameters are in no param group",
                          where=f"strategy {strategy!r}",
                          hint="list every parameter that may train in StrategyPlan.param_groups")
    if not groups:
        raise PluginError("the strategy left nothing to train", where=f"strategy {strategy!r}")
    return groups


def make_schedule(optimizer: Any, kind: str, warmup: int, cycle: int,
                  repeat: bool = False) -> Any:
    """The learning-rate schedule over ``cycle`` optimizer steps (with ``repeat``, started again
    each cycle, as gradual unfreezing does each epoch): a linear warm-up over ``warmup`` steps,
    then

    - ``constant``: the full rate;
    - ``linear``: linear decay to 0;
    - ``cosine``: cosine decay to 0;
    - ``slanted-triangular`` (Howard & Ruder, 2018): the warm-up is the short rise, then a
      linear decay to 1/32 of the rate.
    """
    import math

    import torch

    if kind == "slanted-triangular":
        warmup = max(1, warmup)
    floor = 1 / 32 if kind == "slanted-triangular" else 0.0

    def factor(step: int) -> float:
        step = step % cycle if repeat else min(step, cycle)
        if warmup and step < warmup:
            return (step + 1) / warmup
        if kind == "constant":
            return 1.0
        progress = (step - warmup) / max(1, cycle - warmup)
        if kind == "cosine":
            return 0.5 * (1 + math.cos(math.pi * progress))
        return floor + (1 - floor) * max(0.0, 1 - progress)

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _eval_loader(ready: Prepared, rows: list[dict[str, Any]], batch_size: int) -> Any:
    import torch

    # sorted by length so that evaluation batches carry little padding
    order = sorted(range(len(rows)), key=lambda i: ready.task.length(rows[i]))
    return torch.utils.data.DataLoader(
        [rows[i] for i in order], batch_size=batch_size * 2,
        collate_fn=functools.partial(ready.task.collate, built=ready.built, train=False))


def _gather(accelerator: Any, value: Any) -> list[Any]:
    """An evaluation batch's values from every process, the repeated samples dropped."""
    if isinstance(value, list):
        gathered = accelerator.gather_for_metrics(value, use_gather_object=True) \
            if accelerator.num_processes > 1 else value
        return list(gathered)
    return accelerator.gather_for_metrics(value).cpu().tolist()


def _evaluate(ready: Prepared, model: Any, loader: Any, metrics: list[Any],
              accelerator: Any) -> dict[str, Any]:
    """Validation loss, the task's own figures and every metric, over the whole split."""
    import torch

    task, labels = ready.task, ready.labels
    model.eval()
    gathered: dict[str, list[Any]] = {}
    with torch.no_grad():
        for batch in loader:
            for key, value in task.evaluate_batch(model, batch).items():
                gathered.setdefault(key, []).extend(_gather(accelerator, value))
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


class _Monitor:
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
        return _changeable_state(model, self.changeable)

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


class _Meter:
    """Training throughput and peak memory: samples/s and tokens/s over the time spent in
    training steps (evaluation excluded); on CUDA the peak of allocated memory, on Linux the
    process's peak resident memory from the start of training."""

    def __init__(self, device: Any):
        import time

        import torch

        self.cuda = device.type == "cuda"
        if self.cuda:
            torch.cuda.reset_peak_memory_stats(device)
        else:
            _reset_peak_rss()
        self.device = device
        self.clock = time.perf_counter
        self.started: float | None = self.clock()
        self.seconds = 0.0
        self.samples = 0
        self.tokens: Any = 0  # a device tensor once counting starts: no host sync per step

    def count(self, batch: dict[str, Any]) -> None:
        self.samples += len(next(iter(batch.values())))
        if "attention_mask" in batch:  # text: the tokens that are not padding
            self.tokens = self.tokens + batch["attention_mask"].sum()

    def pause(self) -> None:
        if self.started is not None:
            if self.cuda:
                import torch

                torch.cuda.synchronize(self.device)
            self.seconds += self.clock() - self.started
            self.started = None

    def resume(self) -> None:
        if self.started is None:
            self.started = self.clock()

    def checkpoint_state(self) -> dict[str, Any]:
        running = self.clock() - self.started if self.started is not None else 0.0
        return {"seconds": self.seconds + running, "samples": self.samples,
                "tokens": int(self.tokens)}

    def load_checkpoint_state(self, state: dict[str, Any]) -> None:
        self.seconds, self.samples = state["seconds"], state["samples"]
        self.tokens = state["tokens"]

    def figures(self) -> dict[str, Any]:
        seconds = max(self.seconds, 1e-9)
        tokens = int(self.tokens)
        if self.cuda:
            import torch

            peak, kind = torch.cuda.max_memory_allocated(self.device), "cuda_allocated"
        else:
            peak, kind = _peak_rss(), "process_rss"
        return {"train_seconds": round(self.seconds, 3), "samples": self.samples,
                "tokens": tokens, "samples_per_second": round(self.samples / seconds, 2),
                "tokens_per_second": round(tokens / seconds, 1),
                "peak_memory_bytes": peak, "peak_memory_kind": kind}


class _LoopState:
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


class _StopRequests:
    """While training, Ctrl-C and SIGTERM ask the loop to stop at the next step boundary, after
    a checkpoint, instead of breaking off mid-update; asked twice, it stops at once."""

    def __init__(self) -> None:
        self.requested: str | None = None
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _StopRequests:
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


def _changeable_state(model: Any, changeable: set[int]) -> list[tuple[str, Any]]:
    """The parameters training may change and the buffers: what a checkpoint must keep."""
    params = [(n, p) for n, p in model.named_parameters() if id(p) in changeable]
    return params + list(model.named_buffers())


def _save_checkpoint(output_dir: Path, accelerator: Any, model: Any, optimizer: Any,
                     scheduler: Any, monitor: _Monitor | None, meter: _Meter, loop: _LoopState,
                     changeable: set[int], summary: dict[str, Any],
                     writer: BackgroundWriter | None = None) -> None:
    """Snapshot the run's state now; ``writer`` writes it in the background (else now)."""
    from .checkpoint import flatten_optimizer, rng_state, save

    tensors = {f"model/{n}": t for n, t in _changeable_state(model, changeable)}
    optimizer_state, optimizer_tensors = flatten_optimizer(optimizer.state_dict())
    tensors.update(optimizer_tensors)
    # a resumed run that has not trained a batch yet still owes the RNG states it was given
    rng, rng_tensors = loop.rng or rng_state()
    tensors.update(rng_tensors)
    tensors["loop/order"] = loop.order_state
    tensors["loop/running"] = loop.running
    if monitor:
        tensors.update({f"monitor/{n}": t for n, t in monitor.best_state.items()})
    state = {
        "epoch": loop.epoch, "batch": loop.batch, "step": loop.step, "batches": loop.batches,
        "since_log": loop.since_log, "finished": loop.finished, "last_eval": loop.last_eval,
        "accelerator_step": accelerator.step, "optimizer": optimizer_state,
        "processes": accelerator.num_processes,
        "scheduler": scheduler.state_dict(), "rng": rng,
        "monitor": monitor.checkpoint_state() if monitor else None,
        "meter": meter.checkpoint_state(), "stopped_by": summary.get("stopped_by"),
        "resumed_at_steps": summary.get("resumed_at_steps", []),
    }
    save(output_dir, json.loads(json.dumps(state, default=_plain)), tensors, writer)
    loop.saved = True


def _full_weights(accelerator: Any, model: Any) -> Any:
    """Under FSDP (version 1) each process holds a shard of the weights: every process enters
    this context, and inside it the main process sees them whole, in CPU memory, to export."""
    import contextlib

    from accelerate.utils import DistributedType

    if accelerator.distributed_type != DistributedType.FSDP:
        return contextlib.nullcontext()
    from torch.distributed.fsdp import FullyShardedDataParallel

    return FullyShardedDataParallel.summon_full_params(model, writeback=False, rank0_only=True,
                                                       offload_to_cpu=True)


def _write_weights_digest(folder: Path, accelerator: Any, model: Any) -> None:
    """For checking that the processes of a run end with the same weights: the sha256 of this
    process's final weights, in ``folder/rank-<process index>.sha256``
    (TUNEKIT_DEBUG_RANK_WEIGHTS=folder)."""
    import torch

    digest = hashlib.sha256()
    for name, tensor in sorted(accelerator.unwrap_model(model).state_dict().items()):
        raw = tensor.detach().to("cpu").contiguous().view(-1).view(torch.uint8)
        digest.update(name.encode() + b"\0" + raw.numpy().tobytes())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"rank-{accelerator.process_index}.sha256").write_text(digest.hexdigest() + "\n")


def _plain(value: Any) -> Any:
    """numpy and torch scalars (in evaluation details) as plain numbers."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} cannot go into a checkpoint")


def _restore(state: dict[str, Any], tensors: dict[str, Any], accelerator: Any, model: Any,
             optimizer: Any, scheduler: Any, monitor: _Monitor | None, meter: _Meter,
             loop: _LoopState, changeable: set[int]) -> None:
    """Put a run back in the state its checkpoint recorded."""
    import torch

    from .checkpoint import unflatten_optimizer

    current = dict(_changeable_state(model, changeable))
    missing = [n for n in current if f"model/{n}" not in tensors]
    if missing:
        raise TunekitError(f"the checkpoint does not fit this model (no {missing[0]!r})",
                           where="checkpoint", hint="the backbone or strategy has changed since "
                           "the run started; start afresh with tunekit run --from RUN")
    with torch.no_grad():
        for name, tensor in current.items():
            tensor.copy_(tensors[f"model/{name}"])
    optimizer.load_state_dict(unflatten_optimizer(state["optimizer"], tensors))
    scheduler.load_state_dict(state["scheduler"])
    accelerator.step = state["accelerator_step"]
    loop.epoch, loop.batch, loop.step = state["epoch"], state["batch"], state["step"]
    loop.running.copy_(tensors["loop/running"])
    loop.batches, loop.since_log = state["batches"], state["since_log"]
    loop.order_state = tensors["loop/order"]
    loop.rng = (state["rng"], {k: v for k, v in tensors.items() if k.startswith("rng/")})
    loop.last_eval, loop.finished = state["last_eval"], state["finished"]
    if monitor and state["monitor"]:
        monitor.load_checkpoint_state(state["monitor"], {
            k.removeprefix("monitor/"): v for k, v in tensors.items() if k.startswith("monitor/")})
    meter.load_checkpoint_state(state["meter"])


def _diverged(value: float, loop: _LoopState, epoch: int, training: Any, base_lr: float,
              precision: str) -> TrainingDiverged:
    """NaN or Inf: where it happened, and what to change."""
    first = loop.step - loop.since_log + 1
    when = f"at step {loop.step}" if first >= loop.step else \
        f"between steps {first} and {loop.step}"
    hints = [f"lower the learning rate: --set training.learning_rate={base_lr / 10:g} (a tenth "
             f"of {base_lr:g})"]
    if not training.max_grad_norm:
        hints.append("turn gradient clipping on: --set training.max_grad_norm=1.0")
    if precision == "fp16":
        hints.append("this GPU trains in fp16, whose range is narrow: a GPU with bf16, or fp32, "
                     "is steadier")
    return TrainingDiverged(f"the training loss became {value} {when} (epoch {epoch + 1}); "
                            "training stopped there", where="training", hint="; or ".join(hints))


def _check_finite(loop: _LoopState, epoch: int, training: Any, base_lr: float,
                  precision: str) -> None:
    """Before a checkpoint: never save a state whose loss has already gone to NaN or Inf."""
    import torch

    if loop.batches and not bool(torch.isfinite(loop.running)):
        raise _diverged(float(loop.running / loop.batches), loop, epoch, training, base_lr,
                        precision)


def _reset_peak_rss() -> None:
    """Reset the kernel's peak-RSS mark (Linux), so the peak measured is this run's."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def _peak_rss() -> int:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _export(spec: RunSpec, manager: PluginManager, bus: EventBus, info: RunInfo, model: Any,
            built: Any, labels: list[str], final: dict[str, Any], test_eval: dict[str, Any] | None,
            data_summary: dict[str, Any], effective: dict[str, Any],
            splits: Any = None) -> list[dict[str, Any]]:
    from .layers import count_parameters

    trainable, total = count_parameters(model)
    artifacts = []
    for item in spec.data["exporters"]:
        exporter = manager.get("exporter", item["name"])
        directory = info.output_dir / exporter.name
        # written beside the real folder, then renamed over it: a full disk or a crash midway
        # never leaves a half-written export where a good one was
        partial = info.output_dir / f".{exporter.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        context = ExportContext(
            run_id=info.id, directory=partial,
            options={k: v for k, v in item.items() if k != "name"}, model=model,
            tokenizer=built.tokenizer, task=spec.task, labels=labels, spec=spec.to_dict(),
            metrics=final["metrics"], test_metrics=test_eval["metrics"] if test_eval else None,
            data=data_summary,
            training={**spec.data["training"], **effective, "trainable_parameters": trainable,
                      "total_parameters": total, "backbone_source": built.source},
            splits=splits,
        )
        try:
            paths = exporter.export(context)
            _sync_files(partial)
            _swap_into_place(partial, directory)
        except TunekitError:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise disk_error(exc, f"the {exporter.name} export", info.id) from exc
        except Exception as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise PluginError(f"failed while exporting: {type(exc).__name__}: {exc}",
                              where=f"exporter {exporter.name!r} (plugin {exporter.plugin})",
                              ) from exc
        written = partial.resolve()
        paths = [directory / Path(p).resolve().relative_to(written)
                 if Path(p).resolve().is_relative_to(written) else Path(p) for p in paths or []]
        for path in paths:
            size, digest = _measure(Path(path))
            record = {"exporter": exporter.name, "path": str(Path(path).resolve()),
                      "bytes": size, "sha256": digest}
            bus.emit("artifact", **record)
            artifacts.append(record)
    return artifacts


def _sync_files(folder: Path) -> None:
    """Flush every file under ``folder`` to disk (before it is renamed into place)."""
    for file in folder.rglob("*"):
        if file.is_file():
            with file.open("rb") as handle:
                os.fsync(handle.fileno())


def _swap_into_place(partial: Path, directory: Path) -> None:
    """Rename the finished folder ``partial`` to ``directory``, replacing an older one only
    once the new one is complete."""
    old = directory.with_name(f".{directory.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        os.replace(directory, old)
    os.replace(partial, directory)
    shutil.rmtree(old, ignore_errors=True)


def _measure(path: Path) -> tuple[int, str]:
    """Size and sha256 of a file, or of a folder's files (names and contents, in order)."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    size = 0
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    return size, digest.hexdigest()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("tunekit", "torch", "transformers", "peft", "accelerate"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found

