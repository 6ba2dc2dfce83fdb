"""pytest fixtures for tunekit plugin authors, loaded automatically once tunekit is installed
(the ``pytest11`` entry point; where plugin autoloading is off, add
``pytest_plugins = ["tunekit.testing.fixtures"]`` to your conftest.py).

- ``tunekit_registry``: a registry of its own in the test's tmp_path (``TUNEKIT_REGISTRY``
  points at it for the test);
- ``tunekit_manager``: tunekit's built-ins, the tiny test components (``tiny-bert``,
  ``tiny-gpt2``, ``tiny-text``) and the plugins the test names with
  ``@pytest.mark.tunekit_plugins(my_plugin, ...)``;
- ``tiny_data``: easy examples as rows, splits, a CSV and a JSON-lines file (``TinyData``).

Importing this module is cheap: tunekit itself loads only when a fixture is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from ..plugin_manager import PluginManager
    from ..registry import Registry
    from .kit import TinyData

MARKER = "tunekit_plugins"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*plugins): the plugins (modules, objects, components) the "
                   "tunekit_manager fixture holds besides tunekit's built-ins")


@pytest.fixture
def tunekit_registry(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    """A registry of its own; ``TUNEKIT_REGISTRY`` points at it while the test runs."""
    from .kit import isolated_registry

    registry = isolated_registry(tmp_path / "tunekit-registry")
    monkeypatch.setenv("TUNEKIT_REGISTRY", str(registry.path))
    return registry


@pytest.fixture
def tunekit_manager(request: pytest.FixtureRequest) -> PluginManager:
    """The built-ins, the tiny test components and the plugins of the test's
    ``@pytest.mark.tunekit_plugins(...)``; a plugin that fails to load fails the test."""
    from .kit import manager_with

    plugins = [p for marker in request.node.iter_markers(MARKER) for p in marker.args]
    return manager_with(*plugins)


@pytest.fixture
def tiny_data(tmp_path) -> TinyData:
    """48 easy two-class examples: ``.rows``, ``.splits``, ``.csv`` and ``.jsonl`` files."""
    from .kit import tiny_data_files

    return tiny_data_files(tmp_path / "tiny-data")
