"""run(spec): resolve the components, train, evaluate, export, record.

The training loop lives in ``_train`` and reads top to bottom: device and precision, data,
model, strategy, batches, optimizer, loop, evaluation, export. Everything that varies is a
plugin; everything that happens is an event (see ``tunekit.events``).
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .components import (
    DataContext,
    ExportContext,
    ModelRequest,
    StrategyContext,
)
from .data import check_classification_splits, class_counts, fingerprint
from .errors import PluginError, SpecError, TunekitError
from .events import EventBus, Listener, RunInfo, StopTraining
from .listeners import ConsoleProgress, PluginObserver, RegistryWriter
from .plugin_manager import PluginManager, load_plugins
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


def run(spec: RunSpec | dict[str, Any] | str | os.PathLike[str] | None = None, *,
        manager: PluginManager | None = None, registry: Registry | None = None,
        listeners: list[Listener] = (), parent_id: int | None = None, progress: bool = True,
        output_root: str | os.PathLike[str] | None = None) -> RunResult:
    """Train one run described by ``spec`` (a RunSpec, a mapping, a file path, or None for the
    bundled default) and record it in the registry. Raises TunekitError on bad input, after
    marking the run failed; KeyboardInterrupt marks it cancelled."""
    manager = manager or load_plugins()
    if isinstance(spec, dict):
        spec = parse_spec(spec, manager)
    elif not isinstance(spec, RunSpec):
        spec = load_spec(spec, manager)
    registry = registry or Registry.open()
    registry.record_plugins([p.describe() for p in manager.plugins.values()],
                            manager.components())
    record = registry.create_run(spec.to_dict(), parent_id=parent_id)
    root = Path(output_root) if output_root else registry.path.resolve().parent / "runs"
    output_dir = root / f"run-{record.id}"
    registry.update_run(record.id, output_dir=str(output_dir))
    info = RunInfo(id=record.id, spec=spec.to_dict(), output_dir=output_dir)
    bus = EventBus([RegistryWriter(registry, record.id)])
    if progress:
        bus.add(ConsoleProgress())
    bus.add(PluginObserver(manager, info))
    for listener in listeners:
        bus.add(listener)

    result = RunResult(run_id=record.id, status="failed", output_dir=output_dir)
    try:
        _call_plugins(manager, "on_run_start", run=info)
        outcome = _train(spec, manager, bus, info)
        result.status = "completed"
        result.metrics, result.test_metrics = outcome["metrics"], outcome["test_metrics"]
        result.artifacts = outcome["artifacts"]
    except KeyboardInterrupt:
        result.status, result.error = "cancelled", "stopped by the user"
        raise
    except Exception as exc:
        result.error = str(exc) if isinstance(exc, TunekitError) else f"{type(exc).__name__}: {exc}"
        exc.run_id = record.id  # lets a caller say which run failed
        raise
    finally:
        final = {"status": result.status, "error": result.error}
        if result.status == "completed":
            final.update(metrics=result.metrics, test_metrics=result.test_metrics,
                         details=outcome["details"], summary=outcome["summary"])
        bus.emit("status", strict=False, **final)  # every listener hears the end, come what may
        _call_plugins(manager, "on_run_end", run=info, status=result.status,
                      metrics=result.metrics, error=result.error, quiet=True)
    return result


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


def _train(spec: RunSpec, manager: PluginManager, bus: EventBus, info: RunInfo) -> dict[str, Any]:
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    training = spec.training
    dataset = manager.get("dataset", spec.data["dataset"]["name"])
    backbone = manager.get("backbone", spec.data["backbone"]["name"])
    strategy = manager.get("strategy", spec.data["strategy"]["name"])
    metrics = [manager.get("metric", name) for name in spec.names("metrics")]

    # device and precision: CUDA with bf16 where the GPU has it, else fp16; the CPU in fp32
    precision = _precision()
    accelerator = Accelerator(mixed_precision=precision, cpu=not torch.cuda.is_available())
    set_seed(training.seed)

    # data
    source = f"dataset {dataset.name!r}"
    splits = dataset.load(spec.options("dataset"),
                          DataContext(task=spec.task, seed=training.seed, base_dir=spec.base_dir))
    labels = check_classification_splits(splits, splits.source or source)
    label_ids = {label: i for i, label in enumerate(labels)}
    data_summary = {
        "source": splits.source or dataset.name,
        "labels": labels,
        "sizes": {name: len(getattr(splits, name) or [])
                  for name in ("train", "validation", "test")},
        "train_classes": class_counts(splits.train),
        "notes": splits.notes,
    }

    # model
    built = backbone.build(spec.options("backbone"), ModelRequest(
        task=spec.task, labels=labels, dropout=training.dropout))
    from .layers import count_parameters, default_layer_groups

    groups = built.layer_groups or default_layer_groups(built.model)

    # strategy: what trains, at which rate, for how long (its defaults unless the spec says)
    base_lr = training.learning_rate or strategy.default_learning_rate
    epochs = training.epochs or strategy.default_epochs
    plan = strategy.apply(built.model, spec.options("strategy"),
                          StrategyContext(task=spec.task, epochs=epochs,
                                          layer_groups=groups))
    model = plan.model
    optimizer = torch.optim.AdamW(_optimizer_groups(plan, model, base_lr, training.weight_decay,
                                                    strategy.name))

    # batches: tokenized once, padded per batch to the longest example in it
    max_length = min(training.max_length, built.max_length)
    train_rows = _encode(splits.train, built.tokenizer, label_ids, max_length)
    val_rows = _encode(splits.validation, built.tokenizer, label_ids, max_length)
    pad_id = built.tokenizer.pad_token_id or 0
    generator = torch.Generator().manual_seed(training.seed)
    train_loader = torch.utils.data.DataLoader(
        train_rows, batch_size=training.batch_size, shuffle=True, generator=generator,
        collate_fn=lambda rows: _pad(rows, pad_id))
    val_loader = _eval_loader(val_rows, training.batch_size, pad_id)

    model, optimizer, train_loader, val_loader = accelerator.prepare(
        model, optimizer, train_loader, val_loader)
    steps_per_epoch = len(train_loader)  # per process, once accelerate has sharded the data
    total_steps = steps_per_epoch * epochs
    cycle = steps_per_epoch if plan.cycle_per_epoch else total_steps
    scheduler = _linear_schedule(optimizer, int(cycle * training.warmup_ratio), cycle)

    trainable, total = count_parameters(model)
    summary = {"strategy": plan.summary, "trainable_parameters": trainable,
               "total_parameters": total, "learning_rate": base_lr, "epochs": epochs,
               "total_steps": total_steps, "max_length": max_length, "data": data_summary}
    bus.emit("status", status="running", device=str(accelerator.device), precision=precision,
             versions=_versions(), data_fingerprint=fingerprint(splits), summary=summary)
    meter = _Meter(accelerator.device)

    stopping = training.early_stopping
    # early stopping remembers what training can change: every parameter the strategy may
    # train (gradual unfreezing included) and the buffers (norm statistics)
    changeable = {id(p) for group in plan.param_groups for p in group.params}
    monitor = _Monitor(stopping, metrics, changeable) if stopping else None
    step, last_eval = 0, None
    log_every = min(training.log_every, steps_per_epoch)
    for epoch in range(epochs):
        change = plan.on_epoch_start(epoch) if plan.on_epoch_start else None
        trainable, _ = count_parameters(model)
        bus.emit("epoch_start", epoch=epoch, epochs=epochs, change=change,
                 trainable=trainable)
        trainable_params = [p for p in model.parameters() if p.requires_grad]
        model.train()
        for module in plan.frozen_modules:  # a frozen extractor gives the same features
            module.eval()
        running, since_log = torch.zeros((), device=accelerator.device), 0
        for batch_index, batch in enumerate(train_loader):
            meter.count(batch)
            loss = model(**batch).loss
            accelerator.backward(loss)
            if training.max_grad_norm:
                accelerator.clip_grad_norm_(trainable_params, training.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            running += loss.detach()  # stays on the device: no host sync per step
            since_log += 1
            if since_log == log_every or batch_index == steps_per_epoch - 1:
                bus.emit("step", step=step, total_steps=total_steps,
                         epoch=epoch + (batch_index + 1) / steps_per_epoch,
                         loss=float(running / since_log), learning_rate=scheduler.get_last_lr()[0])
                running.zero_()
                since_log = 0
        meter.pause()
        last_eval = _evaluate(model, val_loader, metrics, labels, accelerator)
        try:
            bus.emit("evaluation", split="validation", epoch=epoch + 1, step=step, **last_eval)
        except StopTraining as request:
            summary["stopped_by"] = str(request)
            bus.emit("message", text=f"stopped after epoch {epoch + 1}: {request}")
            if monitor:
                monitor.update(last_eval, model, epoch + 1)
            break
        finally:
            meter.resume()
        if monitor and monitor.update(last_eval, model, epoch + 1):
            bus.emit("message", text=f"early stopping after epoch {epoch + 1}: validation "
                     f"{monitor.metric} has not improved for {stopping.patience} evaluations")
            break

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
        test_rows = _encode(splits.test, built.tokenizer, label_ids, max_length)
        test_loader = accelerator.prepare(_eval_loader(test_rows, training.batch_size, pad_id))
        test_eval = _evaluate(model, test_loader, metrics, labels, accelerator)
        bus.emit("evaluation", split="test", epoch=epoch + 1, step=step, **test_eval)

    trained = {"strategy": plan.summary, "learning_rate": base_lr, "epochs": epochs,
               "epochs_trained": epoch + 1,
               "best_epoch": monitor.best_epoch if monitor and stopping.restore_best else None}
    artifacts = _export(spec, manager, bus, info, accelerator.unwrap_model(model), built, labels,
                        final, test_eval, data_summary, trained)
    details = {"validation": final["details"],
               "test": test_eval["details"] if test_eval else None}
    return {"metrics": final["metrics"],
            "test_metrics": test_eval["metrics"] if test_eval else None,
            "details": details, "artifacts": artifacts, "summary": summary}


# ---------------------------------------------------------------- pieces of the loop


def _precision() -> str:
    import torch

    if not torch.cuda.is_available():
        return "no"
    return "bf16" if torch.cuda.is_bf16_supported() else "fp16"


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


def _linear_schedule(optimizer: Any, warmup: int, cycle: int) -> Any:
    """Linear warm-up then linear decay over ``cycle`` steps, repeated if training goes on."""
    import torch

    def factor(step: int) -> float:
        step %= cycle
        if warmup and step < warmup:
            return (step + 1) / warmup
        return max(0.0, (cycle - step) / max(1, cycle - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _encode(rows: list[dict[str, Any]], tokenizer: Any, label_ids: dict[str, int],
            max_length: int) -> list[dict[str, Any]]:
    texts = [str(r["text"]) for r in rows]
    encoded = tokenizer(texts, truncation=True, max_length=max_length)
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
    return [{**{k: encoded[k][i] for k in keys}, "labels": label_ids[str(r["label"])]}
            for i, r in enumerate(rows)]


def _pad(rows: list[dict[str, Any]], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad to the longest example of this batch (dynamic padding)."""
    import torch

    width = max(len(r["input_ids"]) for r in rows)
    batch: dict[str, torch.Tensor] = {}
    for key in rows[0]:
        if key == "labels":
            batch[key] = torch.tensor([r[key] for r in rows])
            continue
        fill = pad_id if key == "input_ids" else 0
        batch[key] = torch.tensor([r[key] + [fill] * (width - len(r[key])) for r in rows])
    return batch


def _eval_loader(rows: list[dict[str, Any]], batch_size: int, pad_id: int) -> Any:
    import torch

    # sorted by length so that evaluation batches carry little padding
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["input_ids"]))
    return torch.utils.data.DataLoader([rows[i] for i in order], batch_size=batch_size * 2,
                                       collate_fn=lambda b: _pad(b, pad_id))


def _evaluate(model: Any, loader: Any, metrics: list[Any], labels: list[str],
              accelerator: Any) -> dict[str, Any]:
    """Validation loss and every metric, over the whole split."""
    import torch

    model.eval()
    losses, predictions, references = [], [], []
    with torch.no_grad():
        for batch in loader:
            out = model(**batch)
            per_example = torch.nn.functional.cross_entropy(
                out.logits.float(), batch["labels"], reduction="none")
            loss, pred, ref = accelerator.gather_for_metrics(
                (per_example, out.logits.argmax(-1), batch["labels"]))
            losses.append(loss)
            predictions.append(pred)
            references.append(ref)
    preds = torch.cat(predictions).cpu().tolist()
    refs = torch.cat(references).cpu().tolist()
    scalars: dict[str, float] = {"loss": float(torch.cat(losses).mean())}
    details: dict[str, Any] = {}
    for metric in metrics:
        for name, value in metric.compute(preds, refs, labels).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                scalars[name] = float(value)
            else:
                details[name] = value
    return {"metrics": scalars, "details": details}


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
        params = [(n, p) for n, p in model.named_parameters() if id(p) in self.changeable]
        return params + list(model.named_buffers())


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
        self.samples += len(batch["input_ids"])
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
            data_summary: dict[str, Any], effective: dict[str, Any]) -> list[dict[str, Any]]:
    from .layers import count_parameters

    trainable, total = count_parameters(model)
    artifacts = []
    for item in spec.data["exporters"]:
        exporter = manager.get("exporter", item["name"])
        directory = info.output_dir / exporter.name
        directory.mkdir(parents=True, exist_ok=True)
        context = ExportContext(
            run_id=info.id, directory=directory,
            options={k: v for k, v in item.items() if k != "name"}, model=model,
            tokenizer=built.tokenizer, task=spec.task, labels=labels, spec=spec.to_dict(),
            metrics=final["metrics"], test_metrics=test_eval["metrics"] if test_eval else None,
            data=data_summary,
            training={**spec.data["training"], **effective, "trainable_parameters": trainable,
                      "total_parameters": total, "backbone_source": built.source},
        )
        try:
            paths = exporter.export(context)
        except TunekitError:
            raise
        except Exception as exc:
            raise PluginError(f"{type(exc).__name__}: {exc}",
                              where=f"exporter {exporter.name!r}") from exc
        for path in paths or []:
            size, digest = _measure(Path(path))
            record = {"exporter": exporter.name, "path": str(Path(path).resolve()),
                      "bytes": size, "sha256": digest}
            bus.emit("artifact", **record)
            artifacts.append(record)
    return artifacts


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

