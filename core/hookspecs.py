"""The plugin contract: every hook tunekit calls, documented. The one file a plugin author reads.

A plugin is a module (or an object) with functions marked ``@tunekit.hookimpl`` whose names
and arguments match the hooks below. It may implement any subset, and may ask for only some
of a hook's arguments. Built-in plugins use exactly this contract.

    import tunekit

    @tunekit.hookimpl
    def register_metrics(register):
        register(tunekit.Metric(name="error-rate", description="...", compute=error_rate))

Register it with an entry point in your pyproject.toml::

    [project.entry-points.tunekit]
    my-plugin = "my_package.plugin_module"

or drop the file in a folder named by ``--plugins-dir`` / ``TUNEKIT_PLUGINS_DIR``.

The contract has a version, ``tunekit.CONTRACT_VERSION`` ("major.minor"): a minor version only
adds (optional arguments and fields), a major one may remove what was deprecated. A plugin
may declare the versions it works with, ``requires_contract = ">=1.1,<2"`` at module level;
outside that range it is not loaded and is reported. See docs/plugins/compatibility.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from .components import Augmentation, Backbone, Dataset, Exporter, Metric, Strategy
    from .events import Event, RunInfo

PROJECT = "tunekit"
# major.minor (docs/plugins/compatibility.md): a minor version adds, optionally; a major one
# breaks. 1.1: ExportContext.splits, the examples the run used. 1.2: the Hub ids of the
# pretrained model and the dataset (BuiltModel.hub_id and .license, DataSplits.hub_id,
# ExportContext.base_model and .base_license). 1.3: the assistant's words declared by the
# components (Component.phrases, Param.phrases / .picks / .means).
CONTRACT_VERSION = "1.3"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------- registration
# Each register_* hook is called once when plugins load. Call ``register(component)`` for each
# component; the host validates it (type, unique name, required fields), tags it with your
# plugin's name and version, and reports problems naming your plugin. Return nothing.
# Registration must stay cheap: import torch or transformers inside the component's callable.


@hookspec
def register_datasets(register: Callable[[Dataset | Augmentation], None]) -> None:
    """Register datasets and text augmentations, the data plugins:
    ``register(tunekit.Dataset(name=..., description=..., load=fn))`` and
    ``register(tunekit.Augmentation(name=..., description=..., augment=fn))``.

    ``load(options, context)`` returns ``tunekit.DataSplits``; ``options`` are the spec's
    ``dataset`` fields validated against the component's ``params``.

    ``augment(texts, options, rng)`` returns a list as long as ``texts``, each text perturbed
    (or unchanged when there is nothing to perturb), taking every random choice from ``rng``
    (a seeded ``random.Random``). ``options`` are the fields of the spec's ``augmentations``
    item, without ``copies``: the engine calls ``augment`` once per copy, on the train split
    only, and adds the changed texts with their originals' labels.
    """


@hookspec
def register_backbones(register: Callable[[Backbone], None]) -> None:
    """Register backbones: ``register(tunekit.Backbone(name=..., description=..., build=fn))``.

    ``build(options, request)`` returns ``tunekit.BuiltModel`` with a model for
    ``request.task`` and ``len(request.labels)`` outputs, and its tokenizer.
    """


@hookspec
def register_strategies(register: Callable[[Strategy], None]) -> None:
    """Register freeze strategies: ``register(tunekit.Strategy(name=..., apply=fn))``.

    ``apply(model, options, context)`` freezes or wraps the model and returns
    ``tunekit.StrategyPlan`` (the model to train, its parameter groups, an optional
    ``on_epoch_start`` that changes what trains).
    """


@hookspec
def register_metrics(register: Callable[[Metric], None]) -> None:
    """Register metrics: ``register(tunekit.Metric(name=..., compute=fn))``.

    ``compute(predictions, references, labels)`` returns ``{name: value}``.
    """


@hookspec
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register exporters: ``register(tunekit.Exporter(name=..., export=fn))``.

    ``export(context)`` writes into ``context.directory`` and returns the paths written.
    """


# ---------------------------------------------------------------- run lifecycle
# Observers: called in the process that trains, in order. An exception raised here fails the
# run with your plugin named, so keep them quick and careful. Return values are ignored.


@hookspec
def on_run_start(run: RunInfo) -> None:
    """A run is about to train: ``run.id``, ``run.spec`` (a dict), ``run.output_dir``."""


@hookspec
def on_run_event(run: RunInfo, event: Event) -> None:
    """Something happened in a run. ``event.kind`` is one of ``tunekit.events.EVENT_KINDS``:
    ``status``, ``epoch_start``, ``step``, ``evaluation``, ``artifact``, ``message``.
    ``event.data`` holds the details (see ``tunekit.events``)."""


@hookspec
def on_run_end(run: RunInfo, status: str, metrics: dict[str, float], error: str | None) -> None:
    """A run ended: ``status`` is ``completed``, ``failed`` or ``cancelled``; ``metrics`` are the
    final validation metrics; ``error`` says what went wrong, if anything."""
