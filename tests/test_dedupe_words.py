"""The assistant sets ``dataset.deduplicate`` from plain words (the data check's advice on
copies points at that option), for any dataset that declares it."""

from __future__ import annotations

from pathlib import Path

import pytest
from tunekit.testing import write_text_csv
from tunekit.ui.assistant import Assistant


@pytest.mark.parametrize("ask, value", [
    ("train on reviews.csv and drop duplicate rows", True),
    ("deduplicate reviews.csv first, then train", True),
    ("use reviews.csv, remove the copies", True),
    ("train on reviews.csv, keep only one of each", True),
    ("get rid of any dupes in reviews.csv and train", True),
    ("train on reviews.csv but keep the duplicates", False),
    ("train on reviews.csv, don't dedupe", False),
    ("train on reviews.csv for 2 epochs", None),
])
def test_dedupe_words(ask: str, value: bool | None, manager, isolated: Path) -> None:
    write_text_csv(isolated / "reviews.csv", n=40)
    assistant = Assistant(manager, base_dir=isolated)
    assistant.respond(ask)
    spec = assistant.spec()
    assert spec["dataset"]["path"] == "reviews.csv"
    assert spec["dataset"].get("deduplicate", False) is (value or False)


def test_a_dataset_without_the_option_is_left_alone(manager) -> None:
    assistant = Assistant(manager)  # the bundled sample declares no deduplicate option
    assistant.respond("drop duplicate rows")
    assert "deduplicate" not in assistant.spec()["dataset"]
