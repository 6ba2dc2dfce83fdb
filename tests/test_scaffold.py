"""``tunekit plugin new``: the package it writes installs with pip, is live in tunekit, and its
own tests pass as written, for every kind; bad names and existing folders are one clear error.

The packages are installed for real (``pip install -e``) into a throwaway virtual environment
that sees this project's environment through a ``.pth`` file, so the shared ``.venv`` is never
changed: nothing to uninstall, even when a test fails halfway.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import SimpleNamespace

import pytest
from tunekit.ui.cli import main
from tunekit.ui.commands.plugin_new import component_name
from tunekit.ui.commands.plugin_templates import TEMPLATES

KINDS = list(TEMPLATES)


def new(*args: str) -> int:
    return main(["plugin", "new", *args])


# ---------------------------------------------------------------- the command


def test_it_writes_a_package_with_an_entry_point_a_component_a_readme_and_a_test(tmp_path,
                                                                                  capsys):
    assert new("acme-metrics", "--kind", "metric", "--dir", str(tmp_path)) == 0

    root = tmp_path / "acme-metrics"
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert written == ["README.md", "pyproject.toml", "src/acme_metrics/__init__.py",
                       "tests/test_acme_metrics.py"]
    import tomllib

    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert project["project"]["name"] == "acme-metrics"
    assert project["project"]["entry-points"]["tunekit"] == {"acme-metrics": "acme_metrics"}
    assert any(d.startswith("tunekit") for d in project["project"]["dependencies"])
    source = (root / "src/acme_metrics/__init__.py").read_text()
    assert 'name="acme-metrics"' in source and "@tunekit.hookimpl" in source
    assert "__" not in source.replace("__future__", "").replace("__init__", "")  # all filled
    said = capsys.readouterr().out  # the working folder is tmp_path (conftest's `isolated`)
    assert said.startswith("wrote acme-metrics/ — a metric: balanced accuracy")
    assert "pip install -e acme-metrics " in said
    assert "lists acme-metrics and its metric 'acme-metrics'" in said


def test_written_elsewhere_the_next_steps_give_the_whole_path(tmp_path_factory, capsys):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    assert new("acme-metrics", "--kind", "metric", "--dir", str(elsewhere)) == 0
    assert f"pip install -e {elsewhere / 'acme-metrics'} " in capsys.readouterr().out


@pytest.mark.parametrize(("name", "expected"), [
    ("tunekit-fasttext", "fasttext"), ("acme_llrd", "acme-llrd"), ("kappa-plugin", "kappa"),
    ("tunekit", "tunekit"),
])
def test_the_component_is_named_after_the_package(name, expected):
    assert component_name(name) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("Acme Metrics", "'Acme Metrics' is not a package name tunekit can use"),
    ("9lives", "not a package name"),
    ("acme--metrics", "not a package name"),
    ("json", "the module 'json' would hide the Python or tunekit module of that name"),
    ("tunekit", "would hide"),
])
def test_a_bad_name_is_one_clear_error_and_nothing_is_written(name, expected, tmp_path,
                                                             capsys):
    assert new(name, "--kind", "metric", "--dir", str(tmp_path)) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: tunekit plugin new NAME: ")
    assert expected in error
    assert "hint: " in error
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_left_alone(tmp_path, capsys):
    (tmp_path / "acme-metrics").mkdir()
    (tmp_path / "acme-metrics" / "mine.txt").write_text("keep me")
    assert new("acme-metrics", "--kind", "metric", "--dir", str(tmp_path)) == 2
    assert "already exists; nothing was written" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "acme-metrics").iterdir()] == ["mine.txt"]


def test_an_unknown_kind_lists_the_kinds(tmp_path, capsys):
    with pytest.raises(SystemExit):
        new("acme-metrics", "--kind", "tokenizer", "--dir", str(tmp_path))
    error = capsys.readouterr().err
    assert "invalid choice: 'tokenizer'" in error
    for kind in KINDS:
        assert kind in error


def test_plugin_alone_shows_its_help(capsys):
    assert main(["plugin"]) == 0
    assert "new" in capsys.readouterr().out


@pytest.mark.parametrize("kind", KINDS)
def test_the_generated_code_is_lint_clean(kind, tmp_path):
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    assert new(f"acme-{kind}", "--kind", kind, "--dir", str(tmp_path)) == 0
    checked = subprocess.run([str(ruff), "check", "--no-cache", "--line-length", "100",
                              "--select", "E,F,W,I,B,UP", "--target-version", "py311", "."],
                             cwd=tmp_path / f"acme-{kind}", capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# ---------------------------------------------------------------- installed for real


@pytest.fixture(scope="module")
def throwaway_python(tmp_path_factory) -> Path:
    """The Python of a new virtual environment that also sees this project's packages (tunekit,
    torch, pytest...) through a .pth file: what it installs stays in it."""
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; "
                          "print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    project = sysconfig.get_paths()["purelib"]
    Path(own, "tunekit-project.pth").write_text(f"import site; site.addsitedir({project!r})\n")
    return python


def run(python: Path, *args: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([str(python), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory, throwaway_python) -> SimpleNamespace:
    """A package of every kind, written by ``plugin new`` and installed side by side with one
    ``pip install -e`` (a pip run costs seconds; one per kind was most of this file's time),
    then listed once by ``tunekit plugins --json``."""
    folder = tmp_path_factory.mktemp("packages")
    written = {kind: new(f"acme-{kind}", "--kind", kind, "--dir", str(folder)) for kind in KINDS}
    roots = {kind: folder / f"acme-{kind}" for kind in KINDS}
    editable = [arg for kind in KINDS for arg in ("-e", str(roots[kind]))]
    pip = run(throwaway_python, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
              *editable, cwd=folder)
    listed = run(throwaway_python, "-m", "tunekit.ui.cli", "plugins", "--json", cwd=folder)
    # every package's own tests, unchanged, in one pytest process (one start-up of torch and
    # transformers instead of six); -rA names each test with its package's folder
    tested = run(throwaway_python, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider",
                 "--rootdir", str(folder), *(str(roots[kind] / "tests") for kind in KINDS),
                 cwd=folder)
    return SimpleNamespace(written=written, roots=roots, pip=pip, listed=listed, tested=tested)


def outcomes(tested: subprocess.CompletedProcess, name: str) -> dict[str, int]:
    """How many of package ``name``'s own tests passed, failed or errored."""
    counts = {"PASSED": 0, "FAILED": 0, "ERROR": 0}
    for line in tested.stdout.splitlines():
        word, _, where = line.partition(" ")
        if word in counts and where.startswith(f"{name}/"):
            counts[word] += 1
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_the_package_installs_is_live_and_its_own_tests_pass_unchanged(kind, installed,
                                                                       throwaway_python):
    name = f"acme-{kind}"
    assert installed.written[kind] == 0
    root = installed.roots[kind]

    assert installed.pip.returncode == 0, installed.pip.stdout + installed.pip.stderr

    listed = installed.listed
    assert listed.returncode == 0, listed.stderr
    described = json.loads(listed.stdout)
    (plugin,) = [p for p in described["plugins"] if p["name"] == name]
    assert (plugin["status"], plugin["source"], plugin["version"]) == ("loaded", "package",
                                                                       "0.1.0")
    assert plugin["components"] == [{"kind": kind, "name": component_name(name)}]

    assert (root / "tests").is_dir()
    tested = installed.tested
    counts = outcomes(tested, name)
    assert counts["PASSED"] > 0 and counts["FAILED"] == counts["ERROR"] == 0, \
        tested.stdout[-4000:] + tested.stderr[-2000:]
