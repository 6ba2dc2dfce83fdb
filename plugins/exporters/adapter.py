"""``adapter``: the peft adapter alone (adapter_config.json + adapter_model.safetensors).

A few megabytes instead of the whole model: load it with peft on top of the base model the run
started from (``AutoPeftModelForSequenceClassification.from_pretrained(folder, id2label=...,
label2id=...)``, the card shows the call with the run's labels, or
``PeftModel.from_pretrained(base, folder)``); adapter_config.json names that
model by its Hub id where the backbone has one (``sentence-transformers/all-MiniLM-L6-v2`` for
``minilm-l6``), not by a folder on the machine that trained it. The new task head trained in
full next to the adapters (LoRA's ``modules_to_save``), so its weights are saved with them; the
folder also holds the tokenizer (or image processor), ``labels.json`` (the labels in the order
of the head's outputs) and the model card as README.md, in place of peft's unfilled template.
"""

from __future__ import annotations

from pathlib import Path

import tunekit

from .card import LICENSE, adapter_usage, write_card
from .model_files import ALL_TASKS, files_in, has_adapter, save_adapter, write_labels


def export(context: tunekit.ExportContext) -> list[Path]:
    if not has_adapter(context.model):
        strategy = (context.spec.get("strategy") or {}).get("name", "?")
        raise tunekit.SpecError(
            f"the run's strategy {strategy!r} trained no adapter, so there is none to export",
            where="exporters.adapter",
            hint="train with strategy: lora, or export the whole model with the huggingface "
                 "or safetensors exporter")
    # the adapters and the trained head (modules_to_save), nothing of the frozen base
    save_adapter(context)
    context.tokenizer.save_pretrained(context.directory)
    write_labels(context)
    write_card(context, adapter_usage(context), library_name="peft", tags=("lora",))
    return files_in(context.directory)


@tunekit.hookimpl
def register_exporters(register):
    register(tunekit.Exporter(
        name="adapter",
        title="LoRA adapter alone",
        description="Only the trained LoRA adapter and head (adapter_config.json and "
                    "adapter_model.safetensors, a few megabytes), to load with peft on top of "
                    "the base model. Needs the lora strategy.",
        # not "adapter only": the assistant reads that as huggingface's adapter_only option
        aliases=("adapter alone", "just the adapter", "adapter weights", "adapter files",
                 "peft adapter files"),
        tasks=ALL_TASKS,
        params=(LICENSE,),
        export=export,
    ))
