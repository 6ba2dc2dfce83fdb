"""Causal-LM requests around the Hub and what tunekit lacks: a decoder model's Hub id with a
Hub instruction dataset is causal-lm; a Hub dataset's splits named in words (also in a later
turn) are its split options; 4-bit / 8-bit loading (QLoRA, bitsandbytes) is said to be
unavailable with what is (LoRA, bf16); metrics of generated text that are not installed
(BLEU, ROUGE...) are said, not dropped. In phrasings of our own."""

from __future__ import annotations

from pathlib import Path

import pytest
from assistant_talk import talk

HUB_PAIRS = [
    "fine-tune Qwen/Qwen2.5-0.5B on tatsu-lab/alpaca",
    "finetune meta-llama/Llama-3.2-1B with the yahma/alpaca-cleaned dataset from the hub",
    "sft mistralai/Mistral-7B-v0.1 on HuggingFaceH4/ultrachat_200k",
    "TinyLlama/TinyLlama-1.1B-Chat-v1.0 on databricks/databricks-dolly-15k, 1 epoch",
]


@pytest.mark.parametrize("said", HUB_PAIRS)
def test_a_decoder_with_a_hub_dataset_is_causal_lm(manager, isolated: Path, said: str) -> None:
    spec, replies = talk(manager, isolated, said)
    assert spec["task"] == "causal-lm", replies
    assert spec["dataset"]["name"] == "hf-dataset" and "/" in spec["dataset"]["path"], replies


def test_a_decoder_asked_to_classify_a_hub_dataset_still_classifies(manager,
                                                                     isolated: Path) -> None:
    spec, replies = talk(manager, isolated, "classify stanfordnlp/imdb sentiment with "
                                            "Qwen/Qwen2.5-0.5B")
    assert spec["task"] == "text-classification", replies


SPLITS = [
    (["use the train split and test on validation"], {"split": "train", "test": "validation"}),
    (["train on the train split, validate on the test split"],
     {"split": "train", "validation": "test"}),
    (["train_sft split for training and test_sft split for validation"],
     {"split": "train_sft", "validation": "test_sft"}),
    (["ok evaluate on the dev set", "and do the final test on the test split"],
     {"validation": "dev", "test": "test"}),
]


@pytest.mark.parametrize(("later", "expected"), SPLITS, ids=[" / ".join(s[0]) for s in SPLITS])
def test_hub_split_names_said_in_a_later_turn_are_taken(manager, isolated: Path,
                                                       later: list[str],
                                                       expected: dict) -> None:
    spec, replies = talk(manager, isolated, "fine-tune gpt2 on tatsu-lab/alpaca", *later)
    assert {k: spec["dataset"][k] for k in expected} == expected, replies
    assert spec["task"] == "causal-lm"


LOADING = [
    "gpt2 on the sample instructions, load_in_4bit=True",
    "sample instructions with gpt2 using bitsandbytes nf4",
    "gpt2, sample instructions, quantize the base model to 4 bit to save memory",
    "instruction tune gpt2 on the sample instructions, 8-bit loading",
    "qlora on gpt2 with the sample instructions pls",
    "gpt2 sample instructions, load the model in 8bit",
]


@pytest.mark.parametrize("said", LOADING)
def test_quantized_loading_is_said_with_what_there_is(manager, isolated: Path,
                                                     said: str) -> None:
    spec, replies = talk(manager, isolated, said)
    assert "can't load a model in 4-bit or 8-bit" in replies, replies
    assert "use LoRA" in replies and "bf16" in replies
    assert "quantized export" not in replies and "no setting of tunekit's" not in replies
    assert spec["task"] == "causal-lm" and spec["strategy"]["name"] == "lora"


def test_a_quantized_export_is_still_the_export_saying(manager, isolated: Path) -> None:
    spec, replies = talk(manager, isolated, "gpt2 sample instructions then quantize it to a "
                                            "4-bit GGUF for llama.cpp")
    assert "quantized export" in replies and "can't load a model" not in replies, replies


METRICS = [
    ("gpt2 sample instructions, evaluate with bleu", "BLEU is not installed"),
    ("gpt2 sample instructions, report rouge-l and perplexity", "ROUGE is not installed"),
    ("gpt2 sample instructions, metrics: exact match, bertscore",
     "BERTScore and exact match are not installed"),
    ("sample instructions + gpt2, track sacrebleu & meteor", "BLEU and METEOR are not installed"),
]


@pytest.mark.parametrize(("said", "told"), METRICS, ids=[m[0] for m in METRICS])
def test_generation_metrics_not_installed_are_said(manager, isolated: Path, said: str,
                                                   told: str) -> None:
    spec, replies = talk(manager, isolated, said)
    assert told in replies, replies
    assert "for causal-lm tunekit measures perplexity" in replies
    assert "perplexity" in [m["name"] if isinstance(m, dict) else m for m in spec["metrics"]]


def test_an_installed_metric_is_not_said_as_missing(manager, isolated: Path) -> None:
    spec, replies = talk(manager, isolated, "gpt2 on the sample instructions, report perplexity")
    assert "not installed" not in replies, replies
