"""Properties of the spec parser and the file datasets, over inputs hypothesis makes up: any
input gives either a result or a TunekitError that names its place, never another exception;
a valid spec survives a round trip; the data check never raises on data that loaded."""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

import pytest
import tunekit
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tunekit.components import DataContext
from tunekit.spec import Training, apply_overrides, parse_spec
from tunekit.tools.datacheck import ReadLog, check_data

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# what YAML or JSON can hold
scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)

COMPONENTS = {
    "dataset": ["csv", "jsonl", "sample-reviews", "csvv"],
    "backbone": ["tiny-bert", "minilm-l6", "hf", "nope"],
    "strategy": ["lora", "full", "head-only", "gradual", "freeze-bottom", "lorra"],
    "metric": ["accuracy", "f1", "confusion-matrix", "f2"],
    "exporter": ["huggingface", "model-card", "onnx"],
    "augmentation": ["random-deletion", "char-noise", "nothing"],
}
OPTIONS = {"dataset": ["text_column", "label_column", "validation_split", "test_split"],
           "strategy": ["r", "alpha", "dropout", "layers"], "augmentation": ["probability"]}


def component(kind: str) -> st.SearchStrategy:
    """A component as a spec may give it: mostly a name or a mapping with plausible options,
    sometimes anything at all."""
    names = st.sampled_from(COMPONENTS[kind])
    options = st.dictionaries(st.sampled_from([*OPTIONS.get(kind, []), "unknown"]),
                              st.floats(0, 1) | st.integers(-1, 64) | json_values, max_size=2)
    if kind == "dataset":  # a file dataset needs its path
        options = st.builds(lambda opts, path: {**opts, "path": path}, options,
                            st.text(min_size=1, max_size=8) | json_values)
    mapping = st.builds(lambda name, opts: {**opts, "name": name}, names, options)
    return st.one_of(names, mapping, mapping, names, json_values)


training = st.dictionaries(st.sampled_from([*Training.model_fields, "epoch", "lr"]),
                           st.integers(-5, 2000) | st.floats(-1, 1e10) | json_values,
                           max_size=3) | json_values
specs = st.fixed_dictionaries({"dataset": component("dataset")}, optional={
    "task": st.sampled_from(["text-classification", "translation"]) | json_values,
    "backbone": component("backbone"),
    "strategy": component("strategy"),
    "training": training,
    "metrics": st.lists(component("metric"), max_size=3) | json_values,
    "exporters": st.lists(component("exporter"), max_size=2) | json_values,
    "augmentations": st.lists(component("augmentation"), max_size=2) | json_values,
}) | st.dictionaries(st.text(max_size=8) | st.integers(), json_values, max_size=3)


@pytest.fixture(scope="module")
def plugins():
    from tunekit.testing import make_manager, tiny_backbones

    return make_manager(("tiny-backbones", tiny_backbones))


def _round_trips(spec: tunekit.RunSpec, manager) -> None:
    again = parse_spec(spec.to_dict(), manager)
    assert again.to_dict() == spec.to_dict()
    assert parse_spec(yaml.safe_load(spec.to_yaml()), manager).to_dict() == spec.to_dict()


@SETTINGS
@given(data=specs)
def test_any_spec_parses_or_says_which_field_is_wrong(plugins, data):
    try:
        spec = parse_spec(data, plugins)
    except tunekit.TunekitError as exc:
        event(f"refused: {type(exc).__name__}")
        assert str(exc).strip() and "Traceback" not in str(exc)
        assert exc.where or ":" in exc.message  # a place: the field or a field: message
        return
    event("parsed")
    _round_trips(spec, plugins)


@SETTINGS
@given(data=st.fixed_dictionaries({
    "dataset": st.fixed_dictionaries({"name": st.just("csv"), "path": st.text(min_size=1,
                                                                              max_size=10)}),
    "backbone": st.sampled_from(COMPONENTS["backbone"][:2]),
    "strategy": st.sampled_from(COMPONENTS["strategy"][:5]),
    "training": st.fixed_dictionaries({}, optional={
        "epochs": st.integers(1, 1000), "learning_rate": st.floats(1e-8, 1.0),
        "batch_size": st.integers(1, 8192), "seed": st.integers(0, 2**32 - 1),
        "early_stopping": st.booleans(), "data_check": st.sampled_from(["warn", "off"])}),
    "metrics": st.lists(st.sampled_from(COMPONENTS["metric"][:3]), unique=True, max_size=3),
}))
def test_a_valid_spec_round_trips(plugins, data):
    spec = parse_spec(data, plugins)
    _round_trips(spec, plugins)


fields = st.sampled_from(["training.epochs", "training.learning_rate", "strategy", "strategy.r",
                          "dataset", "dataset.path", "dataset.name", "metrics", "task",
                          "training.early_stopping.patience", "exporters", "augmentations",
                          "training", "backbone.name", "x", "", "."]) \
    | st.text(alphabet=string.ascii_letters + "._-= ", max_size=20)
overrides = st.lists(st.builds(lambda f, sep, v: f + sep + v, fields,
                               st.sampled_from(["=", "", "=="]), st.text(max_size=15)),
                     max_size=3)


@SETTINGS
@given(items=overrides)
def test_set_overrides_only_ever_raise_spec_errors(plugins, items):
    base = {"dataset": {"name": "csv", "path": "data.csv"}, "backbone": "tiny-bert"}
    try:
        changed = apply_overrides(base, items)
    except tunekit.SpecError as exc:
        assert exc.where and exc.where.startswith("--set")
        return
    try:
        parse_spec(changed, plugins)
    except tunekit.TunekitError:
        pass


# ---------------------------------------------------------------- the file datasets

csv_cells = st.one_of(
    st.sampled_from(["a", "b", "c", "", " ", "1"]), st.text(string.ascii_letters, max_size=8),
    st.sampled_from(['"', '""', '"a,b"', ",", "\n", "\r", "\r\n", ";", "\t", "\0"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8))
csv_rows = st.lists(csv_cells, min_size=2, max_size=2) | st.lists(csv_cells, max_size=4)
csv_text = st.lists(csv_rows.map(",".join), max_size=25) \
    .map(lambda lines: "text,label\n" + "\n".join(lines))
jsonl_objects = st.fixed_dictionaries(
    {"text": st.text(min_size=1, max_size=8) | json_values,
     "label": st.sampled_from(["a", "b", 1, 2, 1.0, True, ""]) | json_values},
    optional={"other": json_values}) | st.dictionaries(st.sampled_from(["text", "label"]),
                                                       json_values, max_size=2)
jsonl_lines = st.one_of(jsonl_objects.map(json.dumps), jsonl_objects.map(json.dumps),
                        jsonl_objects.map(json.dumps), json_values.map(json.dumps),
                        st.text(max_size=10))
jsonl_text = st.lists(jsonl_lines, max_size=25).map("\n".join)


def contents(own: st.SearchStrategy) -> st.SearchStrategy:
    """Bytes of a file: mostly text of its own kind, sometimes anything."""
    return st.one_of(
        own.map(str.encode), own.map(str.encode), own.map(lambda t: ("\ufeff" + t).encode()),
        own.map(lambda t: t.encode("utf-16")), st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))


def _load_every_way(manager, kind: str, raw: bytes) -> None:
    dataset = manager.get("dataset", kind)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"data.{kind}"
        path.write_bytes(raw)
        options = dataset.resolve_options({"path": str(path)}, "dataset")
        for log in (None, ReadLog()):
            context = DataContext(task="text-classification", seed=3, base_dir=Path(scratch),
                                  read_log=log)
            try:
                splits = dataset.load(options, context)
            except tunekit.DataError as exc:
                event("refused")
                assert exc.where and (exc.where.startswith(str(path))
                                      or exc.where == "dataset.path"), exc
                continue
            event("loaded")
            rows = [*splits.train, *splits.validation, *(splits.test or [])]
            assert rows
            for row in rows:
                assert isinstance(row["text"], str) and row["text"].strip()
                assert isinstance(row["label"], str) and row["label"]
            check_data(splits, log=log)  # a report, never an exception


@SETTINGS
@given(raw=contents(csv_text))
def test_the_csv_dataset_loads_or_says_where_the_file_is_wrong(plugins, raw):
    _load_every_way(plugins, "csv", raw)


@SETTINGS
@given(raw=contents(jsonl_text))
def test_the_jsonl_dataset_loads_or_says_where_the_file_is_wrong(plugins, raw):
    _load_every_way(plugins, "jsonl", raw)
