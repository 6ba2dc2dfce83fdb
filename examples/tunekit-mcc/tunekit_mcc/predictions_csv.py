"""``predictions-csv``: the trained model's answer for every validation (and test) example.

Writes ``validation.csv`` (and ``test.csv`` when the data has a test split) with one row per
example, in the order of the split: ``text``, ``label`` (the true one), ``predicted``,
``probability`` (the model's probability for the predicted label) and ``correct``. Open it in
a spreadsheet, sort by ``probability``, and read the confident mistakes first.

The predictions are made here, with the trained model and its tokenizer, on the examples the
run evaluated (``ExportContext.splits``, plugin contract 1.1).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import tunekit

requires_contract = ">=1.1,<2"

COLUMNS = ("text", "label", "predicted", "probability", "correct")
BATCH_SIZE = 32


def predict(model: Any, tokenizer: Any, texts: list[str],
            max_length: int) -> list[tuple[int, float]]:
    """``(label index, probability)`` of the model's answer for each text."""
    import torch

    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    answers: list[tuple[int, float]] = []
    try:
        with torch.no_grad():
            for start in range(0, len(texts), BATCH_SIZE):
                batch = tokenizer(texts[start:start + BATCH_SIZE], truncation=True,
                                  max_length=max_length, padding=True, return_tensors="pt")
                inputs = {k: v.to(device) for k, v in batch.items()
                          if k in ("input_ids", "attention_mask", "token_type_ids")}
                probabilities = model(**inputs).logits.float().softmax(-1)
                best, index = probabilities.max(-1)
                answers += zip(index.tolist(), best.tolist(), strict=True)
    finally:
        model.train(was_training)
    return answers


def write_split(path: Path, rows: list[dict[str, Any]], context: tunekit.ExportContext) -> Path:
    texts = [str(row["text"]) for row in rows]
    answers = predict(context.model, context.tokenizer, texts,
                      int(context.training.get("max_length") or 512))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for text, row, (index, probability) in zip(texts, rows, answers, strict=True):
            predicted = context.labels[index]
            writer.writerow([text, row["label"], predicted, f"{probability:.4f}",
                             str(predicted == str(row["label"])).lower()])
    return path


def export(context: tunekit.ExportContext) -> list[Path]:
    splits = context.splits
    if splits is None:
        raise tunekit.PluginError(
            "this run gave the exporter no examples (ExportContext.splits is None)",
            where="exporter 'predictions-csv'",
            hint="run it with a tunekit whose plugin contract is 1.1 or newer")
    written = [write_split(context.directory / "validation.csv", splits.validation, context)]
    if context.options["test"] and splits.test:
        written.append(write_split(context.directory / "test.csv", splits.test, context))
    return written


@tunekit.hookimpl
def register_exporters(register):
    register(tunekit.Exporter(
        name="predictions-csv",
        title="Predictions (CSV)",
        description="A CSV of the trained model's answer for every validation (and test) "
                    "example: the text, the true label, the predicted one and its "
                    "probability, to read the mistakes one by one.",
        aliases=("predictions", "predictions csv", "prediction csv", "csv of predictions",
                 "predictions file", "save the predictions", "export the predictions",
                 "error analysis"),
        params=(tunekit.Param(name="test", type=bool, default=True,
                              help="also write test.csv when the data has a test split"),),
        export=export,
    ))
