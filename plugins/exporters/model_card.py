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


# per task: the Hub's pipeline tag, what the model does, what it always does wrong, and the
# transformers pipeline that runs it
TASKS: dict[str, dict[str, str]] = {
    "text-classification": {
        "pipeline": "text-classification", "title": "Text classifier",
        "does": "reads a short text and predicts one of {n} labels: {labels}",
        "use": "Classifying texts like those it was trained on into the labels above",
        "limit": "It always answers with one of its labels, even for text that fits none of "
                 "them.",
        "example": '"your text here"'},
    "text-regression": {
        "pipeline": "text-classification", "title": "Text regressor",
        "does": "reads a short text and predicts a number",
        "use": "Scoring texts like those it was trained on",
        "limit": "Its answers stay near the range of the training targets; it has no way to "
                 "say it is unsure.",
        "example": '"your text here", function_to_apply="none"'},
    "token-classification": {
        "pipeline": "token-classification", "title": "Token tagger",
        "does": "tags each word of a sentence with one of {n} tags ({labels}) to find "
                "entities",
        "use": "Finding entities of the tagged types in text like the training sentences",
        "limit": "It only finds the entity types it was trained on, and misses names "
                 "unlike any it saw.",
        "example": '"Ada Lovelace visited Paris", aggregation_strategy="first"'},
    "image-classification": {
        "pipeline": "image-classification", "title": "Image classifier",
        "does": "looks at an image and predicts one of {n} labels: {labels}",
        "use": "Classifying images like those it was trained on into the labels above",
        "limit": "It always answers with one of its labels, even for images that fit none "
                 "of them.",
        "example": '"photo.jpg"'},
    "causal-lm": {
        "pipeline": "text-generation", "title": "Fine-tuned language model",
        "does": "continues a prompt in the style of its training examples",
        "use": "Answering prompts like those it was trained on, with a person reviewing the "
               "output",
        "limit": "It can state false things fluently and repeat what it saw in training; "
                 "it has no safety tuning beyond its base model's.",
        "example": '"your prompt here", max_new_tokens=64'},
}


def _data_table(data: dict[str, Any], task: str) -> str:
    classes = data.get("train_classes") or {}
    if classes:
        rows = "\n".join(f"| {label} | {count} |" for label, count in classes.items())
        return f"| label | training examples |\n|---|---|\n{rows}"
    target = data.get("train_target")
    if target:
        return _table([(k, str(v)) for k, v in target.items()])
    tags = data.get("train_tags") or data.get("train_entities")
    if tags:
        return _table([(k, str(v)) for k, v in tags.items()])
    return ""


def render(context: tunekit.ExportContext) -> str:
    data, training, spec = context.data, context.training, context.spec
    task = TASKS.get(context.task, TASKS["text-classification"])
    sizes = data.get("sizes", {})
    classes = data.get("train_classes", {})
    labels = ", ".join(f"`{label}`" for label in context.labels)
    front = "\n".join([
        "---",
        "library_name: transformers",
        f"pipeline_tag: {task['pipeline']}",
        f"tags: [tunekit, {context.task}]",
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
        ("max length", "images" if context.task == "image-classification"
         else f"{training['max_length']} tokens"),
        ("seed", str(training["seed"])),
    ])
    smallest = f"; the smallest class has {min(classes.values())}" if classes else ""
    limits = [
        f"- Trained on {sizes.get('train', 0)} examples{smallest}. Expect it to do worse on "
        "inputs unlike its training data (other topics, other wording, other languages, other "
        "kinds of pictures).",
        f"- {task['limit']}",
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
    heading = f"{task['title']}: {', '.join(context.labels)}" if context.labels and \
        context.task != "token-classification" else task["title"]
    does = task["does"].format(n=len(context.labels), labels=labels)
    return f"""{front}

# {heading}

Fine-tuned with tunekit (run {context.run_id}, {date.today().isoformat()}). It {does}.

## Intended use

{task['use']}, as a helper whose mistakes a person can catch.

## Limitations

{chr(10).join(limits)}

## Training data

Source: {data.get('source', 'unknown')}. Examples: {sizes.get('train', 0)} train,
{sizes.get('validation', 0)} validation, {sizes.get('test', 0)} test.{augmentation}

{_data_table(data, context.task)}

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
model = pipeline("{task['pipeline']}", model="{context.directory.parent / 'huggingface'}")
model({task['example']})
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
        tasks=tuple(TASKS),
        export=export,
    ))
