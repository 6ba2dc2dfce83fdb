"""Two things the chat must weigh beyond the words of a setting.

Regression: a number to predict, said in words ("forecast how much...", "price estimation",
"grade essay difficulty") or shown by the data (a label column of many distinct numbers, or a
few whole numbers with a range said), with the reason in the reply; a column of words is never
a number to predict, and a task said by name stands.

What tunekit cannot do (DeepSpeed, a TPU, deploying, object detection, a closed API model,
preference tuning, a spaCy pipeline, which device): said by name with what to do instead,
while the rest of the turn is taken.

The phrasings here are new ones, not the benchmark's; the files are written by each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant
from tunekit.ui.assistant.scope_words import device_here


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(disabled=())


def write_files(folder: Path) -> None:
    """Tables whose label columns hold many numbers, a few whole numbers, or words."""
    rows = [f"essay {i} on topic {i % 7}," + str(round(1 + (i % 23) * 0.17, 2)) for i in range(60)]
    (folder / "essays.csv").write_text("essay,overall\n" + "\n".join(rows) + "\n")
    (folder / "feedback.csv").write_text("comment,satisfaction\n" + "".join(
        f"visit {i} was {'fine' if i % 2 else 'slow'},{1 + i % 5}\n" for i in range(50)))
    (folder / "bands.csv").write_text("listing,price_band\n" + "".join(
        f"flat {i} near {'park' if i % 2 else 'road'},{('cheap', 'mid', 'dear')[i % 3]}\n"
        for i in range(45)))
    (folder / "marks.jsonl").write_text("".join(json.dumps(
        {"answer": f"answer number {i} says {'yes' if i % 2 else 'no'}", "mark": 40 + i % 31})
        + "\n" for i in range(62)))
    (folder / "calls.csv").write_text("row_id,said,nps\n" + "".join(
        f"{i},caller {i} was {'glad' if i % 2 else 'cross'},{i % 11}\n" for i in range(40)))


def talk(plugins, folder: Path, *turns: str):
    write_files(folder)
    assistant = Assistant(plugins, base_dir=folder)
    replies = [assistant.respond(turn) for turn in turns]
    return assistant.spec(), " ".join(r.text for r in replies)


REGRESSION = [
    # the data says it: many distinct numbers (fractions here), the reason said
    (["train on essays.csv"], "overall holds"),
    (["use marks.jsonl, the answers are scored in mark"], "mark holds 31 distinct"),
    # a few whole numbers, and a range said of them
    (["fine-tune on feedback.csv; satisfaction runs from 1 to 5"], "satisfaction"),
    # the words say a number
    (["forecast how much a flat goes for, data in feedback.csv, 3 epochs"], None),
    (["price estimation with feedback.csv please"], None),
    (["grade essay difficulty using essays.csv"], None),
    (["feedback.csv: estimate the satisfaction for each comment"], None),
    (["use feedback.csv", "actually, treat satisfaction as a real number, not a class"], None),
]

# no file to look at: the words alone
WORDS_ONLY = [
    "predict the customer's rating (1-5) from each comment",
    "I need to predict how many upvotes a post gets",
    "sale price estimation from the listing text",
    "score each passage's readability",
    "it is a regression problem, not a classification",
    "predict the mood (1-5) of each message",
    "rate every answer on a scale of 0 to 10",
]


@pytest.mark.parametrize("message", WORDS_ONLY)
def test_words_of_a_number_are_a_regression(plugins, isolated: Path, message) -> None:
    spec, text = talk(plugins, isolated, message)
    assert spec["task"] == "text-regression", text


@pytest.mark.parametrize(("turns", "said"), REGRESSION, ids=[" / ".join(t) for t, _ in REGRESSION])
def test_a_number_to_predict_is_a_regression(plugins, isolated: Path, turns, said) -> None:
    spec, text = talk(plugins, isolated, *turns)
    assert spec["task"] == "text-regression", text
    assert spec["dataset"]["label_column"] in ("overall", "mark", "satisfaction"), text
    if said:
        assert said in text and "text-regression" in text, text


CLASSIFICATION = [
    ["train on feedback.csv"],  # five whole numbers, nothing said of a number: classes
    ["predict the price_band of each listing in bands.csv"],  # a "price" of words
    ["text classification on essays.csv"],  # the task said by name stands
    ["classify the comments in feedback.csv by satisfaction"],
]


@pytest.mark.parametrize("turns", CLASSIFICATION, ids=[" / ".join(t) for t in CLASSIFICATION])
def test_classes_stay_a_classification(plugins, isolated: Path, turns) -> None:
    spec, text = talk(plugins, isolated, *turns)
    assert spec["task"] == "text-classification", text


def test_a_price_of_words_is_said_to_be_no_number(plugins, isolated: Path) -> None:
    spec, text = talk(plugins, isolated, "predict the price_band of each listing in bands.csv")
    assert "price_band holds 3 distinct values" in text, text


SCOPE = [
    ("train on feedback.csv with deepspeed stage 2, 2 epochs", "DeepSpeed", ("--processes",
                                                                              "fsdp")),
    ("train on feedback.csv on a tpu v4 for 2 epochs", "TPU", ("CPU", "GPU")),
    ("use feedback.csv for 2 epochs, then host it on azure behind a rest endpoint", "azure",
     ("tunekit push", "export")),
    ("use feedback.csv for 2 epochs and find the bounding boxes with yolo", "object detection",
     ("image-classification",)),
    ("fine-tune claude-3-haiku on feedback.csv for 2 epochs", "claude-3-haiku",
     ("open-weights",)),
    ("RLHF with a reward model on feedback.csv for 2 epochs", "RLHF", ("supervised",)),
    ("swap in a spacy pipeline, feedback.csv, 2 epochs", "spacy", ("transformers",)),
    ("put it on cuda please, feedback.csv, 2 epochs", "device", ("CPU",)),
]


@pytest.mark.parametrize(("message", "named", "instead"), SCOPE, ids=[s[0] for s in SCOPE])
def test_what_tunekit_cannot_do_is_said_and_the_rest_is_taken(plugins, isolated: Path, message,
                                                              named, instead) -> None:
    spec, text = talk(plugins, isolated, message)
    assert "Not taken:" in text and named.lower() in text.lower(), text
    assert any(word.lower() in text.lower() for word in instead), text
    assert spec["dataset"]["path"] == "feedback.csv" and spec["training"]["epochs"] == 2, text


QUESTIONS = [
    ("can tunekit do object detection?", "not a task here"),
    ("is DPO supported?", "supervised fine-tuning only"),
    ("could I fine-tune gpt-4o-mini with this?", "closed model"),
    ("does it run on TPUs?", "not supported"),
]


@pytest.mark.parametrize(("question", "answer"), QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_a_question_about_what_tunekit_cannot_do_is_answered(plugins, isolated: Path, question,
                                                             answer) -> None:
    assistant = Assistant(plugins, base_dir=isolated)
    reply = assistant.respond(question)
    assert answer in reply.text, reply.text


def test_the_device_said_is_this_machines(plugins, isolated: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """CPU unless the driver lists an NVIDIA GPU and torch is a CUDA build; hidden GPUs are
    said to be hidden."""
    said = device_here()
    gpus = Path("/proc/driver/nvidia/gpus")
    if not gpus.is_dir():
        assert said == "this machine has no NVIDIA GPU, so the run trains on the CPU"
    else:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
        assert device_here().endswith("so the run trains on the CPU")


def test_gpt2_is_an_open_model_and_not_refused(plugins, isolated: Path) -> None:
    spec, text = talk(plugins, isolated, "fine-tune gpt2 on feedback.csv")
    assert "closed model" not in text, text


def test_the_only_column_of_words_is_the_text(plugins, isolated: Path) -> None:
    """An id column is no text: with the label named, the one column of words is taken and
    said, not asked about."""
    spec, text = talk(plugins, isolated, "estimate nps (0 to 10, a number) from calls.csv")
    assert spec["task"] == "text-regression", text
    assert spec["dataset"]["text_column"] == "said" and spec["dataset"]["label_column"] == "nps"
    assert "text column: said (the only column of text)" in text, text
