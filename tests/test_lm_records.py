"""text-jsonl reads the instruction files other tools write (alpaca, ShareGPT, OpenAI's
prompt/completion, question/answer, a JSON array), keeps the loss on the answers only, and
a run on such a file trains a real tiny causal model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tunekit.components import DataContext, ModelRequest
from tunekit.errors import DataError
from tunekit.plugins.datasets import looks
from tunekit.registry import Registry
from tunekit.tasks import get_task
from tunekit.testing import manager_with, tiny_backbones
from tunekit.ui.cli import main as cli_main

TASK = get_task("causal-lm")
ALPACA = [{"instruction": f"Add {i} and 2.", "input": "" if i % 2 else f"be brief {i}",
           "output": f"{i} plus 2 is {i + 2}."} for i in range(40)]
SHAREGPT = [{"conversations": [{"from": "system", "value": "You add numbers."},
                               {"from": "human", "value": f"Add {i} and 3."},
                               {"from": "gpt", "value": f"{i} plus 3 is {i + 3}."}]}
            for i in range(40)]


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def load(folder: Path, path: str) -> Any:
    dataset = manager_with().get("dataset", "text-jsonl")
    return dataset.load(dataset.resolve_options({"path": path}, "dataset"),
                        DataContext(task="causal-lm", seed=0, base_dir=folder))


def rows(folder: Path, path: str) -> list[dict]:
    splits = load(folder, path)
    return splits.train + splits.validation


@pytest.mark.parametrize(("record", "row"), [
    ({"instruction": "Add 1 and 2.", "input": "", "output": "3"},
     {"instruction": "Add 1 and 2.", "response": "3"}),
    ({"instruction": "Sum these.", "input": "1 2", "output": "3"},
     {"instruction": "Sum these.", "response": "3", "input": "1 2"}),
    ({"prompt": "1+2=", "completion": " 3"}, {"instruction": "1+2=", "response": " 3"}),
    ({"question": "What is 1+2?", "answer": "3"},
     {"instruction": "What is 1+2?", "response": "3"}),
    ({"input": "one plus two", "output": "three"},
     {"instruction": "one plus two", "response": "three"}),
    ({"instruction": "Answer.", "context": "Paris is in France.", "response": "France"},
     {"instruction": "Answer.", "context": "Paris is in France.", "response": "France"}),
    ({"conversations": [{"from": "human", "value": "hi"}, {"from": "chatgpt", "value": "hey"}]},
     {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hey"}]}),
    ({"messages": [{"role": "system", "content": "be kind"}, {"role": "user", "content": "hi"},
                   {"role": "assistant", "content": "hey"}]},
     {"messages": [{"role": "system", "content": "be kind"}, {"role": "user", "content": "hi"},
                   {"role": "assistant", "content": "hey"}]}),
], ids=["alpaca", "alpaca-input", "prompt-completion", "question-answer", "input-output",
        "dolly-own-form", "sharegpt", "messages-system"])
def test_each_shape_becomes_a_row_of_causal_lm(tmp_path: Path, record: dict, row: dict) -> None:
    write(tmp_path / "data.jsonl", [record, record])
    assert rows(tmp_path, "data.jsonl") == [row, row]


def test_an_alpaca_json_array_is_read(tmp_path: Path) -> None:
    (tmp_path / "alpaca_data.json").write_text(json.dumps(ALPACA[:10], indent=2))
    assert len(rows(tmp_path, "alpaca_data.json")) == 10
    assert looks.instruction_file(tmp_path / "alpaca_data.json") > 0.9


@pytest.mark.parametrize(("record", "message"), [
    ({"prompt": "p", "chosen": "a", "rejected": "b"},
     "this record's fields are prompt, chosen, rejected"),
    ({"conversations": [{"from": "robot", "value": "hi"}]}, "has the speaker 'robot'"),
    ({"conversations": [{"from": "human", "value": "hi"}]}, "the chat has no assistant turn"),
    ({"instruction": "Add 1 and 2.", "output": ""}, "'output' must be a non-empty text"),
], ids=["preference", "speaker", "no-assistant", "empty-output"])
def test_a_record_it_cannot_read_is_one_clear_message(tmp_path: Path, record: dict,
                                                      message: str) -> None:
    write(tmp_path / "data.jsonl", [ALPACA[0], record])
    with pytest.raises(DataError) as caught:
        load(tmp_path, "data.jsonl")
    assert caught.value.where == f"{tmp_path / 'data.jsonl'}:2"
    assert message in caught.value.message


def test_the_looks_take_these_files_as_language_model_data(tmp_path: Path) -> None:
    for name, records in (("alpaca.jsonl", ALPACA), ("sharegpt.jsonl", SHAREGPT)):
        write(tmp_path / name, records)
        assert looks.instruction_file(tmp_path / name) > 0.9
        assert looks.record_file(tmp_path / name) < 0.5
    labelled = write(tmp_path / "labelled.jsonl", [{"input": f"film {i}", "output": "good"
                                                    if i % 2 else "bad"} for i in range(10)])
    assert looks.record_file(labelled) > looks.instruction_file(labelled)


@pytest.mark.parametrize("records", [ALPACA, SHAREGPT], ids=["alpaca", "sharegpt"])
def test_only_the_answers_are_scored(tmp_path: Path, records: list[dict]) -> None:
    manager = manager_with(tiny_backbones, builtins=False, tiny=False)
    built = manager.get("backbone", "tiny-llama").build(
        {"layers": 1, "init_seed": 0, "pretrained": True}, ModelRequest(task="causal-lm",
                                                                        labels=[]))
    write(tmp_path / "data.jsonl", records[:2])
    [feature, _] = TASK.encode(rows(tmp_path, "data.jsonl")[:2], built, {}, 128)
    ids = [i for i, label in zip(feature["input_ids"], feature["labels"], strict=True)
           if label != -100]
    scored = built.tokenizer.decode(ids)
    assert "plus" in scored and "add" not in scored, scored


SPEC = """\
task: causal-lm
dataset: {{name: text-jsonl, path: {path}, validation_fraction: 0.25}}
backbone: tiny-llama
strategy: full
training: {{max_steps: 6, batch_size: 8, learning_rate: 0.02, max_length: 48, seed: 0,
           early_stopping: null, eval_steps: 3}}
exporters: []
"""


@pytest.mark.parametrize("records", [ALPACA, SHAREGPT], ids=["alpaca", "sharegpt"])
def test_a_run_on_such_a_file_trains(tmp_path: Path, records: list[dict]) -> None:
    write(tmp_path / "data.jsonl", records)
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "tiny.py").write_text(
        "from tunekit.testing import register_backbones  # the tiny test backbones\n")
    (tmp_path / "spec.yaml").write_text(SPEC.format(path=tmp_path / "data.jsonl"))
    registry = tmp_path / "registry.db"
    assert cli_main(["run", str(tmp_path / "spec.yaml"), "--quiet", "--registry", str(registry),
                     "--plugins-dir", str(tmp_path / "plugins")]) == 0
    record = Registry.open(registry).runs(limit=1)[0]
    assert record.status == "completed"
    points = Registry.open(registry).metric_points(record.id, split="validation")
    ppl = [p.value for p in sorted(points, key=lambda p: p.step) if p.name == "perplexity"]
    assert len(ppl) >= 2 and ppl[-1] < ppl[0], ppl


def test_the_dataset_says_how_it_reads_another_tools_shape(tmp_path: Path) -> None:
    dataset = manager_with().get("dataset", "text-jsonl")
    alpaca = write(tmp_path / "alpaca.jsonl", ALPACA)
    sharegpt = write(tmp_path / "sharegpt.jsonl", SHAREGPT)
    own = write(tmp_path / "own.jsonl", [{"instruction": "a", "response": "b"}])
    assert "'output' the response" in dataset.how_it_reads(alpaca)
    assert "'input' appended" in dataset.how_it_reads(alpaca)
    assert "'conversations' [from, value]" in dataset.how_it_reads(sharegpt)
    assert dataset.how_it_reads(own) == ""
    assert dataset.how_it_reads(tmp_path / "missing.jsonl") == ""
