"""The real bundled model, end to end through the CLI, as the README runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "tunekit.ui.cli"]


def tunekit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TUNEKIT_REGISTRY": str(cwd / "registry.db")}
    return subprocess.run([*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.mark.slow
def test_the_default_run_fine_tunes_minilm_to_90_percent_and_exports_a_loadable_model(tmp_path):
    done = tunekit("run", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr

    shown = json.loads(tunekit("runs", "show", "1", "--json", cwd=tmp_path).stdout)
    assert shown["status"] == "completed"
    assert shown["spec"]["backbone"]["name"] == "minilm-l6"
    assert shown["spec"]["strategy"]["name"] == "lora"
    assert shown["metrics"]["accuracy"] >= 0.90
    assert shown["test_metrics"]["accuracy"] >= 0.85
    trainable = shown["summary"]["trainable_parameters"]
    assert trainable < shown["summary"]["total_parameters"] * 0.05  # LoRA: a few percent

    folder = next(a["path"] for a in shown["artifacts"] if a["exporter"] == "huggingface")
    from transformers import pipeline

    classify = pipeline("text-classification", model=folder, device="cpu")
    predictions = classify(["Absolutely wonderful, it works perfectly and I love it.",
                            "Terrible. It broke on day one and support never answered."])
    assert [p["label"] for p in predictions] == ["positive", "negative"]
    card = Path(next(a["path"] for a in shown["artifacts"] if a["exporter"] == "model-card"))
    text = card.read_text()
    assert "LoRA" in text and f"{shown['metrics']['accuracy']:.4f}" in text
