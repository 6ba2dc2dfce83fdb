"""``full``: fine-tune every weight."""

from __future__ import annotations

import tunekit
from tunekit.layers import set_trainable


def apply(model, options, context: tunekit.StrategyContext) -> tunekit.StrategyPlan:
    params = list(model.parameters())
    set_trainable(params, True)
    return tunekit.StrategyPlan(
        model=model, param_groups=[tunekit.ParamGroup(name="all", params=params)],
        summary="full fine-tuning: every weight trains")


@tunekit.hookimpl
def register_strategies(register):
    register(tunekit.Strategy(
        name="full",
        tasks=("text-classification", "image-classification", "text-regression",
               "token-classification", "causal-lm"),
        title="Full fine-tuning",
        description="Train every weight of the pretrained model at a low learning rate. The most "
                    "accurate with enough data; the slowest and the most memory.",
        aliases=("full fine-tuning", "fine-tune everything", "train everything",
                 "train all layers", "fine-tune all layers", "update all weights",
                 "unfreeze everything", "no freezing", "train the whole model", "full finetune",
                 "full fine-tune", "fully fine-tune", "end-to-end fine-tuning",
                 "standard fine-tuning", "vanilla fine-tuning", "regular fine-tuning"),
        default_learning_rate=1e-4,
        default_epochs=6,
        apply=apply,
    ))
