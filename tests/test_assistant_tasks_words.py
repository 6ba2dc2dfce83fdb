"""Which task a person means from their words alone, and what the reply does next: the task
described in ordinary words (no file decides it) is read, said back, and the reply asks for the
data with the formats that task reads; one note per finding; schedulers named by their words in
any order. Read through the real assistant against the installed catalog."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant

# descriptions of a job, none naming a task family by its name or a file: each must be read
# as the task meant (by a rule, or by the semantic fallback where it is sure)
DESCRIBED = {
    "text-regression": [
        "score essays 0-10",
        "estimate how long a ticket takes to resolve",
        "i want a model that guesses the price of a house from its listing description",
        "predict how many days a support ticket stays open from its text",
        "give every essay a grade between 0 and 100",
        "can it output a readability level as a continuous value for each paragraph?",
        "estimat the salary from the job posting text",
    ],
    "token-classification": [
        "pull out drug names from clinical notes",
        "highlight the company names in news",
        "find every person and place mentioned in my documents",
        "label each word in a sentence with its part of speech",
        "extract adresses and dates from contracts, word by word",
        "mark where the symptoms are mentioned in patient reports",
    ],
    "image-classification": [
        "is this photo a cat or a dog",
        "sort x-rays into normal/pneumonia",
        "spot defective parts from camera shots of the assembly line",
        "recognise which bird species is in each picture",
        "tell ripe from unripe fruit in pics",
        "classify scans of handwritten digits",
    ],
    "causal-lm": [
        "make a bot that answers like our support team",
        "teach the model to write product descriptions",
        "continue writing in the style of my novels",
        "i want an assistant that replies to customer questions the way our agents do",
        "fine tune a model so it generates sql queries from questions",
        "get it to summarise meeting notes in our house style",
    ],
    "text-classification": [
        "spam or not",
        "which department should handle this email",
        "detect whether a tweet is toxic",
        "sort support tickets into billing, tech and sales",
        "tell positive from negative reviews",
        "route incoming messages to the right team",
    ],
}
CASES = [(said, task) for task, phrases in DESCRIBED.items() for said in phrases]
# a second batch, written after the first was read: the rules were widened on them too
MORE_DESCRIBED = [
    ("predict the sentiment intensity of tweets on a 0 to 1 scale", "text-regression"),
    ("how long will this bug take to fix, from its description", "text-regression"),
    ("i need to estimate the number of upvotes a post will get", "text-regression"),
    ("give each product review a helpfulness score", "text-regression"),
    ("model that reads a wine description and outputs its price", "text-regression"),
    ("guess the age of the author from their writing", "text-regression"),
    ("assign a toxicity probability score to comments, continuous", "text-regression"),
    ("how many minutes will a call last based on the transcript", "text-regression"),
    ("find all the gene mentions in abstracts", "token-classification"),
    ("tag locations and organisations in tweets", "token-classification"),
    ("extract skills from CVs", "token-classification"),
    ("identify the product names inside customer reviews", "token-classification"),
    ("detect personal information like names and phone numbers in chat logs so we can redact it",
     "token-classification"),
    ("which words in the sentence are verbs, nouns and adjectives", "token-classification"),
    ("anonymise patient names in medical records", "token-classification"),
    ("pick out the dates and amounts in invoices", "token-classification"),
    ("tell apart healthy and diseased leaves from photos", "image-classification"),
    ("detect if a uploaded picture is nsfw", "image-classification"),
    ("categorise satellite images by land use", "image-classification"),
    ("what breed is the dog in the image", "image-classification"),
    ("sort my holiday photos into beach, mountain and city", "image-classification"),
    ("identify skin lesions as benign or malignant from dermoscopy images", "image-classification"),
    ("recognize hand gestures in webcam frames", "image-classification"),
    ("quality control: flag scratched products from pictures", "image-classification"),
    ("build a customer support chatbot from our past conversations", "causal-lm"),
    ("generate marketing emails in our brand voice", "causal-lm"),
    ("make the model answer questions about our internal docs", "causal-lm"),
    ("train a model that writes poems like emily dickinson", "causal-lm"),
    ("autocomplete code in our codebase style", "causal-lm"),
    ("fine-tune llama to reply in french", "causal-lm"),
    ("turn bullet points into full paragraphs", "causal-lm"),
    ("create an assistant that drafts replies to reviews", "causal-lm"),
    ("flag abusive comments", "text-classification"),
    ("decide if a news article is fake or real", "text-classification"),
    ("detect the language of a sentence", "text-classification"),
    ("assign each support ticket a priority: low, medium or high", "text-classification"),
    ("figure out the intent of a user's message", "text-classification"),
    ("is the review positive or negative", "text-classification"),
    ("tag each email as urgent or not urgent", "text-classification"),
    ("label customer feedback by topic", "text-classification"),
    ("forecast the number of hours a repair job needs from the technician notes",
     "text-regression"),
    ("rate how formal each sentence sounds, 1 to 7", "text-regression"),
    ("figure out which products are mentioned in tweets", "token-classification"),
    ("find the symptoms and medications in doctor notes", "token-classification"),
    ("which animal is in this picture", "image-classification"),
    ("check photos of welds for cracks", "image-classification"),
    ("i want it to write tweets like our social media team", "causal-lm"),
    ("a model that drafts answers to customer emails", "causal-lm"),
    ("classify complaints into refund, delivery or quality", "text-classification"),
    ("is this comment sarcastic", "text-classification"),
]

# a third batch, measured at first sight (22 of 25) before the rules were widened again
THIRD_DESCRIBED = [
    ("I'd like to predict what grade a teacher would give an essay", "text-regression"),
    ("estimate delivery time in days from the order notes", "text-regression"),
    ("from a product title, guess how much it sells for", "text-regression"),
    ("put a readability number on each paragraph", "text-regression"),
    ("customer reviews -> predicted star rating as a decimal", "text-regression"),
    ("highlight medication names and doses in prescriptions", "token-classification"),
    ("recognise brand names in instagram captions", "token-classification"),
    ("find job titles and company names in resumes", "token-classification"),
    ("mark the start and end of every address in the letters", "token-classification"),
    ("tag the ingredients in recipe texts", "token-classification"),
    ("is there a crack in this photo of a pipe", "image-classification"),
    ("classify microscope images of cells", "image-classification"),
    ("pics of receipts: which store is it from", "image-classification"),
    ("train something to recognise my handwriting letters from scans", "image-classification"),
    ("does this x-ray show a fracture", "image-classification"),
    ("an assistant that writes cover letters", "causal-lm"),
    ("help desk bot trained on our old tickets and answers", "causal-lm"),
    ("make it talk like shakespeare", "causal-lm"),
    ("generate product titles from a list of features", "causal-lm"),
    ("teach a small model to explain sql errors in plain english", "causal-lm"),
    ("is this email a phishing attempt", "text-classification"),
    ("group tweets by emotion: joy, anger, sadness", "text-classification"),
    ("predict which category a support ticket belongs to", "text-classification"),
    ("classify legal clauses as risky or safe", "text-classification"),
    ("what topic is each news headline about", "text-classification"),
]

# the task named outright, no data: the reply asks for the file and says what it reads
NAMED_NO_DATA = [
    ("text regression please", "text-regression"),
    ("I want to do NER", "token-classification"),
    ("lets fine-tune an image classifier", "image-classification"),
    ("instruction tuning, how do i start?", "causal-lm"),
    ("sentiment classification", "text-classification"),
    ("how do i train something that predicts a number from a piece of text?",
     "text-regression"),
]

# the words of a format each task's datasets read (any one is enough)
FORMATS = {
    "text-regression": ("csv", "jsonl", "json lines", "parquet"),
    "text-classification": ("csv", "jsonl", "json lines", "parquet"),
    "token-classification": ("conll", "jsonl", "json lines", "iob"),
    "image-classification": ("folder", "zip"),
    "causal-lm": ("jsonl", "json lines", "txt", "plain text"),
}


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


def _questions(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.?!])\s+|\n+", text)
    return [p for p in pieces if p.strip().rstrip("*_\"')]").endswith("?")]


def _asks_for_data(text: str) -> bool:
    return any(word in q.lower() for q in _questions(text)
               for word in ("file", "data", "dataset", "column"))


@pytest.mark.parametrize(("said", "task"), CASES + MORE_DESCRIBED + THIRD_DESCRIBED)
def test_a_task_described_in_ordinary_words_is_read(said: str, task: str, plugins: Any,
                                                    isolated: Path) -> None:
    assistant = Assistant(plugins)
    reply = assistant.respond(said)
    assert assistant.draft.get("task", "text-classification") == task, reply.text
    assert _asks_for_data(reply.text), reply.text


@pytest.mark.parametrize(("said", "task"), NAMED_NO_DATA)
def test_a_task_without_data_asks_for_the_file_and_its_formats(said: str, task: str,
                                                               plugins: Any,
                                                               isolated: Path) -> None:
    assistant = Assistant(plugins)
    reply = assistant.respond(said)
    assert assistant.draft.get("task", "text-classification") == task, reply.text
    assert _asks_for_data(reply.text), reply.text
    assert any(word in reply.text.lower() for word in FORMATS[task]), reply.text
    # no sample put in silently: the draft names no data until the person gives some
    assert "dataset" not in assistant.draft or "sample" in reply.text.lower(), reply.text


def test_a_read_task_is_said_back_so_it_can_be_corrected(plugins: Any, isolated: Path) -> None:
    assistant = Assistant(plugins)
    reply = assistant.respond("pull out drug names from clinical notes")
    assert "token classification" in reply.text.lower() or "token-classification" in reply.text
    reply = assistant.respond("no, I meant text classification")
    assert assistant.draft.get("task", "text-classification") == "text-classification", \
        reply.text


def _grades(folder: Path, name: str, column: str) -> None:
    rows = "".join(f'{{"text": "essay number {i} about things", "{column}": {i % 9 + 1}}}\n'
                   for i in range(30))
    (folder / name).write_text(rows, encoding="utf-8")


@pytest.mark.parametrize("said", [
    "essays.jsonl: regress the grade",
    "regress grade in essays.jsonl please",
    "predict the grade column of essays.jsonl as a number",
    "train a regression model on essays.jsonl, target grade",
    "essays.jsonl -> grade (numeric)",
    "use essays.jsonl and estimate grade",
])
def test_the_task_is_noted_once(said: str, plugins: Any, isolated: Path) -> None:
    _grades(isolated, "essays.jsonl", "grade")
    assistant = Assistant(plugins)
    reply = assistant.respond(said)
    assert reply.spec and reply.spec["task"] == "text-regression", reply.text
    assert reply.text.lower().count("task: text-regression") <= 1, reply.text


@pytest.mark.parametrize("said", [
    "cosine annealing with restarts",
    "use cosine with hard restarts as the scheduler",
    "a restarting cosine schedule please",
    "lr schedule: cosine, with warm restarts",
    "scheduler should be cosine w/ restarts",
    "cosine restarts for the learning rate",
    "set the schedule to cosine annealing with periodic restarts",
])
def test_the_longest_scheduler_meant_is_read(said: str, plugins: Any, isolated: Path) -> None:
    assistant = Assistant(plugins)
    reply = assistant.respond(said)
    assert assistant.spec()["training"]["scheduler"] == "cosine_with_restarts", reply.text


@pytest.mark.parametrize("said", [
    "cosine schedule",
    "cosine decay without restarts",
])
def test_plain_cosine_stays_cosine(said: str, plugins: Any, isolated: Path) -> None:
    assistant = Assistant(plugins)
    assistant.respond(said)
    assert assistant.spec()["training"]["scheduler"] == "cosine"


def test_a_task_the_rules_miss_is_read_by_meaning_and_said(plugins: Any, isolated: Path) -> None:
    """No rule reads "a poet machine": the semantic fallback is sure of causal-lm, sets it,
    says so, offers the runner-up a click away and asks for the data."""
    assistant = Assistant(plugins)
    reply = assistant.respond("a poet machine")
    assert assistant.draft.get("task") == "causal-lm", reply.text
    assert "I read this as **Causal language modelling**" in reply.text
    assert _asks_for_data(reply.text), reply.text
    runner_up = reply.choices[-1]
    assistant.respond(runner_up)
    assert assistant.draft.get("task") != "causal-lm"


def test_an_unsure_task_is_asked_between_the_two_closest(plugins: Any, isolated: Path) -> None:
    assistant = Assistant(plugins)
    before = assistant.spec()
    reply = assistant.respond("an ai that guesses what my customers feel")
    assert reply.text.startswith("That sounds like a task to train"), reply.text
    assert len(reply.choices) == 2 and all(c.startswith("Use ") for c in reply.choices)
    assert assistant.spec() == before  # asked, nothing set
    assistant.respond(reply.choices[0])
    assert assistant.spec()["task"] != before["task"]


def test_a_question_about_a_task_is_answered_not_read(plugins: Any, isolated: Path) -> None:
    assistant = Assistant(plugins)
    reply = assistant.respond("what is named entity recognition?")
    assert assistant.draft.get("task", "text-classification") == "text-classification", \
        reply.text
    reply = assistant.respond("is it better to use lora or full fine-tuning for 500 examples?")
    assert "Which file" not in reply.text


@pytest.mark.parametrize("said", [
    "can you answer my questions about lora?", "write the results to mlflow",
    "continue training for 2 more epochs", "is it better to freeze?", "summarise the settings",
    "write the model card too", "how long will training take?", "mask 15% of the tokens",
    "generate a report of the metrics", "translate the settings into yaml",
    "check the data for duplicates", "find a good learning rate",
])
def test_words_about_the_run_are_no_task(said: str, plugins: Any, isolated: Path) -> None:
    """Said to the assistant about the run, not the job: a chosen task stays, and no file is
    asked for."""
    assistant = Assistant(plugins)
    assistant.respond("instruction tuning")
    reply = assistant.respond(said)
    assert assistant.draft.get("task") == "causal-lm", reply.text
    assert "Which file or folder holds your data" not in reply.text
