"""LoRA's options said in words: its dropout (also said bare beside LoRA's name, "lora with
0.05 dropout"), rank and alpha, and the layers it adapts said by role ("only the attention",
"q and v", "the feed-forward layers"), which the lora strategy resolves to each model's own
layers (BERT, GPT-2, ViT). In phrasings of our own."""

from __future__ import annotations

from pathlib import Path

import pytest
import tunekit
from assistant_talk import talk
from tunekit.plugins.strategies.lora import resolve_targets
from tunekit.testing import tiny_image_model, tiny_model, train_tiny

OPTIONS = [
    ("lora, adapter dropout 0.05", {"dropout": 0.05}),
    ("lora dropout 0.2 pls", {"dropout": 0.2}),
    ("set the lora dropout to 0.15 and the alpha to 64", {"dropout": 0.15, "alpha": 64}),
    ("lora with 0.05 dropout and rank 4", {"dropout": 0.05, "r": 4}),
    ("LoRA, dropout 0.3, r=16", {"dropout": 0.3, "r": 16}),
    ("use loRA, drop out 0.05, rank 64", {"dropout": 0.05, "r": 64}),
    ("lora with rank sixteen and alpha 32", {"r": 16, "alpha": 32}),
    ("LoRA (rank 32, dropout 5%)", {"r": 32, "dropout": 0.05}),
]


@pytest.mark.parametrize(("said", "options"), OPTIONS, ids=[o[0] for o in OPTIONS])
def test_lora_options_said_in_words_are_set(manager, isolated: Path, said: str,
                                            options: dict) -> None:
    spec, replies = talk(manager, isolated, said)
    assert spec["strategy"]["name"] == "lora", replies
    assert {k: spec["strategy"][k] for k in options} == options, replies


def test_the_models_dropout_stays_the_models(manager, isolated: Path) -> None:
    spec, replies = talk(manager, isolated, "lora r 16 and model dropout 0.2")
    assert spec["strategy"]["dropout"] == 0.1 and spec["training"]["dropout"] == 0.2, replies
    spec, replies = talk(manager, isolated, "train the model with a 0.3 dropout and lora")
    assert spec["strategy"]["dropout"] == 0.1 and spec["training"]["dropout"] == 0.3, replies
    spec, replies = talk(manager, isolated, "dropout 0.25 and 3 epochs")
    assert spec["training"]["dropout"] == 0.25 and spec["strategy"]["dropout"] == 0.1, replies


TARGETS = [
    ("lora only on the attention layers", ["attention"]),
    ("apply lora to q and v", ["q", "v"]),
    ("peft lora only query and value matrices", ["q", "v"]),
    ("lora on the attention and the mlp", ["attention", "mlp"]),
    ("adapters on q,k,v,o", ["q", "k", "v", "o"]),
    ("LoRA targeting the feed-forward blocks only", ["mlp"]),
    ("train only the attn with lora, rank 4", ["attention"]),
    ("lora on qv pls", ["q", "v"]),
]


@pytest.mark.parametrize(("said", "targets"), TARGETS, ids=[t[0] for t in TARGETS])
def test_layers_said_by_role_are_lora_targets(manager, isolated: Path, said: str,
                                              targets: list[str]) -> None:
    spec, replies = talk(manager, isolated, said)
    assert spec["strategy"]["target_modules"] == targets, replies
    assert "only (target_modules:" in replies


def test_module_names_said_as_they_are_stay_module_names(manager, isolated: Path) -> None:
    spec, replies = talk(manager, isolated, "target query and value")
    assert spec["strategy"]["target_modules"] == ["query", "value"], replies
    spec, replies = talk(manager, isolated, "lora (r=8) on all linear layers")
    assert spec["strategy"]["target_modules"] is None, replies


# ---------------------------------------------------------------- the strategy's roles

HEADS = {"classifier", "score"}


def _leaves(names: list[str]) -> set[str]:
    return {n.split(".")[-1] for n in names}


def test_roles_resolve_to_each_architectures_own_layers() -> None:
    bert = tiny_model(architecture="bert").model
    assert _leaves(resolve_targets(bert, ["q", "v"], HEADS)) == {"query", "value"}
    assert _leaves(resolve_targets(bert, ["attention"], HEADS)) == {"query", "key", "value",
                                                                   "dense"}
    assert all("attention" in n for n in resolve_targets(bert, ["attention"], HEADS))
    mlp = resolve_targets(bert, ["mlp"], HEADS)
    assert mlp and not any("attention" in n or "pooler" in n for n in mlp)
    gpt2 = tiny_model(architecture="gpt2").model
    assert _leaves(resolve_targets(gpt2, ["q", "v"], HEADS)) == {"c_attn"}  # fused q, k, v
    assert _leaves(resolve_targets(gpt2, ["mlp"], HEADS)) == {"c_fc", "c_proj"}
    vit = tiny_image_model().model
    assert _leaves(resolve_targets(vit, ["o"], HEADS)) == {"o_proj"}
    assert resolve_targets(bert, ["query"], HEADS) == ["query"]  # names pass as they are
    assert resolve_targets(bert, None, HEADS) is None


def test_a_role_the_model_lacks_is_one_clear_error() -> None:
    resnet = tiny_image_model(architecture="resnet").model
    with pytest.raises(tunekit.SpecError, match="no 'attention' layers") as info:
        resolve_targets(resnet, ["attention"], HEADS)
    assert info.value.where == "strategy.target_modules"


def test_a_run_adapts_only_the_attention(isolated: Path) -> None:
    run = train_tiny(strategy={"name": "lora", "r": 2, "target_modules": ["attention"]},
                     directory=isolated)
    assert run.status == "completed"
    summary = str(run.summary())
    assert "query" in summary and "intermediate" not in summary
