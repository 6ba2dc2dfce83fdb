"""Components: typed params that coerce what people type, and the checks a plugin must pass."""

from __future__ import annotations

import math

import pytest
import tunekit
from tunekit import Metric, Param, PluginError, SpecError


def noop(predictions, references, labels):
    return {}


def metric(**fields) -> Metric:
    base = {"name": "error-rate", "description": "The share of wrong predictions.",
            "compute": noop}
    return Metric(**{**base, **fields})


# ---------------------------------------------------------------- Param.coerce


@pytest.mark.parametrize(("raw", "expected"), [(3, 3), ("3", 3), (4.0, 4), ("1e3", 1000)])
def test_int_param_accepts_whole_numbers_in_any_spelling(raw, expected):
    value = Param(name="epochs", type=int).coerce(raw, "training.epochs")
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize(("raw", "expected"), [("3e-5", 3e-5), ("0.1", 0.1), (2, 2.0),
                                               (" 1.5 ", 1.5)])
def test_float_param_reads_numbers_from_text(raw, expected):
    value = Param(name="learning_rate", type=float).coerce(raw, "training.learning_rate")
    assert value == pytest.approx(expected)
    assert type(value) is float


def test_int_param_rejects_a_fraction_naming_the_field():
    with pytest.raises(SpecError) as err:
        Param(name="r", type=int).coerce("3.5", "strategy.r")
    assert err.value.where == "strategy.r"
    assert "whole number" in err.value.message
    assert "'3.5'" in err.value.message


@pytest.mark.parametrize("raw", ["abc", "", [1], {"a": 1}])
def test_number_param_rejects_non_numbers(raw):
    with pytest.raises(SpecError) as err:
        Param(name="lr", type=float).coerce(raw, "x.lr")
    assert err.value.where == "x.lr"
    assert "expected a number" in err.value.message


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "1e400", math.nan, math.inf])
@pytest.mark.parametrize("kind", [int, float])
def test_number_param_rejects_nan_and_infinity(raw, kind):
    with pytest.raises(SpecError) as err:
        Param(name="lr", type=kind).coerce(raw, "x.lr")
    assert "finite" in err.value.message


@pytest.mark.parametrize("raw", [True, False])
@pytest.mark.parametrize("kind", [int, float])
def test_a_bool_is_not_a_number(raw, kind):
    # True == 1 in Python; a user who wrote `epochs: yes` made a mistake we must catch.
    with pytest.raises(SpecError) as err:
        Param(name="epochs", type=kind).coerce(raw, "training.epochs")
    assert repr(raw) in err.value.message


@pytest.mark.parametrize(("raw", "expected"), [
    (True, True), (False, False), ("true", True), ("Yes", True), ("on", True), ("1", True),
    ("false", False), ("NO", False), ("off", False), ("0", False),
])
def test_bool_param_reads_the_usual_words(raw, expected):
    assert Param(name="adapter_only", type=bool).coerce(raw, "x") is expected


@pytest.mark.parametrize("raw", ["maybe", 1, 0, 2.0, []])
def test_bool_param_rejects_anything_else(raw):
    with pytest.raises(SpecError) as err:
        Param(name="adapter_only", type=bool).coerce(raw, "exporters[0].adapter_only")
    assert "true or false" in err.value.message
    assert err.value.where == "exporters[0].adapter_only"


def test_list_param_splits_comma_separated_text():
    param = Param(name="target_modules", type=list)
    assert param.coerce("query, value,,key ", "x") == ["query", "value", "key"]
    assert param.coerce(("a", "b"), "x") == ["a", "b"]
    with pytest.raises(SpecError, match="expected a list"):
        param.coerce(5, "x")


def test_str_param_takes_numbers_as_text_but_not_bools_or_lists():
    param = Param(name="revision", type=str)
    assert param.coerce(42, "x") == "42"
    for bad in (True, ["a"], {"a": 1}):
        with pytest.raises(SpecError, match="expected text"):
            param.coerce(bad, "x")


def test_dict_param_wants_a_mapping():
    param = Param(name="extra", type=dict)
    assert param.coerce({"a": 1}, "x") == {"a": 1}
    with pytest.raises(SpecError, match="expected a mapping"):
        param.coerce([("a", 1)], "x")


def test_choices_restrict_the_value_and_list_what_is_allowed():
    param = Param(name="pooling", type=str, choices=("mean", "cls"))
    assert param.coerce("cls", "backbone.pooling") == "cls"
    with pytest.raises(SpecError) as err:
        param.coerce("max", "backbone.pooling")
    assert "'max' is not allowed" in err.value.message
    assert "mean, cls" in err.value.message


def test_choices_apply_after_coercion():
    param = Param(name="bits", type=int, choices=(4, 8))
    assert param.coerce("8", "x") == 8
    with pytest.raises(SpecError, match="choose one of: 4, 8"):
        param.coerce("16", "x")


def test_min_and_max_bound_numbers_inclusively():
    param = Param(name="r", type=int, min=1, max=64)
    assert param.coerce(1, "strategy.r") == 1
    assert param.coerce(64, "strategy.r") == 64
    with pytest.raises(SpecError) as low:
        param.coerce(0, "strategy.r")
    assert "at least 1" in low.value.message and low.value.where == "strategy.r"
    with pytest.raises(SpecError) as high:
        param.coerce("65", "strategy.r")
    assert "at most 64" in high.value.message


def test_required_param_without_value_says_so_with_its_help():
    param = Param(name="path", type=str, required=True, help="the file with the examples")
    with pytest.raises(SpecError) as err:
        param.coerce(None, "dataset.path")
    assert err.value.where == "dataset.path"
    assert "required" in err.value.message
    assert "the file with the examples" in err.value.message


def test_optional_param_without_value_stays_none():
    assert Param(name="revision", type=str).coerce(None, "x") is None


# ---------------------------------------------------------------- Component.check


@pytest.mark.parametrize("name", ["", "   ", "Error-Rate", "error rate", " error-rate"])
def test_check_rejects_names_that_are_empty_uppercase_or_spaced(name):
    with pytest.raises(PluginError) as err:
        metric(name=name).check()
    assert "name" in err.value.message


def test_check_wants_a_plain_language_description():
    with pytest.raises(PluginError) as err:
        metric(description="  ").check()
    assert "description" in err.value.message
    assert "'error-rate'" in err.value.message


def test_check_wants_a_callable_for_the_work():
    with pytest.raises(PluginError) as err:
        metric(compute="not a function").check()
    assert "callable 'compute'" in err.value.message


def test_check_rejects_repeated_params_and_a_param_called_name():
    repeated = (Param(name="k", type=int), Param(name="k", type=float))
    with pytest.raises(PluginError, match="'k' is repeated"):
        metric(params=repeated).check()
    with pytest.raises(PluginError, match="'name' is repeated"):
        metric(params=(Param(name="name", type=str),)).check()


def test_check_rejects_params_of_an_unsupported_type_or_not_params():
    with pytest.raises(PluginError, match="use int, float, str, bool, list or dict"):
        metric(params=(Param(name="when", type=complex),)).check()
    with pytest.raises(PluginError, match="must be Param objects"):
        metric(params=({"name": "k"},)).check()


def test_check_rejects_aliases_given_as_a_single_string():
    with pytest.raises(PluginError, match="tuples"):
        metric(aliases="wrong").check()


def test_check_fills_a_title_and_turns_lists_into_tuples():
    component = metric(aliases=["errors"], params=[Param(name="k", type=int, default=1)])
    component.check()
    assert component.title == "Error rate"
    assert component.aliases == ("errors",)
    assert isinstance(component.params, tuple)


# ---------------------------------------------------------------- resolve_options


def lora_like() -> tunekit.Strategy:
    return tunekit.Strategy(
        name="lora-like", description="Adapters.", apply=noop,
        params=(Param(name="r", type=int, default=8, min=1),
                Param(name="alpha", type=int, default=16),
                Param(name="dropout", type=float, default=0.1)),
    )


def test_resolve_options_fills_defaults_and_coerces_given_values():
    options = lora_like().resolve_options({"r": "4"}, "strategy")
    assert options == {"r": 4, "alpha": 16, "dropout": 0.1}


def test_resolve_options_unknown_option_suggests_and_lists_the_options():
    with pytest.raises(SpecError) as err:
        lora_like().resolve_options({"alpah": 8}, "strategy")
    message = err.value.message
    assert err.value.where == "strategy"
    assert "unknown option 'alpah' for strategy 'lora-like'" in message
    assert 'Did you mean "alpha"' in message
    assert "Options: r, alpha, dropout" in message


def test_resolve_options_on_a_component_without_params_says_none():
    with pytest.raises(SpecError, match="Options: none"):
        metric().resolve_options({"k": 1}, "metrics[0]")


def test_resolve_options_errors_name_the_nested_field():
    with pytest.raises(SpecError) as err:
        lora_like().resolve_options({"r": 0}, "strategy")
    assert err.value.where == "strategy.r"
    assert str(err.value).startswith("strategy.r: must be at least 1")
