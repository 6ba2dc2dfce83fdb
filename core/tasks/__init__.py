"""Task families: what changes in the engine from one kind of job to another.

The loop is the same for every job (batches, optimizer, schedule, accumulation, checkpoints,
evaluation after each epoch, export). What differs lives in a ``Task``: how the splits are
checked and which labels they carry, how examples become model inputs (tokens, word-aligned
tags, pixels, prompt and response), how a batch is collated, the training loss, what an
evaluation gathers for the metrics, and how a trained model answers new inputs
(``tunekit predict``, the exported demo).

Components say which tasks they support (``tasks=(...)``); a spec names one (``task:``). The
families are part of the engine, not plugins: a plugin adds datasets, backbones, strategies,
metrics and exporters for them.

What a family hands the metrics (``Metric.compute(predictions, references, labels)``):

- ``text-classification``, ``image-classification``: label indices into ``labels``;
- ``text-regression``: numbers (``labels`` is empty);
- ``token-classification``: a list per example of tag indices, one per word;
- ``causal-lm``: per example the summed negative log-likelihood of its scored tokens, and
  (references) how many tokens were scored.
"""

from __future__ import annotations

from dataclasses import fields

from ..errors import SpecError, did_you_mean
from .base import _ABOUT, _FAMILIES, _MADE, TEXT_CLASSIFICATION, About, Task, family

__all__ = ["TEXT_CLASSIFICATION", "About", "Task", "describe", "family", "get_task", "names"]


def _load_builtins() -> None:
    if _FAMILIES:
        return
    from . import builtin  # noqa: F401 - registers the built-in families


def names() -> list[str]:
    """The task families the engine knows."""
    _load_builtins()
    return sorted(_FAMILIES)


def _known(name: str) -> None:
    _load_builtins()
    if name not in _FAMILIES:
        known = sorted(_FAMILIES)
        raise SpecError(f"the engine has no task {name!r}.{did_you_mean(name, known)} Tasks: "
                        f"{', '.join(known)}", where="task")


def describe(name: str) -> About:
    """The task family ``name`` in words (title, description, aliases) and its defaults,
    without building it: no torch is imported. A SpecError for an unknown task."""
    _known(name)
    return _ABOUT[name]


def get_task(name: str) -> Task:
    """The task family ``name``, or a SpecError naming the ones there are."""
    _known(name)
    if name not in _MADE:
        task = _FAMILIES[name]()
        for key in fields(About):  # the words and defaults its registration carries
            setattr(task, key.name, getattr(_ABOUT[name], key.name))
        _MADE[name] = task
    return _MADE[name]
