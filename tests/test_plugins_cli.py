"""`tunekit plugins`, `plugins check`, `plugins disable/enable` in real subprocesses: a plugin
broken in each way is reported clearly by both commands, and nothing else breaks; a disabled
plugin is listed, never imported, and a spec that needs it says how to turn it back on."""

from __future__ import annotations

import json
import re
import sqlite3
import textwrap
from pathlib import Path

import pytest
from test_cli import make_project, tunekit_cli
from tunekit.registry import Registry

# each way a plugin breaks: its file, and what the listing must say about it
BROKEN = {
    "import-error": ("""
        import tunekit
        import tunekit_no_such_library  # a dependency that is not installed
    """, "ModuleNotFoundError: No module named 'tunekit_no_such_library'", True),
    "exception-in-hook": ("""
        import tunekit

        @tunekit.hookimpl
        def register_metrics(register):
            raise ValueError("the metric table is missing")
    """, "ValueError: the metric table is missing", True),
    "returns-components": ("""
        import tunekit

        @tunekit.hookimpl
        def register_metrics(register):
            return [tunekit.Metric(name="kappa", description="Agreement.", compute=print)]
    """, "register_metrics returned list", True),
    "wrong-type-registered": ("""
        import tunekit

        @tunekit.hookimpl
        def register_metrics(register):
            register(tunekit.Exporter(name="csv-out", description="d", export=print))
    """, "register_metrics registered Exporter; expected tunekit.Metric", True),
    "misspelled-hook": ("""
        import tunekit

        @tunekit.hookimpl
        def register_metric(register):
            pass
    """, "implements 'register_metric', which is not a tunekit hook. Did you mean "
         "\"register_metrics\"", True),
    "duplicate-component": ("""
        import tunekit

        @tunekit.hookimpl
        def register_metrics(register):
            register(tunekit.Metric(name="accuracy", description="Mine.", compute=print))
    """, "metric 'accuracy' is registered twice: by plugin 'metrics-classification' (built-in)",
        False),
    "duplicate-plugin-name": ("""
        import tunekit

        @tunekit.hookimpl
        def register_metrics(register):
            register(tunekit.Metric(name="other", description="Other.", compute=print))
    """, "a plugin named 'strategies-lora' is already loaded from built-in", False),
    "incompatible-contract": ("""
        import tunekit

        requires_contract = ">=2.0,<3"

        @tunekit.hookimpl
        def register_metrics(register):
            register(tunekit.Metric(name="future", description="d", compute=print))
    """, "needs plugin contract >=2.0,<3, and this tunekit has contract 1.3", True),
}


def project_with(tmp_path: Path, case: str) -> Path:
    project = make_project(tmp_path / "project")
    source, _, _ = BROKEN[case]
    name = "strategies-lora" if case == "duplicate-plugin-name" else case.replace("-", "_")
    (project / "plugins" / f"{name}.py").write_text(textwrap.dedent(source))
    return project


@pytest.mark.parametrize("case", list(BROKEN))
def test_each_broken_plugin_is_reported_by_list_and_check_and_nothing_else_breaks(tmp_path,
                                                                                  case):
    project = project_with(tmp_path, case)
    _, said, fails_whole_plugin = BROKEN[case]
    plugins = ["--plugins-dir", str(project / "plugins")]

    listed = tunekit_cli(*plugins, "plugins", cwd=project)
    assert listed.returncode == 0, listed.stderr
    assert said in listed.stdout, listed.stdout
    name = "strategies-lora" if case == "duplicate-plugin-name" else case.replace("-", "_")
    if fails_whole_plugin:
        assert re.search(rf"^{name} .*FAILED", listed.stdout, re.MULTILINE), listed.stdout
    else:
        assert "problems:" in listed.stdout
    # everything else is listed and loaded
    for component in ("lora", "tiny-bert", "accuracy", "model-card"):
        assert re.search(rf"\b{re.escape(component)}\b", listed.stdout), component

    described = json.loads(tunekit_cli(*plugins, "plugins", "--json", cwd=project).stdout)
    assert any(said in p["error"] for p in described["problems"]), described["problems"]

    checked = tunekit_cli(*plugins, "plugins", "check", "--quick", cwd=project)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert re.search(rf"PROBLEM: {re.escape(name)} \(local .*{re.escape(said)}",
                     checked.stdout), checked.stdout
    assert "Traceback" not in checked.stdout + checked.stderr

    # a run that does not need the broken plugin still works
    dry = tunekit_cli(*plugins, "run", "spec.yaml", "--dry-run", cwd=project)
    assert dry.returncode == 0, dry.stderr
    assert "strategy:" in dry.stdout


def test_check_calls_each_component_and_names_a_metric_that_returns_the_wrong_type(tmp_path):
    project = make_project(tmp_path / "project")
    (project / "plugins" / "kappa.py").write_text(textwrap.dedent("""
        import tunekit

        def kappa(predictions, references, labels):
            return 0.5  # should be {"kappa": 0.5}

        @tunekit.hookimpl
        def register_metrics(register):
            register(tunekit.Metric(name="kappa", description="Agreement beyond chance.",
                                    compute=kappa))
    """))
    plugins = ["--plugins-dir", str(project / "plugins")]
    listed = tunekit_cli(*plugins, "plugins", cwd=project)
    assert "kappa" in listed.stdout and "FAILED" not in listed.stdout  # it loads fine...
    checked = tunekit_cli(*plugins, "plugins", "check", "kappa", "--json", cwd=project)
    assert checked.returncode == 1  # ...but calling it shows the wrong return type
    report = json.loads(checked.stdout)
    assert report["plugins_checked"] == ["kappa"] and report["called"] is True
    [problem] = report["problems"]
    assert problem["plugin"] == "kappa" and "float" in problem["error"]
    assert "metric 'kappa'" in problem["error"]


def test_check_passes_on_what_is_installed_and_fails_on_an_unknown_name(tmp_path):
    project = make_project(tmp_path / "project")
    plugins = ["--plugins-dir", str(project / "plugins")]
    clean = tunekit_cli(*plugins, "plugins", "check", "--quick", cwd=project)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "no problems" in clean.stdout
    assert re.search(r"checked \d+ plugins and \d+ components against plugin contract 1\.3",
                     clean.stdout)
    listed = json.loads(tunekit_cli(*plugins, "plugins", "list", "--json", cwd=project).stdout)
    assert {p["name"] for p in listed["plugins"]} >= {"tiny", "strategies-lora"}
    unknown = tunekit_cli(*plugins, "plugins", "check", "strategies-lorra", cwd=project)
    assert unknown.returncode == 2
    assert 'Did you mean "strategies-lora"' in unknown.stderr


# ---------------------------------------------------------------- disable and enable

SPY = """
from pathlib import Path

Path(__file__).with_suffix(".imported").write_text("imported")
"""


def test_a_disabled_plugin_is_listed_but_never_imported(tmp_path):
    project = make_project(tmp_path / "project")
    (project / "plugins" / "spy.py").write_text(SPY)
    plugins = ["--plugins-dir", str(project / "plugins")]
    off = tunekit_cli(*plugins, "plugins", "disable", "spy", cwd=project)
    assert off.returncode == 0, off.stderr
    assert "disabled plugin 'spy'" in off.stdout
    listed = tunekit_cli(*plugins, "plugins", cwd=project)
    assert re.search(r"^spy .*DISABLED in registry\.db", listed.stdout, re.MULTILINE)
    assert "tunekit plugins enable spy" in listed.stdout
    assert not (project / "plugins" / "spy.imported").exists()
    on = tunekit_cli(*plugins, "plugins", "enable", "spy", cwd=project)
    assert on.returncode == 0 and "enabled plugin 'spy'" in on.stdout
    tunekit_cli(*plugins, "plugins", cwd=project)
    assert (project / "plugins" / "spy.imported").exists()


def test_disabling_a_built_in_the_default_needs_is_allowed_and_explained_later(tmp_path):
    off = tunekit_cli("plugins", "disable", "strategies-lora", cwd=tmp_path)
    assert off.returncode == 0, off.stderr
    settings = Registry.open(tmp_path / "registry.db").plugin_settings()
    assert settings == {"strategies-lora": False}
    again = tunekit_cli("plugins", "disable", "strategies-lora", cwd=tmp_path)
    assert "already disabled" in again.stdout

    refused = tunekit_cli("run", "--dry-run", cwd=tmp_path)  # the default spec uses LoRA
    assert refused.returncode == 2
    errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: strategy.name: strategy 'lora' comes from plugin "
                      "'strategies-lora', which is disabled (remembered in registry.db)"]
    assert "hint: `tunekit plugins enable strategies-lora` turns it back on" in refused.stderr

    assert tunekit_cli("plugins", "enable", "strategies-lora", cwd=tmp_path).returncode == 0
    assert Registry.open(tmp_path / "registry.db").plugin_settings() == {
        "strategies-lora": True}
    assert tunekit_cli("run", "--dry-run", cwd=tmp_path).returncode == 0


def test_the_environment_disables_for_one_process(tmp_path):
    env = {"TUNEKIT_DISABLE_PLUGINS": "strategies-lora, metrics-clasification"}
    listed = tunekit_cli("plugins", cwd=tmp_path, env=env)
    assert listed.returncode == 0
    assert re.search(r"^strategies-lora .*DISABLED by TUNEKIT_DISABLE_PLUGINS", listed.stdout,
                     re.MULTILINE)
    # a misspelled name is a problem with a suggestion, not silence
    assert "TUNEKIT_DISABLE_PLUGINS names 'metrics-clasification', but no plugin has that " \
           "name. Did you mean \"metrics-classification\"" in listed.stdout
    refused = tunekit_cli("run", "--dry-run", cwd=tmp_path, env=env)
    assert "which is disabled (by TUNEKIT_DISABLE_PLUGINS)" in refused.stderr
    assert "remove strategies-lora from TUNEKIT_DISABLE_PLUGINS" in refused.stderr
    # another process without it loads everything; nothing was remembered
    assert "DISABLED" not in tunekit_cli("plugins", cwd=tmp_path).stdout
    assert not (tmp_path / "registry.db").exists()


def test_an_unknown_name_is_refused_with_the_closest(tmp_path):
    refused = tunekit_cli("plugins", "disable", "lora", cwd=tmp_path)
    assert refused.returncode == 2
    assert "there is no plugin named 'lora'. Did you mean \"strategies-lora\"" in refused.stderr
    assert not (tmp_path / "registry.db").exists()  # nothing was written


def test_a_registry_from_before_plugin_settings_disables_nothing_and_is_upgraded(tmp_path):
    path = tmp_path / "registry.db"
    Registry.open(path)
    with sqlite3.connect(path) as connection:  # as an older tunekit left it
        connection.execute("DROP TABLE plugin_settings")
    listed = tunekit_cli("plugins", cwd=tmp_path)
    assert listed.returncode == 0 and "DISABLED" not in listed.stdout
    assert tunekit_cli("plugins", "disable", "strategies-full", cwd=tmp_path).returncode == 0
    assert "DISABLED" in tunekit_cli("plugins", cwd=tmp_path).stdout


def test_the_assistant_explains_a_default_that_needs_a_disabled_plugin(tmp_path):
    env = {"TUNEKIT_DISABLE_PLUGINS": "strategies-lora"}  # the default spec trains with LoRA
    done = tunekit_cli("chat", "--json", cwd=tmp_path, env=env,
                       input="start training\nyes\nuse full fine-tuning\n")
    assert done.returncode == 0, done.stderr
    assert "this run cannot start as it is**: strategy.name: strategy 'lora' comes from " \
           "plugin 'strategies-lora', which is disabled" in done.stderr
    assert "remove strategies-lora from TUNEKIT_DISABLE_PLUGINS" in done.stderr
    assert json.loads(done.stdout)["strategy"] == {"name": "full"}
    assert not (tmp_path / "registry.db").exists()  # nothing ran


def test_check_shows_deprecation_warnings_raised_while_plugins_load(tmp_path):
    project = make_project(tmp_path / "project")
    (project / "plugins" / "aging.py").write_text(textwrap.dedent("""
        import warnings

        import tunekit

        warnings.warn("plugin 'aging': old_option is deprecated since contract 1.1; use "
                      "new_option", DeprecationWarning, stacklevel=1)

        @tunekit.hookimpl
        def register_metrics(register):
            register(tunekit.Metric(name="aging", description="d",
                                    compute=lambda p, r, labels: {"aging": 0.0}))
    """))
    checked = tunekit_cli("--plugins-dir", str(project / "plugins"), "plugins", "check",
                          "--quick", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr  # a warning, not a failure
    assert re.search(r"deprecated: .*aging\.py:\d+: plugin 'aging': old_option is deprecated",
                     checked.stdout), checked.stdout
