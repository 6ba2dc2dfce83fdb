"""One run in two processes: the real ``tunekit run --processes 2`` on CPUs (gloo, through
accelerate launch). The processes end with the same weights, the run is recorded once, and the
validation metrics cover the whole (odd-sized) split exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from tunekit.registry import Registry
from tunekit.testing import write_text_csv

pytestmark = pytest.mark.slow  # two processes start, each imports torch and transformers

SPEC = """\
task: text-classification
dataset: {{name: csv, path: data.csv, validation_split: 0.2}}
backbone: tiny-bert
strategy: {strategy}
training: {{epochs: 3, batch_size: 4, learning_rate: 0.001, early_stopping: null, seed: 5}}
metrics: [accuracy]
exporters: [huggingface]
"""


def tunekit_processes(*args: str, cwd: Path, env: dict[str, str],
                      timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the CLI; on a timeout kill its whole process group, so no worker is left over."""
    environment = {**os.environ, "OMP_NUM_THREADS": "1", **env}
    environment.pop("TUNEKIT_PLUGINS_DIR", None)
    process = subprocess.Popen([sys.executable, "-m", "tunekit.ui.cli", *args], cwd=cwd,
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    finally:
        try:  # the launcher has ended; nothing it started may outlive it
            os.killpg(process.pid, 0)
            leftover = True
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            leftover = False
    assert not leftover, "processes of the run outlived it"
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def evaluate_export(folder: Path, rows: list[dict]) -> tuple[int, float]:
    """Correct predictions and mean loss of the exported model on ``rows``, in one process."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    label_ids = {label: i for i, label in model.config.id2label.items()}
    correct, losses = 0, []
    with torch.no_grad():
        for row in rows:
            inputs = tokenizer(row["text"], return_tensors="pt")
            logits = model(**inputs).logits
            target = torch.tensor([label_ids[row["label"]]])
            losses.append(float(torch.nn.functional.cross_entropy(logits, target)))
            correct += int(logits.argmax(-1).item() == target.item())
    return correct, sum(losses) / len(losses)


@pytest.mark.parametrize("strategy", ["full", "gradual"])
def test_two_processes_train_one_run_with_the_same_weights(tmp_path, strategy):
    write_text_csv(tmp_path / "data.csv", n=65)
    (tmp_path / "spec.yaml").write_text(SPEC.format(strategy=strategy))
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "tiny.py").write_text(
        "from tunekit.testing import register_backbones  # the tiny test backbones\n")
    digests = tmp_path / "digests"

    done = tunekit_processes("run", "spec.yaml", "--processes", "2", "--quiet",
                             "--registry", "registry.db", "--plugins-dir", "plugins",
                             cwd=tmp_path, env={"TUNEKIT_DEBUG_RANK_WEIGHTS": str(digests)})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "launching 2 CPU processes" in done.stderr

    # one run, recorded once, by the main process
    runs = Registry.open(tmp_path / "registry.db").runs()
    assert [(r.id, r.status) for r in runs] == [(1, "completed")]
    record = runs[0]
    assert done.stdout.count("run 1 completed") == 1
    summary = json.loads(record.summary_json)
    assert summary["processes"] == 2

    # both processes end with the very same weights
    assert sorted(p.name for p in digests.iterdir()) == ["rank-0.sha256", "rank-1.sha256"]
    assert (digests / "rank-0.sha256").read_text() == (digests / "rank-1.sha256").read_text()

    # the validation split is odd-sized, so the last batch is uneven; every example counts once
    size = summary["data"]["sizes"]["validation"]
    assert size % 2 == 1
    assert summary["evaluated_examples"]["validation"] == size

    # and the recorded scores are the exported model's on that split, evaluated in one process
    import tunekit
    from tunekit.components import DataContext

    manager = tunekit.load_plugins()
    splits = manager.get("dataset", "csv").load(
        {**record.spec["dataset"], "path": str(tmp_path / "data.csv")},
        DataContext(task="text-classification", seed=5, base_dir=tmp_path))
    correct, loss = evaluate_export(tmp_path / "runs" / "run-1" / "huggingface",
                                    splits.validation)
    assert record.metrics["accuracy"] == pytest.approx(correct / size, abs=1e-9)
    assert record.metrics["loss"] == pytest.approx(loss, abs=1e-4)
