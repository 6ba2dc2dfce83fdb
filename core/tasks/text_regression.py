"""text-regression: a number for each text (a rating, a score, a price, a reading level).

Rows are ``{"text": str, "label": number}``. The model is a sequence classifier with one
output (``num_labels=1``, ``problem_type="regression"``); the loss is the mean squared error
on the raw target, so the model answers in the target's own units.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from ..data import require_rows
from ..errors import DataError
from .base import Task
from .text_classification import encode_texts, pad, pad_id_of, read_texts, text_batches

TEXT_REGRESSION = "text-regression"


def target_of(row: dict[str, Any]) -> float | None:
    """The row's target as a finite float, or None when it is not one."""
    value = row.get("label")
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def check_targets(rows: list[dict[str, Any]], split: str, source: str) -> None:
    """A DataError naming the first row whose label is not a finite number."""
    for index, row in enumerate(rows):
        if "text" in row and target_of(row) is not None:
            continue
        # rows that know where they came from say so; others are named by position
        place = row.get("line") or row.get("source")
        where = f"{source}:{place}" if isinstance(place, int) else str(place or source)
        what = "no text" if "text" not in row else f"the label {row.get('label')!r} is not a " \
                                                   "finite number"
        raise DataError(f"{what} ({split} row {index + 1})", where=where,
                        hint="text-regression needs a number in every row's label (e.g. 3.5); "
                             "fix or drop that row")


class TextRegression(Task):
    name = TEXT_REGRESSION
    labelled = False

    def labels(self, splits: Any, where: str) -> list[str]:
        require_rows(splits, where)
        for split in ("train", "validation", "test"):
            check_targets(getattr(splits, split) or [], split, where)
        return []

    def describe_data(self, splits: Any) -> dict[str, Any]:
        values = [target_of(r) for r in splits.train]
        n = len(values)
        mean = sum(values) / n
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / n)
        return {"train_target": {"count": n, "mean": round(mean, 6), "std": round(std, 6),
                                 "min": min(values), "max": max(values)}}

    def encode(self, rows: list[dict[str, Any]], built: Any, label_ids: dict[str, int],
               max_length: int) -> list[dict[str, Any]]:
        return encode_texts(rows, built.tokenizer, max_length, target_of)

    def prepare_model(self, built: Any, splits: Any) -> None:
        start_at_mean(built.model, splits.train)

    def length(self, feature: dict[str, Any]) -> int:
        return len(feature["input_ids"])

    def collate(self, features: list[dict[str, Any]], built: Any, *,
                train: bool) -> dict[str, torch.Tensor]:
        batch = pad(features, pad_id_of(built))
        batch["labels"] = batch["labels"].float()
        return batch

    def loss_function(self, training: Any, labels: list[str], train_rows: list[dict[str, Any]],
                      device: Any) -> Callable[[Any, dict[str, torch.Tensor]], torch.Tensor]:
        def loss(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
            return torch.nn.functional.mse_loss(_outputs(model, batch), batch["labels"])

        return loss

    def evaluate_batch(self, model: Any, batch: dict[str, torch.Tensor]) -> dict[str, Any]:
        outputs, targets = _outputs(model, batch), batch["labels"]
        return {"loss": (outputs - targets) ** 2, "predictions": outputs,
                "references": targets}

    def read_inputs(self, value: str) -> list[Any]:
        return read_texts(value)

    def predict(self, model: Any, built: Any, inputs: list[Any], labels: list[str],
                max_length: int) -> list[dict[str, Any]]:
        results = []
        for texts, batch in text_batches(model, built, inputs, max_length):
            values = model(**batch).logits.float().squeeze(-1).cpu().tolist()
            results += [{"input": text, "value": round(float(value), 6)}
                        for text, value in zip(texts, values, strict=True)]
        return results


def start_at_mean(model: Any, rows: list[dict[str, Any]]) -> None:
    """Set the bias of a new model's output to the mean target of ``rows``.

    The head starts at 0, and the optimizer moves a bias by about the learning rate per step:
    a target averaging 3 (or 300) would spend the whole run getting to the mean before it
    learns what the words say. Starting there, training goes straight to the differences
    (a resumed run then loads its checkpoint over it). Heads without a bias (GPT-2's
    ``score``) are left as they are."""
    if not rows:
        return
    mean = sum(target_of(r) or 0.0 for r in rows) / len(rows)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Linear) and module.out_features == 1 \
                    and module.bias is not None:
                module.bias.fill_(mean)


def _outputs(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """The model's one output per example, as float32 (batch,)."""
    logits = model(**{k: v for k, v in batch.items() if k != "labels"}).logits
    return logits.float().squeeze(-1)
