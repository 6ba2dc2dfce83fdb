"""The plugin manager: discovery, validation, isolation.

Plugins come from the ``tunekit`` entry-point group (the built-ins too) and from a local folder
of ``.py`` files (``--plugins-dir`` / ``TUNEKIT_PLUGINS_DIR``). A plugin that fails to import or
to register is skipped and reported with its error; the rest keep working.
``TUNEKIT_TRACE_PLUGINS=1`` prints every hook call to standard error.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .components import COMPONENT_TYPES, KINDS, Component
from .errors import PluginError, UnknownComponentError, closest, did_you_mean

ENTRY_POINT_GROUP = "tunekit"
LOCAL_PACKAGE = "tunekit_local_plugins"
REGISTER_HOOKS = {
    "register_datasets": "dataset",
    "register_backbones": "backbone",
    "register_strategies": "strategy",
    "register_metrics": "metric",
    "register_exporters": "exporter",
}


@dataclass
class PluginInfo:
    """One plugin as loaded: where it came from and what it registered."""

    name: str
    version: str
    source: str  # built-in | package <dist> | local <path>
    status: str = "loaded"  # loaded | failed
    error: str | None = None
    components: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "status": self.status,
            "error": self.error,
            "components": [{"kind": k, "name": n} for k, n in self.components],
        }


@dataclass
class Problem:
    """Something wrong with a plugin that did not stop the others."""

    plugin: str
    source: str
    error: str


class PluginManager:
    """Loads plugins, validates what they register, and looks components up by name."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.problems: list[Problem] = []
        self._catalog: dict[str, dict[str, Component]] = {kind: {} for kind in KINDS}
        if os.environ.get("TUNEKIT_TRACE_PLUGINS"):
            self.pm.trace.root.setwriter(lambda text: sys.stderr.write(f"[tunekit plugins] {text}"))
            self.pm.enable_tracing()

    # ------------------------------------------------------------ loading

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Load every plugin that an installed distribution declares in ``group``."""
        for ep in sorted(entry_points(group=group), key=lambda e: e.name):
            dist = ep.dist
            dist_name = dist.metadata["Name"] if dist is not None else "?"
            version = dist.version if dist is not None else ""
            source = "built-in" if dist_name == "tunekit" else f"package {dist_name}"
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must not stop the others
                self._fail(ep.name, version, source, _describe_exception(exc))
                continue
            self.add(module, name=ep.name, version=version, source=source)

    def load_directory(self, directory: str | os.PathLike[str]) -> None:
        """Load each ``*.py`` file in ``directory`` as a plugin named after the file."""
        folder = Path(directory).expanduser()
        if not folder.is_dir():
            self.problems.append(
                Problem(str(folder), "local", f"plugins folder {folder} does not exist")
            )
            return
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_"):
                continue
            name = path.stem
            source = f"local {path}"
            module_name = f"{LOCAL_PACKAGE}.{name}"
            try:
                spec = importlib.util.spec_from_file_location(module_name, path)
                assert spec is not None and spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                sys.modules[module_name] = module
                spec.loader.exec_module(module)
            except Exception as exc:
                sys.modules.pop(module_name, None)
                self._fail(name, "", source, _describe_exception(exc))
                continue
            self.add(module, name=name, version=getattr(module, "__version__", ""), source=source)

    def add(self, plugin: ModuleType | object, *, name: str, version: str = "",
            source: str = "python") -> PluginInfo | None:
        """Register one plugin object and collect its components, or report why not."""
        if name in self.plugins:
            other = self.plugins[name]
            self.problems.append(Problem(
                name, source, f"a plugin named {name!r} is already loaded from {other.source}; "
                "this one is skipped"))
            return None
        unknown = self._unknown_hooks(plugin)
        if unknown:
            self._fail(name, version, source, unknown)
            return None
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:  # pluggy validation: wrong arguments for a hook
            self._fail(name, version, source, str(exc))
            return None
        info = PluginInfo(name=name, version=version, source=source)
        try:
            staged = self._collect(plugin, info)
        except Exception as exc:
            self.pm.unregister(plugin)
            self._fail(name, version, source, _describe_exception(exc))
            return None
        for component in staged:
            self._add_component(component, info)
        self.plugins[name] = info
        return info

    def _unknown_hooks(self, plugin: object) -> str | None:
        known = {name for name in dir(hookspecs) if name.startswith(("register_", "on_run_"))}
        for attr in dir(plugin):
            opts = self.pm.parse_hookimpl_opts(plugin, attr)
            if opts is None:
                continue
            hook = opts.get("specname") or attr
            if opts.get("wrapper") or opts.get("hookwrapper"):
                return f"{hook!r} is marked as a hook wrapper; tunekit hooks take plain " \
                       "implementations (drop wrapper=True / hookwrapper=True)"
            if hook not in known:
                return (f"implements {hook!r}, which is not a tunekit hook."
                        f"{did_you_mean(hook, known)}")
        return None

    def _collect(self, plugin: object, info: PluginInfo) -> list[Component]:
        """Call the plugin's register_* hooks; validate everything before keeping any of it."""
        staged: list[Component] = []
        for hook_name, kind in REGISTER_HOOKS.items():
            expected = COMPONENT_TYPES[kind]
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                if impl.plugin is not plugin:
                    continue

                def register(component: Component, _hook: str = hook_name,
                             _expected: type = expected) -> None:
                    if not isinstance(component, _expected):
                        raise PluginError(
                            f"{_hook} registered {type(component).__name__}; "
                            f"expected tunekit.{_expected.__name__}"
                        )
                    component.check()
                    component.plugin = info.name
                    component.plugin_version = info.version
                    staged.append(component)

                kwargs = {"register": register} if "register" in impl.argnames else {}
                # called directly (one plugin at a time), so pluggy's own tracing misses it
                self.pm.trace.root.get("hook")(hook_name, {"plugin": info.name})
                impl.function(**kwargs)
        return staged

    def _add_component(self, component: Component, info: PluginInfo) -> None:
        existing = self._catalog[component.kind].get(component.name)
        if existing is not None:
            first = self.plugins.get(existing.plugin)
            self.problems.append(Problem(
                info.name, info.source,
                f"{component.kind} {component.name!r} is registered twice: by plugin "
                f"{existing.plugin!r} ({first.source if first else '?'}) and by plugin "
                f"{info.name!r} ({info.source}); keeping the one from {existing.plugin!r}",
            ))
            return
        self._catalog[component.kind][component.name] = component
        info.components.append((component.kind, component.name))

    def _fail(self, name: str, version: str, source: str, error: str) -> None:
        self.plugins[name] = PluginInfo(name, version, source, status="failed", error=error)
        self.problems.append(Problem(name, source, error))

    def check_pending(self) -> None:
        """Raise PluginError if a registered hook implementation matches no hook."""
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc)) from None

    # ------------------------------------------------------------ lookup

    def components(self, kind: str | None = None) -> list[Component]:
        kinds = [kind] if kind else list(KINDS)
        return [c for k in kinds for c in self._catalog[k].values()]

    def names(self, kind: str) -> list[str]:
        return sorted(self._catalog[kind])

    def get(self, kind: str, name: str, where: str | None = None) -> Component:
        """The component called ``name`` (or with that alias), or a message naming the closest."""
        catalog = self._catalog[kind]
        if name in catalog:
            return catalog[name]
        wanted = str(name).strip().lower()
        for component in catalog.values():
            if wanted == component.name or wanted in (a.lower() for a in component.aliases):
                return component
        installed = ", ".join(sorted(catalog)) or "none"
        # suggest by name or by alias ("bertt" -> the backbone whose alias is "bert")
        words = {**{n: n for n in catalog},
                 **{a.lower(): c.name for c in catalog.values() for a in c.aliases}}
        close = list(dict.fromkeys(words[w] for w in closest(str(name).lower(), words)))
        quoted = " or ".join(f'"{c}"' for c in close[:3])
        hint = f" Did you mean {quoted}?" if close else ""
        raise UnknownComponentError(
            f"unknown {kind} {name!r}.{hint} Installed: {installed}",
            where=where or kind,
            hint="`tunekit plugins` lists what is installed",
        )

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def call_each(self, hook_name: str, **kwargs: Any) -> Any:
        """Yield ``(plugin name, call)`` for each implementation of a lifecycle hook, in
        pluggy's order (tryfirst/trylast honoured), so a caller can name a plugin that fails.
        Each ``call()`` passes only the arguments the implementation asks for, and is traced
        under TUNEKIT_TRACE_PLUGINS like pluggy's own calls."""
        for impl in reversed(getattr(self.pm.hook, hook_name).get_hookimpls()):
            args = {k: v for k, v in kwargs.items() if k in impl.argnames}

            def call(impl: Any = impl, args: dict[str, Any] = args) -> Any:
                self.pm.trace.root.get("hook")(hook_name, {"plugin": impl.plugin_name})
                return impl.function(**args)

            yield impl.plugin_name, call

    def describe(self) -> dict[str, Any]:
        return {
            "contract_version": hookspecs.CONTRACT_VERSION,
            "plugins": [p.describe() for p in self.plugins.values()],
            "components": [c.describe() for c in self.components()],
            "problems": [vars(p) for p in self.problems],
        }


def _describe_exception(exc: BaseException) -> str:
    """``Type: message (file:line)`` pointing at the deepest frame outside tunekit's loader."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    for frame in reversed(frames):
        if "importlib" not in frame.filename and not frame.filename.endswith("plugin_manager.py"):
            where = f" ({frame.filename}:{frame.lineno})"
            break
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f" ({exc.filename}:{exc.lineno})"
    return f"{type(exc).__name__}: {exc}{where}"


def load_plugins(plugins_dir: str | os.PathLike[str] | None = None,
                 *, entry_points_group: str | None = ENTRY_POINT_GROUP,
                 extra: Iterable[tuple[str, object]] = ()) -> PluginManager:
    """A plugin manager holding the installed plugins, the local folder's, and ``extra``.

    ``plugins_dir`` defaults to ``TUNEKIT_PLUGINS_DIR``. ``extra`` is ``(name, plugin)`` pairs,
    handy in tests.
    """
    manager = PluginManager()
    if entry_points_group:
        manager.load_entry_points(entry_points_group)
    folder = plugins_dir or os.environ.get("TUNEKIT_PLUGINS_DIR")
    if folder:
        manager.load_directory(folder)
    for name, plugin in extra:
        manager.add(plugin, name=name, source="python")
    manager.check_pending()
    return manager
