"""What the model exporters share: the tasks they serve, the trained model as a plain
transformers model (a LoRA adapter merged into a copy), its labels, and the run's examples as
model inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tunekit

# every task family the engine trains: these exporters write whatever model the run made
ALL_TASKS = ("text-classification", "text-regression", "token-classification",
             "image-classification", "causal-lm")
LABELS_FILE = "labels.json"
ADAPTER_CONFIG = "adapter_config.json"
# the tasks whose outputs are named classes (config.json's id2label and label2id)
NAMED_OUTPUTS = ("text-classification", "token-classification", "image-classification")


def has_adapter(model: Any) -> bool:
    """Whether the run's strategy wrapped the model in a peft adapter (LoRA)."""
    return hasattr(model, "peft_config")


def merged_copy(model: Any) -> Any:
    """The trained model as a plain transformers model on the CPU, in eval mode, in the dtype
    it trained in: a copy, with a LoRA adapter merged into its base weights. The model the
    next exporter gets is untouched (merging changes weights in place, and unmerging does not
    give them back exactly)."""
    import copy

    clone = copy.deepcopy(model)
    if has_adapter(clone):
        clone = clone.merge_and_unload()
    return clone.to("cpu").eval()


def write_labels(context: tunekit.ExportContext, directory: Path | None = None) -> Path:
    """``labels.json``: the task and the labels in the order of the model's outputs."""
    path = (directory or context.directory) / LABELS_FILE
    path.write_text(json.dumps({"task": context.task, "labels": list(context.labels)},
                               indent=2) + "\n", encoding="utf-8")
    return path


def name_outputs(config: Any, context: tunekit.ExportContext) -> None:
    """Give ``config`` the run's label names (``id2label``, ``label2id``), so that pipelines
    answer ``positive``, not ``LABEL_1``, whatever the backbone wrote there."""
    labels = list(context.labels)
    if context.task not in NAMED_OUTPUTS or not labels or \
            getattr(config, "num_labels", len(labels)) != len(labels):
        return
    config.id2label = dict(enumerate(labels))
    config.label2id = {label: i for i, label in enumerate(labels)}


def save_adapter(context: tunekit.ExportContext, directory: Path | None = None) -> None:
    """The run's peft adapter (and the head trained beside it) in ``directory``, its
    ``adapter_config.json`` naming the base model by its Hub id where the backbone has one
    (peft writes the folder the weights were read from: a path on this machine)."""
    directory = directory or context.directory
    context.model.save_pretrained(directory, safe_serialization=True)
    if not context.base_model:
        return
    path = directory / ADAPTER_CONFIG
    settings = json.loads(path.read_text(encoding="utf-8"))
    settings["base_model_name_or_path"] = context.base_model
    path.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def files_in(directory: Path) -> list[Path]:
    """Every file written under ``directory``, in a stable order (one artifact each)."""
    return sorted(p for p in directory.rglob("*") if p.is_file())


def example_batches(context: tunekit.ExportContext, model: Any, limit: int,
                    batch_size: int = 16) -> list[dict[str, Any]]:
    """Up to ``limit`` of the run's validation examples (test, then train, when it has none)
    encoded and collated by the run's task: the tensors the model is called with, without
    the targets."""
    from tunekit.tasks import get_task

    splits = context.splits
    rows = []
    if splits is not None:
        rows = list(splits.validation or splits.test or splits.train or [])[:limit]
    if not rows:
        raise tunekit.TunekitError(
            "no examples of the run to check the exported model on", where="exporter",
            hint="export from a run (the engine hands exporters the run's splits)")
    task = get_task(context.task)
    built = tunekit.BuiltModel(model=model, tokenizer=context.tokenizer,
                               source=str(context.training.get("backbone_source", "")),
                               max_length=int(context.training.get("max_length") or 512))
    label_ids = {label: i for i, label in enumerate(context.labels)}
    features = task.encode(rows, built, label_ids, built.max_length)
    batches = []
    for start in range(0, len(features), batch_size):
        batch = task.collate(features[start:start + batch_size], built, train=False)
        batches.append({k: v for k, v in batch.items() if k != "labels"})
    return batches
