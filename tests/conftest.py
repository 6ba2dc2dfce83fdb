"""Shared fixtures: every test gets its own registry file and working folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a fresh folder with a fresh registry and no plugins folder from the outside."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUNEKIT_REGISTRY", str(tmp_path / "registry.db"))
    monkeypatch.delenv("TUNEKIT_PLUGINS_DIR", raising=False)
    monkeypatch.delenv("TUNEKIT_TRACE_PLUGINS", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def manager():
    """The installed plugins plus the tiny test backbones (built once per session)."""
    from tunekit.testing import make_manager, tiny_backbones

    return make_manager(("tiny-backbones", tiny_backbones))


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    from tunekit.testing import write_text_csv

    return write_text_csv(tmp_path / "tiny.csv", n=120)


# ---------------------------------------------------------------- weights before and after
# The capture plugin (tests/capture.py) keeps each model a run builds and a copy of its
# weights, so strategy and engine tests can compare parameters bit for bit.


@pytest.fixture(scope="module")
def _capture_plugin():
    from capture import Capture

    return Capture()


@pytest.fixture(scope="module")
def cap_manager(_capture_plugin):
    from capture import capture_manager

    return capture_manager(_capture_plugin)


@pytest.fixture(autouse=True)
def capture(_capture_plugin):
    """The capture plugin, emptied before each test (it is cheap to empty)."""
    _capture_plugin.reset()
    return _capture_plugin


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    from tunekit.testing import write_text_csv

    return write_text_csv(tmp_path / "small.csv", n=40)


# ---------------------------------------------------------------- order
# The files that train the real MiniLM take a minute or more each: started first, they run
# beside the rest when the suite is spread over workers (make test), instead of alone at the end.
LONGEST_FIRST = ("test_minilm.py", "test_bakeoff.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))
