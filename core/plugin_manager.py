"""The plugin manager: discovery, validation, isolation.

Plugins come from the ``tunekit`` entry-point group (the built-ins too) and from a local folder
of ``.py`` files (``--plugins-dir`` / ``TUNEKIT_PLUGINS_DIR``). A plugin that fails to import or
to register is skipped and reported with its error; the rest keep working. A disabled plugin
(``TUNEKIT_DISABLE_PLUGINS``, ``tunekit plugins disable``: see ``tunekit.plugin_settings``) is
listed but not imported. ``TUNEKIT_TRACE_PLUGINS=1`` prints every hook call to standard error.
"""

from __future__ import annotations

import errno
import functools
import importlib
import importlib.util
import operator
import os
import re
import sqlite3
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any, ParamSpec, TypeVar

import pluggy

from . import hookspecs
from .components import COMPONENT_TYPES, KINDS, Component
from .errors import PluginError, TunekitError, UnknownComponentError, closest, did_you_mean
from .plugin_settings import (
    BY_ENVIRONMENT,
    BY_REGISTRY,
    DISABLE_ENV,
    disabled_in_environment,
    disabled_plugins,
    how_to_enable,
    registry_path,
)

ENTRY_POINT_GROUP = "tunekit"
LOCAL_PACKAGE = "tunekit_local_plugins"
# each register_* hook and the kinds it accepts (augmentations are data plugins)
REGISTER_HOOKS = {
    "register_datasets": ("dataset", "augmentation"),
    "register_backbones": ("backbone",),
    "register_strategies": ("strategy",),
    "register_metrics": ("metric",),
    "register_exporters": ("exporter",),
}


@dataclass
class PluginInfo:
    """One plugin as loaded: where it came from and what it registered."""

    name: str
    version: str
    source: str  # built-in | package | local | python (an object handed to the manager)
    status: str = "loaded"  # loaded | failed | disabled
    error: str | None = None
    components: list[tuple[str, str]] = field(default_factory=list)
    origin: str = ""  # the distribution of a package, the file of a local plugin
    requires_contract: str = ""  # the plugin's ``requires_contract``, e.g. ">=1.0,<2"
    disabled_by: str = ""  # environment | registry, when disabled

    @property
    def where(self) -> str:
        """Where it came from, in words: ``built-in``, ``package tunekit-bitfit``,
        ``local /home/ana/plugins/mine.py``, ``python``."""
        return f"{self.source} {self.origin}" if self.origin else self.source

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "origin": self.origin,
            "where": self.where,
            "status": self.status,
            "error": self.error,
            "disabled_by": self.disabled_by or None,
            "requires_contract": self.requires_contract or None,
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

    def __init__(self, disabled: Mapping[str, str] | None = None) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.problems: list[Problem] = []
        self._catalog: dict[str, dict[str, Component]] = {kind: {} for kind in KINDS}
        # plugin name -> why it is off (environment | registry): listed, never imported
        self.disabled: dict[str, str] = dict(disabled or {})
        self._disabled_loaders: dict[str, Callable[[], object]] = {}
        self._disabled_catalog: dict[tuple[str, str], str] | None = None
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
            built_in = dist_name == "tunekit"
            info = PluginInfo(ep.name, version, "built-in" if built_in else "package",
                              origin="" if built_in else dist_name)
            if self._skip_disabled(info, ep.load):
                continue
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must not stop the others
                self._fail(info, _describe_exception(exc))
                continue
            self._add(module, info)

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
            info = PluginInfo(path.stem, "", "local", origin=str(path))
            module_name = f"{LOCAL_PACKAGE}.{info.name}"
            if self._skip_disabled(info, functools.partial(_import_file, path, module_name)):
                continue
            try:
                module = _import_file(path, module_name)
            except Exception as exc:
                self._fail(info, _describe_exception(exc))
                continue
            info.version = str(getattr(module, "__version__", ""))
            self._add(module, info)

    def add(self, plugin: ModuleType | object, *, name: str, version: str = "",
            source: str = "python", origin: str = "") -> PluginInfo | None:
        """Register one plugin object and collect its components, or report why not."""
        info = PluginInfo(name, version, source, origin=origin)
        if self._skip_disabled(info, lambda: plugin):
            return None
        return self._add(plugin, info)

    def _add(self, plugin: object, info: PluginInfo) -> PluginInfo | None:
        name = info.name
        if name in self.plugins:
            other = self.plugins[name]
            self.problems.append(Problem(
                name, info.where, f"a plugin named {name!r} is already loaded from "
                f"{other.where}; this one is skipped"))
            return None
        info.requires_contract = str(getattr(plugin, "requires_contract", "") or "")
        refused = self._contract_error(info) or self._unknown_hooks(plugin)
        if refused:
            self._fail(info, refused)
            return None
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:  # pluggy validation: wrong arguments for a hook
            self._fail(info, str(exc))
            return None
        try:
            staged = self._collect(plugin, info)
        except Exception as exc:
            self.pm.unregister(plugin)
            self._fail(info, _describe_exception(exc))
            return None
        for component in staged:
            self._add_component(component, info)
        self.plugins[name] = info
        return info

    def _skip_disabled(self, info: PluginInfo, load: Callable[[], object]) -> bool:
        """Whether ``info`` names a disabled plugin: then it is listed, and not imported.
        ``load`` imports it, should an error message need to know what it registers."""
        by = self.disabled.get(info.name)
        if by is None:
            return False
        if info.name not in self.plugins:
            info.status, info.disabled_by = "disabled", by
            self.plugins[info.name] = info
            self._disabled_loaders[info.name] = load
        return True

    @staticmethod
    def _contract_error(info: PluginInfo) -> str | None:
        """Why the plugin's ``requires_contract`` refuses this tunekit, if it does."""
        wanted = info.requires_contract
        if not wanted:
            return None
        try:
            if contract_allows(wanted):
                return None
        except ValueError as exc:
            return f"requires_contract = {wanted!r} cannot be read: {exc}"
        return (f"needs plugin contract {wanted}, and this tunekit has contract "
                f"{hookspecs.CONTRACT_VERSION}; install a version of the plugin made for "
                f"contract {hookspecs.CONTRACT_VERSION}, or a tunekit it accepts")

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
        for hook_name, kinds in REGISTER_HOOKS.items():
            expected = tuple(COMPONENT_TYPES[kind] for kind in kinds)
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                if impl.plugin is not plugin:
                    continue

                def register(component: Component, _hook: str = hook_name,
                             _expected: tuple[type, ...] = expected) -> None:
                    if not isinstance(component, _expected):
                        accepted = " or ".join(f"tunekit.{t.__name__}" for t in _expected)
                        raise PluginError(
                            f"{_hook} registered {type(component).__name__}; "
                            f"expected {accepted}"
                        )
                    component.check()
                    component.plugin = info.name
                    component.plugin_version = info.version
                    staged.append(component)

                kwargs = {"register": register} if "register" in impl.argnames else {}
                # called directly (one plugin at a time), so pluggy's own tracing misses it
                self.pm.trace.root.get("hook")(hook_name, {"plugin": info.name})
                returned = impl.function(**kwargs)
                if returned is not None:  # e.g. `return [Metric(...)]`: nothing registered
                    code = getattr(impl.function, "__code__", None)
                    at = f" ({code.co_filename}:{code.co_firstlineno})" if code else ""
                    raise PluginError(
                        f"{hook_name} returned {type(returned).__name__}{at}; a register "
                        "hook returns nothing: call register(component) for each component")
        return staged

    def _add_component(self, component: Component, info: PluginInfo) -> None:
        existing = self._catalog[component.kind].get(component.name)
        if existing is not None:
            first = self.plugins.get(existing.plugin)
            self.problems.append(Problem(
                info.name, info.where,
                f"{component.kind} {component.name!r} is registered twice: by plugin "
                f"{existing.plugin!r} ({first.where if first else '?'}) and by plugin "
                f"{info.name!r} ({info.where}); keeping the one from {existing.plugin!r}",
            ))
            return
        self._catalog[component.kind][component.name] = component
        info.components.append((component.kind, component.name))

    def _fail(self, info: PluginInfo, error: str) -> None:
        info.status, info.error, info.components = "failed", error, []
        self.plugins.setdefault(info.name, info)  # a second plugin of a taken name: reported
        self.problems.append(Problem(info.name, info.where, error))

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

    def get(self, kind: str, name: str, where: str | None = None,
            task: str | None = None) -> Component:
        """The component called ``name`` (or with that alias), or a message naming the closest
        (of those that support ``task``, when given)."""
        catalog = self._catalog[kind]
        if name in catalog:
            return catalog[name]
        wanted = str(name).strip().lower()
        for component in catalog.values():
            if wanted == component.name or wanted in (a.lower() for a in component.aliases):
                return component
        provider = self._disabled_provider(kind, name)
        if provider is not None:
            by = self.disabled[provider]
            why = {BY_ENVIRONMENT: f"by {DISABLE_ENV}", BY_REGISTRY: "remembered in registry.db"
                   }.get(by, "by the program that loaded the plugins")
            raise UnknownComponentError(
                f"{kind} {name!r} comes from plugin {provider!r}, which is disabled ({why})",
                where=where or kind, hint=how_to_enable(provider, by))
        installed = ", ".join(sorted(catalog)) or "none"
        # suggest by name or by alias ("bertt" -> the backbone whose alias is "bert"), among
        # the components that can do the task
        fitting = {n: c for n, c in catalog.items() if task is None or task in c.tasks}
        words = {**{n: n for n in fitting},
                 **{a.lower(): c.name for c in fitting.values() for a in c.aliases}}
        close = list(dict.fromkeys(words[w] for w in closest(str(name).lower(), words)))
        quoted = " or ".join(f'"{c}"' for c in close[:3])
        hint = f" Did you mean {quoted}?" if close else ""
        failed = sorted(n for n, info in self.plugins.items() if info.status == "failed")
        # a plugin that failed to load adds nothing: the component may be one of its
        note = (f" (plugin{'s' if len(failed) > 1 else ''} {', '.join(failed)} failed to load "
                "and may provide it: see the warning)") if failed else ""
        raise UnknownComponentError(
            f"unknown {kind} {name!r}.{hint} Installed: {installed}{note}",
            where=where or kind,
            hint="`tunekit plugins` lists what is installed"
            + (" and why a plugin failed" if failed else ""),
        )

    def _disabled_provider(self, kind: str, name: str) -> str | None:
        """The disabled plugin that would register ``name`` (or that alias). Only this error
        path imports disabled plugins, into a scratch manager, once."""
        if self._disabled_catalog is None:
            self._disabled_catalog = {}
            for plugin, load in self._disabled_loaders.items():
                scratch = PluginManager()
                try:
                    scratch._add(load(), PluginInfo(plugin, "", "python"))
                except Exception:  # a plugin that cannot load registers nothing
                    continue
                for component in scratch.components():
                    for word in (component.name, *component.aliases):
                        self._disabled_catalog.setdefault((component.kind, word.lower()), plugin)
        return self._disabled_catalog.get((kind, str(name).strip().lower()))

    @property
    def hook(self) -> pluggy.HookRelay:
        return self.pm.hook

    # kwargs: the hook's arguments, each of its own type (core/hookspecs.py)
    def call_each(self, hook_name: str,
                  **kwargs: Any) -> Iterator[tuple[str, Callable[[], object]]]:
        """Yield ``(plugin name, call)`` for each implementation of a lifecycle hook, in
        pluggy's order (tryfirst/trylast honoured), so a caller can name a plugin that fails.
        Each ``call()`` passes only the arguments the implementation asks for, and is traced
        under TUNEKIT_TRACE_PLUGINS like pluggy's own calls."""
        for impl in reversed(getattr(self.pm.hook, hook_name).get_hookimpls()):
            args = {k: v for k, v in kwargs.items() if k in impl.argnames}

            def call(impl: pluggy.HookImpl = impl, args: dict[str, Any] = args) -> object:
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


_CONTRACT_CLAUSE = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(\d+(?:\.\d+)*)\s*")
_COMPARE = {">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
            ">": operator.gt, "<": operator.lt}


def contract_allows(requirement: str, version: str = hookspecs.CONTRACT_VERSION) -> bool:
    """Whether contract ``version`` meets ``requirement``: comma-separated clauses such as
    ``>=1.0,<2``, all of which must hold. Raises ValueError for anything else."""
    have = tuple(int(part) for part in version.split("."))
    clauses = requirement.split(",")
    for clause in clauses:
        match = _CONTRACT_CLAUSE.fullmatch(clause)
        if not match:
            raise ValueError(f"{clause.strip()!r} is not a clause like '>=1.0' or '<2' "
                             "(clauses are joined by commas)")
        wanted = tuple(int(part) for part in match.group(2).split("."))
        width = max(len(have), len(wanted))
        if not _COMPARE[match.group(1)](have + (0,) * (width - len(have)),
                                        wanted + (0,) * (width - len(wanted))):
            return False
    return True


def _import_file(path: Path, module_name: str) -> ModuleType:
    """Run the plugin file at ``path`` as module ``module_name``."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


Arguments = ParamSpec("Arguments")
Result = TypeVar("Result")


def call_component(component: Component, stage: str, function: Callable[Arguments, Result],
                   *args: Arguments.args, **kwargs: Arguments.kwargs) -> Result:
    """``function(*args, **kwargs)``, one of ``component``'s functions, run at ``stage`` (words:
    "loading the data"). An exception from it becomes a PluginError naming the component, its
    plugin and the stage, so a failed run says whose code failed. A TunekitError (raised on
    purpose, for people) and running out of memory or disk (the engine says what to change)
    pass through as they are."""
    try:
        return function(*args, **kwargs)
    except TunekitError:
        raise
    except Exception as exc:
        if _exhausted(exc):
            raise
        raise PluginError(f"failed while {stage}: {_describe_exception(exc)}",
                          where=f"{component.kind} {component.name!r} "
                                f"(plugin {component.plugin or '?'})") from exc


def _exhausted(exc: BaseException) -> bool:
    """Out of memory or out of disk: the machine's limits, not the plugin's fault."""
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


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
                 extra: Iterable[tuple[str, object]] = (),
                 disabled: Mapping[str, str] | Iterable[str] | None = None,
                 registry: str | os.PathLike[str] | None = None) -> PluginManager:
    """A plugin manager holding the installed plugins, the local folder's, and ``extra``.

    ``plugins_dir`` defaults to ``TUNEKIT_PLUGINS_DIR``. ``extra`` is ``(name, plugin)`` pairs,
    handy in tests. ``disabled`` names plugins to leave out (listed, not imported); by default
    those of ``TUNEKIT_DISABLE_PLUGINS`` and those disabled in the registry at ``registry``
    (default ``$TUNEKIT_REGISTRY`` or ./registry.db). ``disabled=()`` loads every plugin.
    """
    problems = []
    if disabled is None:
        try:
            off = disabled_plugins(registry)
        except sqlite3.Error as exc:  # a damaged registry must not stop the plugins
            off = dict.fromkeys(disabled_in_environment(), BY_ENVIRONMENT)
            problems.append(Problem("registry", str(registry_path(registry)),
                                    f"cannot read which plugins are disabled: {exc}"))
    elif isinstance(disabled, Mapping):
        off = dict(disabled)
    else:
        off = dict.fromkeys(disabled, "caller")
    manager = PluginManager(disabled=off)
    manager.problems += problems
    if entry_points_group:
        manager.load_entry_points(entry_points_group)
    folder = plugins_dir or os.environ.get("TUNEKIT_PLUGINS_DIR")
    if folder:
        manager.load_directory(folder)
    for name, plugin in extra:
        manager.add(plugin, name=name, source="python")
    for name, by in off.items():
        if by == BY_ENVIRONMENT and name not in manager.plugins:
            manager.problems.append(Problem(
                name, DISABLE_ENV, f"{DISABLE_ENV} names {name!r}, but no plugin has that "
                f"name.{did_you_mean(name, manager.plugins)}"))
    manager.check_pending()
    return manager
