"""Each freeze strategy proves its effect in a real short training run on a tiny model.

The tiny backbones come from ``tests/capture.py``, which keeps every weight as it was built, so a
test compares the weights before and after training, bit for bit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import tunekit
from tunekit.components import ModelRequest, StrategyContext
from tunekit.layers import default_layer_groups
from tunekit.registry import Registry

BODY = ("embeddings", "block 0", "block 1")
ALL_GROUPS = (*BODY, "head")


def train(manager, data: Path, strategy, *, backbone: str = "tiny-bert", epochs: int = 1,
          learning_rate: float = 1e-3, exporters=("capture",), listeners=(),
          cache_features: str = "auto", max_steps: int | None = None):
    spec = tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(data)},
        "backbone": backbone,
        "strategy": strategy,
        "training": {"epochs": epochs, "batch_size": 8, "learning_rate": learning_rate,
                     "early_stopping": None, "warmup_ratio": 0.0,
                     "cache_features": cache_features, "max_steps": max_steps},
        "metrics": ["accuracy"],
        "exporters": list(exporters),
    }, manager)
    root = Path.cwd()
    return tunekit.run(spec, manager=manager, registry=Registry.open(root / "registry.db"),
                       progress=False, output_root=root / "runs", listeners=list(listeners))


def on(kind: str, status: str | None = None):
    """A listener decorator: call the function for events of ``kind`` (and ``status``)."""
    def wrap(fn):
        def listener(event):
            if event.kind == kind and (status is None or event.data.get("status") == status):
                fn(event)
        return listener
    return wrap


# ---------------------------------------------------------------- full


def test_full_changes_every_parameter(capture, cap_manager, small_csv):
    result = train(cap_manager, small_csv, "full")

    assert result.status == "completed"
    built = capture.last()
    assert set(built.groups) == set(ALL_GROUPS)
    unchanged = [n for n in built.params if not built.changed(n)]
    assert unchanged == []


# ---------------------------------------------------------------- head-only


@pytest.mark.parametrize(("backbone", "frozen_prefixes"), [
    ("tiny-bert", ("bert.embeddings", "bert.encoder")),
    ("tiny-gpt2", ("transformer.wte", "transformer.wpe", "transformer.drop", "transformer.h")),
])
def test_head_only_trains_the_head_alone_on_a_frozen_body_in_eval_mode(
        capture, cap_manager, small_csv, backbone, frozen_prefixes):
    seen = []  # (the model is training, module name, the module is training)
    body_outputs_need_grad = []

    @on("status", "running")
    def install_hooks(event):
        built = capture.last()
        model = built.model
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.Dropout):
                module.register_forward_hook(
                    lambda m, i, o, name=name: seen.append((model.training, name, m.training)))
        last_block = dict(model.named_modules())[
            "bert.encoder" if backbone == "tiny-bert" else "transformer.h.1"]
        last_block.register_forward_hook(
            lambda m, i, o: body_outputs_need_grad.append(
                (model.training, (o if isinstance(o, torch.Tensor) else o[0]).requires_grad)))

    # the body runs at each step only without the frozen-feature cache (test_feature_cache.py)
    result = train(cap_manager, small_csv, "head-only", backbone=backbone,
                   listeners=[install_hooks], cache_features="off")

    assert result.status == "completed"
    built = capture.last()
    head = built.names("head")
    body = built.names(*BODY)
    assert head and body
    assert [n for n in head if not built.changed(n)] == []
    assert [n for n in body if built.changed(n)] == []  # bit-identical
    assert [n for n in body if built.params[n].grad is not None] == []  # never back-propagated
    assert all(not built.params[n].requires_grad for n in body)

    training = [(name, mode) for model_training, name, mode in seen if model_training]
    assert training, "no dropout ran while the model trained"
    frozen = [(name, mode) for name, mode in training if name.startswith(frozen_prefixes)]
    assert frozen, "the hooks saw no dropout of the frozen body"
    active = sorted({name for name, mode in frozen if mode})
    assert active == [], f"dropout of the frozen body ran in training mode: {active}"
    assert [g for t, g in body_outputs_need_grad if t] == [False] * len(
        [t for t, _ in body_outputs_need_grad if t])


# ---------------------------------------------------------------- freeze-bottom


def test_freeze_bottom_freezes_embeddings_and_the_lowest_block(capture, cap_manager, small_csv):
    result = train(cap_manager, small_csv, {"name": "freeze-bottom", "layers": 1})

    assert result.status == "completed"
    built = capture.last()
    frozen = built.names("embeddings", "block 0")
    trained = built.names("block 1", "head")
    assert [n for n in frozen if built.changed(n)] == []
    assert [n for n in frozen if built.params[n].grad is not None] == []
    assert [n for n in trained if not built.changed(n)] == []


def test_freeze_bottom_refuses_more_layers_than_the_model_has(cap_manager, small_csv):
    with pytest.raises(tunekit.SpecError, match=r"strategy\.layers") as caught:
        train(cap_manager, small_csv, {"name": "freeze-bottom", "layers": 3})

    assert "2 blocks" in str(caught.value)
    record = Registry.open(Path.cwd() / "registry.db").get_run(caught.value.run_id)
    assert record.status == "failed"
    assert "strategy.layers" in record.error


# ---------------------------------------------------------------- lora


@pytest.mark.parametrize("backbone", ["tiny-bert", "tiny-gpt2"])
def test_lora_trains_adapters_and_head_and_exports_a_merged_model(
        capture, cap_manager, small_csv, backbone):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    at_start = {}
    summary = {}

    @on("status", "running")
    def snapshot(event):
        # peft has injected the adapters in place by now: copy them as they start
        summary.update(event.data["summary"])
        for name, p in capture.last().model.named_parameters():
            at_start[name] = p.detach().clone()

    result = train(cap_manager, small_csv, {"name": "lora", "r": 4}, backbone=backbone,
                   epochs=2, learning_rate=5e-3, exporters=("huggingface", "capture"),
                   listeners=[snapshot])

    assert result.status == "completed"
    built = capture.last()
    assert [n for n in built.params if built.changed(n)] == []  # every base weight bit-identical

    trained = capture.exported[0]
    adapters = {n: p for n, p in built.model.named_parameters() if "lora_" in n}
    assert any("lora_A" in n for n in adapters) and any("lora_B" in n for n in adapters)
    assert [n for n, p in adapters.items() if torch.equal(p.detach(), at_start[n])] == []
    head_copies = {n: p for n, p in built.model.named_parameters() if "modules_to_save" in n}
    head_weight = "classifier.weight" if backbone == "tiny-bert" else "score.weight"
    copy = next(n for n in head_copies if n.startswith(head_weight.split(".")[0]) and
                n.endswith("weight"))
    assert not torch.equal(head_copies[copy].detach(), built.before[head_weight])

    trainable = {n: p for n, p in trained.named_parameters() if p.requires_grad}
    assert set(trainable) == {f"base_model.model.{n}" for n in (*adapters, *head_copies)}
    assert summary["trainable_parameters"] == sum(p.numel() for p in trainable.values())
    assert summary["trainable_parameters"] * 50 < summary["total_parameters"]

    # the exported folder is a plain transformers model with the adapters merged in
    folder = Path(next(a["path"] for a in result.artifacts if a["exporter"] == "huggingface"))
    assert not (folder / "adapter_config.json").exists()
    reloaded = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    batch = tokenizer(["the movie was great", "awful service really", "it was quite dull"],
                      return_tensors="pt", padding=True)
    trained.eval()
    with torch.no_grad():
        expected = trained(**batch).logits
        got = reloaded(**batch).logits
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)
    base = next(n for n in built.params if "attn" in n or "attention.self.query" in n)
    merged = dict(reloaded.named_parameters())[base]
    assert not torch.equal(merged.detach(), built.before[base])  # the adapter is in the weights


def test_lora_adapter_only_export_writes_the_adapter(capture, cap_manager, small_csv):
    result = train(cap_manager, small_csv, {"name": "lora", "r": 4},
                   exporters=({"name": "huggingface", "adapter_only": True},))

    folder = Path(result.artifacts[0]["path"])
    config = json.loads((folder / "adapter_config.json").read_text())
    assert config["r"] == 4
    assert config["peft_type"] == "LORA"
    assert any(folder.glob("adapter_model.*"))


# ---------------------------------------------------------------- gradual


def test_gradual_unfreezes_one_group_per_epoch_from_the_top(capture, cap_manager, small_csv):
    timeline = []

    @on("epoch_start")
    def record(event):
        built = capture.last()
        trainable = [g for g in ALL_GROUPS
                     if all(built.params[n].requires_grad for n in built.groups[g])]
        partly = [g for g in ALL_GROUPS
                  if any(built.params[n].requires_grad for n in built.groups[g])
                  and g not in trainable]
        untouched = [g for g in ALL_GROUPS
                     if not any(built.changed(n) for n in built.groups[g])]
        timeline.append({"epoch": event.data["epoch"], "trainable": trainable, "partly": partly,
                         "untouched": untouched, "change": event.data["change"],
                         "count": event.data["trainable"]})

    result = train(cap_manager, small_csv, "gradual", epochs=4, learning_rate=2e-3,
                   listeners=[record])

    assert result.status == "completed"
    assert [t["epoch"] for t in timeline] == [0, 1, 2, 3]
    assert [t["trainable"] for t in timeline] == [
        ["head"],
        ["block 1", "head"],
        ["block 0", "block 1", "head"],
        ["embeddings", "block 0", "block 1", "head"],
    ]
    assert all(t["partly"] == [] for t in timeline)
    # a group stays bit-identical until the epoch it unfreezes
    assert [t["untouched"] for t in timeline] == [
        list(ALL_GROUPS),
        ["embeddings", "block 0", "block 1"],
        ["embeddings", "block 0"],
        ["embeddings"],
    ]
    assert "head" in timeline[0]["change"]
    assert "block 1" in timeline[1]["change"] and "embeddings" in timeline[3]["change"]
    counts = [t["count"] for t in timeline]
    assert counts == sorted(counts) and len(set(counts)) == 4
    built = capture.last()
    assert [g for g in ALL_GROUPS if not any(built.changed(n) for n in built.groups[g])] == []


def test_gradual_plans_by_the_epochs_max_steps_takes(cap_manager, small_csv):
    starts = []
    result = train(cap_manager, small_csv, "gradual", epochs=1, max_steps=13,
                   listeners=[on("epoch_start")(lambda event: starts.append(event.data["epoch"]))])

    assert result.status == "completed"
    # 34 training rows in batches of 8: 5 steps an epoch, so 13 steps take 3 epochs (not 1)
    assert starts == [0, 1, 2]
    summary = json.loads(Registry.open(Path.cwd() / "registry.db").get_run(
        result.run_id).summary_json)
    assert summary["epochs"] == 3
    assert "with 3 epochs only the top 3 of 4 groups unfreeze" in summary["strategy"]


def test_gradual_rates_divide_by_the_factor_per_group_down_the_model(manager):
    from tunekit.engine.optim import optimizer_groups

    backbone = manager.get("backbone", "tiny-bert")
    strategy = manager.get("strategy", "gradual")
    model = backbone.build(backbone.resolve_options({}, "backbone"),
                           ModelRequest(task=tunekit.TEXT_CLASSIFICATION, labels=["a", "b"])).model
    groups = default_layer_groups(model)
    plan = strategy.apply(model, strategy.resolve_options({}, "strategy"),
                          StrategyContext(task=tunekit.TEXT_CLASSIFICATION, epochs=4,
                                          layer_groups=groups))

    scales = {g.name: g.lr_scale for g in plan.param_groups}
    assert scales == pytest.approx({"head": 1.0, "block 1": 1 / 2.6, "block 0": 1 / 2.6 ** 2,
                                    "embeddings": 1 / 2.6 ** 3})
    by_group = {g.name: {id(p) for p in g.parameters()} for g in groups}
    assert {g.name: {id(p) for p in g.params} for g in plan.param_groups} == by_group

    adamw_groups = optimizer_groups(plan, model, 1e-3, 0.01, "gradual")
    for group in adamw_groups:
        assert group["lr"] == pytest.approx(1e-3 * scales[group["name"]])
        dims = {p.ndim >= 2 for p in group["params"]}
        assert dims == {group["weight_decay"] == 0.01}  # no decay on biases and norms
    placed = [id(p) for g in adamw_groups for p in g["params"]]
    assert sorted(placed) == sorted(id(p) for p in model.parameters())
    optimizer = torch.optim.AdamW(adamw_groups)
    assert sorted({g["lr"] for g in optimizer.param_groups}) == pytest.approx(
        sorted(1e-3 * s for s in scales.values()))

    plan = strategy.apply(model, strategy.resolve_options({"factor": 2}, "strategy"),
                          StrategyContext(task=tunekit.TEXT_CLASSIFICATION, epochs=4,
                                          layer_groups=groups))
    assert [g.lr_scale for g in plan.param_groups] == [1.0, 0.5, 0.25, 0.125]
