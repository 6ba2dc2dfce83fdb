"""The optimizer (AdamW over the strategy's parameter groups) and the learning-rate schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import PluginError, SpecError

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


OPTIMIZERS = ("adamw_torch", "adamw_torch_fused", "sgd", "adafactor")


def make_optimizer(name: str, groups: list[dict[str, Any]]) -> Any:
    """The optimizer ``training.optim`` names, by transformers' TrainingArguments names:
    adamw_torch (fused where this torch has it for the parameters), adamw_torch_fused (a GPU
    only), sgd (plain, no momentum: the rate alone moves the weights) or adafactor
    (transformers.optimization's, at the spec's rate)."""
    import torch

    if name == "adamw_torch":
        return adamw(groups)
    if name == "adamw_torch_fused":
        if not torch.cuda.is_available():
            raise SpecError("adamw_torch_fused needs a CUDA GPU", where="training.optim",
                            hint="use adamw_torch (fused where this machine allows it)")
        return torch.optim.AdamW(groups, fused=True)
    if name == "sgd":
        return torch.optim.SGD(groups)
    from transformers.optimization import Adafactor

    # the spec's rate, not Adafactor's own relative step size
    return Adafactor(groups, scale_parameter=False, relative_step=False, warmup_init=False,
                     lr=groups[0]["lr"])


def checkpointing(model: Any, backbone: str) -> None:
    """Gradient checkpointing on the model (a PEFT wrapper passes it to its base model), or
    one clear refusal where the backbone's model has none."""
    enable = getattr(model, "gradient_checkpointing_enable", None)
    if enable is None or not getattr(model, "supports_gradient_checkpointing", True):
        raise SpecError(f"the backbone {backbone!r} does not support gradient checkpointing",
                        where="training.gradient_checkpointing",
                        hint="set it to false (or pick a transformers backbone that has it)")
    # non-reentrant: correct with frozen inputs (adapters, a frozen embedding)
    enable(gradient_checkpointing_kwargs={"use_reentrant": False})


def make_schedule(optimizer: Any, kind: str, warmup: int, cycle: int,
                  repeat: bool = False) -> Any:
    """The learning-rate schedule over ``cycle`` optimizer steps (with ``repeat``, started again
    each cycle, as gradual unfreezing does each epoch).

    Every name transformers' ``get_scheduler`` knows is its schedule, exactly (``constant`` has
    no warm-up; ``constant_with_warmup``, ``linear``, ``cosine``, ``polynomial``... warm up
    over ``warmup`` steps); ``slanted-triangular`` (Howard & Ruder, 2018) is tunekit's own:
    the warm-up is the short rise, then a linear decay to 1/32 of the rate.
    """
    import torch

    if kind == "slanted-triangular":
        warmup = max(1, warmup)
        floor = 1 / 32

        def factor(step: int) -> float:
            step = step % cycle if repeat else min(step, cycle)
            if step < warmup:
                return (step + 1) / warmup
            progress = (step - warmup) / max(1, cycle - warmup)
            return floor + (1 - floor) * max(0.0, 1 - progress)

        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    from transformers import get_scheduler

    schedule = get_scheduler(kind, optimizer, num_warmup_steps=warmup,
                             num_training_steps=cycle)
    if repeat and hasattr(schedule, "lr_lambdas"):  # a LambdaLR: each cycle starts again
        schedule.lr_lambdas = [_cycled(f, cycle) for f in schedule.lr_lambdas]
        for group, f in zip(optimizer.param_groups, schedule.lr_lambdas, strict=True):
            group["lr"] = group["initial_lr"] * f(0)
    return schedule


def _cycled(factor: Any, cycle: int) -> Any:
    return lambda step: factor(step % cycle)
