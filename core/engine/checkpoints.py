"""Checkpoints: everything a run needs to carry on exactly where it stopped.

One file, ``runs/run-<id>/checkpoint/checkpoint.safetensors``: the tensors (the parameters
training may change, the buffers, the optimizer's moments, the RNG states, the early-stopping
monitor's best weights) as safetensors, and everything else (position in the data, step,
scheduler, Python and numpy RNG states, meter figures, the last evaluation) as JSON in the
file's metadata. Nothing is unpickled when it is read.

A checkpoint is written to a temporary name beside the good one, flushed to disk, then renamed
over it: a crash or a full disk mid-write leaves the previous checkpoint as it was. During
training the snapshot is taken between two steps and a ``BackgroundWriter`` writes it while the
next steps train; the run waits for it before the next checkpoint, a stop, or the end.
"""

from __future__ import annotations

import json
import os
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import TunekitError
from .faults import check_finite, disk_error

if TYPE_CHECKING:  # pragma: no cover
    from .state import Training

FILE_NAME = "checkpoint.safetensors"
FORMAT = 1


def checkpoint_path(output_dir: Path) -> Path:
    """Where a run's checkpoint lives."""
    return Path(output_dir) / "checkpoint" / FILE_NAME


def has_checkpoint(output_dir: str | os.PathLike[str] | None) -> bool:
    return bool(output_dir) and checkpoint_path(Path(output_dir)).is_file()


def write_atomically(path: Path, write: Any) -> None:
    """Call ``write(temporary_path)``, flush the file to disk, then rename it to ``path``.

    On any failure the temporary file is removed and ``path`` keeps its previous content.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        write(partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - some systems cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)




# ---------------------------------------------------------------- RNG states


def rng_state() -> tuple[dict[str, Any], dict[str, Any]]:
    """The Python, numpy and torch (CPU and CUDA) RNG states: (JSON part, tensors)."""
    import numpy as np
    import torch

    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = {"python": [version, list(internal), gauss],
             "numpy": [kind, [int(k) for k in keys], int(pos), int(has_gauss), float(cached)]}
    tensors = {"rng/torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, cuda in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng/cuda/{i}"] = cuda
    return state, tensors


def set_rng_state(state: dict[str, Any], tensors: dict[str, Any]) -> None:
    import numpy as np
    import torch

    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(tensors["rng/torch"])
    cuda = [tensors[k] for k in sorted(t for t in tensors if t.startswith("rng/cuda/"))]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda)


# ---------------------------------------------------------------- optimizer


def flatten_optimizer(state_dict: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An optimizer's state dict as (JSON part, tensors): tensors keyed by parameter index."""
    import torch

    tensors: dict[str, Any] = {}
    plain: dict[str, dict[str, Any]] = {}
    for index, values in state_dict["state"].items():
        plain[str(index)] = {}
        for name, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer/{index}/{name}"] = value
            else:
                plain[str(index)][name] = value
    return {"state": plain, "param_groups": state_dict["param_groups"]}, tensors


def unflatten_optimizer(plain: dict[str, Any], tensors: dict[str, Any]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {int(k): dict(v) for k, v in plain["state"].items()}
    for key, value in tensors.items():
        if key.startswith("optimizer/"):
            _, index, name = key.split("/", 2)
            state.setdefault(int(index), {})[name] = value
    return {"state": state, "param_groups": plain["param_groups"]}


# ---------------------------------------------------------------- the file


def save(output_dir: Path, state: dict[str, Any], tensors: dict[str, Any],
         writer: BackgroundWriter | None = None) -> Path:
    """Write a checkpoint (``state``: JSON-able; ``tensors``: name -> tensor) atomically.

    With a ``writer`` only the snapshot is taken now (copies of the tensors, so training may
    go on changing them); the writer's thread writes the file while training goes on."""
    from safetensors.torch import save_file

    # own, contiguous CPU copies: safetensors refuses tensors that share memory (tied weights)
    own = writer.snapshot(tensors) if writer else {
        name: t.detach().to("cpu", copy=True).contiguous() for name, t in tensors.items()}
    metadata = {"format": str(FORMAT), "tunekit": json.dumps(state)}
    path = checkpoint_path(output_dir)

    def write() -> None:
        write_atomically(path, lambda partial: save_file(own, str(partial), metadata=metadata))

    if writer is None:
        write()
    else:
        writer.submit(write)
    return path


class BackgroundWriter:
    """Writes one file at a time in a thread, so that training does not wait for the disk.

    ``submit`` first waits for the write before it (checkpoints land in order and at most one
    snapshot waits in memory); ``wait`` blocks until the pending write is on disk and raises,
    in the caller's thread, the error it met (an OSError for a full disk). Call ``wait`` before
    anything that reads the file or ends the run."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._copies: dict[str, Any] = {}

    def snapshot(self, tensors: dict[str, Any]) -> dict[str, Any]:
        """Own CPU copies of ``tensors``, taken now. The copies of the previous snapshot are
        reused once its write is done: copying into memory already mapped is several times
        faster than into fresh memory, and a checkpoint is taken between two steps."""
        self.wait()
        copies = {}
        for name, tensor in tensors.items():
            tensor = tensor.detach()
            copy = self._copies.get(name)
            if copy is None or copy.shape != tensor.shape or copy.dtype != tensor.dtype:
                copy = tensor.to("cpu", copy=True).contiguous()
            else:
                copy.copy_(tensor)
            copies[name] = copy
        self._copies = copies
        return copies

    def submit(self, write: Callable[[], None]) -> None:
        """Run ``write()`` in the background, once the previous write is done."""
        self.wait()
        # not a daemon: a process that exits while a checkpoint is being written finishes it
        self._thread = threading.Thread(target=self._run, args=(write,),
                                        name="tunekit-checkpoint")
        self._thread.start()

    def _run(self, write: Callable[[], None]) -> None:
        try:
            write()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread by wait()
            self._error = exc

    @property
    def pending(self) -> bool:
        return self._thread is not None

    def wait(self, *, raise_error: bool = True) -> None:
        """Block until the pending write is done; raise its error (or drop it when
        ``raise_error`` is false: another error is already on its way)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None and raise_error:
            raise error


def load(output_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a checkpoint: (state, tensors). Raises TunekitError when there is none."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = checkpoint_path(output_dir)
    if not path.is_file():
        raise TunekitError("this run has no checkpoint to resume from", where=str(path.parent),
                           hint="a checkpoint is written once per epoch (or every "
                                "training.checkpoint_every steps); start the run again instead")
    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
        tensors = load_file(str(path))
        state = json.loads(metadata["tunekit"])
    except Exception as exc:  # a file that is not a checkpoint at all
        raise TunekitError(f"the checkpoint cannot be read: {exc}", where=str(path)) from None
    if int(metadata.get("format", 0)) != FORMAT:
        raise TunekitError(f"the checkpoint has format {metadata.get('format')}, this tunekit "
                           f"reads format {FORMAT}", where=str(path))
    return state, tensors


# ---------------------------------------------------------------- a run's state


def changeable_state(model: Any, changeable: set[int]) -> list[tuple[str, Any]]:
    """The parameters training may change and the buffers: what a checkpoint must keep."""
    params = [(n, p) for n, p in model.named_parameters() if id(p) in changeable]
    return params + list(model.named_buffers())


def snapshot(t: Training, writer: BackgroundWriter | None = None) -> None:
    """Checkpoint the run ``t`` now; ``writer`` writes it in the background (else now)."""
    loop, monitor = t.loop, t.monitor
    tensors = {f"model/{n}": v for n, v in changeable_state(t.model, t.changeable)}
    optimizer_state, optimizer_tensors = flatten_optimizer(t.optimizer.state_dict())
    tensors.update(optimizer_tensors)
    # a resumed run that has not trained a batch yet still owes the RNG states it was given
    rng, rng_tensors = loop.rng or rng_state()
    tensors.update(rng_tensors)
    tensors["loop/order"] = loop.order_state
    tensors["loop/running"] = loop.running
    if monitor:
        tensors.update({f"monitor/{n}": v for n, v in monitor.best_state.items()})
    state = {
        "epoch": loop.epoch, "batch": loop.batch, "step": loop.step, "batches": loop.batches,
        "since_log": loop.since_log, "finished": loop.finished, "last_eval": loop.last_eval,
        "accelerator_step": t.accelerator.step, "optimizer": optimizer_state,
        "processes": t.accelerator.num_processes,
        "scheduler": t.scheduler.state_dict(), "rng": rng,
        "monitor": monitor.checkpoint_state() if monitor else None,
        "meter": t.meter.checkpoint_state(), "stopped_by": t.summary.get("stopped_by"),
        "resumed_at_steps": t.summary.get("resumed_at_steps", []),
    }
    save(t.info.output_dir, json.loads(json.dumps(state, default=_plain)), tensors, writer)
    loop.saved = True


def _plain(value: Any) -> Any:
    """numpy and torch scalars (in evaluation details) as plain numbers."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} cannot go into a checkpoint")


def restore(t: Training, state: dict[str, Any], tensors: dict[str, Any]) -> None:
    """Put the run ``t`` back in the state its checkpoint recorded."""
    import torch

    loop, monitor = t.loop, t.monitor
    current = dict(changeable_state(t.model, t.changeable))
    missing = [n for n in current if f"model/{n}" not in tensors]
    if missing:
        raise TunekitError(f"the checkpoint does not fit this model (no {missing[0]!r})",
                           where="checkpoint", hint="the backbone or strategy has changed since "
                           "the run started; start afresh with tunekit run --from RUN")
    with torch.no_grad():
        for name, tensor in current.items():
            tensor.copy_(tensors[f"model/{name}"])
    t.optimizer.load_state_dict(unflatten_optimizer(state["optimizer"], tensors))
    t.scheduler.load_state_dict(state["scheduler"])
    t.accelerator.step = state["accelerator_step"]
    loop.epoch, loop.batch, loop.step = state["epoch"], state["batch"], state["step"]
    loop.running.copy_(tensors["loop/running"])
    loop.batches, loop.since_log = state["batches"], state["since_log"]
    loop.order_state = tensors["loop/order"]
    loop.rng = (state["rng"], {k: v for k, v in tensors.items() if k.startswith("rng/")})
    loop.last_eval, loop.finished = state["last_eval"], state["finished"]
    if monitor and state["monitor"]:
        monitor.load_checkpoint_state(state["monitor"], {
            k.removeprefix("monitor/"): v for k, v in tensors.items() if k.startswith("monitor/")})
    t.meter.load_checkpoint_state(state["meter"])


class Checkpointer:
    """The checkpoints of a run while it trains, as a context around the loop.

    Each checkpoint is snapshotted between two steps and written in a thread while training
    goes on; the next checkpoint, a stop, an error and the end of training wait for the one in
    flight (and raise its error as the usual disk message). Leaving the context on Ctrl-C (or a
    listener's stop) writes a last checkpoint if the loop is at a safe point that has none."""

    def __init__(self, t: Training, before: Callable[[], None] | None = None):
        self.t = t
        self.before = before  # called first: the points recorded so far stay with it
        self.writer = BackgroundWriter()

    def save(self, epoch: int | None = None) -> None:
        """Everything needed to carry on from here (a safe point: between two steps). With the
        ``epoch`` in progress, a loss gone to NaN or Inf raises instead of being saved."""

        t = self.t
        if epoch is not None:
            check_finite(t.loop, epoch, t.training, t.base_lr, t.precision)
        if not t.accelerator.is_main_process:  # the processes hold the same weights: one writes
            t.loop.saved = True
            return
        if self.before:
            self.before()
        try:
            snapshot(t, writer=self.writer)
        except OSError as exc:
            raise disk_error(exc, "the checkpoint", t.info.id) from exc

    def written(self, raise_error: bool = True) -> None:
        """Wait for the checkpoint in flight."""
        try:
            self.writer.wait(raise_error=raise_error)
        except OSError as exc:
            raise disk_error(exc, "the checkpoint", self.t.info.id) from exc

    def __enter__(self) -> Checkpointer:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> None:
        if kind is None:
            self.t.meter.pause()  # the last checkpoint's write is not training time
            self.written()
        elif issubclass(kind, KeyboardInterrupt):
            # Ctrl-C twice, or a listener stopping the run: a checkpoint only at a safe point
            if self.t.loop.at_rest and not self.t.loop.saved:
                self.save()
            self.written()  # on disk before the run says it can be resumed
        else:
            self.written(raise_error=False)  # the error on its way says more
