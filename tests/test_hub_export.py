"""Export folders ready for the Hugging Face Hub, loaded back the way the Hub's users load them.

Two real runs: tiny-bert with LoRA (no Hub id: a model built from a config), exporting the
huggingface folder, the adapter, the ONNX graph and the model card; and the bundled MiniLM
with LoRA, whose weights are ``sentence-transformers/all-MiniLM-L6-v2`` on the Hub, exporting
the adapter and the merged folder. Every README.md is parsed by ``huggingface_hub.ModelCard``;
the folders are opened by transformers' pipeline, peft, onnxruntime and AutoTokenizer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from tunekit.testing import train_tiny

LABELS = ["negative", "positive"]
# like the tiny data: filler words and one word of the class
TEXTS = ["the movie was really great", "the food was quite awful", "it was very dull",
         "the service was lovely"]
MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return train_tiny(strategy={"name": "lora", "r": 4},
                      dataset={"name": "tiny-text", "n": 120, "test_split": 0.2},
                      training={"epochs": 2, "learning_rate": 1e-2},
                      metrics=["accuracy", "f1"],
                      exporters=["huggingface", "adapter", {"name": "onnx", "examples": 8},
                                 {"name": "model-card", "license": "mit"}],
                      directory=tmp_path_factory.mktemp("hub-tiny"))


@pytest.fixture(scope="module")
def minilm_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return train_tiny(backbone={"name": "minilm-l6"}, strategy={"name": "lora", "r": 4},
                      dataset={"name": "tiny-text", "n": 40},
                      training={"epochs": 2, "learning_rate": 5e-3, "max_length": 16},
                      exporters=["adapter", "huggingface"],
                      directory=tmp_path_factory.mktemp("hub-minilm"))


def folder_of(run: Any, exporter: str) -> Path:
    path = Path(next(a["path"] for a in run.artifacts if a["exporter"] == exporter))
    return path if path.is_dir() else path.parent


def card_of(folder: Path) -> Any:
    from huggingface_hub import ModelCard

    return ModelCard.load(folder / "README.md")


def scores(card: Any, split: str) -> dict[str, float]:
    """The model-index metrics of one split, as huggingface_hub reads them back."""
    return {r.metric_type: r.metric_value for r in card.data.eval_results
            if r.dataset_split == split}


# ---------------------------------------------------------------- the huggingface folder


def test_the_folder_loads_in_a_pipeline_that_answers_with_label_names(tiny_run: Any) -> None:
    from transformers import pipeline

    assert tiny_run.status == "completed"
    folder = folder_of(tiny_run, "huggingface")
    config = json.loads((folder / "config.json").read_text())
    assert config["id2label"] == {"0": "negative", "1": "positive"}
    assert config["label2id"] == {"negative": 0, "positive": 1}
    classify = pipeline("text-classification", model=str(folder), device="cpu", top_k=None)
    for answer in classify(TEXTS):
        assert sorted(a["label"] for a in answer) == LABELS  # names, not LABEL_0


def test_the_labels_are_named_even_where_the_backbone_left_placeholders(
        tmp_path: Path) -> None:
    """A backbone may build its head without names (transformers' LABEL_0, LABEL_1): the
    exported config.json gets the run's labels all the same."""
    import tunekit
    from transformers import AutoConfig
    from tunekit.testing import manager_with, plugin_of, tiny_model

    def build(options: dict[str, Any], request: tunekit.ModelRequest) -> tunekit.BuiltModel:
        built = tiny_model(request.labels)
        config = built.model.config
        config.id2label = {i: f"LABEL_{i}" for i in range(len(request.labels))}
        config.label2id = {name: i for i, name in config.id2label.items()}
        return built

    backbone = tunekit.Backbone(name="nameless-bert", description="tiny-bert, its outputs "
                                "unnamed", tasks=(tunekit.TEXT_CLASSIFICATION,), build=build)
    run = train_tiny(manager=manager_with(plugin_of(backbone)), backbone="nameless-bert",
                     exporters=["huggingface", "safetensors"], directory=tmp_path)
    assert run.status == "completed"
    for exporter in ("huggingface", "safetensors"):
        config = AutoConfig.from_pretrained(folder_of(run, exporter))
        assert config.id2label == {0: "negative", 1: "positive"}, exporter
        assert config.label2id == {"negative": 0, "positive": 1}, exporter


def test_a_model_that_learned_answers_with_the_right_names(minilm_run: Any) -> None:
    from transformers import pipeline

    assert minilm_run.metrics["accuracy"] == 1.0  # MiniLM learns the tiny data in two epochs
    classify = pipeline("text-classification", model=str(folder_of(minilm_run, "huggingface")),
                        device="cpu")
    # the names in the order of the outputs, not shuffled
    assert [a["label"] for a in classify(TEXTS)] == ["positive", "negative", "negative",
                                                      "positive"]


def test_the_card_carries_the_runs_metrics_in_its_model_index(tiny_run: Any) -> None:
    card = card_of(folder_of(tiny_run, "huggingface"))
    data = card.data
    assert data.pipeline_tag == "text-classification"
    assert data.library_name == "transformers"
    assert "tunekit" in data.tags and "text-classification" in data.tags
    assert data.base_model is None  # tiny-bert is built from a config: no Hub id to name
    assert data.license is None  # and no licence that the card could claim
    record = tiny_run.record()
    assert scores(card, "validation") == pytest.approx(record.metrics, abs=0, rel=1e-12)
    assert set(scores(card, "validation")) == {"loss", "accuracy", "f1"}
    assert scores(card, "test") == pytest.approx(json.loads(record.test_metrics_json),
                                                 abs=0, rel=1e-12)
    assert {r.task_type for r in data.eval_results} == {"text-classification"}
    assert card.data.to_dict()["model-index"][0]["name"] == \
        f"tiny-bert-text-classification-tunekit-run-{tiny_run.result.run_id}"
    assert "## How to use" in card.text and 'pipeline("text-classification"' in card.text


def test_the_model_card_exporter_writes_the_same_card_with_the_licence_asked(
        tiny_run: Any) -> None:
    alone = card_of(folder_of(tiny_run, "model-card"))
    inside = card_of(folder_of(tiny_run, "huggingface"))
    assert alone.data.license == "mit"
    assert scores(alone, "validation") == scores(inside, "validation")
    same = ("## Intended use", "## Training data", "## Training procedure", "## Evaluation")
    for heading in same:
        assert alone.text.split(heading)[1].split("## ")[0] == \
            inside.text.split(heading)[1].split("## ")[0], heading


# ---------------------------------------------------------------- the adapter


def test_an_adapter_of_a_hub_backbone_names_it_by_its_hub_id(minilm_run: Any) -> None:
    assert minilm_run.status == "completed"
    folder = folder_of(minilm_run, "adapter")
    settings = json.loads((folder / "adapter_config.json").read_text())
    assert settings["base_model_name_or_path"] == MINILM
    card = card_of(folder)
    assert card.data.base_model == MINILM
    assert card.data.license == "apache-2.0"  # the bundled weights' licence
    assert card.data.library_name == "peft"
    assert "[More Information Needed]" not in card.text  # peft's unfilled template is gone
    # the usage loads the base from the Hub by the id adapter_config.json names
    assert "AutoPeftModelForSequenceClassification.from_pretrained(" in card.text
    assert (folder / "tokenizer.json").is_file() and (folder / "tokenizer_config.json").is_file()
    assert json.loads((folder / "labels.json").read_text())["labels"] == LABELS
    merged = card_of(folder_of(minilm_run, "huggingface"))
    assert merged.data.base_model == MINILM and merged.data.library_name == "transformers"


def test_the_adapter_on_the_bundled_base_gives_the_merged_models_logits(minilm_run: Any) -> None:
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from tunekit.plugins.backbones.minilm import model_folder

    folder = folder_of(minilm_run, "adapter")
    tokenizer = AutoTokenizer.from_pretrained(folder)  # the adapter folder's own tokenizer
    batch = dict(tokenizer(TEXTS, padding=True, return_tensors="pt"))
    # the Hub id's weights, as installed here (this machine is offline)
    base = AutoModelForSequenceClassification.from_pretrained(
        model_folder(), num_labels=2, id2label=dict(enumerate(LABELS)))
    adapted = PeftModel.from_pretrained(base, folder).eval()
    merged = AutoModelForSequenceClassification.from_pretrained(
        folder_of(minilm_run, "huggingface")).eval()
    with torch.no_grad():
        torch.testing.assert_close(adapted(**batch).logits, merged(**batch).logits,
                                   atol=1e-5, rtol=0)


def hub_cache_with_minilm(cache: Path) -> Path:
    """A Hugging Face hub cache at ``cache`` holding MiniLM as huggingface_hub lays out a
    download (refs/main naming a snapshot), its files those of the bundled package: what a
    person who once downloaded the model has."""
    from tunekit.plugins.backbones.minilm import model_folder

    commit = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
    repo = cache / ("models--" + MINILM.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for item in model_folder().iterdir():
        (snapshot / item.name).symlink_to(item)
    return cache


def usage_snippet(folder: Path) -> str:
    """The Python block of the card's "How to use", naming ``folder`` where it says
    "path/to/this/folder"."""
    usage = card_of(folder).text.split("## How to use")[1]
    code = re.search(r"```python\n(.*?)```", usage, re.DOTALL)
    assert code, usage
    return code.group(1).replace("path/to/this/folder", str(folder))


# run after the card's snippet: its model on TEXTS, with the adapter folder's tokenizer
PREDICT = """
import json, sys, torch
from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained(sys.argv[1])
with torch.no_grad():
    logits = model.eval()(**tokenizer(json.loads(sys.argv[2]), padding=True,
                                      return_tensors="pt")).logits
print(json.dumps({"said": [model.config.id2label[i] for i in logits.argmax(-1).tolist()],
                  "logits": logits.tolist()}))
"""


def test_the_cards_snippet_loads_the_adapter_from_the_hub_cache_with_named_labels(
        minilm_run: Any, tmp_path: Path) -> None:
    """The card's "How to use", run as written in a fresh Python that is offline with MiniLM
    in its hub cache (huggingface_hub reads HF_HUB_OFFLINE and HF_HUB_CACHE at import): peft
    loads the base by the Hub id adapter_config.json names, and the model answers with the
    run's label names and the merged folder's logits."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = folder_of(minilm_run, "adapter")
    env = {**os.environ, "HF_HUB_OFFLINE": "1",
           "HF_HUB_CACHE": str(hub_cache_with_minilm(tmp_path / "hub"))}
    env.pop("HF_HOME", None)
    done = subprocess.run([sys.executable, "-c", usage_snippet(folder) + PREDICT, str(folder),
                           json.dumps(TEXTS)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["said"] == ["positive", "negative", "negative", "positive"]  # not LABEL_0
    merged_folder = folder_of(minilm_run, "huggingface")
    merged = AutoModelForSequenceClassification.from_pretrained(merged_folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(merged_folder)
    with torch.no_grad():
        expected = merged(**tokenizer(TEXTS, padding=True, return_tensors="pt")).logits
    torch.testing.assert_close(torch.tensor(answer["logits"]), expected, atol=1e-4, rtol=0)


def test_an_adapter_of_a_backbone_without_hub_id_keeps_what_peft_wrote(tiny_run: Any) -> None:
    folder = folder_of(tiny_run, "adapter")
    settings = json.loads((folder / "adapter_config.json").read_text())
    assert settings["base_model_name_or_path"] != MINILM
    card = card_of(folder)
    assert card.data.base_model is None and card.data.library_name == "peft"
    assert "the base model (its folder or Hub id)" in card.text


# ---------------------------------------------------------------- the ONNX folder


def test_the_onnx_folder_loads_with_onnxruntime_and_its_own_tokenizer(tiny_run: Any) -> None:
    import onnxruntime
    from transformers import AutoConfig, AutoTokenizer, pipeline

    folder = folder_of(tiny_run, "onnx")
    assert {"config.json", "model.onnx", "tokenizer.json", "README.md"} <= \
        {p.name for p in folder.iterdir()}
    config = AutoConfig.from_pretrained(folder)
    assert config.id2label == {0: "negative", 1: "positive"}
    tokenizer = AutoTokenizer.from_pretrained(folder)
    inputs = tokenizer(TEXTS, padding=True, return_tensors="np")
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"),
                                           providers=["CPUExecutionProvider"])
    logits = session.run(["logits"], {i.name: inputs[i.name] for i in session.get_inputs()})[0]
    said = [config.id2label[int(i)] for i in logits.argmax(-1)]
    classify = pipeline("text-classification", model=str(folder_of(tiny_run, "huggingface")),
                        device="cpu")
    assert said == [a["label"] for a in classify(TEXTS)]
    card = card_of(folder)
    assert card.data.library_name == "onnx" and "onnx" in card.data.tags
    assert "onnxruntime.InferenceSession" in card.text


# ---------------------------------------------------------------- where the Hub id comes from


def test_a_dataset_from_the_hub_is_listed_in_the_cards_datasets(tmp_path: Path) -> None:
    import tunekit
    from tunekit.testing import manager_with, plugin_of, tiny_splits

    def load(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
        splits = tiny_splits(40, seed=context.seed)
        splits.hub_id = "acme/reviews"  # as hf-dataset says of a dataset read from the Hub
        return splits

    dataset = tunekit.Dataset(name="hub-reviews", description="tiny reviews said to come "
                              "from the Hub", tasks=(tunekit.TEXT_CLASSIFICATION,), load=load)
    run = train_tiny(manager=manager_with(plugin_of(dataset)), dataset="hub-reviews",
                     exporters=["model-card"], directory=tmp_path)
    card = card_of(folder_of(run, "model-card"))
    assert card.data.datasets == ["acme/reviews"]
    assert {r.dataset_type for r in card.data.eval_results} == {"acme/reviews"}
    plain = card_of(folder_of(plain_run(tmp_path / "plain"), "model-card"))
    assert plain.data.datasets is None  # generated data: no Hub dataset to name


def plain_run(directory: Path) -> Any:
    """A tiny run on tiny-text (data made in memory) with the model card alone."""
    return train_tiny(exporters=["model-card"], directory=directory)


def test_a_local_folder_is_no_hub_id_and_a_model_id_is(tmp_path: Path) -> None:
    from tunekit.plugins.backbones.transformers_models import hub_id_of

    assert hub_id_of(str(tmp_path)) is None
    assert hub_id_of("distilbert-base-uncased") == "distilbert-base-uncased"
    assert hub_id_of(MINILM) == MINILM
    assert hub_id_of("./models/mine/") is None  # a path, not an id, even when it is not there


def test_the_licence_of_a_cached_hub_model_is_read_from_its_own_card(tmp_path: Path) -> None:
    """The hf backbone's licence: the front matter of the model's README.md in the Hub cache
    (laid out here as huggingface_hub lays it out), None when the cache has no card."""
    from tunekit.plugins.backbones.transformers_models import cached_license

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "models--acme--encoder"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (snapshot / "README.md").write_text("---\nlicense: mit\n---\n\n# An encoder\n")
    assert cached_license("acme/encoder", cache_dir=str(tmp_path)) == "mit"
    assert cached_license("acme/other", cache_dir=str(tmp_path)) is None
    (snapshot / "README.md").write_text("# no front matter\n")
    assert cached_license("acme/encoder", cache_dir=str(tmp_path)) is None
