"""The built-in task families, each imported only when a run asks for it."""

from __future__ import annotations

from . import phrases
from .base import TEXT_CLASSIFICATION, Task, family


@family(
    TEXT_CLASSIFICATION,
    phrases=phrases.TEXT_CLASSIFICATION,
    examples=phrases.TEXT_CLASSIFICATION_EXAMPLES,
    title="Text classification",
    description="put each text in one of a fixed set of classes (sentiment, topic, intent)",
    aliases=("classify", "classification", "categorise", "categorize", "sentiment"),
    default_metrics=("accuracy", "f1", "confusion-matrix"),
    default_backbone="minilm-l6",
    default_dataset="sample-reviews",
)
def _text_classification() -> Task:
    from .text_classification import TextClassification

    return TextClassification()


@family(
    "text-regression",
    phrases=phrases.TEXT_REGRESSION,
    examples=phrases.TEXT_REGRESSION_EXAMPLES,
    title="Text regression",
    description="predict a number for each text (a rating, a score, a price, a reading level)",
    # no bare "score": people say it of every metric
    # no bare "regression" either: "a logistic regression on top" is a classifier's head
    aliases=("regression task", "regress", "predict a number", "rating prediction",
             "numeric target", "predict a score", "regression model"),
    default_metrics=("mse", "mae", "r2"),
    default_strategy="full",
    default_backbone="minilm-l6",
)
def _text_regression() -> Task:
    from .text_regression import TextRegression

    return TextRegression()


@family(
    "token-classification",
    phrases=phrases.TOKEN_CLASSIFICATION,
    examples=phrases.TOKEN_CLASSIFICATION_EXAMPLES,
    title="Token classification",
    description=("tag each word of a text (named entities such as people, places and "
                 "organisations; parts of speech)"),
    aliases=("ner", "named entity recognition", "named entities", "entity extraction",
             "tagging", "token tagging", "sequence labelling", "sequence labeling",
             "pos tagging"),
    default_dataset="sample-ner",
    default_metrics=("entity-f1", "entity-precision", "entity-recall", "token-accuracy"),
    default_strategy="full",
    default_backbone="minilm-l6",
)
def _token_classification() -> Task:
    from .token_classification import TokenClassification

    return TokenClassification()


@family(
    "image-classification",
    phrases=phrases.IMAGE_CLASSIFICATION,
    examples=phrases.IMAGE_CLASSIFICATION_EXAMPLES,
    title="Image classification",
    description="put each image in one of a fixed set of classes (objects, defects, species)",
    aliases=("classify images", "image classifier", "images", "pictures", "photos",
             "computer vision", "image recognition"),
    default_dataset="sample-shapes",
    default_metrics=("accuracy", "f1", "confusion-matrix"),
    default_strategy="full",
)
def _image_classification() -> Task:
    from .image_classification import ImageClassification

    return ImageClassification()


@family(
    "causal-lm",
    phrases=phrases.CAUSAL_LM,
    examples=phrases.CAUSAL_LM_EXAMPLES,
    title="Causal language modelling",
    description=("teach a language model to follow instructions, hold a chat or write like "
                 "your texts (next-token prediction; only responses are scored)"),
    # no bare "chat" or "generation": people chat with the assistant about any task
    aliases=("language model", "language modelling", "language modeling",
             "instruction tuning", "instruction-tuning", "chat model", "chatbot", "sft",
             "supervised fine-tuning", "text generation", "causal lm",
             "follow instructions"),
    default_metrics=("perplexity",),
    default_strategy="lora",
    default_dataset="sample-instructions",
)
def _causal_lm() -> Task:
    from .causal_lm import CausalLM

    return CausalLM()
