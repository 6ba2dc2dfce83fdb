"""The studio starts on a busy machine: its own patient check that the page answers replaces
Gradio's one 3-second try (ui/studio/serve.py: launch, answers)."""

from __future__ import annotations

import importlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gradio as gr
import httpx
import pytest
from tunekit.errors import TunekitError

# the module (the package's `serve` name is the function)
serve = importlib.import_module("tunekit.ui.studio.serve")


class SlowFirstAnswer(BaseHTTPRequestHandler):
    """Answers its first request after 4 s (longer than Gradio's 3 s check), then at once."""
    answered = 0

    def do_HEAD(self) -> None:  # noqa: N802 (the http.server name)
        if SlowFirstAnswer.answered == 0:
            time.sleep(4)
        SlowFirstAnswer.answered += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def slow_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowFirstAnswer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_slow_first_answer_still_counts(slow_server: str) -> None:
    assert serve.answers(slow_server, patience_s=20)
    assert SlowFirstAnswer.answered >= 1


def test_nothing_listening_is_said_after_the_patience() -> None:
    started = time.monotonic()
    assert not serve.answers(f"http://127.0.0.1:{free_port()}/", patience_s=1.0)
    assert time.monotonic() - started < 5


def test_launch_serves_the_page_and_says_when_it_does_not_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    options = {"server_name": "127.0.0.1", "server_port": free_port(),
               "prevent_thread_lock": True, "quiet": True}
    with gr.Blocks() as app:
        gr.Markdown("hello")
    serve.launch(app, options)
    try:
        assert httpx.get(app.local_url, timeout=10, trust_env=False).status_code == 200
    finally:
        app.close()

    # the page does not answer (as behind a proxy that swallows localhost): one clear message,
    # and the server it started is closed again
    monkeypatch.setattr(serve, "answers", lambda url, patience_s: False)
    with gr.Blocks() as other:
        gr.Markdown("hello")
    with pytest.raises(TunekitError, match="does not answer") as raised:
        serve.launch(other, {**options, "server_port": free_port()})
    assert "--share" in str(raised.value.hint)
    with pytest.raises(httpx.HTTPError):
        httpx.get(other.local_url, timeout=2, trust_env=False)
