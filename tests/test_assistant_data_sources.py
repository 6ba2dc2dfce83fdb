"""Where the data comes from, read from the words: a dataset named on the Hub, files of shapes
the readers cannot take, parquet previews, nested class folders, and the turns that want the
person's own data but name none.

Each table holds phrasings written for the cause, not the benchmark's words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


def talk(manager: Any, folder: Path, *turns: str) -> tuple[dict[str, Any], str]:
    """The spec after ``turns`` and every reply's text, joined."""
    assistant = Assistant(manager, base_dir=folder)
    replies = [assistant.respond(turn) for turn in turns]
    assert all(r.action is None for r in replies), "nothing launches without a yes"
    return assistant.spec(), "\n".join(r.text for r in replies)


# ---------------------------------------------------------------- a dataset on the Hub

HUB = [
    # (message, task, path, other dataset fields)
    ("fine tune on imdb from HF please", "text-classification", "imdb", {}),
    ("can you pull the rotten_tomatoes dataset off hugging face and classify sentiment",
     "text-classification", "rotten_tomatoes", {}),
    ("NER with the HuggingFace dataset conll2003, validate using the test split",
     "token-classification", "conll2003", {"validation": "test"}),
    ("tag entities, data is wnut_17 on the hub, tokens column tokens and tags column ner_tags",
     "token-classification", "wnut_17", {"tokens_column": "tokens", "tags_column": "ner_tags"}),
    ("image classifier on food101 from the datasets hub with microsoft/resnet-50",
     "image-classification", "food101", {}),
    ("classify pictures: mnist from hugginface, image column \"image\"",
     "image-classification", "mnist", {"image_column": "image"}),
    ("instruction-tune gpt2 on yahma/alpaca-cleaned from the hub", "causal-lm",
     "yahma/alpaca-cleaned", {}),
    ("language model: distilgpt2 on https://huggingface.co/datasets/roneneldan/TinyStories",
     "causal-lm", "roneneldan/TinyStories", {}),
]


@pytest.mark.parametrize("message, task, path, fields", HUB, ids=[h[0][:60] for h in HUB])
def test_a_hub_dataset_is_taken_with_its_id(plugins: Any, tmp_path: Path, message: str,
                                           task: str, path: str, fields: dict) -> None:
    spec, said = talk(plugins, tmp_path, message)
    hub = [c for c in plugins.components("dataset") if c.phrases]
    assert spec["dataset"]["name"] in {c.name for c in hub}, said
    assert spec["dataset"]["path"] == path, said
    assert spec["task"] == task, said
    for key, value in fields.items():
        assert spec["dataset"][key] == value, (key, said)
    assert "downloaded when the run starts" in said
    assert "can't fetch" not in said and "cannot find" not in said


@pytest.mark.parametrize("message", [
    "fine-tune bert from the hub on tickets.csv",
    "push the model to the hub afterwards",
    "train on tickets.csv and share it on hugging face",
])
def test_a_model_or_a_push_is_not_a_hub_dataset(plugins: Any, tmp_path: Path,
                                                message: str) -> None:
    (tmp_path / "tickets.csv").write_text("message,category\n" + "\n".join(
        f"ticket {i},{'a' if i % 2 else 'b'}" for i in range(12)) + "\n")
    spec, said = talk(plugins, tmp_path, message)
    assert spec["dataset"].get("path") in ("tickets.csv", None), said
