"""text-classification: a label for each text (sentiment, topic, intent, ...).

Rows are ``{"text": str, "label": str}``. Texts are tokenized once, batches padded to their
longest example; the loss is cross-entropy with the spec's label smoothing and class weights.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

from ..data import check_classification_splits, class_counts
from ..errors import DataError, SpecError
from .base import TEXT_CLASSIFICATION, Task


class TextClassification(Task):
    name = TEXT_CLASSIFICATION
    text_rows = True
    feature_cache = True

    def labels(self, splits: Any, where: str) -> list[str]:
        return check_classification_splits(splits, where)

    def describe_data(self, splits: Any) -> dict[str, Any]:
        return {"train_classes": class_counts(splits.train)}

    def encode(self, rows: list[dict[str, Any]], built: Any, label_ids: dict[str, int],
               max_length: int) -> list[dict[str, Any]]:
        return encode_labelled(rows, built.tokenizer, label_ids, max_length)

    def length(self, feature: dict[str, Any]) -> int:
        return len(feature["input_ids"])

    def collate(self, features: list[dict[str, Any]], built: Any, *,
                train: bool) -> dict[str, torch.Tensor]:
        return pad(features, pad_id_of(built))

    def loss_function(self, training: Any, labels: list[str], train_rows: list[dict[str, Any]],
                      device: Any) -> Callable[[Any, dict[str, torch.Tensor]], torch.Tensor]:
        return classification_loss(training, labels, train_rows, device)

    def evaluate_batch(self, model: Any, batch: dict[str, torch.Tensor]) -> dict[str, Any]:
        targets = batch["labels"]
        logits = model(**{k: v for k, v in batch.items() if k != "labels"}).logits.float()
        return {"loss": torch.nn.functional.cross_entropy(logits, targets, reduction="none"),
                "predictions": logits.argmax(-1), "references": targets}

    def read_inputs(self, value: str) -> list[Any]:
        return read_texts(value)

    def predict(self, model: Any, built: Any, inputs: list[Any], labels: list[str],
                max_length: int) -> list[dict[str, Any]]:
        results = []
        for batch_rows, batch in text_batches(model, built, inputs, max_length):
            logits = model(**batch).logits.float()
            probabilities = logits.softmax(-1).cpu()
            for text, row in zip(batch_rows, probabilities, strict=True):
                best = int(row.argmax())
                results.append({"input": text, "label": labels[best],
                                "score": round(float(row[best]), 6),
                                "scores": {label: round(float(p), 6)
                                           for label, p in zip(labels, row.tolist(),
                                                               strict=True)}})
        return results


# ---------------------------------------------------------------- shared by the text families


def pad_id_of(built: Any) -> int:
    return getattr(built.tokenizer, "pad_token_id", None) or 0


def encode_texts(rows: list[dict[str, Any]], tokenizer: Any, max_length: int,
                 target: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    """Tokenize ``row["text"]`` of every row once; ``target(row)`` becomes ``labels``."""
    texts = [str(r["text"]) for r in rows]
    encoded = tokenizer(texts, truncation=True, max_length=max_length)
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
    return [{**{k: encoded[k][i] for k in keys}, "labels": target(r)}
            for i, r in enumerate(rows)]


def encode_labelled(rows: list[dict[str, Any]], tokenizer: Any, label_ids: dict[str, int],
                    max_length: int) -> list[dict[str, Any]]:
    """Text-classification features of ``rows`` (their labels as indices)."""
    return encode_texts(rows, tokenizer, max_length, lambda row: label_ids[str(row["label"])])


def pad(rows: list[dict[str, Any]], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad to the longest example of this batch (dynamic padding); ``labels`` as they are."""
    width = max(len(r["input_ids"]) for r in rows)
    batch: dict[str, torch.Tensor] = {}
    for key in rows[0]:
        if key == "labels":
            batch[key] = torch.tensor([r[key] for r in rows])
            continue
        fill = pad_id if key == "input_ids" else 0
        batch[key] = torch.tensor([r[key] + [fill] * (width - len(r[key])) for r in rows])
    return batch


def classification_loss(training: Any, labels: list[str], train_rows: list[dict[str, Any]],
                        device: Any) -> Callable[[Any, dict[str, torch.Tensor]], torch.Tensor]:
    """Cross-entropy with the spec's label smoothing and class weights (``balanced``: each
    class weighs n / (k * its count), so every class counts as much in total)."""
    weights = None
    if training.class_weights:
        counts = class_counts(train_rows)
        if training.class_weights == "balanced":
            n, k = sum(counts.values()), len(labels)
            values = [n / (k * counts[label]) if counts.get(label) else 0.0 for label in labels]
        else:
            unknown = [label for label in training.class_weights if label not in labels]
            if unknown:
                raise SpecError(f"no label {unknown[0]!r} in the data; labels: "
                                f"{', '.join(labels)}", where="training.class_weights")
            values = [training.class_weights.get(label, 1.0) for label in labels]
        weights = torch.tensor(values, dtype=torch.float32, device=device)

    def loss(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        targets = batch["labels"]
        logits = model(**{k: v for k, v in batch.items() if k != "labels"}).logits
        return torch.nn.functional.cross_entropy(
            logits.float(), targets, weight=weights, label_smoothing=training.label_smoothing)

    return loss


def input_file(value: str) -> Path | None:
    """``value`` as the path of an existing file, or None when it is an input itself."""
    path = Path(value)
    try:
        return path if len(value) < 4096 and path.is_file() else None
    except OSError:
        return None


def read_utf8(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte {exc.start})", where=str(path),
                        hint="save the file as UTF-8") from None


def json_lines(path: Path, raw: str) -> Iterator[tuple[str, Any]]:
    """``(file:line, parsed value)`` for every line of a JSON-lines file that is not blank."""
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield f"{path}:{number}", json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"not JSON: {exc.msg}", where=f"{path}:{number}") from None


def read_texts(value: str) -> list[str]:
    """``value`` itself, or the texts of a file: one per line (.txt), a ``text`` column
    (.csv), a ``text`` field per line (.jsonl)."""
    path = input_file(value)
    if path is None:
        return [value]
    suffix = path.suffix.lower()
    raw = read_utf8(path)
    if suffix == ".csv":
        import csv
        import io

        reader = csv.DictReader(io.StringIO(raw))
        if "text" not in (reader.fieldnames or []):
            raise DataError(f"no 'text' column (columns: {', '.join(reader.fieldnames or [])})",
                            where=str(path), hint="name the column of inputs 'text'")
        texts = [row["text"] for row in reader]
    elif suffix in (".jsonl", ".json"):
        texts = []
        for where, item in json_lines(path, raw):
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise DataError("expected an object with a 'text' field", where=where)
            texts.append(item["text"])
    else:
        texts = [line for line in raw.splitlines() if line.strip()]
    if not texts:
        raise DataError("no inputs in the file", where=str(path))
    return texts


def text_batches(model: Any, built: Any, texts: list[str], max_length: int,
                 batch_size: int = 32) -> Any:
    """(texts, tensors on the model's device) batch by batch, for prediction."""
    device = next(model.parameters()).device
    for start in range(0, len(texts), batch_size):
        chunk = [str(t) for t in texts[start:start + batch_size]]
        encoded = built.tokenizer(chunk, truncation=True, max_length=max_length,
                                  padding=True, return_tensors="pt")
        keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
        yield chunk, {k: encoded[k].to(device) for k in keys}
