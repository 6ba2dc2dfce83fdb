"""``tunekit sweep``: search spec fields for the best validation score (Optuna).

    tunekit sweep spec.yaml --param training.learning_rate=1e-5..1e-3:log \\
        --param strategy.r=4,8,16 --sampler tpe --trials 12
    tunekit sweep spec.yaml --param training.learning_rate=1e-4,3e-4 --param training.epochs=3,6

Each trial is a run in registry.db filed under the sweep; the best trial's spec is written as
YAML (``--output``, default ``runs/sweep-N/best.yaml``). SIGTERM or Ctrl-C cancels the trial
running and the sweep.
"""

from __future__ import annotations

import argparse
from typing import Any

from tunekit.ui.commands.common import _add_output_options


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "sweep", parents=[common], help="search spec fields for the best run (grid, random, tpe)",
        description="Train the spec many times with other values of some fields and keep the "
                    "best (by a validation score). Fields are dotted as in --set; values are a "
                    "list (a,b,c), a range (LOW..HIGH, LOW..HIGH:log) or YAML ([a, b], "
                    "{low: .., high: .., step: .., log: true}). A spec file may hold them in a "
                    "sweep: {params: {...}, sampler: .., trials: ..} section.")
    parser.add_argument("spec", nargs="?", help="the spec file (default: the bundled default)")
    parser.add_argument("--param", dest="params", action="append", default=[],
                        metavar="FIELD=VALUES",
                        help="a field to search and its values, e.g. "
                             "--param training.learning_rate=1e-5..1e-3:log --param "
                             "strategy=lora,full")
    parser.add_argument("--sampler", choices=("grid", "random", "tpe"),
                        help="grid: every combination; random; tpe: Optuna's Bayesian search "
                             "(default: grid when every field lists its values, else tpe)")
    parser.add_argument("--trials", type=int, metavar="N", help="at most N trials")
    parser.add_argument("--minutes", type=float, metavar="M",
                        help="start no new trial after M minutes")
    parser.add_argument("--metric", metavar="NAME",
                        help="the validation score to optimise (default: the early-stopping "
                             "metric, else the spec's first metric)")
    parser.add_argument("--direction", choices=("maximize", "minimize"),
                        help="which way is better (default: from the metric)")
    parser.add_argument("--no-prune", dest="prune", action="store_false", default=None,
                        help="let every trial train to the end")
    parser.add_argument("--seed", type=int, help="the sampler's seed (default: the spec's)")
    parser.add_argument("--output", metavar="FILE",
                        help="where to write the best spec (default: runs/sweep-N/best.yaml)")
    parser.add_argument("--output-dir", metavar="DIR",
                        help="where run folders go (default: runs/ beside the registry)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="FIELD=VALUE", help="override a field of the spec for every trial")
    _add_output_options(parser, "the result")
    parser.set_defaults(handler=handler)


def handler(args: argparse.Namespace) -> int:
    from tunekit.tools.sweep import sweep
    from tunekit.ui.commands.common import _finish, _manager, _registry, _say, _stop_on_sigterm

    manager = _manager(args)
    registry = _registry()
    _stop_on_sigterm()
    result = sweep(args.spec, args.params, sampler=args.sampler, trials=args.trials,
                   minutes=args.minutes, metric=args.metric, direction=args.direction,
                   prune=args.prune, seed=args.seed, overrides=args.overrides,
                   output=args.output, manager=manager, registry=registry,
                   progress=not (args.quiet or args.json), output_root=args.output_dir,
                   say=_say)
    return _finish(args, result, lambda: _print(result))


def _print(result: Any) -> None:
    print(f"sweep {result.sweep_id} {result.status}: {len(result.trials)} trials, "
          f"{result.sampler} search, validation {result.metric} ({result.direction})")
    print(result.table())
    if result.stopped:
        print(f"stopped: {result.stopped}")
    for trial in result.trials:
        if trial.state in ("failed", "pruned") and trial.note:
            print(f"  trial {trial.number} {trial.state}: {trial.note.splitlines()[0]}")
    if result.best is not None:
        print(f"best: trial {result.best.number} (run {result.best.run_id}), validation "
              f"{result.metric} {result.best.value:.4f}")
        print(f"  spec: {result.best_spec_path}")
        print(f"  train it: tunekit run {result.best_spec_path}")
    else:
        print("no trial completed: no best spec")
