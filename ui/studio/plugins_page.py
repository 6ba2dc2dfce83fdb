"""The Plugins tab, as values: installed plugins, their components by kind, and the plugins
that failed to load with their error (from ``PluginManager.describe()``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .layout import Page

KIND_ORDER = ("dataset", "backbone", "strategy", "metric", "exporter")


def render_plugins(page: Page, manager: Any) -> dict[Any, Any]:
    described = manager.describe()
    plugins = pd.DataFrame(
        [{"plugin": p["name"], "version": p["version"], "source": p["source"],
          "status": p["status"], "components": len(p["components"]),
          "error": p["error"] or ""} for p in described["plugins"]],
        columns=["plugin", "version", "source", "status", "components", "error"])
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
    lines = [f"**{loaded} plugins loaded**, {len(components)} components "
             f"(plugin contract {described['contract_version']})."]
    if failed:
        lines.append("**Problems** — these were skipped; everything else works:")
        lines += [f"- ⚠️ `{p['plugin']}` ({p['source']}): {p['error']}" for p in failed]
    else:
        lines.append("No plugin failed to load.")
    return {page.problems: "\n".join(lines), page.plugins_table: plugins,
            page.components_table: table}


def _param(param: dict[str, Any]) -> str:
    default = "" if param.get("default") is None else f"={param['default']}"
    required = " (required)" if param.get("required") else ""
    return f"{param['name']}{default}{required}"
