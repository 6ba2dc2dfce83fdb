"""A test plugin that keeps what a run built, so tests can compare weights before and after.

It registers the tiny backbones of ``tunekit.testing`` under their usual names (``tiny-bert``,
``tiny-gpt2``), and remembers each model the moment it is built (with a copy of every weight,
before any strategy touches it), and an exporter ``capture`` that remembers the model the
engine hands to exporters (the trained model, unwrapped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tunekit
from tunekit.testing import make_manager, tiny_backbones


@dataclass
class Built:
    """One model as the backbone built it: the live parameters, and copies of their values."""

    model: Any
    params: dict[str, Any]  # name -> the live Parameter object (peft keeps these objects)
    before: dict[str, Any]  # name -> a copy taken at build time
    groups: dict[str, list[str]]  # layer group name -> parameter names

    def changed(self, name: str) -> bool:
        import torch

        return not torch.equal(self.params[name].detach(), self.before[name])

    def names(self, *groups: str) -> list[str]:
        return [n for g in groups for n in self.groups[g]]


@dataclass
class Capture:
    """The plugin object; ``reset()`` between tests."""

    built: list[Built] = field(default_factory=list)
    exported: list[Any] = field(default_factory=list)

    def reset(self) -> None:
        self.built.clear()
        self.exported.clear()

    def last(self) -> Built:
        """The one model built by the run (a method: pluggy reads every attribute)."""
        assert len(self.built) == 1, f"expected one model built, got {len(self.built)}"
        return self.built[0]

    @tunekit.hookimpl
    def register_backbones(self, register):
        originals: list[tunekit.Backbone] = []
        tiny_backbones.register_backbones(register=originals.append)
        for original in originals:
            register(tunekit.Backbone(name=original.name, description=original.description,
                                      params=original.params, build=self._keeping(original.build)))

    @tunekit.hookimpl
    def register_exporters(self, register):
        def export(context: tunekit.ExportContext) -> list:
            self.exported.append(context.model)
            return []

        register(tunekit.Exporter(name="capture", description="Keeps the trained model (tests).",
                                  export=export))

    def _keeping(self, build):
        def keeping(options: dict[str, Any], request: tunekit.ModelRequest) -> tunekit.BuiltModel:
            from tunekit.layers import default_layer_groups

            result = build(options, request)
            params = dict(result.model.named_parameters())
            groups = {g.name: [n for n, _ in g.params]
                      for g in default_layer_groups(result.model)}
            self.built.append(Built(model=result.model, params=params,
                                    before={n: p.detach().clone() for n, p in params.items()},
                                    groups=groups))
            return result

        return keeping


def capture_manager(capture: Capture, *extra: tuple[str, object]) -> tunekit.PluginManager:
    """The installed plugins plus ``capture`` (which provides tiny-bert and tiny-gpt2)."""
    return make_manager(("capture", capture), *extra)
