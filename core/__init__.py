"""tunekit: fine-tune pretrained models through plugins.

The public API. Plugins import only from here (``import tunekit``). Importing it is cheap:
torch, transformers and the database load only when a run or the registry needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .components import (
    PARAM_MEANINGS,
    PHRASE_WORDS,
    TEXT_CLASSIFICATION,
    Augmentation,
    Backbone,
    BuiltModel,
    Component,
    DataContext,
    Dataset,
    DataSplits,
    Example,
    ExportContext,
    ExportData,
    Exporter,
    HeadConfig,
    JSONValue,
    Metric,
    ModelRequest,
    Options,
    Param,
    ParamGroup,
    ParamValue,
    ReadLog,
    SpecDict,
    Strategy,
    StrategyContext,
    StrategyPlan,
    TrainingSummary,
)
from .errors import (
    DataCheckError,
    DataError,
    PluginError,
    SpecError,
    TunekitError,
    UnknownComponentError,
)
from .events import Event, RunInfo, StopTraining
from .hookspecs import CONTRACT_VERSION, hookimpl
from .layers import LayerGroup
from .plugin_manager import PluginManager, load_plugins
from .spec import RunSpec, load_spec, parse_spec

if TYPE_CHECKING:  # pragma: no cover
    from .engine.run import RunResult, resume, run
    from .registry import Registry
    from .tools.datacheck import DataReport, Finding, check_data

__version__ = "0.1.0"

__all__ = [
    "CONTRACT_VERSION", "PARAM_MEANINGS", "PHRASE_WORDS", "TEXT_CLASSIFICATION", "Augmentation",
    "Backbone", "BuiltModel", "Component",
    "DataCheckError", "DataContext", "DataError", "DataReport", "DataSplits", "Dataset", "ReadLog",
    "Event", "ExportContext", "Exporter", "Finding", "check_data",
    "LayerGroup", "Metric", "RunInfo", "StopTraining",
    "ModelRequest", "Param", "ParamGroup", "PluginError", "PluginManager", "Registry",
    "RunResult", "RunSpec", "SpecError", "Strategy", "StrategyContext", "StrategyPlan",
    "TunekitError", "UnknownComponentError", "hookimpl", "load_plugins", "load_spec",
    "parse_spec", "resume", "run",
    # the types of the values handed to plugins (tunekit.components)
    "Example", "ExportData", "HeadConfig", "JSONValue", "Options", "ParamValue", "SpecDict",
    "TrainingSummary",
]

_LAZY = {"run": "engine", "resume": "engine", "RunResult": "engine", "Registry": "registry",
         "check_data": "tools.datacheck", "DataReport": "tools.datacheck",
         "Finding": "tools.datacheck"}


def __getattr__(name: str) -> Any:  # Any: the lazy names' own types are imported above
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'tunekit' has no attribute {name!r}")
