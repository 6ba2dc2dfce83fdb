"""``model-card``: a README.md that says what the model is, what it was trained on and how well
it does, and where it should not be used (transparency about data and models)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import tunekit


def _table(rows: list[tuple[str, str]]) -> str:
    lines = ["| | |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def _scores(metrics: dict[str, Any] | None) -> str:
    if not metrics:
        return "_not evaluated_"
    rows = [f"| {name} | {value:.4f} |" for name, value in metrics.items()
            if isinstance(value, int | float)]
    return "\n".join(["| metric | value |", "|---|---|", *rows])


def render(context: tunekit.ExportContext) -> str:
    data, training, spec = context.data, context.training, context.spec
    sizes = data.get("sizes", {})
    classes = data.get("train_classes", {})
    smallest = min(classes.values()) if classes else 0
    front = "\n".join([
        "---",
        "library_name: transformers",
        "pipeline_tag: text-classification",
        "tags: [tunekit, text-classification]",
        "---",
    ])
    hyper = _table([
        ("backbone", f"{spec['backbone']['name']} ({training.get('backbone_source', '')})"),
        ("strategy", training["strategy"]),
        ("trainable parameters",
         f"{training['trainable_parameters']:,} of {training['total_parameters']:,} "
         f"({100 * training['trainable_parameters'] / max(1, training['total_parameters']):.2f}%)"),
        ("learning rate", f"{training['learning_rate']:g}"),
        ("epochs", f"{training['epochs_trained']} of {training['epochs']} planned"
         + (f"; weights of epoch {training['best_epoch']}, the best on validation"
            if training.get("best_epoch") else "")),
        ("batch size", str(training["batch_size"])),
        ("weight decay", str(training["weight_decay"])),
        ("dropout", "the backbone's default" if training.get("dropout") is None
         else str(training["dropout"])),
        ("max length", f"{training['max_length']} tokens"),
        ("seed", str(training["seed"])),
    ])
    class_rows = "\n".join(f"| {label} | {count} |" for label, count in classes.items())
    limits = [
        f"- Trained on {sizes.get('train', 0)} examples; the smallest class has {smallest}. "
        "Expect it to do worse on text unlike its training data (other topics, other wording, "
        "other languages).",
        "- It always answers with one of its labels, even for text that fits none of them.",
        "- It inherits the biases of its pretrained backbone and of its training data. Check it "
        "on examples from the people and cases it will serve before relying on it.",
        "- Do not use it alone for decisions with legal, medical, financial or safety "
        "consequences.",
    ]
    notes = "\n".join(f"- {n}" for n in data.get("notes", [])) or "- none"
    augmented = data.get("augmented")
    augmentation = "" if not augmented else (
        f" Augmented for training only: {augmented['rows_added']} perturbed copies added ("
        + ", ".join(f"{name} {n}" for name, n in augmented["by"].items())
        + "); validation and test are as read.")
    return f"""{front}

# Text classifier: {', '.join(context.labels)}

Fine-tuned with tunekit (run {context.run_id}, \
{date.today().isoformat()}). It reads a short English text and predicts one of
{len(context.labels)} labels: {', '.join(f'`{label}`' for label in context.labels)}.

## Intended use

Classifying texts like those it was trained on into the labels above, as a helper whose
mistakes a person can catch.

## Limitations

{chr(10).join(limits)}

## Training data

Source: {data.get('source', 'unknown')}. Examples: {sizes.get('train', 0)} train,
{sizes.get('validation', 0)} validation, {sizes.get('test', 0)} test.{augmentation}

| label | training examples |
|---|---|
{class_rows}

Notes from loading:
{notes}

## Training procedure

{hyper}

## Evaluation

Validation (the split used to choose when to stop):

{_scores(context.metrics)}

Test (held out, evaluated once at the end):

{_scores(context.test_metrics)}

## How to use

```python
from transformers import pipeline

# the model folder written by the huggingface exporter (copy this card into it as README.md
# when you publish it)
classify = pipeline("text-classification", model="{context.directory.parent / 'huggingface'}")
classify("your text here")
```
"""


def export(context: tunekit.ExportContext) -> list[Path]:
    path = context.directory / "README.md"
    path.write_text(render(context), encoding="utf-8")
    return [path]


@tunekit.hookimpl
def register_exporters(register):
    register(tunekit.Exporter(
        name="model-card",
        title="Model card",
        description="A README.md model card: the data, the strategy, the trainable parameters, "
                    "the metrics, the intended use and the limits.",
        aliases=("card", "model card", "readme", "documentation", "model documentation"),
        export=export,
    ))
