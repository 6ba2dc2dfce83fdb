"""``gradual``: ULMFiT-style gradual unfreezing with discriminative learning rates.

Training starts with the head alone; each ``every`` epochs the next layer group down unfreezes.
Each group's learning rate is the one above it divided by ``factor`` (2.6 in ULMFiT), so the
general features near the bottom move least.
"""

from __future__ import annotations

import tunekit
from tunekit.layers import freeze_all, frozen_modules, set_trainable


def apply(model, options, context: tunekit.StrategyContext) -> tunekit.StrategyPlan:
    top_down = list(reversed(context.layer_groups))
    factor, every = options["factor"], options["every"]
    freeze_all(model)
    kept_in_eval: list = []
    unfrozen = 0

    def on_epoch_start(epoch: int) -> str | None:
        nonlocal unfrozen
        count = min(len(top_down), 1 + epoch // every)
        if count == unfrozen:
            return None
        newly = top_down[unfrozen:count]
        unfrozen = count
        for group in newly:
            set_trainable(group.parameters(), True)
        kept_in_eval[:] = frozen_modules(model, top_down[count:])
        names = ", ".join(g.name for g in newly)
        if epoch == 0:
            return f"training {names} only"
        return f"unfroze {names} (learning rate x{factor ** -(count - 1):.3g})"

    reach = min(len(top_down), 1 + (context.epochs - 1) // every)
    short = (f"; with {context.epochs} epochs only the top {reach} of {len(top_down)} groups "
             f"unfreeze (use at least {1 + (len(top_down) - 1) * every} epochs to reach the "
             "embeddings)") if reach < len(top_down) else ""
    groups = [tunekit.ParamGroup(name=g.name, params=g.parameters(), lr_scale=factor ** -depth)
              for depth, g in enumerate(top_down)]
    return tunekit.StrategyPlan(
        model=model, param_groups=groups, on_epoch_start=on_epoch_start,
        frozen_modules=kept_in_eval, cycle_per_epoch=True,
        summary=f"gradual unfreezing: head first, one more of {len(top_down)} layer groups "
                f"every {every} epoch(s) from the top down; rates divided by {factor} per group"
                f"{short}")


# the ways people describe this strategy, read by the assistant (the {placeholders} are
# tunekit.PHRASE_WORDS)
PHRASES = (
    r"\bgradual\w*(?: unfreez\w*)?|\bprogressive\w* unfreez\w*|\bulm-?fit\b|"
    r"\bdiscriminative (?:learning )?(?:rates?|lrs?|fine-?tuning)|"
    r"\blayer[- ]?wise (?:learning rates?|lrs?|lr decay|unfreez\w*|learning rate decay)|"
    r"\b1 (?:layer|block|group) at a time|\blayer by layer",
    r"\bunfreez\w* (?:\w+ ){0,4}?(?:gradually|slowly|progressively|over time|one by one|1 by 1|"
    r"1 at a time|bit by bit|step by step|(?:each|every|per|after each) epoch|every \d+ epochs?|"
    r"as (?:training|we) (?:goes|go|progresses)|from the top(?: down)?|top[- ]down|1 (?:layer|"
    r"block|group) (?:per|each|every|at))",
    r"\b{train} (?:only )?(?:the )?{head} (?:\w+ ){0,5}?(?:then|and then|before|after that|"
    r"afterwards|later) (?:\w+ )?unfreez\w*(?: \w+){0,2}|"
    r"\bfirst (?:the )?{head},? then (?:the rest|everything|all)",
    r"\b(?:slowly|gradually|progressively|incrementally|step by step) unfreez\w*(?: \w+){0,3}|"
    r"\bunfreez\w* (?:1|another) (?:more )?(?:layer|block|group)s? (?:per|each|every|at a time|"
    r"after)",
)
# the ways people say the every option with a value
EVERY_PHRASES = (
    r"(?:every|per|each) {number} epochs?",
    r"{number} epochs? (?:per|between|for each|before each) (?:layer|group|block|unfreez\w*|"
    r"step)",
)
# the ways people say the factor option with a value
FACTOR_PHRASES = (
    r"(?:factor|divid\w* (?:(?:the )?(?:learning )?(?:rates?|lrs?) )?by|(?:lr|"
    r"learning rate) decay|decay factor|ratio)\s*(?:=|:|of|to|is|at|by)?\s*{number}",
)


@tunekit.hookimpl
def register_strategies(register):
    register(tunekit.Strategy(
        name="gradual",
        tasks=("text-classification", "image-classification", "text-regression",
               "token-classification"),
        title="Gradual unfreezing",
        description="Start by training only the head, then unfreeze one layer group per epoch "
                    "from the top down, with lower learning rates for lower layers "
                    "(discriminative rates, as in ULMFiT). Guards the pretrained features "
                    "against being wiped out early.",
        aliases=("gradual unfreezing", "slowly unfreeze", "unfreeze gradually",
                 "progressive unfreezing", "ulmfit", "unfreeze layer by layer",
                 "discriminative learning rates", "step by step unfreezing",
                 "gradually unfreeze", "layer-wise unfreezing", "one layer at a time"),
        phrases=PHRASES,
        params=(
            tunekit.Param(name="factor", type=float, default=2.6, min=1.0, max=100.0,
                          help="each lower group's learning rate is the one above divided by this",
                          phrases=FACTOR_PHRASES),
            tunekit.Param(name="every", type=int, default=1, min=1,
                          help="epochs between two unfreezing steps", phrases=EVERY_PHRASES),
        ),
        default_learning_rate=3e-3,
        default_epochs=10,
        apply=apply,
    ))
