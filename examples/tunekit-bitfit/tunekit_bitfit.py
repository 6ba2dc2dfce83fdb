"""``bitfit``: fine-tune only the bias terms of a pretrained model, and its task head.

BitFit (Ben Zaken, Goldberg and Ravfogel, 2022) freezes every weight matrix and trains the bias
vectors alone: about 0.1% of a BERT's parameters, close to full fine-tuning on small and
medium data, and each task costs only its biases to store. The task head is new, so it trains
whole.

``layerwise_lr_decay`` below 1 gives lower layers smaller steps (Clark et al., ELECTRA): the
head trains at the run's learning rate, the top block at rate × decay, the block below it at
rate × decay², and so on down to the embeddings.

Registration imports only tunekit; torch arrives with the model the strategy is given.
"""

from __future__ import annotations

import tunekit
from tunekit.layers import LayerGroup, freeze_all, set_trainable

# the plugin contract this plugin was written against (tunekit refuses it outside this range)
requires_contract = ">=1.0,<2"


def is_bias(name: str) -> bool:
    """Whether the parameter called ``name`` is a bias vector (``...bias``, ``...bias_k``)."""
    leaf = name.rsplit(".", 1)[-1]
    return leaf == "bias" or leaf.startswith("bias_")


def depths(groups: list[LayerGroup]) -> dict[str, int]:
    """How far below the head each layer group is: head 0, top block 1, ..., embeddings last.
    Groups are listed bottom to top; several head groups all count as the head."""
    found, depth = {}, 0
    for group in reversed(groups):
        if group.kind != "head":
            depth += 1
        found[group.name] = 0 if group.kind == "head" else depth
    return found


def apply(model, options, context: tunekit.StrategyContext) -> tunekit.StrategyPlan:
    decay = options["layerwise_lr_decay"]
    freeze_all(model)
    below_head = depths(context.layer_groups)
    param_groups, biases, head = [], 0, 0
    for group in context.layer_groups:
        if group.kind == "head":
            chosen = group.parameters()
            head += sum(p.numel() for p in chosen)
        else:
            chosen = [p for name, p in group.params if is_bias(name)]
            biases += sum(p.numel() for p in chosen)
        if not chosen:
            continue
        set_trainable(chosen, True)
        param_groups.append(tunekit.ParamGroup(name=group.name, params=chosen,
                                               lr_scale=decay ** below_head[group.name]))
    if biases == 0:
        raise tunekit.SpecError(
            "this model has no bias terms outside its head, so BitFit would train only the "
            "head", where="strategy.name", hint="use head-only, or a strategy such as lora")
    if decay == 1 and len(param_groups) > 1:  # one rate for all: one group says it plainly
        param_groups = [tunekit.ParamGroup(
            name="biases and head", params=[p for g in param_groups for p in g.params])]
    total = sum(p.numel() for p in model.parameters())
    share = 100 * (biases + head) / max(1, total)
    summary = (f"bitfit: {biases:,} bias parameters and {head:,} head parameters train "
               f"({share:.2f}% of {total:,}); every weight matrix is frozen")
    if decay < 1:
        lowest = max(below_head.values())
        summary += (f"; layer-wise learning-rate decay {decay:g}: the head at the full rate, "
                    f"the top block at ×{decay:g}, the lowest group at ×{decay ** lowest:.3g}")
    return tunekit.StrategyPlan(model=model, param_groups=param_groups, summary=summary)


@tunekit.hookimpl
def register_strategies(register):
    register(tunekit.Strategy(
        name="bitfit",
        title="BitFit (train only the biases)",
        description="Freeze every weight matrix and fine-tune only the bias terms of the "
                    "pretrained model, plus the task head: about 0.1% of the parameters, close "
                    "to full fine-tuning on small data, cheap to store per task. Optionally "
                    "with layer-wise learning-rate decay, smaller steps for lower layers.",
        aliases=("bit fit", "bit-fit", "bias-only", "bias only", "biases only",
                 "bias-only fine-tuning", "bias terms only", "bias tuning",
                 "train only the biases", "train only the bias terms", "train just the biases",
                 "only the biases", "only the bias terms", "fine-tune only the biases",
                 "tune the biases", "update only the biases"),
        params=(tunekit.Param(
            name="layerwise_lr_decay", type=float, default=1.0, min=0.01, max=1.0,
            help="each layer below the head trains at the rate of the layer above times this "
                 "(0.01 to 1; 1: every layer at the same rate; 0.8 to 0.95 is usual)"),),
        default_learning_rate=1e-3,
        default_epochs=10,
        apply=apply,
    ))
