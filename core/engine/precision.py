"""Which number format a run computes in: ``training.precision`` made concrete for this machine.

The weights and the optimizer's moments stay fp32 whatever is chosen; bf16 and fp16 are autocast
for the forward and backward passes (fp16 with loss scaling). ``auto`` takes what is fastest
without losing accuracy: bf16 on a GPU that has it, else fp16; on a CPU, bf16 only where the CPU
computes it natively (AVX512-BF16 or AMX) and the model is large enough to gain, else fp32.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SpecError

# Below this many parameters bf16 autocast gains little or nothing on a CPU: the casts cost
# about what the matrix products save, and tiny models are what the exact-equality tests train.
# Measured on a 2-core AMD EPYC with AVX512-BF16 (torch 2.13, a training step of batch 16,
# fp32 and bf16 steps interleaved, a busy machine): the tiny test BERT (1.0M parameters, hidden
# size 32, 32 tokens) 1.15x faster in bf16 in one sample and 0.8x in another, within noise;
# MiniLM-L6 (22.7M, hidden size 384, 64 tokens) 1.5x faster (2x on a quiet machine).
CPU_BF16_MIN_PARAMETERS = 10_000_000

WHERE = "training.precision"


@dataclass
class Precision:
    """The precision a run uses (``fp32``, ``bf16`` or ``fp16``), why, and a warning if any."""

    name: str
    reason: str
    warning: str | None = None

    @property
    def mixed_precision(self) -> str:
        """The name accelerate's ``Accelerator(mixed_precision=...)`` takes."""
        return "no" if self.name == "fp32" else self.name


@functools.cache
def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX); elsewhere torch emulates
    it and bf16 is slower than fp32."""
    import torch

    for check in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        supported = getattr(torch.cpu, check, None)
        try:
            if supported is not None and supported():
                return True
        except Exception:  # noqa: BLE001 - a private torch check; the flags below decide
            pass
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: trust torch's checks above
        return False
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
            break
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def choose(requested: str = "auto", parameters: int = 0, *, cuda: bool | None = None) -> Precision:
    """The precision for ``requested`` (auto | fp32 | bf16 | fp16) and a model of ``parameters``
    parameters, on a GPU when ``cuda`` (default: whether torch sees one), else on the CPU.
    Raises SpecError for fp16 on a CPU."""
    import torch

    if cuda is None:
        cuda = torch.cuda.is_available()
    if cuda:
        gpu_bf16 = torch.cuda.is_bf16_supported()
        if requested == "auto":
            return Precision("bf16", "the GPU supports bf16") if gpu_bf16 else \
                Precision("fp16", "the GPU has no bf16: fp16 with loss scaling")
        if requested == "bf16" and not gpu_bf16:
            raise SpecError("this GPU does not support bf16", where=WHERE,
                            hint="use fp16 (with loss scaling) or auto")
        return Precision(requested, "as the spec asks")
    if requested == "fp16":
        raise SpecError("fp16 needs a GPU; this run trains on the CPU", where=WHERE,
                        hint="use bf16 (fast on CPUs with AVX512-BF16 or AMX), fp32, or auto")
    native = cpu_has_native_bf16()
    if requested == "bf16":
        warning = None if native else (
            "training.precision is bf16 but this CPU has no native bf16 (AVX512-BF16 or AMX): "
            "torch emulates it, and training will be slower than in fp32 (precision: auto "
            "picks fp32 here)")
        return Precision("bf16", "as the spec asks", warning)
    if requested == "fp32":
        return Precision("fp32", "as the spec asks")
    if not native:
        return Precision("fp32", "the CPU has no native bf16")
    if parameters < CPU_BF16_MIN_PARAMETERS:
        return Precision("fp32", f"the model is too small ({parameters:,} parameters, under "
                         f"{CPU_BF16_MIN_PARAMETERS:,}) to gain from bf16 on the CPU")
    return Precision("bf16", "the CPU computes bf16 natively and the model is large enough")


def make_accelerator(chosen: Precision, **options: Any) -> Any:
    """An ``accelerate.Accelerator`` computing in ``chosen`` (``options`` as Accelerator takes
    them). accelerate keeps one state per process and refuses another precision once it is set;
    runs in one process (a sweep, the tests, the benchmarks) may each want their own, so a state
    of another precision is cleared first. The process group, when there is one, stays."""
    from accelerate import Accelerator
    from accelerate.state import AcceleratorState

    state = AcceleratorState._shared_state
    if state and str(state.get("_mixed_precision")) != chosen.mixed_precision:
        AcceleratorState._reset_state(reset_partial_state=False)
    return Accelerator(mixed_precision=chosen.mixed_precision, **options)


def dtype_counts(model: Any) -> dict[str, int]:
    """How many parameters ``model`` holds in each dtype (``{"float32": 22713216}``)."""
    counts: dict[str, int] = {}
    for p in model.parameters():
        name = str(p.dtype).removeprefix("torch.")
        counts[name] = counts.get(name, 0) + p.numel()
    return counts


def train_in_fp32(params: Any) -> int:
    """Casts every floating-point parameter of ``params`` that is not fp32 to fp32, in place
    (the Parameter objects stay: an optimizer made over them stays valid). Returns how many
    parameters it cast.

    The weights an optimizer updates are kept in fp32 whatever the backbone loaded: an AdamW
    update of a bf16 weight is lost below its 8 bits of mantissa, and the export would carry
    bf16 weights while the run says fp32. bf16/fp16 compute comes from autocast instead."""
    import torch

    cast = 0
    for p in params:
        if p.is_floating_point() and p.dtype != torch.float32:
            p.data = p.data.to(torch.float32)
            cast += p.numel()
    return cast


def settle_frozen(model: Any, precision: str) -> int:
    """Under fp32 compute (no autocast) a frozen part left in bf16/fp16 would meet fp32
    weights in one matrix product and fail: cast it to fp32 too. Under bf16/fp16 autocast a
    frozen part may stay in its lower precision on purpose (half the memory). Returns how
    many parameters it cast."""
    return train_in_fp32(model.parameters()) if precision == "fp32" else 0
