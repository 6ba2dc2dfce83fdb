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
        target_modules=resolve_targets(model, options["target_modules"], head_names)
        or "all-linear",
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


# the parts of a block a person may name by their role instead of by the model's own module
# names: one spec says "only the attention" for BERT, GPT-2, LLaMA or ViT alike
ROLE_NAMES = {
    "q": ("query", "q_proj", "q_lin", "q", "wq"),
    "k": ("key", "k_proj", "k_lin", "k", "wk"),
    "v": ("value", "v_proj", "v_lin", "v", "wv"),
    "o": ("o_proj", "out_proj", "out_lin", "o", "wo"),
}
# one layer that computes the query, key and value together (GPT-2, Falcon, Phi)
FUSED_QKV = ("c_attn", "qkv", "query_key_value", "wqkv", "qkv_proj", "in_proj")
ATTENTION_PARTS = ("attention", "attn", "self_attn", "selfattention")
ROLES = (*ROLE_NAMES, "attention", "mlp")


def _linear_names(model) -> list[str]:
    """The qualified names of the model's linear layers (GPT-2's Conv1D is one too)."""
    return [name for name, module in model.named_modules()
            if name and type(module).__name__ in ("Linear", "Conv1D")]


def _in_attention(name: str) -> bool:
    return any(part.lower() in ATTENTION_PARTS or "attn" in part.lower() or
               "attention" in part.lower() for part in name.split(".")[:-1])


def resolve_targets(model, targets: list[str] | None, heads: set[str]) -> list[str] | None:
    """The modules to adapt: ``targets`` as given, where each is a module name; a role
    (``q``, ``k``, ``v``, ``o``, ``attention``, ``mlp``) becomes the model's own linear
    layers that play it (``q`` is a fused query-key-value layer where the model has one).
    None (every linear layer) when none are given."""
    if not targets or not any(t.lower() in ROLES for t in targets):
        return targets or None
    linear = [n for n in _linear_names(model) if not any(
        part in heads for part in n.split("."))]
    chosen: list[str] = []
    for target in targets:
        role = target.lower()
        if role not in ROLES:
            chosen.append(target)
            continue
        if role == "attention":
            found = [n for n in linear if _in_attention(n)]
        elif role == "mlp":  # the rest of each block (its layers are numbered: h.0.mlp.c_fc)
            found = [n for n in linear if not _in_attention(n) and
                     any(part.isdigit() for part in n.split("."))]
        else:
            found = [n for n in linear if n.split(".")[-1].lower() in ROLE_NAMES[role]
                     and (role != "o" or _in_attention(n))]
            if role == "o" and not found:  # BERT's attention.output.dense, GPT-2's attn.c_proj
                found = [n for n in linear if _in_attention(n) and
                         n.split(".")[-1] in ("dense", "c_proj")]
            if not found and role in "qkv":
                found = [n for n in linear if n.split(".")[-1].lower() in FUSED_QKV]
        if not found:
            raise tunekit.SpecError(
                f"this model has no {target!r} layers for LoRA to adapt",
                where="strategy.target_modules",
                hint=f"name its linear layers instead, e.g. {', '.join(_examples(linear))}")
        chosen += [n for n in found if n not in chosen]
    return chosen


def _examples(linear: list[str]) -> list[str]:
    return list(dict.fromkeys(n.split(".")[-1] for n in linear))[:6]


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
                          help="the linear layers to adapt, by the model's module names "
                               "(query, v_proj) or by role, for any model: q, k, v, o, "
                               "attention (all of its layers), mlp (default: every linear "
                               "layer of the blocks, as QLoRA recommends)"),
        ),
        default_learning_rate=1e-3,
        default_epochs=6,
        apply=apply,
    ))
