"""``tunekit runs diagnose RUN``: read a run's curves, say what happened, propose the next run.

    tunekit runs diagnose 12            the verdict in words, with the figures, and the next run
    tunekit runs diagnose 12 --json     the same as one JSON object
    tunekit runs diagnose 12 --write next.yaml   also write the follow-up spec

The follow-up runs with ``tunekit run --from 12 --set ...`` (the exact command is printed),
which records run 12 as its parent, so the history shows the lineage.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    parser = runs.add_parser("diagnose", parents=[common],
                             help="did a run overfit, underfit, diverge? what to change next")
    parser.add_argument("run", type=int, metavar="RUN", help="the run id")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.add_argument("--write", metavar="FILE", help="write the follow-up spec (YAML) here")
    parser.set_defaults(handler=diagnose_command)


def diagnose_command(args: argparse.Namespace) -> int:
    import yaml
    from tunekit.errors import TunekitError
    from tunekit.spec import parse_spec, spec_changes
    from tunekit.tools.diagnosis import as_overrides, diagnose, follow_up_spec
    from tunekit.ui.commands.common import EXIT_OK, _manager, _registry, _run_record

    registry = _registry()
    record = _run_record(registry, args.run, "runs diagnose")
    if record.status in ("queued", "running"):
        print(f"note: run {record.id} is still {record.status}; this reads its curves so far",
              file=sys.stderr)
    summary = json.loads(record.summary_json or "{}")
    result = diagnose(registry.metric_points(record.id), record.spec, summary)
    follow_up = None
    problem = None
    if result.changes:
        follow_up = follow_up_spec(record.spec, result.changes, summary.get("base_dir"))
        try:  # a proposal the installed plugins would refuse is no proposal: say so
            parse_spec(follow_up, _manager(args, warn=False))
        except TunekitError as exc:
            problem = str(exc)
    command = None
    if result.changes and not problem:
        sets = " ".join(f"--set {shlex.quote(o)}" for o in as_overrides(result.changes))
        command = f"tunekit run --from {record.id} {sets}"
    if args.write and follow_up is not None and not problem:
        target = Path(args.write)
        header = (f"# follow-up of run {record.id} ({result.verdict}): {result.reason}\n"
                  f"# run it with: tunekit run {target} --parent {record.id}\n")
        target.write_text(header + yaml.safe_dump(follow_up, sort_keys=False), encoding="utf-8")
    changed = spec_changes(record.spec, follow_up) if follow_up else []

    if args.json:
        print(json.dumps({
            "run": record.id, "status": record.status, "verdict": result.verdict,
            "explanation": result.explanation, "reason": result.reason,
            "changes": result.changes, "figures": result.figures,
            "follow_up_spec": follow_up, "command": command, "problem": problem,
            "written": args.write if args.write and command else None,
        }, indent=2, default=str))
        return EXIT_OK
    print(f"run {record.id} ({record.dataset} -> {record.backbone} with {record.strategy}, "
          f"{record.status}): {result.verdict}")
    print(f"  {result.explanation}")
    _print_curves(result.figures)
    if not result.changes:
        print("  nothing to change.")
        return EXIT_OK
    print(f"\nnext: {result.reason}")
    for name, old, new in changed:
        if name.endswith("path") or name.endswith("_path"):
            continue  # made absolute, not changed
        print(f"  {name}: {_show(old)} -> {_show(new)}")
    if problem:
        print(f"  but the installed plugins refuse that spec: {problem}")
        return EXIT_OK
    print(f"  {command}")
    if args.write:
        print(f"  (written to {args.write}; or: tunekit run {args.write} --parent {record.id})")
    return EXIT_OK


def _print_curves(figures: dict[str, Any]) -> None:
    rows = [(f"validation {figures.get('metric')}", figures.get("validation")),
            ("validation loss", figures.get("validation_loss")),
            ("training loss", figures.get("train_loss"))]
    width = max(len(label) for label, _ in rows)
    for label, values in rows:
        if values and not (label.endswith("loss") and label.startswith("validation loss")
                           and figures.get("metric") == "loss"):
            print(f"  {label + ' by epoch:':<{width + 10}} "
                  + " ".join(f"{v:.3f}" for v in values))


def _show(value: Any) -> str:
    if value is None:
        return "default"
    return f"{value:g}" if isinstance(value, float) else str(value)
