"""What the ``tunekit`` command and its subcommand modules share: exit codes, the plugin
manager, the registry, a run's record, the SIGTERM handler, and the output of the commands that
train many runs (sweep, bakeoff). Kept here, not in ``tunekit.ui.cli``, so that
cli.py imports the commands and no command imports cli.py back."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

EXIT_OK, EXIT_RUN_FAILED, EXIT_BAD_INPUT, EXIT_CANCELLED = 0, 1, 2, 130


def _manager(args: argparse.Namespace, warn: bool = True) -> Any:
    from tunekit import load_plugins

    manager = load_plugins(args.plugins_dir)
    for problem in manager.problems if warn else ():
        print(f"warning: plugin {problem.plugin} ({problem.source}): {problem.error}",
              file=sys.stderr)
    return manager


def _registry(announce: bool = False) -> Any:
    """The registry, its dead runs marked interrupted. With ``announce`` (a start of a run or
    of the studio) each run just marked that has a checkpoint gets one line on standard error
    saying how to resume it."""
    from tunekit.registry import Registry

    registry = Registry.open()
    interrupted = registry.mark_orphans_interrupted()
    if announce and interrupted:
        from tunekit.engine.resumable import announce as resumable_lines

        for line in resumable_lines(registry, interrupted):
            print(line, file=sys.stderr)
    return registry


def _run_record(registry: Any, run_id: int, where: str) -> Any:
    """The registry's record of run ``run_id``; a TunekitError at ``where`` (the command or
    option that named it) when there is none."""
    from tunekit.errors import TunekitError

    record = registry.get_run(run_id)
    if record is None:
        raise TunekitError(f"there is no run {run_id}", where=where,
                           hint="`tunekit runs list` shows the runs")
    return record


def _stop_on_sigterm() -> None:
    """SIGTERM (the studio's stop button, a scheduler) stops a run like Ctrl-C: it is
    recorded as cancelled instead of being killed mid-write."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


# ---------------------------------------------------------------- commands that train many runs


def _add_output_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--json`` and ``--quiet`` for a command that trains many runs and then reports
    (``what``: "the report", "the result")."""
    parser.add_argument("--json", action="store_true",
                        help=f"print {what} as one JSON object (progress on stderr)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _say(text: str) -> None:
    """A line of progress, on standard error: standard output is the result's (``--json``)."""
    print(text, file=sys.stderr, flush=True)


def _finish(args: argparse.Namespace, result: Any, show: Callable[[], None]) -> int:
    """Print a sweep's or bake-off's ``result``: one JSON object with ``--json``, else what
    ``show`` prints. The exit code says whether it completed."""
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        show()
    return EXIT_OK if result.status == "completed" else EXIT_RUN_FAILED
