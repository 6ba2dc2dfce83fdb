"""Building transformers models for tunekit's backbones (shared by ``minilm-l6`` and ``hf``)."""

from __future__ import annotations

from typing import Any

import tunekit

PRETRAINED = tunekit.Param(
    name="pretrained", type=bool, default=True,
    help="start from the pretrained weights (false: the same architecture with random weights, "
         "to see what pretraining is worth)")


def quiet_transformers() -> None:
    """Keep loading reports and download bars out of the user's console."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def set_dropout(config: Any, dropout: float) -> None:
    """Apply one dropout rate to every dropout setting the architecture has."""
    for key, value in list(config.to_dict().items()):
        is_dropout = "dropout" in key or key.endswith("pdrop")
        if is_dropout and (value is None or isinstance(value, int | float)) \
                and not isinstance(value, bool):
            setattr(config, key, dropout)


def build_classifier(source: str, request: tunekit.ModelRequest, *, pretrained: bool = True,
                     trust_remote_code: bool = False, revision: str | None = None,
                     local_only: bool = False) -> tunekit.BuiltModel:
    """A sequence classifier with ``len(request.labels)`` outputs and its tokenizer."""
    if request.task != tunekit.TEXT_CLASSIFICATION:
        raise tunekit.SpecError(f"this backbone builds text classifiers, not {request.task!r}",
                                where="task")
    quiet_transformers()
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    labels = request.labels
    common = {"trust_remote_code": trust_remote_code, "revision": revision,
              "local_files_only": local_only}
    try:
        config = AutoConfig.from_pretrained(
            source, num_labels=len(labels), id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)}, **common)
        if request.dropout is not None:
            set_dropout(config, request.dropout)
        tokenizer = AutoTokenizer.from_pretrained(source, **common)
        if pretrained:
            # safetensors only: a pickled .bin checkpoint can run code when it loads
            model = AutoModelForSequenceClassification.from_pretrained(
                source, config=config, use_safetensors=True, **common)
        else:
            model = AutoModelForSequenceClassification.from_config(
                config, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise tunekit.TunekitError(
            f"cannot load model {source!r}: {first_line}", where="backbone",
            hint="give a local folder with config.json and model.safetensors (pickled .bin "
                 "weights are not loaded: convert them with save_pretrained), or a model id "
                 "already in the Hugging Face cache (this machine may be offline)") from None
    if tokenizer.pad_token_id is None:  # GPT-style tokenizers have no padding token
        tokenizer.pad_token = tokenizer.eos_token
        model.config.pad_token_id = tokenizer.pad_token_id
    return tunekit.BuiltModel(model=model, tokenizer=tokenizer, source=source,
                              max_length=model_max_length(model, tokenizer))


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
