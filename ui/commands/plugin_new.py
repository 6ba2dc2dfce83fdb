"""``tunekit plugin new NAME --kind KIND``: write a plugin package that installs and works.

    tunekit plugin new acme-balanced-accuracy --kind metric
    tunekit plugin new acme-fasttext --kind dataset --dir ~/src

It writes ``NAME/`` with a pyproject.toml that declares the ``tunekit`` entry point, one
working component of the kind in ``src/<module>/__init__.py`` (see ``plugin_templates``), a
README and a test built on ``tunekit.testing``. ``pip install -e NAME`` and it is live:
listed by ``tunekit plugins``, usable in a spec, understood by the assistant; its test passes.
(``tunekit plugins`` — plural — lists and checks what is installed.)
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from pathlib import Path

from .plugin_templates import PYPROJECT, README, TEMPLATES, Template

# a distribution name: lowercase words of letters and digits joined by single - or _
NAME = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
TAKEN = {"tunekit", "test", "tests", "src", "setup", "pytest", "pluggy"}


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    plugin = commands.add_parser("plugin", parents=[common],
                                 help="write a new plugin package (tunekit plugin new)")
    below = plugin.add_subparsers(dest="plugin_command", metavar="SUBCOMMAND")
    new = below.add_parser(
        "new", parents=[common], help="write a plugin package with one working component",
        description="Write NAME/: a pyproject.toml declaring the tunekit entry point, one "
                    "working component of KIND, a README and a passing test. Then: "
                    "pip install -e NAME")
    new.add_argument("name", metavar="NAME",
                     help="the package name, e.g. acme-balanced-accuracy (lowercase letters, "
                          "digits, - or _)")
    new.add_argument("--kind", required=True, choices=list(TEMPLATES),
                     help="the kind of component to start from")
    new.add_argument("--dir", metavar="DIR", default=".",
                     help="the folder to write NAME/ in (default: the working folder)")
    new.set_defaults(handler=new_command)

    def usage(args: argparse.Namespace) -> int:
        plugin.print_help()
        return 0

    plugin.set_defaults(handler=usage)


def new_command(args: argparse.Namespace) -> int:
    written = write_plugin(args.name, args.kind, Path(args.dir))
    root = written[0].parent
    template = TEMPLATES[args.kind]
    shown = _shown(root)
    print(f"wrote {shown}/ — {template.what}:")
    for path in written:
        print(f"  {path.relative_to(root.parent)}")
    steps = [(f"pip install -e {shown}", "into the environment that has tunekit"),
             ("tunekit plugins", f"lists {args.name} and its {args.kind} "
                                 f"{component_name(args.name)!r}"),
             (f"cd {shown} && pytest", "the contract, the behaviour, a tiny real run")]
    width = max(len(command) for command, _ in steps)
    print("\nnext:")
    for command, why in steps:
        print(f"  {command:<{width}}   # {why}")
    return 0


def _shown(root: Path) -> str:
    try:
        return str(root.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(root)


def component_name(name: str) -> str:
    """The component's name: the package name without a ``tunekit-`` prefix or a ``-plugin``
    suffix, with ``_`` as ``-`` (``tunekit-fasttext`` -> ``fasttext``)."""
    base = name.replace("_", "-")
    for prefix in ("tunekit-",):
        if base.startswith(prefix) and len(base) > len(prefix):
            base = base[len(prefix):]
    if base.endswith("-plugin") and len(base) > len("-plugin"):
        base = base[:-len("-plugin")]
    return base


def check_name(name: str, folder: Path) -> str:
    """The module name for package ``name``; a TunekitError saying what to change if the
    name or the folder will not do."""
    from tunekit.errors import TunekitError

    if not NAME.fullmatch(name):
        suggestion = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        if suggestion and not suggestion[0].isalpha():
            suggestion = f"tunekit-{suggestion}"
        hint = f"for example: {suggestion}" if suggestion else "for example: acme-metrics"
        raise TunekitError(f"{name!r} is not a package name tunekit can use: lowercase "
                           "letters and digits, words joined by - or _, starting with a letter",
                           where="tunekit plugin new NAME", hint=hint)
    module = name.replace("-", "_")
    if keyword.iskeyword(module) or module in TAKEN or module in sys.stdlib_module_names:
        raise TunekitError(f"the module {module!r} would hide the Python or tunekit module of "
                           "that name", where="tunekit plugin new NAME",
                           hint=f"choose a name of your own, e.g. acme-{name}")
    if folder.exists():
        raise TunekitError(f"{folder} already exists; nothing was written",
                           where="tunekit plugin new NAME",
                           hint="choose another NAME or --dir, or move the folder away")
    if not folder.parent.is_dir():
        raise TunekitError(f"the folder {folder.parent} does not exist",
                           where="tunekit plugin new --dir", hint="create it first")
    return module


def write_plugin(name: str, kind: str, directory: Path) -> list[Path]:
    """Write the package ``directory/name`` with one working ``kind`` component; return the
    files written (pyproject.toml first)."""
    root = directory.expanduser() / name
    module = check_name(name, root)
    template = TEMPLATES[kind]
    files = {
        root / "pyproject.toml": _fill(PYPROJECT, template, name, module),
        root / "README.md": _fill(README, template, name, module),
        root / "src" / module / "__init__.py": _fill(template.module, template, name, module),
        root / "tests" / f"test_{module}.py": _fill(template.test, template, name, module),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def _fill(text: str, template: Template, name: str, module: str) -> str:
    dependencies = ", ".join(f'"{d}"' for d in ("tunekit>=0.1", *template.dependencies))
    usage = template.usage.replace("__NAME__", component_name(name))
    replacements = {"__DEPENDENCIES__": dependencies, "__USAGE__": usage,
                    "__WHAT__": template.what, "__KIND__": template.kind,
                    "__HOOK__": template.hook, "__DIST__": name, "__MODULE__": module,
                    "__NAME__": component_name(name)}
    for token, value in replacements.items():
        text = text.replace(token, value)
    return text
