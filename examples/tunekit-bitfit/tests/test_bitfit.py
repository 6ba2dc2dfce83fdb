"""BitFit on a tiny real BERT (tunekit.testing builds it from a config): only the biases and
the head train, each layer group at its decayed rate, and a real run changes nothing else."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import tunekit
import tunekit_bitfit
from tunekit.layers import default_layer_groups
from tunekit.testing import check_plugin, manager_with, plugin_of, train_tiny


def tiny_bert(layers: int = 3):
    manager = manager_with()
    built = manager.get("backbone", "tiny-bert").build(
        {"layers": layers, "init_seed": 0, "pretrained": True},
        tunekit.ModelRequest(task=tunekit.TEXT_CLASSIFICATION, labels=["no", "yes"]))
    return built.model, default_layer_groups(built.model)


def apply(model, groups, decay: float) -> tunekit.StrategyPlan:
    context = tunekit.StrategyContext(task=tunekit.TEXT_CLASSIFICATION, epochs=1,
                                      layer_groups=groups)
    return tunekit_bitfit.apply(model, {"layerwise_lr_decay": decay}, context)


def test_the_plugin_keeps_the_contract(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the check watches the working folder for stray files
    report = check_plugin(tunekit_bitfit,
                          options={"bitfit": {"layerwise_lr_decay": 0.8}})
    assert report.ok, report


def test_only_the_biases_and_the_head_train():
    model, groups = tiny_bert()
    plan = apply(model, groups, 1.0)
    head = {name for name, _ in groups[-1].params}
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    expected = {name for name, _ in model.named_parameters()
                if name.endswith(".bias") or name in head}
    assert trainable == expected
    assert any(".attention." in n for n in trainable)  # biases inside the blocks train
    assert not any(n.endswith(".weight") and n not in head for n in trainable)
    # one rate for all: one group holding exactly the trainable parameters
    (group,) = plan.param_groups
    assert group.lr_scale == 1.0
    assert {id(p) for p in group.params} == {id(p) for p in model.parameters()
                                             if p.requires_grad}
    assert "bias parameters" in plan.summary


def test_layerwise_decay_gives_each_group_below_the_head_a_smaller_rate():
    model, groups = tiny_bert(layers=3)
    plan = apply(model, groups, 0.5)
    scales = {g.name: g.lr_scale for g in plan.param_groups}
    assert scales == {"head": 1.0, "block 2": 0.5, "block 1": 0.25, "block 0": 0.125,
                      "embeddings": 0.0625}
    by_name = {id(p): n for n, p in model.named_parameters()}
    for group in plan.param_groups:
        if group.name != "head":
            assert all(by_name[id(p)].endswith(".bias") for p in group.params), group.name
    assert "decay 0.5" in plan.summary


def test_a_real_run_changes_only_the_biases_and_the_head(tmp_path):
    trained = []
    keep = tunekit.Exporter(name="keep-model", description="Keeps the trained model (test).",
                            export=lambda context: trained.append(context.model) or [])
    manager = manager_with(tunekit_bitfit, plugin_of(keep))
    tiny = train_tiny(tunekit_bitfit, manager=manager, directory=tmp_path,
                      options={"layerwise_lr_decay": 0.8}, exporters=["keep-model"],
                      training={"epochs": 2, "learning_rate": 0.01})
    assert tiny.status == "completed"
    before, groups = tiny_bert(layers=2)  # the same seeded weights the run started from
    head = {name for name, _ in groups[-1].params}
    start = dict(before.named_parameters())
    changed = {name for name, p in trained[0].named_parameters()
               if not p.detach().cpu().equal(start[name].detach())}
    assert changed, "nothing trained"
    assert all(name.endswith(".bias") or name in head for name in changed), changed
    assert any(name.endswith(".bias") and name not in head for name in changed)
    assert "bitfit" in tiny.record().summary_json


def test_a_decay_outside_the_range_is_refused_naming_the_field():
    manager = manager_with(tunekit_bitfit)
    with pytest.raises(tunekit.SpecError) as refused:
        tunekit.parse_spec({"dataset": {"name": "tiny-text"}, "backbone": "tiny-bert",
                            "strategy": {"name": "bitfit", "layerwise_lr_decay": 1.5}},
                           manager)
    assert refused.value.where == "strategy.layerwise_lr_decay"


def test_registering_imports_no_torch():
    code = textwrap.dedent("""
        import sys
        import tunekit
        manager = tunekit.load_plugins(disabled=())  # whatever a registry here disables
        assert manager.get("strategy", "bias-only").name == "bitfit"
        print(sorted(m for m in ("torch", "transformers") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
