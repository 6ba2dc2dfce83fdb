"""The comparisons. Each runs all its sides in this one process, on the same workload, taking
turns, ``repeats`` times; it reports each side's medians and the ratios of those medians."""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
from collections.abc import Callable
from typing import Any

from . import plain
from .workload import Workload, run_engine

Side = Callable[[], dict[str, Any]]


def _repeat(repeats: int, sides: dict[str, Side]) -> dict[str, list[dict[str, Any]]]:
    """Run the sides in turn, ``repeats`` rounds (turns even out a machine's drift)."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sides}
    for _ in range(repeats):
        for name, side in sides.items():
            runs[name].append(side())
    return runs


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _sides(runs: dict[str, list[dict[str, Any]]], keys: tuple[str, ...]) -> dict[str, Any]:
    return {name: {"median": {k: _median(rs, k) for k in keys}, "runs": rs}
            for name, rs in runs.items()}


def _after_first(run: dict[str, Any]) -> dict[str, Any]:
    """The median time of an epoch after the first (the first may compute the cache)."""
    later = run["epoch_seconds"][1:] or run["epoch_seconds"]
    return {**run, "epoch_seconds_after_first": statistics.median(later) if later else None}


def overhead(work: Workload, plugins: Any, repeats: int) -> dict[str, Any]:
    """The engine against a hand-written loop: same model, data, batches (shuffled, not
    grouped by length), seed, optimizer and schedule, and precision (fp32, as the plain loop
    computes); evaluation after each epoch on both."""

    def engine() -> dict[str, Any]:
        run = run_engine(work, plugins, "full", group_by_length=False, cache_features="off",
                         precision="fp32")
        return {**run, "train_seconds": run["performance"].get("train_seconds")}

    runs = _repeat(repeats, {"engine": engine, "plain_loop": lambda: plain.plain_loop(
        work, plugins)})
    keys = ("seconds", "train_seconds", "accuracy")
    sides = _sides(runs, keys)
    e, p = sides["engine"]["median"], sides["plain_loop"]["median"]
    return {"title": "engine overhead over a plain PyTorch loop (both fp32)", "sides": sides,
            "ratios": {"wall_engine_over_plain": _ratio(e["seconds"], p["seconds"]),
                       "train_engine_over_plain": _ratio(e["train_seconds"],
                                                         p["train_seconds"])},
            "targets": {"wall_engine_over_plain": "<= 1.05"}}


def against_trainer(work: Workload, plugins: Any, repeats: int) -> dict[str, Any]:
    """The engine with its defaults (precision auto: bf16 on a CPU with native bf16 for a
    model this size) against transformers' Trainer, with its defaults (fp32 on a CPU) and with
    group_by_length: wall time to the same epochs, and accuracy. The engine in fp32 as well,
    to show how much of the difference the precision makes."""
    runs = _repeat(repeats, {
        "engine": lambda: run_engine(work, plugins, "full"),
        "engine_fp32": lambda: run_engine(work, plugins, "full", precision="fp32"),
        "trainer": lambda: plain.trainer(work, plugins),
        "trainer_group_by_length": lambda: plain.trainer(work, plugins, group_by_length=True),
    })
    sides = _sides(runs, ("seconds", "accuracy"))
    e, e32 = sides["engine"]["median"], sides["engine_fp32"]["median"]
    t = sides["trainer"]["median"]
    used = runs["engine"][0].get("precision")
    return {"title": f"engine (precision auto: {used}) against transformers' Trainer "
                     "(end to end)", "sides": sides,
            "ratios": {
                "speedup_over_trainer": _ratio(t["seconds"], e["seconds"]),
                "speedup_over_trainer_group_by_length": _ratio(
                    sides["trainer_group_by_length"]["median"]["seconds"], e["seconds"]),
                "fp32_engine_speedup_over_trainer": _ratio(t["seconds"], e32["seconds"]),
                "speedup_from_precision": _ratio(e32["seconds"], e["seconds"]),
                "accuracy_minus_trainer": round(e["accuracy"] - t["accuracy"], 4),
                "accuracy_fp32_engine_minus_trainer": round(e32["accuracy"] - t["accuracy"],
                                                            4)},
            "targets": {"speedup_over_trainer": ">= 1.2",
                        "speedup_over_trainer_group_by_length": ">= 1.0"}}


def frozen_features(work: Workload, plugins: Any, repeats: int) -> dict[str, Any]:
    """Head-only with cached frozen features (a cold cache each time, then a warm one) against
    head-only without caching and against full fine-tuning."""

    def cached() -> dict[str, Any]:
        previous = os.environ.get("TUNEKIT_CACHE_DIR")
        os.environ["TUNEKIT_CACHE_DIR"] = tempfile.mkdtemp(dir=work.folder, prefix="cache-")
        try:
            cold = _after_first(run_engine(work, plugins, "head-only", learning_rate=None,
                                           cache_features="on"))
            warm = run_engine(work, plugins, "head-only", learning_rate=None,
                              cache_features="on")
        finally:
            if previous is None:
                os.environ.pop("TUNEKIT_CACHE_DIR", None)
            else:
                os.environ["TUNEKIT_CACHE_DIR"] = previous
        return {**cold, "cache_seconds": cold["feature_cache"]["seconds"],
                "warm_seconds": warm["seconds"], "warm_cache": warm["feature_cache"]["status"],
                "warm_accuracy": warm["accuracy"]}

    runs = _repeat(repeats, {
        "head_only_cached": cached,
        "head_only_uncached": lambda: _after_first(run_engine(
            work, plugins, "head-only", learning_rate=None, cache_features="off")),
        "full": lambda: _after_first(run_engine(work, plugins, "full")),
    })
    sides = _sides(runs, ("seconds", "epoch_seconds_after_first", "accuracy", "cache_seconds",
                          "warm_seconds"))
    c = sides["head_only_cached"]["median"]
    u = sides["head_only_uncached"]["median"]
    f = sides["full"]["median"]
    return {"title": "head-only with cached frozen features", "sides": sides,
            "ratios": {
                "epoch_uncached_over_cached": _ratio(u["epoch_seconds_after_first"],
                                                     c["epoch_seconds_after_first"]),
                "epoch_full_over_cached": _ratio(f["epoch_seconds_after_first"],
                                                 c["epoch_seconds_after_first"]),
                "run_uncached_over_cached_cold": _ratio(u["seconds"], c["seconds"]),
                "run_uncached_over_cached_warm": _ratio(u["seconds"], c["warm_seconds"]),
                "accuracy_cached_minus_uncached": round(c["accuracy"] - u["accuracy"], 4)},
            "targets": {"epoch_uncached_over_cached": ">= 20"}}


def padding(work: Workload, plugins: Any, repeats: int) -> dict[str, Any]:
    """Dynamic padding of length-grouped batches against padding every batch to max_length
    (the same plain loop, model, data and seed on both sides)."""
    runs = _repeat(repeats, {
        "dynamic_grouped": lambda: plain.plain_loop(work, plugins, group_by_length=True),
        "pad_to_max_length": lambda: plain.plain_loop(work, plugins, pad_to=work.max_length),
    })
    sides = _sides(runs, ("train_seconds", "accuracy", "padded_tokens", "tokens"))
    d, m = sides["dynamic_grouped"]["median"], sides["pad_to_max_length"]["median"]
    return {"title": "dynamic padding, length-grouped batches vs padding to max_length",
            "sides": sides,
            "ratios": {"train_max_over_dynamic": _ratio(m["train_seconds"], d["train_seconds"]),
                       "computed_tokens_max_over_dynamic": _ratio(m["padded_tokens"],
                                                                  d["padded_tokens"])},
            "targets": {}}


def memory_and_throughput(work: Workload, plugins: Any, repeats: int) -> dict[str, Any]:
    """Peak memory and throughput of full fine-tuning, LoRA and head-only (cached and not)."""
    runs = _repeat(repeats, {
        "full": lambda: run_engine(work, plugins, "full"),
        "lora": lambda: run_engine(work, plugins, "lora", learning_rate=None),
        "head_only_cached": lambda: run_engine(work, plugins, "head-only", learning_rate=None),
        "head_only_uncached": lambda: run_engine(work, plugins, "head-only",
                                                 learning_rate=None, cache_features="off"),
    })
    flat = {name: [{**r["performance"], "accuracy": r["accuracy"]} for r in rs]
            for name, rs in runs.items()}
    keys = ("peak_memory_bytes", "samples_per_second", "tokens_per_second", "accuracy")
    sides = _sides(flat, keys)
    kind = next(iter(flat.values()))[0].get("peak_memory_kind")
    full = sides["full"]["median"]["peak_memory_bytes"]
    return {"title": f"peak memory ({kind}) and throughput", "sides": sides,
            "ratios": {f"peak_{name}_over_full": _ratio(s["median"]["peak_memory_bytes"], full)
                       for name, s in sides.items() if name != "full"},
            "targets": {}}


COMPARISONS = {"overhead": overhead, "trainer": against_trainer,
               "frozen_features": frozen_features, "padding": padding,
               "memory": memory_and_throughput}


def environment() -> dict[str, Any]:
    """Where the figures were measured."""
    import torch
    import transformers

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    return {"device": device, "cpu_cores": os.cpu_count(), "torch_threads":
            torch.get_num_threads(), "python": platform.python_version(),
            "torch": torch.__version__, "transformers": transformers.__version__,
            # other work on the machine slows every side, not always alike: say how busy it was
            "load_average": [round(x, 2) for x in os.getloadavg()]}
