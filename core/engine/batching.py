"""Training batches: length-grouped order, and loader settings that suit the device.

Padding each batch to its longest example (dynamic padding) wastes little when the examples
in a batch have similar lengths. ``LengthGroupedBatches`` shuffles the data, cuts it into
mega-batches of a few batches, sorts each mega-batch by length, cuts it into batches and
shuffles the order of the batches (as transformers' ``group_by_length`` does, plus the last
shuffle, so that an epoch does not run from long to short). Every draw comes from the loader's
generator: the order is reproducible from the seed, and a resumed run replays it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import torch

# batches per mega-batch: larger groups pad less but vary the batches less between epochs
MEGA_BATCHES = 8


class LengthGroupedBatches(torch.utils.data.Sampler[list[int]]):
    """Batches of indices of similar lengths, in a shuffled order (a batch sampler)."""

    def __init__(self, lengths: list[int], batch_size: int, generator: torch.Generator,
                 mega_batches: int = MEGA_BATCHES):
        self.lengths = lengths
        self.batch_size = batch_size
        self.generator = generator
        self.mega = batch_size * mega_batches

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self) -> Iterator[list[int]]:
        order = torch.randperm(len(self.lengths), generator=self.generator).tolist()
        batches = []
        for start in range(0, len(order), self.mega):
            group = sorted(order[start:start + self.mega], key=lambda i: -self.lengths[i])
            batches += [group[i:i + self.batch_size]
                        for i in range(0, len(group), self.batch_size)]
        # the one short batch (if any) is the last of its group: keep it a batch of its own
        shuffled = torch.randperm(len(batches), generator=self.generator).tolist()
        yield from (batches[i] for i in shuffled)


def loader_settings(device: Any) -> dict[str, Any]:
    """DataLoader options for ``device``: on CUDA, pinned memory and two worker processes
    (collating overlaps the GPU's work); on the CPU, none (the cores are busy training)."""
    if getattr(device, "type", str(device)) != "cuda":
        return {}
    workers = min(2, max(0, (os.cpu_count() or 1) - 1))
    return {"pin_memory": True, "num_workers": workers, "persistent_workers": workers > 0}


def train_loader(rows: list[Any], lengths: list[int], batch_size: int,
                 generator: torch.Generator, collate: Any, *, group_by_length: bool,
                 device: Any = None) -> torch.utils.data.DataLoader:
    """The training loader: shuffled by ``generator``, grouped by length when asked."""
    settings = loader_settings(device)
    if group_by_length:
        return torch.utils.data.DataLoader(
            rows, batch_sampler=LengthGroupedBatches(lengths, batch_size, generator),
            generator=generator, collate_fn=collate, **settings)
    return torch.utils.data.DataLoader(rows, batch_size=batch_size, shuffle=True,
                                       generator=generator, collate_fn=collate, **settings)


def same_batches(loader: torch.utils.data.DataLoader, rows: list[Any], collate: Any,
                 device: Any = None) -> torch.utils.data.DataLoader:
    """A loader over ``rows`` (one per row of ``loader``'s data) that draws the very same
    batches from the same generator."""
    settings = loader_settings(device)
    if isinstance(loader.batch_sampler, LengthGroupedBatches):
        return torch.utils.data.DataLoader(rows, batch_sampler=loader.batch_sampler,
                                           generator=loader.generator, collate_fn=collate,
                                           **settings)
    return torch.utils.data.DataLoader(rows, batch_size=loader.batch_size, sampler=loader.sampler,
                                       drop_last=loader.drop_last, generator=loader.generator,
                                       collate_fn=collate, **settings)
