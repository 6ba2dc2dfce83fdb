"""Subcommands of ``tunekit`` that live in their own module.

Each module exposes ``add_parser(commands, common, runs)``: it adds its subparser (to the top
level ``commands`` or under ``tunekit runs``), passing ``parents=[common]``, and sets
``handler=`` to a function ``(args) -> exit code``. Handlers import heavy libraries lazily.
Shared helpers (plugin manager, registry, exit codes) come from ``tunekit.ui.commands.common``
(never from ``tunekit.ui.cli``, which imports these modules).
"""

from __future__ import annotations

import argparse
from importlib import import_module

MODULES: tuple[str, ...] = ("diagnose", "lr_find", "sweep", "bakeoff", "data", "plugins",
                           "plugin_new", "predict", "demo", "push")


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
                 runs: argparse._SubParsersAction) -> None:
    for name in MODULES:
        import_module(f"{__name__}.{name}").add_parser(commands, common, runs)
