"""A label column of numbers: classes or a number to predict?

What the person says about the label outweighs how the column looks: "5 classes", "these are
categories, not a score", "classify them" make it a classification even when the column's name
says a number; "how many likes will a post get", "it's a score, not categories", mae or r2
asked for make it a regression even when the column holds a few whole numbers. The look
decides only when the words say nothing, and then the reply says which task it took and why,
so the person can correct it; a correction in a later turn switches the task and its metrics.

The phrasings are new ones, not the request sets'; every file is written by the test (CSV, TSV,
JSONL and parquet, each with a numeric label column).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from assistant_talk import talk
from tunekit import load_plugins

CLASSES, NUMBER = "text-classification", "text-regression"


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins(disabled=())


def write_files(folder: Path) -> None:
    """Each file's label holds numbers: a few whole ones, or many fractions (mood.csv)."""
    (folder / "reviews.csv").write_text("text,stars\n" + "".join(
        f"review {i} was {'good' if i % 2 else 'bad'},{1 + i % 5}\n" for i in range(50)))
    (folder / "tickets.tsv").write_text("body\tprio\n" + "".join(
        f"ticket {i} says the site is {'down' if i % 3 == 0 else 'slow'}\t{i % 3}\n"
        for i in range(45)))
    (folder / "questions.jsonl").write_text("".join(json.dumps(
        {"question": f"question {i} about {'cats' if i % 2 else 'dogs'}", "answers": i % 6})
        + "\n" for i in range(48)))
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"desc": [f"house {i} with a {'big' if i % 2 else 'small'} garden"
                                      for i in range(40)],
                             "grade": [i % 4 for i in range(40)]}), folder / "houses.parquet")
    (folder / "feedback.csv").write_text("comment,satisfaction\n" + "".join(
        f"visit {i} was {'fine' if i % 2 else 'slow'},{1 + i % 5}\n" for i in range(50)))
    (folder / "app.csv").write_text("feedback,rating_class\n" + "".join(
        f"the app is {('awful', 'okay', 'great')[i % 3]} today {i},{i % 3}\n" for i in range(45)))
    (folder / "mood.csv").write_text("sentence,valence\n" + "".join(
        f"sentence {i} is {'bright' if i % 2 else 'dim'},{round(-1 + (i % 40) * 0.05, 3)}\n"
        for i in range(80)))


def said(plugins: Any, folder: Path, *turns: str) -> tuple[dict[str, Any], str]:
    write_files(folder)
    return talk(plugins, folder, *turns)


def metric_names(spec: dict[str, Any]) -> set[str]:
    return {m["name"] if isinstance(m, dict) else m for m in spec["metrics"]}


# the words say classes; the column holds numbers (and "stars" is named for a number)
SAID_CLASSES = [
    (["reviews.csv - the stars column are 5 classes, not a score"], "reviews.csv"),
    (["tickets.tsv: label prio, it's 0/1/2 meaning low/mid/high. categories please, don't "
      "regress it"], "tickets.tsv"),
    (["pls treat grade in houses.parquet as categorys, not as number"], "houses.parquet"),
    (["Can you classify questions.jsonl by answers? the values are discrete classes"],
     "questions.jsonl"),
    (["train on reviews.csv, label=stars. Stars is category for me, not number"], "reviews.csv"),
    (["reviews.csv with stars as the label (it has 5 clases)"], "reviews.csv"),
    (["houses.parquet, the grade column contains 4 categories"], "houses.parquet"),
    (["reviews.csv, predict stars. each star value is its own class"], "reviews.csv"),
    (["train on reviews.csv", "no, these are classes"], "reviews.csv"),
    (["reviews.csv, label stars", "hmm the stars are categories really, not numbers"],
     "reviews.csv"),
    (["predict stars in reviews.csv", "make them categories"], "reviews.csv"),
]


@pytest.mark.parametrize(("turns", "path"), SAID_CLASSES,
                         ids=[" / ".join(t) for t, _ in SAID_CLASSES])
def test_classes_said_make_a_classification(plugins: Any, isolated: Path, turns: list[str],
                                            path: str) -> None:
    spec, text = said(plugins, isolated, *turns)
    assert spec["task"] == CLASSES, text
    assert spec["dataset"]["path"] == path, text
    assert metric_names(spec) <= {"accuracy", "f1", "confusion-matrix", "precision", "recall",
                                  "mcc"}, text


# the words say a number; the column holds a few whole numbers (none named for a number)
SAID_NUMBER = [
    (["questions.jsonl: how many answers will a question get?"], "questions.jsonl"),
    (["tickets.tsv - prio is a score, not categories, predict it"], "tickets.tsv"),
    (["feedback.csv: the satisfaction is a number to predict"], "feedback.csv"),
    (["train on houses.parquet with label grade and show me r2 and mae"], "houses.parquet"),
    (["I want the satisfaction from feedback.csv as a real number, not clases"],
     "feedback.csv"),
    (["how much answers would each question receive? data is questions.jsonl"],
     "questions.jsonl"),
    (["classify feedback.csv by satisfaction", "actually it's a score, not categories"],
     "feedback.csv"),
    (["train on tickets.tsv", "prio should be a number, dont treat it as classes"],
     "tickets.tsv"),
    (["train on tickets.tsv", "i don't want classes, i want a number"], "tickets.tsv"),
    (["houses.parquet, label grade; treat it as continuous"], "houses.parquet"),
    (["predict stars from reviews.csv, and give a range for each, not just one number"],
     "reviews.csv"),
]


@pytest.mark.parametrize(("turns", "path"), SAID_NUMBER,
                         ids=[" / ".join(t) for t, _ in SAID_NUMBER])
def test_a_number_said_makes_a_regression(plugins: Any, isolated: Path, turns: list[str],
                                          path: str) -> None:
    spec, text = said(plugins, isolated, *turns)
    assert spec["task"] == NUMBER, text
    assert spec["dataset"]["path"] == path, text
    assert metric_names(spec) <= {"mse", "mae", "r2"} and metric_names(spec), text


def test_a_correction_switches_the_metrics_with_the_task(plugins: Any, isolated: Path) -> None:
    spec, text = said(plugins, isolated, "train on reviews.csv, label stars, report mae",
                      "no wait, the stars are classes")
    assert spec["task"] == CLASSES and "accuracy" in metric_names(spec), text
    assert "mae" not in metric_names(spec), text


@pytest.mark.parametrize("turn", ["train on feedback.csv", "use tickets.tsv, label prio"])
def test_a_few_whole_numbers_unsaid_keep_the_task_and_say_why(plugins: Any, isolated: Path,
                                                              turn: str) -> None:
    """No word of the label's kind: the task stays as it was, and the reply says which and why,
    and how to have the other."""
    spec, text = said(plugins, isolated, turn)
    assert spec["task"] == CLASSES, text
    assert "text-classification" in text and "distinct whole numbers" in text, text
    assert "number" in text.split("distinct whole numbers", 1)[1], text  # how to switch


def test_a_column_named_for_classes_unsaid_stays_classes(plugins: Any, isolated: Path) -> None:
    """"rating_class" of 0/1/2: a number in its name, but its name says classes."""
    for turn in ("app.csv, label column rating_class", "rating_class of app.csv is the label"):
        spec, text = said(plugins, isolated, turn)
        assert spec["task"] == CLASSES and "rating_class holds 3 distinct" in text, text


def test_a_number_named_column_unsaid_says_why_it_is_a_regression(plugins: Any,
                                                                  isolated: Path) -> None:
    spec, text = said(plugins, isolated, "reviews.csv, label column stars")
    assert spec["task"] == NUMBER, text
    assert "stars holds 5 distinct whole numbers" in text and "classes" in text, text


def test_classify_said_of_many_fractions_is_taken_and_the_clash_said(plugins: Any,
                                                                     isolated: Path) -> None:
    """The words win, but a column of 80 fractions as classes is said, with the way back."""
    for turn in ("classify mood.csv by valence", "mood.csv, label valence: these are classes"):
        spec, text = said(plugins, isolated, turn)
        assert spec["task"] == CLASSES, text
        assert "valence holds" in text and "distinct numbers" in text, text
        assert "regression" in text.lower(), text


def test_a_question_about_both_decides_nothing_by_itself(plugins: Any, isolated: Path) -> None:
    """Words that say both ("a score or classes?") leave it to the look, said in the reply."""
    for turn in ("feedback.csv: should satisfaction be a score or classes?",
                 "feedback.csv, satisfaction as label. is it a classification or a regression?"):
        spec, text = said(plugins, isolated, turn)
        assert spec["task"] == CLASSES and "distinct whole numbers" in text, text


@pytest.mark.parametrize("turn", [
    "classify the x-rays in scans/ into 3 classes",
    "tag the drug names in notes, there are 4 categories of entity",
    "how many epochs should I use for reviews.csv?",
    "how much memory will the run need?",
])
def test_class_and_count_words_elsewhere_leave_other_tasks_alone(plugins: Any, isolated: Path,
                                                                 turn: str) -> None:
    spec, text = said(plugins, isolated, turn)
    assert spec["task"] != NUMBER, text
    if "x-rays" in turn:
        assert spec["task"] == "image-classification", text
    if "drug names" in turn:
        assert spec["task"] == "token-classification", text
