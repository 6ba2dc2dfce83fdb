"""Layer groups (embeddings, blocks bottom to top, head) and freezing helpers for strategies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from transformers.configuration_utils import PretrainedConfig


@dataclass
class LayerGroup:
    """Named parameters that freeze and unfreeze together; groups are listed bottom to top."""

    name: str
    params: list[tuple[str, torch.nn.Parameter]]
    kind: str  # embeddings | block | head

    def parameters(self) -> list[torch.nn.Parameter]:
        return [p for _, p in self.params]

    def count(self) -> int:
        return sum(p.numel() for _, p in self.params)


def find_blocks(model: torch.nn.Module) -> tuple[str, torch.nn.ModuleList] | None:
    """The model's repeated block list: the longest ModuleList whose items share one type.

    A list inside another such list does not count: in a vision model built in stages
    (ConvNeXt, Swin) the stages are the blocks, not the longer list of layers in one stage.
    """
    import torch

    best: tuple[str, torch.nn.ModuleList] | None = None
    outer: list[str] = []
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.ModuleList) or len(module) < 2:
            continue
        if len({type(m) for m in module}) != 1:
            continue
        if any(name.startswith(f"{o}.") for o in outer):
            continue
        outer.append(name)
        if best is None or len(module) > len(best[1]):
            best = (name, module)
    return best


def default_layer_groups(model: torch.nn.Module) -> list[LayerGroup]:
    """Groups for a transformers-style model: ``embeddings``, ``block 0`` … ``block N-1``, ``head``.

    Parameters registered before the block list are the embeddings; parameters of each block
    form one group; everything registered after the blocks (pooler, final norm, the task head)
    is the head. A model without a block list is one embeddings group and one head group.
    A vision model built in stages (ResNet, ConvNeXt) gets ``stage 0`` … instead of blocks.
    """
    found = find_blocks(model)
    named = list(model.named_parameters())
    if found is None:
        # without a base model prefix, the last two parameters (a final weight and bias)
        head_names = _head_parameter_names(model) or {n for n, _ in named[-2:]}
        body = [(n, p) for n, p in named if n not in head_names]
        head = [(n, p) for n, p in named if n in head_names]
        return [g for g in (LayerGroup("embeddings", body, "embeddings"),
                            LayerGroup("head", head, "head")) if g.params]
    prefix, blocks = found
    block_of: dict[str, int] = {}
    for index, block in enumerate(blocks):
        for sub, _ in block.named_parameters():
            block_of[f"{prefix}.{index}.{sub}"] = index
    embeddings, head = [], []
    per_block: list[list[tuple[str, torch.nn.Parameter]]] = [[] for _ in blocks]
    seen_blocks = False
    for name, param in named:
        if name in block_of:
            per_block[block_of[name]].append((name, param))
            seen_blocks = True
        elif not seen_blocks:
            embeddings.append((name, param))
        else:
            head.append((name, param))
    groups = [LayerGroup("embeddings", embeddings, "embeddings")] if embeddings else []
    # a CNN's blocks are its stages (ResNet, ConvNeXt): named so in strategy summaries
    word = "stage" if type(blocks[0]).__name__.lower().endswith("stage") else "block"
    groups += [LayerGroup(f"{word} {i}", ps, "block") for i, ps in enumerate(per_block)]
    groups.append(LayerGroup("head", head, "head"))
    return groups


def _head_parameter_names(model: torch.nn.Module) -> set[str]:
    prefix = getattr(model, "base_model_prefix", "")
    return {n for n, _ in model.named_parameters() if prefix and not n.startswith(prefix + ".")}


def set_trainable(params: list[torch.nn.Parameter], trainable: bool) -> None:
    for p in params:
        p.requires_grad_(trainable)


def freeze_all(model: torch.nn.Module) -> None:
    set_trainable(list(model.parameters()), False)


def count_parameters(model: torch.nn.Module) -> tuple[int, int]:
    """``(trainable, total)`` parameter counts."""
    total = trainable = 0
    for p in model.parameters():
        total += p.numel()
        if p.requires_grad:
            trainable += p.numel()
    return trainable, total


def modules_of(model: torch.nn.Module, group: LayerGroup) -> list[torch.nn.Module]:
    """The outermost modules whose parameters all belong to ``group`` (to keep them in eval)."""
    names = {n for n, _ in group.params}
    chosen: list[str] = []
    modules = []
    for name, module in model.named_modules():
        if not name or any(name.startswith(c + ".") for c in chosen):
            continue
        own = [f"{name}.{n}" for n, _ in module.named_parameters()]
        if own and all(n in names for n in own):
            chosen.append(name)
            modules.append(module)
    return modules


def frozen_modules(model: torch.nn.Module, groups: list[LayerGroup]) -> list[torch.nn.Module]:
    """The modules to keep in eval mode while ``groups`` are frozen.

    That is the outermost modules whose parameters all belong to ``groups``, plus modules
    without parameters (dropout) that come right after a parameter of ``groups`` in
    registration order, such as GPT-2's dropout on its embeddings.
    """
    names = {n for g in groups for n, _ in g.params}
    chosen: list[str] = []
    modules = []
    last_frozen = False
    for name, module in model.named_modules():
        if not name:
            continue
        direct = [f"{name}.{n}" for n, _ in module.named_parameters(recurse=False)]
        if direct:
            last_frozen = all(n in names for n in direct)
        if any(name.startswith(c + ".") for c in chosen):
            continue
        subtree = [f"{name}.{n}" for n, _ in module.named_parameters()]
        if subtree and all(n in names for n in subtree):
            chosen.append(name)
            modules.append(module)
        elif not subtree and not list(module.children()) and last_frozen:
            modules.append(module)
    return modules


def set_dropout(config: PretrainedConfig, dropout: float) -> None:
    """Apply one dropout rate to every dropout setting of a transformers config (before the
    model is built from it: its Dropout modules read the config)."""
    for key, value in list(config.to_dict().items()):
        is_dropout = "dropout" in key or key.endswith("pdrop")
        if is_dropout and (value is None or isinstance(value, int | float)) \
                and not isinstance(value, bool):
            setattr(config, key, dropout)
