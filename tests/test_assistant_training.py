"""The training fields of the spec said in words: by name, by choice, and relative to now.

Written before the rules that read them (each phrasing failed first), in words of our own: the
reader is generic over ``tunekit.spec.Training`` (field names, TRAINING_ALIASES, choices), so a
field or choice added to the spec is understood without a word list of its own.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_assistant import case, check, lora, plugins  # noqa: F401  (plugins: a fixture)
from tunekit.spec import DEFAULT_SPEC
from tunekit.ui.assistant.understand import Catalog, understand

# a field said with a value is set; a field's choice said by name is taken
BY_NAME = [
    case("send the metrics to tensorboard please", report_to=["tensorboard"]),
    case("I'd like the run tracked in mlflow, plus wandb", report_to=["mlflow", "wandb"]),
    case("report_to: comet_ml", report_to=["comet_ml"]),
    case("don't log to wandb, log to tensorboard", report_to=["tensorboard"]),
    case("run an evaluation every 200 steps", eval_steps=200),
    case("validate every 100 steps", eval_steps=100),
    case("coud you log to tensorbord?", report_to=["tensorboard"]),
    case("use the adafactr optimizer", optim="adafactor"),
    case("cosine_with_restart schedule", scheduler="cosine_with_restarts"),
    case(["log to tensorboard and wandb", "no wandb"], report_to=["tensorboard"]),
    case(["log to tensorboard", "also send it to mlflow"], report_to=["tensorboard", "mlflow"]),
    case("eval_steps=25 and 3 epochs", eval_steps=25, epochs=3),
    case("switch the optimizer to sgd", optim="sgd"),
    case("adafactor as the optimiser, lr 1e-3", optim="adafactor", learning_rate=1e-3),
    case("group examples by length", group_by_length=True),
    case(["group by length", "actually group_by_length off"], group_by_length=False),
    case("turn on auto batch size so it does not run out of memory", auto_batch_size=True),
    case("a warmup of 100 steps", warmup_steps=100),
    case("500 warm-up steps then cosine decay", warmup_steps=500, scheduler="cosine"),
    case("warmup 5%", warmup_ratio=0.05),
    case("polynomial schedule", scheduler="polynomial"),
    case("use the inverse_sqrt scheduler", scheduler="inverse_sqrt"),
    case("cosine with restarts for the schedule", scheduler="cosine_with_restarts"),
    case("stop at max 300 steps", max_steps=300),
    case("num_train_epochs 2, checkpoint_every 50", epochs=2, checkpoint_every=50),
    case("labels are heavily imbalanced, please weigh them", class_weights="balanced"),
    case("rebalance the labels", class_weights="balanced"),
    case("cache features off", cache_features="off"),
]

# a change to the current value, generic over the numbers of the spec
RELATIVE = [
    case(["gradient accumulation 3", "triple the accumulation steps"],
         gradient_accumulation_steps=9),
    case(["batch 32", "half the batch size"], batch_size=16),
    case(["batch 32, lr 2e-4", "halve the batch", "same for the lr"],
         batch_size=16, learning_rate=1e-4),
    case(["5 epochs", "2 epochs fewer"], epochs=3),
    case(["4 epochs", "twice as many epochs"], epochs=8),
    case(["5 epochs", "add another 2 epochs"], epochs=7),
    case(["max length 128", "increase the max length by 50%"], max_length=192),
    case(["warmup steps 100", "raise the warmup steps by 50"], warmup_steps=150),
    case(["lr 1e-4", "lower the learning rate by a factor of 10"], learning_rate=1e-5),
    case("reduce the warmup ratio by half", warmup_ratio=0.05),
    case(["batch size 8", "double the batch size and the epochs too"], batch_size=16, epochs=12),
]

# only these items, the longest catalog name winning; exporters in a list after one cue
LISTS = [
    case("compute f1 and precision only", metrics=["f1", "precision"]),
    case("just accuracy and recall as metrics", metrics=["accuracy", "recall"]),
    case("save the merged weights as safetensors and an onnx model too",
         exporters=["huggingface", "model-card", "safetensors", "onnx"]),
    case("export it in safetensors format plus an onnx file as well",
         exporters=["huggingface", "model-card", "safetensors", "onnx"]),
    case("write a model card plus the onnx graph",
         exporters=["huggingface", "model-card", "onnx"]),
]

# LoRA's modules said after its options
MODULES = [
    case("lora r 8 on query and value", strategy=lora(r=8, target_modules=["query", "value"])),
    case("lora (r 4) to q_proj, v_proj", strategy=lora(r=4, target_modules=["q_proj", "v_proj"])),
    case("lora with alpha 32 on key,value",
         strategy=lora(alpha=32, target_modules=["key", "value"])),
    case("lora rank 16 on the query and key layers",
         strategy=lora(r=16, target_modules=["query", "key"])),
]


@pytest.mark.parametrize("case_", BY_NAME + RELATIVE + LISTS + MODULES)
def test_training_words(case_: Any, plugins: Any,  # noqa: F811
                        request: pytest.FixtureRequest) -> None:
    check(case_, plugins, request)


def test_a_relative_change_without_a_value_is_said(plugins: Any) -> None:  # noqa: F811
    """max_steps has no value by default: doubling it is not guessed, it is said."""
    found = understand("double the max steps", Catalog(plugins.components()), DEFAULT_SPEC)
    assert "training.max_steps" not in found.changes
    assert any("max steps" in note for note in found.unknown)


def test_token_accuracy_is_not_also_accuracy(plugins: Any) -> None:  # noqa: F811
    found = understand("track only entity-f1 and token accuracy",
                       Catalog(plugins.components()), DEFAULT_SPEC)
    assert found.changes["metrics"] == ["entity-f1", "token-accuracy"]
