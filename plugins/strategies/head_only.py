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


# the ways people describe this strategy, read by the assistant (the {placeholders} are
# tunekit.PHRASE_WORDS)
PHRASES = (
    r"\blinear[ -]?prob\w*|\bprob(?:e|ing) (?:the )?(?:frozen )?(?:\w+ )?(?:features|embeddings|"
    r"representations)|\bfeature[ -]?extract\w*(?: \w+)?|\bfrozen (?:features|representations|"
    r"embeddings as features)",
    r"\b(?:only|just|solely|exclusively|nothing but) (?:{train} )?(?:the |a |a new |an |"
    r"my )?{head}",
    r"\b{train} (?:only|just|solely|exclusively) (?:the |a |a new |an )?{head}",
    r"\b{train} (?:the |a |a new |an )?{head}(?: only| alone|[- ]only)\b",
    r"\b{head}[- ]only\b",
    r"\bonly (?:the )?{head} (?:is |gets |will be |should be |to be )?(?:{train}|trainable)",
    r"\b(?:freez\w*|lock\w*|fix) (?:the |all |all the |every |whole |entire |my |"
    r"our )?(?:\w+ ){0,2}?{body}\b",
    r"\b{body} (?:\w+ ){0,2}?(?:stays?|remains?|is|are|kept|should be|being|left|"
    r"will be) {frozen}",
    r"\bkeep\w* (?:the |all |all the )?{body} (?:\w+ )?{frozen}",
    r"\b(?:frozen|fixed|locked) (?:pre-?trained )?{body}",
    r"\b{negation} (?:{train}|touch\w*|chang\w*|modif\w*|mess\w* with) (?:the |any of the |"
    r"any )?{body}",
    r"\bleave (?:the )?{body} (?:alone|untouched|as is|frozen|as it is)",
    r"\b{body} (?:\w+ ){0,2}?(?:should not|shouldn't|must not|mustn't|won't|will not|don't|"
    r"do not|never|can't|cannot) (?:be )?(?:change|move|update|train|learn|touch|modif)\w*",
    r"\b{head} (?:on top of|on|over|above) (?:a |the |some )?(?:frozen|fixed|pre-?computed)",
)


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
        phrases=PHRASES,
        default_learning_rate=2e-3,
        default_epochs=6,
        apply=apply,
    ))
