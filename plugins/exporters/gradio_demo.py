"""``gradio-demo``: a self-contained inference app for the trained model.

The folder holds ``app.py`` (gradio and a transformers pipeline for the task; it does not need
tunekit), ``demo.json`` (the task, title, labels, a few example inputs and, for causal-lm, the
prompt template the model trained with), ``model/`` (the model with a LoRA adapter merged
in, and its tokenizer or image processor), ``requirements.txt`` (pinned to the versions that
trained it) and a ``README.md`` whose front matter makes the folder a Hugging Face Space as
it is. ``python app.py`` serves it locally; ``tunekit demo RUN`` does that for a run
(``--share`` adds a public link behind a login).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tunekit

from .model_files import ALL_TASKS, merged_copy

TEMPLATE = Path(__file__).with_name("demo_app.py")
# what each task's demo does, in the README's words
DOES = {"text-classification": "puts a text in one of its classes",
        "text-regression": "scores a text with a number",
        "token-classification": "tags the words of a text",
        "image-classification": "puts an image in one of its classes",
        "causal-lm": "continues a prompt"}
PIPELINE_TAGS = {"text-regression": "text-classification", "causal-lm": "text-generation"}


def pinned_requirements() -> str:
    """gradio, transformers and torch at the versions installed here (a local build suffix
    such as ``+cpu`` dropped: the index has the plain version)."""
    from importlib.metadata import PackageNotFoundError, version

    lines = []
    for name in ("gradio", "transformers", "torch"):
        try:
            lines.append(f"{name}=={version(name).split('+')[0]}")
        except PackageNotFoundError:  # a lean install without the studio: the app's own bound
            lines.append(f"{name}>=6" if name == "gradio" else name)
    return "\n".join(lines) + "\n"


def _installed(name: str, otherwise: str) -> str:
    """The installed version of ``name``, or ``otherwise`` where it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name).split("+")[0]
    except PackageNotFoundError:
        return otherwise


def examples_of(context: tunekit.ExportContext, n: int) -> list[str]:
    """A few validation texts to click on (none for images)."""
    splits = context.splits
    if splits is None or context.task == "image-classification":
        return []
    rows = list(splits.validation or splits.test or [])
    texts = []
    for row in rows:
        text = row.get("text") if isinstance(row, dict) else None
        if text is None and isinstance(row, dict) and isinstance(row.get("tokens"), list):
            text = " ".join(str(t) for t in row["tokens"])
        if text is None and isinstance(row, dict):
            text = row.get("prompt") or row.get("instruction")
        if isinstance(text, str) and text.strip() and text not in texts:
            texts.append(text)
        if len(texts) == n:
            break
    return texts


def prompt_template(tokenizer: Any) -> list[str]:
    """causal-lm: the text before and after a prompt as the model saw prompts in training
    (its chat template, else tunekit's plain one; the beginning-of-sequence token first), as
    ``tunekit predict`` asks it. The app cannot import tunekit, so it gets them written."""
    from tunekit.tasks.causal_lm import prompt_pieces

    marker = "\ue000"  # a private-use character: in no template
    text = "".join(piece for piece, _ in prompt_pieces({"instruction": marker}, tokenizer)
                   if piece)
    bos = tokenizer.bos_token if tokenizer.bos_token_id is not None else None
    if bos and not text.startswith(bos):
        text = bos + text
    before, _, after = text.partition(marker)
    return [before, after]


def readme(title: str, task: str, labels: list[str], run_id: int) -> str:

    front = "\n".join([
        "---",
        f"title: {json.dumps(title)}",
        "emoji: 🔧",
        "colorFrom: blue",
        "colorTo: green",
        "sdk: gradio",
        f"sdk_version: {_installed('gradio', '6.0.0')}",
        "app_file: app.py",
        f"pipeline_tag: {PIPELINE_TAGS.get(task, task)}",
        "tags: [tunekit]",
        "pinned: false",
        "---",
    ])
    classes = f"\n\nLabels: {', '.join(f'`{label}`' for label in labels)}." if labels else ""
    return f"""{front}

# {title}

A model fine-tuned with tunekit (run {run_id}) that {DOES.get(task, 'answers inputs')}.{classes}

## Run it

```bash
pip install -r requirements.txt
python app.py            # http://127.0.0.1:7860 (GRADIO_SERVER_PORT chooses another port)
```

Set `DEMO_AUTH=user:password` to require a login. To publish it, push this folder as it is
to a Gradio Space on Hugging Face (`tunekit push {run_id} --repo NAME --space` does it): the
front matter above configures the Space.

The model is in `model/` (transformers `from_pretrained` loads it; LoRA adapters are merged
in); `demo.json` holds the task, the title and the example inputs the app shows.
"""


def export(context: tunekit.ExportContext) -> list[Path]:
    from transformers.utils import logging

    logging.disable_progress_bar()
    options = context.options
    directory = context.directory
    model = merged_copy(context.model)
    model.save_pretrained(directory / "model", safe_serialization=True)
    context.tokenizer.save_pretrained(directory / "model")
    title = options["title"] or default_title(context)
    settings: dict[str, Any] = {
        "task": context.task, "title": title, "labels": list(context.labels),
        "description": f"Fine-tuned with tunekit (run {context.run_id}): it "
                       f"{DOES.get(context.task, 'answers inputs')}.",
        "examples": examples_of(context, options["examples"]),
        "max_new_tokens": options["max_new_tokens"], "run": context.run_id,
    }
    if context.task == "causal-lm":
        settings["prompt_template"] = prompt_template(context.tokenizer)
    (directory / "demo.json").write_text(json.dumps(settings, indent=2) + "\n",
                                         encoding="utf-8")
    (directory / "app.py").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    (directory / "requirements.txt").write_text(pinned_requirements(), encoding="utf-8")
    (directory / "README.md").write_text(
        readme(title, context.task, list(context.labels), context.run_id), encoding="utf-8")
    return [directory]


def default_title(context: tunekit.ExportContext) -> str:
    labels = list(context.labels)
    if context.task in ("text-classification", "image-classification") and labels:
        shown = ", ".join(labels[:4]) + (", ..." if len(labels) > 4 else "")
        return f"{context.task.split('-')[0].capitalize()} classifier: {shown}"
    return f"{context.task} model (tunekit run {context.run_id})"


@tunekit.hookimpl
def register_exporters(register):
    register(tunekit.Exporter(
        name="gradio-demo",
        title="Gradio demo app",
        description="A self-contained demo app (app.py, the model, pinned requirements.txt and "
                    "a Space README) that serves the trained model with gradio: run it with "
                    "python app.py or tunekit demo, or push it to a Hugging Face Space.",
        aliases=("gradio demo", "gradio app", "demo app", "web demo", "hugging face space",
                 "gradio space", "inference app"),
        tasks=ALL_TASKS,
        params=(
            tunekit.Param(name="title", type=str, default="",
                          help="the demo's title (default: what the model does)"),
            tunekit.Param(name="examples", type=int, default=3, min=0, max=20,
                          help="validation inputs shown as examples to click"),
            tunekit.Param(name="max_new_tokens", type=int, default=64, min=1, max=4096,
                          help="causal-lm: how many tokens the demo generates"),
        ),
        export=export,
    ))
