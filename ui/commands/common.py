"""What the ``tunekit`` command and its subcommand modules share: exit codes, the plugin
manager, the registry and the SIGTERM handler. Kept here, not in ``tunekit.ui.cli``, so that
cli.py imports the commands and no command imports cli.py back."""

from __future__ import annotations

import argparse
import sys
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


def _stop_on_sigterm() -> None:
    """SIGTERM (the studio's stop button, a scheduler) stops a run like Ctrl-C: it is
    recorded as cancelled instead of being killed mid-write."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
