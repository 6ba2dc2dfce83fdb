"""Which plugins are turned off: for one process with ``TUNEKIT_DISABLE_PLUGINS=a,b``, or for
good with ``tunekit plugins disable NAME`` (remembered in registry.db's ``plugin_settings``).

A disabled plugin is not imported at all; ``tunekit plugins`` lists it as disabled. Reading the
settings uses the standard library's sqlite3, not the registry's ORM: every command that loads
plugins asks, and ``tunekit plugins`` must stay quick. Changing them goes through
``tunekit.registry.Registry``, which owns the table.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection
from contextlib import closing
from importlib.metadata import entry_points
from pathlib import Path

from .errors import PluginError, did_you_mean

DISABLE_ENV = "TUNEKIT_DISABLE_PLUGINS"
SETTINGS_TABLE = "plugin_settings"  # tunekit.registry.PluginSetting
# why a plugin is off: named in the environment, or remembered in registry.db
BY_ENVIRONMENT, BY_REGISTRY = "environment", "registry"


def registry_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The registry file: ``path``, else ``$TUNEKIT_REGISTRY``, else ./registry.db (as
    ``tunekit.registry.default_path``, without importing the ORM)."""
    return Path(path or os.environ.get("TUNEKIT_REGISTRY") or "registry.db")


def disabled_in_environment() -> list[str]:
    """The plugin names in ``TUNEKIT_DISABLE_PLUGINS`` (comma or space separated)."""
    raw = os.environ.get(DISABLE_ENV, "")
    return [n for n in (part.strip() for part in raw.replace(",", " ").split()) if n]


def disabled_in_registry(path: str | os.PathLike[str] | None = None) -> list[str]:
    """The plugins disabled in the registry at ``path``. A registry that does not exist yet,
    or that an older tunekit wrote (no settings table), disables nothing."""
    file = registry_path(path)
    if not file.is_file():
        return []  # listing plugins must not create a registry
    with closing(sqlite3.connect(str(file), timeout=10)) as connection:
        try:
            rows = connection.execute(
                f"SELECT name FROM {SETTINGS_TABLE} WHERE enabled = 0 ORDER BY name").fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise
    return [name for (name,) in rows]


def disabled_plugins(path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Every disabled plugin and why: ``{name: "environment" | "registry"}``."""
    found = dict.fromkeys(disabled_in_registry(path), BY_REGISTRY)
    found.update(dict.fromkeys(disabled_in_environment(), BY_ENVIRONMENT))
    return found


def how_to_enable(name: str, by: str) -> str:
    """The one thing to do to turn ``name`` back on."""
    if by == BY_ENVIRONMENT:
        return f"remove {name} from {DISABLE_ENV}"
    if by == BY_REGISTRY:
        return f"`tunekit plugins enable {name}` turns it back on"
    return f"load the plugins without disabling {name}"  # load_plugins(disabled=...)


def installed_plugin_names(plugins_dir: str | os.PathLike[str] | None = None,
                           group: str = "tunekit") -> list[str]:
    """The names of the plugins that would load (entry points and the local folder's files),
    found without importing any of them."""
    names = {ep.name for ep in entry_points(group=group)}
    folder = plugins_dir or os.environ.get("TUNEKIT_PLUGINS_DIR")
    if folder and Path(folder).expanduser().is_dir():
        names |= {p.stem for p in Path(folder).expanduser().glob("*.py")
                  if not p.name.startswith("_")}
    return sorted(names)


def set_plugin_enabled(name: str, enabled: bool, *, known: Collection[str],
                       registry: str | os.PathLike[str] | None = None) -> str:
    """Remember in registry.db that plugin ``name`` is enabled or disabled; returns a sentence
    saying what changed. ``known`` are the installed plugin names: another name is refused
    with the closest ones (except to enable a plugin remembered as disabled, which may be
    gone since)."""
    path = registry_path(registry)
    remembered_off = name in disabled_in_registry(path)
    if name not in known and not (enabled and remembered_off):
        raise PluginError(
            f"there is no plugin named {name!r}.{did_you_mean(name, known)}",
            where=f"tunekit plugins {'enable' if enabled else 'disable'}",
            hint="`tunekit plugins` lists the installed plugins by name (a component such as "
                 "a strategy belongs to the plugin shown above it)")
    also = ""
    if enabled and name in disabled_in_environment():
        also = f" It stays disabled in this shell while {DISABLE_ENV} names it."
    if enabled and not remembered_off:
        return f"plugin {name!r} is already enabled.{also}"
    if not enabled and remembered_off:
        return f"plugin {name!r} is already disabled (in {path})."
    from .registry import Registry

    store = Registry.open(path)  # creates the registry, or adds the table to an old one
    store.set_plugin_enabled(name, enabled)
    if enabled:
        return f"enabled plugin {name!r}: it loads again from now on.{also}"
    return (f"disabled plugin {name!r} (remembered in {store.path}): it is not loaded from "
            f"now on; {how_to_enable(name, BY_REGISTRY)}.")
