"""What the assistant knows to say: answers to common questions and recommendations.

Answers about components come from their own descriptions (so a plugin explains itself);
the notes below cover the practice around them.
"""

from __future__ import annotations

import re
from typing import Any

from .language import normalise

NOTES: dict[str, tuple[tuple[str, ...], str]] = {
    "learning-rate": (("lower learning rate", "learning rate", "lr", "why lower", "small rate"),
        "The learning rate is how big a step each update takes. Fine-tuning starts from weights "
        "that already encode a lot, so it uses a rate 10 to 100 times lower than training from "
        "scratch (around 2e-5 to 1e-4 for every weight): large steps would wipe out what "
        "pretraining learned. A fresh head or small adapters start from nothing and can take "
        "larger steps (1e-3). Leave it empty and tunekit uses the strategy's recommended rate."),
    "epochs": (("epoch", "epochs", "how many epochs", "how long"),
        "An epoch is one pass over the training examples. Too few and the model underfits; "
        "too many and it starts memorising (overfitting). With early stopping on, tunekit stops "
        "when the validation score stops improving and keeps the best epoch's weights."),
    "overfitting": (("overfit", "overfitting", "memoris", "memoriz"),
        "Overfitting is when the model keeps getting better on its training examples but worse "
        "on new ones: the validation score peaks and then falls. Remedies: fewer epochs (early "
        "stopping), more weight decay or dropout, more data, or freezing more of the model."),
    "underfitting": (("underfit", "underfitting"),
        "Underfitting is when the model is poor even on its training data: it has not learned "
        "the task yet. Train longer, raise the learning rate a little, or let more of the model "
        "train (LoRA or full fine-tuning instead of head-only)."),
    "validation": (("validation", "validation set", "held out", "test set", "test split"),
        "The validation split is held out from training and scored after every epoch: it is how "
        "you see over- or underfitting and when to stop. The test split is scored once, at the "
        "end, so its number is an honest estimate of quality on new data."),
    "weight-decay": (("weight decay", "regularization", "regularisation", "l2"),
        "Weight decay gently pulls weights towards zero at every step, which discourages the "
        "model from relying on a few memorised details. 0.01 is a common default; 0.05 to 0.1 "
        "when the model overfits."),
    "dropout": (("dropout",),
        "Dropout switches off a random share of the units during training so the model cannot "
        "depend on any single one. It fights overfitting; the backbone's own value (often 0.1) "
        "is used unless you set one."),
    "batch-size": (("batch size", "batch", "batches"),
        "The batch size is how many examples go into one update. Larger batches are faster per "
        "example on a GPU but need more memory; 16 or 32 suits most fine-tuning."),
    "from-scratch": (("from scratch", "scratch", "pretraining", "pretrained", "pre-trained"),
        "Fine-tuning starts from a model pretrained on a large corpus, so it needs far less data "
        "and time than training from scratch (random weights). To see what pretraining is worth, "
        "run the same spec with the backbone's `pretrained: false`."),
    "data-quality": (("how much data", "enough data", "data quality", "how many examples"),
        "A few hundred labelled examples per class is a good start for fine-tuning a small model; "
        "fewer works with head-only or LoRA. Check the labels are right and the classes not too "
        "unbalanced: a model learns mistakes in the labels as faithfully as the truth."),
    "model-card": (("model card", "card"),
        "A model card is the README that travels with a model: what data it learned from, how "
        "it was trained, how well it does, and where it should not be used. tunekit writes one "
        "with every run that has the model-card exporter."),
    "early-stopping": (("early stopping", "stop early", "patience"),
        "Early stopping watches the validation score after each epoch and stops when it has not "
        "improved for `patience` epochs, then restores the best epoch's weights."),
}

QUESTION = re.compile(r"^(?:what|why|how|which|should|when|can|could|is|are|does|do|explain|"
                      r"tell me|what's|whats|help|difference)\b|\?\s*$")


def is_question(message: str) -> bool:
    return bool(QUESTION.search(normalise(message)))


def answer(message: str, catalog: Any, preview: Any = None,
           draft: dict | None = None) -> str | None:
    """A plain-words answer, or None when the question is not one the assistant knows."""
    text = normalise(message)
    if re.search(r"\b(which|what) (strategy|method|approach)\b|\bshould i (use|pick|choose)\b|"
                 r"\brecommend", text):
        return recommend(preview, catalog)
    for kind in ("strategy", "backbone", "dataset", "metric", "exporter"):
        component, _ = catalog.best(kind, text)
        if component is not None and re.search(r"\bwhat\b|\bexplain\b|\btell me\b|\bhow does\b",
                                               text):
            return f"**{component.title}** ({component.name}): {component.description}"
    for _, (cues, note) in NOTES.items():
        if any(re.search(rf"\b{re.escape(cue)}", text) for cue in cues):
            return note
    if re.search(r"\b(strategies|options|what can you do|help)\b", text):
        names = ", ".join(f"{c.name} ({c.title})" for c in catalog.by_kind.get("strategy", []))
        return ("Tell me what to train on and how, in your own words: the data (the bundled "
                "sample or a CSV/JSONL path), the model, the strategy, and numbers such as "
                f"epochs or learning rate. Strategies installed: {names}.")
    return None


def recommend(preview: Any, catalog: Any) -> str:
    """Which strategy to use, with reasons drawn from the data when it is known."""
    if preview is None or preview.problem or not preview.count:
        return ("Without your data in front of me: **LoRA** is the safe default — close to full "
                "fine-tuning in accuracy, fast on a CPU, and it keeps the pretrained weights "
                "intact. Use **full** fine-tuning with thousands of examples and a GPU; "
                "**head-only** when you have very few examples (a few dozen per class); "
                "**gradual** unfreezing when full fine-tuning is unstable on small data.")
    n, labels = preview.count, preview.labels
    smallest = min(labels.values()) if labels else 0
    ratio = (max(labels.values()) / max(1, smallest)) if labels else 1
    facts = f"{n} examples, {len(labels)} classes, the smallest with {smallest}"
    if smallest < 20:
        choice, why = "head-only", "with so few examples per class, training only the head is " \
            "the least likely to overfit"
    elif n < 5000:
        choice, why = "lora", "LoRA adapts the whole model with few trainable parameters, " \
            "which suits a few hundred to a few thousand examples and runs fast on a CPU"
    else:
        choice, why = "full", "with this much data, fine-tuning every weight usually gives the " \
            "best accuracy (a GPU helps)"
    extra = ""
    if ratio >= 3:
        extra = (f" The classes are unbalanced (the largest is {ratio:.0f}x the smallest): watch "
                 "F1 rather than accuracy.")
    return f"Your data has {facts}. I recommend **{choice}**: {why}.{extra}"
