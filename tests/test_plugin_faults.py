"""A plugin that raises, at each hook and stage of a run: the run fails with the plugin and
the stage named, the registry records the failure with that message, and the next run in the
same process (the studio's process, a sweep's) trains as if nothing happened.

Runs started from the studio are processes of their own (``ui/studio/jobs/runs.py``), so a run
that fails cannot take the studio down; these tests check the engine's side in one process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tunekit
from tunekit.registry import Registry
from tunekit.testing import make_manager, tiny_backbones, write_text_csv


class Boom(ValueError):
    """What the faulty plugin raises: a plain exception, as a buggy plugin would."""


class Faulty:
    """A plugin with one component of each kind and every lifecycle hook. Each delegates to
    a built-in (so a run trains for real) unless ``fail_at`` names it; then it raises Boom."""

    def __init__(self) -> None:
        self.fail_at: str | None = None
        self.manager: Any = None

    def _maybe_fail(self, stage: str) -> None:
        if self.fail_at == stage:
            raise Boom(f"broken on purpose in {stage}")

    def _builtin(self, kind: str, name: str) -> Any:
        return self.manager.get(kind, name)

    # ---- components

    def _load(self, options: dict[str, Any], context: tunekit.DataContext) -> Any:
        self._maybe_fail("dataset.load")
        return self._builtin("dataset", "csv").load(options, context)

    def _build(self, options: dict[str, Any], request: tunekit.ModelRequest) -> Any:
        self._maybe_fail("backbone.build")
        return self._builtin("backbone", "tiny-bert").build(options, request)

    def _apply(self, model: Any, options: dict[str, Any], context: Any) -> Any:
        self._maybe_fail("strategy.apply")
        plan = self._builtin("strategy", "head-only").apply(model, options, context)

        def on_epoch_start(epoch: int) -> str | None:
            self._maybe_fail("strategy.on_epoch_start")
            return None

        plan.on_epoch_start = on_epoch_start
        return plan

    def _compute(self, predictions: Any, references: Any, labels: list[str]) -> dict[str, Any]:
        self._maybe_fail("metric.compute")
        return {"faulty-score": 0.5}

    def _export(self, context: tunekit.ExportContext) -> list[Path]:
        self._maybe_fail("exporter.export")
        path = context.directory / "note.txt"
        path.write_text("exported\n")
        return [path]

    def _augment(self, texts: list[str], options: dict[str, Any], rng: Any) -> list[str]:
        self._maybe_fail("augmentation.augment")
        return [t + " !" for t in texts]

    @tunekit.hookimpl
    def register_datasets(self, register):
        from tunekit.plugins.datasets.files import COMMON_PARAMS

        params = COMMON_PARAMS
        register(tunekit.Dataset(name="faulty-data", description="csv, or a failure",
                                 params=params, load=self._load))
        register(tunekit.Augmentation(name="faulty-aug", description="adds ' !', or fails",
                                      augment=self._augment))

    @tunekit.hookimpl
    def register_backbones(self, register):
        tiny = make_manager(("tiny", tiny_backbones), installed=False).get("backbone",
                                                                            "tiny-bert")
        register(tunekit.Backbone(name="faulty-bert", description="tiny-bert, or a failure",
                                  params=tiny.params, build=self._build))

    @tunekit.hookimpl
    def register_strategies(self, register):
        register(tunekit.Strategy(name="faulty-strategy", description="head-only, or a failure",
                                  apply=self._apply))

    @tunekit.hookimpl
    def register_metrics(self, register):
        register(tunekit.Metric(name="faulty-score", description="0.5, or a failure",
                                compute=self._compute))

    @tunekit.hookimpl
    def register_exporters(self, register):
        register(tunekit.Exporter(name="faulty-export", description="a note, or a failure",
                                  export=self._export))

    # ---- lifecycle

    @tunekit.hookimpl
    def on_run_start(self, run):
        self._maybe_fail("on_run_start")

    @tunekit.hookimpl
    def on_run_event(self, run, event):
        if event.kind == "evaluation":
            self._maybe_fail("on_run_event")

    @tunekit.hookimpl
    def on_run_end(self, run, status, metrics, error):
        self._maybe_fail("on_run_end")


@pytest.fixture(scope="module")
def faulty() -> tuple[Faulty, Any]:
    plugin = Faulty()
    manager = make_manager(("tiny-backbones", tiny_backbones), ("faulty", plugin))
    plugin.manager = manager
    return plugin, manager


def _spec(data: Path) -> dict[str, Any]:
    return {
        "dataset": {"name": "faulty-data", "path": str(data)},
        "backbone": "faulty-bert",
        "strategy": "faulty-strategy",
        "training": {"epochs": 2, "batch_size": 16, "learning_rate": 1e-3,
                     "early_stopping": False, "data_check": "warn"},
        "metrics": ["accuracy", "faulty-score"],
        "exporters": ["faulty-export"],
        "augmentations": ["faulty-aug"],
    }


# stage -> the words the error must hold besides the plugin's name and the exception
STAGES = {
    "dataset.load": ["dataset 'faulty-data'", "loading"],
    "augmentation.augment": ["augmentation 'faulty-aug'", "augmenting"],
    "backbone.build": ["backbone 'faulty-bert'", "building"],
    "strategy.apply": ["strategy 'faulty-strategy'", "applying"],
    "strategy.on_epoch_start": ["strategy 'faulty-strategy'", "epoch"],
    "metric.compute": ["metric 'faulty-score'", "computing"],
    "exporter.export": ["exporter 'faulty-export'", "exporting"],
    "on_run_start": ["on_run_start"],
    "on_run_event": ["on_run_event"],
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_plugin_failing_fails_the_run_naming_the_plugin_and_the_next_run_trains(
        faulty, stage, tmp_path):
    plugin, manager = faulty
    data = write_text_csv(tmp_path / "data.csv", n=40)
    registry = Registry.open(tmp_path / "registry.db")
    plugin.fail_at = stage
    try:
        with pytest.raises(tunekit.PluginError) as raised:
            tunekit.run(_spec(data), manager=manager, registry=registry, progress=False,
                        output_root=tmp_path / "runs")
    finally:
        plugin.fail_at = None

    message = str(raised.value)
    assert "plugin faulty" in message and "Boom: broken on purpose" in message, message
    for words in STAGES[stage]:
        assert words in message, (words, message)
    [failed] = registry.runs()
    assert failed.status == "failed" and failed.error == message
    assert failed.finished_at is not None

    again = tunekit.run(_spec(data), manager=manager, registry=registry, progress=False,
                        output_root=tmp_path / "runs")

    assert again.status == "completed"
    assert registry.get_run(again.run_id).status == "completed"
    assert "faulty-score" in again.metrics


def test_a_plugin_failing_after_the_end_is_a_warning_only(faulty, tmp_path, capsys):
    plugin, manager = faulty
    data = write_text_csv(tmp_path / "data.csv", n=40)
    registry = Registry.open(tmp_path / "registry.db")
    plugin.fail_at = "on_run_end"
    try:
        result = tunekit.run(_spec(data), manager=manager, registry=registry, progress=False,
                             output_root=tmp_path / "runs")
    finally:
        plugin.fail_at = None

    assert result.status == "completed"
    assert registry.get_run(result.run_id).status == "completed"
    warning = capsys.readouterr().err
    assert "plugin faulty failed in on_run_end" in warning and "Boom" in warning


class BrokenRegistration:
    """Registers one good metric, then raises: nothing of it is kept, the rest loads."""

    @tunekit.hookimpl
    def register_metrics(self, register):
        register(tunekit.Metric(name="half-done", description="never kept",
                                compute=lambda p, r, labels: {"half-done": 1.0}))
        raise Boom("broken on purpose while registering")


@pytest.mark.parametrize("hook", ["register_datasets", "register_backbones",
                                  "register_strategies", "register_metrics",
                                  "register_exporters"])
def test_a_plugin_failing_to_register_is_reported_and_the_rest_works(hook, tmp_path):
    def broken(self, register):
        raise Boom(f"broken on purpose in {hook}")

    plugin = type("Broken", (), {hook: tunekit.hookimpl(broken, specname=hook)})()
    manager = make_manager(("tiny-backbones", tiny_backbones), ("broken", plugin),
                           ("half", BrokenRegistration()))

    problems = {p.plugin: p.error for p in manager.problems}
    assert "broken" in problems and "Boom" in problems["broken"] and hook in problems["broken"]
    assert "half" in problems and manager.plugins["half"].status == "failed"
    assert "half-done" not in manager.names("metric")
    assert {"csv", "accuracy", "tiny-bert", "lora", "huggingface"} <= {
        c.name for c in manager.components()}
    data = write_text_csv(tmp_path / "data.csv", n=40)
    result = tunekit.run({"dataset": {"name": "csv", "path": str(data)},
                          "backbone": "tiny-bert", "strategy": "head-only",
                          "training": {"epochs": 1, "early_stopping": False},
                          "metrics": ["accuracy"], "exporters": []},
                         manager=manager, registry=Registry.open(tmp_path / "r.db"),
                         progress=False, output_root=tmp_path / "runs")
    assert result.status == "completed"
