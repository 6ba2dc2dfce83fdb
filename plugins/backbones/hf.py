"""``hf``: any transformers model, by Hugging Face model id or local folder."""

from __future__ import annotations

from typing import Any

import tunekit

from .transformers_models import AUTO_CLASSES, PRETRAINED, build_model, load_tokenizer


def build(options: dict[str, Any], request: tunekit.ModelRequest) -> tunekit.BuiltModel:
    return build_model(options["model"], request, pretrained=options["pretrained"],
                            trust_remote_code=options["trust_remote_code"],
                            revision=options["revision"])


def tokenizer(options: dict[str, Any]) -> Any:
    return load_tokenizer(options["model"], trust_remote_code=options["trust_remote_code"],
                          revision=options["revision"])


@tunekit.hookimpl
def register_backbones(register):
    register(tunekit.Backbone(
        name="hf",
        title="Hugging Face model",
        description="Any transformers model: a model id from the Hugging Face Hub (or its "
                    "cache) or a local folder with config.json and weights. Text models "
                    "(BERT- or GPT-style) classify, regress, tag tokens or generate; vision "
                    "models (ViT, ResNet, ConvNeXt) classify images.",
        tasks=tuple(AUTO_CLASSES),
        aliases=("hugging face", "huggingface", "transformers", "model id", "local model",
                 "custom model", "hub"),
        # decoder families: named with no task word ("fine-tune llama on my chats"), they
        # generate text
        model_families={
            r"llama\d*|tinyllama|codellama|mistral|mixtral|qwen\d*(?:\.\d+)?|gpt-?2|distilgpt2|"
            r"gpt-?neo\w*|gpt-?j|phi-?\d+(?:\.\d+)?|phi|gemma\d*|smollm\d*|falcon|pythia|"
            r"olmo\d*|deepseek|starcoder\d*|bloomz?|stablelm|granite|zephyr|vicuna|"
            r"open-?llama": "causal-lm"},
        params=(
            tunekit.Param(name="model", type=str, required=True,
                          help="a model id such as distilbert-base-uncased, or a local folder"),
            tunekit.Param(name="revision", type=str, help="a branch, tag or commit of the model"),
            tunekit.Param(name="trust_remote_code", type=bool, default=False,
                          help="run the model's own Python code (only for models you trust)"),
            PRETRAINED,
        ),
        build=build,
        load_tokenizer=tokenizer,
    ))
