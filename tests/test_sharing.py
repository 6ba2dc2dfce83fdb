"""A studio others can reach: login, a data folder it cannot read out of, sessions kept apart,
upload limits, a queue of runs, the demo's caps, and model loading that runs no stranger's code.

The shared studio here is the real app behind a real login on 127.0.0.1 (``share=True`` itself
needs the internet: its launch options are checked instead), driven by plain HTTP and by
``gradio_client`` with and without the password.
"""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import tunekit
from gradio_client import Client, handle_file
from studio_harness import TINY_PLUGIN, client_http, free_port, serving
from test_studio import text, value
from tunekit import load_plugins
from tunekit.errors import TunekitError
from tunekit.plugin_settings import disabled_in_registry
from tunekit.registry import Registry
from tunekit.testing import write_text_csv
from tunekit.ui.cli import build_parser
from tunekit.ui.studio import Safety
from tunekit.ui.studio.serve import prepare
from tunekit.ui.studio.session import Studio
from tunekit.ui.studio.sharing import (
    built_in_exporters,
    is_loopback,
    launch_options,
    make_password,
)
from tunekit.ui.studio.tabs.history import render_detail
from tunekit.ui.studio.tabs.plugins import LOCKED

REPO = Path(__file__).resolve().parents[1]
USER, PASSWORD = "ana", "correct-horse-battery"
SECRET = "the-secret-row-nobody-may-read"
RUN_TIMEOUT = 120.0


# ------------------------------------------------------------------ the shared studio


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shared")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    data = folder / "data"
    data.mkdir()
    write_text_csv(data / "reviews.csv", n=40)
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "secret.csv").write_text(f"text,label\n{SECRET},yes\nmore text,no\n")
    (data / "link.csv").symlink_to(outside / "secret.csv")
    (folder / "secret.csv").write_text(f"text,label\n{SECRET},yes\nmore text,no\n")
    return folder


@pytest.fixture(scope="module")
def shared(project: Path) -> Any:
    """The studio as ``--host 0.0.0.0`` serves it (but on loopback, for the test), with a
    login, a data folder, small limits and one run at a time."""
    safety = Safety(shared=True, data_dir=project / "data", max_rows=100,
                    max_upload_bytes=20_000, max_concurrent_runs=1)
    options = launch_options(host="127.0.0.1", port=free_port(), share=False,
                             auth=[(USER, PASSWORD)], safety=safety)
    with serving(project, plugins_dir=project / "plugins", safety=safety,
                 launch=options) as app:
        yield app


class Tab:
    """One logged-in browser tab on the shared studio (a gradio_client session)."""

    def __init__(self, app: Any, downloads: Path):
        self.app = app
        self.client = Client(app.local_url, auth=(USER, PASSWORD), verbose=False,
                             download_files=str(downloads), httpx_kwargs=client_http())

    def call(self, api_name: str, *args: Any) -> dict[str, Any]:
        result = self.client.predict(*args, api_name=f"/{api_name}")
        names = self.app.output_names[api_name]
        return dict(zip(names, result if len(names) > 1 else (result,), strict=True))

    @property
    def session(self) -> Any:
        return self.app.studio.session(self.client.session_hash)

    def said(self) -> str:
        return "\n".join(text(m) for m in self.session.messages)


def tab(shared: Any, tmp_path: Path, name: str) -> Tab:
    return Tab(shared, tmp_path / name)


def test_unauthenticated_requests_are_refused(shared: Any, project: Path) -> None:
    base = shared.local_url.rstrip("/")
    anyone = httpx.Client(base_url=base, timeout=10)
    for path in ("/config", "/gradio_api/info", f"/gradio_api/file={project / 'registry.db'}",
                 f"/gradio_api/file={project / 'data' / 'reviews.csv'}"):
        assert anyone.get(path).status_code == 401, path
    for path in ("/gradio_api/call/chat", "/gradio_api/queue/join", "/gradio_api/upload",
                 "/gradio_api/run/chat"):
        assert anyone.post(path, json={"data": ["hi"]}).status_code == 401, path
    page = anyone.get("/").text  # the login form, not the studio
    assert "Start training" not in page and "sample reviews" not in page
    with pytest.raises(Exception, match="credentials"):
        Client(shared.local_url, verbose=False)
    with pytest.raises(Exception, match="[Ii]ncorrect|credentials|[Ll]ogin"):
        Client(shared.local_url, auth=(USER, "wrong"), verbose=False)

    # logged in, the studio answers; gradio's file route still serves only what it handed out
    member = httpx.Client(base_url=base, timeout=10)
    assert member.post("/login", data={"username": USER, "password": PASSWORD}).status_code \
        == 200
    config = member.get("/config").text
    assert "Start training" in config and "Start training" in member.get("/").text
    for path in (project / "registry.db", project / "data" / "reviews.csv", Path("/etc/passwd")):
        assert member.get(f"/gradio_api/file={path}").status_code == 403, path


def test_client_with_the_password_drives_the_studio(shared: Any, tmp_path: Path) -> None:
    ana = tab(shared, tmp_path, "ana")
    page = ana.call("load")
    assert "sample-reviews" in page["summary"]


def test_data_outside_the_data_folder_is_refused(shared: Any, project: Path,
                                                 tmp_path: Path) -> None:
    ana = tab(shared, tmp_path, "ana")
    ana.call("load")
    before = ana.session.assistant.spec()["dataset"]
    for said in ("train on ../secret.csv", f"train on {project / 'secret.csv'}",
                 "train on link.csv", "train on /etc/passwd.csv"):
        answer = ana.call("chat", said)
        assert "outside the data folder" in text(answer["chatbot"][-1]), said
        assert ana.session.assistant.spec()["dataset"] == before, said
    # typed in the run card: the same refusal, at the top of the page
    refused = ana.call("set_dataset_csv_path", str(project / "secret.csv"))
    assert "outside the data folder" in value(refused["notice"])
    assert ana.session.assistant.spec()["dataset"] == before
    assert SECRET not in ana.said() and SECRET not in json.dumps(refused, default=str)

    # inside the folder (relative to it), it works
    taken = ana.call("chat", "train on reviews.csv")
    assert value(taken["field:dataset.csv.path"]).endswith("reviews.csv")
    assert ana.session.assistant.spec()["dataset"]["name"] == "csv"


def test_uploads_are_limited_and_kept_per_session(shared: Any, project: Path,
                                                  tmp_path: Path) -> None:
    ana, ben = tab(shared, tmp_path, "ana"), tab(shared, tmp_path, "ben")
    ana.call("load")
    ben.call("load")
    many = tmp_path / "many.csv"
    write_text_csv(many, n=150)  # more than the studio's 100 rows
    refused = ana.call("upload", handle_file(str(many)))
    assert "150 rows" in value(refused["notice"]) and "100 at most" in value(refused["notice"])

    big = tmp_path / "big.csv"  # over max_file_size: gradio refuses it before we see it
    big.write_text("text,label\n" + "".join(f"{'x' * 100},a\n" for _ in range(300)))
    with pytest.raises(Exception, match="(?i)large|size|413"):
        ana.call("upload", handle_file(str(big)))

    small = tmp_path / "mine.csv"
    write_text_csv(small, n=30)
    took = ana.call("upload", handle_file(str(small)))
    assert not value(took["notice"]), value(took["notice"])
    used = Path(ana.session.assistant.spec()["dataset"]["path"])
    assert used.name == "mine.csv" and used.parent == ana.session.uploads
    assert used.parent.parent == project / "uploads" and used.parent.name != ""
    # ben sees none of it, and cannot name ana's upload either
    assert ben.session.assistant.spec()["dataset"]["name"] == "sample-reviews"
    assert ben.session.uploads != ana.session.uploads
    answer = ben.call("chat", f"train on {used}")
    assert "outside the data folder" in text(answer["chatbot"][-1])
    assert ben.session.assistant.spec()["dataset"]["name"] == "sample-reviews"


def test_sessions_keep_their_drafts(shared: Any, tmp_path: Path) -> None:
    ana, ben = tab(shared, tmp_path, "ana"), tab(shared, tmp_path, "ben")
    ana.call("load")
    ben.call("load")
    ana.call("chat", "7 epochs with full fine-tuning")
    assert ana.session.assistant.spec()["training"]["epochs"] == 7
    assert ben.session.assistant.spec()["training"].get("epochs") != 7
    assert ben.session.assistant.spec()["strategy"]["name"] == "lora"
    assert "7 epochs" not in ben.said()


def wait_until(check: Any, what: str, timeout: float = RUN_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_runs_queue_and_history_is_per_session(shared: Any, tmp_path: Path) -> None:
    ana, ben = tab(shared, tmp_path, "ana"), tab(shared, tmp_path, "ben")
    for person in (ana, ben):
        person.call("load")
        person.call("chat", "train on reviews.csv with tiny-bert, full fine-tuning for 1 epoch")
        started = person.call("chat", "start")
    # one slot: ana's run trains, ben's waits its turn
    ana_job, ben_job = ana.session.job, ben.session.job
    assert ana_job is not None and ben_job is not None
    assert ana_job.process is not None and ben_job.waiting
    assert "queue (position 1)" in text(ben.session.messages[-1])
    assert "waiting in the queue: position 1" in value(started["run_status"])  # ben's

    wait_until(lambda: ana.session.own_runs(), "ana's run to register")
    ana_run = next(iter(ana.session.own_runs()))
    # ben's monitor and history do not show ana's run
    assert ben.session.current_run() == (None, ben_job)
    history = ben.call("history")
    assert all(row[0] != ana_run for row in history["history_table"]["data"])
    with pytest.raises(Exception, match="not in the list of choices"):
        ben.call("open_run", ana_run)  # not among ben's runs: gradio refuses the value
    opened = render_detail(shared.page, shared.studio, ana_run, ben.session)
    assert f"There is no run {ana_run}" in opened[shared.page.detail_summary]

    # ana's run ends, then ben's starts by itself and completes
    def ended(person: Tab) -> bool:
        person.call("poll")
        return person.session.job is None and person.session.watching is not None

    wait_until(lambda: ended(ana), "ana's run to end")
    assert ben_job.process is not None
    wait_until(lambda: ended(ben), "ben's run to end")
    ben_run = ben.session.watching
    registry = shared.studio.registry
    assert registry.get_run(ana_run).status == "completed"
    assert registry.get_run(ben_run).status == "completed"
    assert registry.get_run(ben_run).created_at >= registry.get_run(ana_run).finished_at
    ana_rows = [row[0] for row in ana.call("history")["history_table"]["data"]]
    assert ana_rows == [ana_run]
    opened = ana.call("open_run", ana_run)
    assert f"Run {ana_run}" in value(opened["detail_summary"])


def test_a_queued_run_can_be_taken_out(tmp_path: Path) -> None:
    from tunekit.ui.studio.jobs.runs import Runner

    registry = Registry.open(tmp_path / "registry.db")
    runner = Runner(registry, tmp_path, max_concurrent=1)
    runner.command = lambda spec_path, parent_id=None: ["sleep", "30"]  # type: ignore[method-assign]
    first = runner.launch({"task": "text-classification"}, base_dir=tmp_path)
    second = runner.launch({"task": "text-classification"}, base_dir=tmp_path)
    try:
        assert first.process is not None and second.waiting
        assert runner.position(second) == 1
        assert "will not start" in runner.stop(second)
        assert not second.alive and runner.position(second) is None
        runner.stop(first)
        first.process.wait(timeout=10)
        time.sleep(1.0)  # the queue's watcher had a chance: nothing is left to start
        assert second.process is None
    finally:
        runner.stop_all()


# ------------------------------------------------------------------ login and launch options


def studio_args(*extra: str) -> Any:
    return build_parser().parse_args(["studio", *extra])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUNEKIT_REGISTRY", str(tmp_path / "registry.db"))
    monkeypatch.delenv("TUNEKIT_PLUGINS_DIR", raising=False)
    return tmp_path


def test_share_generates_and_prints_a_password(workdir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    app, options = prepare(studio_args("--share"))
    assert options["share"] is True
    (user, password), = options["auth"]
    assert len(password) >= 20 and password.isalnum()
    err = capsys.readouterr().err
    assert err.count(password) == 1 and repr(user) in err
    assert app.studio.safety.shared and app.studio.safety.data_dir == workdir / "data"
    assert options["max_file_size"] == 512 * 2**20
    _, again = prepare(studio_args("--share"))
    assert again["auth"][0][1] != password  # a new one each time


def test_other_hosts_need_a_login_and_loopback_does_not(workdir: Path) -> None:
    _, options = prepare(studio_args("--host", "0.0.0.0"))
    assert options["auth"] and options["server_name"] == "0.0.0.0"
    _, options = prepare(studio_args("--host", "0.0.0.0", "--auth", "ana:pw"))
    assert options["auth"] == [("ana", "pw")]
    app, options = prepare(studio_args())
    assert options["auth"] is None and options["share"] is False
    assert app.studio.safety.data_dir is None and not app.studio.safety.isolated
    with pytest.raises(ValueError, match="login"):
        launch_options(host="0.0.0.0", port=1, share=False, auth=None, safety=Safety())
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert make_password() != make_password()


def test_data_dir_must_be_a_folder(workdir: Path) -> None:
    with pytest.raises(TunekitError, match="not a folder"):
        prepare(studio_args("--data-dir", str(workdir / "nowhere")))


# ------------------------------------------------------------------ --demo


def test_demo_turns_off_plugin_management(workdir: Path, tmp_path: Path) -> None:
    app, options = prepare(studio_args("--demo", "--port", str(free_port())))
    assert app.studio.safety.demo and options["auth"] is None  # --demo alone stays local
    app.launch(**{**options, "quiet": True})
    try:
        client = Client(app.local_url, verbose=False, download_files=str(tmp_path / "d"),
                        httpx_kwargs=client_http())
        answer = client.predict("exporters-model-card", api_name="/disable_plugin")
        notice = answer[app.output_names["disable_plugin"].index("notice")]
        assert LOCKED in value(notice)
        assert "exporters-model-card" not in disabled_in_registry(workdir / "registry.db")
    finally:
        app.close()
    _, shared = prepare(studio_args("--demo", "--share"))
    assert shared["auth"]  # shared, the demo has a login too


def test_demo_caps_runs_and_keeps_built_in_exporters(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "outside.py").write_text(
        "import tunekit\n\n"
        "def export(context):\n    return []\n\n"
        "@tunekit.hookimpl\n"
        "def register_exporters(register):\n"
        "    register(tunekit.Exporter(name='anywhere', description='writes anywhere',"
        " export=export))\n")
    manager = load_plugins(str(plugins))
    assert "anywhere" in {c.name for c in manager.components("exporter")}
    safe = built_in_exporters(manager)
    assert {"huggingface", "model-card"} <= safe and "anywhere" not in safe
    (tmp_path / "data").mkdir()
    write_text_csv(tmp_path / "data" / "small.csv", n=40)
    write_text_csv(tmp_path / "data" / "large.csv", n=300)
    safety = Safety(demo=True, data_dir=tmp_path / "data", demo_rows=200, demo_steps=20,
                    safe_exporters=safe)
    studio = Studio(manager, Registry.open(tmp_path / "registry.db"), tmp_path, safety=safety)
    session = studio.session("a")
    spec = {"dataset": {"name": "csv", "path": "small.csv"}, "strategy": {"name": "full"},
            "training": {"epochs": 10, "batch_size": 16},
            "exporters": ["huggingface", "anywhere"]}
    capped, refusal = session._within_limits(spec)
    assert refusal == ""
    assert capped["training"]["epochs"] == 3 and capped["exporters"] == ["huggingface"]
    assert "3 epochs" in session.capped_note and "anywhere" in session.capped_note
    _, refusal = session._within_limits({**spec, "dataset": {"name": "csv",
                                                             "path": "large.csv"}})
    assert "300 rows" in refusal
    _, refusal = session._within_limits({**spec, "training": {"epochs": 3, "batch_size": 1}})
    assert "training steps" in refusal  # 40 rows x 3 epochs at batch 1: over 20 steps
    _, refusal = session._within_limits({**spec, "dataset": {"name": "csv",
                                                             "path": "../registry.db"}})
    assert "outside the data folder" in refusal


# ------------------------------------------------------------------ loading models safely


def _torch_load_calls(tree: ast.AST) -> list[ast.Call]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (func.attr if isinstance(func, ast.Attribute) else
                    func.id if isinstance(func, ast.Name) else "")
            base = func.value.id if isinstance(func, ast.Attribute) and \
                isinstance(func.value, ast.Name) else ""
            if name == "load" and base == "torch":
                calls.append(node)
    return calls


def test_every_torch_load_passes_weights_only() -> None:
    unsafe = []
    for path in REPO.rglob("*.py"):
        if any(part in (".venv", "node_modules", ".git") for part in path.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for call in _torch_load_calls(tree):
            safe = any(k.arg == "weights_only" and isinstance(k.value, ast.Constant)
                       and k.value.value is True for k in call.keywords)
            if not safe:
                unsafe.append(f"{path.relative_to(REPO)}:{call.lineno}")
    assert not unsafe, "torch.load without weights_only=True: " + ", ".join(unsafe)
    # the check itself finds what it looks for
    sample = ast.parse("import torch\ntorch.load('x')\ntorch.load('y', weights_only=True)\n")
    assert len(_torch_load_calls(sample)) == 2


def _tiny_folder(folder: Path, safe: bool) -> Path:
    from transformers import BertConfig, BertForSequenceClassification
    from tunekit.testing import bundled_tokenizer

    config = BertConfig(vocab_size=30522, hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, num_labels=2)
    model = BertForSequenceClassification(config)
    model.save_pretrained(folder)
    if not safe:  # the old pickled format (transformers 5 writes safetensors only)
        import torch

        (folder / "model.safetensors").unlink()
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
    bundled_tokenizer().save_pretrained(folder)
    return folder


def test_hf_backbone_loads_safetensors_only(tmp_path: Path) -> None:
    from tunekit.plugins.backbones.transformers_models import build_model

    request = tunekit.ModelRequest(task=tunekit.TEXT_CLASSIFICATION, labels=["a", "b"])
    safe = _tiny_folder(tmp_path / "safe", True)
    assert build_model(str(safe), request, local_only=True).model is not None
    pickled = _tiny_folder(tmp_path / "pickled", False)
    assert not list(pickled.glob("*.safetensors"))
    with pytest.raises(TunekitError, match="safetensors"):
        build_model(str(pickled), request, local_only=True)


def test_remote_code_runs_only_when_the_spec_asks(tmp_path: Path) -> None:
    """A model folder that ships its own Python: without trust_remote_code the code is never
    imported (the marker file it would write stays absent)."""
    folder = _tiny_folder(tmp_path / "custom", True)
    marker = tmp_path / "code-ran"
    (folder / "custom_config.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
        "from transformers import BertConfig\n\n"
        "class CustomConfig(BertConfig):\n    model_type = 'custom-bert'\n")
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoConfig": "custom_config.CustomConfig"}
    config["model_type"] = "custom-bert"
    (folder / "config.json").write_text(json.dumps(config))
    manager = load_plugins()
    backbone = manager.get("backbone", "hf")
    # a spec that does not ask gets the param's default: off
    options = {p.name: p.default for p in backbone.params} | {"model": str(folder)}
    assert options["trust_remote_code"] is False
    request = tunekit.ModelRequest(task=tunekit.TEXT_CLASSIFICATION, labels=["a", "b"])
    with pytest.raises(TunekitError):
        backbone.build({**options}, request)
    assert not marker.exists()


def test_the_guide_tells_how_to_share_safely() -> None:
    guide = (REPO / "docs" / "guide" / "sharing.md").read_text(encoding="utf-8")
    assert "## Sharing the studio safely" in guide
    section = guide.split("## Sharing the studio safely", 1)[1].split("\n## ", 1)[0]
    for option in ("--share", "--auth", "--data-dir", "--max-rows", "--max-concurrent-runs",
                   "--demo", "trust_remote_code"):
        assert option in section, option



def test_sweeps_and_bakeoffs_are_off_when_shared(shared: Any, tmp_path: Path) -> None:
    """They are one per studio (every tab would see and stop them) and run outside the
    queue: a shared studio refuses them, in the chat and on their tabs."""
    ana = tab(shared, tmp_path, "ana")
    ana.call("load")
    swept = ana.call("start_sweep", "training.learning_rate=1e-4,1e-3", "grid", 2)
    assert "off in a shared studio" in value(swept["notice"])
    baked = ana.call("start_bakeoff", ["lora", "full"], False)
    assert "off in a shared studio" in value(baked["notice"])
    assert shared.studio.sweeps.job is None and shared.bakeoffs.job is None
