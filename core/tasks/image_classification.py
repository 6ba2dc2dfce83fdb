"""image-classification: a label for each image (shapes, products, defects, species, ...).

Rows are ``{"image": path, "label": str}``, optionally with ``"augment": [...]`` (which of
``crop``, ``flip``, ``jitter`` a training image may go through; all three when absent: the
image datasets set it from their ``augment`` and ``flip`` options). Each image is read once,
resized and centre-cropped as the backbone's image processor says, and kept as uint8;
training batches are augmented with torch operations, evaluation batches never are. The loss
is cross-entropy with the spec's label smoothing and class weights; every evaluation reports
``top_k_accuracy`` besides the spec's metrics (k = min(5, number of labels - 1), in the
details as ``top_k``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from ..data import check_classification_splits, class_counts
from ..errors import DataError
from ..images import AUGMENTATIONS, Preprocessing, augment, is_image_file
from .base import Task
from .text_classification import classification_loss

IMAGE_CLASSIFICATION = "image-classification"
TOP_K_NAME = "top_k_accuracy"


def top_k(labels: int) -> int:
    """How many of the best guesses ``top_k_accuracy`` accepts: up to 5, fewer than all."""
    return max(1, min(5, labels - 1))


class ImageClassification(Task):
    name = IMAGE_CLASSIFICATION

    def labels(self, splits: Any, where: str) -> list[str]:
        labels = check_classification_splits(splits, where)
        for name in ("train", "validation", "test"):
            for number, row in enumerate(getattr(splits, name) or [], 1):
                if not isinstance(row.get("image"), str | Path):
                    raise DataError(f"{name} example {number} has no image path",
                                    where=where,
                                    hint='each example is {"image": path, "label": class}')
        return labels

    def describe_data(self, splits: Any) -> dict[str, Any]:
        return {"train_classes": class_counts(splits.train)}

    def encode(self, rows: list[dict[str, Any]], built: Any, label_ids: dict[str, int],
               max_length: int) -> list[dict[str, Any]]:
        prepare = Preprocessing.of(built.tokenizer)
        features = []
        for row in rows:
            which = row.get("augment", AUGMENTATIONS)
            features.append({"pixels": prepare.load(row["image"]),
                             "labels": label_ids[str(row["label"])],
                             "augment": tuple(a for a in AUGMENTATIONS if a in which)})
        return features

    def collate(self, features: list[dict[str, Any]], built: Any, *,
                train: bool) -> dict[str, torch.Tensor]:
        prepare = Preprocessing.of(built.tokenizer)
        images = []
        for feature in features:
            image = feature["pixels"].float() / 255
            if train and feature["augment"]:
                image = augment(image, feature["augment"])
            images.append(image)
        return {"pixel_values": prepare.normalize(torch.stack(images)),
                "labels": torch.tensor([f["labels"] for f in features])}

    def loss_function(self, training: Any, labels: list[str], train_rows: list[dict[str, Any]],
                      device: Any) -> Callable[[Any, dict[str, torch.Tensor]], torch.Tensor]:
        return classification_loss(training, labels, train_rows, device)

    def evaluate_batch(self, model: Any, batch: dict[str, torch.Tensor]) -> dict[str, Any]:
        targets = batch["labels"]
        logits = model(pixel_values=batch["pixel_values"]).logits.float()
        best = logits.topk(top_k(logits.shape[-1]), dim=-1).indices
        return {"loss": torch.nn.functional.cross_entropy(logits, targets, reduction="none"),
                "predictions": logits.argmax(-1), "references": targets,
                "in_top_k": (best == targets.unsqueeze(-1)).any(-1).long()}

    def extra_scores(self, gathered: dict[str, list[Any]],
                     labels: list[str]) -> tuple[dict[str, float], dict[str, Any]]:
        hits = gathered.get("in_top_k") or []
        if not hits:
            return {}, {}
        return {TOP_K_NAME: sum(hits) / len(hits)}, {"top_k": top_k(len(labels))}

    def read_inputs(self, value: str) -> list[Any]:
        return read_image_paths(value)

    def predict(self, model: Any, built: Any, inputs: list[Any], labels: list[str],
                max_length: int, batch_size: int = 32) -> list[dict[str, Any]]:
        prepare = Preprocessing.of(built.tokenizer)
        device = next(model.parameters()).device
        shown = min(5, len(labels))
        results = []
        model.eval()
        with torch.no_grad():
            for start in range(0, len(inputs), batch_size):
                paths = [str(p) for p in inputs[start:start + batch_size]]
                pixels = torch.stack([prepare.load(p).float() / 255 for p in paths])
                logits = model(pixel_values=prepare.normalize(pixels).to(device)).logits
                probabilities = logits.float().softmax(-1).cpu()
                for path, row in zip(paths, probabilities, strict=True):
                    scores, order = row.topk(shown)
                    top = [{"label": labels[int(i)], "score": round(float(s), 6)}
                           for s, i in zip(scores, order, strict=True)]
                    results.append({"input": path, "label": top[0]["label"],
                                    "score": top[0]["score"], "top": top})
        return results


def read_image_paths(value: str) -> list[str]:
    """The image ``value`` names, or every image in the folder it names (sorted, subfolders
    included)."""
    path = Path(value)
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*") if p.is_file() and is_image_file(p)
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        if not found:
            raise DataError("no images in the folder", where=str(path),
                            hint="give an image file, or a folder of .png / .jpg images")
        return found
    if path.is_file():
        if not is_image_file(path):
            raise DataError(f"not an image file ({path.suffix or 'no suffix'})", where=str(path),
                            hint="give a .png, .jpg, .bmp, .gif, .webp or .tif image, or a "
                                 "folder of them")
        return [str(path)]
    raise DataError("no such file or folder", where=value,
                    hint="give the path of an image, or of a folder of images")
