"""RunSpec: YAML and JSON, defaults, aliases, --set overrides, and errors naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tunekit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tunekit import RunSpec, SpecError, TunekitError, UnknownComponentError, load_spec, parse_spec

SPEC_YAML = """\
task: text-classification
dataset:   {name: csv, path: data/tickets.csv, text_column: message, label_column: category}
backbone:  {name: minilm-l6}
strategy:  {name: lora, r: 4}
training:  {epochs: 3, learning_rate: 1.0e-4, batch_size: 8, weight_decay: 0.01, seed: 7}
metrics:   [accuracy, f1]
exporters: [huggingface, model-card]
"""

MINIMAL = {"dataset": "sample-reviews"}


def parse(manager, data=None, **kwargs) -> RunSpec:
    return parse_spec(MINIMAL if data is None else data, manager, **kwargs)


def error_of(manager, data=None, **kwargs) -> TunekitError:
    with pytest.raises(TunekitError) as err:
        parse(manager, data, **kwargs)
    return err.value


# ---------------------------------------------------------------- reading files


def test_load_spec_reads_yaml(manager, tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(SPEC_YAML)
    spec = load_spec(path, manager)
    assert spec.source == str(path)
    assert spec.base_dir == tmp_path
    assert spec.data["dataset"]["path"] == "data/tickets.csv"
    assert spec.options("dataset")["text_column"] == "message"
    assert spec.data["strategy"] == {"name": "lora", "r": 4, "alpha": 16, "dropout": 0.1,
                                     "target_modules": None}
    assert spec.training.epochs == 3
    assert spec.training.learning_rate == pytest.approx(1e-4)
    assert spec.training.seed == 7
    assert spec.names("metrics") == ["accuracy", "f1"]
    assert spec.names("exporters") == ["huggingface", "model-card"]


def test_load_spec_reads_json_the_same_way(manager, tmp_path):
    import yaml

    yaml_path = tmp_path / "run.yaml"
    yaml_path.write_text(SPEC_YAML)
    json_path = tmp_path / "run.json"
    json_path.write_text(json.dumps(yaml.safe_load(SPEC_YAML)))
    assert load_spec(json_path, manager).to_dict() == load_spec(yaml_path, manager).to_dict()


def test_a_resolved_spec_round_trips_through_its_yaml(manager, tmp_path):
    spec = parse(manager, {"dataset": "sample-reviews", "strategy": "gradual"})
    path = tmp_path / "again.yaml"
    path.write_text(spec.to_yaml())
    assert load_spec(path, manager).to_dict() == spec.to_dict()


def test_no_spec_file_means_the_bundled_default(manager):
    spec = load_spec(None, manager)
    assert spec.source == "bundled default"
    assert spec.data["dataset"]["name"] == "sample-reviews"
    assert spec.data["backbone"]["name"] == "minilm-l6"
    assert spec.data["strategy"]["name"] == "lora"


def test_invalid_yaml_reports_file_line_and_column(manager, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("task: text-classification\ndataset: {name: csv, path: [oops}\n")
    with pytest.raises(SpecError) as err:
        load_spec(path, manager)
    assert err.value.where == f"{path}:2:33"  # the unclosed "[" meets "}"
    assert "invalid YAML" in err.value.message


def test_invalid_json_reports_file_line_and_column(manager, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "dataset": "csv",\n  "training": {"epochs": 3,}\n}\n')
    with pytest.raises(SpecError) as err:
        load_spec(path, manager)
    assert err.value.where.startswith(f"{path}:3:")
    assert "invalid JSON" in err.value.message


@pytest.mark.parametrize("content", ["", "\n# only a comment\n"])
def test_an_empty_spec_file_says_so(manager, tmp_path, content):
    path = tmp_path / "empty.yaml"
    path.write_text(content)
    with pytest.raises(SpecError) as err:
        load_spec(path, manager)
    assert err.value.where == str(path)
    assert "empty" in err.value.message


def test_a_spec_that_is_not_a_mapping_says_so(manager, tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- csv\n- lora\n")
    with pytest.raises(SpecError, match="must be a mapping"):
        load_spec(path, manager)


def test_a_missing_spec_file_says_not_found(manager, tmp_path):
    with pytest.raises(SpecError) as err:
        load_spec(tmp_path / "nope.yaml", manager)
    assert "nope.yaml not found" in err.value.message
    assert err.value.hint


def test_a_binary_spec_file_is_not_text(manager, tmp_path):
    path = tmp_path / "model.yaml"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(SpecError, match="not a text file"):
        load_spec(path, manager)


def test_errors_from_a_spec_file_name_the_file_and_the_field(manager, tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("dataset: sample-reviews\nbackbone: minlm-l6\n")
    with pytest.raises(UnknownComponentError) as err:
        load_spec(path, manager)
    assert err.value.where == f"{path}: backbone.name"
    path.write_text("dataset: sample-reviews\nstrategy: {name: lora, r: 0}\n")
    with pytest.raises(SpecError) as err:
        load_spec(path, manager)
    assert err.value.where == f"{path}: strategy.r"


# ---------------------------------------------------------------- defaults and names


def test_shorthand_names_and_defaults_are_filled(manager):
    spec = parse(manager, {"dataset": "sample-reviews", "strategy": "lora"})
    assert spec.task == "text-classification"
    assert spec.data["strategy"]["r"] == 8
    assert spec.data["strategy"]["alpha"] == 16
    assert spec.data["backbone"] == {"name": "minilm-l6", "pretrained": True}
    assert spec.training.epochs is None  # the strategy's default applies
    assert spec.training.learning_rate is None  # the strategy's recommended rate
    assert spec.training.early_stopping.metric is None  # the first metric, chosen at run time
    assert spec.names("metrics") == ["accuracy", "f1", "confusion-matrix"]


@pytest.mark.parametrize(("slot", "alias", "name"), [
    ("strategy", "adapter", "lora"),
    ("strategy", "Linear Probe", "head-only"),
    ("backbone", "minilm", "minilm-l6"),
    ("dataset", "sample data", "sample-reviews"),
])
def test_aliases_resolve_to_canonical_names(manager, slot, alias, name):
    data = {"dataset": "sample-reviews", slot: alias}
    assert parse(manager, data).data[slot]["name"] == name


def test_aliases_in_lists_resolve_too(manager):
    spec = parse(manager, {"dataset": "sample-reviews", "metrics": ["acc", "macro f1"],
                           "exporters": "model card"})
    assert spec.names("metrics") == ["accuracy", "f1"]
    assert spec.names("exporters") == ["model-card"]


def test_the_same_metric_listed_twice_is_an_error(manager):
    err = error_of(manager, {"dataset": "sample-reviews", "metrics": ["accuracy", "acc"]})
    assert err.where == "metrics"
    assert "'accuracy' is listed twice" in err.message


# ---------------------------------------------------------------- overrides


def test_set_overrides_training_numbers(manager):
    spec = parse(manager, overrides=["training.epochs=5", "training.learning_rate=3e-5"])
    assert spec.training.epochs == 5
    assert spec.training.learning_rate == pytest.approx(3e-5)


def test_set_another_strategy_drops_the_old_strategys_options(manager):
    data = {"dataset": "sample-reviews", "strategy": {"name": "lora", "r": 16}}
    spec = parse(manager, data, overrides=["strategy=full"])
    assert spec.data["strategy"] == {"name": "full"}


def test_set_a_strategy_option_keeps_the_strategy(manager):
    data = {"dataset": "sample-reviews", "strategy": {"name": "lora", "alpha": 32}}
    spec = parse(manager, data, overrides=["strategy.r=4"])
    assert spec.data["strategy"]["name"] == "lora"
    assert spec.data["strategy"]["r"] == 4
    assert spec.data["strategy"]["alpha"] == 32


def test_set_an_option_on_a_shorthand_strategy(manager):
    spec = parse(manager, {"dataset": "sample-reviews", "strategy": "lora"},
                 overrides=["strategy.r=2"])
    assert spec.data["strategy"]["r"] == 2


def test_set_an_option_of_the_default_strategy(manager):
    spec = parse(manager, {"dataset": "sample-reviews"}, overrides=["strategy.r=4"])
    assert spec.data["strategy"]["name"] == "lora"
    assert spec.data["strategy"]["r"] == 4
    spec = parse(manager, {"dataset": "sample-reviews"}, overrides=["backbone.pretrained=false"])
    assert spec.data["backbone"] == {"name": "minilm-l6", "pretrained": False}


def test_set_metrics_from_comma_separated_names(manager):
    spec = parse(manager, overrides=["metrics=accuracy,f1"])
    assert spec.names("metrics") == ["accuracy", "f1"]


def test_set_applies_to_a_spec_file(manager, tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("dataset: sample-reviews\nstrategy: {name: lora, r: 16}\n")
    spec = load_spec(path, manager, overrides=["training.epochs=5", "strategy=full",
                                               "metrics=accuracy,f1"])
    assert spec.training.epochs == 5
    assert spec.data["strategy"] == {"name": "full"}
    assert spec.names("metrics") == ["accuracy", "f1"]


@pytest.mark.parametrize(("override", "where", "words"), [
    ("training.epochs", "--set", "expected FIELD=VALUE"),
    ("=5", "--set", "no field named"),
    ("trainig.epochs=5", "--set trainig.epochs", 'Did you mean "training"'),
])
def test_bad_overrides_are_explained(manager, override, where, words):
    err = error_of(manager, overrides=[override])
    assert isinstance(err, SpecError)
    assert err.where == where
    assert words in err.message


def test_an_override_that_sets_a_bad_value_names_the_field(manager):
    err = error_of(manager, overrides=["strategy.r=many"])
    assert err.where == "strategy.r"
    assert "whole number" in err.message


# ---------------------------------------------------------------- errors naming the field


def test_an_unknown_top_level_field_suggests_the_right_one(manager):
    err = error_of(manager, {"dataset": "sample-reviews", "trainig": {"epochs": 2}})
    assert isinstance(err, SpecError)
    assert err.where == "trainig"
    assert 'Did you mean "training"' in err.message
    assert "fields: task, dataset, backbone, strategy, training, metrics, exporters" in err.hint


def test_a_learning_rate_that_is_not_a_number_names_training_learning_rate(manager):
    err = error_of(manager, {"dataset": "sample-reviews", "training": {"learning_rate": "abc"}})
    assert isinstance(err, SpecError)
    assert "training.learning_rate" in str(err)
    assert "'abc'" in str(err)


@pytest.mark.parametrize(("training", "field", "words"), [
    ({"epochs": -1}, "training.epochs", "greater than or equal to 1"),
    ({"epochs": 0}, "training.epochs", "greater than or equal to 1"),
    ({"learning_rate": 1e9}, "training.learning_rate", "less than or equal to 1"),
    ({"learning_rate": 0}, "training.learning_rate", "greater than 0"),
    ({"batch_size": 2.5}, "training.batch_size", "2.5"),
    ({"early_stopping": {"patience": 0}}, "training.early_stopping.patience", "greater"),
])
def test_out_of_range_training_values_name_the_field(manager, training, field, words):
    err = error_of(manager, {"dataset": "sample-reviews", "training": training})
    assert isinstance(err, SpecError)
    assert f"{field}: " in str(err)
    assert words in str(err)


def test_an_unknown_training_field_suggests_the_right_one(manager):
    err = error_of(manager, {"dataset": "sample-reviews", "training": {"epoch": 3}})
    assert "training.epoch: unknown field" in str(err)
    assert 'Did you mean "epochs"' in str(err)


def test_an_unknown_backbone_suggests_the_closest(manager):
    err = error_of(manager, {"dataset": "sample-reviews", "backbone": "minlm-l6"})
    assert isinstance(err, UnknownComponentError)
    assert err.where == "backbone.name"
    assert "unknown backbone 'minlm-l6'" in err.message
    assert 'Did you mean "minilm-l6"' in err.message
    assert "Installed:" in err.message and "tiny-bert" in err.message


def test_an_unknown_metric_names_its_position(manager):
    err = error_of(manager, {"dataset": "sample-reviews", "metrics": ["accuracy", "f2"]})
    assert isinstance(err, UnknownComponentError)
    assert err.where == "metrics[1].name"
    assert 'Did you mean "f1"' in err.message


def test_an_unknown_strategy_option_lists_the_options(manager):
    err = error_of(manager, {"dataset": "sample-reviews",
                             "strategy": {"name": "lora", "rank": 4}})
    assert isinstance(err, SpecError)
    assert err.where == "strategy"
    assert "unknown option 'rank' for strategy 'lora'" in err.message
    assert "Options: r, alpha, dropout, target_modules" in err.message


def test_a_required_component_option_names_the_field(manager):
    err = error_of(manager, {"dataset": {"name": "csv"}})
    assert err.where == "dataset.path"
    assert "required" in err.message


@pytest.mark.parametrize("data", [{}, {"dataset": None}, {"dataset": ""},
                                  {"backbone": "minilm-l6"}])
def test_a_spec_without_a_dataset_asks_for_one(manager, data):
    err = error_of(manager, data)
    assert isinstance(err, SpecError)
    assert err.where == "dataset"
    assert "which data to train on" in err.message


def test_a_component_given_as_a_number_is_an_error(manager):
    err = error_of(manager, {"dataset": "sample-reviews", "strategy": 3})
    assert err.where == "strategy"
    assert "expected a name or a mapping" in err.message


def test_a_component_mapping_without_a_name_lists_the_installed_ones(manager):
    err = error_of(manager, {"dataset": "sample-reviews", "strategy": {"r": 4}})
    assert err.where == "strategy"
    assert "missing 'name'" in err.message
    assert "lora" in err.hint


def test_a_task_no_component_supports_is_rejected(manager):
    err = error_of(manager, {"task": "image-segmentation", "dataset": "sample-reviews"})
    assert err.where == "task"
    assert "unknown task 'image-segmentation'" in err.message
    assert "text-classification" in err.message  # what the installed plugins support


def test_early_stopping_on_a_metric_the_run_does_not_compute(manager):
    err = error_of(manager, {"dataset": "sample-reviews", "metrics": ["accuracy"],
                             "training": {"early_stopping": {"metric": "f1"}}})
    assert isinstance(err, SpecError)
    assert err.where == "training.early_stopping.metric"
    assert "'f1' is not computed by this run" in err.message
    assert "Choose one of: accuracy, loss" in err.message


def test_early_stopping_on_a_computed_metric_or_none(manager):
    spec = parse(manager, {"dataset": "sample-reviews", "metrics": ["accuracy", "f1"],
                           "training": {"early_stopping": {"metric": "f1", "patience": 3}}})
    assert spec.training.early_stopping.metric == "f1"
    assert spec.training.early_stopping.patience == 3
    spec = parse(manager, {"dataset": "sample-reviews", "training": {"early_stopping": None}})
    assert spec.training.early_stopping is None


# ---------------------------------------------------------------- a property


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
training_keys = st.sampled_from([
    "epochs", "learning_rate", "batch_size", "weight_decay", "dropout", "seed", "max_length",
    "warmup_ratio", "max_grad_norm", "log_every", "early_stopping",
]) | st.text(max_size=12)
early_stopping = st.dictionaries(
    st.sampled_from(["metric", "patience", "min_delta", "restore_best"]) | st.text(max_size=8),
    json_values, max_size=4)
training_mappings = st.dictionaries(
    training_keys, json_values | early_stopping, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(training=training_mappings | json_values)
def test_any_training_value_gives_a_spec_or_a_tunekit_error(manager, training):
    try:
        spec = parse_spec({"dataset": "sample-reviews", "training": training}, manager)
    except TunekitError as err:
        assert str(err).strip()
        return
    assert isinstance(spec, RunSpec)
    assert spec.training.epochs is None or spec.training.epochs >= 1  # accepted validates again


def test_the_public_api_reexports_the_spec_functions():
    assert tunekit.parse_spec is parse_spec
    assert tunekit.load_spec is load_spec
    assert Path(tunekit.__file__).name == "__init__.py"
