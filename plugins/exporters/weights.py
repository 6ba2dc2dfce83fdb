"""``safetensors``: the trained weights alone, in safetensors, with config.json and labels.json.

No tokenizer and no code: a LoRA adapter is merged into (a copy of) the base weights first,
so ``model.safetensors`` holds a plain model that the class named in config.json
(``architectures``) loads with ``from_pretrained(folder)``; the tokenizer is the backbone's.
"""

from __future__ import annotations

from pathlib import Path

import tunekit

from .model_files import ALL_TASKS, files_in, merged_copy, name_outputs, write_labels


def export(context: tunekit.ExportContext) -> list[Path]:
    from transformers.utils import logging

    logging.disable_progress_bar()
    model = merged_copy(context.model)
    name_outputs(model.config, context)
    model.save_pretrained(context.directory, safe_serialization=True)
    write_labels(context)
    return files_in(context.directory)


@tunekit.hookimpl
def register_exporters(register):
    register(tunekit.Exporter(
        name="safetensors",
        title="Safetensors weights",
        description="The trained weights alone: model.safetensors with config.json and "
                    "labels.json, LoRA merged in; no tokenizer. For serving stacks that bring "
                    "their own tokenizer, or to keep a run's weights small and safe to load.",
        aliases=("weights only", "safetensors weights", "merged weights", "just the weights",
                 "safetensors file"),
        tasks=ALL_TASKS,
        export=export,
    ))
