"""The plugin manager: discovery through entry points and a local folder, validation, isolation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tunekit
from tunekit.events import Event, RunInfo

BUILT_INS = {
    "dataset": {"csv", "jsonl", "sample-reviews"},
    "augmentation": {"random-deletion", "random-swap", "char-noise", "random-crop"},
    "backbone": {"minilm-l6", "hf"},
    "strategy": {"full", "head-only", "freeze-bottom", "lora", "gradual"},
    "metric": {"accuracy", "precision", "recall", "f1", "confusion-matrix"},
    "exporter": {"huggingface", "model-card"},
}

GOOD_PLUGIN = """
    import tunekit

    __version__ = "1.2.0"

    def error_rate(predictions, references, labels):
        wrong = sum(p != r for p, r in zip(predictions, references))
        return {"error-rate": wrong / len(references)}

    @tunekit.hookimpl
    def register_metrics(register):
        register(tunekit.Metric(name="error-rate", description="The share of wrong answers.",
                                aliases=("errors", "mistakes"), higher_is_better=False,
                                compute=error_rate))
"""


def write_plugin(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def problems_of(manager: tunekit.PluginManager, plugin: str) -> list[str]:
    return [p.error for p in manager.problems if p.plugin == plugin]


def registering(component: str, hook: str = "register_metrics") -> str:
    """The source of a plugin whose ``hook`` registers ``component`` (the Python of one
    component), the register call on line 6 of its file."""
    return f"""
        import tunekit

        @tunekit.hookimpl
        def {hook}(register):
            register({component})
    """


def lone_problem(folder: Path, name: str, source: str) -> tuple[tunekit.PluginManager, str]:
    """The plugin ``name`` written into ``folder`` and the folder loaded: the manager, and the
    one problem that plugin has."""
    write_plugin(folder, name, source)
    manager = tunekit.load_plugins(folder)
    (error,) = problems_of(manager, name)
    return manager, error


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=60, env=environment)


# ---------------------------------------------------------------- built-ins


def test_every_built_in_component_comes_through_the_entry_point_group():
    manager = tunekit.load_plugins()
    assert manager.problems == []
    for kind, names in BUILT_INS.items():
        assert names <= set(manager.names(kind)), kind
    # (installed packages, such as the example plugins, add components of their own)
    built_in = [c for c in manager.components() if c.name in BUILT_INS[c.kind]]
    assert len(built_in) == sum(len(names) for names in BUILT_INS.values())
    for component in built_in:
        info = manager.plugins[component.plugin]
        assert info.source == "built-in", component.name
        assert info.where == "built-in" and info.origin == ""
        assert info.status == "loaded"
        assert component.plugin_version == tunekit.__version__
        assert (component.kind, component.name) in info.components


def test_without_the_entry_point_group_nothing_is_installed():
    manager = tunekit.load_plugins(entry_points_group=None)
    assert all(manager.names(kind) == [] for kind in BUILT_INS)


def test_the_session_manager_adds_the_tiny_backbones(manager):
    assert {"tiny-bert", "tiny-gpt2", "minilm-l6", "hf"} <= set(manager.names("backbone"))
    assert manager.get("backbone", "tiny-bert").plugin == "tiny-backbones"
    assert manager.plugins["tiny-backbones"].source == "python"


# ---------------------------------------------------------------- local folder


def test_a_local_plugin_registers_a_metric_tagged_with_its_file(tmp_path):
    path = write_plugin(tmp_path / "plugins", "errors", GOOD_PLUGIN)
    manager = tunekit.load_plugins(tmp_path / "plugins")
    component = manager.get("metric", "error-rate")
    assert component.plugin == "errors"
    assert component.plugin_version == "1.2.0"
    assert component.higher_is_better is False
    assert manager.plugins["errors"].source == "local"
    assert manager.plugins["errors"].where == f"local {path}"
    assert component.compute([0, 1, 1, 0], [0, 1, 0, 0], ["a", "b"]) == {"error-rate": 0.25}
    assert manager.problems == []


def test_the_plugins_folder_can_come_from_the_environment(tmp_path, monkeypatch):
    write_plugin(tmp_path / "mine", "errors", GOOD_PLUGIN)
    monkeypatch.setenv("TUNEKIT_PLUGINS_DIR", str(tmp_path / "mine"))
    assert "error-rate" in tunekit.load_plugins().names("metric")


def test_a_missing_plugins_folder_is_reported(tmp_path):
    manager = tunekit.load_plugins(tmp_path / "nowhere")
    assert any("does not exist" in p.error for p in manager.problems)
    assert "accuracy" in manager.names("metric")


def test_a_plugin_that_fails_to_import_is_skipped_and_reported(tmp_path):
    folder = tmp_path / "plugins"
    write_plugin(folder, "errors", GOOD_PLUGIN)
    broken = write_plugin(folder, "broken", """
        import tunekit

        SETTINGS = {}
        THRESHOLD = SETTINGS["threshold"]
    """)
    manager = tunekit.load_plugins(folder)
    (error,) = problems_of(manager, "broken")
    assert error.startswith("KeyError: 'threshold'")
    assert f"{broken}:5" in error
    assert manager.plugins["broken"].status == "failed"
    # the others keep working
    assert "error-rate" in manager.names("metric")
    assert "accuracy" in manager.names("metric")


def test_a_plugin_with_a_syntax_error_points_at_its_line(tmp_path):
    path = write_plugin(tmp_path / "plugins", "typo", "import tunekit\n\ndef f(:\n    pass\n")
    manager = tunekit.load_plugins(tmp_path / "plugins")
    (error,) = problems_of(manager, "typo")
    assert error.startswith("SyntaxError")
    assert f"{path}:3" in error


def test_a_failing_register_hook_keeps_none_of_the_plugins_components(tmp_path):
    folder = tmp_path / "plugins"
    path = write_plugin(folder, "half", """
        import tunekit

        @tunekit.hookimpl
        def register_metrics(register):
            register(tunekit.Metric(name="half-one", description="d", compute=print))

        @tunekit.hookimpl
        def register_exporters(register):
            raise ValueError("no exporter today")

        CALLS = []

        @tunekit.hookimpl
        def on_run_start(run):
            CALLS.append(run.id)
    """)
    manager = tunekit.load_plugins(folder)
    (error,) = problems_of(manager, "half")
    assert error.startswith("ValueError: no exporter today")
    assert f"{path}:10" in error
    assert "half-one" not in manager.names("metric")
    assert manager.plugins["half"].status == "failed"
    assert manager.plugins["half"].components == []
    # its lifecycle hooks are gone too: a half-registered plugin does not observe runs
    manager.hook.on_run_start(run=RunInfo(id=1, spec={}, output_dir=tmp_path))
    assert sys.modules["tunekit_local_plugins.half"].CALLS == []


def test_a_misspelled_hook_is_an_error_that_suggests_the_right_name(tmp_path):
    manager, error = lone_problem(tmp_path / "plugins", "misspelled", registering(
        'tunekit.Metric(name="never", description="d", compute=print)', hook="register_metric"))
    assert "'register_metric'" in error
    assert "not a tunekit hook" in error
    assert 'Did you mean "register_metrics"' in error
    assert "never" not in manager.names("metric")


def test_a_hook_asking_for_an_argument_that_does_not_exist_is_reported(tmp_path):
    _, error = lone_problem(tmp_path / "plugins", "greedy", """
        import tunekit

        @tunekit.hookimpl
        def on_run_end(run, status, duration):
            pass
    """)
    assert "duration" in error


def test_registering_the_wrong_type_is_reported_with_the_expected_type(tmp_path):
    manager, error = lone_problem(tmp_path / "plugins", "confused", registering(
        'tunekit.Exporter(name="csv-out", description="d", export=print)'))
    path = tmp_path / "plugins" / "confused.py"
    assert "register_metrics registered Exporter; expected tunekit.Metric" in error
    assert f"{path}:6" in error
    assert "csv-out" not in manager.names("exporter")


def test_a_component_that_breaks_the_contract_is_reported(tmp_path):
    _, error = lone_problem(tmp_path / "plugins", "nameless", registering(
        'tunekit.Metric(name="Error Rate", description="d", compute=print)'))
    assert "PluginError" in error and "lowercase without spaces" in error


def test_a_name_clash_names_both_plugins_and_keeps_the_first(tmp_path):
    folder = tmp_path / "plugins"
    first = write_plugin(folder, "a_first", GOOD_PLUGIN)
    second = write_plugin(folder, "b_second", """
        import tunekit

        @tunekit.hookimpl
        def register_metrics(register):
            register(tunekit.Metric(name="error-rate", description="Another one.",
                                    compute=lambda p, r, labels: {"error-rate": 1.0}))
            register(tunekit.Metric(name="kappa", description="Agreement beyond chance.",
                                    compute=lambda p, r, labels: {"kappa": 0.0}))
    """)
    manager = tunekit.load_plugins(folder)
    (error,) = problems_of(manager, "b_second")
    assert "metric 'error-rate' is registered twice" in error
    assert f"'a_first' (local {first})" in error
    assert f"'b_second' (local {second})" in error
    assert "keeping the one from 'a_first'" in error
    assert manager.get("metric", "error-rate").plugin == "a_first"
    # the rest of the second plugin still works
    assert manager.get("metric", "kappa").plugin == "b_second"


def test_a_local_plugin_clashing_with_a_built_in_names_the_built_in(tmp_path):
    manager, error = lone_problem(tmp_path / "plugins", "mine", registering(
        'tunekit.Metric(name="accuracy", description="Mine.", compute=print)'))
    assert "'metrics-classification' (built-in)" in error
    assert manager.get("metric", "accuracy").plugin == "metrics-classification"


def test_two_plugins_with_the_same_name_keep_the_first(tmp_path):
    from tunekit.testing import tiny_backbones

    manager = tunekit.load_plugins(extra=[("tiny", tiny_backbones), ("tiny", object())])
    (problem,) = manager.problems
    assert "already loaded" in problem.error
    assert "tiny-bert" in manager.names("backbone")


# ---------------------------------------------------------------- lookup


def test_get_an_unknown_name_suggests_the_closest_and_lists_what_is_installed(manager):
    with pytest.raises(tunekit.UnknownComponentError) as err:
        manager.get("strategy", "lorra", where="strategy.name")
    message = err.value.message
    assert err.value.where == "strategy.name"
    assert "unknown strategy 'lorra'" in message
    assert 'Did you mean "lora"' in message
    installed = message.split("Installed: ")[1].split(", ")
    assert installed == sorted(installed)
    assert {"freeze-bottom", "full", "gradual", "head-only", "lora"} <= set(installed)
    assert "tunekit plugins" in err.value.hint


def test_get_by_alias_and_by_name_in_other_case(manager):
    assert manager.get("strategy", "adapter").name == "lora"
    assert manager.get("strategy", "Linear Probe").name == "head-only"
    assert manager.get("metric", "macro f1").name == "f1"
    assert manager.get("backbone", "MiniLM-L6").name == "minilm-l6"


def test_describe_is_json_and_lists_plugins_components_and_problems(tmp_path):
    write_plugin(tmp_path / "plugins", "broken", "raise ImportError('needs foo')\n")
    manager = tunekit.load_plugins(tmp_path / "plugins")
    described = json.loads(json.dumps(manager.describe()))
    assert described["contract_version"] == tunekit.CONTRACT_VERSION
    lora = next(c for c in described["components"] if c["name"] == "lora")
    assert lora["plugin"] == "strategies-lora"
    assert {"name": "r", "type": "int", "default": 8}.items() <= lora["params"][0].items()
    assert any(p["plugin"] == "broken" and "needs foo" in p["error"]
               for p in described["problems"])


# ---------------------------------------------------------------- the contract's version


@pytest.mark.parametrize(("requirement", "allowed"), [
    (">=1.0,<2", True), (">=1.1", True), ("==1.1", True), ("<2", True), (">1.0", True),
    (">=1.2,<2", False), ("<1.1", False), (">=2", False), ("!=1.1", False),
])
def test_contract_allows_reads_version_ranges(requirement, allowed):
    from tunekit.plugin_manager import contract_allows

    assert contract_allows(requirement, "1.1") is allowed


def test_contract_allows_refuses_what_it_cannot_read():
    from tunekit.plugin_manager import contract_allows

    with pytest.raises(ValueError, match="is not a clause like '>=1.0'"):
        contract_allows("~1.0")


def test_a_plugin_outside_its_contract_range_is_refused_and_one_inside_loads(tmp_path):
    folder = tmp_path / "plugins"
    good = textwrap.dedent(GOOD_PLUGIN)
    write_plugin(folder, "future", 'requires_contract = ">=2.0,<3"\n' + good)
    write_plugin(folder, "garbled", 'requires_contract = "version two"\n' + good)
    write_plugin(folder, "current", f'requires_contract = ">={tunekit.CONTRACT_VERSION},<2"\n'
                 + good)
    manager = tunekit.load_plugins(folder)
    (future,) = problems_of(manager, "future")
    assert future.startswith("needs plugin contract >=2.0,<3, and this tunekit has contract "
                             f"{tunekit.CONTRACT_VERSION}")
    (garbled,) = problems_of(manager, "garbled")
    assert "requires_contract = 'version two' cannot be read" in garbled
    assert manager.plugins["current"].status == "loaded"
    assert manager.get("metric", "error-rate").plugin == "current"
    assert manager.plugins["current"].describe()["requires_contract"].startswith(">=")


def test_a_register_hook_that_returns_its_components_is_reported(tmp_path):
    path = write_plugin(tmp_path / "plugins", "returner", """
        import tunekit

        @tunekit.hookimpl
        def register_metrics(register):
            return [tunekit.Metric(name="kappa", description="d", compute=print)]
    """)
    manager = tunekit.load_plugins(tmp_path / "plugins")
    (error,) = problems_of(manager, "returner")
    assert f"register_metrics returned list ({path}:4)" in error
    assert "call register(component) for each component" in error
    assert manager.plugins["returner"].status == "failed"
    assert "kappa" not in manager.names("metric")


# ---------------------------------------------------------------- disabled plugins


def test_a_disabled_plugin_is_listed_not_imported_and_named_when_needed(tmp_path):
    write_plugin(tmp_path / "plugins", "switched_off", GOOD_PLUGIN)
    manager = tunekit.load_plugins(tmp_path / "plugins", disabled={
        "switched_off": "registry", "strategies-lora": "registry"})
    assert "tunekit_local_plugins.switched_off" not in sys.modules
    info = manager.plugins["switched_off"]
    assert (info.status, info.disabled_by, info.components) == ("disabled", "registry", [])
    assert info.describe()["where"].startswith("local ")
    assert manager.plugins["strategies-lora"].source == "built-in"
    assert "lora" not in manager.names("strategy")
    with pytest.raises(tunekit.UnknownComponentError) as err:
        manager.get("metric", "mistakes", where="metrics[0]")  # an alias of error-rate
    assert err.value.message == ("metric 'mistakes' comes from plugin 'switched_off', which "
                                 "is disabled (remembered in registry.db)")
    assert err.value.hint == "`tunekit plugins enable switched_off` turns it back on"
    with pytest.raises(tunekit.UnknownComponentError, match="plugin 'strategies-lora'"):
        manager.get("strategy", "lora")
    with pytest.raises(tunekit.UnknownComponentError, match="unknown metric 'nothing'"):
        manager.get("metric", "nothing")  # no disabled plugin has it: the usual message
    assert manager.problems == []


def test_the_environment_and_the_registry_disable_by_default(tmp_path, monkeypatch):
    from tunekit.registry import Registry

    Registry.open().set_plugin_enabled("strategies-gradual", False)  # the test's registry
    monkeypatch.setenv("TUNEKIT_DISABLE_PLUGINS", "strategies-full,  exporters-model-card")
    manager = tunekit.load_plugins()
    by = {name: info.disabled_by for name, info in manager.plugins.items()
          if info.status == "disabled"}
    assert by == {"strategies-gradual": "registry", "strategies-full": "environment",
                  "exporters-model-card": "environment"}
    with pytest.raises(tunekit.UnknownComponentError) as err:
        manager.get("exporter", "model-card")
    assert err.value.hint == "remove exporters-model-card from TUNEKIT_DISABLE_PLUGINS"
    assert "gradual" not in manager.names("strategy")
    assert "lora" in manager.names("strategy")
    assert tunekit.load_plugins(disabled=()).get("strategy", "gradual").name == "gradual"


def test_an_unreadable_registry_is_reported_and_every_plugin_loads(tmp_path, monkeypatch):
    damaged = tmp_path / "damaged.db"
    damaged.write_text("this is not a database")
    monkeypatch.setenv("TUNEKIT_REGISTRY", str(damaged))
    manager = tunekit.load_plugins()
    (problem,) = manager.problems
    assert problem.source == str(damaged)
    assert "cannot read which plugins are disabled" in problem.error
    assert "lora" in manager.names("strategy")


# ---------------------------------------------------------------- lifecycle hooks


def test_lifecycle_hooks_of_a_plugin_are_called_through_the_manager(tmp_path):
    write_plugin(tmp_path / "plugins", "observer", """
        import tunekit

        SEEN = []

        @tunekit.hookimpl
        def on_run_start(run):
            SEEN.append(("start", run.id))

        @tunekit.hookimpl
        def on_run_event(run, event):
            SEEN.append((event.kind, event.data["step"]))

        @tunekit.hookimpl
        def on_run_end(run, status, error):
            SEEN.append(("end", status, error))
    """)
    manager = tunekit.load_plugins(tmp_path / "plugins")
    assert manager.problems == []
    run = RunInfo(id=3, spec={"task": "text-classification"}, output_dir=tmp_path)
    manager.hook.on_run_start(run=run)
    manager.hook.on_run_event(run=run, event=Event("step", {"step": 10}))
    manager.hook.on_run_end(run=run, status="completed", metrics={"accuracy": 1.0}, error=None)
    seen = sys.modules["tunekit_local_plugins.observer"].SEEN
    assert seen == [("start", 3), ("step", 10), ("end", "completed", None)]


# ---------------------------------------------------------------- subprocess contracts


def test_registration_imports_neither_torch_nor_transformers(tmp_path):
    write_plugin(tmp_path / "plugins", "errors", GOOD_PLUGIN)
    result = run_python("""
        import sys
        import tunekit

        manager = tunekit.load_plugins()
        assert manager.problems == [], manager.problems
        assert len(manager.components()) >= 18, manager.components()
        heavy = sorted(m for m in ("torch", "transformers", "peft", "accelerate")
                       if m in sys.modules)
        print("heavy:", heavy)
    """, TUNEKIT_PLUGINS_DIR=str(tmp_path / "plugins"))
    assert result.returncode == 0, result.stderr
    assert "heavy: []" in result.stdout


def test_trace_plugins_writes_every_hook_call_to_stderr(tmp_path):
    write_plugin(tmp_path / "plugins", "observer", """
        import tunekit

        @tunekit.hookimpl
        def on_run_start(run):
            pass
    """)
    code = """
        import sys
        from pathlib import Path
        import tunekit
        from tunekit.events import RunInfo

        manager = tunekit.load_plugins()
        manager.hook.on_run_start(run=RunInfo(id=5, spec={}, output_dir=Path(".")))
        print("done")
    """
    traced = run_python(code, TUNEKIT_TRACE_PLUGINS="1",
                        TUNEKIT_PLUGINS_DIR=str(tmp_path / "plugins"))
    assert traced.returncode == 0, traced.stderr
    assert "[tunekit plugins]" in traced.stderr
    assert "register_metrics" in traced.stderr
    assert "plugin: metrics-classification" in traced.stderr
    assert "on_run_start" in traced.stderr
    quiet = run_python(code, TUNEKIT_PLUGINS_DIR=str(tmp_path / "plugins"))
    assert quiet.returncode == 0, quiet.stderr
    assert "[tunekit plugins]" not in quiet.stderr
