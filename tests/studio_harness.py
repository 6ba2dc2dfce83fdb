"""The one studio test harness: the tiny-backbone plugin, a free port, the studio app served
on it, and the one function that stops every background job the studio started.

Test modules define a module-scoped ``project`` fixture (a folder with ``plugins/``) and take
the ``app`` fixture defined here (conftest.py hands it to every module); a module whose app
needs more (a login, a crash before start) builds it with ``serving(...)``.
Nothing heavy is imported at module level: non-studio tests import ``TINY_PLUGIN`` too.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TINY_PLUGIN = "from tunekit.testing import register_backbones  # the tiny test backbones\n"


def client_http() -> dict[str, Any]:
    """``httpx_kwargs`` for a gradio_client ``Client``: its default 5 s timeout on reading the
    API info is too short on 2 loaded cores (a fresh dict each time: the Client pops from it)."""
    return {"timeout": 60.0}

# every kind of background work the studio starts (ui/studio/jobs/), by its attribute on
# the Studio; stopping in this order ends the tools before the runs they launched
JOBS: tuple[str, ...] = ("rate_finder", "sweeps", "bakeoffs", "runner")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_jobs(app: Any) -> None:
    """Stop every background job of the studio ``app`` (runs, lr-finds, sweeps, bake-offs)."""
    studio = app.studio
    for name in JOBS:
        job = getattr(studio, name, None)
        if job is not None:
            job.stop_all()


@contextlib.contextmanager
def serving(folder: Path, *, plugins_dir: Path | None = None, launch: dict[str, Any] | None = None,
            **options: Any) -> Iterator[Any]:
    """The real studio app over ``folder`` (registry.db, uploads, runs) on a free port of
    127.0.0.1 in this process; on leaving, its jobs are stopped and the server closed.

    ``options`` go to ``build_app`` (``safety``, ``manager``); ``launch`` replaces the
    ``launch`` keywords (e.g. sharing's ``launch_options``)."""
    from gradio import networking
    from tunekit.ui.studio import build_app

    with pytest.MonkeyPatch.context() as patch:
        # launch() asks for its own page once with a 3 s timeout and takes a timeout for "no
        # localhost"; the first render of the studio's page (175 events) can take longer
        # while the other test worker trains on the same two cores. The same check, patient.
        patch.setattr(networking, "url_ok", _page_answers)
        # one thread per run process: the test machine is shared and small
        patch.setenv("OMP_NUM_THREADS", "1")
        patch.delenv("TUNEKIT_PLUGINS_DIR", raising=False)
        patch.delenv("TUNEKIT_DISABLE_PLUGINS", raising=False)
        studio_app = build_app(registry_path=folder / "registry.db", workdir=folder,
                               plugins_dir=plugins_dir, **options)
        keywords = launch or {"prevent_thread_lock": True, "server_name": "127.0.0.1",
                              "server_port": free_port()}
        studio_app.launch(**{**keywords, "quiet": True})
        try:
            yield studio_app
        finally:
            stop_jobs(studio_app)
            studio_app.close()


def _page_answers(url: str) -> bool:
    import httpx

    for _ in range(5):
        try:
            if httpx.head(url, timeout=30, verify=False).status_code in (200, 401, 302, 303, 307):
                return True
        except (httpx.ConnectError, httpx.TimeoutException):
            pass
        time.sleep(0.5)
    return False


@pytest.fixture(scope="module")
def app(project: Path) -> Iterator[Any]:
    """The studio serving the module's ``project`` folder and its ``plugins/``."""
    with serving(project, plugins_dir=project / "plugins") as studio_app:
        yield studio_app
