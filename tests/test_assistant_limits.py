"""Known limits of tunekit, said at once with what to do instead, while the rest is taken.

Each limit was checked against core/ and plugins/: one label per text or image (no
multi-label), one target column per run (no multi-output), one split per run (no k-fold
cross-validation), one BIO tag per word (no nested or overlapping entities, no relations
between them), and no encoder-decoder models, audio, text+image inputs, tabular features,
distillation, pruning of weights, quantizing or embedding models. Things tunekit does do
(several classes, tags per sentence, a held-out test split, merging LoRA into the base, a
sweep's pruned trials, DistilBERT) are not refused.

The phrasings are new ones (terse, chatty, questions, typos, non-native English), not the
request sets'; the files are written by each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(disabled=())


def write_files(folder: Path) -> None:
    """A table of texts and labels, one of texts and scores, a tagged JSONL file."""
    (folder / "posts.csv").write_text("post,topic\n" + "".join(
        f"post {i} about {'rain' if i % 2 else 'sun'},{('weather', 'sport')[i % 2]}\n"
        for i in range(40)))
    (folder / "grades.csv").write_text("essay,grade\n" + "".join(
        f"essay {i} on {'cats' if i % 2 else 'dogs'},{round(1 + (i % 17) * 0.3, 1)}\n"
        for i in range(40)))
    (folder / "notes.jsonl").write_text("".join(json.dumps(
        {"tokens": ["Ann", "took", "aspirin", str(i)], "tags": ["B-PER", "O", "B-DRUG", "O"]})
        + "\n" for i in range(30)))


def talk(plugins, folder: Path, *turns: str) -> tuple[dict, str]:
    write_files(folder)
    assistant = Assistant(plugins, base_dir=folder)
    replies = [assistant.respond(turn) for turn in turns]
    return assistant.spec(), " ".join(r.text for r in replies)


# (message, the file it names, a word of the limit said, a word of what to do instead)
LIMITS = [
    # several labels for one text
    ("multi label classification on posts.csv please", "posts.csv", "multi-label",
     "one label"),
    ("posts.csv: every post can have several topics at once", "posts.csv", "multi-label",
     "yes/no"),
    ("train on posts.csv, more than one tag per post is possible", "posts.csv", "multi-label",
     "one label"),
    ("each text may belong to many categories, data is posts.csv", "posts.csv", "multi-label",
     "one label"),
    ("i need a multilabel model for posts.csv (sigmoid per class)", "posts.csv", "multi-label",
     "one label"),
    ("classify posts.csv where a post can get multiple labels", "posts.csv", "multi-label",
     "one label"),
    # several targets at once
    ("predict grade and a second score together from grades.csv, one model two outputs",
     "grades.csv", "one label column", "two runs"),
    ("multi-output regression on grades.csv", "grades.csv", "one label column", "two runs"),
    ("grades.csv has 2 target columns, regress both at the same time", "grades.csv",
     "one label column", "two runs"),
    ("from grades.csv estimate grade and length simultaneously", "grades.csv",
     "one label column", "two runs"),
    ("train a multi target model on grades.csv", "grades.csv", "one label column", "two runs"),
    # k-fold cross-validation
    ("regress grade in grades.csv with 10 fold cross validation", "grades.csv",
     "cross-validation", "training.seed"),
    ("use k-fold on grades.csv", "grades.csv", "cross-validation", "test_split"),
    ("grades.csv, crossvalidate it 5 times", "grades.csv", "cross-validation", "sweep"),
    ("train on posts.csv and evaluate with cross-val", "posts.csv", "cross-validation",
     "validation_split"),
    ("posts.csv, split in 5 folds and average the scores", "posts.csv", "cross-validation",
     "training.seed"),
    ("leave-one-out evaluation on posts.csv", "posts.csv", "cross-validation", "sweep"),
    # relations between entities
    ("relation extraction on notes.jsonl", "notes.jsonl", "relation", "BIO"),
    ("from notes.jsonl, extract relationships between the entities", "notes.jsonl",
     "relation", "BIO"),
    ("notes.jsonl: find which drug belongs to which patient (relation between entities)",
     "notes.jsonl", "relation", "BIO"),
    ("tag notes.jsonl and also classify the relation types", "notes.jsonl", "relation", "BIO"),
    ("train on notes.jsonl and link the entities to each other", "notes.jsonl", "relation",
     "BIO"),
    # nested or overlapping entities
    ("nested ner on notes.jsonl", "notes.jsonl", "nested", "one BIO tag"),
    ("notes.jsonl has overlapping spans, train on it", "notes.jsonl", "nested", "one BIO tag"),
    ("in notes.jsonl entities overlap sometimes (a drug inside a dose). tag them",
     "notes.jsonl", "nested", "one BIO tag"),
    ("train on notes.jsonl; some words have two tags at the same time", "notes.jsonl",
     "nested", "one BIO tag"),
    ("entities inside other entities in notes.jsonl, please handle that", "notes.jsonl",
     "nested", "one BIO tag"),
    # other things tunekit does not do
    ("summarise posts.csv with an encoder-decoder", "posts.csv", "encoder-decoder",
     "causal-lm"),
    ("a seq2seq model on posts.csv", "posts.csv", "encoder-decoder", "causal-lm"),
    ("posts.csv, sequence to sequence please", "posts.csv", "encoder-decoder", "causal-lm"),
    ("train on posts.csv and also on the audio recordings", "posts.csv", "audio", "text"),
    ("posts.csv with the photos and the text together, multimodal", "posts.csv",
     "text and images together", "one or the other"),
    ("predict grade from grades.csv plus numeric features like age", "grades.csv",
     "table columns", "text"),
    ("posts.csv, but use xgboost", "posts.csv", "table columns", "scikit-learn"),
    ("distill the trained model on posts.csv into a smaller one", "posts.csv", "distil",
     "smaller backbone"),
    ("posts.csv, then prune the model weights by 50%", "posts.csv", "pruning",
     "smaller backbone"),
    ("posts.csv and quantize it to int8 afterwards", "posts.csv", "quantiz", "export"),
    ("train a sentence embedding model on posts.csv for semantic search", "posts.csv",
     "embedding", "text-classification"),
    ("extractive question answering on posts.csv like squad", "posts.csv",
     "question answering", "causal-lm"),
]


@pytest.mark.parametrize(("message", "file", "limit", "instead"), LIMITS,
                         ids=[m for m, *_ in LIMITS])
def test_a_known_limit_is_said_with_what_to_do_instead(plugins, isolated: Path, message, file,
                                                       limit, instead) -> None:
    spec, text = talk(plugins, isolated, message)
    assert "Not taken:" in text, text
    assert limit.lower() in text.lower() and instead.lower() in text.lower(), text
    assert spec["dataset"]["path"] == file, text  # the rest of the turn is still read


QUESTIONS = [
    ("can tunekit do multi-label classification?", "multi-label"),
    ("is k-fold cross validation supported?", "cross-validation"),
    ("does it support nested entities?", "nested"),
    ("can I predict two numbers per text with one model?", "one label column"),
    ("can it extract relations between entities?", "relation"),
]


@pytest.mark.parametrize(("question", "answer"), QUESTIONS, ids=[q for q, _ in QUESTIONS])
def test_a_question_about_a_limit_is_answered(plugins, isolated: Path, question,
                                              answer) -> None:
    reply = Assistant(plugins, base_dir=isolated).respond(question)
    assert answer in reply.text and "not" in reply.text, reply.text


DOES = [
    "classify posts.csv into several categories",  # many classes, one each: multi-class
    "tag notes.jsonl, there are several tags per sentence",
    "hate speech detection on posts.csv",
    "part-of-speech tagging on notes.jsonl",
    "fine-tune distilbert-base-uncased on posts.csv",
    "posts.csv, hold out 10% as a test set",
    "train on posts.csv and merge the lora adapter into the base model",
    "posts.csv, 5 epochs, the trained model goes on a translation team's dashboard",
]


@pytest.mark.parametrize("message", DOES)
def test_what_tunekit_does_is_not_refused(plugins, isolated: Path, message) -> None:
    spec, text = talk(plugins, isolated, message)
    assert "is not available" not in text and "not a task here" not in text, text
