"""``hf-dataset``: real ``datasets`` objects built here (no network) read for every task, and a
Hub id that is not cached offline told in one message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tunekit
from datasets import ClassLabel, Dataset, DatasetDict, Features, Sequence, Value
from tunekit.data import same_text_key
from tunekit.testing import tiny_rows, train_tiny


def _context(task: str, base: Path) -> tunekit.DataContext:
    return tunekit.DataContext(task=task, seed=0, base_dir=base)


def _load(options: dict, task: str, base: Path) -> tunekit.DataSplits:
    dataset = tunekit.load_plugins().get("dataset", "hf-dataset")
    return dataset.load(dataset.resolve_options(options, "dataset"), _context(task, base))


def _reviews(folder: Path, *, with_validation: bool) -> Path:
    rows = [{"sentence": r["text"], "label": int(r["label"] == "positive")}
            for r in tiny_rows(96)]
    rows += rows[:8]  # copies, as Hub datasets have them too
    features = Features({"sentence": Value("string"),
                         "label": ClassLabel(names=["negative", "positive"])})
    parts = {"train": Dataset.from_list(rows, features=features)}
    if with_validation:
        parts["validation"] = Dataset.from_list(rows[:20], features=features)
    DatasetDict(parts).save_to_disk(str(folder))
    return folder


def test_a_save_to_disk_folder_trains_with_named_labels_and_records_its_source(
        tmp_path: Path) -> None:
    folder = _reviews(tmp_path / "reviews", with_validation=False)
    splits = _load({"path": str(folder)}, "text-classification", tmp_path)
    assert {r["label"] for r in splits.train} == {"negative", "positive"}  # ClassLabel names
    assert splits.held_out == ("validation",)
    train = {same_text_key(r["text"]) for r in splits.train}
    assert not train & {same_text_key(r["text"]) for r in splits.validation}
    run = train_tiny(dataset={"name": "hf-dataset", "path": str(folder)}, directory=tmp_path)
    assert run.status == "completed"
    assert run.summary()["data"]["source"] == str(folder)


def test_the_datasets_own_validation_split_is_used_as_given(tmp_path: Path) -> None:
    folder = _reviews(tmp_path / "reviews", with_validation=True)
    splits = _load({"path": str(folder)}, "text-classification", tmp_path)
    assert len(splits.validation) == 20 and splits.held_out == ()
    with pytest.raises(tunekit.DataError, match="no split 'dev'"):
        _load({"path": str(folder), "validation": "dev"}, "text-classification", tmp_path)


def test_tokens_with_classlabel_tags_become_bio_rows(tmp_path: Path) -> None:
    names = ["O", "B-PER", "I-PER", "B-LOC"]
    features = Features({"tokens": Sequence(Value("string")),
                         "ner_tags": Sequence(ClassLabel(names=names))})
    rows = [{"tokens": ["Ada", "Lovelace", "visited", "Paris", str(i)],
             "ner_tags": [1, 2, 0, 3, 0]} for i in range(40)]
    Dataset.from_list(rows, features=features).save_to_disk(str(tmp_path / "ner"))
    splits = _load({"path": str(tmp_path / "ner")}, "token-classification", tmp_path)
    assert splits.train[0]["tags"] == ["B-PER", "I-PER", "O", "B-LOC", "O"]
    assert len(splits.train) + len(splits.validation) == 40


def test_instruction_records_from_a_parquet_file_through_load_dataset(tmp_path: Path) -> None:
    rows = [{"instruction": f"Say {w}", "response": w, "id": i}
            for i, w in enumerate(["hello", "yes", "no", "maybe"] * 10)]
    Dataset.from_list(rows).to_parquet(str(tmp_path / "chat.parquet"))
    splits = _load({"path": "chat.parquet"}, "causal-lm", tmp_path)  # relative: base_dir
    assert set(splits.train[0]) == {"instruction", "response"}
    regression = [{"text": f"rated {i}", "score": i / 10} for i in range(40)]
    Dataset.from_list(regression).to_json(str(tmp_path / "scores.jsonl"))
    splits = _load({"path": "scores.jsonl", "text_column": "text", "label_column": "score"},
                   "text-regression", tmp_path)
    assert all(isinstance(r["label"], float) for r in splits.train)


def test_images_are_written_once_as_files(tmp_path: Path) -> None:
    from datasets import Image as ImageFeature
    from PIL import Image

    pictures = [Image.new("RGB", (8, 8), color) for color in ("red", "blue") for _ in range(6)]
    features = Features({"image": ImageFeature(), "label": ClassLabel(names=["red", "blue"])})
    Dataset.from_dict({"image": pictures, "label": [0] * 6 + [1] * 6},
                      features=features).save_to_disk(str(tmp_path / "pics"))
    splits = _load({"path": str(tmp_path / "pics")}, "image-classification", tmp_path)
    rows = splits.train + splits.validation
    assert {r["label"] for r in rows} == {"red", "blue"}
    assert all(Path(r["image"]).is_file() for r in rows)
    # identical pictures are one file, and copies stay on one side of the split
    assert len({r["image"] for r in rows}) == 2


def test_a_missing_column_names_the_columns_there_are(tmp_path: Path) -> None:
    folder = _reviews(tmp_path / "reviews", with_validation=False)
    with pytest.raises(tunekit.DataError, match="columns: sentence, label"):
        _load({"path": str(folder), "text_column": "body"}, "text-classification", tmp_path)


def test_a_hub_id_that_is_not_cached_offline_is_one_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf-home")}
    done = subprocess.run(
        [sys.executable, "-m", "tunekit", "run", "--set", "dataset.name=hf-dataset",
         "--set", "dataset.path=someone/reviews-that-are-not-here"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "not in the Hugging Face cache" in done.stderr
    assert "Traceback" not in done.stderr
