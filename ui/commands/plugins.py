"""``tunekit plugins``: what is installed, whether it keeps the contract, what is turned off.

    tunekit plugins [list] [--json]    every plugin: version, source, components, failures
    tunekit plugins check [NAME ...]   load everything, check every component (or NAME's);
                                       exit 1 if something is wrong
    tunekit plugins disable NAME       stop loading a plugin (remembered in registry.db)
    tunekit plugins enable NAME        load it again

``TUNEKIT_DISABLE_PLUGINS=a,b`` disables plugins for one process. A disabled plugin is listed
but not imported, so listing stays quick (no torch) whatever is installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_PROBLEMS = 0, 1  # `tunekit plugins check` exits 1 when something is wrong


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    plugins = commands.add_parser(
        "plugins", parents=[common], help="installed plugins: list, check, disable, enable",
        description="Installed plugins and their components (the listing by default).")
    plugins.add_argument("--json", action="store_true", help="machine-readable output")
    plugins.set_defaults(handler=run)  # no subcommand: the listing
    sub = plugins.add_subparsers(dest="plugins_command", metavar="SUBCOMMAND")
    # --json after the subcommand too; SUPPRESS keeps the one given before it
    listing = sub.add_parser("list", parents=[common],
                             help="every plugin: version, source, components, failures")
    listing.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    check = sub.add_parser("check", parents=[common],
                           help="load every plugin and check every component; exit 1 if any "
                                "breaks the contract")
    check.add_argument("names", nargs="*", metavar="NAME",
                       help="check only these plugins (default: every one)")
    check.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    check.add_argument("--quick", action="store_true",
                       help="check fields and signatures only; do not call the components "
                            "(no torch, no tiny training)")
    for verb, says in (("disable", "stop loading plugin NAME (remembered in registry.db)"),
                       ("enable", "load plugin NAME again")):
        toggle = sub.add_parser(verb, parents=[common], help=says)
        toggle.add_argument("name", metavar="NAME", help="the plugin's name, as listed")


def run(args: argparse.Namespace) -> int:
    if args.plugins_command in ("disable", "enable"):
        return toggle(args, enabled=args.plugins_command == "enable")
    if args.plugins_command == "check":
        return check(args)
    return listing(args)


# ---------------------------------------------------------------- list


def listing(args: argparse.Namespace) -> int:
    from tunekit.ui.commands.common import _manager

    manager = _manager(args, warn=False)  # the listing shows the problems itself
    description = manager.describe()
    if args.json:
        print(json.dumps(description, indent=2, default=str))
        return EXIT_OK
    print(f"plugin contract {description['contract_version']}")
    for plugin in manager.plugins.values():
        _print_plugin(manager, plugin)
    others = [p for p in manager.problems if p.plugin not in manager.plugins
              or manager.plugins[p.plugin].status == "loaded"]
    if others:
        print("\nproblems:")
        for problem in others:
            print(f"  {problem.plugin} ({problem.source}): {problem.error}")
    return EXIT_OK


def _print_plugin(manager: Any, plugin: Any) -> None:
    from tunekit.plugin_settings import BY_ENVIRONMENT, DISABLE_ENV, how_to_enable

    version = f" {plugin.version}" if plugin.version else ""
    contract = f"  (contract {plugin.requires_contract})" if plugin.requires_contract else ""
    if plugin.status == "disabled":
        by = f"by {DISABLE_ENV}" if plugin.disabled_by == BY_ENVIRONMENT else "in registry.db"
        print(f"\n{plugin.name}{version}  [{plugin.where}]  DISABLED {by}: not loaded; "
              f"{how_to_enable(plugin.name, plugin.disabled_by)}")
        return
    status = "  FAILED" if plugin.status == "failed" else ""
    print(f"\n{plugin.name}{version}  [{plugin.where}]{status}{contract}")
    if plugin.error:
        print(f"  error: {plugin.error}")
    for kind, name in plugin.components:
        print(f"  {kind:<12} {name:<18} {manager.get(kind, name).title}")


# ---------------------------------------------------------------- check


def check(args: argparse.Namespace) -> int:
    """Every loading problem, then each loaded component through tunekit.testing's
    check_component (its fields and params, then, unless --quick, its callable on tiny real
    inputs)."""
    import warnings

    from tunekit.errors import PluginError, did_you_mean
    from tunekit.testing import check_component
    from tunekit.ui.commands.common import _manager

    # what a plugin uses that is deprecated warns while it loads (Python hides these
    # warnings outside tests): shown here, without failing the check, for a release
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        manager = _manager(args, warn=False)
    deprecated = [f"{w.filename}:{w.lineno}: {w.message}" for w in caught
                  if issubclass(w.category, DeprecationWarning)]
    wanted = set(args.names or manager.plugins)
    unknown = sorted(wanted - set(manager.plugins))
    if unknown:
        raise PluginError(f"there is no plugin named {unknown[0]!r}."
                          f"{did_you_mean(unknown[0], manager.plugins)}",
                          where="tunekit plugins check",
                          hint="`tunekit plugins` lists the plugins by name")
    problems = [{"plugin": p.plugin, "source": p.source, "error": p.error}
                for p in manager.problems if p.plugin in wanted or not args.names]
    advice, skipped = [], []
    components = [c for c in manager.components() if c.plugin in wanted]
    for component in components:
        report = check_component(component, call=not args.quick, strict=False)
        info = manager.plugins[component.plugin]
        problems += [{"plugin": info.name, "source": info.where, "error": str(p)}
                     for p in report.problems]
        advice += [{"plugin": info.name, "source": info.where, "advice": str(a)}
                   for a in report.advice]
        skipped += [f"{component.kind} {component.name!r}: {s}" for s in report.skipped
                    if not args.quick]
    checked = [p.name for p in manager.plugins.values()
               if p.status == "loaded" and p.name in wanted]
    disabled = [p.name for p in manager.plugins.values()
                if p.status == "disabled" and p.name in wanted]
    contract = manager.describe()["contract_version"]
    if args.json:
        print(json.dumps({"contract_version": contract, "ok": not problems,
                          "plugins_checked": checked,
                          "components_checked": len(components),
                          "called": not args.quick, "disabled": disabled,
                          "problems": problems, "advice": advice, "deprecated": deprecated,
                          "not_called": skipped},
                         indent=2, default=str))
        return EXIT_PROBLEMS if problems else EXIT_OK
    how = "fields only (--quick)" if args.quick else "fields, then each called on tiny inputs"
    print(f"checked {len(checked)} plugins and {len(components)} components against "
          f"plugin contract {contract}: {how}")
    if disabled:
        print(f"  disabled, not checked: {', '.join(disabled)}")
    for item in skipped:
        print(f"  not called: {item}")
    for item in advice:
        print(f"  advice: {item['plugin']} ({item['source']}): {item['advice']}")
    for item in deprecated:
        print(f"  deprecated: {item}")
    for item in problems:
        print(f"  PROBLEM: {item['plugin']} ({item['source']}): {item['error']}")
    if problems:
        print(f"{len(problems)} problem{'s' * (len(problems) > 1)} (above): those plugins are "
              "skipped, or their components fail when used; everything else works",
              file=sys.stderr)
        return EXIT_PROBLEMS
    print("no problems")
    return EXIT_OK


# ---------------------------------------------------------------- disable and enable


def toggle(args: argparse.Namespace, *, enabled: bool) -> int:
    from tunekit.plugin_settings import installed_plugin_names, set_plugin_enabled

    print(set_plugin_enabled(args.name, enabled,
                             known=installed_plugin_names(args.plugins_dir)))
    return EXIT_OK
