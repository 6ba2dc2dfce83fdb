"""Exporting a trained run: every exporter of the spec writes its folder beside the real one,
which is renamed into place once complete; each file is recorded with its size and sha256."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from ..components import BuiltModel, DataSplits, ExportContext
from ..errors import PluginError, TunekitError
from ..events import EventBus, RunInfo
from ..plugin_manager import PluginManager
from ..spec import RunSpec
from .faults import disk_error


def export(spec: RunSpec, manager: PluginManager, bus: EventBus, info: RunInfo, model: Any,
           built: BuiltModel, labels: list[str], final: dict[str, Any],
           test_eval: dict[str, Any] | None, data_summary: dict[str, Any],
           effective: dict[str, Any], splits: DataSplits | None = None) -> list[dict[str, Any]]:
    """Run each exporter of ``spec`` on the trained ``model``; the artifacts it recorded."""
    from ..layers import count_parameters

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
            splits=splits, base_model=built.hub_id, base_license=built.license,
        )
        try:
            paths = exporter.export(context)
            sync_files(partial)
            swap_into_place(partial, directory)
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
            size, digest = measure(Path(path))
            record = {"exporter": exporter.name, "path": str(Path(path).resolve()),
                      "bytes": size, "sha256": digest}
            bus.emit("artifact", **record)
            artifacts.append(record)
    return artifacts


def sync_files(folder: Path) -> None:
    """Flush every file under ``folder`` to disk (before it is renamed into place)."""
    for file in folder.rglob("*"):
        if file.is_file():
            with file.open("rb") as handle:
                os.fsync(handle.fileno())


def swap_into_place(partial: Path, directory: Path) -> None:
    """Rename the finished folder ``partial`` to ``directory``, replacing an older one only
    once the new one is complete."""
    old = directory.with_name(f".{directory.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        os.replace(directory, old)
    os.replace(partial, directory)
    shutil.rmtree(old, ignore_errors=True)


def measure(path: Path) -> tuple[int, str]:
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


def full_weights(accelerator: Any, model: Any) -> Any:
    """Under FSDP (version 1) each process holds a shard of the weights: every process enters
    this context, and inside it the main process sees them whole, in CPU memory, to export."""
    import contextlib

    from accelerate.utils import DistributedType

    if accelerator.distributed_type != DistributedType.FSDP:
        return contextlib.nullcontext()
    from torch.distributed.fsdp import FullyShardedDataParallel

    return FullyShardedDataParallel.summon_full_params(model, writeback=False, rank0_only=True,
                                                       offload_to_cpu=True)


def write_weights_digest(folder: Path, accelerator: Any, model: Any) -> None:
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
