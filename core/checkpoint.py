"""Checkpoints: everything a run needs to carry on exactly where it stopped.

One file, ``runs/run-<id>/checkpoint/checkpoint.safetensors``: the tensors (the parameters
training may change, the buffers, the optimizer's moments, the RNG states, the early-stopping
monitor's best weights) as safetensors, and everything else (position in the data, step,
scheduler, Python and numpy RNG states, meter figures, the last evaluation) as JSON in the
file's metadata. Nothing is unpickled when it is read.

A checkpoint is written to a temporary name beside the good one, flushed to disk, then renamed
over it: a crash or a full disk mid-write leaves the previous checkpoint as it was.
"""

from __future__ import annotations

import errno
import json
import os
import random
from pathlib import Path
from typing import Any

from .errors import TunekitError

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


def disk_error(exc: OSError, what: str, run_id: int | None = None) -> TunekitError:
    """A write that failed for lack of space (or quota), in words."""
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    reason = "the disk is full" if full else f"cannot write: {exc.strerror or exc}"
    hint = "free some space (or set --output-dir to another disk)" if full else \
        "check the folder's permissions and free space"
    if run_id is not None:
        hint += f", then resume with: tunekit run --resume {run_id}"
    return TunekitError(f"{reason} while writing {what}; the previous good copy is intact",
                        where=str(getattr(exc, "filename", None) or what), hint=hint)


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


def save(output_dir: Path, state: dict[str, Any], tensors: dict[str, Any]) -> Path:
    """Write a checkpoint (``state``: JSON-able; ``tensors``: name -> tensor) atomically."""
    from safetensors.torch import save_file

    # own, contiguous CPU copies: safetensors refuses tensors that share memory (tied weights)
    own = {name: t.detach().to("cpu", copy=True).contiguous() for name, t in tensors.items()}
    metadata = {"format": str(FORMAT), "tunekit": json.dumps(state)}
    path = checkpoint_path(output_dir)
    write_atomically(path, lambda partial: save_file(own, str(partial), metadata=metadata))
    return path


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
