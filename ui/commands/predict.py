"""``tunekit predict RUN --input TEXT_OR_FILE``: answer new inputs with a run's trained model.

    tunekit predict 12 --input "the delivery was late again"     one input, a table
    tunekit predict 12 --input tickets.txt --json                 a file of them, JSON lines

The model is the one the run exported: its ``huggingface`` folder, else its ``safetensors``
weights (the tokenizer then comes from the run's backbone). The run's task reads the inputs (a
text, or a file of them: one per line in .txt, a ``text`` column in .csv, a ``text`` field per
line in .jsonl; other tasks read their own kinds) and answers them in batches.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# the exports a trained model is loaded from, the most complete first
MODEL_EXPORTS = ("huggingface", "safetensors")
# a value ending so, with no space in it, is meant as a file even when there is none there
INPUT_SUFFIXES = (".txt", ".csv", ".tsv", ".jsonl", ".json", ".ndjson", ".conll", ".png",
                  ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".zip")
IMAGE_TASKS = ("image-classification",)
COLUMN_WIDTH = 60


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "predict", parents=[common], help="answer new inputs with a run's trained model",
        description="Load the model a run exported (huggingface or safetensors) and answer "
                    "an input, or every input of a file, in batches.")
    parser.add_argument("run", type=int, metavar="RUN", help="the run id")
    parser.add_argument("--input", required=True, metavar="TEXT_OR_FILE",
                        help="an input (a text), or a file of inputs: .txt (one per line), "
                             ".csv (a 'text' column), .jsonl (a 'text' field per line)")
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per input, one per line")
    parser.set_defaults(handler=predict_command)


@dataclass
class Trained:
    """A run's trained model, loaded back from its export, ready to answer inputs."""

    run_id: int
    task: str
    model: Any
    built: Any  # tunekit.BuiltModel: the model and its tokenizer (or image processor)
    labels: list[str]
    max_length: int
    source: Path  # the export folder it was loaded from
    exporter: str


def completed_run(registry: Any, run_id: int, command: str) -> Any:
    """The record of run ``run_id``, or a TunekitError when there is none or it did not
    complete (a model is exported only at the end of a run that completes)."""
    from tunekit.errors import TunekitError
    from tunekit.ui.commands.common import _run_record

    record = _run_record(registry, run_id, command)
    if record.status != "completed":
        why = f" ({record.error.splitlines()[0]})" if record.error else ""
        raise TunekitError(
            f"run {run_id} is {record.status}, not completed: it exported no trained model"
            f"{why}", where=command,
            hint=f"predict with a completed run (`tunekit runs list`), or train again: "
                 f"tunekit run --from {run_id}")
    return record


def model_export(registry: Any, record: Any, command: str) -> tuple[str, Path]:
    """(exporter, folder) of the run's model export, or a TunekitError saying why there is
    none to load."""
    from tunekit.errors import TunekitError

    artifacts = registry.artifacts(record.id)
    gone, adapter_only = [], False
    for exporter in MODEL_EXPORTS:
        for artifact in artifacts:
            if artifact.exporter != exporter:
                continue
            path = Path(artifact.path)
            folder = path if path.is_dir() or not path.suffix else path.parent
            if (folder / "config.json").is_file():
                return exporter, folder
            if (folder / "adapter_config.json").is_file():
                adapter_only = True
            elif not folder.exists():
                gone.append(str(folder))
    if gone:
        raise TunekitError(f"run {record.id}'s model export is no longer on disk: "
                           f"{gone[0]}", where=command,
                           hint=f"train again with the same spec: tunekit run --from "
                                f"{record.id}")
    made = sorted({a.exporter for a in artifacts}) or ["none"]
    said = " (its huggingface export holds an adapter alone)" if adapter_only else ""
    raise TunekitError(
        f"run {record.id} has no model export to load{said}; its exports: {', '.join(made)}",
        where=command,
        hint="add huggingface (or safetensors) to the spec's exporters and train again, "
             f"e.g. tunekit run --from {record.id} --set exporters=huggingface")


def load_trained(registry: Any, run_id: int, manager: Any = None,
                 command: str = "tunekit predict") -> Trained:
    """Run ``run_id``'s trained model, loaded back from its huggingface or safetensors
    export (the labels from its config's id2label), on the CPU (or the GPU, when there is
    one), in eval mode."""
    import torch
    import tunekit
    from transformers.utils import logging
    from tunekit.errors import TunekitError
    from tunekit.tasks import get_task

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    record = completed_run(registry, run_id, command)
    exporter, folder = model_export(registry, record, command)
    spec = record.spec
    task = get_task(spec.get("task") or tunekit.TEXT_CLASSIFICATION)
    model = _load_model(folder, command)
    preprocessor = _load_preprocessor(folder, task.name, spec, manager, command)
    labels = _labels(model.config, folder) if task.labelled else []
    summary = json.loads(record.summary_json or "{}")
    max_length = int(summary.get("max_length") or
                     (spec.get("training") or {}).get("max_length") or 512)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device).eval()
    if not labels and task.labelled:
        raise TunekitError(f"the model in {folder} names no labels (config.json id2label)",
                           where=command)
    built = tunekit.BuiltModel(model=model, tokenizer=preprocessor, source=str(folder),
                               max_length=max_length)
    return Trained(run_id=record.id, task=task.name, model=model, built=built, labels=labels,
                   max_length=max_length, source=folder, exporter=exporter)


def _load_model(folder: Path, command: str) -> Any:
    """The model class named in config.json (``architectures``), from ``folder``."""
    import transformers
    from tunekit.errors import TunekitError

    try:
        config = transformers.AutoConfig.from_pretrained(folder)
        names = config.architectures or []
        model_class = getattr(transformers, names[0], None) if names else None
        if model_class is None:
            raise TunekitError(f"config.json names no transformers model class "
                               f"({names or 'no architectures'})", where=str(folder),
                               hint="export the run again with the huggingface exporter")
        return model_class.from_pretrained(folder, use_safetensors=True)
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TunekitError(f"cannot load the model: {first}", where=str(folder),
                           hint="export the run again (tunekit run --from RUN)") from None


def _load_preprocessor(folder: Path, task: str, spec: dict[str, Any], manager: Any,
                       command: str) -> Any:
    """The tokenizer (image processor) saved with the model, else the run's backbone's."""
    import transformers
    from tunekit.errors import TunekitError

    image = task in IMAGE_TASKS
    saved = (folder / "preprocessor_config.json") if image else (folder / "tokenizer_config.json")
    if saved.is_file():
        auto = transformers.AutoImageProcessor if image else transformers.AutoTokenizer
        return auto.from_pretrained(folder)
    # weights alone (the safetensors export): the backbone the run trained knows its own
    if manager is None:
        raise TunekitError(f"{folder} holds no tokenizer", where=command)
    from tunekit.components import ModelRequest

    backbone_spec = dict(spec.get("backbone") or {})
    backbone = manager.get("backbone", backbone_spec.pop("name", ""), where="backbone")
    options = backbone.resolve_options(backbone_spec, "backbone")
    if backbone.load_tokenizer is not None and not image:
        return backbone.load_tokenizer(options)
    built = backbone.build(options, ModelRequest(task=task, labels=[]))
    return built.tokenizer


def _labels(config: Any, folder: Path) -> list[str]:
    """The labels in the order of the model's outputs: config.json's id2label (labels.json
    where the config has only transformers' placeholders)."""
    id2label = {int(k): str(v) for k, v in (getattr(config, "id2label", None) or {}).items()}
    labels = [id2label[i] for i in sorted(id2label)]
    written = folder / "labels.json"
    if written.is_file() and all(label.startswith("LABEL_") for label in labels):
        labels = list(json.loads(written.read_text(encoding="utf-8")).get("labels") or labels)
    return labels


def read_inputs(task: Any, value: str, command: str = "--input") -> list[Any]:
    """The inputs ``value`` names, as the run's task reads them; a value that names a file
    which is not there is an error, not a text to classify."""
    from tunekit.errors import DataError

    path = Path(value).expanduser()
    one_line = "\n" not in value and len(value) < 1024
    if one_line and not path.exists():
        looks_like_file = not any(c.isspace() for c in value) and (
            path.suffix.lower() in INPUT_SUFFIXES or os.sep in value)
        if looks_like_file:
            raise DataError("no such file", where=value,
                            hint=f"check the path (relative to {Path.cwd()}); to predict on "
                                 "the words themselves, put a space in them")
    return task.read_inputs(str(path) if one_line and path.exists() else value)


def predict(trained: Trained, inputs: list[Any]) -> list[dict[str, Any]]:
    """The trained model's answer for each input, through the run's task."""
    import torch
    from tunekit.tasks import get_task

    trained.model.eval()
    with torch.no_grad():
        return get_task(trained.task).predict(trained.model, trained.built, inputs,
                                              trained.labels, trained.max_length)


def predict_command(args: argparse.Namespace) -> int:
    from tunekit.tasks import get_task
    from tunekit.ui.commands.common import EXIT_OK, _manager, _registry

    registry = _registry()
    record = completed_run(registry, args.run, "tunekit predict")
    task = get_task(record.spec.get("task") or "text-classification")
    inputs = read_inputs(task, args.input)  # bad input is said before the model loads
    trained = load_trained(registry, args.run, _manager(args, warn=False))
    results = predict(trained, inputs)
    if args.json:
        for result in results:
            print(json.dumps(result, ensure_ascii=False))
    else:
        print(table(results))
        print(f"({len(results)} input{'s' if len(results) != 1 else ''}, run {trained.run_id}'s "
              f"{trained.exporter} export: {trained.source})", file=sys.stderr)
    return EXIT_OK


def table(results: list[dict[str, Any]]) -> str:
    """The results as a text table: their single-valued fields (a list of words or tags
    joined by spaces); ``--json`` has every field."""
    if not results:
        return "(no inputs)"
    columns = [key for key, value in results[0].items() if _cell(value) is not None]
    rows = [[_cell(result.get(key)) or "" for key in columns] for result in results]
    widths = [min(COLUMN_WIDTH, max(len(key), *(len(row[i]) for row in rows)))
              for i, key in enumerate(columns)]

    def line(cells: list[str]) -> str:
        shown = [c if len(c) <= w else c[:w - 1] + "…" for c, w in zip(cells, widths,
                                                                        strict=True)]
        return "  ".join(c.ljust(w) for c, w in zip(shown, widths, strict=True)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]),
                      *(line(row) for row in rows)])


def _cell(value: Any) -> str | None:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, str | int | bool):
        return str(value).replace("\n", " ")
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return " ".join(str(v) for v in value)
    return None
