"""The studio end to end: the real app on a free port, driven by a real gradio_client.

Runs are real ``tunekit run`` processes training the tiny test backbone, which reaches them the
way a user's plugin would: a file in the plugins folder handed to ``--plugins-dir``. One
server serves the whole module (starting the app is the cheap part; the runs are not), and the
tests follow a person's path: open, talk, edit the form, upload, train, watch, stop, look back.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from gradio_client import Client, handle_file
from studio_harness import TINY_PLUGIN, client_http, free_port
from tunekit.errors import TunekitError
from tunekit.registry import Registry
from tunekit.testing import write_text_csv
from tunekit.ui.studio import build_app, read_auth

BROKEN_PLUGIN = "raise RuntimeError('this plugin is broken on purpose')\n"
RUN_TIMEOUT = 90.0


class StudioClient:
    """A gradio_client session with the studio, answering with named outputs."""

    def __init__(self, app: Any, url: str, downloads: Path):
        self.app = app
        self.client = Client(url, verbose=False, download_files=str(downloads),
                             httpx_kwargs=client_http())

    def call(self, api_name: str, *args: Any) -> dict[str, Any]:
        result = self.client.predict(*args, api_name=f"/{api_name}")
        names = self.app.output_names[api_name]
        values = result if len(names) > 1 else (result,)
        return dict(zip(names, values, strict=True))

    @property
    def session(self) -> Any:
        """The server-side session of this client (its assistant, its choices)."""
        return self.app.studio.session(self.client.session_hash)

    def last_message(self, result: dict[str, Any]) -> str:
        return text(result["chatbot"][-1])

    def wait_for_run(self, ended: tuple[str, ...] = ("completed",),
                     shown: dict[str, Any] | None = None) -> dict[str, Any]:
        """Poll as the page does until this session's run ends and is reported in the chat.

        ``shown`` is what the page already shows (the answer of the last call): the poll
        sends only what changed since, so a status already shown is not sent again."""
        screen = {k: v for k, v in (shown or {}).items() if not unchanged(v)}
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            result = self.call("poll")
            screen.update({k: v for k, v in result.items() if not unchanged(v)})
            session = self.session
            if session.job is None and session.watching is not None:
                record = self.app.studio.registry.get_run(session.watching)
                assert record.status in ended, (record.status, record.error, self.log())
                return screen
            time.sleep(0.3)
        raise AssertionError(f"the run did not end in {RUN_TIMEOUT}s:\n{self.log()}")

    def log(self) -> str:
        logs = sorted((self.app.studio.workdir / "studio" / "logs").glob("*.log"))
        return logs[-1].read_text() if logs else "(no log)"


def text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content if isinstance(part, dict))


def unchanged(output: Any) -> bool:
    """Whether an output is gradio's "no change" (an update without a value)."""
    return isinstance(output, dict) and output.get("__type__") == "update" and \
        "value" not in output


def value(output: Any) -> Any:
    """A component's value whether it came back as a value or as an update."""
    return output.get("value") if isinstance(output, dict) and "__type__" in output else output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("studio")
    plugins = folder / "plugins"
    plugins.mkdir()
    (plugins / "tiny.py").write_text(TINY_PLUGIN)
    (plugins / "broken.py").write_text(BROKEN_PLUGIN)
    write_text_csv(folder / "reviews.csv", n=60)
    return folder


@pytest.fixture
def studio(app: Any, tmp_path: Path) -> StudioClient:
    """A fresh browser tab: its own session, its own assistant."""
    return StudioClient(app, app.local_url, tmp_path / "downloads")


def test_opens_on_the_bundled_default(studio: StudioClient) -> None:
    page = studio.call("load")
    assert "sample-reviews" in page["summary"] and "minilm-l6" in page["summary"]
    assert value(page["field:dataset.name"]) == "sample-reviews"
    assert value(page["field:backbone.name"]) == "minilm-l6"
    assert value(page["field:strategy.name"]) == "lora"
    assert "sample reviews" in studio.last_message(page).lower()
    # one click starts the default run: the assistant already waits for the yes
    assert "Start training" in studio.session.choices
    assert studio.session.assistant.awaiting_confirmation
    # only the chosen strategy's options are shown
    assert page["field:strategy.lora.r"]["visible"] is True
    assert page["field:strategy.freeze-bottom.layers"]["visible"] is False
    assert page["field:dataset.csv.path"]["visible"] is False


def test_chat_and_form_stay_in_sync(studio: StudioClient, project: Path, tmp_path: Path) -> None:
    studio.call("load")
    data = project / "reviews.csv"
    said = studio.call("chat", f"train on {data} with tiny-bert, full fine-tuning for 1 epoch")
    assert value(said["field:dataset.name"]) == "csv"
    assert value(said["field:dataset.csv.path"]) == str(data)
    assert said["field:dataset.csv.path"]["visible"] is True
    assert value(said["field:backbone.name"]) == "tiny-bert"
    assert value(said["field:strategy.name"]) == "full"
    assert value(said["field:training.epochs"]) == 1
    assert "tiny-bert" in said["summary"]

    edited = studio.call("set_training_epochs", 2)
    assert studio.session.assistant.draft["training"]["epochs"] == 2
    assert "epochs" in studio.last_message(edited)

    edited = studio.call("set_strategy_name", "lora")
    assert studio.session.assistant.spec()["strategy"]["name"] == "lora"
    assert edited["field:strategy.lora.r"]["visible"] is True
    studio.call("set_strategy_lora_r", 4)
    assert studio.session.assistant.spec()["strategy"]["r"] == 4

    before = studio.session.assistant.spec()
    refused = studio.call("set_training_batch_size", 0)
    assert "batch_size" in value(refused["notice"])
    assert "Traceback" not in value(refused["notice"])
    assert studio.session.assistant.spec() == before
    assert value(refused["field:training.batch_size"]) == 16  # the form shows the draft again

    # the fields read off the spec's schema: a choice, a number and a switch
    studio.call("set_training_precision", "fp32")
    studio.call("set_training_max_steps", 30)
    shown = studio.call("set_training_gradient_checkpointing", True)
    assert value(shown["field:training.precision"]) == "fp32"
    assert value(shown["field:training.max_steps"]) == 30
    training = studio.session.assistant.spec()["training"]
    assert (training["precision"], training["max_steps"], training["gradient_checkpointing"]) \
        == ("fp32", 30, True)
    refused = studio.call("set_training_max_steps", 0)
    assert "max_steps" in value(refused["notice"]) and "Traceback" not in value(refused["notice"])

    exported = yaml.safe_load(Path(value(refused["export"])).read_text())
    assert exported["strategy"] == {**before["strategy"], "r": 4}
    assert exported["training"]["epochs"] == 2
    assert exported["training"]["max_steps"] == 30


def test_a_turn_no_rule_reads_gets_buttons_that_set_only_when_clicked(
        studio: StudioClient) -> None:
    """The semantic fallback (ui/assistant/semantic.py) in the page: its proposal's choices
    are the buttons (gradio_client does not return buttons: the session's choices are what
    they show), and nothing changes until one is clicked."""
    studio.call("load")
    said = studio.call("chat", "train just the bias terms")
    assert "Shall I set the strategy to **bitfit**?" in studio.last_message(said)
    label = "Use BitFit (train only the biases)"
    assert studio.session.choices[0] == label  # the buttons under the reply
    assert studio.session.assistant.spec()["strategy"]["name"] == "lora"  # not yet

    clicked = studio.call("choose", label)  # as the page sends a click
    assert studio.session.assistant.spec()["strategy"]["name"] == "bitfit"
    assert value(clicked["field:strategy.name"]) == "bitfit"


def test_upload_data_preview_and_ambiguous_columns(studio: StudioClient, tmp_path: Path,
                                                   project: Path) -> None:
    studio.call("load")
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\x00\x00binary")
    refused = studio.call("upload", handle_file(str(binary)))
    assert "not a text file" in value(refused["notice"])
    assert studio.session.assistant.spec()["dataset"]["name"] == "sample-reviews"

    tickets = tmp_path / "tickets.csv"
    tickets.write_text("subject,body,team\nlogin,cannot log in,it\nbill,charged twice,billing\n"
                       "vpn,vpn drops,it\nrefund,want my money,billing\n")
    asked = studio.call("upload", handle_file(str(tickets)))
    assert (project / "uploads" / "tickets.csv").is_file()  # kept beside the studio's runs
    question = studio.last_message(asked)
    assert "which column" in question.lower() and "label" in question
    assert "team" in studio.session.choices
    assert asked["data_rows"]["headers"] == ["subject", "body", "team"]
    assert len(asked["data_rows"]["data"]) == 4
    assert "4 rows" in asked["data_summary"]

    answered = studio.call("choose", "team")  # a clickable choice, as the page sends it
    dataset = studio.session.assistant.spec()["dataset"]
    assert dataset["label_column"] == "team" and dataset["text_column"] == "body"
    assert value(answered["field:dataset.csv.label_column"]) == "team"
    assert {row[0]: row[1] for row in answered["data_labels"]["data"]} == {"it": 2,
                                                                           "billing": 2}


def test_a_run_from_chat_to_history_and_compare(studio: StudioClient, project: Path) -> None:
    studio.call("load")
    studio.call("chat", f"train on {project / 'reviews.csv'} with tiny-bert, full fine-tuning "
                        "for 1 epoch")
    started = studio.call("choose", "Start training")
    assert "starting" in studio.last_message(started).lower()
    assert studio.session.job is not None
    done = studio.wait_for_run()
    first = studio.session.watching
    assert studio.last_message(done).startswith(f"Run {first} finished")
    assert done["run_status"].startswith(f"**Run {first}**") and "completed" in \
        done["run_status"]
    assert "100%" in done["progress"]
    assert {row[2] for row in done["loss_plot"]["data"]} == {"train", "validation"}
    assert "accuracy" in {row[2] for row in done["metric_plot"]["data"]}
    assert f"run {first} completed" in done["log_tail"]

    # the explanation offers a next run; one click applies it and asks to confirm
    assert studio.session.choices == ["Run the suggestion"]
    _, changes = studio.session.suggestion
    suggested = studio.call("choose", "Run the suggestion")
    spec = studio.session.assistant.spec()
    for path, expected in changes.items():
        node: Any = spec
        for part in path.split("."):
            node = node[part]
        assert node == expected or node.get("name") == expected.get("name")
    assert "Start training" in studio.session.choices
    assert "shall i start" in studio.last_message(suggested).lower()
    studio.call("start")
    studio.wait_for_run()
    second = studio.session.watching
    registry = studio.app.studio.registry
    assert registry.get_run(second).parent_id == first

    history = studio.call("history")
    rows = {row[0]: row for row in history["history_table"]["data"]}
    assert rows[first][1] == "completed" and rows[second][1] == "completed"
    assert rows[second][9] == first  # the parent column

    opened = studio.call("open_run", first)
    assert opened["detail_summary"].startswith(f"### Run {first}: completed")
    assert opened["detail_confusion"]["headers"] == ["true \\ predicted", "negative",
                                                     "positive"]
    assert yaml.safe_load(opened["detail_spec"])["backbone"]["name"] == "tiny-bert"
    names = {Path(f).name for f in opened["detail_files"]}
    assert {"huggingface.zip", "model-card-README.md"} <= names
    for file in opened["detail_files"]:
        assert Path(file).stat().st_size > 0  # downloaded through the client

    compared = studio.call("compare", [first, second], False)
    assert {row[2] for row in compared["compare_loss"]["data"]} == {f"run {first}",
                                                                    f"run {second}"}
    diff = {row[0]: row[1:] for row in compared["compare_diff"]["data"]}
    assert diff and all(a != b for a, b in diff.values())
    assert "training.epochs" in diff
    assert compared["compare_diff"]["headers"] == ["field", f"run {first}", f"run {second}"]

    cloned = studio.call("clone", first)
    assert f"run {first}" in studio.last_message(cloned)
    assert studio.session.assistant.spec()["training"]["epochs"] == 1
    assert studio.session.parent_id == first


def test_stop_a_running_run(studio: StudioClient, project: Path) -> None:
    studio.call("load")
    studio.call("chat", f"train on {project / 'reviews.csv'} with tiny-bert, full fine-tuning")
    studio.call("set_training_epochs", 500)
    studio.call("set_training_early_stopping", False)
    assert studio.session.assistant.spec()["training"]["early_stopping"] is None
    studio.call("start")
    job = studio.session.job
    registry = studio.app.studio.registry
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        studio.call("poll")
        record = registry.get_run(job.run_id) if job.run_id else None
        if record is not None and record.status == "running":
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the run never started:\n{studio.log()}")
    stopping = studio.call("stop")
    assert value(stopping["notice"]) == f"Stopping run {job.run_id}…"
    ended = studio.wait_for_run(ended=("cancelled",), shown=stopping)
    assert registry.get_run(job.run_id).status == "cancelled"
    assert job.process.wait(timeout=30) == 130  # the CLI's exit code for a stopped run
    assert "cancelled" in studio.last_message(ended)
    assert "cancelled" in ended["run_status"]


def test_plugins_page_and_history_survive_a_restart(app: Any, project: Path,
                                                    tmp_path: Path) -> None:
    restarted = build_app(registry_path=project / "registry.db", workdir=project,
                          plugins_dir=project / "plugins")
    restarted.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        tab = StudioClient(restarted, restarted.local_url, tmp_path / "downloads")
        page = tab.call("load")
        statuses = {row[1] for row in page["history_table"]["data"]}
        assert {"completed", "cancelled"} <= statuses
        plugins = {row[0]: row for row in page["plugins_table"]["data"]}
        assert plugins["strategies-lora"][3] == "loaded"
        assert plugins["broken"][3] == "failed"
        assert "broken on purpose" in plugins["broken"][5]
        assert "broken on purpose" in page["problems"]
        components = {(row[0], row[1]) for row in page["components_table"]["data"]}
        assert {("strategy", "lora"), ("strategy", "gradual"), ("backbone", "minilm-l6"),
                ("dataset", "sample-reviews"), ("backbone", "tiny-bert")} <= components
    finally:
        restarted.close()


def test_read_auth(tmp_path: Path) -> None:
    assert read_auth("ana:s3cret:with:colons", None) == [("ana", "s3cret:with:colons")]
    users = tmp_path / "users"
    users.write_text("# the team\nana:one\n\nbo:two\n")
    assert read_auth(None, str(users)) == [("ana", "one"), ("bo", "two")]
    with pytest.raises(TunekitError, match="USER:PASS"):
        read_auth("nopassword", None)
    with pytest.raises(TunekitError, match="not found"):
        read_auth(None, str(tmp_path / "missing"))


def test_tunekit_studio_command_serves_with_a_login(tmp_path: Path) -> None:
    port = free_port()
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tunekit.ui.cli", "--registry", str(tmp_path / "r.db"),
         "studio", "--port", str(port), "--auth", "ana:s3cret"],
        cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, process.stdout.read().decode()
            time.sleep(0.2)
        url = f"http://127.0.0.1:{port}/"
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do
            Client(url, verbose=False)
        client = Client(url, auth=("ana", "s3cret"), verbose=False,
                        download_files=str(tmp_path / "dl"), httpx_kwargs=client_http())
        summary = client.predict(api_name="/load")[2]
        assert "sample-reviews" in summary
        assert Registry.open(tmp_path / "r.db").runs() == []
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_progress_and_eta_from_the_registry(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tunekit.ui.studio.tabs.curves import progress

    registry = Registry.open(tmp_path / "registry.db")
    run = registry.create_run({"task": "text-classification", "dataset": {"name": "csv"}})
    assert progress(registry.get_run(run.id), [])["line"].startswith("preparing")
    registry.update_run(run.id, status="running",
                        started_at=datetime.now(UTC) - timedelta(seconds=30),
                        summary={"total_steps": 40, "epochs": 4})
    registry.add_metric_points(run.id, [
        {"step": 10, "epoch": 1.0, "split": "train", "name": "loss", "value": 0.7},
        {"step": 10, "epoch": 1.0, "split": "validation", "name": "accuracy", "value": 0.6}])
    state = progress(registry.get_run(run.id), registry.metric_points(run.id))
    assert state["fraction"] == 0.25 and state["step"] == 10
    assert 85 <= state["eta"] <= 95  # 30 s for a quarter: about 90 s to go
    assert "step 10 of 40" in state["line"] and "left" in state["line"]
    registry.update_run(run.id, status="cancelled", finished_at=datetime.now(UTC))
    assert progress(registry.get_run(run.id),
                    registry.metric_points(run.id))["line"].startswith("cancelled at step 10")
