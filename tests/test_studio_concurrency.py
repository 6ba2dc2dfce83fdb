"""The studio serves sessions side by side: one session's slow data check does not hold up
another session's chat (a real server, real gradio_client sessions)."""

from __future__ import annotations

import time
from pathlib import Path

from gradio_client import Client, handle_file
from studio_harness import client_http, serving
from tunekit.testing import write_text_csv


def timed_chat(client: Client, text: str) -> float:
    started = time.monotonic()
    client.predict(text, api_name="/chat")
    return time.monotonic() - started


def test_a_slow_data_check_does_not_hold_up_another_sessions_chat(tmp_path: Path):
    big = write_text_csv(tmp_path / "big.csv", n=60_000)
    with serving(tmp_path) as app:
        busy = Client(app.local_url, verbose=False, download_files=str(tmp_path / "a"),
                      httpx_kwargs=client_http())
        other = Client(app.local_url, verbose=False, download_files=str(tmp_path / "b"),
                       httpx_kwargs=client_http())
        timed_chat(other, "hello")  # the first turn loads what the chat needs
        alone = timed_chat(other, "what can you do?")

        started = time.monotonic()
        job = busy.submit(handle_file(str(big)), api_name="/upload")
        time.sleep(0.3)  # the upload is in: its data check is running
        while_busy = timed_chat(other, "what can you do?")
        # queued behind the check, the reply could only come once the check is over; on two
        # busy cores the chat is slower than alone (both want the GIL) but must not wait
        check_still_running = not job.done()
        job.result(timeout=120)
        slow = time.monotonic() - started

    assert slow >= 2.0, f"the data check took {slow:.2f} s: too quick to show anything"
    assert check_still_running and while_busy < slow / 2, (
        f"chat alone {alone:.2f} s, while another session checks data {while_busy:.2f} s "
        f"(the check took {slow:.2f} s)")
