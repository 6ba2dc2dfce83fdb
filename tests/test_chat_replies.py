"""Relative changes, settings inside question-shaped sentences, and replies that name what a
turn asked for but the spec cannot hold: read through the real assistant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


@pytest.fixture
def table(isolated: Path) -> Path:
    (isolated / "mail.csv").write_text("text,label\n" + "".join(
        f"mail {i},{'spam' if i % 2 else 'ham'}\n" for i in range(10)))
    return isolated


@pytest.mark.parametrize(("turns", "epochs"), [
    (["train for 3 epochs", "2 more epochs"], 5),
    (["4 epochs please", "another 3 epochs"], 7),
    (["train for 6 epochs", "two fewer epochs"], 4),
    (["train for 2 epochs", "add 1 epoch"], 3),
])
def test_more_and_fewer_change_the_current_value(plugins: Any, turns: list[str],
                                                 epochs: int) -> None:
    assistant = Assistant(plugins)
    for turn in turns:
        reply = assistant.respond(turn)
    assert reply.spec["training"]["epochs"] == epochs, reply.text


@pytest.mark.parametrize(("said", "path", "value"), [
    ("I'm not sure what is best, maybe freeze the bottom 2 layers and train on mail.csv?",
     "strategy.layers", 2),
    ("no idea which loss fits, but I need 3 epochs on mail.csv", "training.epochs", 3),
    ("Could you train on mail.csv with a batch size of 4?", "training.batch_size", 4),
])
def test_settings_inside_question_shaped_sentences_are_taken(table: Path, plugins: Any,
                                                             said: str, path: str,
                                                             value: Any) -> None:
    reply = Assistant(plugins).respond(said)
    section, key = path.split(".")
    assert reply.spec["dataset"]["path"] == "mail.csv", reply.text
    assert reply.spec[section][key] == value, reply.text


def test_a_pure_question_changes_nothing(plugins: Any) -> None:
    assistant = Assistant(plugins)
    before = assistant.spec()
    assistant.respond("should I use LoRA, or full fine-tuning?")
    assert assistant.spec() == before


@pytest.mark.parametrize(("said", "words"), [
    ("train on mail.csv and upload it to the hugging face hub afterwards", ["push", "hub"]),
    ("use the ag_news dataset from the hub", ["ag_news", "downloaded"]),
    ("train on mail.csv across 8 gpus", ["--processes 8"]),
    ("use qlora", ["QLoRA", "not built in", "use LoRA"]),
])
def test_what_is_not_taken_is_named(table: Path, plugins: Any, said: str,
                                    words: list[str]) -> None:
    text = Assistant(plugins).respond(said).text
    assert all(w in text for w in words), text


def test_qlora_is_not_offered_as_lora(plugins: Any) -> None:
    assistant = Assistant(plugins)
    before = assistant.spec()["strategy"]
    reply = assistant.respond("fine-tune with qlora in 4-bit")
    assert reply.spec["strategy"] == before, reply.text
    assert "QLoRA" in reply.text


def test_a_spec_naming_qlora_is_one_clear_error(plugins: Any) -> None:
    from tunekit.errors import UnknownComponentError
    from tunekit.spec import parse_spec

    with pytest.raises(UnknownComponentError) as info:
        parse_spec({"dataset": "sample-reviews", "strategy": "qlora"}, plugins)
    assert "unknown strategy 'qlora'" in str(info.value)
    assert 'Did you mean "lora"' in str(info.value)


@pytest.mark.parametrize(("said", "precision"), [
    ("use bf16", "bf16"), ("train in half precision", "fp16"), ("fp32 please", "fp32")])
def test_precision_words_set_training_precision(plugins: Any, said: str, precision: str) -> None:
    reply = Assistant(plugins).respond(said)
    assert reply.spec["training"]["precision"] == precision, reply.text
