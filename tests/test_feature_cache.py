"""Frozen-feature caching: the same training as running the frozen part every step, reused
across runs, invalidated by anything that changes the features."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import tunekit
from tunekit.registry import Registry


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry.open(tmp_path / "registry.db")


def train(manager, registry, data: Path, strategy, *, cache: str, epochs: int = 2,
          max_length: int = 128, backbone="tiny-bert"):
    spec = tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(data)},
        "backbone": backbone,
        "strategy": strategy,
        "training": {"epochs": epochs, "batch_size": 8, "learning_rate": 5e-3, "seed": 3,
                     "early_stopping": None, "max_length": max_length,
                     "cache_features": cache},
        "metrics": ["accuracy", "f1"],
        "exporters": ["capture"],
    }, manager)
    result = tunekit.run(spec, manager=manager, registry=registry, progress=False,
                         output_root=Path.cwd() / "runs")
    assert result.status == "completed"
    summary = json.loads(registry.get_run(result.run_id).summary_json)
    return result, summary


def weights(model) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in model.named_parameters()}


@pytest.mark.parametrize("strategy", ["head-only", {"name": "freeze-bottom", "layers": 1}])
def test_cached_features_train_the_same_model(cap_manager, capture, registry, tiny_csv,
                                              strategy):
    plain, plain_summary = train(cap_manager, registry, tiny_csv, strategy, cache="off")
    plain_weights = weights(capture.exported[-1])
    cached, cached_summary = train(cap_manager, registry, tiny_csv, strategy, cache="on")
    cached_weights = weights(capture.exported[-1])

    assert plain_summary["feature_cache"]["status"] == "off"
    assert cached_summary["feature_cache"]["status"] == "computed"
    # the exporters get the whole model, not the cached top
    assert type(capture.exported[-1]).__name__ == "BertForSequenceClassification"
    assert set(plain_weights) == set(cached_weights)
    for name in plain_weights:
        assert torch.allclose(plain_weights[name], cached_weights[name], atol=1e-5), name
    assert plain.metrics.keys() == cached.metrics.keys()
    for name, value in plain.metrics.items():
        assert cached.metrics[name] == pytest.approx(value, abs=1e-5), name
    # the frozen part was not touched, the head was trained
    head = [n for n in cached_weights if n.startswith("classifier")]
    assert not torch.equal(cached_weights[head[0]], capture.built[-1].before[head[0]])


def test_the_disk_cache_is_reused_and_invalidated(cap_manager, registry, tiny_csv, tmp_path):
    # examples of about 17 tokens, so that max_length 8 cuts them
    header, *lines = tiny_csv.read_text().splitlines()
    tiny_csv = tmp_path / "long.csv"
    tiny_csv.write_text("\n".join([header] + [
        f"{text} {text} {text},{label}" for text, label in (ln.split(",") for ln in lines)]))
    first, s1 = train(cap_manager, registry, tiny_csv, "head-only", cache="auto", epochs=1)
    second, s2 = train(cap_manager, registry, tiny_csv, "head-only", cache="auto", epochs=1)
    assert s1["feature_cache"]["status"] == "computed"
    assert s2["feature_cache"]["status"] == "hit"
    assert s2["feature_cache"]["key"] == s1["feature_cache"]["key"]
    assert Path(s1["feature_cache"]["path"]).is_file()
    assert Path(s1["feature_cache"]["path"]).is_relative_to(tmp_path / "cache" / "features")
    assert second.metrics == pytest.approx(first.metrics, abs=1e-6)

    # shorter examples, other data, or another depth: other features
    _, shorter = train(cap_manager, registry, tiny_csv, "head-only", cache="auto", epochs=1,
                       max_length=8)
    assert shorter["feature_cache"]["status"] == "computed"
    other = tmp_path / "other.csv"
    lines = tiny_csv.read_text().splitlines()
    other.write_text("\n".join(lines[:-1]) + "\n")
    _, changed = train(cap_manager, registry, other, "head-only", cache="auto", epochs=1)
    assert changed["feature_cache"]["status"] == "computed"
    _, deeper = train(cap_manager, registry, tiny_csv, {"name": "freeze-bottom", "layers": 1},
                      cache="auto", epochs=1)
    assert deeper["feature_cache"]["status"] == "computed"
    keys = {s["feature_cache"]["key"] for s in (s1, shorter, changed, deeper)}
    assert len(keys) == 4


def test_the_cache_env_var_names_the_folder(cap_manager, registry, tiny_csv, tmp_path,
                                            monkeypatch):
    monkeypatch.setenv("TUNEKIT_CACHE_DIR", str(tmp_path / "elsewhere"))
    _, summary = train(cap_manager, registry, tiny_csv, "head-only", cache="auto", epochs=1)
    assert Path(summary["feature_cache"]["path"]).parent == tmp_path / "elsewhere" / "features"


@pytest.mark.parametrize(("strategy", "backbone", "why"), [
    ("full", "tiny-bert", "embeddings train"),
    ("lora", "tiny-bert", "BERT-style"),
    ("gradual", "tiny-bert", "between epochs"),
    ("head-only", "tiny-gpt2", "BERT-style"),
])
def test_where_the_cache_does_not_apply_training_goes_on_and_says_why(
        cap_manager, registry, tiny_csv, strategy, backbone, why):
    _, summary = train(cap_manager, registry, tiny_csv, strategy, cache="auto", epochs=1,
                       backbone=backbone)
    assert summary["feature_cache"]["status"] == "not applicable"
    assert why in summary["feature_cache"]["reason"]


def test_cache_on_refuses_a_run_it_cannot_cache(cap_manager, registry, tiny_csv):
    with pytest.raises(tunekit.SpecError, match="cannot be cached"):
        train(cap_manager, registry, tiny_csv, "full", cache="on", epochs=1)
