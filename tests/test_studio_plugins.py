"""The studio's Plugins tab, driven by a real gradio_client: each plugin with its version,
source, components and status (a broken one with its error, a disabled one marked), and the
switch that disables and enables a plugin in registry.db, which a restricted studio hides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from studio_harness import TINY_PLUGIN
from test_studio import BROKEN_PLUGIN, StudioClient, value
from tunekit.registry import Registry
from tunekit.ui.studio.layout import Page
from tunekit.ui.studio.tabs.plugins import LOCKED, change_plugin, render_plugins


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("studio-plugins")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    (folder / "plugins" / "broken.py").write_text(BROKEN_PLUGIN)
    # disabled before the studio starts: it opens without it
    Registry.open(folder / "registry.db").set_plugin_enabled("strategies-gradual", False)
    return folder


@pytest.fixture
def studio(app: Any, tmp_path: Path) -> StudioClient:
    return StudioClient(app, app.local_url, tmp_path / "downloads")


def plugin_rows(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    table = value(page["plugins_table"])
    return {row[0]: dict(zip(table["headers"], row, strict=True)) for row in table["data"]}


def test_the_tab_shows_source_version_components_failures_and_what_is_disabled(studio):
    page = studio.call("plugins")
    plugins = plugin_rows(page)
    lora = plugins["strategies-lora"]
    assert (lora["source"], lora["status"], lora["components"]) == (
        "built-in", "loaded", "strategy lora")
    assert lora["version"] and lora["setting"] == "enabled"
    assert plugins["tiny"]["source"].startswith("local ")
    assert plugins["tiny"]["components"] == (
        "backbone tiny-bert, backbone tiny-gpt2, backbone tiny-llama, backbone tiny-vit, "
        "backbone tiny-resnet, backbone tiny-convnext")
    assert plugins["broken"]["status"] == "failed"
    assert "broken on purpose" in plugins["broken"]["error"]
    gradual = plugins["strategies-gradual"]
    assert (gradual["status"], gradual["components"], gradual["setting"]) == (
        "disabled", "", "disabled in registry.db")
    assert "Disabled, not loaded: `strategies-gradual`" in page["problems"]
    assert "broken on purpose" in page["problems"]
    assert "plugin contract 1.3" in page["problems"]
    components = {(row[0], row[1]) for row in value(page["components_table"])["data"]}
    assert ("strategy", "lora") in components and ("strategy", "gradual") not in components
    choices = {tuple(choice) for choice in page["plugin_pick"]["choices"]}
    assert {("strategies-lora", "strategies-lora"), ("broken", "broken")} <= choices


def test_disabling_and_enabling_are_remembered_and_say_when_they_take_effect(studio, project):
    registry = Registry.open(project / "registry.db")
    off = studio.call("disable_plugin", "strategies-full")
    assert off["notice"]["value"].startswith("Disabled plugin 'strategies-full'")
    assert "Runs started from now on" in off["notice"]["value"]
    assert registry.plugin_settings()["strategies-full"] is False
    assert plugin_rows(off)["strategies-full"]["setting"] == \
        "disabled in registry.db: unloaded when the studio restarts"

    on = studio.call("enable_plugin", "strategies-gradual")
    assert registry.plugin_settings()["strategies-gradual"] is True
    assert plugin_rows(on)["strategies-gradual"]["setting"] == \
        "enabled: loaded when the studio restarts"

    wrong = studio.call("disable_plugin", "strategies-ful")
    assert wrong["notice"]["value"].startswith("⚠️ there is no plugin named 'strategies-ful'")
    assert 'Did you mean "strategies-full"' in wrong["notice"]["value"]
    studio.call("enable_plugin", "strategies-full")
    assert registry.plugin_settings()["strategies-full"] is True


def test_a_restricted_studio_hides_the_switch_and_refuses_changes(app, project):
    page = Page()  # the views are keyed by the page's components; plain objects will do
    for name in ("problems", "plugins_table", "components_table", "plugin_pick",
                 "plugin_disable", "plugin_enable", "plugin_note"):
        setattr(page, name, object())
    registry = Registry.open(project / "registry.db")
    shown = render_plugins(page, app.studio.manager, registry, can_change=False)
    assert shown[page.plugin_pick]["visible"] is False
    assert shown[page.plugin_disable]["visible"] is False
    assert shown[page.plugin_note] == LOCKED
    before = registry.plugin_settings()
    said = change_plugin(app.studio.manager, registry, "strategies-lora", False,
                         can_change=False)
    assert said == f"⚠️ {LOCKED}"
    assert registry.plugin_settings() == before
