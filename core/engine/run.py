"""A run around its training: the record in registry.db (queued, running, how it ended), the
listeners that hear it, the plugins' lifecycle hooks, resuming, several processes, and the
automatic batch-size search; the training itself is ``tunekit.engine.loop``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from ..errors import PluginError, TunekitError
from ..events import Artifact, EventBus, Listener, RunInfo
from ..plugin_manager import PluginManager, load_plugins
from ..registry import Registry, RunRecord
from ..spec import RunSpec, load_spec, parse_spec
from .batch_search import BatchSearch
from .checkpoints import has_checkpoint
from .checkpoints import load as checkpoint_load
from .faults import resource_error
from .listeners import ConsoleProgress, PluginObserver, RegistryWriter
from .loop import train
from .trackers import TrackerLog, open_trackers

if TYPE_CHECKING:  # pragma: no cover
    import datasets
    import pandas

    from ..components import Example

    #: one split's examples handed over from Python (``run(data=...)``)
    Rows: TypeAlias = pandas.DataFrame | list[Example] | datasets.Dataset
    #: ``run(data=...)``: the examples, or splits of them by name (train, validation, test)
    PythonData: TypeAlias = Rows | datasets.DatasetDict | Mapping[str, Rows]


@dataclass
class RunResult:
    """How a run ended: its id, status, final validation (and test) metrics and artifacts."""

    run_id: int
    status: str
    metrics: dict[str, float] = field(default_factory=dict)
    test_metrics: dict[str, float] | None = None
    artifacts: list[Artifact] = field(default_factory=list)
    output_dir: Path | None = None
    error: str | None = None
    main_process: bool = True  # False in the other processes of a multi-process run


def run(spec: RunSpec | dict[str, Any] | str | os.PathLike[str] | None = None, *,
        manager: PluginManager | None = None, registry: Registry | None = None,
        listeners: Sequence[Listener] = (), parent_id: int | None = None, progress: bool = True,
        output_root: str | os.PathLike[str] | None = None, sweep_id: int | None = None,
        trial: int | None = None, trial_label: str | None = None,
        resume: int | None = None, attach: int | None = None,
        data: PythonData | None = None) -> RunResult:
    """Train one run described by ``spec`` (a RunSpec, a mapping, a file path, or None for the
    bundled default) and record it in the registry. Raises TunekitError on bad input, after
    marking the run failed; KeyboardInterrupt (Ctrl-C, SIGTERM) stops at the next step,
    writes a checkpoint and marks the run cancelled. ``sweep_id``, ``trial`` and
    ``trial_label`` file the run as a trial of a sweep or bake-off (``tunekit.tools.sweep``).

    ``resume=RUN_ID`` carries on a stopped run (cancelled, interrupted or failed) from its
    checkpoint, with its recorded spec, instead of starting a new one (see ``resume``).
    ``attach=RUN_ID`` trains a run that ``queue_run`` recorded, with its recorded spec.

    ``data`` hands the examples over from Python: a pandas DataFrame, a list of dicts, a
    ``datasets.Dataset`` or ``DatasetDict``, or a dict of split names to those. They are saved
    once, by content, under the registry's folder (``data/python-<hash>``) and read by the
    ``hf-dataset`` dataset with the spec's dataset options (``text_column``, ...), so the run
    records where its data is and can be resumed or re-run.

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
            if data is not None:
                spec = _with_data(spec, data, manager, registry)
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
    trackers = TrackerLog([])
    try:
        trackers = open_trackers(spec.training.report_to, info)  # training.report_to
        bus.add(trackers)
        _call_plugins(manager, "on_run_start", run=info)
        outcome = search.train(lambda attempt: train(
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
        resource = resource_error(exc, search.spec, record.id)
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
        trackers.finish()  # ended, even where the final status was not emitted
    return result


def _with_data(spec: Any, data: PythonData, manager: PluginManager, registry: Registry) -> RunSpec:
    """``spec`` reading ``data`` (Python objects) from its folder under the registry's."""
    from .python_data import with_data

    raw, base_dir = with_data(spec, data, Path(registry.path).resolve().parent / "data")
    source = "data from Python" if base_dir is None else f"{spec} with data from Python"
    return parse_spec(raw, manager, base_dir=base_dir, source=source)


def queue_run(spec: RunSpec, *, registry: Registry, parent_id: int | None = None,
              output_root: str | os.PathLike[str] | None = None, sweep_id: int | None = None,
              trial: int | None = None, trial_label: str | None = None) -> RunRecord:
    """Record a new, queued run of ``spec`` and its output folder; returns the record.
    ``run(attach=record.id)`` trains it (``tunekit run --processes`` queues the run in the
    launcher, then each launched process attaches to it)."""
    record = registry.create_run(spec.to_dict(), parent_id=parent_id, sweep_id=sweep_id,
                                 trial=trial, trial_label=trial_label)
    root = Path(output_root) if output_root else registry.path.resolve().parent / "runs"
    # relative data paths in the spec are read from base_dir: kept so the run can be repeated
    return registry.update_run(record.id, output_dir=str(root / f"run-{record.id}"),
                               summary={"base_dir": str(spec.base_dir)})


def _queued(run_id: int, registry: Registry,
            manager: PluginManager) -> tuple[RunRecord, RunSpec]:
    """The record and recorded spec of a queued run, to train it (``run(attach=...)``)."""
    record = registry.get_run(run_id)
    if record is None or record.status != "queued":
        state = f"is {record.status}" if record else "does not exist"
        raise TunekitError(f"run {run_id} {state}; only a queued run can be attached to",
                           where=f"run {run_id}", hint="tunekit run SPEC starts a new run")
    return record, _recorded_spec(record, manager)


def _recorded_spec(record: RunRecord, manager: PluginManager) -> RunSpec:
    """A run's recorded spec, its data paths read from where the run was started."""
    from ..spec import absolute_paths

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
    outcome = train(spec, manager, EventBus(), info)
    return RunResult(run_id=info.id, status="completed", metrics=outcome["metrics"],
                     test_metrics=outcome["test_metrics"], output_dir=info.output_dir,
                     main_process=False)


def resume(run_id: int, **kwargs: Any) -> RunResult:  # kwargs: run()'s, passed on
    """Carry on run ``run_id`` from its checkpoint: ``run(resume=run_id, ...)``."""
    return run(resume=run_id, **kwargs)


def _resumable(run_id: int, registry: Registry,
               manager: PluginManager) -> tuple[RunRecord, RunSpec, dict[str, Any]]:
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
