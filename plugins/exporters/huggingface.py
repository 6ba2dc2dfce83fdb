"""``huggingface``: a save_pretrained folder that transformers' Auto classes load.

LoRA adapters are merged into the base weights by default, so the folder is a plain model;
``adapter_only: true`` saves the adapter alone (load it with peft on top of the base model).
"""

from __future__ import annotations

import copy
from pathlib import Path

import tunekit


def export(context: tunekit.ExportContext) -> list[Path]:
    from transformers.utils import logging

    logging.disable_progress_bar()  # no "writing shards" bar in the user's console
    model = context.model
    is_peft = hasattr(model, "peft_config")
    if is_peft and not context.options["adapter_only"]:
        model = copy.deepcopy(model).merge_and_unload()
    elif context.options["adapter_only"] and not is_peft:
        raise tunekit.SpecError("adapter_only needs the lora strategy (this run has no adapter)",
                                where="exporters.huggingface.adapter_only")
    model.save_pretrained(context.directory, safe_serialization=True)
    context.tokenizer.save_pretrained(context.directory)
    return [context.directory]


@tunekit.hookimpl
def register_exporters(register):
    register(tunekit.Exporter(
        name="huggingface",
        # save_pretrained writes any transformers model, whatever its head
        tasks=("text-classification", "text-regression", "token-classification",
               "image-classification", "causal-lm"),
        title="Hugging Face folder",
        description="A model folder (config, safetensors weights, tokenizer or image "
                    "processor) that transformers' Auto classes and pipelines load; LoRA "
                    "adapters are merged in unless adapter_only is set.",
        aliases=("hf", "transformers", "save_pretrained", "hugging face folder", "model folder",
                 "hugging face format", "transformers format"),
        params=(tunekit.Param(name="adapter_only", type=bool, default=False,
                              help="with LoRA, save only the adapter instead of a merged model"),),
        export=export,
    ))
