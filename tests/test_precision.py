"""training.precision: what each value means on this machine, the refusals, and what a run
records. (The GPU choices are covered by ``choose(..., cuda=True)`` only where a GPU is here.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tunekit
import tunekit.engine.precision as precision
from tunekit.errors import SpecError, TunekitError
from tunekit.registry import Registry
from tunekit.testing import write_text_csv

MINILM_PARAMETERS = 22_713_986


def spec_for(manager, data: Path, **training):
    return tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(data)},
        "backbone": "tiny-bert",
        "strategy": "full",
        "training": {"epochs": 1, "batch_size": 8, "learning_rate": 1e-3, "seed": 1,
                     "early_stopping": None, **training},
        "metrics": ["accuracy"],
        "exporters": [],
    }, manager)


@pytest.mark.parametrize(("said", "meant"), [
    ("auto", "auto"), ("FP32", "fp32"), ("float32", "fp32"), ("no", "fp32"),
    ("bfloat16", "bf16"), ("bf16", "bf16"), ("half", "fp16"), ("fp16", "fp16")])
def test_the_precision_field_takes_the_usual_names(manager, said, meant):
    spec = spec_for(manager, Path("data.csv"), precision=said)
    assert spec.training.precision == meant


def test_an_unknown_precision_is_refused_naming_the_field(manager):
    with pytest.raises(SpecError) as caught:
        spec_for(manager, Path("data.csv"), precision="int8")
    assert "training.precision" in str(caught.value)


def test_the_default_is_auto(manager):
    assert spec_for(manager, Path("data.csv")).training.precision == "auto"


def test_fp16_on_a_cpu_is_refused_with_what_to_do_instead():
    with pytest.raises(SpecError) as caught:
        precision.choose("fp16", MINILM_PARAMETERS, cuda=False)
    message = str(caught.value)
    assert "fp16 needs a GPU" in message and "training.precision" in message
    assert "bf16" in message and "fp32" in message


def test_auto_on_a_cpu_with_native_bf16_takes_bf16_only_for_models_large_enough(monkeypatch):
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: True)
    tiny = precision.choose("auto", 999_138, cuda=False)  # the tiny test BERT
    assert tiny.name == "fp32" and "too small" in tiny.reason
    assert precision.choose("auto", MINILM_PARAMETERS, cuda=False).name == "bf16"
    assert precision.choose("fp32", MINILM_PARAMETERS, cuda=False).name == "fp32"


def test_auto_on_a_cpu_without_native_bf16_stays_in_fp32_and_explicit_bf16_warns(monkeypatch):
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: False)
    assert precision.choose("auto", MINILM_PARAMETERS, cuda=False).name == "fp32"
    chosen = precision.choose("bf16", MINILM_PARAMETERS, cuda=False)
    assert chosen.name == "bf16" and chosen.mixed_precision == "bf16"
    assert "no native bf16" in chosen.warning and "slower" in chosen.warning
    assert precision.choose("fp32", 10, cuda=False).mixed_precision == "no"


def _trained(manager, tmp_path: Path, **training):
    data = write_text_csv(tmp_path / "tiny.csv", n=80)
    registry = Registry.open(tmp_path / "registry.db")
    messages: list[str] = []
    result = tunekit.run(spec_for(manager, data, **training), manager=manager,
                         registry=registry, progress=False, output_root=tmp_path / "runs",
                         listeners=[lambda e: messages.append(e.data.get("text", ""))
                                    if e.kind == "message" else None])
    record = registry.get_run(result.run_id)
    return result, record, json.loads(record.summary_json), messages


def test_a_tiny_run_in_bf16_on_the_cpu_trains_and_records_bf16(manager, tmp_path):
    result, record, summary, _ = _trained(manager, tmp_path, precision="bf16")
    assert result.status == "completed" and result.metrics["accuracy"] >= 0.0
    assert record.precision == "bf16"
    assert summary["precision"] == {"used": "bf16", "asked": "bf16",
                                    "reason": "as the spec asks"}


def test_auto_trains_a_tiny_model_in_fp32(manager, tmp_path):
    _, record, summary, _ = _trained(manager, tmp_path)
    assert record.precision == "fp32"
    assert summary["precision"]["used"] == "fp32" and summary["precision"]["asked"] == "auto"


def test_fp16_on_the_cpu_fails_the_run_with_the_reason(manager, tmp_path):
    with pytest.raises(TunekitError, match="fp16 needs a GPU"):
        _trained(manager, tmp_path, precision="fp16")
