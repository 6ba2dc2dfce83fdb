"""Reading a person's message into changes to a run spec.

``understand(message, catalog, draft)`` returns an ``Understanding``: the fields to set (as
dotted paths, like ``--set``), what it noticed, and what it could not place. Components are
matched against the live catalog (names, titles, aliases), so an installed plugin is understood
the moment it is installed; numbers, paths and column names are read with patterns.

The message goes through small readers, one idea each, in an order that lets the specific ones
claim their words first (a path before the dataset names inside it, "every 2 epochs" before the
epochs, "lora dropout" before the dropout):

    data files, model ids, column names        (as written: case matters)
    splits, augmentations ("word dropout" is not the model's dropout), early stopping,
    strategy, numbers, metrics and exporters,
    named components                           (on the normalised text)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .augment_words import read_augmentations
from .catalog import Catalog
from .data_words import (
    DATA_SUFFIXES,
    UNQUOTED_PATH,
    fit_data_to_task,
    move_columns_to_task,
    read_columns,
    read_data_files,
    read_data_size,
    read_dataset_name,
    read_dataset_options,
    read_deduplicate,
    read_hub_dataset,
    read_named_splits,
    read_own_columns,
    read_own_data,
    read_splits,
    read_table_problems,
    use_file,
)
from .leftover_words import read_leftovers
from .limit_words import read_absent_metrics, read_limits
from .list_words import read_list
from .model_words import read_backbone_name, read_backbone_options, read_model
from .reading import Reading, Understanding
from .refer_words import read_referred
from .scope_words import read_memory
from .spec_fields import read_unknown_settings
from .strategy_words import read_strategy
from .task_words import read_task
from .training_words import read_early_stopping, read_training

__all__ = ["Catalog", "Understanding", "understand", "understand_file", "find_paths",
           "DATA_SUFFIXES"]


def understand(message: str, catalog: Catalog, draft: dict[str, Any],
               base_dir: str | Path | None = None,
               carried: dict[str, Any] | None = None) -> Understanding:
    """Read ``message`` against the catalog and the current ``draft`` spec (``carried``: what
    the previous turn's ``Understanding.carried`` left for this one to refer to)."""
    reading = Reading(message, catalog, draft, Path(base_dir) if base_dir else Path.cwd(),
                      carried=dict(carried or {}))
    read_referred(reading)  # "show me both": what the question before was about
    read_data_files(reading)
    read_hub_dataset(reading)
    read_model(reading)
    read_own_columns(reading)
    read_columns(reading)
    reading.normalise()
    said = reading.text  # switches are read on it whole: "no augmentation" is also the images'
    read_limits(reading)
    read_named_splits(reading)  # before the shares: "test on validation" is no share
    read_splits(reading)
    read_deduplicate(reading)
    read_dataset_options(reading, said)
    read_augmentations(reading)
    read_early_stopping(reading)
    read_strategy(reading)
    read_training(reading)
    read_memory(reading)  # "it won't fit on my GPU": with the batch size this turn sets
    read_list(reading, "metrics", "metric")
    read_list(reading, "exporters", "exporter")
    if read_dataset_name(reading):  # a dataset named in words: its own options now
        read_splits(reading)
        read_deduplicate(reading)
        read_dataset_options(reading, said)
    read_backbone_name(reading)
    read_backbone_options(reading)
    read_task(reading)
    read_absent_metrics(reading)  # after the task: the metrics it has are said with it
    fit_data_to_task(reading)
    move_columns_to_task(reading)
    read_table_problems(reading)
    read_data_size(reading)  # after the task: it may bring its own sample
    read_own_data(reading)
    read_unknown_settings(reading)  # "save_total_limit=2": a name nothing here has
    read_leftovers(reading, said, message)
    return reading.result


def understand_file(path: str | Path, catalog: Catalog, draft: dict[str, Any],
                    base_dir: str | Path | None = None) -> Understanding:
    """Take the file or folder at ``path`` as the data (an upload), read by the dataset that
    declares it reads it best, as a file named in a message is."""
    reading = Reading("", catalog, draft, Path(base_dir) if base_dir else Path.cwd())
    use_file(reading, str(path))
    return reading.result


def find_paths(message: str) -> list[str]:
    """Data file paths in a message, as written."""
    return [m.group(1) for m in UNQUOTED_PATH.finditer(message)]
