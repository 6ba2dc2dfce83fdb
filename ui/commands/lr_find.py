"""``tunekit lr-find [SPEC]``: the learning-rate range test, a suggested rate and its plot.

    tunekit lr-find spec.yaml                      suggest a rate, draw lr-find.png
    tunekit lr-find spec.yaml --json               the same as one JSON object
    tunekit lr-find --set strategy=full --plot full.png    the bundled default, full fine-tuning
"""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lr-find", parents=[common],
        help="find a learning rate: a short run with a growing rate, a suggestion and a plot")
    parser.add_argument("spec", nargs="?", help="the spec file (default: the bundled default)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="FIELD=VALUE", help="override a field, as for `tunekit run`")
    parser.add_argument("--start", type=float, default=1e-6, help="first rate (default 1e-6)")
    parser.add_argument("--end", type=float, default=1.0, help="last rate (default 1)")
    parser.add_argument("--steps", type=int, default=200,
                        help="optimizer steps at most (default 200)")
    parser.add_argument("--plot", metavar="FILE", default="lr-find.png",
                        help="where to draw the loss against the rate (PNG; default lr-find.png)")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(handler=lr_find_command)


def lr_find_command(args: argparse.Namespace) -> int:
    import shlex

    from tunekit.tools.lr_find import check_range, lr_find

    check_range(args.start, args.end, args.steps)  # before the plugins, the spec and torch load
    import tunekit
    from tunekit.ui.commands.common import EXIT_OK, _manager

    manager = _manager(args)
    spec = tunekit.load_spec(args.spec, manager, overrides=args.overrides)
    strategy = manager.get("strategy", spec.data["strategy"]["name"])
    if not args.json:
        print(f"range test: {spec.data['strategy']['name']} on {spec.data['dataset']['name']} "
              f"({spec.data['backbone']['name']}), up to {args.steps} steps from "
              f"{args.start:g} to {args.end:g}...", file=sys.stderr)
    finding = lr_find(spec, manager=manager, start=args.start, end=args.end, steps=args.steps,
                      plot=args.plot)
    if args.json:
        print(json.dumps({**finding.to_dict(),
                          "strategy_default": strategy.default_learning_rate}, indent=2))
        return EXIT_OK
    print(f"{len(finding.rates)} steps; stopped: {finding.stopped}")
    for note in finding.notes:
        print(f"  note: {note}")
    if finding.suggestion is None:
        print("no suggestion: see the notes above")
    else:
        steepest = f"; steepest descent at {finding.steepest_rate:.2g}" \
            if finding.steepest_rate else ""
        print(f"  lowest loss at {finding.min_loss_rate:.2g}{steepest}")
        print(f"  suggested learning rate: {finding.suggestion:.2g} ({strategy.name}'s default "
              f"is {strategy.default_learning_rate:g})")
        spec_arg = f" {shlex.quote(args.spec)}" if args.spec else ""
        sets = "".join(f" --set {shlex.quote(o)}" for o in args.overrides)
        print(f"  use it: tunekit run{spec_arg}{sets} "
              f"--set training.learning_rate={finding.suggestion:.2g}")
    print(f"  plot: {finding.plot}")
    return EXIT_OK
