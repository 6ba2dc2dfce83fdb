"""Packaging: every package tunekit imports is declared, a lean install leaves the studio's and
the exporters' packages out, and where one is missing (refused by a real import blocker) the
person gets one message naming the extra that brings it."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from blocker import uninstalled
from tunekit.errors import TunekitError

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def requirement_name(requirement: str) -> str:
    name = requirement.split(";")[0]
    for mark in "<>=!~[ ":
        name = name.split(mark)[0]
    return name.strip().lower().replace("_", "-")


def declared(*groups: str) -> set[str]:
    found = {requirement_name(r) for r in PROJECT["dependencies"]}
    for group in groups:
        found |= {requirement_name(r) for r in PROJECT["optional-dependencies"][group]}
    return found


def imported_packages(folder: str) -> set[str]:
    """The top-level names the modules under ``folder`` import (the standard library aside)."""
    names = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "tunekit"}


def test_every_imported_package_is_declared():
    owners = packages_distributions()
    everything = declared(*PROJECT["optional-dependencies"])
    missing = {}
    for folder in ("core", "plugins", "ui"):
        for name in imported_packages(folder):
            dists = {d.lower().replace("_", "-") for d in owners.get(name, [name])}
            if not dists & everything:
                missing[name] = sorted(dists)
    # pytest: the plugin author's kit (tunekit.testing) runs inside pytest, which loads it
    missing.pop("pytest", None)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_a_lean_install_leaves_the_studio_and_exporters_out_and_all_brings_them():
    lean = declared()
    assert not lean & {"gradio", "pandas", "onnx", "onnxruntime", "onnxscript", "tensorboard",
                       "mlflow-skinny"}
    assert {"torch", "transformers", "peft", "accelerate", "pillow"} <= lean
    assert any(r.startswith("gradio>=6") for r in PROJECT["optional-dependencies"]["studio"])
    (everything,) = PROJECT["optional-dependencies"]["all"]
    for extra in ("studio", "onnx", "hub", "tensorboard", "mlflow"):
        assert extra in everything
    assert '".[all,dev]"' in (ROOT / "scripts" / "setup.sh").read_text()


def test_the_studio_without_gradio_is_one_message_naming_the_extra(capsys):
    from tunekit.ui.cli import main

    with uninstalled("gradio", forget=("tunekit.ui.studio",)):
        code = main(["studio", "--port", "0"])
    err = capsys.readouterr().err
    assert code != 0
    assert "error: tunekit studio: the package 'gradio' is not installed" in err
    assert "pip install 'tunekit[studio]'" in err and "Traceback" not in err


def test_the_onnx_exporter_without_onnxruntime_names_the_extra():
    from tunekit.plugins.exporters import onnx_model

    with uninstalled("onnxruntime"), pytest.raises(TunekitError) as info:
        onnx_model.export(None)  # refused before it looks at the run
    assert str(info.value).startswith("the onnx exporter: the package 'onnxruntime' is not "
                                      "installed")
    assert "pip install 'tunekit[onnx]'" in str(info.value)

