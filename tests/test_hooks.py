"""Every hook of the contract, each through a real run: what a plugin registers is used by the
run, and what a plugin observes is what the run did. (tests/test_plugin_docs.py checks that
every hook in tunekit.hookspecs has a test named after it.)"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import tunekit
from tunekit.testing import TINY_TEXT, manager_with, plugin_of, tiny_model, train_tiny


def summary(tiny) -> dict:
    return json.loads(tiny.record().summary_json)


# ---------------------------------------------------------------- registration hooks


def test_register_datasets_adds_a_dataset_that_a_run_reads():
    calls = []

    def load(options, context):
        calls.append((options, context.seed))
        splits = TINY_TEXT.load({"n": options["n"], "seed": 1, "labels": ["sad", "glad"],
                                 "validation_split": 0.25, "test_split": 0.0}, context)
        splits.source = "moods, generated"
        return splits

    class Moods:
        @tunekit.hookimpl
        def register_datasets(self, register):
            register(tunekit.Dataset(name="moods", description="Generated moods, for tests.",
                                     params=(tunekit.Param(name="n", type=int, default=40),),
                                     load=load))

    tiny = train_tiny(Moods(), options={"n": 32}, training={"seed": 5})

    assert calls == [({"n": 32}, 5)]
    assert tiny.record().dataset == "moods"
    data = summary(tiny)["data"]
    assert data["source"] == "moods, generated"
    assert data["labels"] == ["glad", "sad"]
    assert tiny.manager.get("dataset", "moods").plugin == "moods"


def test_register_datasets_adds_an_augmentation_that_a_run_applies_to_train_only():
    seen = []

    def shout(texts, options, rng):
        seen.append(len(texts))
        return [text.upper() for text in texts]

    augmentation = tunekit.Augmentation(name="shout", description="Upper-cases the texts.",
                                        augment=shout)
    tiny = train_tiny(plugin_of(augmentation))

    augmented = summary(tiny)["data"]["augmented"]
    sizes = summary(tiny)["data"]["sizes"]
    assert seen == [sizes["train"]]  # called once (one copy), on the train split only
    assert augmented["by"] == {"shout": sizes["train"]}


def test_register_backbones_adds_a_backbone_that_a_run_builds():
    requests = []

    def build(options, request):
        requests.append((options, request.labels, request.dropout))
        built = tiny_model(request.labels, layers=options["blocks"])
        built.source = f"tiny, {options['blocks']} blocks"
        return built

    backbone = tunekit.Backbone(name="tinier", description="A one-block tiny BERT, for tests.",
                                params=(tunekit.Param(name="blocks", type=int, default=1),),
                                build=build)
    kept = []
    keep = tunekit.Exporter(name="keep", description="Keeps the training facts.",
                            export=lambda context: kept.append(context.training) or [])
    tiny = train_tiny(plugin_of(backbone, keep), training={"dropout": 0.2})

    assert requests == [({"blocks": 1}, ["negative", "positive"], 0.2)]
    assert tiny.record().backbone == "tinier"
    assert kept[0]["backbone_source"] == "tiny, 1 blocks"


def test_register_strategies_adds_a_strategy_that_a_run_applies():
    def apply(model, options, context):
        from tunekit.layers import freeze_all, set_trainable

        freeze_all(model)
        head = context.layer_groups[-1]
        set_trainable(head.parameters(), True)
        return tunekit.StrategyPlan(model=model, summary=f"only {head.name} trains",
                                    param_groups=[tunekit.ParamGroup(name="head",
                                                                     params=head.parameters())])

    strategy = tunekit.Strategy(name="head-alone", description="Only the head trains, here.",
                                apply=apply, default_learning_rate=3e-3, default_epochs=2)
    tiny = train_tiny(plugin_of(strategy), training={"learning_rate": None, "epochs": None})

    facts = summary(tiny)
    assert tiny.record().strategy == "head-alone"
    assert facts["strategy"] == "only head trains"
    assert (facts["learning_rate"], facts["epochs"]) == (3e-3, 2)  # the strategy's defaults
    assert facts["trainable_parameters"] < facts["total_parameters"]


def test_register_metrics_adds_a_metric_that_a_run_reports_and_records():
    def wrong(predictions, references, labels):
        return {"wrong": sum(p != r for p, r in zip(predictions, references, strict=True))}

    metric = tunekit.Metric(name="wrong", description="How many answers are wrong.",
                            higher_is_better=False, compute=wrong)
    tiny = train_tiny(plugin_of(metric), training={"epochs": 2},
                      dataset={"name": "tiny-text", "test_split": 0.25})

    points = tiny.registry.metric_points(tiny.result.run_id)
    assert [(p.split, p.epoch) for p in points if p.name == "wrong"] == [
        ("validation", 1), ("validation", 2), ("test", 2)]
    assert tiny.metrics["wrong"] == int(tiny.metrics["wrong"]) >= 0
    assert "wrong" in tiny.result.test_metrics


def test_register_exporters_adds_an_exporter_whose_files_the_run_records():
    def export(context):
        path = context.directory / "labels.txt"
        path.write_text("\n".join(context.labels), encoding="utf-8")
        return [path]

    exporter = tunekit.Exporter(name="labels-txt", description="Writes the labels, one a line.",
                                export=export)
    tiny = train_tiny(plugin_of(exporter))

    (artifact,) = tiny.artifacts
    path = Path(artifact["path"])
    assert path == tiny.directory / "runs" / f"run-{tiny.result.run_id}" / "labels-txt" / \
        "labels.txt"
    assert path.read_text() == "negative\npositive"
    assert artifact["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [a.exporter for a in tiny.registry.artifacts(tiny.result.run_id)] == ["labels-txt"]


# ---------------------------------------------------------------- lifecycle hooks


class Observer:
    """Remembers every lifecycle call, in order."""

    def __init__(self):
        self.calls = []

    @tunekit.hookimpl
    def on_run_start(self, run):
        self.calls.append(("start", run))

    @tunekit.hookimpl
    def on_run_event(self, run, event):
        self.calls.append(("event", run, event))

    @tunekit.hookimpl
    def on_run_end(self, run, status, metrics, error):
        self.calls.append(("end", run, status, metrics, error))


@pytest.fixture(scope="module")
def observed():
    observer = Observer()
    tiny = train_tiny(manager=manager_with(("observer", observer)), training={"epochs": 2})
    return observer, tiny


def test_on_run_start_is_called_once_with_the_run_before_any_event(observed):
    observer, tiny = observed
    kind, run = observer.calls[0]
    assert kind == "start"
    assert [c[0] for c in observer.calls].count("start") == 1
    assert run.id == tiny.result.run_id
    assert run.spec == tiny.spec.to_dict()
    assert run.output_dir == tiny.result.output_dir


def test_on_run_event_receives_every_event_of_the_run_in_order(observed):
    observer, tiny = observed
    events = [c[2] for c in observer.calls if c[0] == "event"]
    assert [e.kind for e in events] == [e.kind for e in tiny.events]
    assert events[0].kind == "status" and events[0].data["status"] == "running"
    assert [e.data["epoch"] for e in events if e.kind == "epoch_start"] == [0, 1]
    assert events[-1].data["status"] == "completed"
    assert all(c[1].id == tiny.result.run_id for c in observer.calls)


def test_on_run_end_hears_the_status_and_the_final_metrics_last(observed):
    observer, tiny = observed
    kind, run, status, metrics, error = observer.calls[-1]
    assert (kind, status, error) == ("end", "completed", None)
    assert metrics == tiny.metrics


def test_on_run_end_hears_a_failed_run_with_its_error():
    observer = Observer()

    def load(options, context):
        raise tunekit.DataError("the examples are gone", where="gone.csv")

    broken = tunekit.Dataset(name="gone", description="Always fails to load, for tests.",
                             load=load)
    manager = manager_with(("observer", observer), broken)
    with pytest.raises(tunekit.DataError):
        train_tiny(broken, manager=manager)

    kind, run, status, metrics, error = observer.calls[-1]
    assert (kind, status, metrics) == ("end", "failed", {})
    assert error == "gone.csv: the examples are gone"


def test_on_run_start_that_raises_fails_the_run_naming_the_plugin():
    class Grumpy:
        @tunekit.hookimpl
        def on_run_start(self, run):
            raise RuntimeError("not today")

    with pytest.raises(tunekit.PluginError) as caught:
        train_tiny(manager=manager_with(("grumpy", Grumpy())))
    assert str(caught.value) == "plugin grumpy (on_run_start): RuntimeError: not today"
