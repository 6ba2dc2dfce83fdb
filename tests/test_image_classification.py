"""image-classification end to end: the transforms, the image datasets and their bad input,
layer groups of each vision family, a real run through the CLI, loading a local checkpoint
with ``hf``, and prediction."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch
from exported import demo_answer, onnx_parity, predict_json
from PIL import Image
from tunekit.components import DataContext, ModelRequest
from tunekit.errors import DataError
from tunekit.images import (
    Preprocessing,
    augment,
    colour_jitter,
    horizontal_flip,
    random_resized_crop,
)
from tunekit.layers import default_layer_groups
from tunekit.plugins.datasets import images as image_data
from tunekit.registry import Registry
from tunekit.tasks import get_task
from tunekit.testing import tiny_image_model, train_tiny

TASK = "image-classification"


def folder_options(path: Path, **more: object) -> dict:
    return {"path": str(path), "validation_path": None, "test_path": None,
            "validation_split": 0.25, "test_split": 0.0, "augment": True, "flip": True, **more}


def context(base: Path) -> DataContext:
    return DataContext(task=TASK, seed=0, base_dir=base)


def write_classes(root: Path, classes=("red", "blue"), per_class: int = 4) -> Path:
    colours = {"red": (220, 20, 20), "blue": (20, 20, 220), "green": (20, 200, 20)}
    for name in classes:
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            Image.new("RGB", (20 + i, 16), colours[name]).save(root / name / f"{i}.png")
    return root


def tiny(architecture: str, labels=("a", "b", "c")):
    return tiny_image_model(labels, architecture=architecture)


# ---------------------------------------------------------------- transforms


def test_augmentations_keep_the_shape_follow_the_seed_and_vary_between_draws():
    image = torch.rand(3, 32, 24)
    for transform in (random_resized_crop, horizontal_flip, colour_jitter, augment):
        torch.manual_seed(7)
        first = transform(image)
        torch.manual_seed(7)
        again = transform(image)
        assert first.shape == image.shape
        assert torch.equal(first, again)
    torch.manual_seed(7)
    draws = [augment(image) for _ in range(4)]
    assert any(not torch.equal(draws[0], d) for d in draws[1:])
    assert all(0 <= float(d.min()) and float(d.max()) <= 1 for d in draws)
    torch.manual_seed(0)  # the flip mirrors exactly, or leaves the image alone
    flips = [horizontal_flip(image) for _ in range(8)]
    assert any(torch.equal(f, image.flip(-1)) for f in flips)
    assert any(torch.equal(f, image) for f in flips)


def test_preprocessing_reads_each_processor_family(tmp_path):
    path = tmp_path / "wide.png"
    Image.new("RGB", (64, 40), (255, 0, 0)).save(path)
    vit, resnet = Preprocessing.of(tiny("vit").tokenizer), Preprocessing.of(
        tiny("resnet").tokenizer)
    assert vit.resize == ("exact", 32, 32) and vit.crop == (32, 32)
    assert resnet.resize == ("shortest", 36) and resnet.crop == (32, 32)  # 32 / 0.875
    for prepare in (vit, resnet):
        pixels = prepare.load(path)
        assert pixels.shape == (3, 32, 32) and pixels.dtype == torch.uint8
        normal = prepare.normalize(pixels.float().unsqueeze(0) / 255)
        assert torch.allclose(normal[0, 0], torch.ones(32, 32))  # red at full: (1-.5)/.5


def test_training_batches_are_augmented_evaluation_batches_never(tmp_path):
    task, built = get_task(TASK), tiny("vit", ("blue", "red"))
    rows = [{"image": str(p), "label": p.parent.name}
            for p in sorted(write_classes(tmp_path).rglob("*.png"))]
    features = task.encode(rows, built, {"blue": 0, "red": 1}, 1)
    plain = task.collate(features, built, train=False)
    assert plain["pixel_values"].shape == (8, 3, 32, 32)
    assert plain["labels"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert torch.equal(plain["pixel_values"], task.collate(features, built,
                                                           train=False)["pixel_values"])
    torch.manual_seed(1)
    trained = task.collate(features, built, train=True)["pixel_values"]
    assert not torch.equal(trained, plain["pixel_values"])
    still = task.encode([{**r, "augment": []} for r in rows], built, {"blue": 0, "red": 1}, 1)
    assert torch.equal(task.collate(still, built, train=True)["pixel_values"],
                       plain["pixel_values"])


# ---------------------------------------------------------------- datasets and bad input


def test_image_folder_reads_classes_notes_strays_and_splits(tmp_path):
    root = write_classes(tmp_path / "data", per_class=6)
    (root / "red" / "notes.txt").write_text("not an image")
    (root / "empty").mkdir()
    splits = image_data.load_folder(folder_options(root, flip=False), context(tmp_path))
    assert len(splits.train) + len(splits.validation) == 12
    assert {r["label"] for r in splits.validation} == {"red", "blue"}
    assert all(r["augment"] == ["crop", "jitter"] for r in splits.train)
    assert "augment" not in splits.validation[0]
    said = " ".join(splits.notes)
    assert "notes.txt" in said and "empty" in said


def test_a_zip_is_extracted_and_read_like_its_folder(tmp_path):
    root = write_classes(tmp_path / "shapes")
    archive = tmp_path / "shapes.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(root.rglob("*.png")):
            bundle.write(path, path.relative_to(tmp_path))  # shapes/red/0.png: one level down
    splits = image_data.load_folder(folder_options(Path("shapes.zip")), context(tmp_path))
    assert sorted({r["label"] for r in splits.train}) == ["blue", "red"]
    assert all(Path(r["image"]).is_file() for r in splits.train + splits.validation)


@pytest.mark.parametrize("member, said", [("../evil.png", "outside the folder"),
                                          ("/abs/evil.png", "outside the folder"),
                                          ("link", "symbolic link")])
def test_a_zip_that_would_escape_its_folder_is_refused(tmp_path, member, said):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("ok/red/0.png", b"x")
        info = zipfile.ZipInfo(member)
        if member == "link":
            info.external_attr = (0o120777 << 16)
        bundle.writestr(info, b"target")
    with pytest.raises(DataError) as caught:
        image_data.load_folder(folder_options(archive), context(tmp_path))
    assert said in caught.value.message and str(archive) in caught.value.where
    assert not (tmp_path.parent / "evil.png").exists()


def test_bad_image_folders_get_one_clear_message(tmp_path):
    task = get_task(TASK)
    root = write_classes(tmp_path / "corrupt")
    (root / "red" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DataError) as caught:
        image_data.load_folder(folder_options(root), context(tmp_path))
    assert caught.value.where.endswith("broken.png") and "not a readable image" in str(
        caught.value)

    one = write_classes(tmp_path / "one", classes=("red",))
    splits = image_data.load_folder(folder_options(one), context(tmp_path))
    with pytest.raises(DataError, match="only one class"):
        task.labels(splits, str(one))

    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no images in class folders") as caught:
        image_data.load_folder(folder_options(tmp_path / "empty"), context(tmp_path))
    assert caught.value.hint and "FOLDER/cat" in caught.value.hint
    with pytest.raises(DataError, match="no such folder"):
        image_data.load_folder(folder_options(tmp_path / "missing"), context(tmp_path))


def test_sample_shapes_are_drawn_once_and_the_same_every_time(tmp_path):
    options = {"n": 24, "size": 32, "classes": 4, "seed": 3, "validation_split": 0.25,
               "test_split": 0.0, "augment": True, "flip": True}
    first = image_data.load_shapes(options, context(tmp_path))
    again = image_data.load_shapes(options, context(tmp_path))
    assert first.train == again.train
    assert sorted({r["label"] for r in first.train}) == ["circle", "cross", "square",
                                                         "triangle"]
    image = Path(first.train[0]["image"])
    assert Image.open(image).size == (32, 32)
    redrawn = image_data.draw_shape("circle", 32, __import__("random").Random(5))
    assert redrawn.tobytes() == image_data.draw_shape(
        "circle", 32, __import__("random").Random(5)).tobytes()


# ---------------------------------------------------------------- layer groups


@pytest.mark.parametrize("architecture, word", [("vit", "block"), ("resnet", "stage"),
                                                ("convnext", "stage")])
def test_layer_groups_of_each_vision_family(architecture, word):
    model = tiny(architecture).model
    groups = default_layer_groups(model)
    names = [g.name for g in groups]
    assert names == ["embeddings", f"{word} 0", f"{word} 1", "head"]
    assert any("classifier" in n for n, _ in groups[-1].params)
    assert sum(len(g.params) for g in groups) == len(list(model.parameters()))


def test_layer_groups_of_a_convnext_with_a_long_stage_are_its_stages():
    import transformers

    config = transformers.ConvNextConfig(num_stages=3, hidden_sizes=[8, 8, 8],
                                         depths=[1, 4, 1], num_labels=2)
    groups = default_layer_groups(transformers.ConvNextForImageClassification(config))
    assert [g.name for g in groups] == ["embeddings", "stage 0", "stage 1", "stage 2", "head"]


@pytest.fixture(scope="module")
def vit_run(tmp_path_factory):
    """One short real run of tiny-vit on sample-shapes, with augmentation and gradual
    unfreezing (head, then block 1, then block 0...)."""
    return train_tiny(task=TASK, dataset={"name": "sample-shapes", "n": 48},
                      backbone="tiny-vit", strategy={"name": "gradual"},
                      training={"epochs": 2, "batch_size": 8, "learning_rate": 3e-3,
                                "early_stopping": None},
                      metrics=["accuracy", "confusion-matrix"],
                      directory=tmp_path_factory.mktemp("vit"))


def test_freeze_strategies_train_what_they_say_on_vision_models(vit_run):
    assert vit_run.status == "completed"
    changes = [e.data.get("change") for e in vit_run.events if e.kind == "epoch_start"]
    assert changes[0] == "training head only" and changes[1].startswith("unfroze block 1")
    assert "top_k_accuracy" in vit_run.metrics
    from tunekit.components import StrategyContext
    from tunekit.plugins.strategies import freeze_bottom, head_only

    for architecture in ("resnet", "convnext"):
        model = tiny(architecture).model
        groups = default_layer_groups(model)
        plan = head_only.apply(model, {}, StrategyContext(task=TASK, epochs=1,
                                                          layer_groups=groups))
        trainable = {n for n, p in model.named_parameters() if p.requires_grad}
        assert trainable == {n for n, _ in groups[-1].params}
        assert plan.frozen_modules
        freeze_bottom.apply(model, {"layers": 1}, StrategyContext(
            task=TASK, epochs=1, layer_groups=groups))
        trainable = {n for n, p in model.named_parameters() if p.requires_grad}
        assert trainable == {n for g in groups[2:] for n, _ in g.params}


# ---------------------------------------------------------------- end to end, the CLI

SPEC = """\
task: image-classification
dataset: {name: sample-shapes, n: 240, augment: false}
backbone: tiny-resnet
strategy: full
training: {epochs: 8, batch_size: 16, learning_rate: 0.01, early_stopping: null}
metrics: [accuracy, confusion-matrix]
exporters: [huggingface, {name: onnx, exporter: torchscript}, gradio-demo]
"""


@pytest.fixture(scope="module")
def resnet_run(tmp_path_factory):
    """One real run of tiny-resnet on sample-shapes through the ``tunekit`` command, in a
    process of its own: (the finished process, its folder)."""
    folder = tmp_path_factory.mktemp("resnet")
    (folder / "spec.yaml").write_text(SPEC)
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(
        "from tunekit.testing import register_backbones  # the tiny test backbones\n")
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    environment.pop("TUNEKIT_PLUGINS_DIR", None)
    done = subprocess.run([sys.executable, "-m", "tunekit.ui.cli", "run", "spec.yaml",
                           "--plugins-dir", "plugins", "--registry", "registry.db", "--quiet"],
                          cwd=folder, env=environment, capture_output=True, text=True,
                          timeout=300)
    return done, folder


def test_a_resnet_learns_the_shapes_through_the_cli(resnet_run):
    done, folder = resnet_run
    assert done.returncode == 0, done.stderr + done.stdout
    run = Registry.open(folder / "registry.db").runs()[0]
    assert run.status == "completed"
    metrics = json.loads(run.metrics_json)
    assert metrics["accuracy"] >= 0.8  # chance is 1/3
    assert metrics["top_k_accuracy"] >= metrics["accuracy"]
    matrix = json.loads(run.details_json)["validation"]["confusion_matrix"]
    assert matrix["labels"] == ["circle", "square", "triangle"]
    assert sum(map(sum, matrix["matrix"])) == 48


def test_the_resnet_exports_reloads_and_names_the_shape_of_a_new_image(resnet_run, capsys):
    from tunekit.plugins.datasets.images import draw_shape

    done, folder = resnet_run
    assert done.returncode == 0, done.stderr + done.stdout
    registry = Registry.open(folder / "registry.db")
    assert onnx_parity(registry, 1)["argmax_agreement"] == 1.0
    image = folder / "new-square.png"
    draw_shape("square", 32, random.Random(7)).save(image)  # one the run never drew
    [answer] = predict_json(capsys, folder, 1, str(image))
    shapes = {"circle", "square", "triangle"}
    assert answer["input"] == str(image) and answer["label"] in shapes
    assert [t["label"] for t in answer["top"]][0] == answer["label"]
    assert {t["label"] for t in answer["top"]} == shapes
    scores = demo_answer(registry, 1)(Image.open(image))
    assert set(scores) == shapes and abs(sum(scores.values()) - 1) < 1e-4
    assert max(scores, key=scores.get) == answer["label"]  # the demo sees it as predict does


# ---------------------------------------------------------------- hf and predict


def test_hf_loads_a_local_vit_and_predicts_images_and_folders(tmp_path):
    from tunekit.plugins.backbones.transformers_models import build_model

    saved = tiny("vit", ("blue", "red"))
    saved.model.save_pretrained(tmp_path / "vit")
    saved.tokenizer.save_pretrained(tmp_path / "vit")
    built = build_model(str(tmp_path / "vit"), ModelRequest(task=TASK, labels=["blue", "red"]),
                        local_only=True)
    assert Preprocessing.of(built.tokenizer) == Preprocessing.of(saved.tokenizer)
    for (name, a), b in zip(saved.model.state_dict().items(),
                            built.model.state_dict().values(), strict=True):
        assert torch.equal(a, b), name

    task = get_task(TASK)
    root = write_classes(tmp_path / "images")
    inputs = task.read_inputs(str(root))
    assert len(inputs) == 8 and task.read_inputs(inputs[0]) == [inputs[0]]
    answers = task.predict(built.model, built, inputs, ["blue", "red"], 1)
    assert [a["input"] for a in answers] == inputs
    for answer in answers:
        assert answer["label"] == answer["top"][0]["label"]
        assert abs(sum(t["score"] for t in answer["top"]) - 1) < 1e-4
    with pytest.raises(DataError, match="not an image file"):
        task.read_inputs(str(tmp_path / "vit" / "config.json"))
    with pytest.raises(DataError, match="no images"):
        task.read_inputs(str(tmp_path / "vit"))
