"""The two example plugins (examples/tunekit-bitfit, examples/tunekit-mcc), installed with pip
as their own distributions, used end to end the way a person would: listed by `tunekit plugins`,
trained with through `tunekit run`, understood by `tunekit chat`, and switched off and on.

`make test` installs them before the tests run; without them these tests fail, saying so.
"""

from __future__ import annotations

import csv
import json
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from test_cli import make_project, tunekit_cli

EXAMPLES = {"tunekit-bitfit": {("strategy", "bitfit")},
            "tunekit-mcc": {("metric", "mcc"), ("exporter", "predictions-csv")}}

BITFIT_SPEC = """\
task: text-classification
dataset: {name: csv, path: data.csv, test_split: 0.2}
backbone: tiny-bert
strategy: {name: bitfit, layerwise_lr_decay: 0.8}
training: {epochs: 2, batch_size: 8, learning_rate: 0.01, early_stopping: null}
metrics: [accuracy, mcc]
exporters: [huggingface, predictions-csv]
"""


@pytest.fixture(scope="module", autouse=True)
def examples_installed() -> None:
    missing = []
    for name in EXAMPLES:
        try:
            distribution(name)
        except PackageNotFoundError:
            missing.append(name)
    if missing:
        pytest.fail(f"the example plugins {', '.join(missing)} are not installed: run "
                    "`make test` (it installs them), or `pip install -e examples/tunekit-bitfit "
                    "-e examples/tunekit-mcc`", pytrace=False)


def test_plugins_lists_the_examples_as_packages(tmp_path):
    listed = tunekit_cli("plugins", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    described = json.loads(listed.stdout)
    for dist, components in EXAMPLES.items():
        plugins = [p for p in described["plugins"] if p["origin"] == dist]
        assert plugins, dist
        assert all(p["source"] == "package" and p["status"] == "loaded" for p in plugins)
        assert {(c["kind"], c["name"]) for p in plugins for c in p["components"]} == components
        assert all(p["requires_contract"] for p in plugins)  # both declare their range
    assert described["problems"] == []
    text = tunekit_cli("plugins", cwd=tmp_path).stdout
    assert "bitfit 0.1.0  [package tunekit-bitfit]" in text
    assert "predictions-csv 0.1.0  [package tunekit-mcc]" in text


def test_a_cli_run_with_bitfit_mcc_and_the_predictions_csv(tmp_path):
    import torch
    from safetensors.torch import load_file
    from tunekit import TEXT_CLASSIFICATION, ModelRequest
    from tunekit.testing import make_manager, tiny_backbones

    project = make_project(tmp_path / "project")
    (project / "spec.yaml").write_text(BITFIT_SPEC)
    done = tunekit_cli("--plugins-dir", str(project / "plugins"), "run", "spec.yaml",
                       "--quiet", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "mcc" in done.stdout
    shown = tunekit_cli("runs", "show", "1", "--json", cwd=project)
    run = json.loads(shown.stdout)
    assert run["status"] == "completed"
    assert -1 <= run["metrics"]["mcc"] <= 1
    assert "bitfit" in run["summary"]["strategy"] and "decay 0.8" in run["summary"]["strategy"]

    # only the biases and the head changed: the saved weights against the seeded start
    saved = {Path(a["path"]).name: Path(a["path"]) for a in run["artifacts"]}
    assert {"huggingface", "validation.csv", "test.csv"} <= set(saved)
    trained = load_file(str(saved["huggingface"] / "model.safetensors"))
    labels = list(json.loads((saved["huggingface"] / "config.json").read_text())
                  ["id2label"].values())
    backbone = make_manager(("tiny", tiny_backbones), installed=False).get("backbone",
                                                                             "tiny-bert")
    start = backbone.build({"layers": 2, "init_seed": 0, "pretrained": True},
                           ModelRequest(task=TEXT_CLASSIFICATION, labels=labels)).model
    before = start.state_dict()
    changed = {name for name, value in trained.items() if not torch.equal(value, before[name])}
    head = {name for name in before if not name.startswith("bert.")
            or name.startswith("bert.pooler.")}
    assert changed and changed <= {n for n in before if n.endswith(".bias")} | head, changed
    assert any(n.endswith(".bias") and n not in head for n in changed)
    assert not any(".layer." in n and n.endswith(".weight") for n in changed)

    # one row per validation example, with its text, true label and predicted label
    with saved["validation.csv"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == run["summary"]["data"]["sizes"]["validation"]
    texts = {line.split(",")[0] for line in (project / "data.csv").read_text().splitlines()}
    assert all(r["text"] in texts for r in rows)
    assert {r["label"] for r in rows} | {r["predicted"] for r in rows} <= set(labels)
    right = sum(r["label"] == r["predicted"] for r in rows) / len(rows)
    assert right == pytest.approx(run["metrics"]["accuracy"])


def chat(*turns: str, cwd: Path) -> dict:
    done = tunekit_cli("chat", "--json", cwd=cwd, input="\n".join(turns) + "\n")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_assistant_understands_the_examples_words(tmp_path):
    spec = chat("train only the biases with layerwise lr decay 0.8 and report mcc", cwd=tmp_path)
    assert spec["strategy"] == {"name": "bitfit", "layerwise_lr_decay": 0.8}
    # mcc joins the default metrics ("only" was about the biases, not the metrics)
    assert [m["name"] for m in spec["metrics"]] == ["accuracy", "f1", "confusion-matrix", "mcc"]
    assert spec["dataset"] == {"name": "sample-reviews", "n": None}  # all of the sample
    assert spec["backbone"]["name"] == "minilm-l6"

    spec = chat("use bitfit", "save the predictions as well", cwd=tmp_path)
    assert spec["strategy"] == {"name": "bitfit", "layerwise_lr_decay": 1.0}
    assert [e["name"] for e in spec["exporters"]] == ["huggingface", "model-card",
                                                      "predictions-csv"]
    # nothing was confirmed, so nothing ran
    listed = tunekit_cli("runs", "list", "--json", cwd=tmp_path)
    assert json.loads(listed.stdout) == []


def test_a_disabled_example_is_not_loaded_and_says_how_to_enable_it(tmp_path):
    project = make_project(tmp_path / "project")
    (project / "spec.yaml").write_text(BITFIT_SPEC)
    plugins = ["--plugins-dir", str(project / "plugins")]
    off = tunekit_cli("plugins", "disable", "bitfit", cwd=project)
    assert off.returncode == 0, off.stderr
    listed = json.loads(tunekit_cli("plugins", "--json", cwd=project).stdout)
    [bitfit] = [p for p in listed["plugins"] if p["name"] == "bitfit"]
    assert bitfit["status"] == "disabled" and bitfit["components"] == []
    refused = tunekit_cli(*plugins, "run", "spec.yaml", "--dry-run", cwd=project)
    assert refused.returncode == 2
    assert "strategy 'bitfit' comes from plugin 'bitfit', which is disabled" in refused.stderr
    assert "tunekit plugins enable bitfit" in refused.stderr
    assert tunekit_cli("plugins", "enable", "bitfit", cwd=project).returncode == 0
    again = tunekit_cli(*plugins, "run", "spec.yaml", "--dry-run", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "name: bitfit" in again.stdout
