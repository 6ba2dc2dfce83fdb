"""The assistant on language-model requests, in phrasings of our own: instruction files in
other tools' shapes (alpaca, ShareGPT, prompt/completion...) taken as data, several
generation prompts in one turn, "the steps" changed relatively, tool names that are no model
ids, a model named by its folder, and a decoder family with no file meaning causal-lm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


def jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def model_folder(root: Path, name: str, model_type: str = "gpt2") -> None:
    (root / name).mkdir(parents=True)
    (root / name / "config.json").write_text(json.dumps({"model_type": model_type}))


@pytest.fixture
def assistant(isolated: Path) -> Assistant:
    return Assistant(load_plugins(disabled=()))


# ---------------------------------------------------------------- 1. first files, any shape

SHAPES = {
    "convos.jsonl": [{"conversations": [{"from": "human", "value": f"hi {i}"},
                                        {"from": "gpt", "value": f"hello {i}"}]}
                     for i in range(12)],
    "alpaca_style.jsonl": [{"instruction": f"Name a colour {i}.", "input": "",
                            "output": f"Blue {i}."} for i in range(12)],
    "openai_ft.jsonl": [{"prompt": f"Q{i}: how are you?", "completion": f" fine {i}"}
                        for i in range(12)],
    "qa_pairs.jsonl": [{"question": f"What is {i} plus 1?", "answer": f"It is {i + 1}."}
                       for i in range(12)],
    "pairs.jsonl": [{"input": f"Summarise report {i} please", "output": f"Report {i} is fine."}
                    for i in range(12)],
    "sys_chats.jsonl": [{"messages": [{"role": "system", "content": "be kind"},
                                      {"role": "user", "content": f"help {i}"},
                                      {"role": "assistant", "content": f"sure {i}"}]}
                        for i in range(12)],
}
FIRST_FILES = [
    ("finetune my llama on convos.jsonl", "convos.jsonl"),
    ("can you train gpt2 with alpaca_style.jsonl ?", "alpaca_style.jsonl"),
    ("openai_ft.jsonl is my old openai fine tune file, use gpt2", "openai_ft.jsonl"),
    ("teach distilgpt2 to answer like in qa_pairs.jsonl", "qa_pairs.jsonl"),
    ("here my data pairs.jsonl , fine tune qwen on it pls", "pairs.jsonl"),
    ("sys_chats.jsonl with gpt2, 1 epoch", "sys_chats.jsonl"),
    ("alpaca.json with gpt2", "alpaca.json"),
]


@pytest.mark.parametrize(("said", "file"), FIRST_FILES, ids=[f[0] for f in FIRST_FILES])
def test_instruction_files_in_other_tools_shapes_are_taken_as_data(
        assistant: Assistant, isolated: Path, said: str, file: str) -> None:
    for name, records in SHAPES.items():
        jsonl(isolated / name, records)
    # alpaca_data.json as alpaca ships it: one pretty-printed array
    (isolated / "alpaca.json").write_text(json.dumps(SHAPES["alpaca_style.jsonl"], indent=2))
    reply = assistant.respond(said)
    spec = assistant.spec()
    assert spec["task"] == "causal-lm", reply.text
    assert spec["dataset"]["name"] == "text-jsonl" and spec["dataset"]["path"] == file, reply.text
    assert "not in a form" not in reply.text


def test_a_plain_text_corpus_is_taken_as_texts(assistant: Assistant, isolated: Path) -> None:
    (isolated / "handbook.txt").write_text("".join(f"Rule {i}: greet every guest warmly.\n\n"
                                                   for i in range(20)))
    reply = assistant.respond("continue pretraining gpt2 on handbook.txt")
    assert assistant.spec()["dataset"] == {**assistant.spec()["dataset"], "name": "text-jsonl",
                                           "path": "handbook.txt"}, reply.text


def test_preference_pairs_are_said_with_the_fields_found(assistant: Assistant,
                                                          isolated: Path) -> None:
    jsonl(isolated / "prefs.jsonl", [{"prompt": f"p{i}", "chosen": "good", "rejected": "bad"}
                                     for i in range(12)])
    reply = assistant.respond("train gpt2 on prefs.jsonl")
    assert "prompt, chosen, rejected" in reply.text, reply.text


def test_texts_with_one_word_outputs_stay_a_classification(assistant: Assistant,
                                                            isolated: Path) -> None:
    jsonl(isolated / "labelled.jsonl", [{"input": f"this film {i} was great",
                                         "output": "positive" if i % 2 else "negative"}
                                        for i in range(20)])
    reply = assistant.respond("use labelled.jsonl")
    assert assistant.spec()["task"] == "text-classification", reply.text


# ---------------------------------------------------------------- 2. several prompts

PROMPTS = [
    ("notes.jsonl with gpt2, after every evaluation let it complete \"once upon a time\" and "
     "\"the weather today\"", ["once upon a time", "the weather today"]),
    ("notes.jsonl with gpt2; sample completions for “In the beginning” and “Once there was”",
     ["In the beginning", "Once there was"]),
    ("notes.jsonl, gpt2, test it with prompts like 'Dear customer,', 'Thank you for' and "
     "'We regret'", ["Dear customer,", "Thank you for", "We regret"]),
    ("notes.jsonl and gpt2. generate from the prompt: Write a haiku about rain",
     ["Write a haiku about rain"]),
    ("notes.jsonl gpt2, make it continue 'The sea was' plus 'At night'",
     ["The sea was", "At night"]),
    ("notes.jsonl, gpt2, generation prompts: Hello there; How are you", ["Hello there",
                                                                         "How are you"]),
    ("notes.jsonl with gpt2 and use 'My garden' and 'In spring' as test prompts",
     ["My garden", "In spring"]),
    ("notes.jsonl, gpt2; prompts to check after each epoch: 'Roses are' , 'The lawn'",
     ["Roses are", "The lawn"]),
]


@pytest.mark.parametrize(("said", "prompts"), PROMPTS, ids=[p[0][:50] for p in PROMPTS])
def test_every_prompt_of_a_turn_is_a_generation_prompt(assistant: Assistant, isolated: Path,
                                                       said: str, prompts: list[str]) -> None:
    jsonl(isolated / "notes.jsonl", [{"text": f"note {i} about the garden"} for i in range(12)])
    reply = assistant.respond(said)
    assert assistant.spec()["training"]["generation_prompts"] == prompts, reply.text


# ---------------------------------------------------------------- 3. "the steps"

STEPS = [
    (["sample instructions, at most 200 steps", "actually triple the steps"], "max_steps", 600),
    (["sample instructions, max steps 100", "double the number of steps"], "max_steps", 200),
    (["sample instructions, stop after 300 steps", "halve the steps please"], "max_steps", 150),
    (["sample instructions, warmup steps 50", "and 20 more steps"], "warmup_steps", 70),
    (["sample instructions, max steps 400, eval every 50 steps",
      "make it 3x the training steps"], "max_steps", 1200),
    (["sample instructions, max steps 400, eval every 50 steps", "double the steps"],
     "eval_steps", 100),
    (["sample instructions with gpt2, max 1000 steps", "cut the steps by half"], "max_steps", 500),
]


@pytest.mark.parametrize(("turns", "field", "value"), STEPS, ids=[" / ".join(s[0]) for s in STEPS])
def test_the_steps_are_the_steps_field_said_last(assistant: Assistant, turns: list[str],
                                                 field: str, value: int) -> None:
    for turn in turns:
        reply = assistant.respond(turn)
    assert assistant.spec()["training"][field] == value, reply.text


# ---------------------------------------------------------------- 4. tools, folders, GGUF

TOOLS = [
    "chats.jsonl with the tiny gpt2 in models/, then quantize it to a 4-bit GGUF for llama.cpp",
    "chats.jsonl, gpt2 from models, and I want to run it in ollama afterwards",
    "chats.jsonl + the tiny-gpt2 model under models/ ; export gguf q4_k_m",
    "chats.jsonl using the gpt2 inside models. llama.cpp export please",
    "chats.jsonl tiny gpt2 in models/ then convert to ggml for llama-cpp-python",
    "chats.jsonl with my local gpt2 in ./models, and afterwards a Q4_K_M gguf",
]


@pytest.mark.parametrize("said", TOOLS)
def test_tool_names_are_no_models_and_a_gguf_export_is_said_missing(
        assistant: Assistant, isolated: Path, said: str) -> None:
    jsonl(isolated / "chats.jsonl", SHAPES["sys_chats.jsonl"])
    model_folder(isolated / "models", "tiny-gpt2")
    model_folder(isolated / "models", "vit-small", "vit")
    reply = assistant.respond(said)
    assert assistant.spec()["backbone"].get("model", "").removeprefix("./") == \
        "models/tiny-gpt2", reply.text
    assert "Not taken:" in reply.text and "GGUF" in reply.text, reply.text
    assert "QLoRA" not in reply.text


def test_serving_it_with_vllm_is_said_not_taken(assistant: Assistant, isolated: Path) -> None:
    jsonl(isolated / "chats.jsonl", SHAPES["sys_chats.jsonl"])
    reply = assistant.respond("chats.jsonl with gpt2, then I will run it on vllm")
    assert assistant.spec()["backbone"].get("model") == "gpt2", reply.text
    assert "Not taken:" in reply.text and "vllm" in reply.text.lower(), reply.text


def test_two_folders_that_fit_leave_the_choice_open(assistant: Assistant,
                                                    isolated: Path) -> None:
    jsonl(isolated / "chats.jsonl", SHAPES["sys_chats.jsonl"])
    model_folder(isolated / "models", "tiny-gpt2")
    model_folder(isolated / "models", "gpt2-medium")
    assistant.respond("chats.jsonl with the gpt2 in models/")
    assert not str(assistant.spec()["backbone"].get("model", "")).startswith("models/")


# ---------------------------------------------------------------- 5. a family, no file

NO_FILE = [
    "fine-tune llama on my chats",
    "i want to finetune mistral with our support conversations",
    "Can I train qwen2 on my dialogues?",
    "tune gemma on my chat logs",
    "train a gpt2 on our customer conversations please",
    "llama on my own instructions data",
]


@pytest.mark.parametrize("said", NO_FILE)
def test_a_decoder_family_and_chats_mean_causal_lm_and_the_file_is_asked(
        assistant: Assistant, said: str) -> None:
    reply = assistant.respond(said)
    assert assistant.spec()["task"] == "causal-lm", reply.text
    assert "path" in reply.text.lower() or "file" in reply.text.lower(), reply.text


def test_a_decoder_family_asked_to_classify_stays_a_classifier(assistant: Assistant) -> None:
    reply = assistant.respond("classify my support tickets with qwen")
    assert assistant.spec()["task"] == "text-classification", reply.text


@pytest.mark.parametrize(("file", "words"), [("alpaca_style.jsonl", "'output' the response"),
                                             ("convos.jsonl", "read as messages")])
def test_the_reply_says_how_the_shape_is_read(assistant: Assistant, isolated: Path, file: str,
                                              words: str) -> None:
    jsonl(isolated / file, SHAPES[file])
    reply = assistant.respond(f"fine-tune gpt2 on {file}")
    assert words in reply.text, reply.text
