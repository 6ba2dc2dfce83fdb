"""``tunekit bakeoff``: one spec trained with several strategies, side by side, with a verdict.

    tunekit bakeoff spec.yaml --strategies full,head-only,freeze-bottom,lora,gradual --scratch
    tunekit bakeoff --strategies head-only,lora      (the bundled default data and model)
    tunekit bakeoff --show 3                           (a bake-off recorded earlier)

Every entry trains on the same data with the same seed, each with its own recommended epochs
and learning rate unless ``--set`` pins them. SIGTERM or Ctrl-C cancels the entry running and
the bake-off.
"""

from __future__ import annotations

import argparse
from typing import Any

from tunekit.ui.commands.common import _add_output_options


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "bakeoff", parents=[common], help="compare strategies on the same data and seed",
        description="Train the spec once per strategy (same data, same seed) and report "
                    "validation and test scores, trainable parameters, time and memory side "
                    "by side, with a verdict in plain words.")
    parser.add_argument("spec", nargs="?", help="the spec file (default: the bundled default)")
    parser.add_argument("--strategies", metavar="A,B,C",
                        help="the strategies to compare, comma-separated; 'scratch' (or "
                             "pretrained:false) is full fine-tuning from random weights "
                             "(default: every installed strategy)")
    parser.add_argument("--scratch", action="store_true", default=None,
                        help="also train the same backbone from random weights")
    parser.add_argument("--metric", metavar="NAME",
                        help="the validation score that decides (default: the early-stopping "
                             "metric, else the spec's first metric)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="FIELD=VALUE",
                        help="override a field for every entry (e.g. --set training.epochs=3 "
                             "pins the epochs for all)")
    parser.add_argument("--markdown", metavar="FILE", help="also write the report as Markdown")
    parser.add_argument("--output-dir", metavar="DIR",
                        help="where run folders go (default: runs/ beside the registry)")
    parser.add_argument("--show", type=int, metavar="ID",
                        help="print the report of bake-off ID from the registry, train nothing")
    _add_output_options(parser, "the report")
    parser.set_defaults(handler=handler)


def handler(args: argparse.Namespace) -> int:
    from tunekit.tools.bakeoff import bakeoff, load_bakeoff
    from tunekit.ui.commands.common import _finish, _manager, _registry, _say, _stop_on_sigterm

    registry = _registry()
    if args.show is not None:
        report = load_bakeoff(registry, args.show)
    else:
        manager = _manager(args)
        _stop_on_sigterm()
        report = bakeoff(args.spec, args.strategies, scratch=args.scratch,
                         overrides=args.overrides, metric=args.metric, manager=manager,
                         registry=registry, progress=not (args.quiet or args.json),
                         output_root=args.output_dir, markdown=args.markdown,
                         say=_say)
    return _finish(args, report, lambda: _print(report, args.markdown))


def _print(report: Any, markdown: str | None) -> None:
    print(f"bake-off {report.sweep_id} {report.status}: validation {report.metric} decides")
    print(report.table())
    print()
    for line in report.verdict:
        print(f"- {line}")
    for line in report.notes:
        print(f"  note: {line}")
    if markdown:
        print(f"report: {markdown}")
