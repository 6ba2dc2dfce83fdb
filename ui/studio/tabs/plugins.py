"""The Plugins tab, as values: each plugin with its version, source (built-in, package, local
folder), components by kind and status (loaded, failed with its error, disabled), every
component in detail, and the switch that disables or enables a plugin (remembered in
registry.db, as `tunekit plugins disable NAME` does). Everything comes from
``PluginManager.describe()`` and the registry's plugin settings."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd
from tunekit.ui.studio.layout import Page

KIND_ORDER = ("dataset", "augmentation", "backbone", "strategy", "metric", "exporter")
PLUGIN_COLUMNS = ["plugin", "version", "source", "status", "components", "error", "setting"]
# what changing a plugin does in a studio that is already running
TAKES_EFFECT = ("Runs started from now on load the plugins anew, so they see the change at "
                "once; the studio's own lists (the run card, the assistant) change when the "
                "studio restarts.")
LOCKED = "Plugins cannot be disabled or enabled from this studio."


def render_plugins(page: Page, manager: Any, registry: Any = None,
                   can_change: bool = True) -> dict[Any, Any]:
    """Every view of the tab. ``registry`` (a ``tunekit.Registry``) gives the plugin settings
    saved since the studio started; ``can_change`` False hides the switch (a restricted
    studio)."""
    from tunekit.plugin_settings import BY_ENVIRONMENT, DISABLE_ENV

    described = manager.describe()
    saved = registry.plugin_settings() if registry is not None else {}
    rows = []
    for p in described["plugins"]:
        setting = "enabled"
        if p["status"] == "disabled":
            setting = f"disabled by {DISABLE_ENV}" if p["disabled_by"] == BY_ENVIRONMENT \
                else "disabled in registry.db"
        if saved.get(p["name"]) is False and p["status"] != "disabled":
            setting = "disabled in registry.db: unloaded when the studio restarts"
        elif saved.get(p["name"]) is True and p["disabled_by"] == "registry":
            setting = "enabled: loaded when the studio restarts"
        rows.append({"plugin": p["name"], "version": p["version"], "source": p["where"],
                     "status": p["status"],
                     "components": ", ".join(f"{c['kind']} {c['name']}"
                                             for c in p["components"]),
                     "error": p["error"] or "", "setting": setting})
    plugins = pd.DataFrame(rows, columns=PLUGIN_COLUMNS)
    components = sorted(described["components"],
                        key=lambda c: (KIND_ORDER.index(c["kind"]) if c["kind"] in KIND_ORDER
                                       else len(KIND_ORDER), c["name"]))
    table = pd.DataFrame(
        [{"kind": c["kind"], "name": c["name"], "title": c["title"], "plugin": c["plugin"],
          "options": ", ".join(_param(p) for p in c.get("params", [])),
          "description": c["description"]} for c in components],
        columns=["kind", "name", "title", "plugin", "options", "description"])
    failed = described["problems"]
    loaded = sum(p["status"] == "loaded" for p in described["plugins"])
    disabled = [p["name"] for p in described["plugins"] if p["status"] == "disabled"]
    lines = [f"**{loaded} plugins loaded**, {len(components)} components "
             f"(plugin contract {described['contract_version']})."]
    if disabled:
        lines.append(f"Disabled, not loaded: {', '.join(f'`{d}`' for d in disabled)}.")
    if failed:
        lines.append("**Problems** — these were skipped; everything else works:")
        lines += [f"- ⚠️ `{p['plugin']}` ({p['source']}): {p['error']}" for p in failed]
    else:
        lines.append("No plugin failed to load.")
    names = [p["name"] for p in described["plugins"]]
    return {page.problems: "\n".join(lines), page.plugins_table: plugins,
            page.components_table: table,
            page.plugin_pick: gr.update(choices=names, visible=can_change),
            page.plugin_disable: gr.update(visible=can_change),
            page.plugin_enable: gr.update(visible=can_change),
            page.plugin_note: TAKES_EFFECT if can_change else LOCKED}


def change_plugin(manager: Any, registry: Any, name: Any, enabled: bool,
                  can_change: bool = True) -> str:
    """Disable or enable plugin ``name`` in ``registry``; returns the notice to show (a
    warning, starting with ⚠️, when nothing changed)."""
    from tunekit.errors import TunekitError
    from tunekit.plugin_settings import set_plugin_enabled

    if not can_change:
        return f"⚠️ {LOCKED}"
    if not name:
        return f"⚠️ Pick a plugin to {'enable' if enabled else 'disable'} first."
    try:
        said = set_plugin_enabled(str(name), enabled, known=list(manager.plugins),
                                  registry=registry.path)
    except TunekitError as exc:
        return f"⚠️ {exc.message}"
    return f"{said[0].upper()}{said[1:]} {TAKES_EFFECT}"


def _param(param: dict[str, Any]) -> str:
    default = "" if param.get("default") is None else f"={param['default']}"
    required = " (required)" if param.get("required") else ""
    return f"{param['name']}{default}{required}"
