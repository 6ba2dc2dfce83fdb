"""training.auto_batch_size: a run that runs out of memory early halves its batch, doubles its
gradient accumulation and trains again, until the batch fits (or a batch of one does not)."""

from __future__ import annotations

import json

import pytest
from tunekit.components import Backbone
from tunekit.errors import ResourceError
from tunekit.testing import bundled_tokenizer, manager_with, tiny_model, train_tiny


def greedy_backbone(fits: int) -> Backbone:
    """tiny-bert whose forward pass runs out of (pretend GPU) memory above ``fits`` examples."""

    def build(options, request):
        import torch

        built = tiny_model(request.labels)
        forward = built.model.forward

        def hungry(*args, **kwargs):
            examples = kwargs["input_ids"].shape[0]
            if torch.is_grad_enabled() and examples > fits:  # training keeps activations
                raise torch.OutOfMemoryError(f"CUDA out of memory. Tried to allocate "
                                             f"{examples * 256} MiB")
            return forward(*args, **kwargs)

        built.model.forward = hungry
        return built

    return Backbone(name="greedy-bert", description="tiny-bert that needs a big GPU: for tests",
                    build=build, load_tokenizer=lambda options: bundled_tokenizer())


def messages(tiny) -> list[str]:
    return [e.data["text"] for e in tiny.events if e.kind == "message"]


def test_the_search_finds_the_batch_that_fits_and_keeps_the_effective_batch(tmp_path):
    backbone = greedy_backbone(fits=8)
    tiny = train_tiny(backbone, directory=tmp_path,
                      training={"batch_size": 32, "gradient_accumulation_steps": 1,
                                "auto_batch_size": True, "early_stopping": None})

    assert tiny.status == "completed"
    said = messages(tiny)
    assert "out of memory at batch 32; retrying with batch 16 x 2 accumulated" in said
    assert "out of memory at batch 16; retrying with batch 8 x 4 accumulated" in said
    found = tiny.summary()["auto_batch_size"]
    assert found == {"requested": 32, "found": 8, "gradient_accumulation_steps": 4,
                     "effective_batch": 32}
    # the recorded spec trains with the batch that fits: a resume carries on with it
    training = tiny.record().spec["training"]
    assert (training["batch_size"], training["gradient_accumulation_steps"]) == (8, 4)
    # the curves are the last attempt's alone: one loss point per logged step
    steps = [p.step for p in tiny.registry.metric_points(tiny.result.run_id, split="train")
             if p.name == "loss"]
    assert steps == sorted(set(steps))


def test_without_the_search_out_of_memory_fails_and_suggests_it(tmp_path):
    with pytest.raises(ResourceError) as caught:
        train_tiny(greedy_backbone(fits=8), directory=tmp_path,
                   training={"batch_size": 16, "early_stopping": None})
    assert "training.auto_batch_size=true" in str(caught.value)


def test_when_even_one_example_is_too_many_the_run_fails_with_the_usual_message(tmp_path):
    manager = manager_with(greedy_backbone(fits=0))
    with pytest.raises(ResourceError) as caught:
        train_tiny(manager=manager, directory=tmp_path, backbone={"name": "greedy-bert"},
                   training={"batch_size": 4, "auto_batch_size": True,
                             "early_stopping": None})

    message = str(caught.value)
    assert "the GPU ran out of memory (batch_size 1, max_length 32)" in message
    assert "Traceback" not in message
    from tunekit.registry import Registry

    record = Registry.open(tmp_path / "registry.db").runs()[0]
    assert record.status == "failed" and "ran out of memory (batch_size 1" in record.error
    assert json.loads(record.spec_json)["training"]["batch_size"] == 1
