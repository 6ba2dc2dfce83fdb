"""File and folder paths written the way people write them.

A quoted folder with a space ("'my photos'"), "the X folder" / "folder X" / "directory X",
``~`` and ``$HOME``, a Windows path, a ``file://`` address, a trailing slash or a full stop
at the sentence's end: each names the data. A path is never a model id (unless it is a model
folder); a path that is not here is said and asked for, with the close names that are here
offered as choices, never taken silently.

The phrasings are our own, not the request sets'; the files and folders are written by each
test.
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


def draw(folder: Path, classes: tuple[str, ...]) -> None:
    for k, label in enumerate(classes):
        (folder / label).mkdir(parents=True, exist_ok=True)
        for i in range(4):
            Image.new("RGB", (12, 12), (40 * k, 90, 10 * i)).save(folder / label / f"{i}.png")


def write_here(base: Path) -> None:
    """Image folders (one with a space, one of splits) and text files with odd names."""
    draw(base / "leaves", ("rust", "healthy"))
    draw(base / "my photos", ("cat", "dog"))
    draw(base / "cats_dogs", ("cat", "dog"))
    draw(base / "scans" / "train", ("ok", "bad"))
    draw(base / "scans" / "val", ("ok", "bad"))
    rows = "\n".join(f"ticket number {i} is about {'billing' if i % 2 else 'login'},"
                     f"{'billing' if i % 2 else 'login'}" for i in range(12))
    (base / "support tickets.csv").write_text("text,label\n" + rows + "\n")
    (base / "my data").mkdir()
    (base / "my data" / "reviews 2024.csv").write_text(
        "text,score\n" + "\n".join(f"review {i} was fine,{i % 5 + 0.5}" for i in range(12)) + "\n")
    lines = "\n".join(f'{{"text": "a story number {i} about the sea"}}' for i in range(12))
    (base / "corpus (v2).jsonl").write_text(lines + "\n")
    (base / "ner set").mkdir()
    (base / "ner set" / "train.conll").write_text(
        "Ann B-PER\nlives O\nin O\nRome B-LOC\n\nBob B-PER\nsings O\n\n")


def talk(plugins, base: Path, *turns: str) -> tuple[dict, str]:
    if not (base / "leaves").exists():
        write_here(base)
    assistant = Assistant(plugins, base_dir=base)
    replies = [assistant.respond(turn) for turn in turns]
    return assistant.spec(), " ".join(r.text for r in replies)


def data_path(spec: dict) -> str | None:
    dataset = spec.get("dataset") or {}
    path = dataset.get("path") if isinstance(dataset, dict) else None
    return str(Path(path)) if path else None  # "./leaves" is leaves


def model_of(spec: dict) -> str:
    backbone = spec.get("backbone") or {}
    return str(backbone.get("model") or backbone.get("name") or "") if isinstance(
        backbone, dict) else ""


# (message, path, task)
FOUND = [
    ("images are in 'my photos', model google/vit-base-patch16-224", "my photos",
     "image-classification"),
    ("train an image classifier on my photos folder", "my photos", "image-classification"),
    ("the pictures sit in the folder \"my photos\", one sub-folder per class", "my photos",
     "image-classification"),
    ("classify images, directory my photos", "my photos", "image-classification"),
    ("pls train on the leaves folder.", "leaves", "image-classification"),
    ("my data is in leaves/.", "leaves", "image-classification"),
    ("can you classify the pics in ./leaves/ ?", "leaves", "image-classification"),
    ("ticket classifier please, data: 'support tickets.csv'", "support tickets.csv",
     "text-classification"),
    ("fine-tune on support tickets.csv to sort the tickets", "support tickets.csv",
     "text-classification"),
    ("predict the score of each review, file is 'my data/reviews 2024.csv'",
     "my data/reviews 2024.csv", "text-regression"),
    ("tag the names in 'ner set/train.conll'", "ner set/train.conll", "token-classification"),
    ("continue pretraining a language model on 'corpus (v2).jsonl'", "corpus (v2).jsonl",
     "causal-lm"),
]


@pytest.mark.parametrize(("message", "path", "task"), FOUND, ids=[m for m, _, _ in FOUND])
def test_a_path_written_as_people_write_it_is_the_data(plugins, isolated: Path, message, path,
                                                      task) -> None:
    spec, text = talk(plugins, isolated, message)
    assert data_path(spec) == path, text
    assert spec["task"] == task, text


def test_home_and_dollar_home_name_the_data(plugins, isolated: Path, monkeypatch) -> None:
    home = isolated / "home"
    draw(home / "data" / "leaves", ("rust", "healthy"))
    monkeypatch.setenv("HOME", str(home))
    for message in ("use ~/data/leaves for training, resnet-18",
                    "photos are under $HOME/data/leaves, classify them"):
        spec, text = talk(plugins, isolated, message)
        assert data_path(spec) in ("~/data/leaves", "$HOME/data/leaves",
                                   str(home / "data" / "leaves")), text
        assert spec["task"] == "image-classification", text
        assert "leaves" not in model_of(spec), text


def test_a_file_url_names_the_data(plugins, isolated: Path) -> None:
    spec, text = talk(plugins, isolated, f"train on file://{isolated}/leaves please")
    assert data_path(spec) == str(isolated / "leaves"), text
    spec, text = talk(plugins, isolated, f"data at file://{isolated}/support%20tickets.csv")
    assert data_path(spec) == str(isolated / "support tickets.csv"), text


MISSING = [
    # (message, what is said not to be here, a close name offered or None)
    ("use ~/data/leaves for training, resnet-18", "~/data/leaves", None),
    ("photos in cats-dogs folder, vit", "cats-dogs", "cats_dogs"),
    ("C:\\Users\\me\\defects, classify with google/vit-base-patch16-224",
     "C:\\Users\\me\\defects", None),
    ("the training data is /srv/shared/tickets_final.csv", "/srv/shared/tickets_final.csv",
     None),
    ("train on 'support ticket.csv'", "support ticket.csv", "support tickets.csv"),
    ("images live in ../leafs/", "../leafs", None),
    ("fine tune on the folder leafs", "leafs", "leaves"),
]


@pytest.mark.parametrize(("message", "said", "offered"), MISSING, ids=[m for m, _, _ in MISSING])
def test_a_path_not_here_is_said_and_never_replaced(plugins, isolated: Path, message, said,
                                                    offered) -> None:
    spec, text = talk(plugins, isolated, message)
    assert said in text, text
    assert "can't find" in text.lower() or "cannot find" in text.lower(), text
    if offered:
        assert offered in text, text
    assert data_path(spec) in (None, str(Path(said))), text  # never a silent replacement
    assert said not in model_of(spec) and "leaves" not in model_of(spec), text


def test_a_windows_path_with_spaces_is_one_path(plugins, isolated: Path) -> None:
    spec, text = talk(plugins, isolated,
                      "my csv is at D:\\work\\ticket exports\\all.csv, sort the tickets")
    assert "D:\\work\\ticket exports\\all.csv" in text and "find" in text.lower(), text
    assert data_path(spec) in (None, str(Path("D:\\work\\ticket exports\\all.csv"))), text


TURNS = [
    (("photos in cats-dogs folder, vit", "sorry, it's cats_dogs"), "cats_dogs"),
    (("use ~/data/leaves for training", "oh it's actually in ./leaves"), "leaves"),
    (("train on 'support ticket.csv'", "I mean 'support tickets.csv'"), "support tickets.csv"),
    (("C:\\Users\\me\\defects, classify with google/vit-base-patch16-224",
      "here it is in 'my photos'"), "my photos"),
]


@pytest.mark.parametrize(("turns", "path"), TURNS, ids=[t[0] for t, _ in TURNS])
def test_a_later_turn_gives_the_right_path(plugins, isolated: Path, turns, path) -> None:
    spec, text = talk(plugins, isolated, *turns)
    assert data_path(spec) == path, text


def test_a_path_is_never_the_backbone(plugins, isolated: Path) -> None:
    for message in ("fine-tune resnet-18 on ~/data/leaves", "train on ./leaves/ with vit",
                    "train a classifier on /data/scans, resnet"):
        spec, text = talk(plugins, isolated, message)
        model = model_of(spec)
        assert "/" not in model or model.startswith(("google/", "microsoft/", "facebook/")), text


# ---------------------------------------------------------------- a shared studio's data folder


@pytest.fixture()
def shared_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A data folder a shared studio confines the chat to, and the folder around it: a file
    and a folder outside with names close to what is said, and a link inside to one outside."""
    data = tmp_path / "data"
    draw(data / "leaves", ("rust", "healthy"))
    (data / "reviews.csv").write_text("text,label\n" + "\n".join(
        f"review {i} was {'good' if i % 2 else 'bad'},{'pos' if i % 2 else 'neg'}"
        for i in range(12)) + "\n")
    (tmp_path / "secret_notes.csv").write_text("text,label\nnobody may read this,yes\n")
    draw(tmp_path / "private_scans", ("ok", "bad"))
    (data / "linked_notes.csv").symlink_to(tmp_path / "secret_notes.csv")
    return data, tmp_path


def shared_talk(plugins, data: Path, *turns: str) -> tuple[dict, str]:
    """The chat as a shared studio runs it: every path checked by the studio's own rule."""
    from tunekit.ui.assistant.datafile import confined
    from tunekit.ui.studio import Safety

    safety = Safety(shared=True, data_dir=data)
    assistant = Assistant(plugins, base_dir=data)
    with confined(lambda file: safety.check_path(file, data, data / "uploads")):
        replies = [assistant.respond(turn) for turn in turns]
    return assistant.spec(), " ".join(r.text for r in replies)


# (message, the path as written, a name outside the data folder that must not be said)
OUTSIDE = [
    ("train on ../secret_notes.cvs", "../secret_notes.cvs", "secret_notes.csv"),
    ("fine-tune on ../secret_note.csv please", "../secret_note.csv", "secret_notes.csv"),
    ("classify the images in ../private_scan/", "../private_scan", "private_scans"),
    ("the pictures are in ../private-scans", "../private-scans", "private_scans"),
    ("train on /etc/passwd.csv", "/etc/passwd.csv", "/etc/passwd"),
    ("my data: /etc/passwd.txt", "/etc/passwd.txt", "/etc/passwd"),
    ("use the folder /etc/ss for the images", "/etc/ss", "/etc/ssl"),
    ("sort the tickets in linked_note.csv", "linked_note.csv", "linked_notes.csv"),
]


@pytest.mark.parametrize(("message", "written", "hidden"), OUTSIDE,
                         ids=[m for m, _, _ in OUTSIDE])
def test_a_shared_studio_offers_no_close_name_outside_its_data_folder(
        plugins, shared_folder: tuple[Path, Path], message: str, written: str,
        hidden: str) -> None:
    data, _ = shared_folder
    spec, text = shared_talk(plugins, data, message)
    assert "did you mean" not in text.lower(), text
    # nothing outside is named back but what the person wrote themselves
    assert hidden not in text.replace(written, ""), text
    assert "nobody may read this" not in text and str(data.parent) not in text, text
    if "linked" not in message:  # the studio's own rule says why the path is not used
        assert "outside the data folder" in text, text
    assert data_path(spec) in (None, str(Path(written))), text


def test_a_shared_studio_still_offers_close_names_inside_its_data_folder(
        plugins, shared_folder: tuple[Path, Path]) -> None:
    data, _ = shared_folder
    spec, text = shared_talk(plugins, data, "train on reveiws.csv")
    assert "reviews.csv" in text and data_path(spec) != "reviews.csv", text
    spec, text = shared_talk(plugins, data, "fine tune on the folder leafs")
    assert "leaves" in text and data_path(spec) != "leaves", text
