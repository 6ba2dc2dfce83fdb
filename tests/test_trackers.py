"""training.report_to: a real run writes to real trackers (TensorBoard event files, an MLflow
file store), and what they hold is what registry.db holds; a tracker that is not installed is
one clear message naming the extra."""

from __future__ import annotations

from pathlib import Path

import pytest
import tunekit
from blocker import uninstalled
from tunekit.errors import SpecError, TunekitError
from tunekit.registry import Registry
from tunekit.spec import TRACKERS


def spec_for(manager, data: Path, report_to):
    return tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(data)},
        "backbone": "tiny-bert",
        "strategy": "full",
        "training": {"epochs": 2, "batch_size": 8, "learning_rate": 1e-3, "seed": 3,
                     "log_every": 1, "early_stopping": None, "report_to": report_to},
        "metrics": ["accuracy", "f1"],
        "exporters": [],
    }, manager)


def points(registry: Registry, run_id: int, split: str, name: str) -> dict[int, float]:
    return {p.step: p.value for p in registry.metric_points(run_id)
            if p.split == split and p.name == name}


@pytest.fixture
def mlflow_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    uri = (tmp_path / "mlruns").as_uri()  # file:///..., MLflow's file store
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    # MLflow 3 keeps its file store for those who ask for it; it needs no database
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    monkeypatch.delenv("MLFLOW_RUN_ID", raising=False)
    return uri


def test_a_run_reports_to_tensorboard_and_mlflow_what_the_registry_records(
        manager, small_csv, tmp_path, mlflow_store):
    from mlflow.tracking import MlflowClient
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    registry = Registry.open(tmp_path / "registry.db")
    result = tunekit.run(spec_for(manager, small_csv, ["tensorboard", "mlflow"]),
                         manager=manager, registry=registry, progress=False,
                         output_root=tmp_path / "runs")
    assert result.status == "completed"
    loss = points(registry, result.run_id, "train", "loss")
    accuracy = points(registry, result.run_id, "validation", "accuracy")
    assert len(loss) >= 4 and len(accuracy) == 2  # a point per step, one per epoch

    # TensorBoard: the event files in the run's folder, read back by TensorBoard's reader
    logdir = result.output_dir / "tensorboard"
    events = EventAccumulator(str(logdir))
    events.Reload()
    scalars = events.Tags()["scalars"]
    assert {"train/loss", "train/learning_rate", "validation/accuracy", "validation/f1"} \
        <= set(scalars)
    written = {e.step: e.value for e in events.Scalars("train/loss")}
    assert written == pytest.approx(loss, rel=1e-6)
    written = {e.step: e.value for e in events.Scalars("validation/accuracy")}
    assert written == pytest.approx(accuracy, rel=1e-6)

    # MLflow: one run named after ours, its params the spec, its metric history the points
    client = MlflowClient(tracking_uri=mlflow_store)
    experiment = client.get_experiment_by_name("tunekit")
    (found,) = client.search_runs([experiment.experiment_id])
    assert found.info.run_name == f"run-{result.run_id}"
    assert found.info.status == "FINISHED"
    assert found.data.params["training.learning_rate"] == "0.001"
    assert found.data.params["backbone.name"] == "tiny-bert"
    history = {m.step: m.value for m in client.get_metric_history(found.info.run_id,
                                                                   "train/loss")}
    assert history == pytest.approx(loss, rel=1e-6)
    assert found.data.metrics["validation/accuracy"] == pytest.approx(result.metrics["accuracy"])


def test_a_failed_run_still_ends_its_mlflow_run(manager, tmp_path, mlflow_store):
    from mlflow.tracking import MlflowClient

    bad = tmp_path / "one_class.csv"
    bad.write_text("text,label\n" + "".join(f"row {i},same\n" for i in range(30)))
    registry = Registry.open(tmp_path / "registry.db")
    with pytest.raises(TunekitError):
        tunekit.run(spec_for(manager, bad, "mlflow"), manager=manager, registry=registry,
                    progress=False, output_root=tmp_path / "runs")
    client = MlflowClient(tracking_uri=mlflow_store)
    (found,) = client.search_runs([client.get_experiment_by_name("tunekit").experiment_id])
    assert found.info.status == "FINISHED"  # ended, not left running


def test_a_tracker_that_cannot_start_is_one_clear_message(manager, small_csv, tmp_path,
                                                         monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "false")  # MLflow 3 refuses a file store
    registry = Registry.open(tmp_path / "registry.db")
    with pytest.raises(TunekitError) as info:
        tunekit.run(spec_for(manager, small_csv, ["tensorboard", "mlflow"]), manager=manager,
                    registry=registry, progress=False, output_root=tmp_path / "runs")
    message = str(info.value)
    assert message.startswith("training.report_to: the mlflow tracker could not start")
    assert "MLFLOW_TRACKING_URI" in message and len(message.splitlines()) == 2
    assert registry.runs()[0].status == "failed"


def test_an_uninstalled_tracker_is_refused_before_training_naming_the_extra(
        manager, small_csv, tmp_path):
    registry = Registry.open(tmp_path / "registry.db")
    spec = spec_for(manager, small_csv, ["tensorboard"])
    with uninstalled("tensorboard"), pytest.raises(TunekitError) as info:
        tunekit.run(spec, manager=manager, registry=registry, progress=False,
                    output_root=tmp_path / "runs")
    message = str(info.value)
    assert message.startswith("training.report_to: the tensorboard tracker needs")
    assert "pip install 'tunekit[tensorboard]'" in message
    assert "Traceback" not in message
    (record,) = registry.runs()
    assert record.status == "failed" and "tunekit[tensorboard]" in record.error
    assert not points(registry, record.id, "train", "loss")  # it never trained


def test_report_to_reads_names_the_way_people_write_them(manager, small_csv):
    read = spec_for(manager, small_csv, "TensorBoard, mlflow, tensorboard").training.report_to
    assert read == ["tensorboard", "mlflow"]
    assert spec_for(manager, small_csv, "W&B").training.report_to == ["wandb"]
    assert spec_for(manager, small_csv, None).training.report_to == []
    assert spec_for(manager, small_csv, False).training.report_to == []
    with pytest.raises(SpecError) as info:
        spec_for(manager, small_csv, ["tensorbord"])
    assert "training.report_to" in str(info.value) and 'Did you mean "tensorboard"' in str(
        info.value)


def test_every_tracker_accelerate_offers_can_be_named():
    from accelerate.tracking import LOGGER_TYPE_TO_CLASS
    from tunekit.engine.trackers import PACKAGES

    assert set(TRACKERS) == set(PACKAGES) == set(LOGGER_TYPE_TO_CLASS)
