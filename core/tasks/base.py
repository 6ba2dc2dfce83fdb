"""The ``Task`` base class and the table of task families (``family`` registers one).

Kept apart from the package's ``__init__`` so the families can import it while the package
looks them up lazily."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from ..components import BuiltModel, DataSplits, Example, JSONValue, Options
    from ..spec import Training

#: one example made ready for the model (``Task.encode``): token ids, tags, an image's pixels;
#: Any, since each task keeps its own keys and kinds of value
Feature = dict[str, Any]

TEXT_CLASSIFICATION = "text-classification"


class Task:
    """One task family. Subclasses fill in the class attributes and override the methods.

    Rows are the dicts a dataset plugin yields; features are what ``encode`` makes of them
    (plain Python values, so they can be cached and fingerprinted); a batch is the dict of
    tensors ``collate`` makes of features, passed to the model as ``model(**batch)`` after
    the engine moves it to the device.
    """

    name: str = ""
    title: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()  # the ways people describe the job (About.phrases)
    examples: tuple[str, ...] = ()  # the job in plain sentences (About.examples)
    # the metrics and strategy a spec gets when it names none
    default_metrics: tuple[str, ...] = ()
    default_strategy: str = "lora"
    default_backbone: str | None = None
    default_dataset: str | None = None  # bundled sample data of this kind, if any
    # rows carry a label from a fixed set (classification, tagging): the splits are checked
    # for it, and the model gets one output per label
    labelled: bool = True
    # the data check (tunekit data check) and text augmentations understand these rows
    text_rows: bool = False
    # the frozen-feature cache knows how to run the bottom of this task's models
    feature_cache: bool = False

    # ------------------------------------------------------------------ data

    def labels(self, splits: DataSplits, where: str) -> list[str]:
        """Check the splits can train this task; the label set (``[]`` when unlabelled)."""
        from ..data import require_rows

        require_rows(splits, where)
        return []

    def describe_data(self, splits: DataSplits) -> dict[str, Any]:
        """Figures about the training data for the run's summary (e.g. rows per class)."""
        return {}

    def prepare_model(self, built: BuiltModel, splits: DataSplits) -> None:
        """Adjust a freshly built model to the data before the strategy sees it (e.g. start
        a regression head at the mean target). Nothing by default."""

    # ------------------------------------------------------------------ batches

    def encode(self, rows: list[Example], built: BuiltModel,
               label_ids: dict[str, int], max_length: int) -> list[Feature]:
        """Rows as model-ready features, once per run (tokenized, aligned, resized)."""
        raise NotImplementedError

    def length(self, feature: Feature) -> int:
        """The size of an example, for length-grouped batches and sorted evaluation."""
        return 1

    def collate(self, features: list[Feature], built: BuiltModel, *,
                train: bool) -> dict[str, torch.Tensor]:
        """A batch of tensors (padded to its longest example); ``train`` batches may be
        augmented (images), evaluation batches never are."""
        raise NotImplementedError

    def loss_function(self, training: Training, labels: list[str], train_rows: list[Example],
                      device: torch.device,
                      ) -> Callable[[torch.nn.Module, dict[str, torch.Tensor]], torch.Tensor]:
        """``loss(model, batch) -> scalar tensor`` for training."""
        raise NotImplementedError

    def evaluate_batch(self, model: torch.nn.Module,
                       batch: dict[str, torch.Tensor]) -> dict[str, Any]:
        """One evaluation batch: ``{"loss": per-example losses (tensor), "predictions": ...,
        "references": ...}``; predictions and references are tensors with a row per example
        or lists with an item per example (the engine gathers both across processes)."""
        raise NotImplementedError

    def extra_scores(self, gathered: dict[str, list[Any]],
                     labels: list[str]) -> tuple[dict[str, float], dict[str, Any]]:
        """Figures every evaluation of this task reports besides the loss and the spec's
        metrics (e.g. perplexity): (scalars, details)."""
        return {}, {}

    def after_evaluation(self, model: torch.nn.Module, built: BuiltModel,
                         options: Options) -> dict[str, JSONValue]:
        """Anything to record with an evaluation beyond the figures (e.g. generations)."""
        return {}

    # ------------------------------------------------------------------ using the model

    def read_inputs(self, value: str) -> list[Any]:
        """What ``tunekit predict --input`` was given: an input, or a file of them."""
        raise NotImplementedError

    # inputs: what read_inputs gave (texts, word lists, image paths: the task's own)
    def predict(self, model: torch.nn.Module, built: BuiltModel, inputs: list[Any],
                labels: list[str], max_length: int) -> list[dict[str, JSONValue]]:
        """The trained model's answer for each input, as JSON-friendly dicts."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "aliases": list(self.aliases), "default_metrics": list(self.default_metrics),
                "default_strategy": self.default_strategy}


@dataclass(frozen=True)
class About:
    """What a task family is, in words, and what a spec of it gets by default: carried by its
    registration, so reading it (the assistant, spec defaults) builds nothing and imports no
    torch."""

    name: str
    title: str
    description: str
    aliases: tuple[str, ...] = ()
    default_metrics: tuple[str, ...] = ()
    default_strategy: str = "lora"
    default_backbone: str | None = None
    default_dataset: str | None = None
    # the ways people describe the job without naming it, as regular expressions on the
    # lower-cased message ("score essays 0-10", "pull out drug names from clinical notes"):
    # read by the assistant when no task is named and no file decides it
    phrases: tuple[str, ...] = ()
    # the job in a few plain sentences ("predict a number from a text"): what the assistant's
    # semantic fallback compares a turn with when neither the words nor a file decide
    examples: tuple[str, ...] = ()


_FAMILIES: dict[str, Callable[[], Task]] = {}
_ABOUT: dict[str, About] = {}
_MADE: dict[str, Task] = {}


def family(name: str, **about: Any) -> Callable[[Callable[[], Task]], Callable[[], Task]]:
    """Register a task family's factory under ``name`` (imported lazily: no torch here), with
    its words and defaults (the fields of ``About``), which the built family then carries."""
    words = About(name=name, **about)

    def add(factory: Callable[[], Task]) -> Callable[[], Task]:
        _FAMILIES[name] = factory
        _ABOUT[name] = words
        return factory
    return add
