"""Every task in ordinary words, typos tolerated: the phrasing table per task, read through the
real assistant against the installed catalog."""

from __future__ import annotations

from typing import Any

import pytest
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant
from tunekit.ui.assistant.fuzzy import correct
from tunekit.ui.assistant.task_words import stem

TASK_PHRASES = {
    "text-regression": [
        "this is a regression problem", "fit a regressor", "regresion please",
        "predict the selling price of each listing", "guess a person's age from their bio",
        "output the score as a number", "the outputs are continuous values",
        "forecast monthly sales from the report text", "text regression",
        "estimate how many stars each review gets",
    ],
    "token-classification": [
        "tag the named entities", "recognise entities in sentences", "a part-of-speech tagger",
        "named entity recognition", "token classification", "extract entities from news",
        "ner please", "sequence labeling on my sentences",
    ],
    "image-classification": [
        "classify my photos", "sort the pictures into classes", "image classification",
        "classify x-rays", "recognise objects in images", "an image classifier",
        "classify the product images into categories",
    ],
    "causal-lm": [
        "instruction-tune a model", "instruct tuning", "instruction tuned model",
        "make a chatbot", "sft", "chat fine-tuning", "fine-tune an llm",
        "teach it to follow instructions", "continue pretraining on my texts",
        "causal language modelling", "so it writes like me",
    ],
    "text-classification": [
        "a logistic regression head on top", "classify tickets by topic",
        "sentiment of reviews",
    ],
}
CASES = [(phrase, task) for task, phrases in TASK_PHRASES.items() for phrase in phrases]


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


@pytest.mark.parametrize(("said", "task"), CASES)
def test_each_task_in_ordinary_words(said: str, task: str, plugins: Any) -> None:
    reply = Assistant(plugins).respond(said)
    assert reply.spec is None or reply.spec["task"] == task, reply.text
    assistant = Assistant(plugins)
    assistant.respond(said)
    assert assistant.draft.get("task", "text-classification") == task


@pytest.mark.parametrize(("typed", "meant"), [
    ("3 epcohs", "3 epochs"), ("the learnign rate", "the learning rate"),
    ("bacth size 8", "batch size 8"), ("regresion", "regression"),
    ("instrucion tuning", "instruction tuning"),
    # ordinary words and other forms of known words stay as typed
    ("later on", "later on"), ("unfreeze progressively", "unfreeze progressively"),
    ("data/epcohs.csv", "data/epcohs.csv"),
])
def test_typos_are_read_as_the_word_meant(typed: str, meant: str) -> None:
    assert correct(typed, ("progressive",)) == meant


def test_typos_in_settings_set_them(plugins: Any) -> None:
    reply = Assistant(plugins).respond("set the learnign rate to 5e-5, 3 epcohs and bacth size 8")
    assert reply.spec["training"]["learning_rate"] == 5e-5, reply.text
    assert reply.spec["training"]["epochs"] == 3
    assert reply.spec["training"]["batch_size"] == 8


def test_stems_meet_the_forms_of_a_word() -> None:
    assert stem("tuning") == stem("tune") == stem("tuned")
    assert stem("instruction") == stem("instruct")
    assert stem("tagging") == stem("tag")
