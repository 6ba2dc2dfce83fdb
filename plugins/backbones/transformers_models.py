"""Building transformers models for tunekit's backbones (shared by ``minilm-l6`` and ``hf``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tunekit
from tunekit.layers import set_dropout

PRETRAINED = tunekit.Param(
    name="pretrained", type=bool, default=True,
    help="start from the pretrained weights (false: the same architecture with random weights, "
         "to see what pretraining is worth)")


def quiet_transformers() -> None:
    """Keep loading reports and download bars out of the user's console."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


# the transformers Auto class that builds a model for each task, and what preprocesses its input
AUTO_CLASSES = {
    "text-classification": "AutoModelForSequenceClassification",
    "text-regression": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "causal-lm": "AutoModelForCausalLM",
    "image-classification": "AutoModelForImageClassification",
}
TEXT_TASKS = ("text-classification", "text-regression", "token-classification", "causal-lm")
IMAGE_TASKS = ("image-classification",)


def build_model(source: str, request: tunekit.ModelRequest, *, pretrained: bool = True,
                trust_remote_code: bool = False, revision: str | None = None,
                local_only: bool = False) -> tunekit.BuiltModel:
    """The model for ``request.task`` (a new head on the pretrained body where the task needs
    one) and its preprocessor: the tokenizer, or the image processor for images."""
    if request.task not in AUTO_CLASSES:
        raise tunekit.SpecError(f"this backbone builds models for {', '.join(AUTO_CLASSES)}, "
                                f"not {request.task!r}", where="task")
    quiet_transformers()
    import transformers

    auto_model = getattr(transformers, AUTO_CLASSES[request.task])
    common = {"trust_remote_code": trust_remote_code, "revision": revision,
              "local_files_only": local_only}
    try:
        config = transformers.AutoConfig.from_pretrained(source, **request.head_config(),
                                                         **common)
        if request.dropout is not None:
            set_dropout(config, request.dropout)
        if request.task in IMAGE_TASKS:
            processor = transformers.AutoImageProcessor.from_pretrained(source, **common)
        else:
            processor = transformers.AutoTokenizer.from_pretrained(source, **common)
        if pretrained:
            # safetensors only: a pickled .bin checkpoint can run code when it loads; a head
            # of another size than the checkpoint's (a new label set) starts afresh
            # the dtype asked for, explicitly: transformers 5 otherwise keeps the
            # checkpoint's own (bf16 for many recent models), and the weights would train and
            # export in bf16 whatever training.precision says
            model = auto_model.from_pretrained(source, config=config, use_safetensors=True,
                                               ignore_mismatched_sizes=True,
                                               dtype=request.torch_dtype(), **common)
        else:
            dtype = request.torch_dtype()
            model = auto_model.from_config(config, trust_remote_code=trust_remote_code,
                                           **({} if dtype == "auto" else {"dtype": dtype}))
    except (OSError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise tunekit.TunekitError(
            f"cannot load model {source!r}: {first_line}", where="backbone",
            hint="give a local folder with config.json and model.safetensors (pickled .bin "
                 "weights are not loaded: convert them with save_pretrained), or a model id "
                 "already in the Hugging Face cache (this machine may be offline)") from None
    hub = hub_id_of(source)
    facts = {"hub_id": hub, "license": cached_license(hub, revision) if hub else None}
    if request.task in IMAGE_TASKS:
        return tunekit.BuiltModel(model=model, tokenizer=processor, source=source,
                                  max_length=1, **facts)
    if processor.pad_token_id is None:  # GPT-style tokenizers have no padding token
        processor.pad_token = processor.eos_token
        model.config.pad_token_id = processor.pad_token_id
    return tunekit.BuiltModel(model=model, tokenizer=processor, source=source,
                              max_length=model_max_length(model, processor), **facts)


HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def hub_id_of(source: str) -> str | None:
    """``source`` when it names a model on the Hub (``org/name`` or ``name``), None when it is
    a local folder: the id the exports give as their base model, so that others can load it."""
    if Path(source).expanduser().exists() or not HUB_ID.fullmatch(source):
        return None
    return source


def cached_license(hub_id: str, revision: str | None = None,
                   cache_dir: str | None = None) -> str | None:
    """The licence in the front matter of the model's own card, when the Hub cache (the
    default one, or ``cache_dir``) holds it; no network: an unknown licence is None, and the
    card then names none."""
    from huggingface_hub import ModelCard, try_to_load_from_cache

    try:
        path = try_to_load_from_cache(hub_id, "README.md", cache_dir=cache_dir,
                                      revision=revision)
        if not isinstance(path, str):  # not cached, or cached as absent
            return None
        found = ModelCard.load(path).data.license
    except Exception:  # noqa: BLE001 - a card that does not parse only loses the licence
        return None
    return found if isinstance(found, str) and found else None


def load_tokenizer(source: str, *, trust_remote_code: bool = False,
                   revision: str | None = None, local_only: bool = False) -> Any:
    """The tokenizer of a model alone (no weights): quick, for counting tokens."""
    quiet_transformers()
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(source, trust_remote_code=trust_remote_code,
                                             revision=revision, local_files_only=local_only)
    except (OSError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise tunekit.TunekitError(
            f"cannot load the tokenizer of {source!r}: {first_line}", where="backbone",
            hint="give a local folder or a model id already in the Hugging Face cache (this "
                 "machine may be offline)") from None


def model_max_length(model: Any, tokenizer: Any) -> int:
    limits = [getattr(model.config, "max_position_embeddings", None),
              getattr(tokenizer, "model_max_length", None)]
    sane = [int(x) for x in limits if isinstance(x, int) and 0 < x < 1_000_000]
    return min(sane) if sane else 512
