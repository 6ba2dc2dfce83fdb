"""What plugins register: Dataset, Augmentation, Backbone, Strategy, Metric, Exporter.

A component is light: a name, a plain-language description, the words people use for it
(aliases), the tasks it supports, and typed params with defaults and help. Those fields drive
validation, the forms, and the assistant. The work itself is a callable that imports heavy
libraries (torch, transformers) only when it runs, so registering a component stays cheap.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NotRequired, TypeAlias, TypedDict, cast

from .errors import PluginError, SpecError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover - types only, never imported at registration
    import torch

    # from their own modules, not the package: the type check then reads these three files
    # instead of all of transformers (pyproject.toml, [tool.mypy])
    from transformers.image_processing_utils import BaseImageProcessor
    from transformers.processing_utils import ProcessorMixin
    from transformers.tokenization_utils_base import PreTrainedTokenizerBase

    # what a backbone hands over to read its inputs: a tokenizer, an image model's image
    # processor, or a processor holding both
    Preprocessor = PreTrainedTokenizerBase | BaseImageProcessor | ProcessorMixin

    from .layers import LayerGroup

TEXT_CLASSIFICATION = "text-classification"
KINDS = ("dataset", "augmentation", "backbone", "strategy", "metric", "exporter")

_PARAM_TYPES = (int, float, str, bool, list, dict)

# The words a phrase (``Component.phrases``, ``Param.phrases``) may use as ``{placeholder}``s;
# the assistant fills each in with the many ways people say it (ui/assistant/strategy_words):
# {train} "train, fine-tune, update..."; {head} "the classifier, the output layer...";
# {body} "the backbone, the pretrained layers, the encoder..."; {frozen} "frozen, fixed,
# untouched..."; {lower} "bottom, first, early..."; {upper} "top, last, final..."; {layers}
# "layers, blocks..."; {negation} "don't, never, without..."; {number} "16, 0.05, 2e-5" (in a
# Param's phrase, it captures the value; a "%" right after it is read as a percentage).
PHRASE_WORDS = ("train", "head", "body", "frozen", "lower", "upper", "layers", "negation",
                "number")
# What ``Param.means`` may say. "frozen-bottom-layers": the option counts the bottom blocks
# that stay frozen, and the assistant reads "freeze the first 3 layers", "train only the top
# 2", "freeze half the layers", "freeze only the embeddings" (0) into it.
PARAM_MEANINGS = ("", "frozen-bottom-layers")


def check_phrases(phrases: Any, where: str) -> tuple[str, ...]:
    """``phrases`` as a tuple of regular expressions that compile, or a PluginError naming
    the broken one (placeholders are filled with a plain word to compile them)."""
    if isinstance(phrases, str) or not all(isinstance(p, str) for p in phrases):
        raise PluginError(f"{where}: phrases must be a tuple of strings (regular expressions)")
    for phrase in phrases:
        filled = re.sub(r"\{(" + "|".join(PHRASE_WORDS) + r")\}", "(x)", phrase)
        try:
            re.compile(filled)
        except re.error as exc:
            raise PluginError(f"{where}: the phrase {phrase!r} is not a regular expression "
                              f"({exc}); escape literal brackets with a backslash") from None
    return tuple(phrases)

# ---------------------------------------------------------------- the values handed around

#: a value as ``json.loads`` gives it (and ``json.dumps`` takes it); Sequence and Mapping, not
#: list and dict, so a ``dict[str, float]`` is one too
JSONValue: TypeAlias = (str | int | float | bool | None | Sequence["JSONValue"]
                        | Mapping[str, "JSONValue"])
#: the value of a param: one of ``Param.type``'s types (a list's or dict's items are whatever
#: the person wrote: Any, so that a ``dict[str, int]`` default fits too)
ParamValue: TypeAlias = int | float | str | bool | list[Any] | dict[str, Any]
#: a component's options, one entry per param, defaults filled in. Any, on purpose: each value
#: has the type its own ``Param`` declares, which only the component knows
Options: TypeAlias = dict[str, Any]
#: one example, in the form its task reads (``DataSplits``): the values differ by task and by
#: key (text, a label, a list of tokens, an image path, chat messages), hence Any
Example: TypeAlias = dict[str, Any]
#: a resolved spec as a dict (``RunSpec.to_dict()``): ``task``, a section per slot with the
#: component's ``name`` and options (Any: see Options), ``training`` with every setting
SpecDict: TypeAlias = dict[str, Any]


class HeadConfig(TypedDict, total=False):
    """``ModelRequest.head_config()``: transformers config settings of the task's head."""

    num_labels: int
    problem_type: str
    id2label: dict[int, str]
    label2id: dict[str, int]


class ExportData(TypedDict):
    """``ExportContext.data``: what the run read."""

    source: str
    labels: list[str]
    sizes: dict[str, int]  # examples per split: train, validation, test
    notes: list[str]
    train_classes: NotRequired[dict[str, int]]  # classification tasks: examples per label
    hub_id: NotRequired[str]  # the dataset's id on the Hub, when it came from there
    augmented: NotRequired[dict[str, JSONValue]]  # what the spec's augmentations added


class TrainingSummary(TypedDict, total=False):
    """``ExportContext.training``: every setting of the spec's ``training`` section (those
    most read are named here; ``ExportContext.spec["training"]`` has them all), and how the
    run trained."""

    epochs: int
    learning_rate: float
    batch_size: int
    seed: int
    max_length: int
    strategy: str  # the strategy's summary sentence
    epochs_trained: int
    best_epoch: int | None
    trainable_parameters: int
    total_parameters: int
    backbone_source: str


@dataclass(frozen=True, kw_only=True)
class Param:
    """One typed option of a component, e.g. ``Param(name="r", type=int, default=8)``.

    ``required`` params have no default. ``choices`` restricts the value; ``min``/``max``
    bound numbers. ``help`` is shown in forms and by the assistant.

    For the assistant (all optional): ``phrases`` are the ways people say this option with a
    value, as regular expressions (see ``PHRASE_WORDS``; ``{number}`` captures the value,
    "rank 16", "16-rank"); ``picks`` says that such a phrase picks this option's component
    when the message names no other ("rank 16" means LoRA); ``means`` gives the option a
    meaning the assistant reads in its own ways, one of ``PARAM_MEANINGS``.
    """

    name: str
    type: type
    default: ParamValue | None = None
    help: str = ""
    choices: tuple[ParamValue, ...] = ()
    min: float | None = None
    max: float | None = None
    required: bool = False
    phrases: tuple[str, ...] = ()
    picks: bool = False
    means: str = ""

    def coerce(self, value: object, where: str) -> ParamValue | None:
        """``value`` converted to this param's type, or a SpecError naming ``where``."""
        if value is None:
            if self.required:
                raise SpecError(f"a value is required. {self.help}".strip(), where=where)
            return None
        expected = self.type
        converted: ParamValue
        if expected is bool:
            if isinstance(value, bool):
                converted = value
            elif isinstance(value, str) and value.lower() in ("true", "yes", "on", "1"):
                converted = True
            elif isinstance(value, str) and value.lower() in ("false", "no", "off", "0"):
                converted = False
            else:
                raise SpecError(f"expected true or false, got {value!r}", where=where)
        elif expected in (int, float):
            converted = _number(value, expected, where)
            if self.min is not None and converted < self.min:
                raise SpecError(f"must be at least {self.min}, got {converted}", where=where)
            if self.max is not None and converted > self.max:
                raise SpecError(f"must be at most {self.max}, got {converted}", where=where)
        elif expected is str:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise SpecError(f"expected text, got {value!r}", where=where)
            converted = str(value)
        elif expected is list:
            if isinstance(value, str):
                converted = [v.strip() for v in value.split(",") if v.strip()]
            elif isinstance(value, list | tuple):
                converted = list(value)
            else:
                raise SpecError(f"expected a list, got {value!r}", where=where)
        elif expected is dict:
            if not isinstance(value, dict):
                raise SpecError(f"expected a mapping, got {value!r}", where=where)
            converted = dict(value)
        else:  # pragma: no cover - guarded by Component validation
            converted = cast("ParamValue", value)
        if self.choices and converted not in self.choices:
            allowed = ", ".join(str(c) for c in self.choices)
            raise SpecError(f"{converted!r} is not allowed; choose one of: {allowed}", where=where)
        return converted

    def describe(self) -> dict[str, JSONValue]:
        """A JSON-friendly description (for the registry, forms and `tunekit plugins --json`)."""
        return {
            "name": self.name,
            "type": self.type.__name__,
            "default": self.default,
            "help": self.help,
            "choices": list(self.choices),
            "min": self.min,
            "max": self.max,
            "required": self.required,
            "phrases": list(self.phrases),
            "picks": self.picks,
            "means": self.means,
        }


def _number(value: object, expected: type, where: str) -> int | float:
    kind = "a whole number" if expected is int else "a number"
    if isinstance(value, bool):
        raise SpecError(f"expected {kind}, got {value!r}", where=where)
    try:
        number = float(value) if isinstance(value, str) else value
        if not isinstance(number, int | float):
            raise TypeError
    except (TypeError, ValueError):
        raise SpecError(f"expected {kind}, got {value!r}", where=where) from None
    if isinstance(number, float) and not math.isfinite(number):
        raise SpecError(f"expected a finite number, got {value!r}", where=where)
    if expected is int:
        if float(number) != int(number):
            raise SpecError(f"expected {kind}, got {value!r}", where=where)
        return int(number)
    return float(number)


@dataclass(kw_only=True)
class Component:
    """Fields shared by every kind of component. Subclasses add the callable that does the work."""

    kind: ClassVar[str] = ""

    name: str
    description: str
    title: str = ""
    aliases: tuple[str, ...] = ()
    # how people describe it, as regular expressions for the assistant (see PHRASE_WORDS):
    # "train only {head}" for a head-only strategy. Aliases are exact words; phrases are
    # for the ways of saying it that vary.
    phrases: tuple[str, ...] = ()
    tasks: tuple[str, ...] = (TEXT_CLASSIFICATION,)
    params: tuple[Param, ...] = ()
    # Filled in by the host when the component is registered: who it came from.
    plugin: str = field(default="", compare=False)
    plugin_version: str = field(default="", compare=False)

    def check(self) -> None:
        """Raise PluginError when a field breaks the contract."""
        if not isinstance(self.name, str) or not self.name.strip():
            raise PluginError(f"a {self.kind} needs a non-empty name")
        if self.name != self.name.strip().lower() or " " in self.name:
            raise PluginError(
                f"{self.kind} name {self.name!r} must be lowercase without spaces (e.g. 'my-data')"
            )
        if not isinstance(self.description, str) or not self.description.strip():
            raise PluginError(f"{self.kind} {self.name!r} needs a plain-language description")
        if isinstance(self.aliases, str) or isinstance(self.tasks, str):
            raise PluginError(f"{self.kind} {self.name!r}: aliases and tasks must be tuples")
        self.aliases = tuple(self.aliases)
        self.tasks = tuple(self.tasks)
        self.params = tuple(self.params)
        self.phrases = check_phrases(self.phrases, f"{self.kind} {self.name!r}")
        names = set()
        for p in self.params:
            if not isinstance(p, Param):
                raise PluginError(f"{self.kind} {self.name!r}: params must be Param objects")
            check_phrases(p.phrases, f"{self.kind} {self.name!r}: param {p.name!r}")
            if p.means not in PARAM_MEANINGS:
                raise PluginError(f"{self.kind} {self.name!r}: param {p.name!r} means "
                                  f"{p.means!r}; choose one of: "
                                  f"{', '.join(m for m in PARAM_MEANINGS if m)}")
            if p.type not in _PARAM_TYPES:
                raise PluginError(
                    f"{self.kind} {self.name!r}: param {p.name!r} has type {p.type!r}; "
                    "use int, float, str, bool, list or dict"
                )
            if p.name in names or p.name == "name":
                raise PluginError(f"{self.kind} {self.name!r}: param name {p.name!r} is repeated")
            names.add(p.name)
            if p.required and p.default is not None:
                raise PluginError(f"{self.kind} {self.name!r}: param {p.name!r} is required and "
                                  "has a default; choose one")
            if p.default is not None:
                try:
                    p.coerce(p.default, p.name)
                except SpecError as exc:
                    raise PluginError(f"{self.kind} {self.name!r}: the default of param "
                                      f"{p.name!r} is invalid: {exc.message}") from None
        work = getattr(self, self._work, None)
        if not callable(work):
            raise PluginError(f"{self.kind} {self.name!r} needs a callable {self._work!r}")
        if not self.title:
            self.title = self.name.replace("-", " ").capitalize()

    _work: ClassVar[str] = ""

    def resolve_options(self, options: Mapping[str, object], where: str) -> Options:
        """Options validated against ``params``, with defaults filled in."""
        known = {p.name: p for p in self.params}
        for key in options:
            if key not in known:
                allowed = ", ".join(known) or "none"
                raise SpecError(
                    f"unknown option {key!r} for {self.kind} {self.name!r}."
                    f"{did_you_mean(key, known)} Options: {allowed}",
                    where=where,
                )
        resolved = {}
        for p in self.params:
            value = options.get(p.name, p.default)
            resolved[p.name] = p.coerce(value, f"{where}.{p.name}")
        return resolved

    def describe(self) -> dict[str, JSONValue]:
        """A JSON-friendly description of the component (no callables)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "aliases": list(self.aliases),
            "phrases": list(self.phrases),
            "tasks": list(self.tasks),
            "params": [p.describe() for p in self.params],
            "plugin": self.plugin,
            "plugin_version": self.plugin_version,
        }


# ---------------------------------------------------------------- datasets


@dataclass(kw_only=True)
class ReadLog:
    """What reading data files saw, for the data check: where each example came from and the
    rows that were left out. A dataset given one (``DataContext.read_log``) reads tolerantly,
    skipping and noting unreadable rows instead of stopping at the first one.

    ``origins`` maps ``id(example)`` to ``"file.csv:12"`` (the examples stay alive in the
    splits, so the ids stay theirs); ``unreadable`` and ``empty`` list ``(place, why)``.
    """

    origins: dict[int, str] = field(default_factory=dict)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    empty: list[tuple[str, str]] = field(default_factory=list)

    def origin(self, example: Example) -> str | None:
        return self.origins.get(id(example))


@dataclass(kw_only=True)
class DataContext:
    """What a dataset is told when it loads: the task, the seed, where relative paths start,
    and (for the data check) a ``read_log`` to read tolerantly into."""

    task: str
    seed: int
    base_dir: Path
    read_log: ReadLog | None = None


@dataclass(kw_only=True)
class DataSplits:
    """Examples as dicts, of the form the task reads (``tunekit.tasks``): ``{"text": str,
    "label": str}`` for text classification, ``{"text", "label": number}`` for
    text-regression, ``{"tokens": [...], "tags": [...]}`` for token-classification,
    ``{"image": path, "label": str}`` for image-classification, and ``{"instruction",
    "response"}``, ``{"messages": [...]}`` or ``{"text"}`` for causal-lm.

    ``validation`` is required (carve one with ``tunekit.data.carve`` or
    ``tunekit.data.split_stratified`` when the source has none); ``test`` is optional and
    evaluated once at the end. ``held_out`` names the splits the dataset carved out of the
    training data itself (tunekit's own split: copies across it are a bug, not the user's);
    splits the user supplied are not listed. ``hub_id`` (contract 1.2) is the dataset's id on
    the Hugging Face Hub when it came from there (the model card's ``datasets``), else None.
    """

    train: list[Example]
    validation: list[Example]
    test: list[Example] | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)
    held_out: tuple[str, ...] = ()
    hub_id: str | None = None


@dataclass(kw_only=True)
class Dataset(Component):
    """Yields train / validation (/ test) splits. ``load(options, context) -> DataSplits``."""

    kind: ClassVar[str] = "dataset"
    _work: ClassVar[str] = "load"
    load: Callable[[Options, DataContext], DataSplits]
    # what this dataset reads, so a tool (the assistant, the studio) picks it for a file or
    # folder a person names by looking at it, not by its suffix alone:
    # ``reads(path) -> float``, 0 (not this format) to 1 (surely this one). It must be quick
    # and light (a few lines of the file, no heavy import) and never raise. None: the dataset
    # reads no file a person names (a bundled sample).
    reads: Callable[[Path], float] | None = None
    # ``explains(path) -> str``: how it reads this file, in a few words, when that is not
    # plain ("alpaca records: output is the response"); "" otherwise. As quick and safe as
    # ``reads``: the assistant says it when it takes the file.
    explains: Callable[[Path], str] | None = None

    def check(self) -> None:
        for name in ("reads", "explains"):
            if getattr(self, name) is not None and not callable(getattr(self, name)):
                raise PluginError(f"dataset {self.name!r}: {name} must be a callable "
                                  f"{name}(path) -> {'float' if name == 'reads' else 'str'}, "
                                  "or None")
        super().check()

    def how_it_reads(self, path: Path) -> str:
        """``explains(path)``, or "" when it declares nothing or its look fails."""
        if self.explains is None:
            return ""
        try:
            said = self.explains(Path(path))
        except Exception:  # a plugin's look at a file never stops the caller
            return ""
        return said.strip() if isinstance(said, str) else ""

    def how_well_it_reads(self, path: Path) -> float:
        """``reads(path)`` kept to 0..1; 0 when it declares nothing or its look fails."""
        if self.reads is None:
            return 0.0
        try:
            score = float(self.reads(Path(path)))
        except Exception:  # a plugin's look at a file never stops the caller
            return 0.0
        return min(1.0, max(0.0, score)) if math.isfinite(score) else 0.0


# ---------------------------------------------------------------- augmentations

COPIES = Param(name="copies", type=int, default=1, min=1, max=100,
               help="augmented copies of each training example to add; the originals are "
                    "always kept")


@dataclass(kw_only=True)
class Augmentation(Component):
    """Perturbs training texts into new examples. ``augment(texts, options, rng) -> texts``.

    ``augment`` gets a list of texts and returns a list as long, each item a perturbed version
    of the text at the same place (or that text unchanged when there is nothing to perturb).
    Take every random choice from ``rng``, a seeded ``random.Random``, so a run is
    reproducible. The engine applies a spec's ``augmentations`` to the train split only (never
    validation or test), adds each changed text with the label of its original, and keeps the
    originals. Every augmentation gets the ``copies`` option (tunekit adds it; the engine
    calls ``augment`` once per copy); give yours a ``probability`` param when it has a rate,
    as the built-ins do, so people and the assistant set it the same way everywhere.
    Augmentations are data plugins: they register through ``register_datasets``.
    """

    kind: ClassVar[str] = "augmentation"
    _work: ClassVar[str] = "augment"
    augment: Callable[[list[str], Options, random.Random], list[str]]

    def check(self) -> None:
        own = tuple(p for p in self.params if p != COPIES)
        if any(getattr(p, "name", None) == COPIES.name for p in own):
            raise PluginError(f"augmentation {self.name!r}: the param 'copies' is common to "
                              "every augmentation and tunekit adds it; remove yours")
        self.params = (*own, COPIES)
        super().check()


# ---------------------------------------------------------------- backbones


@dataclass(kw_only=True)
class ModelRequest:
    """What the engine asks a backbone for."""

    task: str
    labels: list[str]
    dropout: float | None = None
    #: the dtype to load the weights in, a torch dtype's name: ``float32`` (what the engine
    #: asks for: it trains fp32 weights and computes in bf16/fp16 by autocast, see
    #: ``training.precision``), or ``auto`` for the checkpoint's own (transformers 5 loads a
    #: checkpoint stored in bf16 as bf16 unless told otherwise). A backbone passes it on, e.g.
    #: ``from_pretrained(..., dtype=request.torch_dtype())``.
    dtype: str = "float32"

    def torch_dtype(self) -> torch.dtype | str:
        """``dtype`` as transformers' ``dtype=`` argument takes it: a ``torch.dtype``, or the
        string ``"auto"``."""
        if self.dtype == "auto":
            return "auto"
        import torch

        value = getattr(torch, self.dtype, None)
        if not isinstance(value, torch.dtype):
            raise SpecError(f"{self.dtype!r} is not a torch dtype", where="ModelRequest.dtype",
                            hint="float32, bfloat16, float16 or auto")
        return value

    def head_config(self) -> HeadConfig:
        """The transformers config settings of the task's head: its outputs and their names
        (one output for text-regression; none for causal-lm, whose head is the vocabulary)."""
        if self.task == "causal-lm":
            return {}
        if self.task == "text-regression":
            return {"num_labels": 1, "problem_type": "regression"}
        return {"num_labels": len(self.labels), "id2label": dict(enumerate(self.labels)),
                "label2id": {label: i for i, label in enumerate(self.labels)}}


@dataclass(kw_only=True)
class BuiltModel:
    """A model ready for the task, its tokenizer, and optionally its own layer groups.

    ``layer_groups`` lists groups bottom to top (embeddings, blocks, head); leave it None and
    the engine finds them with ``tunekit.layers.default_layer_groups``. ``hub_id`` (contract
    1.2) is the pretrained model's id on the Hugging Face Hub when it has one (the exports'
    ``base_model``: a model card's, an adapter's ``base_model_name_or_path``), and ``license``
    its licence as the Hub names it (``apache-2.0``), when the backbone knows it.
    """

    model: torch.nn.Module
    tokenizer: Preprocessor
    source: str
    max_length: int = 512
    layer_groups: list[LayerGroup] | None = None
    hub_id: str | None = None
    license: str | None = None


@dataclass(kw_only=True)
class Backbone(Component):
    """Builds a pretrained model for a task. ``build(options, request) -> BuiltModel``.

    The model is the one transformers' Auto class for ``request.task`` builds (``tasks`` says
    which a backbone can build): ``*ForSequenceClassification`` for text classification (one
    output per label) and text-regression (one output), ``*ForTokenClassification``,
    ``*ForCausalLM``, ``*ForImageClassification``. It is called as ``model(input_ids=...,
    attention_mask=..., [token_type_ids=...])`` (``pixel_values=...`` for images) and returns
    an object with ``.logits``; the tokenizer is called on a list of strings with
    ``truncation=True, max_length=...``; for images ``BuiltModel.tokenizer`` holds the image
    processor (its size, mean and std set the preprocessing).

    ``load_tokenizer(options) -> tokenizer`` (optional) loads the tokenizer alone, without
    the weights: ``tunekit data check`` uses it to count tokens exactly (without it, lengths
    are estimated).
    """

    kind: ClassVar[str] = "backbone"
    _work: ClassVar[str] = "build"
    build: Callable[[Options, ModelRequest], BuiltModel]
    load_tokenizer: Callable[[Options], Preprocessor] | None = None
    # for the assistant: model families (a regular expression of their names) and the task a
    # bare mention of one means ("fine-tune llama on my chats": causal-lm)
    model_families: Mapping[str, str] = field(default_factory=dict)

    def check(self) -> None:
        if not isinstance(self.model_families, Mapping):
            raise PluginError(f"backbone {self.name!r}: model_families must map a pattern "
                              "to a task")
        for pattern, task in self.model_families.items():
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise PluginError(f"backbone {self.name!r}: model family {pattern!r} is not a "
                                  f"regular expression ({exc})") from None
            if not isinstance(task, str) or not task:
                raise PluginError(f"backbone {self.name!r}: model family {pattern!r} needs a "
                                  "task name")
        super().check()


# ---------------------------------------------------------------- strategies


@dataclass(kw_only=True)
class ParamGroup:
    """Parameters that share a learning rate: ``base rate * lr_scale``."""

    name: str
    params: list[torch.nn.Parameter]
    lr_scale: float = 1.0


@dataclass(kw_only=True)
class StrategyPlan:
    """What a strategy decided: the model to train and its parameter groups.

    ``param_groups`` may include parameters that are frozen for now (gradual unfreezing);
    ``on_epoch_start(epoch)`` may change what trains and returns a sentence saying what it did.
    ``frozen_modules`` are kept in eval mode while training (no dropout in a frozen extractor).
    ``cycle_per_epoch`` restarts the warm-up and decay of the learning rate every epoch, so
    each unfreezing stage gets a full cycle (as ULMFiT and fastai do).
    """

    model: torch.nn.Module
    param_groups: list[ParamGroup]
    summary: str
    on_epoch_start: Callable[[int], str | None] | None = None
    frozen_modules: list[torch.nn.Module] = field(default_factory=list)
    cycle_per_epoch: bool = False


@dataclass(kw_only=True)
class StrategyContext:
    """What a strategy is told: the task, the epochs planned, and the model's layer groups."""

    task: str
    epochs: int
    layer_groups: list[LayerGroup]


@dataclass(kw_only=True)
class Strategy(Component):
    """Decides what trains. ``apply(model, options, context) -> StrategyPlan``.

    ``default_learning_rate`` and ``default_epochs`` are used when the spec sets none:
    fine-tuning every weight wants a lower rate than training a fresh head or an adapter, and
    gradual unfreezing needs an epoch per layer group.
    """

    kind: ClassVar[str] = "strategy"
    _work: ClassVar[str] = "apply"
    apply: Callable[[torch.nn.Module, Options, StrategyContext], StrategyPlan]
    default_learning_rate: float = 5e-5
    default_epochs: int = 6

    def describe(self) -> dict[str, JSONValue]:
        return {**super().describe(), "default_learning_rate": self.default_learning_rate,
                "default_epochs": self.default_epochs}


# ---------------------------------------------------------------- metrics


@dataclass(kw_only=True)
class Metric(Component):
    """Scores predictions. ``compute(predictions, references, labels) -> {name: value}``.

    For classification, predictions and references are label indices into ``labels``; each
    task's form is listed in ``tunekit.tasks`` (numbers for regression, a list of tag indices
    per example for token classification, summed losses and token counts for causal-lm), so
    declare the ``tasks`` a metric understands. Scalar values become metric
    points in the registry; lists and dicts (per-class scores, a matrix) are kept with the run.
    ``higher_is_better`` tells early stopping and comparisons which way is good.
    """

    kind: ClassVar[str] = "metric"
    _work: ClassVar[str] = "compute"
    # predictions and references: label indices, numbers, tag lists or losses, by task
    # (``tunekit.tasks``); Any, so a metric annotates the form of the tasks it declares
    compute: Callable[[Sequence[Any], Sequence[Any], list[str]], Mapping[str, JSONValue]]
    higher_is_better: bool = True

    def describe(self) -> dict[str, JSONValue]:
        return {**super().describe(), "higher_is_better": self.higher_is_better}


# ---------------------------------------------------------------- exporters


@dataclass(kw_only=True)
class ExportContext:
    """Everything an exporter may write out. ``directory`` is the exporter's own, empty.

    ``model`` is the trained model (on the device it trained on) and ``tokenizer``
    its tokenizer; ``training["max_length"]`` is the length the run tokenized to. ``splits``
    holds the examples the run used (None when the caller has none to give): validation and
    test as read, train with any augmented copies added. ``base_model`` and ``base_license``
    (contract 1.2) are the backbone's ``BuiltModel.hub_id`` and ``BuiltModel.license``.
    """

    run_id: int
    directory: Path
    options: Options
    model: torch.nn.Module
    tokenizer: Preprocessor
    task: str
    labels: list[str]
    spec: SpecDict
    metrics: dict[str, float]
    test_metrics: dict[str, float] | None
    data: ExportData
    training: TrainingSummary
    splits: DataSplits | None = None
    base_model: str | None = None
    base_license: str | None = None


@dataclass(kw_only=True)
class Exporter(Component):
    """Writes artifacts. ``export(context) -> list of paths written`` (files or folders)."""

    kind: ClassVar[str] = "exporter"
    _work: ClassVar[str] = "export"
    export: Callable[[ExportContext], list[Path]]


COMPONENT_TYPES: dict[str, type[Component]] = {
    cls.kind: cls for cls in (Dataset, Augmentation, Backbone, Strategy, Metric, Exporter)
}
