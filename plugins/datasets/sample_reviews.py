"""``sample-reviews``: a small sentiment dataset that tunekit writes itself and ships.

Short product, place and service reviews labelled positive or negative, many of them turning
on negation or word order ("not bad at all", "I expected to love it, but..."). Split into
train / validation / test; regenerate with ``sample_reviews_data/generate.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tunekit
from tunekit.data import split_stratified

from .files import load_examples, read_csv

DATA = Path(__file__).with_name("sample_reviews_data")
BUNDLED = 720  # reviews in train, validation and test together (a test counts them)


def load(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
    columns = {"text_column": "text", "label_column": "label"}
    splits = {name: load_examples(DATA / f"{name}.csv", columns, read_csv, log=context.read_log)
              for name in ("train", "validation", "test")}
    wanted, total = options.get("n"), sum(len(rows) for rows in splits.values())
    notes = []
    if wanted and wanted < total:
        # the same share of every split and label, so a small run still sees both labels
        # and is measured on reviews it did not train on
        share = wanted / total
        splits = {name: split_stratified(rows, share, seed=context.seed)[1]
                  for name, rows in splits.items()}
        notes.append(f"a subset of the sample: {sum(map(len, splits.values()))} of its "
                     f"{total} reviews (n={wanted})")
    return tunekit.DataSplits(**splits, source="sample-reviews (bundled)", notes=notes)


@tunekit.hookimpl
def register_datasets(register):
    register(tunekit.Dataset(
        name="sample-reviews",
        title="Sample reviews (bundled)",
        description="A bundled sentiment dataset: about 700 short reviews labelled positive or "
                    "negative, many turning on negation or word order. Good for a first run.",
        aliases=("sample", "sample data", "bundled data", "reviews", "sentiment", "demo data",
                 "example data", "default data", "sample reviews", "sample dataset",
                 "bundled dataset", "built-in data", "built-in dataset", "builtin data",
                 "demo dataset", "example dataset", "default dataset", "toy data",
                 "toy dataset"),
        params=(tunekit.Param(name="n", type=int, min=20, max=BUNDLED,
                              help=f"reviews to use in all (every one of the {BUNDLED} "
                                   "bundled when not set); fewer takes the same share of each "
                                   "split and label"),),
        load=load,
    ))
