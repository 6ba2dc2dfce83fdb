"""Training values and metric choices said tersely: in Trainer vocabulary, abbreviated ("4 ep",
"bs 32", "accum 16", "wd 0.1"), as key=value or key: value pairs split by "|", ",", ";" or new
lines, as a correction in a later turn ("make it 16", "3e-5 instead") that refers to the number
the turn before set or talked about, and as removals from the lists ("drop token accuracy",
"only mae and r2").

Written before the rules that read them (each phrasing failed first), in words of our own, over
all five tasks; the readers are generic over ``tunekit.spec.Training`` and the catalog.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


@pytest.fixture
def folder(isolated: Path) -> Path:
    """The files the phrasings name, written in the working folder."""
    rows = "\n".join(f"note {i} about the bill,{'billing' if i % 2 else 'bug'}" for i in range(30))
    (isolated / "tickets.csv").write_text(f"message,topic\n{rows}\n")
    scores = "\n".join(json.dumps({"review": f"a review {i}", "stars": i % 5 + 0.5})
                       for i in range(30))
    (isolated / "ratings.jsonl").write_text(scores + "\n")
    tagged = "\n".join(json.dumps({"tokens": ["Ann", "lives", "in", f"Rome{i}"],
                                   "ner_tags": ["B-PER", "O", "O", "B-LOC"]}) for i in range(30))
    (isolated / "people.jsonl").write_text(tagged + "\n")
    for label in ("cat", "dog"):
        (isolated / "pets" / label).mkdir(parents=True)
        for i in range(6):
            Image.new("RGB", (12, 12), (40 * i, 90 if label == "cat" else 10, 9)).save(
                isolated / "pets" / label / f"{i}.png")
    (isolated / "poems.txt").write_text("\n".join(f"the moon rose over hill {i}"
                                                  for i in range(40)) + "\n")
    return isolated


def said(plugins: Any, folder: Path, *turns: str) -> tuple[dict[str, Any], str]:
    assistant = Assistant(plugins, base_dir=folder)
    replies = [assistant.respond(turn) for turn in turns]
    assert all(r.action is None for r in replies), "nothing launches without a yes"
    return assistant.spec(), "\n".join(r.text for r in replies)


def value(spec: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        spec = spec.get(part) if isinstance(spec, dict) else None
    if isinstance(spec, list):
        return [item if isinstance(item, str) else item.get("name") for item in spec]
    return spec


def case(turns: str | list[str], **expect: Any) -> Any:
    turns = [turns] if isinstance(turns, str) else turns
    return pytest.param(turns, {k.replace("__", "."): v for k, v in expect.items()},
                        id=" / ".join(turns)[:90])


# abbreviations and Trainer names, any separator, any order
TERSE = [
    case("tickets.csv | topic clf | 3 eps | bs 48 | lr 2e-5",
         training__epochs=3, training__batch_size=48, training__learning_rate=2e-5),
    case("tickets.csv; ep=5; bs=8; wd=0.05",
         training__epochs=5, training__batch_size=8, training__weight_decay=0.05),
    case("tickets.csv\nepochs: 7\nbatch_size: 24\nwarmup_steps: 50",
         training__epochs=7, training__batch_size=24, training__warmup_steps=50),
    case("ner on people.jsonl, max len 256, 10 ep, grad accum 4",
         training__max_length=256, training__epochs=10,
         training__gradient_accumulation_steps=4),
    case("regression on ratings.jsonl: lr=1e-4 | wd 0 | 100 warmup steps | max steps 2000",
         training__learning_rate=1e-4, training__weight_decay=0.0, training__warmup_steps=100,
         training__max_steps=2000),
    case("causal lm on poems.txt with gpt2, seq len 1024, bs 1, accum 32, bf16",
         training__max_length=1024, training__batch_size=1,
         training__gradient_accumulation_steps=32, training__precision="bf16"),
    case("pets/ image classifier bs24 ep9 lr3e-4",
         training__batch_size=24, training__epochs=9, training__learning_rate=3e-4),
    case("tickets.csv, train_batch_size 4; grad_accum 8; learning-rate 1e-5",
         training__batch_size=4, training__gradient_accumulation_steps=8,
         training__learning_rate=1e-5),
    case("ratings.jsonl regression, epoch=6 bs=12 accum=3 warmup=30 steps",
         training__epochs=6, training__batch_size=12, training__gradient_accumulation_steps=3,
         training__warmup_steps=30),
    case("gpt2 on poems.txt: lr_scheduler_type=cosine_with_restarts, warmup_steps=40, "
         "num_train_epochs=1", training__scheduler="cosine_with_restarts",
         training__warmup_steps=40, training__epochs=1),
    case("tickets.csv: lr_scheduler_type=constant_with_warmup, warmup_steps=25, wd=0.0",
         training__scheduler="constant_with_warmup", training__warmup_steps=25,
         training__weight_decay=0.0),
    case("tickets.csv, lr: 0,0001 and dropout 0,1 (sorry for my english)",
         training__learning_rate=1e-4, training__dropout=0.1),
    case("tickets.csv, epochs 3 -> 5, bs 16 -> 8", training__epochs=5, training__batch_size=8),
    case("tickets.csv, save_steps=40, logging_steps=5, eval_steps=20",
         training__checkpoint_every=40, training__log_every=5, training__eval_steps=20),
    case("gpt2 on poems.txt, warmup=300, max_steps=3000, warmup 6% is too much",
         training__warmup_steps=300, training__max_steps=3000),
    case("pls train on tickets.csv 4 epoch with batchsize 20 and learnig rate 5e-5",
         training__epochs=4, training__batch_size=20, training__learning_rate=5e-5),
    case("people.jsonl ner. I want epoch 8 and the batch 12, the warmup 200 step, accumulate "
         "the gradient 2 times", training__epochs=8, training__batch_size=12,
         training__warmup_steps=200, training__gradient_accumulation_steps=2),
]

# held-out shares said as validation, val, valid, validate, holdout
SHARES = [
    case("tickets.csv, hold out 15% for val, 6 ep",
         dataset__validation_split=0.15, training__epochs=6),
    case("ratings.jsonl regression | val 0.2 | ep 2", dataset__validation_split=0.2,
         training__epochs=2),
    case("pets/ , batch 4, 3 epoch and use 30% to validate",
         dataset__validation_split=0.3, training__batch_size=4, training__epochs=3),
    case("people.jsonl ner, valid share 0.25", dataset__validation_split=0.25),
    case("tickets.csv with a 20% holdout", dataset__validation_split=0.2),
    case("tickets.csv, hold out 10% for test", dataset__test_split=0.1),
]

# a later turn's number for the one the turn before set or talked about
LATER = [
    case(["tickets.csv, 5 epochs", "make it 8"], training__epochs=8),
    case("tickets.csv bs 32, 4 ep, accum 16, hmm no make it 8",
         training__batch_size=32, training__epochs=4, training__gradient_accumulation_steps=8),
    case(["tickets.csv, lr 1e-4", "hmm too high, 3e-5 instead"], training__learning_rate=3e-5),
    case(["people.jsonl ner, batch size 32",
          "that's too much memory, change that to 8 and accumulate over 4 steps"],
         training__batch_size=8, training__gradient_accumulation_steps=4),
    case(["ratings.jsonl regression", "warmup of 100 steps", "no, use 50 and 2 epochs"],
         training__warmup_steps=50, training__epochs=2),
    case(["gpt2 on poems.txt, max length 256", "512 would be better, and bs 2"],
         training__max_length=512, training__batch_size=2),
    case(["pets/ image classifier, warmup 10%", "hmm put it at 5 and 4 epochs"],
         training__warmup_ratio=0.05, training__epochs=4),
    case(["tickets.csv, 6 epochs with batch 16", "batch 40 instead"],
         training__epochs=6, training__batch_size=40),
]

# metrics and exporters taken away, or only some kept, in the task's own names
LISTS = [
    case(["ner on people.jsonl", "drop token accuracy, I only want the entity scores"],
         metrics=["entity-f1", "entity-precision", "entity-recall"]),
    case(["people.jsonl, tag the entities", "metrics: only f1 and recall please"],
         metrics=["entity-f1", "entity-recall"]),
    case(["ratings.jsonl regression", "remove r2 from the metrics"], metrics=["mse", "mae"]),
    case(["ratings.jsonl, predict the stars as a number", "only mae and r2"],
         metrics=["mae", "r2"]),
    case(["tickets.csv", "no confusion matrix, without the model card"],
         metrics=["accuracy", "f1"], exporters=["huggingface"]),
    case(["pets/ image classifier", "just accuracy, skip the f1"], metrics=["accuracy"]),
    case(["tickets.csv", "take out f1 please"], metrics=["accuracy", "confusion-matrix"]),
    case(["people.jsonl ner", "lose the token accuracy, and leave the model card out"],
         metrics=["entity-f1", "entity-precision", "entity-recall"], exporters=["huggingface"]),
]


@pytest.mark.parametrize(("turns", "expect"), TERSE + SHARES + LATER + LISTS)
def test_terse_settings_are_read(plugins: Any, folder: Path, turns: list[str],
                                 expect: dict[str, Any]) -> None:
    spec, replies = said(plugins, folder, *turns)
    got = {path: value(spec, path) for path in expect}
    assert got == expect, replies


def test_make_it_after_several_numbers_asks_which(plugins: Any, folder: Path) -> None:
    """Two numbers set the turn before could both take 16: neither is guessed, the reply
    asks which."""
    spec, replies = said(plugins, folder, "tickets.csv, batch 32 and 3 epochs", "make it 16")
    assert spec["training"]["batch_size"] == 32 and spec["training"]["epochs"] == 3
    note = replies.split("make it 16", 1)[-1].split("\n")[0]
    assert "batch size" in note and "epochs" in note, replies


def test_make_it_a_value_only_one_field_takes(plugins: Any, folder: Path) -> None:
    """Of two numbers set the turn before, the one that can hold the value takes it (3e-5 is
    no number of epochs)."""
    spec, _ = said(plugins, folder, "tickets.csv, lr 1e-4 and 3 epochs", "too fast: make it 3e-5")
    assert spec["training"]["learning_rate"] == 3e-5 and spec["training"]["epochs"] == 3


def test_a_trainer_name_with_no_setting_is_said(plugins: Any, folder: Path) -> None:
    """transformers' names tunekit has no setting for are said, never dropped, and their
    value is not taken for another setting (1e-6 is no learning rate here)."""
    spec, replies = said(plugins, folder, "tickets.csv, num_train_epochs=2, save_total_limit=3, "
                         "adam_epsilon=1e-6, metric_for_best_model='f1', warmup_step=10")
    assert spec["training"]["epochs"] == 2 and spec["training"]["learning_rate"] is None
    assert spec["training"]["early_stopping"]["metric"] == "f1"
    assert "Not taken: save_total_limit=3" in replies and "adam_epsilon=1e-6" in replies
    assert "did you mean warmup_steps" in replies, replies
