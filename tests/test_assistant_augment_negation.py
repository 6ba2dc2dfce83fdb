"""Turning down one augmentation removes that one only: "don't mirror the images" is the image
folder's flip, not all augmentation; "no random swap augmentation" drops random swap and keeps
the rest. "no augmentation" still turns all of it off. In phrasings of our own."""

from __future__ import annotations

from pathlib import Path

import pytest
from assistant_talk import talk
from PIL import Image


def pictures(root: Path) -> None:
    for label in ("signs", "arrows"):
        (root / "pics" / label).mkdir(parents=True)
        for i in range(6):
            Image.new("RGB", (8, 8), (40 * i, 10, 90)).save(root / "pics" / label / f"{i}.png")


ONLY_FLIP = [
    "train an image classifier on pics, don't mirror the images",
    "pics folder, no flipping pls",
    "pics, no flip augmentation",
    "pics: without the horizontal-flip augmentation, text is in the pictures",
    "image model on pics and dont mirror",
    "pics , disable flipping augmentation",
    "classify pics, keep augmentation but no left-right flips",
    "pics - no mirror augmentation (arrows point left or right)",
]


@pytest.mark.parametrize("said", ONLY_FLIP)
def test_not_mirroring_turns_off_the_flip_only(manager, isolated: Path, said: str) -> None:
    pictures(isolated)
    spec, replies = talk(manager, isolated, said)
    assert spec["dataset"]["path"] == "pics", replies
    assert spec["dataset"]["flip"] is False, replies
    assert spec["dataset"].get("augment", True) is True, replies


def test_the_flip_turned_down_in_a_later_turn(manager, isolated: Path) -> None:
    pictures(isolated)
    spec, replies = talk(manager, isolated, "image classification on pics",
                         "oh and please do not mirror them")
    assert spec["dataset"]["flip"] is False and spec["dataset"].get("augment", True), replies


@pytest.mark.parametrize("said", ["pics, no augmentation", "pics, no data augmentation at all",
                                  "pics and dont do any augmentation"])
def test_no_augmentation_still_turns_all_of_it_off(manager, isolated: Path, said: str) -> None:
    pictures(isolated)
    spec, replies = talk(manager, isolated, said)
    assert spec["dataset"]["augment"] is False, replies


def test_both_said_turn_both_off(manager, isolated: Path) -> None:
    pictures(isolated)
    spec, replies = talk(manager, isolated, "pics, no flips and no augmentation")
    assert spec["dataset"]["augment"] is False and spec["dataset"]["flip"] is False, replies


@pytest.mark.parametrize("said", ["no random swap augmentation", "drop the random-swap "
                                  "augmentation", "without random swap augmentation please"])
def test_a_named_text_augmentation_turned_down_leaves_the_others(manager, isolated: Path,
                                                                said: str) -> None:
    spec, replies = talk(manager, isolated, "augment with random deletion and random swap", said)
    names = [a if isinstance(a, str) else a["name"] for a in spec["augmentations"]]
    assert names == ["random-deletion"], replies
