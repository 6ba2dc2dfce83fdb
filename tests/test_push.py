"""``tunekit push``: a real tiny run pushed, by the command a user types, to a Hub that is a
real HTTP server on 127.0.0.1 (tests/fake_hub.py) answering as the Hub does.

What is checked is what reaches the Hub: the repo created with the right type, visibility and
SDK, the committed files exactly the export folder's (names and bytes, decoded from the NDJSON),
the token in the Authorization header; that nothing is sent without a token; and the one
message each refusal of the Hub, a dead address, an unfinished run or a missing export gets.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_hub import USER, FakeHub, serve_hub
from studio_harness import client_http, free_port
from tunekit.registry import Registry
from tunekit.testing import train_tiny

TOKEN = "hf_test_token_for_the_fake_hub"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three real tiny runs in one registry: LoRA with the full model and the demo, LoRA with
    the adapter alone, and a run that exported nothing; and a failed one."""
    folder = tmp_path_factory.mktemp("push-runs")
    common = {"dataset": {"name": "tiny-text", "n": 48}, "directory": folder}
    full = train_tiny(strategy={"name": "lora", "r": 4},
                      exporters=["huggingface", "gradio-demo"], **common)
    adapter = train_tiny(strategy={"name": "lora", "r": 4}, exporters=["adapter"], **common)
    bare = train_tiny(**common)
    registry = Registry.open(folder / "registry.db")
    failed = registry.create_run({"task": "text-classification"})
    registry.update_run(failed.id, status="failed", error="the data had no labels")
    return {"folder": folder, "registry": folder / "registry.db", "full": full.result.run_id,
            "adapter": adapter.result.run_id, "bare": bare.result.run_id, "failed": failed.id}


@pytest.fixture(scope="module")
def hub_server() -> Iterator[FakeHub]:
    hub, server = serve_hub()
    yield hub
    server.shutdown()


@pytest.fixture
def hub(hub_server: FakeHub) -> FakeHub:
    hub_server.reset()
    return hub_server


def push(runs: dict[str, Any], hub_url: str, *args: str, token: str | None = TOKEN,
         home: Path | None = None, extra: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    """``tunekit push ...`` as a user runs it: its own process, the Hub at ``hub_url``, the
    token in HF_TOKEN (None: no HF_TOKEN), huggingface_hub's home in ``home`` (where
    `hf auth login` writes the token), online."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE",
                        "TRANSFORMERS_OFFLINE", "HF_TOKEN_PATH", "HF_OIDC_RESOURCE")}
    env.update(TUNEKIT_REGISTRY=str(runs["registry"]), HF_ENDPOINT=hub_url,
               HF_HOME=str(home or runs["folder"] / "hf-home"), HF_HUB_DISABLE_TELEMETRY="1")
    if token is not None:
        env["HF_TOKEN"] = token
    env.update(extra or {})
    return subprocess.run([sys.executable, "-m", "tunekit", "push", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def export_folder(runs: dict[str, Any], run: str, exporter: str) -> Path:
    registry = Registry.open(runs["registry"])
    path = Path(next(a.path for a in registry.artifacts(runs[run]) if a.exporter == exporter))
    return path if path.is_dir() else path.parent


def one_message(done: subprocess.CompletedProcess[str]) -> str:
    """The error a failed push printed: exit 2, one message, no traceback, nothing on stdout."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == "", done.stderr
    assert done.stderr.count("error:") == 1, done.stderr
    return done.stderr


# ------------------------------------------------------------------ pushes that go through


def test_a_run_is_pushed_to_a_model_repo_file_for_file(runs: dict[str, Any],
                                                        hub: FakeHub) -> None:
    done = push(runs, hub.url, str(runs["full"]), "--repo", f"{USER}/tiny-reviews")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{hub.url}/{USER}/tiny-reviews"
    (create,) = hub.made("create")
    assert create.json() == {"name": "tiny-reviews", "organization": USER, "type": "model",
                             "visibility": "public"}
    sent = hub.files[("model", f"{USER}/tiny-reviews")]
    assert sent == folder_files(export_folder(runs, "full", "huggingface"))
    assert "config.json" in sent and "model.safetensors" in sent
    assert {r.headers.get("authorization") for r in hub.requests} == {f"Bearer {TOKEN}"}
    # the run's history says where it went, with the digest of what was sent
    registry = Registry.open(runs["registry"])
    pushed = [a for a in registry.artifacts(runs["full"]) if a.exporter == "hub"]
    assert [a.path for a in pushed] == [f"{hub.url}/{USER}/tiny-reviews"]
    assert pushed[0].bytes == sum(len(b) for b in sent.values())
    shown = subprocess.run([sys.executable, "-m", "tunekit", "runs", "show", str(runs["full"])],
                           env={**os.environ, "TUNEKIT_REGISTRY": str(runs["registry"])},
                           capture_output=True, text=True, timeout=60)
    assert f"hub: {hub.url}/{USER}/tiny-reviews" in shown.stdout


def test_private_and_a_repo_that_exists(runs: dict[str, Any], hub: FakeHub) -> None:
    first = push(runs, hub.url, str(runs["full"]), "--repo", "tiny-private", "--private")
    assert first.returncode == 0, first.stderr
    # no namespace: the Hub puts it under the token's user, and the upload goes there
    assert first.stdout.strip() == f"{hub.url}/{USER}/tiny-private"
    assert hub.made("create")[0].json()["visibility"] == "private"
    again = push(runs, hub.url, str(runs["full"]), "--repo", f"{USER}/tiny-private")
    assert again.returncode == 0, again.stderr  # 409 "exists" is fine: pushed again
    assert len(hub.made("commit")) == 2


def test_a_lora_run_without_a_full_model_pushes_its_adapter(runs: dict[str, Any],
                                                             hub: FakeHub) -> None:
    done = push(runs, hub.url, str(runs["adapter"]), "--repo", f"{USER}/tiny-adapter")
    assert done.returncode == 0, done.stderr
    sent = hub.files[("model", f"{USER}/tiny-adapter")]
    assert sent == folder_files(export_folder(runs, "adapter", "adapter"))
    assert {"adapter_config.json", "adapter_model.safetensors"} <= set(sent)


# without hf_xet huggingface_hub commits in one create_commit, checking README front matter
# first (validate-yaml); with it, a pipeline of preupload and commit batches
@pytest.mark.parametrize("xet", ["with hf_xet", "without hf_xet"])
def test_space_pushes_the_demo_as_a_gradio_space(runs: dict[str, Any], hub: FakeHub,
                                                 xet: str) -> None:
    done = push(runs, hub.url, str(runs["full"]), "--repo", f"{USER}/tiny-demo", "--space",
                extra={"HF_HUB_DISABLE_XET": "1"} if xet == "without hf_xet" else {})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{hub.url}/spaces/{USER}/tiny-demo"
    (create,) = hub.made("create")
    assert create.json()["type"] == "space" and create.json()["sdk"] == "gradio"
    sent = hub.files[("space", f"{USER}/tiny-demo")]
    assert sent == folder_files(export_folder(runs, "full", "gradio-demo"))
    assert {"app.py", "README.md", "requirements.txt", "demo.json"} <= set(sent)
    assert all(r.path.startswith(("/api/repos/create", "/api/spaces/", "/api/validate-yaml"))
               for r in hub.requests)
    checked = [r.json() for r in hub.requests if r.path == "/api/validate-yaml"]
    if xet == "without hf_xet":
        assert checked and checked[0]["repoType"] == "space"
        assert "sdk: gradio" in checked[0]["content"]


def test_the_token_of_hf_auth_login_is_used(runs: dict[str, Any], hub: FakeHub,
                                            tmp_path: Path) -> None:
    (tmp_path / "token").write_text("hf_from_the_login_file\n")
    done = push(runs, hub.url, str(runs["full"]), "--repo", f"{USER}/from-file", token=None,
                home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {r.headers.get("authorization") for r in hub.requests} == {
        "Bearer hf_from_the_login_file"}
    assert not (runs["folder"] / "hf-home" / "token").exists()  # tunekit stored nothing


# ------------------------------------------------------------------ refused before anything is sent


def test_no_token_is_one_message_and_no_request(runs: dict[str, Any], hub: FakeHub,
                                                tmp_path: Path) -> None:
    said = one_message(push(runs, hub.url, str(runs["full"]), "--repo", f"{USER}/x",
                            token=None, home=tmp_path))
    assert "not logged in to the Hugging Face Hub" in said and "hf auth login" in said
    assert hub.requests == []


def test_offline_mode_is_one_message_and_no_request(runs: dict[str, Any], hub: FakeHub) -> None:
    done = push(runs, hub.url, str(runs["full"]), "--repo", f"{USER}/x",
                extra={"HF_HUB_OFFLINE": "1"})
    assert "offline mode" in one_message(done) and "HF_HUB_OFFLINE" in done.stderr
    assert hub.requests == []


@pytest.mark.parametrize("run, args, words", [
    ("failed", [], "is failed, not completed"),
    ("missing", [], "there is no run"),
    ("bare", [], "has no model export to push"),
    ("adapter", ["--space"], "has no gradio-demo export to push as a Space"),
])
def test_a_run_with_nothing_to_push_says_what_to_run(runs: dict[str, Any], hub: FakeHub,
                                                     run: str, args: list[str],
                                                     words: str) -> None:
    number = str(runs.get(run, 999))
    said = one_message(push(runs, hub.url, number, "--repo", f"{USER}/x", *args))
    assert words in said
    if run in ("bare", "failed"):
        assert f"tunekit run --from {number}" in said
    if "--space" in args:
        assert f"tunekit demo {number}" in said and "exporters=gradio-demo" in said
    assert hub.requests == []


def test_a_bad_repo_id_is_one_message(runs: dict[str, Any], hub: FakeHub) -> None:
    said = one_message(push(runs, hub.url, str(runs["full"]), "--repo", "ana/bad name/x"))
    assert "--repo" in said and "is not a Hub repo id" in said
    assert hub.requests == []


# ------------------------------------------------------------------ what the Hub refuses


@pytest.mark.parametrize("route, status, words", [
    (None, 401, "refused the token (401"),
    (None, 403, "may not write to ana/x (403)"),
    (None, 404, "has no repo ana/x (404)"),
    ("commit", 409, "a conflict (409)"),
])
def test_each_refusal_of_the_hub_is_one_message(runs: dict[str, Any], hub: FakeHub,
                                                route: str | None, status: int,
                                                words: str) -> None:
    if route is None:
        hub.refuse_all = (status, "refused by the test")
    else:
        hub.refuse[route] = (status, "A commit has happened since. Please refresh and try again.")
    said = one_message(push(runs, hub.url, str(runs["full"]), "--repo", "ana/x"))
    assert words in said, said
    if status == 401:
        assert "hf auth login" in said
    registry = Registry.open(runs["registry"])
    assert "ana/x" not in " ".join(a.path for a in registry.artifacts(runs["full"]))


def test_a_hub_nobody_answers_is_one_message(runs: dict[str, Any]) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    said = one_message(push(runs, dead, str(runs["full"]), "--repo", "ana/x"))
    assert f"cannot reach the Hub at {dead}" in said


def test_without_huggingface_hub_the_message_names_the_extra(runs: dict[str, Any],
                                                             capsys: Any) -> None:
    from blocker import uninstalled
    from tunekit.ui.cli import main

    with uninstalled("huggingface_hub"):
        code = main(["--registry", str(runs["registry"]), "push", str(runs["full"]),
                     "--repo", "ana/x"])
    err = capsys.readouterr().err
    assert code == 2 and "the package 'huggingface_hub' is not installed" in err
    assert "pip install 'tunekit[hub]'" in err and "Traceback" not in err


# ------------------------------------------------------------------ the studio's Publish button


@pytest.fixture
def online(hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeHub:
    """This test process as a logged-in user's, with the fake Hub as HF_ENDPOINT."""
    from huggingface_hub import constants

    # conftest.py sets HF_HUB_OFFLINE=1 for the whole suite and huggingface_hub reads it once,
    # at import; likewise the path of the `hf auth login` file (here: no login on the machine)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "hf-home" / "token"))
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    return hub


class Page:
    """A gradio_client session with a studio, answering with named outputs."""

    def __init__(self, app: Any, downloads: Path, auth: tuple[str, str] | None = None):
        from gradio_client import Client

        self.app = app
        self.client = Client(app.local_url, auth=auth, verbose=False,
                             download_files=str(downloads), httpx_kwargs=client_http())

    def call(self, api_name: str, *args: Any) -> dict[str, Any]:
        result = self.client.predict(*args, api_name=f"/{api_name}")
        names = self.app.output_names[api_name]
        return dict(zip(names, result if len(names) > 1 else (result,), strict=True))

    def notice(self, result: dict[str, Any]) -> str:
        from test_studio import value

        return value(result["notice"]) or ""


def test_the_studio_publishes_through_the_same_push(runs: dict[str, Any], online: FakeHub,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from studio_harness import serving
    from test_studio import value

    hub = online
    with serving(runs["folder"]) as app:
        page = Page(app, tmp_path / "downloads")
        page.call("history")
        done = page.call("publish", runs["full"], f"{USER}/from-studio", True, False)
        url = f"{hub.url}/{USER}/from-studio"
        assert f"Published run {runs['full']}'s model" in page.notice(done) and url in \
            page.notice(done)
        assert hub.made("create")[0].json()["visibility"] == "private"
        assert hub.files[("model", f"{USER}/from-studio")] == folder_files(
            export_folder(runs, "full", "huggingface"))
        assert f"published on the Hub: [{url}]({url})" in value(done["detail_summary"])

        done = page.call("publish", runs["full"], f"{USER}/studio-demo", False, True)
        assert f"{hub.url}/spaces/{USER}/studio-demo" in page.notice(done)
        assert hub.made("create")[1].json()["sdk"] == "gradio"
        assert set(hub.files[("space", f"{USER}/studio-demo")]) == set(
            folder_files(export_folder(runs, "full", "gradio-demo")))

        refused = page.call("publish", runs["bare"], f"{USER}/nothing", False, False)
        assert "has no model export to push" in page.notice(refused)
        assert "⚠️" in page.notice(page.call("publish", runs["full"], "", False, False))

        hub.reset()
        monkeypatch.delenv("HF_TOKEN")
        unlogged = page.call("publish", runs["full"], f"{USER}/no-token", False, False)
        assert "not logged in to the Hugging Face Hub" in page.notice(unlogged)
        assert "hf auth login" in page.notice(unlogged) and hub.requests == []


def test_a_shared_studio_publishes_only_for_a_logged_in_person(online: FakeHub,
                                                               tmp_path: Path) -> None:
    from studio_harness import TINY_PLUGIN, serving
    from test_studio import value
    from tunekit.testing import write_text_csv
    from tunekit.ui.studio import Safety
    from tunekit.ui.studio.sharing import launch_options

    hub = online
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    (tmp_path / "data").mkdir()
    write_text_csv(tmp_path / "data" / "reviews.csv", n=40)
    safety = Safety(shared=True, data_dir=tmp_path / "data", max_concurrent_runs=1)
    # served without a login (as no tunekit command would serve it): no user name on requests
    with serving(tmp_path, plugins_dir=tmp_path / "plugins", safety=safety) as app:
        anyone = Page(app, tmp_path / "anyone")
        refused = anyone.call("publish", None, f"{USER}/x", False, False)
        assert "Publishing on the Hub needs a login here" in anyone.notice(refused)
        assert hub.requests == []
    options = launch_options(host="127.0.0.1", port=free_port(), share=False,
                             auth=[("ana", "correct-horse-battery")], safety=safety)
    with serving(tmp_path, plugins_dir=tmp_path / "plugins", safety=safety,
                 launch=options) as app:
        ana = Page(app, tmp_path / "ana", auth=("ana", "correct-horse-battery"))
        ana.call("load")
        ana.call("chat", "train on reviews.csv with tiny-bert, full fine-tuning for 1 epoch")
        ana.call("chat", "start")
        session = app.studio.session(ana.client.session_hash)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not (session.job is None and session.watching):
            ana.call("poll")
            time.sleep(0.5)
        run_id = session.watching
        assert run_id and app.studio.registry.get_run(run_id).status == "completed"
        ana.call("history")
        done = ana.call("publish", run_id, "shared-model", False, False)
        assert f"{hub.url}/{USER}/shared-model" in ana.notice(done), ana.notice(done)
        assert "config.json" in hub.files[("model", f"{USER}/shared-model")]
        assert "published on the Hub" in value(done["detail_summary"])


def test_push_help_says_what_goes_where_and_whose_token() -> None:
    from tunekit.ui.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command")
    text = " ".join(commands.choices["push"].format_help().split())
    for words in ("--repo ID", "--private", "--space", "Gradio Space", "huggingface folder",
                  "adapter folder", "HF_TOKEN", "hf auth login", "does not store it",
                  "HF_ENDPOINT", "tunekit[hub]"):
        assert words in text, words
