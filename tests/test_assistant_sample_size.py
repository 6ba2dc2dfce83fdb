"""The size of a bundled sample said in words ("only 200 examples of the sample"): taken as the
sample's own size option where it has one, asked for when said without a number ("a small
subset"), and said as not taken by a dataset that has none. In phrasings of our own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import tunekit
from assistant_talk import talk
from tunekit import load_plugins

SIZES = [
    ("train on the sample data but only 200 examples of it", "sample-reviews", 200),
    ("use the demo dataset, just 150 samples pls", "sample-reviews", 150),
    ("bundled reviews, just the first 300 rows", "sample-reviews", 300),
    ("sample ner data pls, 50 examples only", "sample-ner", 50),
    ("ner on the sample, use 100 sentences", "sample-ner", 100),
    ("image classification on the sample shapes, only 80 pictures", "sample-shapes", 80),
    ("try the sample instructions with gpt2, only 60 exmaples", "sample-instructions", 60),
]


@pytest.mark.parametrize(("said", "sample", "n"), SIZES, ids=[s[0] for s in SIZES])
def test_a_size_said_in_words_is_the_samples_own_size(manager, isolated: Path, said: str,
                                                      sample: str, n: int) -> None:
    spec, replies = talk(manager, isolated, said)
    assert spec["dataset"]["name"] == sample, replies
    assert spec["dataset"]["n"] == n, replies


def test_a_size_said_in_a_later_turn_is_taken(manager, isolated: Path) -> None:
    spec, replies = talk(manager, isolated, "quick run on the sample reviews",
                         "actually only use 100 examples")
    assert spec["dataset"] == {**spec["dataset"], "name": "sample-reviews", "n": 100}, replies


def test_a_batch_of_examples_is_no_size_of_the_data(manager, isolated: Path) -> None:
    spec, replies = talk(manager, isolated, "sample data, 32 examples per batch")
    assert spec["dataset"].get("n") is None, replies
    assert spec["training"]["batch_size"] == 32, replies


@pytest.mark.parametrize("said", ["is lora or full fine-tuning better for 500 examples?",
                                  "I only have about 80 examples, what do you suggest",
                                  "with 300 reviews would a bigger model help"])
def test_a_count_that_describes_the_data_is_no_size(manager, isolated: Path,
                                                    said: str) -> None:
    spec, replies = talk(manager, isolated, said)
    assert spec["dataset"].get("n") is None, replies


@pytest.mark.parametrize("said", ["quick test with the bundled reviews, just a small subset",
                                  "the example data but a tiny subset only",
                                  "subsample the sample dataset plz"])
def test_a_smaller_part_without_a_number_is_asked_for(manager, isolated: Path,
                                                     said: str) -> None:
    spec, replies = talk(manager, isolated, said)
    assert spec["dataset"].get("n") is None
    assert "how many examples of Sample reviews" in replies and "dataset.n" in replies, replies


def test_a_size_a_file_dataset_cannot_take_is_said(manager, isolated: Path) -> None:
    (isolated / "tickets.csv").write_text("text,label\n" + "".join(
        f"ticket {i} about {('billing', 'login')[i % 2]} here,{('bill', 'it')[i % 2]}\n"
        for i in range(30)))
    spec, replies = talk(manager, isolated, "classify tickets.csv, only use 20 rows")
    assert spec["dataset"]["path"] == "tickets.csv", replies
    assert "20 examples: CSV file has no option for how many examples it reads" in replies


def test_too_many_for_the_sample_is_refused_with_its_size(manager, isolated: Path) -> None:
    spec, replies = talk(manager, isolated, "train on the sample but just 5000 examples")
    assert spec["dataset"].get("n") is None
    assert "at most 720" in replies, replies


# ---------------------------------------------------------------- the sample's own option


def _reviews(n: int | None) -> tunekit.DataSplits:
    dataset = load_plugins().get("dataset", "sample-reviews")
    options = dataset.resolve_options({} if n is None else {"n": n}, "dataset")
    return dataset.load(options, tunekit.DataContext(task="text-classification", seed=0,
                                                     base_dir=Path.cwd()))


def test_the_sample_reviews_take_a_stratified_subset_of_each_split() -> None:
    full = _reviews(None)
    sizes = {s: len(getattr(full, s)) for s in ("train", "validation", "test")}
    from tunekit.plugins.datasets.sample_reviews import BUNDLED

    assert sum(sizes.values()) == BUNDLED
    small = _reviews(100)
    got = {s: len(getattr(small, s)) for s in sizes}
    assert 95 <= sum(got.values()) <= 105 and all(0 < got[s] < sizes[s] for s in sizes)
    assert set(Counter(r["label"] for r in small.train)) == {"positive", "negative"}
    assert any("100" in note for note in small.notes)
    assert {r["text"] for r in small.train} <= {r["text"] for r in full.train}
