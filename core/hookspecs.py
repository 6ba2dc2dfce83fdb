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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from .components import Backbone, Dataset, Exporter, Metric, Strategy
    from .events import Event, RunInfo

PROJECT = "tunekit"
CONTRACT_VERSION = "1.0"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------- registration
# Each register_* hook is called once when plugins load. Call ``register(component)`` for each
# component; the host validates it (type, unique name, required fields), tags it with your
# plugin's name and version, and reports problems naming your plugin. Return nothing.
# Registration must stay cheap: import torch or transformers inside the component's callable.


@hookspec
def register_datasets(register: Callable[[Dataset], None]) -> None:
    """Register datasets: ``register(tunekit.Dataset(name=..., description=..., load=fn))``.

    ``load(options, context)`` returns ``tunekit.DataSplits``; ``options`` are the spec's
    ``dataset`` fields validated against the component's ``params``.
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
def on_run_end(run: RunInfo, status: str, metrics: dict[str, Any], error: str | None) -> None:
    """A run ended: ``status`` is ``completed``, ``failed`` or ``cancelled``; ``metrics`` are the
    final validation metrics; ``error`` says what went wrong, if anything."""
