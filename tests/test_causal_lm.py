"""causal-lm: templates and label masks, perplexity, the JSONL loader's messages, generation,
and two real runs through the CLI (tiny GPT-2 with LoRA, tiny Llama with its chat template)
whose validation perplexity falls and whose generations are recorded epoch by epoch."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import torch
from exported import demo_answer, onnx_parity, predict_json
from tunekit.components import DataContext, ModelRequest
from tunekit.errors import DataError
from tunekit.registry import Registry
from tunekit.tasks import get_task
from tunekit.testing import manager_with, tiny_backbones
from tunekit.ui.cli import main as cli_main

TASK = get_task("causal-lm")
VOCABULARY = 30522  # the bundled tokenizer's: a model that knows nothing has this perplexity
CHAT = {"messages": [{"role": "system", "content": "be brief"},
                     {"role": "user", "content": "say hello"},
                     {"role": "assistant", "content": "hello there"},
                     {"role": "user", "content": "and goodbye"},
                     {"role": "assistant", "content": "see you"}]}


def tiny(architecture: str) -> Any:
    """A tiny causal LM as its backbone builds it (tiny-llama's tokenizer has a chat
    template, tiny-gpt2's has none)."""
    manager = manager_with(tiny_backbones, builtins=False, tiny=False)
    backbone = manager.get("backbone", f"tiny-{architecture}")
    built = backbone.build({"layers": 2, "init_seed": 0, "pretrained": True},
                           ModelRequest(task="causal-lm", labels=[]))
    built.model.eval()  # no dropout: the same input gives the same answer
    return built


@pytest.fixture(scope="module")
def gpt2() -> Any:
    return tiny("gpt2")


@pytest.fixture(scope="module")
def llama() -> Any:
    return tiny("llama")


def scored(built: Any, feature: dict[str, Any]) -> str:
    """The tokens of a feature that carry a label, as text."""
    ids = [i for i, label in zip(feature["input_ids"], feature["labels"], strict=True)
           if label != -100]
    assert all(label in (i, -100) for i, label in zip(feature["input_ids"], feature["labels"],
                                                      strict=True))
    return built.tokenizer.decode(ids)


# ---------------------------------------------------------------- templates and masks


def test_the_plain_template_scores_the_response_and_its_end_only(gpt2: Any) -> None:
    row = {"instruction": "Add 3 and 4.", "input": "be quick", "response": "3 plus 4 is 7."}
    [feature] = TASK.encode([row], gpt2, {}, 128)
    text = gpt2.tokenizer.decode(feature["input_ids"])
    assert text == "[CLS] # # # instruction : add 3 and 4. be quick # # # response : 3 plus 4 " \
                   "is 7. [SEP]"
    assert scored(gpt2, feature) == "3 plus 4 is 7. [SEP]"
    assert feature["attention_mask"] == [1] * len(feature["input_ids"])


def test_the_chat_template_scores_only_the_assistant_turns(llama: Any) -> None:
    [feature] = TASK.encode([CHAT], llama, {}, 128)
    text = llama.tokenizer.decode(feature["input_ids"])
    assert "< | system | > be brief [SEP]" in text  # the template was applied
    assert scored(llama, feature) == "hello there [SEP] see you [SEP]"
    # an instruction row becomes a user turn and an assistant turn of the same template
    [pair] = TASK.encode([{"instruction": "say hello", "response": "hi"}], llama, {}, 128)
    assert llama.tokenizer.decode(pair["input_ids"]) == \
        "[CLS] < | user | > say hello [SEP] < | assistant | > hi [SEP]"
    assert scored(llama, pair) == "hi [SEP]"


def test_a_chat_without_a_template_uses_the_plain_one(gpt2: Any) -> None:
    [feature] = TASK.encode([CHAT], gpt2, {}, 128)
    assert "# # # system : be brief" in gpt2.tokenizer.decode(feature["input_ids"])
    assert scored(gpt2, feature) == "hello there [SEP] see you [SEP]"


def test_plain_text_is_scored_everywhere_and_cut_keeping_its_start(gpt2: Any) -> None:
    [whole, cut] = TASK.encode([{"text": "the cat sat on the mat"},
                                {"text": " ".join(["word"] * 50)}], gpt2, {}, 10)
    assert scored(gpt2, whole) == "[CLS] the cat sat on the mat [SEP]".removeprefix("[CLS] ")
    assert len(cut["input_ids"]) == 10 and cut["input_ids"][0] == gpt2.tokenizer.cls_token_id


def test_examples_whose_response_is_cut_away_are_left_out_with_a_note(gpt2: Any) -> None:
    from tunekit.components import DataSplits

    long = {"instruction": " ".join(["please"] * 40), "response": "yes"}
    short = {"instruction": "hi", "response": "hello"}
    splits = DataSplits(train=[long, short], validation=[short])
    TASK.labels(splits, "test data")
    features = TASK.encode([long, short], gpt2, {}, 24)
    assert len(features) == 1
    assert splits.notes == ["1 of 2 examples left out: their prompt fills max_length (24 "
                            "tokens), so nothing of the response remains to score (examples "
                            "1); raise training.max_length to keep them"]
    with pytest.raises(DataError) as caught:
        TASK.encode([long], gpt2, {}, 24)
    assert caught.value.where == "training.max_length"


def test_a_batch_pads_ids_mask_and_labels(gpt2: Any) -> None:
    features = TASK.encode([{"text": "a b c d e"}, {"text": "a"}], gpt2, {}, 64)
    batch = TASK.collate(features, gpt2, train=True)
    short = len(features[1]["input_ids"])
    assert batch["input_ids"].shape == batch["labels"].shape == batch["attention_mask"].shape
    assert batch["input_ids"][1, short:].tolist() == [0] * (batch["input_ids"].shape[1] - short)
    assert set(batch["labels"][1, short:].tolist()) == {-100}
    assert set(batch["attention_mask"][1, short:].tolist()) == {0}


# ---------------------------------------------------------------- loss and perplexity


def test_the_loss_and_perplexity_are_the_token_level_ones(gpt2: Any) -> None:
    from tunekit.plugins.metrics.generation import perplexity

    rows = [{"instruction": "Add 3 and 4.", "response": "3 plus 4 is 7."}, CHAT,
            {"text": "the cat sat on the mat"}]
    features = TASK.encode(rows, gpt2, {}, 128)
    batch = TASK.collate(features, gpt2, train=False)
    with torch.no_grad():
        out = TASK.evaluate_batch(gpt2.model, batch)
        # transformers' own loss of one example: the mean over its scored next tokens
        own = [gpt2.model(**TASK.collate([f], gpt2, train=False)).loss for f in features]
        train_loss = TASK.loss_function(None, [], [], None)(gpt2.model, batch)
    counts = [sum(label != -100 for label in f["labels"][1:]) for f in features]
    assert out["references"].tolist() == counts
    assert torch.allclose(out["loss"], torch.stack(own), atol=1e-5)
    assert torch.allclose(out["predictions"], torch.stack(own) * torch.tensor(counts), atol=1e-4)
    total, tokens = float(out["predictions"].sum()), sum(counts)
    assert float(train_loss) == pytest.approx(total / tokens, rel=1e-5)
    gathered = {"predictions": out["predictions"].tolist(), "references": counts}
    scalars, _ = TASK.extra_scores(gathered, [])
    assert scalars["token_loss"] == pytest.approx(total / tokens, rel=1e-6)
    assert scalars["perplexity"] == pytest.approx(math.exp(total / tokens), rel=1e-6)
    assert perplexity(gathered["predictions"], counts, [])["perplexity"] == \
        pytest.approx(scalars["perplexity"], rel=1e-9)
    assert perplexity([2.0, 4.0], [2, 4], [])["perplexity"] == pytest.approx(math.e)


# ---------------------------------------------------------------- the loaders


def load(manager: Any, name: str, folder: Path, **options: Any) -> Any:
    dataset = manager.get("dataset", name)
    return dataset.load(dataset.resolve_options(options, "dataset"),
                        DataContext(task="causal-lm", seed=0, base_dir=folder))


@pytest.mark.parametrize(("line", "message"), [
    ('{"instruction": "hi", "response": "hello"', "not JSON: Expecting ',' delimiter"),
    ('["hi", "hello"]', "expected {instruction, response}, {messages: [...]} or {text}"),
    ('{"instruction": "hi"}', "'response' must be a non-empty text"),
    ('{"instruction": "hi", "response": "  "}', "'response' must be a non-empty text"),
    ('{"instruction": "hi", "response": 7}', "'response' must be a non-empty text"),
    ('{"messages": [{"role": "user", "content": "hi"}]}', "the chat has no assistant turn"),
    ('{"messages": [{"role": "robot", "content": "hi"}]}', "has the speaker 'robot'"),
    ('{"text": 3}', "expected {instruction, response}, {messages: [...]} or {text}"),
], ids=["json", "not-an-object", "no-response", "empty-response", "response-type",
        "no-assistant", "bad-role", "text-type"])
def test_text_jsonl_refuses_a_bad_line_naming_it(tmp_path: Path, line: str,
                                                 message: str) -> None:
    good = json.dumps({"instruction": "Add 1 and 2.", "response": "3"})
    (tmp_path / "data.jsonl").write_text(f"{good}\n\n{good}\n{line}\n")
    with pytest.raises(DataError) as caught:
        load(manager_with(), "text-jsonl", tmp_path, path="data.jsonl")
    assert caught.value.where == f"{tmp_path / 'data.jsonl'}:4"
    assert message in caught.value.message


def test_text_jsonl_reads_the_three_forms_and_splits_by_seed(tmp_path: Path) -> None:
    rows = [{"instruction": f"Add {i} and 1.", "response": str(i + 1)} for i in range(16)]
    rows += [CHAT, {"text": "plain text works too"}]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    manager = manager_with()
    splits = load(manager, "text-jsonl", tmp_path, path="data.jsonl", validation_fraction=0.25)
    again = load(manager, "text-jsonl", tmp_path, path="data.jsonl", validation_fraction=0.25)
    assert (len(splits.train), len(splits.validation)) == (14, 4)
    assert splits.validation == again.validation
    assert sorted(map(json.dumps, splits.train + splits.validation)) == \
        sorted(map(json.dumps, rows))
    assert TASK.describe_data(splits)["train_forms"]["instruction"] >= 11


def test_sample_instructions_are_fixed_and_all_different() -> None:
    manager = manager_with()
    splits = load(manager, "sample-instructions", Path.cwd())
    rows = splits.train + splits.validation
    assert (len(splits.train), len(splits.validation)) == (240, 60)
    assert len({r["instruction"] for r in rows}) == 300
    assert load(manager, "sample-instructions", Path.cwd()).train == splits.train
    assert {"instruction": "Add 3 and 4.", "response": "3 plus 4 is 7."} in \
        [r for r in rows if r["instruction"] == "Add 3 and 4."]


# ---------------------------------------------------------------- generation and predict


def test_predict_answers_prompts_and_files_of_them(gpt2: Any, llama: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tunekit.tasks import causal_lm

    monkeypatch.setattr(causal_lm, "PREDICT_NEW_TOKENS", 8)  # enough to compare, and quick
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(json.dumps({"instruction": "Add 3 and 4."}) + "\n"
                       + json.dumps({"messages": CHAT["messages"][:2]}) + "\n"
                       + json.dumps({"text": "the cat"}) + "\n")
    lines = tmp_path / "prompts.txt"
    lines.write_text("Add 3 and 4.\n\nName a colour.\n")
    assert TASK.read_inputs("Add 3 and 4.") == ["Add 3 and 4."]
    assert TASK.read_inputs(str(lines)) == ["Add 3 and 4.", "Name a colour."]
    inputs = TASK.read_inputs(str(prompts))
    assert inputs[1] == {"messages": CHAT["messages"][:2]}
    for built in (gpt2, llama):
        together = TASK.predict(built.model, built, inputs, [], 128)
        alone = [TASK.predict(built.model, built, [item], [], 128)[0] for item in inputs]
        assert together == alone  # left padding changes nothing
        assert [r["input"] for r in together] == inputs
        assert all(isinstance(r["output"], str) and r["output"] for r in together)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "hi"}\n{"messages": "hi"}\n')
    with pytest.raises(DataError) as caught:
        TASK.read_inputs(str(bad))
    assert caught.value.where == f"{bad}:2"


# ---------------------------------------------------------------- strategies on decoders


@pytest.mark.parametrize(("architecture", "targets", "blocks"), [
    ("gpt2", ["c_attn"], "transformer.h"), ("llama", ["q_proj", "v_proj"], "model.layers")])
def test_lora_and_the_layer_groups_know_decoders(architecture: str, targets: list[str],
                                                 blocks: str) -> None:
    from tunekit.components import StrategyContext
    from tunekit.layers import default_layer_groups

    manager = manager_with()
    lora = manager.get("strategy", "lora")
    built = tiny(architecture)
    groups = default_layer_groups(built.model)
    assert [g.name for g in groups] == ["embeddings", "block 0", "block 1", "head"]
    assert all(n.startswith(f"{blocks}.1.") for n, _ in groups[2].params)
    plan = lora.apply(built.model, lora.resolve_options({"target_modules": targets}, "strategy"),
                      StrategyContext(task="causal-lm", epochs=1, layer_groups=groups))
    trained = [n for n, p in plan.model.named_parameters() if p.requires_grad]
    assert trained and all("lora_" in n for n in trained)  # the vocabulary head stays frozen
    assert {n.split(".lora_")[0].rsplit(".", 1)[-1] for n in trained} == set(targets)
    assert type(plan.model).__name__ == "PeftModelForCausalLM"


# ---------------------------------------------------------------- real runs through the CLI

SPEC = """\
task: causal-lm
dataset: {{name: sample-instructions, n: 100}}
backbone: {backbone}
strategy: {strategy}
training: {{epochs: 3, batch_size: 8, learning_rate: {rate}, max_length: 48, seed: 0,
           early_stopping: null, generation_prompts: [Add 3 and 4., Count from 5 to 9.]}}
exporters: [huggingface, {{name: onnx, exporter: torchscript}},
            {{name: gradio-demo, max_new_tokens: 8}}]
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("causal-lm")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(
        "from tunekit.testing import register_backbones  # the tiny test backbones\n")
    registry = folder / "registry.db"
    found = {}
    for backbone, strategy, rate in (("tiny-gpt2", "{name: lora, dropout: 0.0}", 0.02),
                                     ("tiny-llama", "full", 0.02)):
        spec = folder / f"{backbone}.yaml"
        spec.write_text(SPEC.format(backbone=backbone, strategy=strategy, rate=rate))
        code = cli_main(["run", str(spec), "--quiet", "--registry", str(registry),
                         "--plugins-dir", str(folder / "plugins")])
        assert code == 0
        found[backbone] = Registry.open(registry).runs(limit=1)[0]
    found["registry"] = Registry.open(registry)
    found["folder"] = folder
    return found


@pytest.mark.parametrize("backbone", ["tiny-gpt2", "tiny-llama"])
def test_a_run_learns_and_records_its_generations(runs: dict[str, Any], backbone: str) -> None:
    record = runs[backbone]
    assert record.status == "completed"
    assert record.spec["metrics"] == [{"name": "perplexity"}]  # the task's default
    points = runs["registry"].metric_points(record.id, split="validation")
    ppl = [p.value for p in sorted(points, key=lambda p: p.epoch) if p.name == "perplexity"]
    assert len(ppl) == 3
    assert ppl[-1] < 0.8 * ppl[0], ppl  # falls clearly from epoch to epoch
    assert ppl[-1] < VOCABULARY / 3, ppl  # and far below a model that knows nothing
    details = json.loads(record.details_json)
    epochs = details["generations"]
    assert [g["epoch"] for g in epochs] == [1, 2, 3]
    assert [item["prompt"] for item in epochs[0]["items"]] == ["Add 3 and 4.",
                                                              "Count from 5 to 9."]
    assert all(isinstance(item["output"], str) for g in epochs for item in g["items"])
    assert details["validation"]["generations"] == epochs[-1]["items"]


@pytest.mark.parametrize("backbone", ["tiny-gpt2", "tiny-llama"])
def test_a_run_exports_reloads_and_answers_a_prompt(runs: dict[str, Any], backbone: str,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from tunekit.tasks import causal_lm

    record, registry = runs[backbone], runs["registry"]
    parity = onnx_parity(registry, record.id)
    assert parity["argmax_agreement"] == 1.0  # the next token at every position
    monkeypatch.setattr(causal_lm, "PREDICT_NEW_TOKENS", 8)  # as many as the demo's
    prompt = "Count from 5 to 9."
    [answer] = predict_json(capsys, runs["folder"], record.id, prompt)
    assert answer["input"] == prompt and isinstance(answer["output"], str) and answer["output"]
    # the demo asks the model as predict does (its template, its start token): the same words
    assert demo_answer(registry, record.id)(prompt) == answer["output"]


def test_the_studio_shows_the_generations_epoch_by_epoch(runs: dict[str, Any]) -> None:
    from tunekit.ui.studio.tabs.generations import generations_markdown
    from tunekit.ui.studio.tabs.history import describe_run

    record = runs["tiny-llama"]
    block = generations_markdown(record)
    assert block.startswith("#### Generations")
    assert block.index("**Epoch 3**") < block.index("**Epoch 1**")  # newest first
    assert block.count("_Add 3 and 4._ →") == 3
    assert block in describe_run(record, [])
    classifier = type("Record", (), {"task": "text-classification", "details_json": "{}"})()
    assert generations_markdown(classifier) == ""
