"""The splits tunekit carves never leak: copies of one example stay on one side.

Real exports repeat rows (the same review posted twice, a header row pasted again, "Great!"
and "great"): a validation split carved row by row would put copies on both sides and then
the data check would refuse tunekit's own split. Tested on every task's built-in readers.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from PIL import Image
from tunekit import DataContext
from tunekit.data import (
    deduplicate,
    example_key,
    same_text_key,
    split_random,
    split_stratified,
)
from tunekit.plugin_manager import PluginManager  # noqa: TC001 (fixture type)
from tunekit.tools.datacheck import check_data

WORDS = ("parcel", "late", "broken", "refund", "driver", "box", "quick", "friendly", "lost",
         "damaged", "courier", "tracking", "support", "arrived", "wrong", "address")


def export_rows(n: int, share: float, seed: int) -> list[dict[str, str]]:
    """Reviews as an export has them: ``share`` of the rows repeat an earlier text, often
    with other case, spacing or punctuation."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        if rows and rng.random() < share:
            text = rng.choice(rows)["text"]
            text = rng.choice([text, text.upper(), f"  {text}!! ", text.replace(" ", "  ")])
            label = next(r["label"] for r in rows if same_text_key(r["text"]) ==
                         same_text_key(text))
        else:
            label = rng.choice(["good", "bad", "meh"])
            text = f"{' '.join(rng.sample(WORDS, 5))} {label} {i}"
        rows.append({"text": text, "label": label})
    return rows


def keys(rows: list[dict]) -> set[str | None]:
    return {example_key(r) for r in rows}


@pytest.mark.parametrize("seed", range(5))
def test_stratified_split_puts_every_copy_on_one_side_and_keeps_the_shares(seed: int) -> None:
    rows = export_rows(600, 0.08, seed)
    kept, held = split_stratified(rows, 0.15, seed)
    assert not keys(kept) & keys(held)
    assert len(kept) + len(held) == len(rows)
    assert 0.12 <= len(held) / len(rows) <= 0.18
    for label in ("good", "bad", "meh"):  # still stratified
        share = sum(r["label"] == label for r in held) / sum(r["label"] == label for r in rows)
        assert 0.10 <= share <= 0.20


def test_without_copies_the_split_is_the_row_by_row_split() -> None:
    rows = [{"text": f"example number {i}", "label": str(i % 3)} for i in range(200)]
    assert split_stratified(rows, 0.2, 3) == split_stratified(rows, 0.2, 3, key=None)
    assert split_random(rows, 0.2, 3) == split_random(rows, 0.2, 3, key=None)


def test_row_by_row_would_have_leaked() -> None:  # the test above means something
    rows = export_rows(600, 0.08, 0)
    kept, held = split_stratified(rows, 0.15, 0, key=None)
    assert keys(kept) & keys(held)


def test_random_split_keeps_copies_together_and_never_holds_out_everything() -> None:
    rows = [{"tokens": ["Ann", "lives", "in", f"Town{i % 40}"], "tags": ["B-PER", "O", "O",
                                                                      "B-LOC"]}
            for i in range(120)]  # every sentence three times
    kept, held = split_random(rows, 0.2, 1)
    assert not keys(kept) & keys(held) and kept and held
    assert split_random([rows[0], rows[0]], 0.5, 0)[0]  # one group: all kept, nothing lost


def test_deduplicate_keeps_the_first_of_each_and_every_contradiction() -> None:
    rows = [{"text": "Great!", "label": "pos"}, {"text": "great", "label": "pos"},
            {"text": "GREAT", "label": "neg"}, {"text": "fine", "label": "pos"}]
    kept, removed = deduplicate(rows)
    assert removed == 1
    assert kept == [rows[0], rows[2], rows[3]]


def test_example_keys_per_task(tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    Image.new("RGB", (4, 4), "red").save(a)
    b.write_bytes(a.read_bytes())
    assert example_key({"image": str(a), "label": "x"}) == example_key({"image": str(b)})
    assert example_key({"instruction": "Add 3 and 4.", "response": "7"}) == \
        example_key({"instruction": "add 3 and 4", "response": "seven"})
    chat = [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello"}]
    other = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hey"}]
    assert example_key({"messages": chat}) == example_key({"messages": other})
    assert example_key({"text": "3 stars"}) != example_key({"text": "5 stars"})


def write_csv(path: Path, rows: list[dict[str, str]], header=("Review", "Sentiment")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([r["text"], r["label"]] for r in rows)
    return path


def load(manager: PluginManager, name: str, options: dict, folder: Path, task: str):
    dataset = manager.get("dataset", name)
    return dataset.load(dataset.resolve_options(options, "dataset"),
                        DataContext(task=task, seed=0, base_dir=folder))


def test_a_csv_export_with_copies_passes_the_data_check(manager, tmp_path: Path) -> None:
    rows = export_rows(800, 0.07, 11)
    write_csv(tmp_path / "export.csv", rows)
    splits = load(manager, "csv", {"path": "export.csv", "test_split": 0.1}, tmp_path,
                  "text-classification")
    assert splits.held_out == ("test", "validation")
    for a, b in (("train", "validation"), ("train", "test"), ("validation", "test")):
        assert not keys(getattr(splits, a)) & keys(getattr(splits, b))
    report = check_data(splits)
    assert report.ok and "leakage" not in {f.code for f in report.findings}
    dupes = next(f for f in report.findings if f.code == "exact-duplicates")
    assert "dataset.deduplicate: true" in dupes.recommendation
    assert any("copies of one example kept on one side" in n for n in splits.notes)

    deduped = load(manager, "csv", {"path": "export.csv", "deduplicate": True}, tmp_path,
                   "text-classification")
    total = len(deduped.train) + len(deduped.validation)
    assert total == len({(example_key(r), r["label"]) for r in rows})
    assert any("dataset.deduplicate" in n for n in deduped.notes)
    assert "exact-duplicates" not in {f.code for f in check_data(deduped).findings}


def test_leakage_still_blocks_when_the_user_supplied_the_split(manager, tmp_path: Path) -> None:
    rows = export_rows(300, 0.0, 2)
    write_csv(tmp_path / "train.csv", rows)
    write_csv(tmp_path / "validation.csv", rows[:40])
    splits = load(manager, "csv", {"path": "train.csv", "validation_path": "validation.csv"},
                  tmp_path, "text-classification")
    assert splits.held_out == ()
    leakage = next(f for f in check_data(splits).findings if f.code == "leakage")
    assert leakage.severity == "blocking"


def test_regression_tagging_images_and_instructions_never_leak(manager, tmp_path: Path) -> None:
    rng = random.Random(0)
    texts = [f"{' '.join(rng.sample(WORDS, 6))} {i}" for i in range(80)]
    with (tmp_path / "scores.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "score"])
        writer.writerows([t, str(i % 5)] for i, t in enumerate(texts * 2))
    scores = load(manager, "csv", {"path": "scores.csv"}, tmp_path, "text-regression")
    assert not keys(scores.train) & keys(scores.validation)

    with (tmp_path / "tags.jsonl").open("w") as handle:
        for t in texts * 2:
            words = t.split()
            handle.write(json.dumps({"tokens": words, "tags": ["O"] * len(words)}) + "\n")
    tagged = load(manager, "tagged-jsonl", {"path": "tags.jsonl"}, tmp_path,
                  "token-classification")
    assert tagged.held_out == ("validation",)
    assert not keys(tagged.train) & keys(tagged.validation)

    with (tmp_path / "sft.jsonl").open("w") as handle:
        for t in texts * 2:
            handle.write(json.dumps({"instruction": t, "response": "ok"}) + "\n")
    sft = load(manager, "text-jsonl", {"path": "sft.jsonl"}, tmp_path, "causal-lm")
    assert not keys(sft.train) & keys(sft.validation)

    for label, colour in (("red", (255, 0, 0)), ("blue", (0, 0, 255))):
        folder = tmp_path / "images" / label
        folder.mkdir(parents=True)
        for i in range(12):
            Image.new("RGB", (8, 8), (colour[0], i * 10, colour[2])).save(folder / f"{i}.png")
            if i < 6:  # the same picture saved again under another name
                (folder / f"copy-{i}.png").write_bytes((folder / f"{i}.png").read_bytes())
    images = load(manager, "image-folder", {"path": "images", "validation_split": 0.3},
                  tmp_path, "image-classification")
    assert not keys(images.train) & keys(images.validation)
    assert len(images.train) + len(images.validation) == 36
