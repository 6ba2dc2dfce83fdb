"""Image folders named in a turn: the folder the person names is the data.

A word for data in general ("photos", "images", "pictures") that is also a folder here does
not replace the folder the person names; alone it still names its folder. A folder of loose
images with a labels table beside them is not a layout image-folder reads (one folder per
class): the reply says so and what to do, and the table is never taken as text data.

The phrasings are new ones, not the request sets'; the folders are written by each test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(disabled=())


def draw(folder: Path, classes: tuple[str, ...], nested: bool = False) -> None:
    for k, label in enumerate(classes):
        for i in range(4):
            where = folder / label / (f"day_{i % 2}" if nested else "")
            where.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (12, 12), (40 * k, 90, 10 * i)).save(where / f"{i}.png")


def write_folders(base: Path) -> None:
    """Two class-folder layouts with a general name each, two with a name of their own, and a
    flat folder of images with a labels table."""
    draw(base / "photos", ("cat", "dog"))
    draw(base / "images", ("red", "blue"))
    draw(base / "birds", ("crow", "gull", "owl"), nested=True)
    draw(base / "xray_scans", ("normal", "fracture"))
    flat = base / "loose_shots"
    flat.mkdir()
    rows = []
    for i in range(8):
        Image.new("RGB", (12, 12), (20 * i, 50, 50)).save(flat / f"s{i}.jpg")
        rows.append(f"s{i}.jpg,{'wet' if i % 2 else 'dry'}")
    (flat / "labels.csv").write_text("file,label\n" + "\n".join(rows) + "\n")


def talk(plugins, base: Path, *turns: str) -> tuple[dict, str]:
    write_folders(base)
    assistant = Assistant(plugins, base_dir=base)
    replies = [assistant.respond(turn) for turn in turns]
    return assistant.spec(), " ".join(r.text for r in replies)


NAMED = [
    ("classify the bird photos in birds/", "birds"),
    ("the images are in birds, one folder per species", "birds"),
    ("sort pictures of birds: data in ./birds", "birds"),
    ("train on my x-ray images, they live in xray_scans/", "xray_scans"),
    ("image classifier for the photos under xray_scans", "xray_scans"),
    ("photos of birds in birds/ (sub-folders per day), classify them by species", "birds"),
    # alone, a general word still names its folder
    ("train an image classifier on photos", "photos"),
    ("classify the images in images/", "images"),
]


@pytest.mark.parametrize(("message", "folder"), NAMED, ids=[m for m, _ in NAMED])
def test_the_folder_named_wins_over_a_general_word(plugins, isolated: Path, message,
                                                   folder) -> None:
    spec, text = talk(plugins, isolated, message)
    assert spec["task"] == "image-classification", text
    assert spec["dataset"]["name"] == "image-folder", text
    assert spec["dataset"]["path"] == folder, text


FLAT = [
    "loose_shots/ has every image in one folder plus a labels.csv (file,label). train on it",
    "classify the images in loose_shots, the classes are in labels.csv",
    "train an image classifier on loose_shots/",
    "my photos are all in loose_shots and labels.csv says which class each one is",
    "use loose_shots with its labels.csv to train a picture classifier",
    "labels.csv in loose_shots maps each file name to its label; image classification please",
]


@pytest.mark.parametrize("message", FLAT)
def test_a_flat_folder_with_a_labels_table_is_said_not_read(plugins, isolated: Path,
                                                            message) -> None:
    spec, text = talk(plugins, isolated, message)
    assert "one folder per class" in text and "loose_shots" in text, text
    assert "not in a form I can read" in text, text
    # the table is not taken as text data, nor the folder as something else
    assert spec["dataset"].get("path") in (None, ""), text
    assert spec["task"] == "image-classification", text
