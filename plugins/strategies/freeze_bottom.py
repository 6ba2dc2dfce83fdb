"""``freeze-bottom``: freeze the embeddings and the lowest blocks; the rest trains."""

from __future__ import annotations

import tunekit
from tunekit.layers import freeze_all, frozen_modules, set_trainable


def apply(model, options, context: tunekit.StrategyContext) -> tunekit.StrategyPlan:
    groups = context.layer_groups
    blocks = [g for g in groups if g.kind == "block"]
    layers = options["layers"]
    if layers is None:  # not said: the lower half, as deep as the model is (3 of MiniLM's 6)
        layers = len(blocks) // 2
    if layers > len(blocks):
        raise tunekit.SpecError(f"the model has {len(blocks)} blocks; cannot freeze {layers}",
                                where="strategy.layers", hint=f"choose 0 to {len(blocks)}")
    frozen_names = {"embeddings"} | {b.name for b in blocks[:layers]}
    frozen = [g for g in groups if g.name in frozen_names]
    training = [g for g in groups if g.name not in frozen_names]
    freeze_all(model)
    params = [p for g in training for p in g.parameters()]
    set_trainable(params, True)
    return tunekit.StrategyPlan(
        model=model, param_groups=[tunekit.ParamGroup(name="unfrozen", params=params)],
        summary=f"freeze bottom: embeddings and the lowest {layers} of {len(blocks)} blocks "
                f"frozen; {', '.join(g.name for g in training)} train",
        frozen_modules=frozen_modules(model, frozen))


# the ways people describe this strategy, read by the assistant (the {placeholders} are
# tunekit.PHRASE_WORDS)
PHRASES = (
    r"\bfreez\w* (?:only |just )?(?:the )?{lower}(?: few)? {layers}|\bpartial\w* (?:freez\w*|"
    r"fine[- ]?tun\w*|unfreez\w*)|\bfreez\w* (?:some|a few) (?:of the )?{layers}|\b(?:some|"
    r"a few|several) (?:of the )?{layers} (?:\w+ )?{frozen}|"
    r"\b{lower} {layers} (?:\w+ ){0,2}?(?:{frozen}|freez\w*)|\bfreez\w* (?:everything|"
    r"all(?: \w+)?) (?:except|but|apart from|other than|"
    r"save) (?:the )?{upper}(?: few)? {layers}|\b{train} (?:only )?(?:the )?{upper} (?:few "
    r")?{layers}",
)
# the ways people say the layers option with a value
LAYERS_PHRASES = (
    r"{number} (?:frozen |bottom |lower )?{layers}",
)


@tunekit.hookimpl
def register_strategies(register):
    register(tunekit.Strategy(
        name="freeze-bottom",
        tasks=("text-classification", "image-classification", "text-regression",
               "token-classification", "causal-lm"),
        title="Freeze the bottom layers",
        description="Freeze the embeddings and the lowest layers, which hold general features, "
                    "and fine-tune the upper layers and the head. A middle ground between "
                    "head-only and full fine-tuning.",
        aliases=("freeze bottom", "freeze lower layers", "freeze the first layers",
                 "freeze early layers", "partial fine-tuning", "freeze some layers",
                 "train the top layers", "freeze the lower layers", "freeze the bottom layers",
                 "freeze the early layers", "partial freezing"),
        phrases=PHRASES,
        params=(tunekit.Param(name="layers", type=int, default=None, min=0,
                              help="how many of the lowest blocks to freeze (the embeddings "
                                   "are always frozen); unset: the lower half of the blocks",
                              phrases=LAYERS_PHRASES, means="frozen-bottom-layers"),),
        default_learning_rate=1e-4,
        default_epochs=6,
        apply=apply,
    ))
