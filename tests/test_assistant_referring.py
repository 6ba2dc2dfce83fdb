"""A later turn that refers back to what the question before it was about.

"both", "all of them", "that one", "the latter" after a question naming components are those
components; a bare name after a question about a dataset that fetches by id (the Hugging Face
hub) is that dataset's id. Metrics that only another task computes say the task. Nothing is
carried without a question, nor past the next turn.

The phrasings are new ones (terse, chatty, typos, non-native English), not the request
sets'; the files are written by each test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(disabled=())


def talk(plugins, folder: Path, *turns: str) -> tuple[dict, str]:
    (folder / "moods.csv").write_text("post,mood\n" + "".join(
        f"post {i} feels {'up' if i % 2 else 'down'},{('glad', 'sad')[i % 2]}\n"
        for i in range(40)))
    (folder / "scores.csv").write_text("answer,points\n" + "".join(
        f"answer {i} says {'yes' if i % 2 else 'no'},{i % 4}\n" for i in range(40)))
    assistant = Assistant(plugins, base_dir=folder)
    replies = [assistant.respond(turn) for turn in turns]
    return assistant.spec(), " ".join(r.text for r in replies)


def names(items: list) -> list[str]:
    return [i if isinstance(i, str) else i["name"] for i in items]


BOTH = [
    (["which is better, mse or mae?", "train on scores.csv (answer -> points) and report both"],
     {"mse", "mae"}),
    (["r2 vs mae for a score model?", "ok use scores.csv, answer to points, track both of them"],
     {"r2", "mae"}),
    (["what do mae, mse and r2 measure?", "scores.csv answer->points, show all of them"],
     {"mae", "mse", "r2"}),
    (["is precision or recall more useful for me?", "fine, moods.csv, measure both"],
     {"precision", "recall"}),
    (["explain onnx and safetensors exports", "use scores.csv and export both"],
     {"onnx", "safetensors"}),
    (["mae or mse, wich one is beter?", "scores.csv answer -> points. i want see both please"],
     {"mae", "mse"}),
]


@pytest.mark.parametrize(("turns", "wanted"), BOTH, ids=[t[0] for t, _ in BOTH])
def test_both_are_what_the_question_named(plugins, isolated: Path, turns, wanted) -> None:
    spec, text = talk(plugins, isolated, *turns)
    key = "exporters" if "onnx" in wanted else "metrics"
    assert wanted <= set(names(spec[key])), text
    if wanted & {"mae", "mse", "r2"}:  # numbers to score: the task is a regression
        assert spec["task"] == "text-regression", text


ONE = [
    (["what's the difference between lora and bitfit?", "scores.csv, and the latter"], "bitfit"),
    (["lora or head-only for 40 rows?", "go with the former on scores.csv"], "lora"),
    (["tell me about gradual unfreezing", "ok that one, with scores.csv"], "gradual"),
    (["head-only vs full fine-tuning?", "scores.csv, the second one please"], "full"),
    (["what is bitfit?", "sounds good, use that one on scores.csv"], "bitfit"),
]


@pytest.mark.parametrize(("turns", "strategy"), ONE, ids=[t[0] for t, _ in ONE])
def test_that_one_is_what_the_question_named(plugins, isolated: Path, turns, strategy) -> None:
    spec, text = talk(plugins, isolated, *turns)
    assert spec["strategy"]["name"] == strategy, text
    assert spec["dataset"]["path"] == "scores.csv", text


HUB = [
    (["can I train on a dataset from the hugging face hub?", "nice, then imdb please"], "imdb"),
    (["do you support hub datasets?", "ok. stanfordnlp/sst2 with 3 epochs"], "stanfordnlp/sst2"),
    (["is it possible to use huggingface datasets?", "cool, try yelp_review_full"],
     "yelp_review_full"),
    (["hub datasets work offline?", "then use tweet_eval, lr 2e-5"], "tweet_eval"),
    (["can tunekit read datasets from hf hub?", "great, go with rotten_tomatoes and lora"],
     "rotten_tomatoes"),
]


@pytest.mark.parametrize(("turns", "dataset_id"), HUB, ids=[t[0] for t, _ in HUB])
def test_a_bare_name_after_a_hub_question_is_its_id(plugins, isolated: Path, turns,
                                                    dataset_id) -> None:
    spec, text = talk(plugins, isolated, *turns)
    assert spec["dataset"]["name"] == "hf-dataset", text
    assert spec["dataset"]["path"] == dataset_id, text


NOTHING_CARRIED = [
    ["then imdb please"],  # no question before: no dataset of the hub
    ["train on scores.csv and report both"],
    ["can I use hub datasets?", "then classify them by points with lora"],
    ["can I use hub datasets?", "train on scores.csv"],
    ["can I use hub datasets?", "ok thanks", "then imdb please"],  # carried one turn only
]


@pytest.mark.parametrize("turns", NOTHING_CARRIED, ids=[" / ".join(t) for t in NOTHING_CARRIED])
def test_nothing_is_referred_to_without_a_question_just_before(plugins, isolated: Path,
                                                               turns) -> None:
    spec, text = talk(plugins, isolated, *turns)
    assert spec["dataset"].get("name") != "hf-dataset", text


def test_a_metrics_question_is_answered_with_the_metrics(plugins, isolated: Path) -> None:
    _, text = talk(plugins, isolated, "is r2 or mae better for grading essays?")
    assert "(r2)" in text and "(mae)" in text, text
