"""Turns that open with a question, that have no file yet, that ask for what tunekit cannot do,
or that follow up an answered question.

- "how should I give you the images?", "what format do my emails need?": answered from what
  the task's datasets declare (their descriptions), then the file is asked for; a word for the
  data in general ("photos of defective parts") is never taken for a folder of that name.
- a kind of request tunekit has no part for (prediction intervals, calibration, explanations
  of predictions, active learning, continual learning, scheduled retraining, serving):
  "Not available" with what to do instead, keyed on the idea, whatever the words; the rest of
  the turn is still taken.
- a bare dataset id after a question about the Hub (or said with the Hub's words) is a Hub
  dataset; the task the question named comes with it.

The phrasings are new ones, not the request sets'; the files are written by each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(disabled=())


def write_files(folder: Path) -> None:
    """Tickets, graded essays, tagged sentences, chats, and a ``photos`` folder of classes
    (there, so that a word for photos in general could be mistaken for it)."""
    teams = ("billing", "it", "hr")
    (folder / "tickets.csv").write_text("message,category\n" + "".join(
        f"ticket {i} about {teams[i % 3]} things,{teams[i % 3]}\n" for i in range(30)))
    (folder / "essays.jsonl").write_text("".join(json.dumps(
        {"essay": f"essay {i} argues about topic {i % 7}", "grade": 3 + (i % 9) * 0.5})
        + "\n" for i in range(40)))
    (folder / "tags.jsonl").write_text("".join(json.dumps(
        {"tokens": ["Ann", "lives", "in", f"Town{i}"], "tags": ["B-PER", "O", "O", "B-LOC"]})
        + "\n" for i in range(30)))
    (folder / "chats.jsonl").write_text("".join(json.dumps(
        {"messages": [{"role": "user", "content": f"where is order {i}?"},
                      {"role": "assistant", "content": f"order {i} ships today"}]})
        + "\n" for i in range(30)))
    for label, colour in (("ok", (20, 160, 20)), ("bad", (160, 20, 20))):
        (folder / "photos" / label).mkdir(parents=True, exist_ok=True)
        for i in range(4):
            Image.new("RGB", (8, 8), colour).save(folder / "photos" / label / f"{i}.png")


def talk(plugins, folder: Path, *turns: str):
    write_files(folder)
    assistant = Assistant(plugins, base_dir=folder)
    replies = [assistant.respond(turn) for turn in turns]
    assert all(r.action is None for r in replies), "nothing launches without a yes"
    return assistant.spec(), [r.text for r in replies]


def asks(reply: str) -> list[str]:
    """The sentences of a reply that ask something, lower-cased."""
    return [s.lower() for s in reply.replace("\n", " ").split(". ") if "?" in s]


# ---------------------------------------------------------------- how to give the data

# (turns, the task, words the answer takes from the task's datasets' descriptions)
HOW_TO_GIVE = [
    (["What format do my customer emails need to be in for a classifier?"],
     "text-classification", ["csv", "json"]),
    (["i want to find drug names in clinical notes. in what form should the annotated "
      "data be?"], "token-classification", ["conll", "tokens"]),
    (["Hi! We'd like a chatbot that answers like our support agents. How do we prepare the "
      "conversations for you?"], "causal-lm", ["messages", "json"]),
    (["hello, how i can give you the pictures of my plants, sick and healthy?"],
     "image-classification", ["one folder per class", ".zip"]),
    (["what should the file look like if I want to predict house prices from listing "
      "descriptions?"], "text-regression", ["csv", "column"]),
    (["We have photos of scratched and clean tiles. Where do I put them so you can train?"],
     "image-classification", ["one folder per class"]),
    (["can I upload a zip of images?"], "image-classification", [".zip"]),
    (["I need to classify reviews into topics", "how do I give you the reviews?"],
     "text-classification", ["csv"]),
    (["sort pictures of cracked bottles from good ones, how should i send them"],
     "image-classification", ["one folder per class"]),
    (["which file formats can you read for tagging people and places in sentences?"],
     "token-classification", ["conll"]),
    (["what do you need from me to train a sentiment model?"], "text-classification",
     ["csv"]),
    (["I have about 2000 labelled tweets, what's the best way to get them to you?"],
     "text-classification", ["csv", "json"]),
]


def test_a_how_question_about_something_else_is_no_data_question(plugins, tmp_path):
    """"how do I get it to train faster?" is about speed, "how do I load a model from a
    folder?" about the model: no data answer."""
    for said in ("how do i get it to train faster?", "how do I load a model from a local folder?"):
        spec, replies = talk(plugins, tmp_path, said)
        assert "I read your" not in replies[-1], replies[-1]


@pytest.mark.parametrize(("turns", "task", "answered"), HOW_TO_GIVE)
def test_a_question_on_giving_the_data_is_answered_and_the_file_asked_for(
        plugins, tmp_path, turns, task, answered):
    spec, replies = talk(plugins, tmp_path, *turns)
    last = replies[-1]
    assert spec["task"] == task, last
    assert not (spec.get("dataset") or {}).get("path"), last  # no path invented from a word
    lowered = last.lower()
    assert all(word in lowered for word in answered), last
    assert any("path" in q or "file" in q or "folder" in q for q in asks(last)), last


def test_a_folder_said_as_one_is_still_taken(plugins, tmp_path):
    """"the photos folder", "train on photos": the word names the folder there."""
    for said in ("classify the images in the photos folder", "train an image model on photos"):
        spec, replies = talk(plugins, tmp_path, said)
        assert spec["dataset"].get("path") == "photos", replies[-1]


# ---------------------------------------------------------------- what tunekit cannot do

# (turns, words the "Not available" saying must hold, the file the rest of the turn names)
UNSUPPORTED = [
    (["predict the grade from essays.jsonl and tell me how uncertain each prediction is"],
     ["uncertain", "one number"], "essays.jsonl"),
    (["essays.jsonl regression pls, with error bars on every predicted grade"],
     ["interval", "one number"], "essays.jsonl"),
    (["train on tickets.csv and calibrate the probabilities so they mean something"],
     ["calibrat", "softmax"], "tickets.csv"),
    (["fine tune on tickets.csv and show me which words made it decide, like a saliency map"],
     ["explanation", "captum"], "tickets.csv"),
    (["ner on tags.jsonl, and explain every prediction with LIME"],
     ["explanation"], "tags.jsonl"),
    (["classify tickets.csv; we want active learning to choose which tickets to label next"],
     ["active learning"], "tickets.csv"),
    (["fine-tune gpt2 on chats.jsonl and keep it learning from the new chats as they come in"],
     ["continual", "new run"], "chats.jsonl"),
    (["train on tickets.csv and retrain it automatically every monday"],
     ["schedul", "cron"], "tickets.csv"),
    (["train on photos/ and then expose it as a REST API for our app"],
     ["deploy"], "photos"),
    (["use tickets.csv, and pseudo-label our 5000 unlabelled tickets to get more data"],
     ["unlabelled", "tunekit predict"], "tickets.csv"),
]


@pytest.mark.parametrize(("turns", "said", "data"), UNSUPPORTED)
def test_what_tunekit_cannot_do_is_said_with_what_to_do_instead(plugins, tmp_path, turns, said,
                                                                data):
    spec, replies = talk(plugins, tmp_path, *turns)
    last = replies[-1]
    assert "Not taken:" in last and "not available" in last.lower(), last
    assert all(word in last.lower() for word in said), last
    assert "nothing in tunekit does that here" not in last, last  # said once, with advice
    assert spec["dataset"].get("path") == data, last  # the rest of the turn is taken


# asked as a question: the answer is the same saying
UNSUPPORTED_QUESTIONS = [
    ("does tunekit support prediction intervals for regression?", "interval"),
    ("Can tunekit do online learning, updating the model with each new example?", "continual"),
    ("is there a way to see why the model predicted a class? shap or something", "explanation"),
    ("could u schedule the training to run nightly", "schedul"),
    ("my annotations are in excel, is that ok?", "save the sheet as csv"),
]


@pytest.mark.parametrize(("question", "said"), UNSUPPORTED_QUESTIONS)
def test_a_question_about_what_tunekit_cannot_do_gets_the_saying(plugins, tmp_path, question,
                                                                 said):
    spec, replies = talk(plugins, tmp_path, question)
    assert "not available" in replies[-1].lower() and said in replies[-1].lower(), replies[-1]


def test_why_the_trained_model_answered_so_gets_the_saying_after_a_run_is_set(plugins,
                                                                              tmp_path):
    spec, replies = talk(plugins, tmp_path, "train on tickets.csv",
                         "why did the model classify ticket 5 as billing?")
    assert "not available" in replies[-1] and "captum" in replies[-1], replies[-1]
    assert spec["dataset"]["path"] == "tickets.csv"


# the same words where they ask for what tunekit does: no saying ("saved from Excel" is a CSV)
SUPPORTED = [
    ("train on tickets.csv with a cosine schedule", "training.scheduler"),
    ("essays.jsonl, predict the grade, lr 3e-5", "training.learning_rate"),
    ("classify tickets.csv, it was exported from an old Excel", "dataset.path"),
    ("train on tickets.csv and keep training even when the loss plateaus", "dataset.path"),
]


@pytest.mark.parametrize(("said", "field"), SUPPORTED)
def test_words_near_a_limit_that_ask_for_a_setting_are_not_refused(plugins, tmp_path, said,
                                                                   field):
    spec, replies = talk(plugins, tmp_path, said)
    assert "not available" not in replies[-1].lower(), replies[-1]


# ---------------------------------------------------------------- after a question about the Hub

HUB_FOLLOW_UPS = [
    (["do you support hub datasets?", "ok use imdb, 3 epochs"], "imdb", "text-classification"),
    (["is it possible to load data from huggingface?", "cool, stanfordnlp/sst2 please"],
     "stanfordnlp/sst2", "text-classification"),
    (["is the hub supported for NER data?", "good, wnut_17 please"], "wnut_17",
     "token-classification"),
    (["can i fine-tune a chat model on a hugging face dataset?",
      "nice. then tatsu-lab/alpaca with gpt2"], "tatsu-lab/alpaca", "causal-lm"),
    (["can I use a dataset from the hub for images?", "then beans, 2 epochs"], "beans",
     "image-classification"),
]


@pytest.mark.parametrize(("turns", "dataset_id", "task"), HUB_FOLLOW_UPS)
def test_a_bare_id_after_a_hub_question_is_a_hub_dataset_of_the_task_asked(
        plugins, tmp_path, turns, dataset_id, task):
    spec, replies = talk(plugins, tmp_path, *turns)
    assert spec["dataset"]["name"] == "hf-dataset", replies[-1]
    assert spec["dataset"]["path"] == dataset_id, replies[-1]
    assert spec["task"] == task, replies[-1]
