"""The public API's types are checked: mypy passes on the modules [tool.mypy] lists
(scripts/typecheck.py), and fails on a type error planted in a copy of them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "typecheck.py"

pytest.importorskip("mypy", reason="the dev extra installs mypy")


def typecheck(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(root / "scripts" / "typecheck.py")],
                          capture_output=True, text=True, timeout=600, check=False)


def test_the_public_api_type_checks():
    result = typecheck(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_a_type_error_in_the_public_api_fails_the_check(tmp_path):
    """A copy of the project whose BuiltModel says a model is a str where the engine and the
    plugins need a torch module: a plugin that builds one from a number fails the check."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "core", copy / "core", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    (copy / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "typing_probe.py", copy / "tests" / "typing_probe.py")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    if (ROOT / ".mypy_cache").is_dir():  # what the check above learnt: seconds, not a minute
        shutil.copytree(ROOT / ".mypy_cache", copy / ".mypy_cache")
    components = copy / "core" / "components.py"
    text = components.read_text(encoding="utf-8")
    components.write_text(text.replace("    max_length: int = 512\n",
                                       '    max_length: int = "512"\n', 1), encoding="utf-8")
    result = typecheck(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'tunekit/components.py' in result.stdout
    assert "Incompatible types in assignment" in result.stdout
