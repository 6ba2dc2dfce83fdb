"""What a table cannot give, said in words a person understands when the file is first read:
several target columns at once (one is kept, the others named), a table of numbers only
(tunekit trains on text, images, tags and chats), and a header with an unnamed column (a
saved index) that would stop the run. In phrasings of our own."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from assistant_talk import talk


def table(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def files(isolated: Path) -> Path:
    table(isolated / "tickets.csv", ["body", "team", "priority"],
          [[f"ticket {i} about {('billing', 'vpn', 'leave')[i % 3]} is open", ("fin", "it", "hr")
            [i % 3], ("low", "high")[i % 2]] for i in range(40)])
    table(isolated / "sensors.csv", ["temp", "humidity", "pressure", "fault"],
          [[20 + i * 0.3, 40 + i, 1000 + i * 2, i % 2] for i in range(40)])
    table(isolated / "export.csv", ["", "review", "label"],
          [[i, f"review {i} was {('good', 'bad')[i % 2]} overall", ("pos", "neg")[i % 2]]
           for i in range(40)])
    return isolated


SEVERAL = [
    "predict both team and priority from the body in tickets.csv",
    "tickets.csv , labels are team and priority",
    "i want learn team, priority from tickets.csv at once",
    "train on tickets.csv, the targets are team & priority",
]


@pytest.mark.parametrize("said", SEVERAL)
def test_several_targets_are_said_and_one_is_kept(manager, files: Path, said: str) -> None:
    spec, replies = talk(manager, files, said)
    assert spec["dataset"]["path"] == "tickets.csv", replies
    assert spec["task"] == "text-classification"
    assert spec["dataset"]["label_column"] in ("team", "priority"), replies
    assert "can't train one model on several targets" in replies or \
        "several outputs at once is not available" in replies, replies


def test_one_target_says_nothing_of_several(manager, files: Path) -> None:
    spec, replies = talk(manager, files, "tickets.csv, predict team from body")
    assert spec["dataset"]["label_column"] == "team" and "several" not in replies, replies


@pytest.mark.parametrize("said", ["train a model on sensors.csv to predict fault",
                                  "sensors.csv classification pls",
                                  "can u fit sensors.csv , target column fault"])
def test_a_table_of_numbers_only_is_said(manager, files: Path, said: str) -> None:
    spec, replies = talk(manager, files, said)
    assert "holds only numbers" in replies and "text, images, tags and chats" in replies, replies
    assert spec["dataset"]["path"] == "sensors.csv"  # the file named, not a sample


@pytest.mark.parametrize("said", ["classify export.csv", "export.csv sentiment model",
                                  "here is my pandas export: export.csv"])
def test_an_unnamed_header_column_is_said_at_first_read(manager, files: Path,
                                                        said: str) -> None:
    spec, replies = talk(manager, files, said)
    assert "a column with no name" in replies and "index=False" in replies, replies
    assert spec["dataset"]["path"] == "export.csv"
