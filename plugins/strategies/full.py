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


# the ways people describe this strategy, read by the assistant (the {placeholders} are
# tunekit.PHRASE_WORDS)
PHRASES = (
    r"\b(?:full|all)(?:y)?[ -]?(?:param\w*[ -])?(?:fine[- ]?tun\w*|finetun\w*|train\w*|ft)\b|"
    r"\bfull (?:model|network) (?:fine[- ]?tun\w*|train\w*)|\bfull fine-?tune",
    r"\b{train} (?:(?:all|every|the whole|the entire|the full|the complete|all of)(?: the| its|"
    r" of the)? (?:\w+ )?(?:weights?|layers?|parameters?|params|model|network|thing|transformer|"
    r"encoder|blocks?)|everything|it all|end[- ]to[- ]end)",
    r"\bend[- ]to[- ]end\b",
    r"\bunfreez\w* (?:all|everything|every layer|the whole|the entire)(?: \w+)?",
    r"\b(?:everything|all (?:the )?(?:layers|weights|parameters)|every (?:single )?(?:layer|"
    r"weight|parameter|block)) (?:is |are |should be |stays? |remains? |get |gets |getting |"
    r"being )?(?:trainable|unfrozen|updated|trained|tuned|fine-tuned|learned)|\bnothing (?:is |"
    r"stays |should be )?(?:frozen|fixed)|\bfreez\w* nothing|\bno (?:layers? |"
    r"weights? )?(?:frozen|freezing)|\bno frozen (?:layers|weights|parts)",
    r"\b{negation} (?:\w+ )?freez\w*(?: anything| any(?: of the)? \w+| the \w+)?",
)


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
        phrases=PHRASES,
        default_learning_rate=1e-4,
        default_epochs=6,
        apply=apply,
    ))
