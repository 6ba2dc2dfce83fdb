"""The optimizer (AdamW over the strategy's parameter groups) and the learning-rate schedule."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..errors import PluginError

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from ..components import StrategyPlan


def adamw(groups: list[dict[str, Any]]) -> Any:
    """AdamW, fused where this torch has it for the parameters (one kernel over every
    parameter instead of a loop of small ones: the update takes a fraction of the time, on a
    CPU as on a GPU; transformers' Trainer uses it too)."""
    import torch

    try:
        return torch.optim.AdamW(groups, fused=True)
    except (RuntimeError, ValueError):  # a device or dtype the fused kernel does not take
        return torch.optim.AdamW(groups)


def optimizer_groups(plan: StrategyPlan, model: torch.nn.Module, base_lr: float,
                     weight_decay: float, strategy: str) -> list[dict[str, Any]]:
    """AdamW groups: each strategy group at its rate, no weight decay on biases and norms."""
    seen: set[int] = set()
    groups = []
    for group in plan.param_groups:
        decay, no_decay = [], []
        for p in group.params:
            if id(p) in seen:
                raise PluginError(f"a parameter is in two param_groups (again in {group.name!r})",
                                  where=f"strategy {strategy!r}")
            seen.add(id(p))
            (decay if p.ndim >= 2 else no_decay).append(p)
        lr = base_lr * group.lr_scale
        for params, wd in ((decay, weight_decay), (no_decay, 0.0)):
            if params:
                groups.append({"params": params, "lr": lr, "weight_decay": wd,
                               "name": group.name})
    missing = [p for p in model.parameters() if p.requires_grad and id(p) not in seen]
    if missing:
        raise PluginError(f"{len(missing)} trainable parameters are in no param group",
                          where=f"strategy {strategy!r}",
                          hint="list every parameter that may train in StrategyPlan.param_groups")
    if not groups:
        raise PluginError("the strategy left nothing to train", where=f"strategy {strategy!r}")
    return groups


def make_schedule(optimizer: Any, kind: str, warmup: int, cycle: int,
                  repeat: bool = False) -> Any:
    """The learning-rate schedule over ``cycle`` optimizer steps (with ``repeat``, started again
    each cycle, as gradual unfreezing does each epoch): a linear warm-up over ``warmup`` steps,
    then

    - ``constant``: the full rate;
    - ``linear``: linear decay to 0;
    - ``cosine``: cosine decay to 0;
    - ``slanted-triangular`` (Howard & Ruder, 2018): the warm-up is the short rise, then a
      linear decay to 1/32 of the rate.
    """
    import torch

    if kind == "slanted-triangular":
        warmup = max(1, warmup)
    floor = 1 / 32 if kind == "slanted-triangular" else 0.0

    def factor(step: int) -> float:
        step = step % cycle if repeat else min(step, cycle)
        if warmup and step < warmup:
            return (step + 1) / warmup
        if kind == "constant":
            return 1.0
        progress = (step - warmup) / max(1, cycle - warmup)
        if kind == "cosine":
            return 0.5 * (1 + math.cos(math.pi * progress))
        return floor + (1 - floor) * max(0.0, 1 - progress)

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
