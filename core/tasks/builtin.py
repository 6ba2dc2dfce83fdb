"""The built-in task families, each imported only when a run asks for it."""

from __future__ import annotations

from .base import TEXT_CLASSIFICATION, Task, family


@family(TEXT_CLASSIFICATION)
def _text_classification() -> Task:
    from .text_classification import TextClassification

    return TextClassification()


@family("text-regression")
def _text_regression() -> Task:
    from .text_regression import TextRegression

    return TextRegression()


@family("token-classification")
def _token_classification() -> Task:
    from .token_classification import TokenClassification

    return TokenClassification()


@family("image-classification")
def _image_classification() -> Task:
    from .image_classification import ImageClassification

    return ImageClassification()


@family("causal-lm")
def _causal_lm() -> Task:
    from .causal_lm import CausalLM

    return CausalLM()
