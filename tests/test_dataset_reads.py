"""The data a person names is the data: the dataset plugin is chosen by looking at the file
(``Dataset.reads``), a task switch never silently puts a sample in its place, and a third-party
dataset takes part the same way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tunekit import Dataset, DataSplits, Param, hookimpl, load_plugins
from tunekit.errors import PluginError
from tunekit.ui.assistant import Assistant


def write_files(folder: Path) -> None:
    (folder / "ner.conll").write_text("John B-PER\nlives O\nin O\nParis B-LOC\n\n"
                                      "Mary B-PER\nsleeps O\n\n")
    (folder / "tags.txt").write_text("EU B-ORG\nrejects O\n\nPeter B-PER\nspoke O\n\n")
    (folder / "chat.jsonl").write_text("".join(json.dumps(
        {"messages": [{"role": "user", "content": f"hi {i}"},
                      {"role": "assistant", "content": f"hello {i}"}]}) + "\n"
        for i in range(4)))
    (folder / "tagged.jsonl").write_text("".join(json.dumps(
        {"words": ["a", "b"], "labels": ["O", "B-X"]}) + "\n" for _ in range(4)))
    (folder / "reviews.jsonl").write_text("".join(json.dumps(
        {"text": f"review {i}", "label": "pos"}) + "\n" for i in range(4)))
    for label in ("cat", "dog"):
        (folder / "photos" / label).mkdir(parents=True)
        (folder / "photos" / label / "1.png").write_bytes(b"\x89PNG\r\n")
    (folder / "notes").mkdir()  # a folder that holds no classes is not data
    (folder / "notes" / "readme.md").write_text("hello")


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


@pytest.fixture
def files(isolated: Path) -> Path:
    write_files(isolated)
    return isolated


@pytest.mark.parametrize(("message", "dataset", "task"), [
    ("train a model on ner.conll", "conll", "token-classification"),
    ("fine-tune on tags.txt", "conll", "token-classification"),
    ("use chat.jsonl", "text-jsonl", "causal-lm"),
    ("train on tagged.jsonl", "tagged-jsonl", "token-classification"),
    ("train on reviews.jsonl", "jsonl", "text-classification"),
    ("classify the photos folder", "image-folder", "image-classification"),
    ("my pictures are in photos/", "image-folder", "image-classification"),
])
def test_the_file_named_chooses_the_dataset_and_the_task(files: Path, plugins: Any, message: str,
                                                         dataset: str, task: str) -> None:
    reply = Assistant(plugins).respond(message)
    assert reply.spec["dataset"]["name"] == dataset, reply.text
    assert reply.spec["dataset"]["path"].rstrip("/") in message
    assert reply.spec["task"] == task, reply.text
    assert "sample" not in reply.spec["dataset"]["name"]


def test_a_task_said_in_the_same_turn_does_not_swap_in_a_sample(files: Path,
                                                                plugins: Any) -> None:
    reply = Assistant(plugins).respond("tag entities in ner.conll")
    assert reply.spec["dataset"] == {**reply.spec["dataset"], "name": "conll",
                                     "path": "ner.conll"}
    assert "sample-ner" not in reply.text


def test_tagged_records_take_their_field_names(files: Path, plugins: Any) -> None:
    reply = Assistant(plugins).respond(
        "tagged.jsonl has the words in 'words' and the tags in 'labels'")
    assert reply.spec["dataset"]["tokens_field"] == "words", reply.text
    assert reply.spec["dataset"]["tags_field"] == "labels", reply.text


def test_a_folder_of_files_is_not_taken_for_data(files: Path, plugins: Any) -> None:
    reply = Assistant(plugins).respond("put the notes in the model card")
    assert reply.spec["dataset"].get("path") != "notes"


def test_a_third_party_dataset_is_chosen_by_what_it_reads(files: Path, plugins: Any) -> None:
    (files / "corpus.xyz").write_text("whatever\n")

    def reads(path: Path) -> float:
        return 0.9 if path.suffix == ".xyz" else 0.0

    class XyzPlugin:
        """A third party's dataset, registered through the same hook as the built-ins."""

        @hookimpl
        def register_datasets(self, register: Any) -> None:
            register(Dataset(name="xyz-corpus", description="Texts in an .xyz file.",
                             tasks=("text-classification",), reads=reads,
                             params=(Param(name="path", type=str, required=True,
                                           help="the .xyz file"),),
                             load=lambda options, context: DataSplits(train=[],
                                                                      validation=[])))

    manager = load_plugins(extra=[("xyz", XyzPlugin())])
    reply = Assistant(manager).respond("train on corpus.xyz")
    assert reply.spec["dataset"]["name"] == "xyz-corpus", reply.text


def test_a_look_that_fails_counts_as_not_reading(tmp_path: Path) -> None:
    def broken(path: Path) -> float:
        raise OSError("cannot look")

    dataset = Dataset(name="broken", description="d", reads=broken,
                      load=lambda options, context: DataSplits(train=[], validation=[]))
    assert dataset.how_well_it_reads(tmp_path) == 0.0
    with pytest.raises(PluginError, match="reads must be a callable"):
        Dataset(name="bad", description="d", reads="csv",  # type: ignore[arg-type]
                load=lambda options, context: None).check()
