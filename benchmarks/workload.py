"""What every benchmark trains: one model, one dataset, one seed, the same batches.

``Workload`` names them once; the engine runs them through ``tunekit.run`` and the hand-written
sides (a plain PyTorch loop, transformers' Trainer) build the very same model through the same
backbone plugin, read the very same splits and tokenize them the same way.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Workload:
    """A benchmark's model, data and training settings."""

    name: str
    backbone: str
    dataset: dict[str, Any]
    epochs: int
    learning_rate: float
    batch_size: int = 16
    max_length: int = 128
    seed: int = 42
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tunekit-bench-")))

    def spec(self, strategy: Any = "full", **training: Any) -> dict[str, Any]:
        """The RunSpec of an engine run (no exporters, no early stopping, no data check)."""
        return {
            "dataset": self.dataset, "backbone": self.backbone, "strategy": strategy,
            "training": {"epochs": self.epochs, "learning_rate": self.learning_rate,
                         "batch_size": self.batch_size, "max_length": self.max_length,
                         "seed": self.seed, "weight_decay": self.weight_decay,
                         "warmup_ratio": self.warmup_ratio, "early_stopping": None,
                         "data_check": "off", **training},
            "metrics": ["accuracy"], "exporters": [],
        }


def manager() -> Any:
    """The installed plugins plus the tiny test backbones (``--quick``)."""
    from tunekit.testing import make_manager, tiny_backbones

    return make_manager(("tiny-backbones", tiny_backbones))


def quick_workload() -> Workload:
    """tiny-bert on generated two-class text: seconds per run."""
    from tunekit.testing import write_text_csv

    work = Workload(name="quick: tiny-bert on 160 generated examples", backbone="tiny-bert",
                    dataset={}, epochs=2, learning_rate=3e-3, max_length=32)
    path = write_text_csv(work.folder / "tiny.csv", n=160)
    work.dataset = {"name": "csv", "path": str(path)}
    return work


def headline_workload(epochs: int = 3) -> Workload:
    """MiniLM-L6 (bundled) on the bundled sample reviews: docs/guide/benchmarks.md's figures."""
    return Workload(name="MiniLM-L6 on sample-reviews", backbone="minilm-l6",
                    dataset={"name": "sample-reviews"}, epochs=epochs, learning_rate=5e-5)


@dataclass
class Data:
    """The splits, labels and tokenized rows, read exactly as the engine reads them."""

    labels: list[str]
    train: list[dict[str, Any]]
    validation: list[dict[str, Any]]
    tokenizer: Any
    model: Any


def load(work: Workload, plugins: Any) -> Data:
    """Read the data and build the model through the plugins, seeded like an engine run."""
    from accelerate.utils import set_seed
    from tunekit.components import DataContext, ModelRequest
    from tunekit.data import check_classification_splits
    from tunekit.tasks.text_classification import encode_labelled as _encode

    set_seed(work.seed)
    dataset = plugins.get("dataset", work.dataset["name"])
    spec = _parsed(work, plugins)
    splits = dataset.load(spec.options("dataset"),
                          DataContext(task=spec.task, seed=work.seed, base_dir=spec.base_dir))
    labels = check_classification_splits(splits, splits.source or dataset.name)
    label_ids = {label: i for i, label in enumerate(labels)}
    backbone = plugins.get("backbone", work.backbone)
    built = backbone.build(spec.options("backbone"), ModelRequest(task=spec.task, labels=labels))
    length = min(work.max_length, built.max_length)
    return Data(labels=labels,
                train=_encode(splits.train, built.tokenizer, label_ids, length),
                validation=_encode(splits.validation, built.tokenizer, label_ids, length),
                tokenizer=built.tokenizer, model=built.model)


def _parsed(work: Workload, plugins: Any) -> Any:
    import tunekit

    return tunekit.parse_spec(work.spec(), plugins)


def run_engine(work: Workload, plugins: Any, strategy: Any = "full",
               **training: Any) -> dict[str, Any]:
    """One engine run: wall seconds, accuracy, the run's performance figures and the time of
    each epoch (from its start to the end of its evaluation)."""
    import tunekit
    from tunekit.registry import Registry

    marks: list[tuple[str, float]] = []

    def listen(event: Any) -> None:
        if event.kind == "epoch_start":
            marks.append(("start", time.perf_counter()))
        elif event.kind == "evaluation" and event.data.get("split") == "validation":
            marks.append(("end", time.perf_counter()))

    registry = Registry.open(work.folder / "registry.db")
    started = time.perf_counter()
    result = tunekit.run(tunekit.parse_spec(work.spec(strategy, **training), plugins),
                         manager=plugins, registry=registry, progress=False,
                         output_root=work.folder / "runs", listeners=[listen])
    seconds = time.perf_counter() - started
    import json

    summary = json.loads(registry.get_run(result.run_id).summary_json)
    starts = [t for kind, t in marks if kind == "start"]
    ends = [t for kind, t in marks if kind == "end"]
    return {"seconds": seconds, "accuracy": result.metrics["accuracy"],
            "epoch_seconds": [e - s for s, e in zip(starts, ends, strict=False)],
            "performance": summary.get("performance", {}),
            "precision": (summary.get("precision") or {}).get("used"),
            "feature_cache": summary.get("feature_cache")}
