"""The assistant's words for the built-in components come from the components themselves.

A built-in strategy is read from its own ``phrases`` and its options' ``phrases`` / ``picks``
/ ``means`` (tunekit.PHRASE_WORDS): a third-party plugin that declares the same is read the
same way, and the assistant's code names no built-in component in its word lists.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import tunekit
from tunekit import load_plugins
from tunekit.plugins.strategies import freeze_bottom, head_only, lora
from tunekit.ui.assistant import Assistant

ASSISTANT = Path(tunekit.ui.assistant.__file__).resolve().parent

# The places in ui/assistant/ that may name a built-in component, and why. Word lists may not:
# a new entry here needs a reason that is not "to understand the built-in's words".
NAMED_ON_PURPOSE = {
    ("augment_words.py", "random-deletion"): "the augmentation a plain 'augment the data' adds",
    ("data_report.py", "full"): "advice: a lighter strategy when a run would not fit",
    ("data_report.py", "gradual"): "advice: a lighter strategy when a run would not fit",
    ("data_report.py", "freeze-bottom"): "advice: a lighter strategy when a run would not fit",
    ("data_report.py", "lora"): "advice: a lighter strategy when a run would not fit",
    ("data_report.py", "head-only"): "advice: a lighter strategy when a run would not fit",
    ("data_words.py", "csv"): "a file suffix (DATA_SUFFIXES), and .tsv/.txt read as CSV",
    ("data_words.py", "jsonl"): "a file suffix (DATA_SUFFIXES), and .json/.ndjson as JSON lines",
    ("data_words.py", "parquet"): "a file suffix (DATA_SUFFIXES)",
    ("data_words.py", "conll"): "a file suffix (DATA_SUFFIXES)",
    ("explain.py", "accuracy"): "reads a finished run's metric by its name",
    ("explain.py", "f1"): "reads a finished run's metric by its name",
    ("knowledge.py", "csv"): "a word of the 'what format' question, not the plugin",
    ("knowledge.py", "jsonl"): "a word of the 'what format' question, not the plugin",
    ("knowledge.py", "model-card"): "the name of an answer (what a model card is)",
    ("knowledge.py", "full"): "advice: which strategy suits how much data there is",
    ("knowledge.py", "lora"): "advice: which strategy suits how much data there is",
    ("knowledge.py", "head-only"): "advice: which strategy suits how much data there is",
    ("language.py", "adapter"): "one word form for adapters/adapter (any component's words)",
    ("language.py", "lora"): "one word form for lo-ra/lora (any component's words)",
    ("language.py", "gradual"): "one word form for slowly/gradually/progressively",
    ("scope_words.py", "lora"): "advice: adapters when a run does not fit in GPU memory",
    ("tool_words.py", "full"): "the chat's default bake-off entries",
    ("tool_words.py", "head-only"): "the chat's default bake-off entries",
    ("tool_words.py", "lora"): "the chat's default bake-off entries",
    ("tool_words.py", "gradual"): "the chat's default bake-off entries",
}


def built_in_names() -> set[str]:
    manager = load_plugins(disabled=())
    return {name for info in manager.plugins.values() if info.source == "built-in"
            for _, name in info.components}


def test_the_assistant_names_no_built_in_component_beyond_its_reasons() -> None:
    names = built_in_names()
    assert {"lora", "head-only", "freeze-bottom", "csv"} <= names  # the scan can find them
    found = set()
    for file in sorted(ASSISTANT.glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and node.value in names:
                found.add((file.name, node.value))
    unexplained = sorted(found - set(NAMED_ON_PURPOSE))
    assert not unexplained, (
        "ui/assistant names built-in components: declare their words as the component's "
        f"phrases/aliases instead, or add a reason to NAMED_ON_PURPOSE: {unexplained}")
    stale = sorted(set(NAMED_ON_PURPOSE) - found)
    assert not stale, f"NAMED_ON_PURPOSE lists names the code no longer uses: {stale}"


# ---------------------------------------------------------------- a third party, read the same


class LookAlikes:
    """A third-party plugin whose strategies declare the built-ins' phrases under other names
    (the built-ins they copy are disabled, so only the copies can be understood)."""

    @tunekit.hookimpl
    def register_strategies(self, register):
        def apply(model, options, context):  # never called: only the words are under test
            raise AssertionError("not trained in this test")

        tasks = ("text-classification",)
        register(tunekit.Strategy(
            name="probe", title="Probe", description="Train a fresh head on frozen features.",
            tasks=tasks, phrases=head_only.PHRASES, apply=apply))
        register(tunekit.Strategy(
            name="stack", title="Stack", description="Freeze the lower blocks.", tasks=tasks,
            params=(tunekit.Param(name="blocks", type=int, default=2, min=0,
                                  help="lower blocks frozen", phrases=freeze_bottom.LAYERS_PHRASES,
                                  means="frozen-bottom-layers"),),
            phrases=freeze_bottom.PHRASES, apply=apply))
        register(tunekit.Strategy(
            name="lowrank", title="Low rank", description="Small trainable matrices.",
            tasks=tasks, phrases=lora.PHRASES, apply=apply,
            params=(tunekit.Param(name="rank", type=int, default=4, min=1, help="the rank",
                                  phrases=lora.RANK_PHRASES, picks=True),)))


COPIED = ("strategies-head-only", "strategies-freeze-bottom", "strategies-lora")
SAID = [
    ("keep the pretrained encoder frozen and train only the classifier", {"name": "probe"},
     {"name": "head-only"}),
    ("freeze the first 2 layers", {"name": "stack", "blocks": 2},
     {"name": "freeze-bottom", "layers": 2}),
    ("use full fine-tuning", {"name": "full"}, {"name": "full"}),
    ("train with rank 16", {"name": "lowrank", "rank": 16}, {"name": "lora", "r": 16}),
]


@pytest.mark.parametrize(("message", "copy", "built_in"), SAID, ids=[s[0] for s in SAID])
def test_a_third_party_strategy_with_the_same_phrases_is_read_the_same(
        isolated: Path, message: str, copy: dict, built_in: dict) -> None:
    start = "use full fine-tuning" if "rank" in message else None  # rank 16 picks from full

    def strategy(manager) -> dict:
        assistant = Assistant(manager)
        if start:
            assistant.respond(start)
        assistant.respond(message)
        return {k: v for k, v in assistant.draft["strategy"].items()
                if k == "name" or k in copy or k in built_in}

    third_party = load_plugins(disabled=COPIED, extra=[("look-alikes", LookAlikes())])
    assert strategy(third_party) == copy
    assert strategy(load_plugins(disabled=())) == built_in


def test_a_phrase_that_is_not_a_pattern_is_refused_when_registered() -> None:
    with pytest.raises(tunekit.PluginError, match=r"phrase '\(unclosed' is not a regular"):
        tunekit.Strategy(name="broken", description="d", phrases=("(unclosed",),
                         apply=lambda *a: None).check()
    with pytest.raises(tunekit.PluginError, match="means 'frozen'; choose one of"):
        tunekit.Strategy(name="broken", description="d", apply=lambda *a: None, params=(
            tunekit.Param(name="n", type=int, default=1, means="frozen"),)).check()


# ---------------------------------------------------------------- a file handed over


def test_an_uploaded_file_is_read_by_the_dataset_that_reads_it(isolated: Path) -> None:
    """The studio's upload (Assistant.use_file) looks at the file, as a file named in the chat
    is: a CoNLL file is tagging data, not a CSV."""
    lines = []
    for i in range(30):
        lines += [f"Alice{i} B-PER", "visited O", f"Paris{i} B-LOC", ""]
    (isolated / "upload.txt").write_text("\n".join(lines), encoding="utf-8")
    assistant = Assistant(load_plugins(disabled=()))
    reply = assistant.use_file(isolated / "upload.txt")
    assert assistant.draft["dataset"]["name"] == "conll", reply.text
    assert assistant.draft["task"] == "token-classification"
    table = isolated / "tickets.csv"
    table.write_text("message,category\n" + "".join(f"text {i},{i % 2}\n" for i in range(40)))
    assistant.use_file(table)
    assert assistant.draft["dataset"]["name"] == "csv"


TARGETS = [
    ("predict the price, the target is a continuous value", None),
    ("lora targeting query and value", ["query", "value"]),
    ("LoRA that targets q_proj and v_proj", ["q_proj", "v_proj"]),
    ("target_modules q_proj,v_proj", ["q_proj", "v_proj"]),
    ("apply lora to query and value layers", ["query", "value"]),
]


@pytest.mark.parametrize(("message", "modules"), TARGETS, ids=[t[0] for t in TARGETS])
def test_target_modules_are_module_names_said_after_target(
        isolated: Path, message: str, modules: list[str] | None) -> None:
    """What is predicted ("the target is a value") is not LoRA's target modules."""
    assistant = Assistant(load_plugins(disabled=()))
    assistant.respond(message)
    assert assistant.spec()["strategy"].get("target_modules") == modules


# ---------------------------------------------------------------- found scoring after the merges


def test_metrics_said_in_a_turn_that_switches_the_task_are_kept(isolated: Path) -> None:
    rows = "".join(f"review number {i} was fine,{i % 40 + 1}\n" for i in range(80))
    (isolated / "ratings.csv").write_text("review,stars\n" + rows)
    assistant = Assistant(load_plugins(disabled=()))
    reply = assistant.respond("predict the stars in ratings.csv as a number and measure mae and r2")
    spec = assistant.spec()
    assert spec["task"] == "text-regression", reply.text
    assert [m["name"] for m in spec["metrics"]] == ["mae", "r2"], reply.text


@pytest.mark.parametrize("said", ["pos tagging on the sample ner data, batch size 4, use 2 gpus",
                                  "train on the sample data with 2 GPUs"])
def test_a_number_of_gpus_is_said_back_with_the_launcher(isolated: Path, said: str) -> None:
    reply = Assistant(load_plugins(disabled=())).respond(said)
    assert "--processes 2" in reply.text, reply.text


def test_a_share_held_out_of_a_folder_named_in_between(isolated: Path) -> None:
    for label in ("cat", "dog"):
        (isolated / "pets" / label).mkdir(parents=True)
    assistant = Assistant(load_plugins(disabled=()))
    reply = assistant.respond("hold out 10% of the images in pets/ for testing")
    assert assistant.draft["dataset"].get("test_split") == 0.1, reply.text


RELATIVE_LATER = [
    (["sample data for 4 epochs", "make it 2 more than that"], "epochs", 6),
    (["sample data for 6 epochs", "hmm, 2 fewer"], "epochs", 4),
    (["sample data, learning rate 3e-4", "ten times smaller please"], "learning_rate", 3e-5),
    (["sample data, learning rate 2e-5", "actually triple it"], "learning_rate", 6e-5),
    (["sample data, learning rate 1e-4, batch size 8", "halve both the batch size and the lr"],
     "batch_size", 4),
    (["sample data, learning rate 1e-4, batch size 8", "halve both the batch size and the lr"],
     "learning_rate", 5e-5),
]


@pytest.mark.parametrize(("turns", "field", "value"), RELATIVE_LATER,
                         ids=[" / ".join(t[0]) + f" ({t[1]})" for t in RELATIVE_LATER])
def test_a_relative_change_in_a_later_turn_starts_from_the_value_now(
        isolated: Path, turns: list[str], field: str, value: float) -> None:
    assistant = Assistant(load_plugins(disabled=()))
    for turn in turns:
        reply = assistant.respond(turn)
    assert assistant.spec()["training"][field] == pytest.approx(value), reply.text


@pytest.mark.parametrize(("said", "where", "value"), [
    ("sample ner data, keep 20% aside for testing", ("dataset", "test_split"), 0.2),
    ("sample ner data, put 10 percent of the sentences apart for validation",
     ("dataset", "validation_split"), 0.1),
    ("sample data, end training after 2 evals without improvement",
     ("training", "early_stopping", "patience"), 2),
])
def test_shares_set_aside_and_evals_are_not_confused(isolated: Path, said: str, where: tuple,
                                                      value: float) -> None:
    assistant = Assistant(load_plugins(disabled=()))
    reply = assistant.respond(said)
    found = assistant.spec()
    for key in where:
        found = found[key]
    assert found == value, reply.text
    assert assistant.spec()["dataset"].get("validation_split") != 0.02, reply.text


@pytest.mark.parametrize(("said", "steps", "batch"), [
    ("sample data, batches of 8 accumulated 4 times", 4, 8),
    ("sample data, accumulate the gradients 8 times, batch 4", 8, 4),
    ("sample data, 3 epochs, accumulating grads 2 steps", 2, 16),
])
def test_gradient_accumulation_said_as_accumulating(isolated: Path, said: str, steps: int,
                                                     batch: int) -> None:
    assistant = Assistant(load_plugins(disabled=()))
    reply = assistant.respond(said)
    training = assistant.spec()["training"]
    assert (training["gradient_accumulation_steps"], training["batch_size"]) == (steps, batch), \
        reply.text
