"""The rules of ../shared/DESIGN.md that a test can keep: no import cycle anywhere in core/,
plugins/ and ui/, and the built-in plugins import only the tunekit names that
docs/plugins/reference.md documents for plugin authors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import architecture
import pytest
from architecture import ROOT, cycles, import_graph, plugin_imports

REFERENCE = ROOT / "docs" / "plugins" / "reference.md"


def documented_names(text: str) -> dict[str, set[str]]:
    """module -> the names its bullet in "What a plugin may import" lists."""
    section = text.split("## What a plugin may import", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, set[str]] = {}
    for bullet in re.split(r"\n- ", "\n" + section)[1:]:
        head, _, rest = bullet.partition(":")
        module = head.strip().strip("`").split(",")[0].strip("`")
        if not module.startswith("tunekit"):
            continue
        names = {m.group(1) for m in re.finditer(r"`([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(|`)",
                                                   rest)}
        documented[module] = names
    return documented


def undocumented(used: dict[tuple[str, str | None], list[str]],
                 documented: dict[str, set[str]]) -> list[str]:
    problems = []
    for (module, name), places in sorted(used.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        if module not in documented:
            problems.append(f"{places[0]}: imports {module}, a module the reference does not "
                            "list for plugins")
        elif name is not None and name not in documented[module]:
            problems.append(f"{places[0]}: imports {module}.{name}, which the reference does "
                            f"not document")
    return problems


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles (each line: the modules of one cycle):\n" + "\n".join(
        " <-> ".join(cycle) for cycle in found)


def wrong_way(graph: dict[str, set[str]]) -> list[str]:
    """Imports against ui -> core <- plugins: core importing ui or a plugin; a plugin
    importing ui (``tunekit.testing`` may name the built-ins it checks: it is the test kit)."""
    def side(module: str) -> str:
        return ("ui" if module.startswith("tunekit.ui") else
                "plugins" if module.startswith("tunekit.plugins") else "core")

    return sorted(f"{a} imports {b}" for a, targets in graph.items() for b in targets
                  if (side(a), side(b)) in {("core", "ui"), ("core", "plugins"),
                                            ("plugins", "ui")}
                  and not (side(a) == "core" and a.startswith("tunekit.testing")
                           and side(b) == "plugins"))


def test_dependencies_point_from_ui_and_plugins_to_core():
    found = wrong_way(import_graph())
    assert not found, "imports against ui -> core <- plugins:\n" + "\n".join(found)


def test_built_in_plugins_import_only_documented_names():
    documented = documented_names(REFERENCE.read_text(encoding="utf-8"))
    assert {"tunekit", "tunekit.data", "tunekit.layers"} <= set(documented)
    assert {"Dataset", "hookimpl", "SpecError"} <= documented["tunekit"]
    problems = undocumented(plugin_imports(), documented)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the checks can fail


@pytest.fixture
def planted_tree(tmp_path, monkeypatch):
    """A copy of core/, plugins/ and ui/ that a test may plant a bad import in."""
    for folder in ("core", "plugins", "ui"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(architecture, "ROOT", tmp_path)
    monkeypatch.setattr(architecture, "PACKAGE_DIRS", {
        "tunekit": tmp_path / "core", "tunekit.plugins": tmp_path / "plugins",
        "tunekit.ui": tmp_path / "ui"})
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")


def test_a_planted_cycle_is_found(planted_tree):
    # layers imports the engine inside a function: still a cycle (engine -> ... -> layers)
    _append(planted_tree / "core" / "layers.py",
            "def _planted():\n    from .engine import run  # noqa\n")
    _append(planted_tree / "core" / "engine" / "optim.py", "from ..layers import freeze_all")
    found = cycles(import_graph())
    assert any("tunekit.layers" in cycle and any(m.startswith("tunekit.engine") for m in cycle)
               for cycle in found)


def test_a_planted_core_to_ui_import_is_found(planted_tree):
    _append(planted_tree / "core" / "errors.py", "from tunekit.ui.cli import main  # noqa")
    assert "tunekit.errors imports tunekit.ui.cli" in wrong_way(import_graph())


def test_a_type_checking_import_makes_no_cycle(planted_tree):
    _append(planted_tree / "core" / "layers.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .engine import run")
    _append(planted_tree / "core" / "engine" / "optim.py", "from ..layers import freeze_all")
    assert not [c for c in cycles(import_graph()) if "tunekit.layers" in c]


def test_a_planted_internal_import_is_found(planted_tree):
    _append(planted_tree / "plugins" / "metrics" / "classification.py",
            "from tunekit.engine.optim import adamw  # noqa")
    _append(planted_tree / "plugins" / "strategies" / "lora.py",
            "def _planted():\n    return tunekit.spec.RunSpec  # noqa")
    _append(planted_tree / "plugins" / "strategies" / "full.py",
            "def _planted():\n    return tunekit.layers.LayerGroup  # noqa")
    documented = documented_names(REFERENCE.read_text(encoding="utf-8"))
    problems = "\n".join(undocumented(plugin_imports(), documented))
    assert "plugins/metrics/classification.py" in problems and "tunekit.engine.optim" in problems
    assert "plugins/strategies/lora.py" in problems and "tunekit.spec" in problems
    assert "tunekit.layers.LayerGroup, which the reference does not document" in problems


def test_the_reference_parser_reads_bullets():
    text = ("## What a plugin may import\n\n- `tunekit.x`: `a(b, c)`, `B` and `c`.\n"
            "- `tunekit`: `D`, the errors `E`;\n  `f()`.\n\nAnything else.\n"
            "## Next\n- `tunekit.y`: `z`")
    assert documented_names(text) == {"tunekit.x": {"a", "B", "c"}, "tunekit": {"D", "E", "f"}}


def test_no_function_in_core_above_complexity_20(tmp_path):
    import subprocess
    import sys

    ruff = Path(sys.executable).parent / "ruff"
    assert ruff.exists(), "ruff comes with the dev extra (make setup)"
    checked = subprocess.run([str(ruff), "check", "--no-cache", "--select", "C901",
                              "--config", "lint.mccabe.max-complexity=20", str(ROOT / "core")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    # the same check finds a planted function of complexity 21
    planted = tmp_path / "planted.py"
    planted.write_text("def f(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n"
                                                for i in range(20)) + "    return -1\n")
    found = subprocess.run([str(ruff), "check", "--no-cache", "--select", "C901", "--config",
                            "lint.mccabe.max-complexity=20", str(planted)],
                           capture_output=True, text=True)
    assert found.returncode == 1 and "C901" in found.stdout
