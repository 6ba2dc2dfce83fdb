"""``python -m benchmarks [--quick] [--repeats N] [--only NAME,...]``: run the comparisons and
write ``benchmarks/results/<name>.json`` and ``.md``."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .suite import COMPARISONS, environment
from .workload import headline_workload, manager, quick_workload

RESULTS = Path(__file__).with_name("results")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="tiny-bert on generated data, one repeat: a smoke test in seconds")
    parser.add_argument("--repeats", type=int, default=None,
                        help="rounds of each comparison (default 3; 1 with --quick)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs of every run")
    parser.add_argument("--only", default="", help=f"comma-separated: {', '.join(COMPARISONS)}")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder of the results (default benchmarks/results)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(COMPARISONS)
    unknown = [n for n in names if n not in COMPARISONS]
    if unknown:
        parser.error(f"no comparison {unknown[0]!r}; choose from {', '.join(COMPARISONS)}")
    work = quick_workload() if args.quick else headline_workload()
    if args.epochs:
        work.epochs = args.epochs
    repeats = args.repeats or (1 if args.quick else 3)
    plugins = manager()
    results: dict[str, Any] = {
        "workload": {"name": work.name, "backbone": work.backbone, "dataset": work.dataset,
                     "epochs": work.epochs, "batch_size": work.batch_size,
                     "learning_rate": work.learning_rate, "max_length": work.max_length,
                     "seed": work.seed},
        "repeats": repeats, "environment": environment(), "comparisons": {}}
    out = args.out or RESULTS
    out.mkdir(parents=True, exist_ok=True)
    stem = "quick" if args.quick else "results"
    started = time.perf_counter()
    try:
        warm_up(work, plugins)
        for name in names:
            print(f"{name}: {COMPARISONS[name].__doc__.splitlines()[0]}", file=sys.stderr)
            results["comparisons"][name] = COMPARISONS[name](work, plugins, repeats)
            results["comparisons"][name]["load_average_after"] = [
                round(x, 2) for x in os.getloadavg()]
            results["seconds"] = round(time.perf_counter() - started, 1)
            write(out, stem, results)  # after each comparison: a long run keeps what it did
    finally:
        shutil.rmtree(work.folder, ignore_errors=True)  # registries, runs, caches, copies
    print(markdown(results))
    print(f"written: {out / (stem + '.json')}, {out / (stem + '.md')}", file=sys.stderr)
    return 0


def write(out: Path, stem: str, results: dict[str, Any]) -> None:
    (out / f"{stem}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (out / f"{stem}.md").write_text(markdown(results))


def warm_up(work: Any, plugins: Any) -> None:
    """One untimed epoch of the engine and of the plain loop: the first run in a process pays
    for imports, the tokenizer's loading and the thread pools, which no side should carry."""
    from .plain import plain_loop
    from .workload import run_engine

    epochs, work.epochs = work.epochs, 1
    try:
        run_engine(work, plugins, "full")
        plain_loop(work, plugins)
    finally:
        work.epochs = epochs


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def markdown(results: dict[str, Any]) -> str:
    """The results as markdown: one table of medians and one list of ratios per comparison."""
    work, env = results["workload"], results["environment"]
    lines = [f"# Benchmarks: {work['name']}", "",
             f"{work['epochs']} epochs, batch {work['batch_size']}, seed {work['seed']}; "
             f"medians of {results['repeats']} repeat(s); {env['device']}, "
             f"{env['cpu_cores']} cores, torch {env['torch']}, transformers "
             f"{env['transformers']}; load average at the start "
             f"{env.get('load_average', '-')} (1, 5, 15 min).", ""]
    for comparison in results["comparisons"].values():
        sides = comparison["sides"]
        keys = list(next(iter(sides.values()))["median"])
        lines += [f"## {comparison['title']}", "",
                  "| side | " + " | ".join(keys) + " |",
                  "|---|" + "---|" * len(keys)]
        for name, side in sides.items():
            lines.append(f"| {name} | " + " | ".join(_cell(side['median'][k]) for k in keys)
                         + " |")
        lines.append("")
        for ratio, value in comparison["ratios"].items():
            target = comparison["targets"].get(ratio)
            lines.append(f"- {ratio}: **{_cell(value)}**" + (f" (target {target})"
                                                            if target else ""))
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
