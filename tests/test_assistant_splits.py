"""Which file is for what: a second or third file's role said in words (or turned down), a
folder that holds its own train / validation / test splits, a held-out share or a file said
inside a question, a dataset's Hub id next to a bare name, and a local model folder.

Each table holds phrasings written for the cause, not the request sets' words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from assistant_talk import talk
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


def _table(path: Path, start: int, count: int) -> None:
    topics = ("late delivery of order {i}", "refund for order {i} please",
              "cannot log in to account {i}")
    labels = ("shipping", "billing", "account")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("message,topic\n" + "".join(
        f"{topics[i % 3].format(i=i)},{labels[i % 3]}\n" for i in range(start, start + count)),
        encoding="utf-8")


def _images(root: Path, classes: tuple[str, ...], count: int) -> None:
    from PIL import Image

    for k, label in enumerate(classes):
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            Image.new("RGB", (12, 12), (40 * k, 9 * i, 90)).save(root / label / f"{i}.png")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tables, image folders with and without split subfolders, a corpus, a model folder."""
    root = tmp_path_factory.mktemp("splits")
    _table(root / "orders.csv", 0, 30)
    _table(root / "orders_extra.csv", 100, 9)
    _table(root / "orders_more.csv", 200, 9)
    _table(root / "orders_val.csv", 300, 9)
    _table(root / "orders_test.csv", 400, 9)
    for split in ("train", "val"):
        _images(root / "plants" / split, ("fern", "moss"), 4)
    for split in ("train", "valid", "test"):
        _images(root / "fungi" / split, ("cap", "cup", "coral"), 3)
    for split in ("training", "validation"):
        _images(root / "gems" / split, ("ruby", "opal"), 3)
    _images(root / "pebbles", ("round", "flat"), 5)
    for name in ("train", "validation", "test"):
        _table(root / "tabledir" / f"{name}.csv", 500 + 40 * len(name), 12)
    (root / "manual.txt").write_text("Greet every visitor.\nOffer them tea.\n\nClose the shop "
                                     "at six.\nCount the till twice.\n", encoding="utf-8")
    for name in ("vit-small", "convnext"):
        model = root / "mymodels" / name
        model.mkdir(parents=True)
        (model / "config.json").write_text('{"model_type": "vit"}', encoding="utf-8")
    return root


# ---------------------------------------------------------------- a second file's role

ROLES = [
    # (message, test_path, validation_path)
    ("fit on orders.csv; orders_extra.csv is the held-out test set", "orders_extra.csv", None),
    ("use orders.csv for training, report the final numbers on orders_extra.csv",
     "orders_extra.csv", None),
    ("orders.csv to train. never look at orders_extra.csv until the very end",
     "orders_extra.csv", None),
    ("train on orders.csv, orders_val.csv is only for the final evaluation, not for "
     "validation", "orders_val.csv", None),
    ("learn from orders.csv and keep orders_extra.csv untouched for a final check",
     "orders_extra.csv", None),
    ("orders.csv is for learn, orders_extra.csv is for the test at end", "orders_extra.csv",
     None),
    ("train on orders.csv, early stopping on orders_extra.csv", None, "orders_extra.csv"),
    ("orders.csv for training and orders_extra.csv to evaluate during training", None,
     "orders_extra.csv"),
    ("train with orders.csv, dev set orders_extra.csv, test set orders_more.csv",
     "orders_more.csv", "orders_extra.csv"),
    ("train on orders.csv; orders_test.csv is not for testing, validate on it", None,
     "orders_test.csv"),
    ("train on orders.csv and validaton on orders_extra.csv, then final scores on "
     "orders_more.csv", "orders_more.csv", "orders_extra.csv"),
    ("orders.csv for training, orders_val.csv for validation", None, "orders_val.csv"),
    ("train on orders.csv. don't use orders_extra.csv for validation, it's my test set",
     "orders_extra.csv", None),
    ("orders.csv for training; orders_extra.csv is for picking the best epoch", None,
     "orders_extra.csv"),
    ("orders.csv + orders_extra.csv (hyperparameter tuning) + orders_more.csv (final report)",
     "orders_more.csv", "orders_extra.csv"),
    ("orders.csv, and orders_val.csv is not validation, it is the test", "orders_val.csv", None),
    ("fit orders.csv, use orders_extra.csv only once at the end to report accuracy",
     "orders_extra.csv", None),
    ("train on orders.csv and orders_extra.csv", None, None),
]


@pytest.mark.parametrize("message, test, validation", ROLES, ids=[r[0][:50] for r in ROLES])
def test_a_second_files_role_is_read_from_its_words(plugins: Any, folder: Path, message: str,
                                                    test: str | None,
                                                    validation: str | None) -> None:
    spec, said = talk(plugins, folder, message)
    assert spec["dataset"]["path"] == "orders.csv", said
    assert spec["dataset"].get("test_path") == test, said
    assert spec["dataset"].get("validation_path") == validation, said


# ---------------------------------------------------------------- a folder with its own splits

SPLIT_FOLDERS = [
    # (message, path, validation_path, test_path)
    ("classify the pictures in plants", "plants/train", "plants/val", None),
    ("fungi folder: tell the species apart", "fungi/train", "fungi/valid", "fungi/test"),
    ("train an image classifier on ./plants/", "./plants/train", "./plants/val", None),
    ("image classification on gems, it has training/ and validation/ inside",
     "gems/training", "gems/validation", None),
    ("use plants (train and val folders inside) to classify ferns and moss", "plants/train",
     "plants/val", None),
    ("classify the topic of each message in tabledir", "tabledir/train.csv",
     "tabledir/validation.csv", "tabledir/test.csv"),
]


@pytest.mark.parametrize("message, path, validation, test", SPLIT_FOLDERS,
                         ids=[s[0][:50] for s in SPLIT_FOLDERS])
def test_a_folder_of_splits_gives_each_split_its_place(plugins: Any, folder: Path,
                                                       message: str, path: str,
                                                       validation: str | None,
                                                       test: str | None) -> None:
    spec, said = talk(plugins, folder, message)
    assert spec["dataset"]["path"] == path, said
    assert spec["dataset"].get("validation_path") == validation, said
    assert spec["dataset"].get("test_path") == test, said
    assert validation in said  # the reply says where the validation split comes from


def test_a_folder_of_classes_alone_is_still_the_data(plugins: Any, folder: Path) -> None:
    spec, said = talk(plugins, folder, "classify pebbles")
    assert spec["dataset"]["path"] == "pebbles", said
    assert "validation_path" not in spec["dataset"], said


# ---------------------------------------------------------------- settings said in a question

IN_A_QUESTION = [
    # (message, path, field, value)
    ("would 30 rows be too few? orders.csv, hold back 25% of them for validation",
     "orders.csv", "validation_split", 0.25),
    ("can a model learn from so little? orders.csv - use 15 percent of it for validation",
     "orders.csv", "validation_split", 0.15),
    ("orders.csv: is it ok to keep 10% of the rows for testing?", "orders.csv", "test_split",
     0.1),
    ("should I set aside 20% of it as validation with orders.csv?", "orders.csv",
     "validation_split", 0.2),
    ("how long will it take on orders.csv if I keep 25% of it for validation?", "orders.csv",
     "validation_split", 0.25),
    ("are 5 pictures per class enough? pebbles, and keep 40% of it for validation",
     "pebbles", "validation_split", 0.4),
    ("is it good idea to use 10 percent of orders.csv for test?", "orders.csv", "test_split",
     0.1),
    ("pebbles: can the model see 25% of it as validation only?", "pebbles",
     "validation_split", 0.25),
]


def test_a_share_asked_about_in_a_later_turn_is_taken(plugins: Any, folder: Path) -> None:
    spec, said = talk(plugins, folder, "orders.csv",
                      "would holding out 30% for validation be too much?")
    assert spec["dataset"]["validation_split"] == pytest.approx(0.3), said


@pytest.mark.parametrize("message, path, field, value", IN_A_QUESTION,
                         ids=[q[0][:50] for q in IN_A_QUESTION])
def test_settings_inside_a_question_are_read(plugins: Any, folder: Path, message: str,
                                            path: str, field: str, value: float) -> None:
    spec, said = talk(plugins, folder, message)
    assert spec["dataset"]["path"] == path, said
    assert spec["dataset"][field] == pytest.approx(value), said


def test_a_question_of_how_much_data_is_answered_beside_the_settings(plugins: Any,
                                                                   folder: Path) -> None:
    spec, said = talk(plugins, folder, "are 5 pictures per class enough? pebbles, and keep "
                                       "40% of it for validation")
    assert "per class" in said, said  # the data-size note, not the generic pointer
    assert "Tell me what to train on" not in said, said


QUESTION_ONLY = [
    # (message, task, path, model)
    ("could gpt2 learn from manual.txt?", "causal-lm", "manual.txt", "gpt2"),
    ("can distilgpt2 be fine-tuned on manual.txt?", "causal-lm", "manual.txt", "distilgpt2"),
    ("would orders.csv work for training a classifier?", "text-classification", "orders.csv",
     None),
    ("is orders.csv big enough to fine-tune roberta-base?", "text-classification",
     "orders.csv", "roberta-base"),
    ("how well would distilbert do on orders.csv?", "text-classification", "orders.csv",
     "distilbert-base-uncased"),
    ("what accuracy can I expect from orders.csv", "text-classification", "orders.csv", None),
]


@pytest.mark.parametrize("message, task, path, model", QUESTION_ONLY,
                         ids=[q[0][:50] for q in QUESTION_ONLY])
def test_a_question_naming_a_file_takes_the_file_and_the_model(plugins: Any, folder: Path,
                                                               message: str, task: str,
                                                               path: str,
                                                               model: str | None) -> None:
    spec, said = talk(plugins, folder, message)
    assert spec["task"] == task, said
    assert spec["dataset"]["path"] == path, said
    assert spec["backbone"].get("model") == model, said


@pytest.mark.parametrize("message", [
    "is roberta-base better than bert for orders.csv?",
    "should I use gpt2 or distilgpt2 on manual.txt?",
])
def test_models_compared_in_a_question_are_not_chosen(plugins: Any, folder: Path,
                                                      message: str) -> None:
    spec, said = talk(plugins, folder, message)
    assert spec["dataset"]["path"] in ("orders.csv", "manual.txt"), said  # the file is used
    assert (spec.get("backbone") or {}).get("model") is None, said


def test_a_question_with_no_file_changes_nothing(plugins: Any, folder: Path) -> None:
    assistant = Assistant(plugins, base_dir=folder)
    before = assistant.spec()
    assistant.respond("what is lora and would distilgpt2 suit it?")
    assert assistant.spec() == before


# ---------------------------------------------------------------- a Hub id with its owner

HUB_IDS = [
    # (message, path, model)
    ("classify sentiment with the imdb data (stanfordnlp/imdb on the hub)", "stanfordnlp/imdb",
     None),
    ("sentiment on the dataset stanfordnlp/sst2 with bert", "stanfordnlp/sst2",
     "bert-base-uncased"),
    ("train distilbert on data from hf.co/datasets/fancyzhx/ag_news", "fancyzhx/ag_news",
     "distilbert-base-uncased"),
    ("use the ag_news hub dataset, i.e. fancyzhx/ag_news, and roberta-base as the model",
     "fancyzhx/ag_news", "roberta-base"),
    ("tag entities on tner/wnut2017 from the hub with dslim/bert-base-NER as the model",
     "tner/wnut2017", "dslim/bert-base-NER"),
    ("wikiann from hugging face (full id unimelb-nlp/wikiann), config en, tag the entities",
     "unimelb-nlp/wikiann", None),
    ("dataset: eriktks/conll2003, tag entities", "eriktks/conll2003", None),
    ("the dataset is eriktks/conll2003, NER", "eriktks/conll2003", None),
    ("NER using the eriktks/conll2003 dataset and dslim/bert-base-NER", "eriktks/conll2003",
     "dslim/bert-base-NER"),
]


@pytest.mark.parametrize("message, path, model", HUB_IDS, ids=[h[0][:50] for h in HUB_IDS])
def test_an_owner_and_name_next_to_data_words_is_the_data(plugins: Any, tmp_path: Path,
                                                          message: str, path: str,
                                                          model: str | None) -> None:
    spec, said = talk(plugins, tmp_path, message)
    assert spec["dataset"]["path"] == path, said
    assert spec["backbone"].get("model") == model, said


# ---------------------------------------------------------------- a local model folder

MODEL_FOLDERS = [
    ("classify pebbles with mymodels/vit-small. don't flip the images", {"flip": False}),
    ("sort pebbles using mymodels/vit-small, no augmentation", {"augment": False}),
    ("pebbles, backbone at mymodels/vit-small.", {}),
    ("train on pebbles starting from mymodels/vit-small; 3 epochs", {}),
    ("mymodels/vit-small on pebbles please.", {}),
    ("classify pebbles with mymodels/convnext. keep the flips", {"flip": True}),
]


@pytest.mark.parametrize("message, options", MODEL_FOLDERS,
                         ids=[m[0][:50] for m in MODEL_FOLDERS])
def test_a_local_model_folder_is_the_backbone(plugins: Any, folder: Path, message: str,
                                              options: dict) -> None:
    spec, said = talk(plugins, folder, message)
    assert spec["dataset"]["path"] == "pebbles", said
    assert spec["backbone"].get("model", "").startswith("mymodels/"), said
    for key, value in options.items():
        assert spec["dataset"][key] == value, (key, said)
