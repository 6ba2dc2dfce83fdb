"""``head-only``: a frozen feature extractor; only the task head on top trains."""

from __future__ import annotations

import tunekit
from tunekit.layers import freeze_all, frozen_modules, set_trainable


def apply(model, options, context: tunekit.StrategyContext) -> tunekit.StrategyPlan:
    head = context.layer_groups[-1]
    frozen = context.layer_groups[:-1]
    freeze_all(model)
    set_trainable(head.parameters(), True)
    return tunekit.StrategyPlan(
        model=model, param_groups=[tunekit.ParamGroup(name="head", params=head.parameters())],
        summary=f"head only: the pretrained body is a frozen feature extractor; "
                f"{head.count():,} head parameters train",
        frozen_modules=frozen_modules(model, frozen))


@tunekit.hookimpl
def register_strategies(register):
    register(tunekit.Strategy(
        name="head-only",
        tasks=("text-classification", "image-classification", "text-regression",
               "token-classification"),
        title="Head only (frozen feature extractor)",
        description="Keep the pretrained model frozen as a feature extractor and train only the "
                    "classifier on top. Fast and safe with little data; less accurate than "
                    "fine-tuning when the task differs from pretraining.",
        aliases=("head only", "classifier only", "train only the classifier", "linear probe",
                 "feature extraction", "frozen feature extractor", "freeze the backbone",
                 "keep the pretrained layers fixed", "freeze everything", "train the head",
                 "last layer only", "top only", "linear probing", "train only the head",
                 "frozen encoder", "frozen backbone", "freeze the encoder", "feature extractor"),
        default_learning_rate=2e-3,
        default_epochs=6,
        apply=apply,
    ))
