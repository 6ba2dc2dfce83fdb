"""Layer groups on real tiny models built from configs: embeddings, blocks bottom to top, head."""

from __future__ import annotations

import pytest
import torch
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    GPT2Config,
    GPT2ForSequenceClassification,
)
from tunekit.layers import (
    count_parameters,
    default_layer_groups,
    find_blocks,
    freeze_all,
    modules_of,
    set_trainable,
)

LAYERS = 3


@pytest.fixture(scope="module")
def bert():
    torch.manual_seed(0)
    config = BertConfig(vocab_size=60, hidden_size=16, num_hidden_layers=LAYERS,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=32,
                        num_labels=2)
    return BertForSequenceClassification(config)


@pytest.fixture(scope="module")
def gpt2():
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=60, n_embd=16, n_layer=LAYERS, n_head=2, n_positions=32,
                        num_labels=3, pad_token_id=0, bos_token_id=1, eos_token_id=1)
    return GPT2ForSequenceClassification(config)


def names(group) -> list[str]:
    return [n for n, _ in group.params]


@pytest.mark.parametrize("model_name", ["bert", "gpt2"])
def test_groups_are_embeddings_blocks_then_head(request, model_name):
    groups = default_layer_groups(request.getfixturevalue(model_name))
    assert [g.name for g in groups] == ["embeddings", "block 0", "block 1", "block 2", "head"]
    assert [g.kind for g in groups] == ["embeddings", "block", "block", "block", "head"]


@pytest.mark.parametrize("model_name", ["bert", "gpt2"])
def test_every_parameter_is_in_exactly_one_group(request, model_name):
    model = request.getfixturevalue(model_name)
    grouped = [n for g in default_layer_groups(model) for n in names(g)]
    assert sorted(grouped) == sorted(n for n, _ in model.named_parameters())
    assert len(grouped) == len(set(grouped))
    total = sum(g.count() for g in default_layer_groups(model))
    assert total == sum(p.numel() for p in model.parameters())


def test_bert_blocks_hold_their_own_layer_in_order(bert):
    groups = default_layer_groups(bert)
    for index, group in enumerate(groups[1:-1]):
        assert all(n.startswith(f"bert.encoder.layer.{index}.") for n in names(group))
    assert all(n.startswith("bert.embeddings.") for n in names(groups[0]))


def test_bert_pooler_and_classifier_are_the_head(bert):
    head = default_layer_groups(bert)[-1]
    assert sorted(names(head)) == ["bert.pooler.dense.bias", "bert.pooler.dense.weight",
                                   "classifier.bias", "classifier.weight"]
    assert head.parameters()[0] is dict(bert.named_parameters())[names(head)[0]]


def test_gpt2_final_norm_and_score_are_the_head(gpt2):
    groups = default_layer_groups(gpt2)
    assert sorted(names(groups[-1])) == ["score.weight", "transformer.ln_f.bias",
                                         "transformer.ln_f.weight"]
    assert names(groups[0]) == ["transformer.wte.weight", "transformer.wpe.weight"]
    for index, group in enumerate(groups[1:-1]):
        assert all(n.startswith(f"transformer.h.{index}.") for n in names(group))


def test_find_blocks_finds_the_repeated_block_list(bert, gpt2):
    assert find_blocks(bert)[0] == "bert.encoder.layer"
    assert find_blocks(gpt2)[0] == "transformer.h"
    assert len(find_blocks(gpt2)[1]) == LAYERS


def test_a_model_without_blocks_has_a_body_and_a_head():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.Linear(4, 4),
                                torch.nn.Linear(4, 2))
    groups = default_layer_groups(model)
    assert [g.name for g in groups] == ["embeddings", "head"]
    assert names(groups[1]) == ["2.weight", "2.bias"]
    grouped = [n for g in groups for n in names(g)]
    assert sorted(grouped) == sorted(n for n, _ in model.named_parameters())


def test_freezing_helpers_count_what_trains(bert):
    groups = default_layer_groups(bert)
    try:
        freeze_all(bert)
        assert count_parameters(bert)[0] == 0
        set_trainable(groups[-1].parameters(), True)
        trainable, total = count_parameters(bert)
        assert trainable == groups[-1].count()
        assert total == sum(g.count() for g in groups)
    finally:
        set_trainable(list(bert.parameters()), True)


def test_modules_of_a_group_are_its_outermost_modules(bert):
    groups = default_layer_groups(bert)
    assert modules_of(bert, groups[0]) == [bert.bert.embeddings]
    assert modules_of(bert, groups[1]) == [bert.bert.encoder.layer[0]]
    assert modules_of(bert, groups[-1]) == [bert.bert.pooler, bert.classifier]
