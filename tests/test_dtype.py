"""The weights train and export in fp32 whatever dtype the checkpoint was stored in.

transformers 5 loads a checkpoint stored in bf16 as bf16 unless ``dtype=`` says otherwise:
before tunekit passed it, a ``precision: fp32`` full fine-tune of such a checkpoint trained
and exported bf16 weights while the registry recorded fp32.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
import tunekit
from safetensors import safe_open
from tunekit.testing import manager_with, plugin_of, train_tiny
from tunekit.testing.kit import _tiny, bundled_tokenizer


def _bf16_checkpoint(folder: Path) -> Path:
    """A tiny BERT classifier saved with bf16 weights, as many recent checkpoints are."""
    from transformers import BertConfig, BertForSequenceClassification

    tokenizer = bundled_tokenizer()
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=128, num_labels=2)
    torch.manual_seed(0)
    BertForSequenceClassification(config).to(torch.bfloat16).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    with safe_open(str(folder / "model.safetensors"), "pt") as stored:
        assert {stored.get_tensor(k).dtype for k in stored.keys()} == {torch.bfloat16}
    return folder


def _exported_dtypes(run: Any, exporter: str) -> set[torch.dtype]:
    paths = [Path(a["path"]) for a in run.artifacts if a["exporter"] == exporter]
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*")))
             if f.suffix == ".safetensors"]
    assert files, f"{exporter} exported no safetensors file"
    dtypes = set()
    for file in files:
        with safe_open(str(file), "pt") as stored:
            dtypes |= {stored.get_tensor(k).dtype for k in stored.keys()}
    return dtypes


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bf16_checkpoint(tmp_path_factory.mktemp("bf16") / "model")


def test_a_bf16_checkpoint_fine_tuned_in_fp32_exports_fp32(checkpoint: Path,
                                                           tmp_path: Path) -> None:
    run = train_tiny(backbone={"name": "hf", "model": str(checkpoint)},
                     training={"precision": "fp32"}, exporters=["huggingface"],
                     directory=tmp_path)
    assert run.status == "completed"
    assert _exported_dtypes(run, "huggingface") == {torch.float32}
    folder = next(Path(a["path"]) for a in run.artifacts if a["exporter"] == "huggingface")
    config = json.loads((folder / "config.json").read_text())
    assert config.get("dtype", config.get("torch_dtype")) == "float32"
    summary = run.summary()
    assert summary["precision"]["used"] == "fp32"
    assert set(summary["weights"]["loaded"]) == {"float32"}  # asked for explicitly
    assert set(summary["weights"]["training"]) == {"float32"}


def test_what_a_backbone_loaded_is_recorded_and_trainable_weights_become_fp32(
        tmp_path: Path) -> None:
    """A third-party backbone that ignores ModelRequest.dtype and hands over a bf16 model:
    the engine trains its weights in fp32 and the run records what was loaded."""
    base = _tiny("bert")
    asked: list[str] = []

    def build(options: dict[str, Any], request: tunekit.ModelRequest) -> tunekit.BuiltModel:
        asked.append(request.dtype)
        built = base({"layers": 2, "init_seed": 0, "pretrained": True}, request)
        built.model.to(torch.bfloat16)
        return built

    backbone = tunekit.Backbone(name="bf16-bert", title="bf16", description="a bf16 model",
                                tasks=(tunekit.TEXT_CLASSIFICATION,), build=build)
    manager = manager_with(plugin_of(backbone))
    run = train_tiny(manager=manager, backbone="bf16-bert", strategy="lora",
                     training={"precision": "fp32", "learning_rate": 1e-2},
                     exporters=["adapter"], directory=tmp_path)
    assert run.status == "completed"
    assert asked == ["float32"]
    weights = run.summary()["weights"]
    assert set(weights["loaded"]) == {"bfloat16"}
    # fp32 compute: the frozen base is cast as well (bf16 next to fp32 adapters would fail)
    assert set(weights["training"]) == {"float32"}
    assert _exported_dtypes(run, "adapter") == {torch.float32}


def test_a_frozen_bf16_base_stays_bf16_under_bf16_autocast(tmp_path: Path) -> None:
    """Under bf16 autocast a frozen part may keep its bf16 weights (half the memory); what
    trains is fp32 all the same, and the summary says which is which."""
    base = _tiny("bert")

    def build(options: dict[str, Any], request: tunekit.ModelRequest) -> tunekit.BuiltModel:
        built = base({"layers": 2, "init_seed": 0, "pretrained": True}, request)
        built.model.bert.to(torch.bfloat16)  # the body; the new head stays fp32
        return built

    backbone = tunekit.Backbone(name="bf16-body", title="bf16 body", description="bf16",
                                tasks=(tunekit.TEXT_CLASSIFICATION,), build=build)
    run = train_tiny(manager=manager_with(plugin_of(backbone)), backbone="bf16-body",
                     strategy="head-only",
                     training={"precision": "bf16", "cache_features": "off",
                               "learning_rate": 1e-2},
                     directory=tmp_path)
    assert run.status == "completed"
    summary = run.summary()
    weights, trainable = summary["weights"], summary["trainable_parameters"]
    assert weights["loaded"]["bfloat16"] > weights["training"]["bfloat16"] > 0
    # what trains (the head, and the pooler head-only trains with it) is fp32; the rest bf16
    assert weights["training"]["float32"] == trainable
    assert weights["training"]["bfloat16"] == summary["total_parameters"] - trainable


def test_a_dtype_that_torch_does_not_have_is_a_clear_error() -> None:
    request = tunekit.ModelRequest(task=tunekit.TEXT_CLASSIFICATION, labels=["a"],
                                   dtype="float33")
    with pytest.raises(tunekit.SpecError, match="float33"):
        request.torch_dtype()
    assert tunekit.ModelRequest(task="x", labels=[], dtype="auto").torch_dtype() == "auto"
