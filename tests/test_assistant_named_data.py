"""A folder or file the person names is the data, or the reply says why not: never swapped.

Here several folders are words too ("defects", "cracks", "rust"): a message that names one
of them in passing ("the cracks in the bridge_pics photos") and another as the data keeps
the data it named as data, and says of the word that it was read as a word. Two sets of data
named for training: the first is taken and the other said. A later turn that switches the
task says why the folder named before does not fit. The phrasings are our own, not the
request sets'; the folders are written by each test.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PIL import Image
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(disabled=())


def draw(folder: Path, classes: tuple[str, ...]) -> None:
    for k, label in enumerate(classes):
        (folder / label).mkdir(parents=True, exist_ok=True)
        for i in range(4):
            Image.new("RGB", (12, 12), (40 * k, 90, 10 * i)).save(folder / label / f"{i}.png")


@pytest.fixture()
def here(tmp_path: Path) -> Path:
    """Image folders named by words (defects, cracks, rust) and by names of their own."""
    for name in ("defects", "cracks", "rust"):
        draw(tmp_path / name, ("yes", "no"))
    draw(tmp_path / "bridge_pics", ("sound", "cracked"))
    draw(tmp_path / "panel-shots", ("ok", "scratched"))
    draw(tmp_path / "plates2", ("clean", "rusty"))
    (tmp_path / "notes.csv").write_text("text,label\n" + "\n".join(
        f"note {i} says {'pay' if i % 2 else 'wait'},{'pay' if i % 2 else 'wait'}"
        for i in range(12)) + "\n")
    parts = tmp_path / "_parts"
    draw(parts, ("bent", "straight"))
    with zipfile.ZipFile(tmp_path / "parts.zip", "w") as archive:
        for image in sorted(parts.rglob("*.png")):
            archive.write(image, image.relative_to(parts).as_posix())
    return tmp_path


def talk(plugins, base: Path, *turns: str) -> tuple[dict, str]:
    assistant = Assistant(plugins, base_dir=base)
    replies = [assistant.respond(turn) for turn in turns]
    return assistant.spec(), " ".join(r.text for r in replies)


def data_path(spec: dict) -> str | None:
    dataset = spec.get("dataset") or {}
    path = dataset.get("path") if isinstance(dataset, dict) else None
    return str(Path(path)) if path else None


# (message, the data, a folder named in passing that must be said, not silently dropped)
IN_PASSING = [
    ("could you outline the cracks in the bridge_pics photos?", "bridge_pics", "cracks"),
    ("which of the bridge_pics images show cracks", "bridge_pics", "cracks"),
    ("spot the defects in panel-shots", "panel-shots", "defects"),
    ("rust is what I care about; the pictures are in plates2", "plates2", "rust"),
    ("find cracks in the bridge_pics/ folder", "bridge_pics", "cracks"),
    ("look for defects, images in ./panel-shots/", "panel-shots", "defects"),
    ("tell defects apart, the data folder is rust", "rust", "defects"),
]


@pytest.mark.parametrize(("message", "data", "word"), IN_PASSING,
                         ids=[m for m, _, _ in IN_PASSING])
def test_a_folder_named_as_data_wins_over_a_word_that_is_a_folder(
        plugins, here: Path, message: str, data: str, word: str) -> None:
    spec, text = talk(plugins, here, message)
    assert data_path(spec) == data, text
    assert word in text.replace(message, ""), text  # said, with how to use it instead


def test_a_word_alone_that_is_a_folder_is_the_data(plugins, here: Path) -> None:
    for message in ("train on cracks", "the photos are in defects/", "use the rust folder"):
        spec, text = talk(plugins, here, message)
        assert data_path(spec) == message.split()[-1].strip("/").replace("folder", "") \
            or data_path(spec) == "rust", text


# (message, the data taken, the other one said)
TWO_NAMED = [
    ("bridge_pics and notes.csv", "bridge_pics", "notes.csv"),
    ("train on notes.csv; plates2 too", "notes.csv", "plates2"),
    ("fine-tune with panel-shots or maybe plates2", "panel-shots", "plates2"),
]


@pytest.mark.parametrize(("message", "data", "other"), TWO_NAMED, ids=[m for m, _, _ in TWO_NAMED])
def test_two_sets_of_data_named_the_other_is_said(plugins, here: Path, message: str, data: str,
                                                 other: str) -> None:
    spec, text = talk(plugins, here, message)
    assert data_path(spec) == data, text
    assert f'train on {other}' in text, text


def test_a_zip_named_is_the_data_or_said(plugins, here: Path) -> None:
    for message in ("train an image classifier on parts.zip", "my pictures: parts.zip"):
        spec, text = talk(plugins, here, message)
        assert data_path(spec) == "parts.zip" or "parts.zip" in text.replace(message, ""), text


def test_a_relative_path_names_the_data(plugins, here: Path) -> None:
    spec, text = talk(plugins, here, f"find the cracks in ../{here.name}/bridge_pics")
    assert data_path(spec) == f"../{here.name}/bridge_pics", text
    assert "cracks" in text, text


@pytest.mark.parametrize("switch", ["now make it a text classifier",
                                    "actually I want to fine-tune a language model",
                                    "switch the task to token classification"])
def test_a_task_switch_later_says_why_the_named_folder_is_not_used(plugins, here: Path,
                                                                   switch: str) -> None:
    spec, text = talk(plugins, here, "the photos are in bridge_pics", switch)
    said = text.split("bridge_pics", 1)[1]  # after the first turn's own mention
    assert data_path(spec) == "bridge_pics" or "bridge_pics" in said, text


@pytest.mark.parametrize(("message", "quoted", "inside"), [
    ("train on 'old cracks'", "old cracks", "cracks"),
    ('the pictures are in "rust photos 2024", classify them', "rust photos 2024", "rust"),
    ("use `new defects` as the data", "new defects", "defects"),
])
def test_a_quoted_name_of_several_words_is_read_whole(plugins, here: Path, message: str,
                                                      quoted: str, inside: str) -> None:
    """A quoted folder that is not here is said, never swapped for a folder named by one of
    its words."""
    spec, text = talk(plugins, here, message)
    assert data_path(spec) != inside, text
    assert f"can't find {quoted}" in text and inside in text.replace(message, ""), text


def test_a_quoted_column_name_is_no_folder(plugins, here: Path) -> None:
    spec, text = talk(plugins, here, "notes.csv, the label column is 'rust level'")
    assert data_path(spec) == "notes.csv" and "can't find" not in text, text
