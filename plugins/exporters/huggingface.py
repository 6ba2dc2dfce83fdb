"""``huggingface``: a folder ready to push to the Hugging Face Hub, which transformers' Auto
classes and pipelines load: config.json (with the run's label names as ``id2label``),
safetensors weights, the tokenizer (or image processor), and the model card as README.md.

LoRA adapters are merged into the base weights by default, so the folder is a plain model;
``adapter_only: true`` saves the adapter alone (load it with peft on top of the base model,
which adapter_config.json names by its Hub id where the backbone has one).
"""

from __future__ import annotations

from pathlib import Path

import tunekit

from .card import LICENSE, adapter_usage, pipeline_usage, write_card
from .model_files import ALL_TASKS, has_adapter, merged_copy, name_outputs, save_adapter


def export(context: tunekit.ExportContext) -> list[Path]:
    from transformers.utils import logging

    logging.disable_progress_bar()  # no "writing shards" bar in the user's console
    model = context.model
    adapter_only = context.options["adapter_only"]
    if adapter_only and not has_adapter(model):
        raise tunekit.SpecError("adapter_only needs the lora strategy (this run has no adapter)",
                                where="exporters.huggingface.adapter_only")
    if adapter_only:
        save_adapter(context)
    else:
        # a merged copy: the next exporter gets the model untouched
        model = merged_copy(model) if has_adapter(model) else model
        name_outputs(model.config, context)
        model.save_pretrained(context.directory, safe_serialization=True)
    context.tokenizer.save_pretrained(context.directory)
    if adapter_only:
        write_card(context, adapter_usage(context), library_name="peft", tags=("lora",))
    else:
        write_card(context, pipeline_usage(context, "path/to/this/folder",
                                           "# this folder, or its Hub id once pushed\n"))
    return [context.directory]


@tunekit.hookimpl
def register_exporters(register):
    register(tunekit.Exporter(
        name="huggingface",
        # save_pretrained writes any transformers model, whatever its head
        tasks=ALL_TASKS,
        title="Hugging Face folder",
        description="A model folder (config, safetensors weights, tokenizer or image "
                    "processor) that transformers' Auto classes and pipelines load; LoRA "
                    "adapters are merged in unless adapter_only is set.",
        aliases=("hf", "transformers", "save_pretrained", "hugging face folder", "model folder",
                 "hugging face format", "transformers format"),
        params=(tunekit.Param(name="adapter_only", type=bool, default=False,
                              help="with LoRA, save only the adapter instead of a merged model"),
                LICENSE),
        export=export,
    ))
