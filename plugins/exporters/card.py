"""The model card every export folder carries as its README.md, built with huggingface_hub's
``ModelCard`` and ``ModelCardData``: front matter the Hub reads (``base_model``, ``license``,
``datasets``, ``pipeline_tag``, ``library_name``, ``tags``, and a ``model-index`` holding the
run's final validation and test metrics), then what the model is, what it was trained on, how
well it does and where it should not be used. The ``model-card`` exporter writes it alone;
``huggingface``, ``adapter`` and ``onnx`` write it into their folders, each with its own
"how to use" section.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import tunekit

CARD_FILE = "README.md"

LICENSE = tunekit.Param(
    name="license", type=str, default="",
    help="the licence the model card gives, as the Hub names it (apache-2.0, mit, other); "
         "default: the base model's, where the backbone knows it")

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


def task_of(context: tunekit.ExportContext) -> dict[str, str]:
    """The card's words for the run's task."""
    return TASKS.get(context.task, TASKS["text-classification"])


def pipeline_usage(context: tunekit.ExportContext, folder: str, comment: str = "") -> str:
    """How to use: the transformers pipeline of the task on ``folder`` (``comment`` above
    it, a Python comment)."""
    task = task_of(context)
    return f"""```python
from transformers import pipeline

{comment}model = pipeline("{task['pipeline']}", model="{folder}")
model({task['example']})
```"""


# the transformers class that loads the task's model (the base an adapter goes on)
AUTO_CLASSES = {"text-classification": "AutoModelForSequenceClassification",
                "text-regression": "AutoModelForSequenceClassification",
                "token-classification": "AutoModelForTokenClassification",
                "image-classification": "AutoModelForImageClassification",
                "causal-lm": "AutoModelForCausalLM"}


# peft's class that reads adapter_config.json, loads the base model it names with the task's
# transformers class, and puts the adapter on it (peft has none for images)
AUTO_PEFT_CLASSES = {"text-classification": "AutoPeftModelForSequenceClassification",
                     "text-regression": "AutoPeftModelForSequenceClassification",
                     "token-classification": "AutoPeftModelForTokenClassification",
                     "causal-lm": "AutoPeftModelForCausalLM"}


def head_arguments(context: tunekit.ExportContext) -> str:
    """The keyword arguments that give the base model the run's head: its size and, for
    classifiers, the label names (the base model's own config.json has none of them, so
    without these the outputs are called LABEL_0, LABEL_1)."""
    if context.task in ("text-classification", "token-classification",
                        "image-classification"):
        id2label = dict(enumerate(context.labels))
        label2id = {name: i for i, name in id2label.items()}
        return f",\n    id2label={id2label!r},\n    label2id={label2id!r}"
    if context.task == "text-regression":
        return ", num_labels=1"
    return ""


def adapter_usage(context: tunekit.ExportContext, folder: str = "path/to/this/folder") -> str:
    """How to use: peft's auto class on ``folder`` where adapter_config.json names a Hub
    model it can load; otherwise the base model with its new head, and the adapter on it."""
    heads = head_arguments(context)
    auto_peft = AUTO_PEFT_CLASSES.get(context.task)
    if context.base_model and auto_peft:
        # peft passes the keyword arguments on to the base model's from_pretrained, which is
        # where the head's size and label names must go; it reads no config.json of ours
        load = f"""from peft import {auto_peft}

# the base model from the Hub, then the adapter and the trained head from this folder
model = {auto_peft}.from_pretrained(
    "{folder}"{heads})"""
    else:
        auto = AUTO_CLASSES.get(context.task, AUTO_CLASSES["text-classification"])
        base = context.base_model or "the base model (its folder or Hub id)"
        load = f"""from peft import PeftModel
from transformers import {auto}

base = {auto}.from_pretrained(
    "{base}"{heads})
model = PeftModel.from_pretrained(base, "{folder}")  # the adapter and the trained head"""
    return f"""```python
{load}
```

The tokenizer (or image processor) is saved in this folder too; `labels.json` lists the
labels in the order of the model's outputs."""


def onnx_usage(context: tunekit.ExportContext, folder: str = "path/to/this/folder") -> str:
    """How to use: the graph in onnxruntime, its inputs made by the saved preprocessor."""
    if context.task == "image-classification":
        prepare = ("from PIL import Image\nfrom transformers import AutoImageProcessor\n\n"
                   f'processor = AutoImageProcessor.from_pretrained("{folder}")\n'
                   'inputs = processor(images=[Image.open("photo.jpg")], return_tensors="np")')
    else:
        prepare = ("from transformers import AutoTokenizer\n\n"
                   f'tokenizer = AutoTokenizer.from_pretrained("{folder}")\n'
                   'inputs = tokenizer(["your text here"], return_tensors="np")')
    return f"""```python
import onnxruntime
{prepare}

session = onnxruntime.InferenceSession("{folder}/model.onnx")
logits = session.run(["logits"], {{i.name: inputs[i.name] for i in session.get_inputs()}})[0]
```

`config.json` names the outputs (`AutoConfig.from_pretrained(folder).id2label`);
`parity.json` records how closely the graph matches the PyTorch model."""


def write_card(context: tunekit.ExportContext, usage: str, *,
               library_name: str = "transformers", tags: tuple[str, ...] = (),
               directory: Path | None = None) -> Path:
    """Write the model card as ``README.md`` in ``directory`` (the exporter's own by default);
    ``usage`` is the "How to use" section (Markdown) for the folder it describes."""
    path = (directory or context.directory) / CARD_FILE
    build_card(context, usage, library_name=library_name, tags=tags).save(path)
    return path


def build_card(context: tunekit.ExportContext, usage: str, *,
               library_name: str = "transformers", tags: tuple[str, ...] = ()) -> Any:
    """The run's model card (a ``huggingface_hub.ModelCard``)."""
    from huggingface_hub import ModelCard

    data = card_data(context, library_name=library_name, tags=tags)
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n{body(context, usage)}")


def model_name(context: tunekit.ExportContext) -> str:
    """The model's name in the model-index (the Hub shows it above the scores)."""
    backbone = (context.spec.get("backbone") or {}).get("name", "model")
    return f"{backbone}-{context.task}-tunekit-run-{context.run_id}"


def card_data(context: tunekit.ExportContext, *, library_name: str = "transformers",
              tags: tuple[str, ...] = ()) -> Any:
    """The card's front matter (a ``huggingface_hub.ModelCardData``)."""
    from huggingface_hub import ModelCardData

    dataset = context.data.get("hub_id")
    chosen = context.options.get("license") or context.base_license
    results = eval_results(context)
    return ModelCardData(
        base_model=context.base_model or None, license=chosen or None,
        datasets=[dataset] if dataset else None, library_name=library_name,
        pipeline_tag=task_of(context)["pipeline"],
        tags=list(dict.fromkeys(["tunekit", context.task, *tags])),
        metrics=sorted({r.metric_type for r in results}) or None,
        model_name=model_name(context), eval_results=results or None)


def _scores_of(metrics: dict[str, Any] | None) -> dict[str, float]:
    """The numbers of ``metrics`` the Hub can show (no NaN, no tables such as a confusion
    matrix)."""
    return {name: float(value) for name, value in (metrics or {}).items()
            if isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value)}


def eval_results(context: tunekit.ExportContext) -> list[Any]:
    """The model-index entries: every final validation metric, then every test metric."""
    from huggingface_hub import EvalResult

    dataset = context.data.get("hub_id") or \
        (context.spec.get("dataset") or {}).get("name", "dataset")
    source = str(context.data.get("source") or dataset)
    results = []
    for split, metrics in (("validation", context.metrics), ("test", context.test_metrics)):
        for name, value in _scores_of(metrics).items():
            results.append(EvalResult(
                task_type=task_of(context)["pipeline"], dataset_type=dataset,
                dataset_name=source, dataset_split=split, metric_type=name,
                metric_name=f"{split} {name}", metric_value=value))
    return results


def _table(rows: list[tuple[str, str]]) -> str:
    lines = ["| | |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def _scores(metrics: dict[str, Any] | None) -> str:
    if not metrics:
        return "_not evaluated_"
    rows = [f"| {name} | {value:.4f} |" for name, value in metrics.items()
            if isinstance(value, int | float)]
    return "\n".join(["| metric | value |", "|---|---|", *rows])


def _data_table(data: dict[str, Any]) -> str:
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


def _hyperparameters(context: tunekit.ExportContext) -> str:
    training, spec = context.training, context.spec
    trainable, total = training["trainable_parameters"], training["total_parameters"]
    source = str(training.get("backbone_source", ""))
    base = f"; on the Hub: `{context.base_model}`" \
        if context.base_model and context.base_model not in source else ""
    return _table([
        ("backbone", f"{spec['backbone']['name']} ({source}{base})"),
        ("strategy", training["strategy"]),
        ("trainable parameters",
         f"{trainable:,} of {total:,} ({100 * trainable / max(1, total):.2f}%)"),
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


def _limits(context: tunekit.ExportContext) -> str:
    sizes, classes = context.data.get("sizes", {}), context.data.get("train_classes", {})
    smallest = f"; the smallest class has {min(classes.values())}" if classes else ""
    return "\n".join([
        f"- Trained on {sizes.get('train', 0)} examples{smallest}. Expect it to do worse on "
        "inputs unlike its training data (other topics, other wording, other languages, other "
        "kinds of pictures).",
        f"- {task_of(context)['limit']}",
        "- It inherits the biases of its pretrained backbone and of its training data. Check it "
        "on examples from the people and cases it will serve before relying on it.",
        "- Do not use it alone for decisions with legal, medical, financial or safety "
        "consequences.",
    ])


def body(context: tunekit.ExportContext, usage: str) -> str:
    """The card's Markdown below the front matter."""
    data, task = context.data, task_of(context)
    sizes = data.get("sizes", {})
    labels = ", ".join(f"`{label}`" for label in context.labels)
    notes = "\n".join(f"- {n}" for n in data.get("notes", [])) or "- none"
    augmented = data.get("augmented")
    augmentation = "" if not augmented else (
        f" Augmented for training only: {augmented['rows_added']} perturbed copies added ("
        + ", ".join(f"{name} {n}" for name, n in augmented["by"].items())
        + "); validation and test are as read.")
    heading = f"{task['title']}: {', '.join(context.labels)}" if context.labels and \
        context.task != "token-classification" else task["title"]
    does = task["does"].format(n=len(context.labels), labels=labels)
    base = f" from [`{context.base_model}`](https://huggingface.co/{context.base_model})" \
        if context.base_model else ""
    return f"""# {heading}

Fine-tuned{base} with tunekit (run {context.run_id}, {date.today().isoformat()}). It {does}.

## Intended use

{task['use']}, as a helper whose mistakes a person can catch.

## Limitations

{_limits(context)}

## Training data

Source: {data.get('source', 'unknown')}. Examples: {sizes.get('train', 0)} train,
{sizes.get('validation', 0)} validation, {sizes.get('test', 0)} test.{augmentation}

{_data_table(data)}

Notes from loading:
{notes}

## Training procedure

{_hyperparameters(context)}

## Evaluation

Validation (the split used to choose when to stop):

{_scores(context.metrics)}

Test (held out, evaluated once at the end):

{_scores(context.test_metrics)}

## How to use

{usage}
"""
