"""Helpers for testing tunekit and its plugins: tiny real models, tiny data, isolated registries.

For plugin authors (see docs/plugins/testing.md):

    from tunekit.testing import check_component, train_tiny

    def test_my_metric_keeps_the_contract():
        check_component(my_plugin.balanced_accuracy)   # raises ContractError, saying what to fix

    def test_my_metric_in_a_real_run():
        tiny = train_tiny(my_plugin)                   # a real training on tiny data, seconds
        assert tiny.status == "completed"

- ``manager_with(*plugins, builtins=True)``: a plugin manager holding only the plugins a test
  names, tunekit's built-ins (unless ``builtins=False``) and the tiny test components;
- ``tiny_backbones`` (``tiny-bert``, ``tiny-gpt2``, ``tiny-llama``: real transformers models
  built from a config, random seeded weights, the bundled MiniLM tokenizer; tiny-llama's has a
  chat template, ``TINY_CHAT_TEMPLATE``) and ``tiny_datasets``
  (``tiny-text``: easy two-class examples generated in memory); ``tiny-vit``,
  ``tiny-resnet``, ``tiny-convnext`` for image-classification (``tiny_image_model``);
- ``tiny_rows``, ``tiny_splits``, ``write_text_csv``, ``write_text_jsonl``: the same easy data;
- ``isolated_registry(folder)``: a registry of its own;
- ``train_tiny(plugin_or_component, **spec)``: a complete real run on tiny data;
- ``check_component`` / ``check_plugin``: every way a component breaks the contract.

The pytest fixtures ``tunekit_registry``, ``tunekit_manager`` and ``tiny_data`` come with
``tunekit.testing.fixtures`` (loaded automatically once tunekit is installed).
"""

from __future__ import annotations

from .contract import (
    ComponentReport,
    ContractError,
    ContractProblem,
    PluginReport,
    check_component,
    check_plugin,
)
from .kit import (
    FILLER,
    NEGATIVE,
    POSITIVE,
    RATING_WORDS,
    TINY_CHAT_TEMPLATE,
    TINY_PLUGINS,
    TINY_TEXT,
    TinyData,
    TinyRun,
    bundled_tokenizer,
    isolated_registry,
    make_manager,
    manager_with,
    plugin_of,
    rating_rows,
    register_backbones,
    scratch_folder,
    tiny_backbones,
    tiny_data_files,
    tiny_datasets,
    tiny_image_model,
    tiny_model,
    tiny_rows,
    tiny_splits,
    train_tiny,
    write_rating_csv,
    write_text_csv,
    write_text_jsonl,
)

__all__ = [
    "FILLER", "NEGATIVE", "POSITIVE", "register_backbones",
    "TINY_PLUGINS", "TINY_TEXT", "ComponentReport", "ContractError", "ContractProblem",
    "PluginReport", "TinyData", "TinyRun", "TINY_CHAT_TEMPLATE",
    "bundled_tokenizer", "check_component", "check_plugin", "isolated_registry", "make_manager",
    "manager_with", "plugin_of", "tiny_backbones", "tiny_datasets", "tiny_model", "tiny_rows",
    "scratch_folder", "tiny_data_files", "tiny_splits", "train_tiny", "write_text_csv",
    "write_text_jsonl", "tiny_image_model", "RATING_WORDS", "rating_rows", "write_rating_csv",
]
