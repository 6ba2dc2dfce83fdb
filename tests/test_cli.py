"""The real ``tunekit`` command in subprocesses: help, plugins, a run, the history, bad input.

A subprocess cannot see the test's plugin manager, so the tiny backbones reach it the way a
user's own plugin would: a file in a plugins folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from studio_harness import TINY_PLUGIN
from tunekit.registry import Registry
from tunekit.testing import write_text_csv

BROKEN_PLUGIN = "import tunekit\n\nraise RuntimeError('this plugin is broken on purpose')\n"

SPEC = """\
task: text-classification
dataset: {name: csv, path: data.csv, test_split: 0.2}
backbone: tiny-bert
strategy: head-only
training: {epochs: 3, batch_size: 8, learning_rate: 0.001, early_stopping: null}
metrics: [accuracy, f1]
exporters: [huggingface, model-card]
"""

BUILT_IN = {
    "dataset": {"csv", "jsonl", "sample-reviews"},
    "augmentation": {"random-deletion", "random-swap", "char-noise", "random-crop"},
    "backbone": {"minilm-l6", "hf"},
    "strategy": {"full", "head-only", "freeze-bottom", "lora", "gradual"},
    "metric": {"accuracy", "precision", "recall", "f1", "confusion-matrix"},
    "exporter": {"huggingface", "model-card"},
}


def tunekit_cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
                timeout: float = 300, input: str | None = None
                ) -> subprocess.CompletedProcess[str]:
    # one thread: the test machine is shared, and idle OpenMP threads spin on a busy CPU
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    environment.pop("TUNEKIT_PLUGINS_DIR", None)
    environment.pop("TUNEKIT_DISABLE_PLUGINS", None)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "tunekit.ui.cli", *args], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=timeout,
                          input=input)


def make_project(folder: Path, *, broken: bool = False) -> Path:
    """A spec, its data and a plugins folder with the tiny backbones (and a broken plugin)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_text_csv(folder / "data.csv", n=40)
    (folder / "spec.yaml").write_text(SPEC)
    plugins = folder / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "tiny.py").write_text(TINY_PLUGIN)
    if broken:
        (plugins / "broken.py").write_text(BROKEN_PLUGIN)
    return folder


def statuses(registry_path: Path) -> list[str]:
    if not registry_path.exists():
        return []
    return [r.status for r in Registry.open(registry_path).runs()]


# ---------------------------------------------------------------- help and plugins


def test_help_is_fast_and_imports_no_heavy_library(tmp_path):
    script = Path(sys.executable).parent / "tunekit"
    started = time.monotonic()
    shown = subprocess.run([str(script), "--help"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=60)
    took = time.monotonic() - started

    assert shown.returncode == 0
    assert "usage: tunekit" in shown.stdout
    for command in ("run", "plugins", "runs"):
        assert command in shown.stdout
    assert took < 10
    traced = subprocess.run([sys.executable, "-X", "importtime", "-m", "tunekit.ui.cli", "--help"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    imported = {line.rsplit("|", 1)[-1].strip() for line in traced.stderr.splitlines()}
    assert not {"torch", "transformers", "peft", "accelerate", "sqlmodel"} & imported


@pytest.mark.parametrize("command", [["tunekit"], [sys.executable, "-m", "tunekit"]],
                         ids=["script", "python -m"])
def test_version_prints_the_installed_version_and_exits_0(tmp_path, command):
    from importlib.metadata import version

    if command == ["tunekit"]:
        command = [str(Path(sys.executable).parent / "tunekit")]
    shown = subprocess.run([*command, "--version"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"tunekit {version('tunekit')}"


def test_python_m_tunekit_runs_the_same_command_line(tmp_path):
    shown = subprocess.run([sys.executable, "-m", "tunekit", "--help"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "usage: tunekit" in shown.stdout and "plugins" in shown.stdout


@pytest.mark.parametrize(("line", "offered"), [
    ("tunekit ru", {"run", "runs"}),
    ("tunekit run --re", {"--registry", "--resume"}),
    ("tunekit runs ", {"list", "show", "diagnose"}),
])
def test_the_shell_completes_commands_and_options(tmp_path, line, offered):
    """What bash asks through argcomplete (docs/guide/install.md, shell completion): the
    installed script answers with the words that fit, in the file the shell reads, and nothing
    else runs."""
    answer = tmp_path / "completions"
    answer.write_text("")
    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)),
           "_ARGCOMPLETE_STDOUT_FILENAME": str(answer), "_ARGCOMPLETE_IFS": "\n"}
    done = subprocess.run([str(Path(sys.executable).parent / "tunekit")], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert offered <= set(answer.read_text().split("\n"))
    assert not (tmp_path / "registry.db").exists()


# What the command imported, read from sys.modules as it exits (-X importtime misses modules
# loaded through importlib, which is how entry points load plugins).
IMPORTS_OF = """
import json, sys
from tunekit.ui.cli import main
try:
    code = main(sys.argv[1:])
finally:
    print("IMPORTED " + json.dumps(sorted(sys.modules)), file=sys.stderr)
sys.exit(code)
"""
HEAVY = ("torch", "transformers", "peft", "accelerate", "gradio")
EXAMPLE_MODULES = ("tunekit_bitfit", "tunekit_mcc.metric", "tunekit_mcc.predictions_csv")


@pytest.mark.parametrize("args", [["--help"], ["plugins"], ["plugins", "--json"],
                                  ["plugins", "check", "--quick"]], ids=" ".join)
def test_help_and_plugins_import_no_heavy_library_with_every_plugin_installed(tmp_path, args):
    from importlib.metadata import entry_points

    installed = {ep.dist.metadata["Name"] for ep in entry_points(group="tunekit")}
    assert {"tunekit", "tunekit-bitfit", "tunekit-mcc"} <= installed, \
        "install the example plugins first: `make test` does (see the Makefile)"
    done = subprocess.run([sys.executable, "-c", IMPORTS_OF, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("IMPORTED "))
    modules = set(json.loads(line.removeprefix("IMPORTED ")))
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == []
    loaded = set(EXAMPLE_MODULES) <= modules  # the plugins were really loaded, every one
    assert loaded is (args != ["--help"])
    if args != ["--help"]:
        assert {m for m in modules if m.startswith("tunekit.plugins.")} >= {
            "tunekit.plugins.strategies.lora", "tunekit.plugins.metrics.classification"}


def test_a_chat_turn_imports_neither_torch_nor_the_registrys_orm(tmp_path):
    """One `tunekit chat --json` turn beside an existing registry: the runs are opened only
    when a turn asks about them (issue: a turn must answer well under a second)."""
    import sqlite3

    sqlite3.connect(tmp_path / "registry.db").close()  # someone who has run before
    done = subprocess.run([sys.executable, "-c", IMPORTS_OF, "chat", "--json"], cwd=tmp_path,
                          input="train lora for 3 epochs\n", capture_output=True, text=True,
                          timeout=120, env={**os.environ, "TUNEKIT_REGISTRY":
                                            str(tmp_path / "registry.db")})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["training"]["epochs"] == 3
    line = next(x for x in done.stderr.splitlines() if x.startswith("IMPORTED "))
    modules = {m.split(".")[0] for m in json.loads(line.removeprefix("IMPORTED "))}
    assert not modules & {*HEAVY, "sqlalchemy", "sqlmodel"}


def test_plugins_lists_the_built_ins_in_text_and_json(tmp_path):
    text = tunekit_cli("plugins", cwd=tmp_path)
    as_json = tunekit_cli("plugins", "--json", cwd=tmp_path)

    assert text.returncode == 0, text.stderr
    for names in BUILT_IN.values():
        for name in names:
            assert re.search(rf"\b{re.escape(name)}\b", text.stdout), name
    assert "FAILED" not in text.stdout
    assert as_json.returncode == 0, as_json.stderr
    described = json.loads(as_json.stdout)
    for kind, names in BUILT_IN.items():
        found = {c["name"] for c in described["components"] if c["kind"] == kind}
        assert names <= found, kind
    built_ins = [p for p in described["plugins"] if p["source"] == "built-in"]
    assert len(built_ins) >= 12
    assert all(p["status"] == "loaded" for p in built_ins)
    assert described["problems"] == []


@pytest.mark.parametrize("via", ["option", "environment"])
def test_a_broken_plugin_is_reported_and_the_rest_still_load(tmp_path, via):
    project = make_project(tmp_path / "project", broken=True)
    folder = str(project / "plugins")
    args, env = (["--plugins-dir", folder], None) if via == "option" else \
        ([], {"TUNEKIT_PLUGINS_DIR": folder})

    text = tunekit_cli(*args, "plugins", cwd=tmp_path, env=env)
    as_json = tunekit_cli(*args, "plugins", "--json", cwd=tmp_path, env=env)

    assert text.returncode == 0, text.stderr
    assert re.search(r"broken .*FAILED", text.stdout)
    assert "this plugin is broken on purpose" in text.stdout
    assert "tiny-bert" in text.stdout and "lora" in text.stdout
    described = json.loads(as_json.stdout)
    [broken] = [p for p in described["plugins"] if p["name"] == "broken"]
    assert broken["status"] == "failed"
    assert "RuntimeError" in broken["error"] and "broken.py" in broken["error"]
    assert {c["name"] for c in described["components"]} >= {"tiny-bert", "tiny-gpt2", "csv"}


# ---------------------------------------------------------------- a run and the history


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """One `tunekit run` through the CLI, with a broken plugin in the plugins folder."""
    project = make_project(tmp_path_factory.mktemp("cli-run"), broken=True)
    registry = project / "registry.db"
    done = tunekit_cli("--plugins-dir", str(project / "plugins"), "--registry", str(registry),
                       "run", "spec.yaml", "--set", "training.epochs=1", cwd=project)
    return project, registry, done


def test_run_trains_from_a_spec_and_prints_the_run_id(finished_run):
    project, registry, done = finished_run

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert re.search(r"warning: plugin broken .*broken on purpose", done.stderr)
    match = re.search(r"^run (\d+) completed", done.stdout, re.MULTILINE)
    assert match, done.stdout
    assert statuses(registry) == ["completed"]
    assert "accuracy" in done.stdout


def test_runs_list_and_show_give_the_run_as_json(finished_run):
    project, registry, done = finished_run
    run_id = int(re.search(r"^run (\d+) completed", done.stdout, re.MULTILINE).group(1))

    listed = tunekit_cli("--registry", str(registry), "runs", "list", "--json", cwd=project)
    shown = tunekit_cli("--registry", str(registry), "runs", "show", str(run_id), "--json",
                        cwd=project)
    text = tunekit_cli("--registry", str(registry), "runs", "show", str(run_id), cwd=project)

    assert listed.returncode == 0, listed.stderr
    [summary] = json.loads(listed.stdout)
    assert summary["id"] == run_id and summary["status"] == "completed"
    assert 0.0 <= summary["metrics"]["accuracy"] <= 1.0
    assert shown.returncode == 0, shown.stderr
    run = json.loads(shown.stdout)
    assert run["id"] == run_id and run["status"] == "completed"
    assert run["spec"]["training"]["epochs"] == 1  # the --set override was applied
    assert run["spec"]["backbone"]["name"] == "tiny-bert"
    assert "accuracy" in run["metrics"] and "accuracy" in run["test_metrics"]
    assert [a["exporter"] for a in run["artifacts"]] == ["huggingface", "model-card"]
    for artifact in run["artifacts"]:
        assert Path(artifact["path"]).exists()
        assert artifact["bytes"] > 0 and len(artifact["sha256"]) == 64
    assert run["device"] == "cpu"
    assert text.returncode == 0 and f"run {run_id}: completed" in text.stdout


NOISY_PLUGIN = """\
import tunekit


@tunekit.hookimpl
def on_run_event(run, event):
    print("noise from a plugin on stdout", event.kind)
"""


def test_run_json_prints_one_json_object_and_nothing_else_on_stdout(tmp_path):
    project = make_project(tmp_path)
    (project / "plugins" / "noisy.py").write_text(NOISY_PLUGIN)
    registry = project / "registry.db"
    done = tunekit_cli("--plugins-dir", str(project / "plugins"), "--registry", str(registry),
                       "run", "spec.yaml", "--set", "training.epochs=1", "--json", cwd=project)

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # the whole of stdout is one JSON object
    assert "noise from a plugin" in done.stderr and "noise" not in done.stdout
    [record] = Registry.open(registry).runs()
    assert result["id"] == record.id and result["status"] == "completed"
    assert 0.0 <= result["metrics"]["accuracy"] <= 1.0
    assert [a["exporter"] for a in result["artifacts"]] == ["huggingface", "model-card"]
    for artifact in result["artifacts"]:
        assert Path(artifact["path"]).exists() and artifact["bytes"] > 0


def test_run_json_with_bad_input_leaves_stdout_empty_and_exits_2(tmp_path):
    project = make_project(tmp_path)
    done = tunekit_cli("--plugins-dir", str(project / "plugins"), "--registry",
                       str(project / "registry.db"), "run", "spec.yaml", "--json",
                       "--set", "training.epochs=-1", cwd=project)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr and "epochs" in done.stderr


def test_run_json_dry_run_prints_the_resolved_spec_as_json(tmp_path):
    project = make_project(tmp_path)
    done = tunekit_cli("--plugins-dir", str(project / "plugins"), "run", "spec.yaml",
                       "--dry-run", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["backbone"]["name"] == "tiny-bert"


# ---------------------------------------------------------------- bad input


def _set_data(tmp: Path, content: str) -> list[str]:
    (tmp / "bad.csv").write_text(content)
    return ["--set", "dataset.path=bad.csv"]


BAD_INPUT = {
    "missing spec file": (lambda tmp: ["run", "nowhere.yaml"], ["nowhere.yaml", "not found"]),
    "missing data file": (lambda tmp: ["run", "spec.yaml", "--set", "dataset.path=gone.csv"],
                          ["gone.csv", "not found"]),
    "wrong column names": (
        lambda tmp: ["run", "spec.yaml", *_set_data(tmp, "review,stars\ngood,5\nbad,1\n"),
                     "--set", "dataset.text_column=message",
                     "--set", "dataset.label_column=category"],
        ["category", "Columns found: review, stars"]),
    "empty data file": (lambda tmp: ["run", "spec.yaml", *_set_data(tmp, "")],
                        ["bad.csv", "empty"]),
    "single class": (
        lambda tmp: ["run", "spec.yaml", *_set_data(
            tmp, "text,label\n" + "".join(f"text {i},spam\n" for i in range(12)))],
        ["only one class", "spam"]),
    "learning rate not a number": (
        lambda tmp: ["run", "spec.yaml", "--set", "training.learning_rate=abc"],
        ["training.learning_rate", "abc"]),
    "unknown backbone": (lambda tmp: ["run", "spec.yaml", "--set", "backbone=minlm"],
                         ["minlm", '"minilm-l6"']),
    "unknown strategy": (lambda tmp: ["run", "spec.yaml", "--set", "strategy=lorra"],
                         ["lorra", 'Did you mean "lora"']),
    "invalid YAML": (lambda tmp: ["run", "broken.yaml"], ["broken.yaml:3:", "invalid YAML"]),
    "no such run": (lambda tmp: ["runs", "show", "999"], ["no run 999"]),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_exits_2_with_one_clear_message(tmp_path, case):
    project = make_project(tmp_path / "project")
    (project / "broken.yaml").write_text("dataset: {name: csv,\n  path: [data.csv\nbackbone: x\n")
    registry = project / "registry.db"
    make_args, expected = BAD_INPUT[case]

    done = tunekit_cli("--plugins-dir", str(project / "plugins"), "--registry", str(registry),
                       *make_args(project), cwd=project, timeout=120)

    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for text in expected:
        assert text in done.stderr, (text, done.stderr)
    assert all(s in ("failed",) for s in statuses(registry)), statuses(registry)
