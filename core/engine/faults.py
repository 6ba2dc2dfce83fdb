"""What goes wrong while training, said in words with what to change: out of memory, out of
disk, a loss gone to NaN or Inf."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any

from ..errors import ResourceError, TrainingDiverged, TunekitError

if TYPE_CHECKING:  # pragma: no cover
    from ..spec import RunSpec
    from .state import LoopState


def out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` says the GPU or the machine ran out of memory."""
    if isinstance(exc, TunekitError):
        return False
    text = str(exc)
    return type(exc).__name__ == "OutOfMemoryError" or (
        isinstance(exc, RuntimeError) and ("out of memory" in text.lower()
                                           or "can't allocate memory" in text))


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


def resource_error(exc: BaseException, spec: RunSpec, run_id: int) -> TunekitError | None:
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


def diverged(value: float, loop: LoopState, epoch: int, training: Any, base_lr: float,
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


def check_finite(loop: LoopState, epoch: int, training: Any, base_lr: float,
                 precision: str) -> None:
    """Before a checkpoint: never save a state whose loss has already gone to NaN or Inf."""
    import torch

    if loop.batches and not bool(torch.isfinite(loop.running)):
        raise diverged(float(loop.running / loop.batches), loop, epoch, training, base_lr,
                       precision)
