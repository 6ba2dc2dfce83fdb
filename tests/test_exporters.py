"""The model exporters on a real tiny LoRA run: the adapter alone, the merged weights, the ONNX
graph with its parity check, and the gradio demo app, served and asked through gradio_client.

One run (tiny-bert, LoRA, every exporter) is shared by the module; each artifact is loaded back
the way its users load it (peft on a fresh base, transformers, onnxruntime, a browser client).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import torch
import tunekit
from studio_harness import client_http, free_port
from tunekit.registry import Registry
from tunekit.testing import tiny_model, tiny_splits, train_tiny, write_text_csv
from tunekit.ui.cli import build_parser
from tunekit.ui.cli import main as cli_main

LABELS = ["negative", "positive"]
EXPORTERS = ["adapter", "safetensors", "onnx", "gradio-demo", "huggingface"]
TEXTS = ["the movie was great and lovely", "awful", "it was really quite a dull product"]
USER, PASSWORD = "ana", "correct-horse-battery"


@pytest.fixture(scope="module")
def lora_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return train_tiny(strategy={"name": "lora", "r": 4},
                      dataset={"name": "tiny-text", "n": 120},
                      training={"epochs": 2, "learning_rate": 1e-2},
                      exporters=EXPORTERS, directory=tmp_path_factory.mktemp("lora-run"))


def folder_of(run: Any, exporter: str) -> Path:
    path = Path(next(a["path"] for a in run.artifacts if a["exporter"] == exporter))
    return path if path.is_dir() else path.parent


def encode(folder: Path, texts: list[str] = TEXTS) -> dict[str, torch.Tensor]:
    from transformers import AutoTokenizer

    return dict(AutoTokenizer.from_pretrained(folder)(texts, padding=True, return_tensors="pt"))


def merged_logits(run: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """The logits of the huggingface export (written last: after every other exporter)."""
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(folder_of(run, "huggingface"))
    with torch.no_grad():
        return model.eval()(**batch).logits


def test_every_artifact_is_recorded_with_its_size_and_checksum(lora_run: Any) -> None:
    assert lora_run.status == "completed"
    recorded = lora_run.registry.artifacts(lora_run.result.run_id)
    assert {a.exporter for a in recorded} == set(EXPORTERS)
    for artifact in recorded:
        path = Path(artifact.path)
        assert path.exists(), artifact.path
        if path.is_file():
            data = path.read_bytes()
            assert (artifact.bytes, artifact.sha256) == (len(data),
                                                         hashlib.sha256(data).hexdigest())
    files = {(a.exporter, Path(a.path).name) for a in recorded}
    assert {("adapter", "adapter_config.json"), ("adapter", "adapter_model.safetensors"),
            ("safetensors", "model.safetensors"), ("safetensors", "config.json"),
            ("safetensors", "labels.json"), ("onnx", "model.onnx"),
            ("onnx", "parity.json"), ("gradio-demo", "gradio-demo")} <= files


def test_the_adapter_reloads_onto_a_fresh_base_with_the_same_logits(lora_run: Any) -> None:
    from peft import PeftModel
    from safetensors.torch import load_file

    folder = folder_of(lora_run, "adapter")
    saved = load_file(folder / "adapter_model.safetensors")
    assert any("lora_A" in k for k in saved) and any("lora_B" in k for k in saved)
    assert any(k.startswith("base_model.model.classifier") for k in saved)  # the trained head
    assert not any("word_embeddings" in k for k in saved)  # nothing of the frozen base
    assert json.loads((folder / "labels.json").read_text())["labels"] == LABELS

    base = tiny_model(LABELS).model  # the same seeded weights the run started from
    adapted = PeftModel.from_pretrained(base, folder).eval()
    batch = encode(folder_of(lora_run, "huggingface"))
    with torch.no_grad():
        got = adapted(**batch).logits
    torch.testing.assert_close(got, merged_logits(lora_run, batch), atol=1e-5, rtol=0)


def test_the_safetensors_weights_reload_and_match(lora_run: Any) -> None:
    from safetensors.torch import load_file
    from transformers import AutoModelForSequenceClassification

    folder = folder_of(lora_run, "safetensors")
    weights = load_file(folder / "model.safetensors")
    assert not any("lora_" in k for k in weights)  # merged: a plain model
    assert not (folder / "tokenizer.json").exists()
    assert json.loads((folder / "labels.json").read_text()) == {
        "task": "text-classification", "labels": LABELS}
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    assert [model.config.id2label[i] for i in range(2)] == LABELS
    batch = encode(folder_of(lora_run, "huggingface"))
    with torch.no_grad():
        got = model(**batch).logits
    assert torch.equal(got, merged_logits(lora_run, batch))


def test_the_onnx_graph_passes_its_parity_check_and_takes_other_shapes(lora_run: Any) -> None:
    import onnxruntime

    folder = folder_of(lora_run, "onnx")
    parity = json.loads((folder / "parity.json").read_text())
    validation = lora_run.summary()["data"]["sizes"]["validation"]
    assert parity["passed"] is True and parity["exporter"] == "dynamo"
    assert parity["inputs"] == validation and parity["split"] == "validation"
    assert 0 <= parity["max_abs_diff"] <= parity["tolerance"] == 1e-4
    assert parity["argmax_agreement"] == 1.0

    # another batch size and sequence length than any it was exported or checked with
    texts = [*TEXTS, "good " * 20, "x"]
    batch = encode(folder, texts)
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"))
    names = [i.name for i in session.get_inputs()]
    assert set(names) <= {"input_ids", "attention_mask", "token_type_ids"}
    got = session.run(["logits"], {n: batch[n].numpy() for n in names})[0]
    torch.testing.assert_close(torch.from_numpy(got), merged_logits(lora_run, batch),
                               atol=1e-4, rtol=0)


def test_a_graph_that_does_not_match_pytorch_fails_the_export(tmp_path: Path) -> None:
    """A model whose Python code branches on its input's shape: the tracer records the branch
    its example took, so the graph is wrong for batches of another size."""

    class SmallBatchesShift(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module):
            super().__init__()
            self.inner = inner

        def forward(self, **inputs: torch.Tensor) -> Any:
            out = self.inner(**inputs)
            if inputs["input_ids"].shape[0] < 16:
                out.logits = out.logits + 1.0
            return out

    built = tiny_model(LABELS)
    exporter = tunekit.load_plugins().get("exporter", "onnx")
    context = tunekit.ExportContext(
        run_id=0, directory=tmp_path, model=SmallBatchesShift(built.model),
        options=exporter.resolve_options({"exporter": "torchscript"}, "exporters.onnx"),
        tokenizer=built.tokenizer, task="text-classification", labels=LABELS, spec={},
        metrics={}, test_metrics=None, data={},
        training={"max_length": 32, "backbone_source": "tiny-bert"},
        splits=tiny_splits(120, labels=LABELS))  # 30 validation examples: batches of 16, 14
    with pytest.raises(tunekit.TunekitError) as raised:
        exporter.export(context)
    message = str(raised.value)
    assert message.startswith("exporters.onnx: the ONNX graph does not match the PyTorch "
                              "model: its logits differ by up to 1 (tolerance 0.0001) on 30 "
                              "validation examples")
    assert "hint: " in message
    assert json.loads((tmp_path / "parity.json").read_text())["passed"] is False


def test_the_adapter_exporter_refuses_a_run_without_an_adapter(tmp_path: Path,
                                                                capsys: Any) -> None:
    write_text_csv(tmp_path / "data.csv", n=40)
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "tiny.py").write_text(
        "from tunekit.testing import register_backbones\n")
    (tmp_path / "spec.yaml").write_text(
        "dataset: {name: csv, path: data.csv}\nbackbone: tiny-bert\nstrategy: full\n"
        "training: {epochs: 1, batch_size: 8}\nexporters: [adapter]\n")
    registry = tmp_path / "registry.db"
    code = cli_main(["run", str(tmp_path / "spec.yaml"), "--quiet", "--registry", str(registry),
                     "--plugins-dir", str(tmp_path / "plugins")])
    err = capsys.readouterr().err
    assert code == 2
    assert "error: run 1 failed: exporters.adapter: the run's strategy 'full' trained no " \
           "adapter, so there is none to export\n  hint: train with strategy: lora" in err
    assert "Traceback" not in err
    assert Registry.open(registry).get_run(1).status == "failed"


# ---------------------------------------------------------------- the gradio demo


def test_the_demo_folder_is_self_contained_and_ready_for_a_space(lora_run: Any) -> None:
    from importlib.metadata import version

    folder = folder_of(lora_run, "gradio-demo")
    imported = set()
    for node in ast.walk(ast.parse((folder / "app.py").read_text())):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported == {"json", "os", "pathlib", "gradio", "transformers"}  # no tunekit
    requirements = (folder / "requirements.txt").read_text().split()
    assert requirements == [f"gradio=={version('gradio')}",
                            f"transformers=={version('transformers')}",
                            f"torch=={version('torch').split('+')[0]}"]
    front = (folder / "README.md").read_text().split("---")[1]
    assert "sdk: gradio" in front and f"sdk_version: {version('gradio')}" in front
    assert "app_file: app.py" in front and "title: " in front
    settings = json.loads((folder / "demo.json").read_text())
    assert settings["task"] == "text-classification" and settings["labels"] == LABELS
    assert len(settings["examples"]) == 3
    assert (folder / "model" / "model.safetensors").is_file()
    assert (folder / "model" / "tokenizer.json").is_file()


def test_tunekit_demo_serves_the_app_and_answers_through_gradio_client(lora_run: Any) -> None:
    from gradio_client import Client
    from transformers import pipeline

    port = free_port()
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    app = subprocess.Popen(
        [sys.executable, "-m", "tunekit.ui.cli", "demo", str(lora_run.result.run_id),
         "--port", str(port), "--auth", f"{USER}:{PASSWORD}",
         "--registry", str(lora_run.registry.path)],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert app.poll() is None, app.communicate()[0]
            try:
                if httpx.get(url, timeout=2).status_code:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the demo did not start"
            time.sleep(0.5)
        assert httpx.get(f"{url}config", timeout=10).status_code == 401  # a login first
        client = Client(url, auth=(USER, PASSWORD), verbose=False, httpx_kwargs=client_http())
        answer = client.predict(TEXTS[0], api_name="/predict")
    finally:
        app.terminate()
        app.wait(timeout=30)

    model = folder_of(lora_run, "gradio-demo") / "model"
    expected = {d["label"]: d["score"] for d in
                pipeline("text-classification", model=str(model), top_k=None)([TEXTS[0]])[0]}
    assert answer["label"] == max(expected, key=expected.get)
    got = {c["label"]: c["confidence"] for c in answer["confidences"]}
    assert got.keys() == set(LABELS)
    assert all(abs(got[label] - expected[label]) < 1e-5 for label in LABELS)


def test_a_shared_demo_gets_a_generated_password(lora_run: Any) -> None:
    from tunekit.ui.commands.demo import launch_settings

    parser = build_parser()
    said: list[str] = []
    folder = folder_of(lora_run, "gradio-demo")
    args = parser.parse_args(["demo", "1", "--share", "--port", "8123"])
    command, env = launch_settings(args, folder, said.append)
    assert command == [sys.executable, str(folder / "app.py")]
    assert (env["GRADIO_SHARE"], env["GRADIO_SERVER_PORT"]) == ("True", "8123")
    user, password = env["DEMO_AUTH"].split(":")
    assert user == "tunekit" and len(password) >= 20 and password.isalnum()
    assert len(said) == 1 and password in said[0]
    _, again = launch_settings(args, folder, said.append)
    assert again["DEMO_AUTH"] != env["DEMO_AUTH"]  # a new one each time

    other_host = parser.parse_args(["demo", "1", "--host", "0.0.0.0", "--auth", "ana:pw"])
    assert launch_settings(other_host, folder, said.append)[1]["DEMO_AUTH"] == "ana:pw"
    local = launch_settings(parser.parse_args(["demo", "1"]), folder, said.append)[1]
    assert "DEMO_AUTH" not in local and local["GRADIO_SHARE"] == "False"
