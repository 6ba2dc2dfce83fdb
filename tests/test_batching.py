"""Length-grouped batches: every example once per epoch, little padding, the seed's order."""

from __future__ import annotations

import random

import torch
from tunekit.engine.batching import LengthGroupedBatches


def padding(batches: list[list[int]], lengths: list[int]) -> int:
    return sum(max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b) for b in batches)


def test_batches_cover_the_data_once_with_less_padding_than_shuffling():
    rng = random.Random(0)
    lengths = [rng.randint(5, 120) for _ in range(1000)]
    grouped = list(LengthGroupedBatches(lengths, 16, torch.Generator().manual_seed(1)))
    assert sorted(i for b in grouped for i in b) == list(range(1000))
    assert len(grouped) == len(LengthGroupedBatches(lengths, 16, torch.Generator())) == 63
    assert sum(len(b) < 16 for b in grouped) <= 1000 // (16 * 8) + 1
    order = torch.randperm(1000, generator=torch.Generator().manual_seed(1)).tolist()
    shuffled = [order[i:i + 16] for i in range(0, 1000, 16)]
    assert padding(grouped, lengths) < padding(shuffled, lengths) / 3


def test_the_order_follows_the_generator():
    lengths = list(range(200))
    generator = torch.Generator().manual_seed(5)
    sampler = LengthGroupedBatches(lengths, 8, generator)
    state = generator.get_state()
    first = list(sampler)
    second = list(sampler)  # the next epoch: another order
    assert first != second
    generator.set_state(state)
    assert list(sampler) == first  # replayed from the saved state, as resuming does
    assert list(LengthGroupedBatches(lengths, 8, torch.Generator().manual_seed(5))) == first
    assert list(LengthGroupedBatches(lengths, 8, torch.Generator().manual_seed(6))) != first
