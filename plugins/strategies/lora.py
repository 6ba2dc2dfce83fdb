"""``lora``: low-rank adapters (peft) in the linear layers; the pretrained weights stay frozen."""

from __future__ import annotations

import tunekit
from tunekit.layers import modules_of


def apply(model, options, context: tunekit.StrategyContext) -> tunekit.StrategyPlan:
    import warnings

    from peft import LoraConfig, TaskType, get_peft_model

    # peft asks transformers a deprecated question; the warning means nothing to our users
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
    # GPT-2's Conv1D layers store their weights transposed: peft notices, says so, and copes
    warnings.filterwarnings("ignore", message=".*fan_in_fan_out.*")

    # the new task head (and a pooler above the blocks) trains in full, next to the adapters
    heads = modules_of(model, context.layer_groups[-1])
    head_names = {name.rsplit(".", 1)[-1] for name, m in model.named_modules()
                  if name and any(m is h for h in heads)}
    # a language model's head is not new: its vocabulary projection (often tied to the
    # embeddings) stays frozen and the adapters alone train
    causal = context.task == "causal-lm"
    # peft's wrapper for the task (it passes the task's inputs through); images have none of
    # their own: the plain wrapper hands pixel_values on as they are
    task_type = {"causal-lm": TaskType.CAUSAL_LM, "token-classification": TaskType.TOKEN_CLS,
                 "image-classification": None}.get(context.task, TaskType.SEQ_CLS)
    config = LoraConfig(
        task_type=task_type, r=options["r"],
        lora_alpha=options["alpha"], lora_dropout=options["dropout"],
        target_modules=options["target_modules"] or "all-linear",
        modules_to_save=None if causal else sorted(head_names) or None)
    try:
        wrapped = get_peft_model(model, config)
    except ValueError as exc:  # no target modules found, or none known for this architecture
        raise tunekit.SpecError(
            f"LoRA cannot wrap this model: {exc}".splitlines()[0], where="strategy.target_modules",
            hint="name the linear layers to adapt, e.g. target_modules: [query, value]") from None
    params = [p for p in wrapped.parameters() if p.requires_grad]
    trainable = sum(p.numel() for p in params)
    targets = sorted({t.rsplit(".", 1)[-1] for t in wrapped.peft_config["default"].target_modules})
    return tunekit.StrategyPlan(
        model=wrapped, param_groups=[tunekit.ParamGroup(name="adapters+head", params=params)],
        summary=f"LoRA r={options['r']} alpha={options['alpha']} on {', '.join(targets)}; "
                f"{trainable:,} parameters train")


# the ways people describe this strategy, read by the assistant (the {placeholders} are
# tunekit.PHRASE_WORDS)
PHRASES = (
    r"\bq?lora\b|\blo-ra\b|\blow[- ]rank(?: adapt\w*| updates?| matri\w*)?|\bpeft\b|"
    r"\bparameter[- ]efficient\w*(?: fine[- ]?tun\w*)?|\badapters?(?: layers?| modules?| tuning|"
    r" weights)?\b",
)
# the ways people say the rank option with a value
RANK_PHRASES = (
    r"(?:lora[ _-])?(?:rank|\br)\s*(?:=|:|of|to|is|at)?\s*{number}",
    r"{number}[ -]?rank\b",
    r"\brank[- ]{number}",
)
# the ways people say the alpha option with a value
ALPHA_PHRASES = (
    r"(?:lora[ _-])?(?:alpha|scaling(?: factor)?)\s*(?:=|:|of|to|is|at)?\s*{number}",
    r"{number} (?:as )?(?:the )?alpha\b",
)
# the ways people say the dropout option with a value
DROPOUT_PHRASES = (
    r"(?:lora|adapters?)[ _-]?dropout\s*(?:=|:|of|to|is|at)?\s*{number}\s*(%)?",
    r"(?:\br|rank|alpha)\s*(?:=|:|of)?\s*\d+\s*,?\s*(?:and )?(?:(?:\br|rank|alpha)\s*(?:=|:|"
    r"of)?\s*\d+\s*,?\s*(?:and )?)?dropout\s*(?:=|:|of)?\s*{number}\s*(%)?",
    r"dropout (?:of )?{number}\s*(%)? (?:on|for|in) (?:the )?(?:lora|adapters?)",
    r"{number}\s*(%)? (?:lora |adapter )?dropout (?:on|for|in) (?:the )?(?:lora|adapters?)",
)


@tunekit.hookimpl
def register_strategies(register):
    register(tunekit.Strategy(
        name="lora",
        tasks=("text-classification", "image-classification", "text-regression",
               "token-classification", "causal-lm"),
        title="LoRA adapters",
        description="Add small low-rank adapters to the linear layers and train only them "
                    "(and the head); the pretrained weights stay frozen. Close to full "
                    "fine-tuning in accuracy with a fraction of the trainable parameters.",
        aliases=("low-rank adaptation", "low rank adaptation", "adapter", "adapters",
                 "an adapter", "peft", "parameter-efficient", "parameter efficient",
                 "lightweight fine-tuning", "lora adapters", "low-rank adapters"),
        phrases=PHRASES,
        params=(
            # "rank 16", "lora alpha 32", "adapter dropout 0.05" say LoRA as well
            tunekit.Param(name="r", type=int, default=8, min=1, max=1024,
                          help="rank of the adapters: higher learns more, trains more",
                          phrases=RANK_PHRASES, picks=True),
            tunekit.Param(name="alpha", type=int, default=16, min=1,
                          help="scaling of the adapters (often twice r)",
                          phrases=ALPHA_PHRASES, picks=True),
            tunekit.Param(name="dropout", type=float, default=0.1, min=0.0, max=0.9,
                          help="dropout on the adapters' input",
                          phrases=DROPOUT_PHRASES, picks=True),
            tunekit.Param(name="target_modules", type=list, default=None,
                          help="names of the linear layers to adapt (default: every linear "
                               "layer of the blocks, as QLoRA recommends)"),
        ),
        default_learning_rate=1e-3,
        default_epochs=6,
        apply=apply,
    ))
