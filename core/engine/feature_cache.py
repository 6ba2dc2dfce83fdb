"""Frozen-feature caching: run the frozen bottom of a model once, train the top on its output.

When a strategy freezes the embeddings and the lowest ``k`` blocks of a BERT-style encoder and
keeps them in eval mode (head-only, freeze-bottom), their output for an example never changes
during training. So it is computed once per example (eval mode, no gradient), kept in memory
for the run and on disk for the next one, and each step runs only the trainable top: the
remaining blocks, the pooler and the classifier. The batches, their order and the random draws
(dropout in the top) are the same as without the cache, so the metrics are the same up to
float rounding.

The disk cache lives in ``$TUNEKIT_CACHE_DIR/features`` (by default ``cache/features`` beside
the registry), one safetensors file per key. The key is a sha256 over the frozen weights, the
tokenized examples (so the data, the tokenizer and max_length), the depth, the device kind and
precision, and the torch and transformers versions: anything that changes the features changes
the key.

Anything else (LoRA and other wrapped models, gradual unfreezing, architectures other than BERT,
a frozen part left in train mode) trains as usual, and the run summary says why.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .batching import loader_settings, same_batches

FORMAT = 1
# auto leaves out caches larger than this (full sequences of many long examples)
AUTO_LIMIT_BYTES = 2 << 30


@dataclass
class CachedRun:
    """What the engine trains when the cache applies (``model`` is None when it does not)."""

    summary: dict[str, Any]
    model: Any = None
    train_loader: Any = None
    val_loader: Any = None
    notes: list[str] = field(default_factory=list)


def cache_dir(registry_folder: Path | None = None) -> Path:
    """``$TUNEKIT_CACHE_DIR``, else ``cache`` beside the registry (else ``~/.cache/tunekit``)."""
    if os.environ.get("TUNEKIT_CACHE_DIR"):
        return Path(os.environ["TUNEKIT_CACHE_DIR"])
    if registry_folder is not None:
        return Path(registry_folder) / "cache"
    return Path.home() / ".cache" / "tunekit"


def frozen_depth(model: Any, plan: Any) -> tuple[int | None, str]:
    """How many blocks of ``model`` sit frozen, in eval mode, under the embeddings (which must
    be frozen too): ``(k, "")``, or ``(None, why the cache does not apply)``."""
    if plan.on_epoch_start is not None:
        return None, "the strategy changes what trains between epochs"
    if type(model).__name__ != "BertForSequenceClassification":
        return None, f"the cache knows BERT-style classifiers, not {type(model).__name__}"
    bert = model.bert
    if bert.config.is_decoder or bert.pooler is None:
        return None, "the encoder is a decoder or has no pooler"
    in_eval = {id(m) for frozen in plan.frozen_modules for m in frozen.modules()}

    def fixed(module: Any) -> bool:
        return id(module) in in_eval and not any(p.requires_grad for p in module.parameters())

    if not fixed(bert.embeddings):
        return None, "the embeddings train"
    depth = 0
    for layer in bert.encoder.layer:
        if not fixed(layer):
            break
        depth += 1
    return depth, ""


class CachedTop(torch.nn.Module):
    """A BERT classifier whose forward takes the frozen bottom's output (``features``) and runs
    the trainable top. Its children are the model's own modules under the same names, so its
    parameters, buffers and checkpoints are the model's. Given ``input_ids`` instead, it runs the
    frozen bottom first (the test split, anything not cached)."""

    def __init__(self, model: Any, depth: int):
        super().__init__()
        for name, child in model.named_children():
            self.add_module(name, child)
        object.__setattr__(self, "full_model", model)  # not a child: no second set of names
        self.depth = depth
        self.cls_only = depth == len(model.bert.encoder.layer)  # the pooler reads token 0 only

    def _mask(self, hidden: torch.Tensor, attention_mask: torch.Tensor | None) -> Any:
        from transformers.masking_utils import create_bidirectional_mask

        return create_bidirectional_mask(config=self.bert.config, inputs_embeds=hidden,
                                         attention_mask=attention_mask)

    def _layers(self, layers: Any, hidden: torch.Tensor, attention_mask: Any) -> torch.Tensor:
        if len(layers):
            mask = self._mask(hidden, attention_mask)
            for layer in layers:
                out = layer(hidden, mask)
                hidden = out[0] if isinstance(out, tuple) else out
        return hidden

    def bottom(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
               token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The frozen part: embeddings and the first ``depth`` blocks (token 0 only when the
        whole encoder is frozen)."""
        hidden = self.bert.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        hidden = self._layers(self.bert.encoder.layer[:self.depth], hidden, attention_mask)
        return hidden[:, 0] if self.cls_only else hidden

    def forward(self, features: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None, input_ids: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None, **_: Any) -> Any:
        from transformers.modeling_outputs import SequenceClassifierOutput

        if features is None:
            with torch.no_grad():
                features = self.bottom(input_ids, attention_mask, token_type_ids)
        if self.cls_only:
            first = features
        else:
            hidden = self._layers(self.bert.encoder.layer[self.depth:], features, attention_mask)
            first = hidden[:, 0]
        pooled = self.bert.pooler(first[:, None])
        return SequenceClassifierOutput(logits=self.classifier(self.dropout(pooled)))


def full_model(model: Any) -> Any:
    """The whole model behind a CachedTop (for exporters); any other model as it is."""
    return getattr(model, "full_model", model)


def prepare(mode: str, ready: Any, *, folder: Path, device: Any, precision: str,
            autocast: Any, batch_size: int) -> CachedRun:
    """Decide whether the cache applies to this run (``mode``: auto | on | off) and, when it
    does, load or compute the features and make the loaders of the training top."""
    from ..errors import SpecError

    if mode == "off":
        return CachedRun(summary={"status": "off", "reason": "training.cache_features is off"})
    model = ready.plan.model
    depth, why = frozen_depth(model, ready.plan)
    train_rows, val_rows = list(ready.train_loader.dataset), list(ready.val_loader.dataset)
    if depth is not None:
        top = CachedTop(model, depth)
        hidden = model.config.hidden_size
        tokens = sum(len(r["input_ids"]) for r in train_rows + val_rows)
        size = (len(train_rows) + len(val_rows) if top.cls_only else tokens) * hidden * 4
        if mode == "auto" and size > AUTO_LIMIT_BYTES:
            depth, why = None, (f"the features would take {size / 2**30:.1f} GiB (over "
                                f"{AUTO_LIMIT_BYTES / 2**30:.0f} GiB)")
    if depth is None:
        if mode == "on":
            raise SpecError(f"frozen features cannot be cached for this run: {why}",
                            where="training.cache_features",
                            hint="set it to auto (cache when possible) or off")
        return CachedRun(summary={"status": "not applicable", "reason": why})

    started = time.perf_counter()
    model.to(device)
    key = _key(top, train_rows, val_rows, device, precision)
    path = folder / "features" / f"{key}.safetensors"
    features = _load(path)
    status = "hit" if features is not None else "computed"
    if features is None:
        with autocast():
            features = {"train": _compute(top, train_rows, batch_size),
                        "validation": _compute(top, val_rows, batch_size)}
        notes = _store(path, features)
    else:
        notes = []
    seconds = time.perf_counter() - started
    train = [_cached_row(r, f) for r, f in zip(train_rows, features["train"], strict=True)]
    val = [_cached_row(r, f) for r, f in zip(val_rows, features["validation"], strict=True)]
    # the same batches in the same order, from the same generator: the same training
    train_loader = same_batches(ready.train_loader, train, _collate, device)
    val_loader = torch.utils.data.DataLoader(val, batch_size=ready.val_loader.batch_size,
                                             collate_fn=_collate, **loader_settings(device))
    frozen = "the embeddings" + (f" and {depth} blocks" if depth else "")
    summary = {"status": status, "depth": depth, "key": key, "path": str(path),
               "seconds": round(seconds, 3),
               "what": f"{frozen} run once per example; training runs the rest"}
    return CachedRun(summary=summary, model=top, train_loader=train_loader,
                     val_loader=val_loader, notes=notes)


def _key(top: CachedTop, train_rows: list[dict[str, Any]], val_rows: list[dict[str, Any]],
         device: Any, precision: str) -> str:
    import transformers

    digest = hashlib.sha256()
    digest.update(f"tunekit-features {FORMAT} {type(top.full_model).__name__} {top.depth} "
                  f"{top.cls_only} {device.type} {precision} {torch.__version__} "
                  f"{transformers.__version__}".encode())
    frozen = [top.bert.embeddings, *top.bert.encoder.layer[:top.depth]]
    for module in frozen:
        for name, tensor in [*module.named_parameters(), *module.named_buffers()]:
            digest.update(f"{name} {tuple(tensor.shape)} {tensor.dtype}".encode())
            digest.update(tensor.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes())
    for split, rows in (("train", train_rows), ("validation", val_rows)):
        digest.update(f"{split} {len(rows)}".encode())
        for row in rows:
            digest.update(repr((row["input_ids"], row.get("token_type_ids"))).encode())
    return digest.hexdigest()


def _compute(top: CachedTop, rows: list[dict[str, Any]], batch_size: int) -> list[torch.Tensor]:
    """The frozen bottom's output for each row (unpadded), batched by length."""
    device = next(top.parameters()).device
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["input_ids"]))
    out: list[Any] = [None] * len(rows)
    training = [m for m in top.modules() if m.training]
    top.eval()
    try:
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chosen = order[start:start + batch_size]
                batch = _pad_tokens([rows[i] for i in chosen], device)
                hidden = top.bottom(**batch).float().cpu()
                for j, i in enumerate(chosen):
                    n = len(rows[i]["input_ids"])
                    out[i] = hidden[j].clone() if top.cls_only else hidden[j, :n].clone()
    finally:
        for module in training:
            module.train()
    return out


def _pad_tokens(rows: list[dict[str, Any]], device: Any) -> dict[str, torch.Tensor]:
    width = max(len(r["input_ids"]) for r in rows)
    batch = {}
    for key in ("input_ids", "attention_mask", "token_type_ids"):
        if key in rows[0]:
            batch[key] = torch.tensor([r[key] + [0] * (width - len(r[key])) for r in rows],
                                      device=device)
    return batch


def _cached_row(row: dict[str, Any], features: torch.Tensor) -> dict[str, Any]:
    return {"features": features, "length": len(row["input_ids"]), "labels": row["labels"]}


def _collate(rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    """Features stacked (token 0) or padded with zeros to the batch's longest example, with the
    attention mask (it also counts the tokens trained)."""
    width = max(r["length"] for r in rows)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for i, r in enumerate(rows):
        mask[i, :r["length"]] = 1
    first = rows[0]["features"]
    if first.dim() == 1:
        features = torch.stack([r["features"] for r in rows])
    else:
        features = first.new_zeros(len(rows), width, first.shape[-1])
        for i, r in enumerate(rows):
            features[i, :r["length"]] = r["features"]
    return {"features": features, "attention_mask": mask,
            "labels": torch.tensor([r["labels"] for r in rows])}


def _flat(features: list[torch.Tensor]) -> torch.Tensor:
    return torch.cat([f.reshape(-1, f.shape[-1]) for f in features]) if features else \
        torch.zeros(0)


def _store(path: Path, features: dict[str, list[torch.Tensor]]) -> list[str]:
    """Write the features (each split flattened, with each example's row count); a failure
    to write only costs the next run the computation."""
    from safetensors.torch import save_file

    from .checkpoints import write_atomically

    tensors = {}
    for split, items in features.items():
        tensors[f"{split}/values"] = _flat(items).contiguous()
        tensors[f"{split}/rows"] = torch.tensor(
            [1 if f.dim() == 1 else f.shape[0] for f in items], dtype=torch.long)
        tensors[f"{split}/vector"] = torch.tensor(
            [int(bool(items) and items[0].dim() == 1)], dtype=torch.long)
    try:
        write_atomically(path, lambda partial: save_file(tensors, str(partial),
                                                         metadata={"format": str(FORMAT)}))
    except OSError as exc:
        return [f"the feature cache could not be written to {path.parent}: {exc}"]
    return []


def _load(path: Path) -> dict[str, list[torch.Tensor]] | None:
    from safetensors import safe_open
    from safetensors.torch import load_file

    if not path.is_file():
        return None
    try:
        with safe_open(str(path), framework="pt") as handle:
            if (handle.metadata() or {}).get("format") != str(FORMAT):
                return None
        tensors = load_file(str(path))
        out = {}
        for split in ("train", "validation"):
            values, rows = tensors[f"{split}/values"], tensors[f"{split}/rows"].tolist()
            parts = list(torch.split(values, rows)) if rows else []
            if int(tensors[f"{split}/vector"][0]):
                parts = [p[0] for p in parts]
            out[split] = parts
        return out
    except Exception:  # noqa: BLE001 - an unreadable cache file is computed again
        return None
