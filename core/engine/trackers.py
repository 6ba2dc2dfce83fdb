"""Experiment trackers (``training.report_to``): TensorBoard, MLflow, W&B and the rest of
accelerate's trackers, fed from the run's events.

accelerate's own tracker classes do the writing (``accelerate.tracking``), built the way
``Accelerator.init_trackers`` builds them. They hang off a listener rather than off the run's
``Accelerator(log_with=...)``: the listener hears the whole run, from the first step to the
final status that ``run`` emits after training has returned, and it outlives each attempt of
the automatic batch-size search, each of which makes an accelerator of its own. Only the main
process has listeners, so only it writes, as with ``Accelerator.log``.
"""

from __future__ import annotations

from typing import Any

from ..errors import TunekitError
from ..events import Event, RunInfo
from ..spec import flatten_spec

# tracker -> (the module it imports, what to pip install for it)
PACKAGES = {
    "tensorboard": ("tensorboard", "'tunekit[tensorboard]'"),
    "mlflow": ("mlflow", "'tunekit[mlflow]'"),
    "wandb": ("wandb", "'tunekit[wandb]'"),
    "trackio": ("trackio", "trackio"),
    "comet_ml": ("comet_ml", "comet_ml"),
    "aim": ("aim", "aim"),
    "clearml": ("clearml", "clearml"),
    "dvclive": ("dvclive", "dvclive"),
    "swanlab": ("swanlab", "swanlab"),
}
PROJECT = "tunekit"  # the experiment (MLflow), project (W&B, trackio) every run is filed under


def open_trackers(report_to: list[str], info: RunInfo) -> TrackerLog:
    """The listener writing to the trackers of ``training.report_to``, started and holding
    the run's spec as its hyperparameters (none for an empty list). A tracker whose
    package is not installed is refused here, before training, naming what to install."""
    for name in report_to:
        _require(name)
    config = _hyperparameters(info.spec)
    started = TrackerLog([])
    for name in report_to:
        tracker = _make(name, info)
        try:
            tracker.start()
            started.trackers.append(tracker)
            tracker.store_init_configuration(config)
        except Exception as exc:  # a tracker's own setting (a URI, a login) is wrong
            started.finish()
            first = (str(exc).strip().splitlines() or [""])[0]
            raise TunekitError(f"the {name} tracker could not start: {type(exc).__name__}: "
                               f"{first}", where="training.report_to",
                               hint=f"check {name}'s own settings (for MLflow: "
                               "MLFLOW_TRACKING_URI), or take it out of training.report_to"
                               ) from exc
    return started


class TrackerLog:
    """A listener: training loss and learning rate at each log point (``train/loss``,
    ``train/learning_rate``), each evaluation's metrics under its split (``validation/f1``),
    all at the optimizer step; the trackers are finished when the run ends, however it ends."""

    def __init__(self, trackers: list[Any]):
        self.trackers = trackers
        self.finished = False

    def __call__(self, event: Event) -> None:
        data = event.data
        if event.kind == "step":
            self._log({"train/loss": data["loss"], "train/learning_rate": data["learning_rate"],
                       "train/epoch": data["epoch"]}, data["step"])
        elif event.kind == "evaluation":
            scalars = {f"{data['split']}/{name}": value for name, value in data["metrics"].items()
                       if isinstance(value, int | float) and not isinstance(value, bool)}
            self._log(scalars, data["step"])
        elif event.kind == "status" and data["status"] not in ("queued", "running"):
            self.finish()

    def _log(self, values: dict[str, float], step: int) -> None:
        for tracker in self.trackers:
            tracker.log({k: float(v) for k, v in values.items()}, step=step)

    def finish(self) -> None:
        """Close every tracker once (a TensorBoard file flushed, an MLflow run ended)."""
        if self.finished:
            return
        self.finished = True
        for tracker in self.trackers:
            tracker.finish()


def _require(name: str) -> None:
    """Import the tracker's package, or say which extra brings it: accelerate itself would
    skip a missing tracker without a word, and the run would log nowhere."""
    module, install = PACKAGES[name]
    try:
        __import__(module)
    except ImportError as exc:
        raise TunekitError(
            f"the {name} tracker needs the package {module!r}, which is not installed "
            f"({type(exc).__name__}: {exc})", where="training.report_to",
            hint=f"pip install {install}, or take {name} out of training.report_to") from None


def _make(name: str, info: RunInfo) -> Any:
    """accelerate's tracker for ``name``, filed under this run: TensorBoard's event files in
    the run's folder (``tensorboard --logdir runs`` shows every run), an MLflow run and a W&B
    run named ``run-ID`` (MLflow's experiment and tracking URI come from MLFLOW_EXPERIMENT_NAME
    and MLFLOW_TRACKING_URI where set, as MLflow's own tools read them)."""
    from accelerate.tracking import LOGGER_TYPE_TO_CLASS

    cls = LOGGER_TYPE_TO_CLASS[name]
    run_name = f"run-{info.id}"
    if name == "tensorboard":
        return cls("tensorboard", str(info.output_dir))
    if name == "mlflow":
        return cls(experiment_name=PROJECT, run_name=run_name)
    if name == "wandb":
        return cls(PROJECT, name=run_name)
    if cls.requires_logging_directory:
        return cls(PROJECT, str(info.output_dir))
    return cls(PROJECT)


def _hyperparameters(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as flat, plain values (``training.learning_rate``: 0.001): what every tracker
    accepts as hyperparameters (TensorBoard's take no None, lists or mappings)."""
    flat = flatten_spec(spec)
    return {key: value if isinstance(value, bool | int | float | str) else str(value)
            for key, value in flat.items()}
