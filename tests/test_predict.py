"""``tunekit predict`` and ``tunekit demo`` on runs trained through the CLI: the trained model
loaded back from its huggingface folder or its safetensors weights answers texts and files;
bad input (an unknown run, a failed run, a run without a model export, a missing file) gets
one clear message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from tunekit.registry import Registry
from tunekit.testing import write_text_csv
from tunekit.ui.cli import main as cli_main

SPEC = """\
task: text-classification
dataset: {name: csv, path: data.csv}
backbone: tiny-bert
strategy: full
training: {epochs: 4, batch_size: 8, learning_rate: 0.003, max_length: 32, warmup_ratio: 0,
           early_stopping: null}
metrics: [accuracy]
exporters: [huggingface]
"""
LABELS = ["negative", "positive"]
TEXTS = ["the food was great", "it was really awful", "the movie was quite dull"]


class Project:
    """A folder with data, a spec, the tiny backbones as a plugin file, and a registry."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.registry = folder / "registry.db"
        self.plugins = folder / "plugins"

    def cli(self, *args: str) -> int:
        return cli_main([*args, "--registry", str(self.registry),
                         "--plugins-dir", str(self.plugins)])

    def hf_folder(self, run_id: int) -> Path:
        record = Registry.open(self.registry).artifacts(run_id)
        return Path(next(a.path for a in record if a.exporter == "huggingface"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Run 1 exports huggingface, run 2 safetensors alone, run 3 nothing; run 4 failed."""
    folder = tmp_path_factory.mktemp("predict")
    write_text_csv(folder / "data.csv", n=120)
    (folder / "one-class.csv").write_text("text,label\na,x\nb,x\nc,x\nd,x\n")
    (folder / "spec.yaml").write_text(SPEC)
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(
        "from tunekit.testing import register_backbones\n")
    made = Project(folder)
    spec = str(folder / "spec.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMP_NUM_THREADS", "1")
        assert made.cli("run", spec, "--quiet") == 0
        assert made.cli("run", spec, "--quiet", "--set", "exporters=[safetensors]") == 0
        assert made.cli("run", spec, "--quiet", "--set", "exporters=[]") == 0
        assert made.cli("run", spec, "--quiet", "--set", "dataset.path=one-class.csv") == 2
    statuses = [r.status for r in sorted(Registry.open(made.registry).runs(),
                                         key=lambda r: r.id)]
    assert statuses == ["completed", "completed", "completed", "failed"]
    return made


def expected_scores(folder: Path, texts: list[str]) -> list[dict[str, float]]:
    """What the exported model itself says, loaded with plain transformers."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    batch = AutoTokenizer.from_pretrained(folder)(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        probabilities = model(**batch).logits.softmax(-1)
    return [{model.config.id2label[i]: float(p) for i, p in enumerate(row)}
            for row in probabilities]


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_predict_answers_a_text_through_the_real_command(project: Project) -> None:
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    environment.pop("TUNEKIT_PLUGINS_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "tunekit.ui.cli", "predict", "1", "--input", TEXTS[0], "--json",
         "--registry", str(project.registry), "--plugins-dir", str(project.plugins)],
        cwd=project.folder, env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (answer,) = json_lines(done.stdout)
    assert answer["input"] == TEXTS[0] and answer["label"] == "positive"  # it learned
    expected = expected_scores(project.hf_folder(1), [TEXTS[0]])[0]
    assert answer["scores"].keys() == set(LABELS)
    assert all(abs(answer["scores"][k] - expected[k]) < 1e-5 for k in LABELS)
    assert answer["score"] == answer["scores"]["positive"]


def test_predict_reads_a_file_of_texts_and_prints_a_table(project: Project, tmp_path: Path,
                                                          capsys: Any) -> None:
    (tmp_path / "texts.txt").write_text("\n".join(TEXTS) + "\n\n")
    assert project.cli("predict", "1", "--input", "texts.txt") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["input", "label", "score"]
    assert [line.split("  ")[0] for line in out[2:]] == TEXTS
    labels = [line.split()[-2] for line in out[2:]]
    assert labels == ["positive", "negative", "negative"]

    (tmp_path / "texts.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS))
    assert project.cli("predict", "1", "--input", "texts.jsonl", "--json") == 0
    answers = json_lines(capsys.readouterr().out)
    assert [a["input"] for a in answers] == TEXTS
    assert [a["label"] for a in answers] == labels


def test_predict_loads_the_safetensors_weights_alone(project: Project, capsys: Any) -> None:
    # runs 1 and 2 trained the same spec with the same seed: the same model
    assert project.cli("predict", "2", "--input", TEXTS[1], "--json") == 0
    (from_weights,) = json_lines(capsys.readouterr().out)
    expected = expected_scores(project.hf_folder(1), [TEXTS[1]])[0]
    assert from_weights["label"] == "negative"
    assert all(abs(from_weights["scores"][k] - expected[k]) < 1e-5 for k in LABELS)


@pytest.mark.parametrize(("args", "said"), [
    (("predict", "99", "--input", "hello there"),
     "error: tunekit predict: there is no run 99\n  hint: `tunekit runs list` shows the runs"),
    (("predict", "3", "--input", "hello there"),
     "error: tunekit predict: run 3 has no model export to load; its exports: none\n"
     "  hint: add huggingface (or safetensors) to the spec's exporters and train again"),
    (("predict", "4", "--input", "hello there"),
     "error: tunekit predict: run 4 is failed, not completed: it exported no trained model"),
    (("predict", "1", "--input", "no-such-file.csv"),
     "error: no-such-file.csv: no such file\n  hint: check the path"),
    (("demo", "4"), "error: tunekit demo: run 4 is failed, not completed"),
])
def test_bad_input_gets_one_clear_message(project: Project, capsys: Any, args: tuple[str, ...],
                                          said: str) -> None:
    assert project.cli(*args) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(said), captured.err
    assert len(captured.err.strip().splitlines()) == 2  # the message and what to do
    assert "Traceback" not in captured.err and captured.out == ""


def test_a_run_without_a_demo_gets_one_written_from_its_model(project: Project) -> None:
    from tunekit import load_plugins
    from tunekit.ui.commands.demo import demo_folder

    registry = Registry.open(project.registry)
    said: list[str] = []
    folder = demo_folder(registry, 1, load_plugins(str(project.plugins)), said.append)
    assert folder == project.hf_folder(1).parent / "gradio-demo"
    assert said == [f"run 1 had no demo: wrote one from its huggingface export to {folder}"]
    settings = json.loads((folder / "demo.json").read_text())
    assert settings["task"] == "text-classification" and settings["labels"] == LABELS
    assert (folder / "app.py").is_file() and (folder / "requirements.txt").is_file()
    assert expected_scores(folder / "model", TEXTS) == expected_scores(project.hf_folder(1),
                                                                       TEXTS)
    # the next demo of the run serves the same folder as it is
    assert demo_folder(registry, 1, load_plugins(str(project.plugins)), said.append) == folder
    assert len(said) == 1
