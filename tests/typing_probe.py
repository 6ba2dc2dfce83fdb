"""A plugin written against tunekit's types, for the type check (scripts/typecheck.py): each
kind's callable annotated as a careful author would, so a change to a public type that breaks
such a plugin fails the check. Never imported by the tests; mypy reads it as
``tunekit_probe``."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import tunekit
from tunekit.events import Artifact

if TYPE_CHECKING:
    import torch
    from transformers.tokenization_utils_base import PreTrainedTokenizerBase


def load(options: tunekit.Options, context: tunekit.DataContext) -> tunekit.DataSplits:
    rows: list[tunekit.Example] = [{"text": "good", "label": "pos"}]
    return tunekit.DataSplits(train=rows, validation=rows, source=str(context.base_dir))


def reads(path: Path) -> float:
    return 1.0 if path.suffix == ".txt" else 0.0


def shout(texts: list[str], options: tunekit.Options, rng: random.Random) -> list[str]:
    return [t.upper() if rng.random() < options["probability"] else t for t in texts]


def build(options: tunekit.Options, request: tunekit.ModelRequest) -> tunekit.BuiltModel:
    import torch

    head = request.head_config()
    model = torch.nn.Linear(4, head.get("num_labels", 1))
    return tunekit.BuiltModel(model=model, tokenizer=load_tokenizer(options), source="probe")


def load_tokenizer(options: tunekit.Options) -> PreTrainedTokenizerBase:
    from transformers.tokenization_utils_base import PreTrainedTokenizerBase

    return PreTrainedTokenizerBase()


def apply(model: torch.nn.Module, options: tunekit.Options,
          context: tunekit.StrategyContext) -> tunekit.StrategyPlan:
    groups = [tunekit.ParamGroup(name=g.name, params=g.parameters(), lr_scale=0.5)
              for g in context.layer_groups]
    return tunekit.StrategyPlan(model=model, param_groups=groups, summary="all of it")


def kappa(predictions: Sequence[int], references: Sequence[int],
          labels: list[str]) -> dict[str, float]:
    agree = sum(p == r for p, r in zip(predictions, references, strict=True))
    return {"kappa": agree / max(1, len(references)), "classes": float(len(labels))}


def export(context: tunekit.ExportContext) -> list[Path]:
    path = context.directory / "summary.txt"
    lines = [f"{context.training.get('max_length', 512)} tokens",
             f"{context.data['sizes']['train']} training examples",
             f"accuracy {context.metrics.get('accuracy', 0.0):.3f}"]
    path.write_text("\n".join(lines))
    return [path]


def on_artifact(event: tunekit.Event) -> Artifact | None:
    if event.kind != "artifact":
        return None
    return {"exporter": event.data["exporter"], "path": event.data["path"],
            "bytes": event.data["bytes"], "sha256": event.data["sha256"]}


@tunekit.hookimpl
def register_datasets(register: Callable[[tunekit.Dataset | tunekit.Augmentation], None]) -> None:
    register(tunekit.Dataset(name="probe", description="d", load=load, reads=reads))
    register(tunekit.Augmentation(name="shout", description="d", augment=shout))


COMPONENTS = [
    tunekit.Backbone(name="probe", description="d", build=build, load_tokenizer=load_tokenizer),
    tunekit.Strategy(name="probe", description="d", apply=apply),
    tunekit.Metric(name="kappa", description="d", compute=kappa),
    tunekit.Exporter(name="probe", description="d", export=export),
]
