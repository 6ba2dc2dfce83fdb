"""``tunekit studio``: load the plugins, open the registry, serve the app until Ctrl-C."""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from pathlib import Path
from typing import Any

import gradio as gr
from tunekit.errors import TunekitError
from tunekit.ui.studio.app import build_app
from tunekit.ui.studio.sharing import (
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UPLOAD_MB,
    Safety,
    built_in_exporters,
    data_folder,
    device_slots,
    is_loopback,
    launch_options,
    require_login,
)


def read_auth(auth: str | None, auth_file: str | None) -> list[tuple[str, str]] | None:
    """The users allowed in: ``USER:PASS`` and/or a file of ``user:password`` lines
    (blank lines and ``#`` comments are skipped). None: no login."""
    pairs: list[tuple[str, str]] = []
    if auth:
        pairs.append(_pair(auth, "--auth"))
    if auth_file:
        path = Path(auth_file).expanduser()
        if not path.is_file():
            raise TunekitError(f"{path} not found", where="--auth-file",
                               hint="a file with one user:password per line")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if line and not line.startswith("#"):
                pairs.append(_pair(line, f"{path}:{number}"))
        if not pairs:
            raise TunekitError("no user:password line in it", where=str(path))
    return pairs or None


def _pair(text: str, where: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not sep or not user.strip() or not password:
        raise TunekitError("expected USER:PASS", where=where,
                           hint="e.g. --auth ana:correct-horse")
    return user.strip(), password


def safety_of(args: argparse.Namespace, manager: Any, workdir: Path) -> Safety:
    """The rules the studio keeps, from the command line (sharing.py)."""
    host = getattr(args, "host", "127.0.0.1")
    shared = bool(getattr(args, "share", False)) or not is_loopback(host)
    demo = bool(getattr(args, "demo", False))
    slots = getattr(args, "max_concurrent_runs", None)
    if slots is not None and slots < 1:
        raise TunekitError("must be 1 or more", where="--max-concurrent-runs")
    for option in ("max_rows", "max_upload_mb"):
        if getattr(args, option, 1) < 1:
            raise TunekitError("must be 1 or more", where=f"--{option.replace('_', '-')}")
    return Safety(shared=shared, demo=demo,
                  data_dir=data_folder(getattr(args, "data_dir", None), workdir, shared or demo),
                  max_rows=getattr(args, "max_rows", DEFAULT_MAX_ROWS),
                  max_upload_bytes=getattr(args, "max_upload_mb", DEFAULT_MAX_UPLOAD_MB) * 2**20,
                  max_concurrent_runs=slots or device_slots(),
                  safe_exporters=built_in_exporters(manager))


def serve(args: argparse.Namespace) -> int:
    """Serve the studio (blocks until Ctrl-C). Bad options raise TunekitError (exit 2)."""
    app, options = prepare(args)
    host, port = options["server_name"], options["server_port"]
    try:
        launch(app, options)
    except OSError as exc:
        raise TunekitError(f"cannot listen on {host}:{port}: {exc}", where="--port",
                           hint="choose another with --port") from None
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"tunekit studio on http://{shown}:{port}  (registry: {app.studio.registry.path}; "
          "Ctrl-C stops the studio; runs keep going in their own processes)", file=sys.stderr)
    app.block_thread()  # until Ctrl-C
    return 0


def launch(app: gr.Blocks, options: dict[str, Any], patience_s: float = 60.0) -> None:
    """Start the server and make sure its page answers.

    Gradio checks once that it can reach its own page (a 3 s timeout, no second try after a
    refused connection) and refuses to start without a share link when that fails; on a busy
    machine the first page can take longer than that, and the studio died with a traceback.
    So the studio skips Gradio's check where this Gradio has the switch for it, and makes the
    same check itself, patiently and without a proxy (the page is on this machine)."""
    own_check = "_frontend" in inspect.signature(app.launch).parameters
    app.launch(**options, **({"_frontend": False} if own_check else {}))
    if own_check and not options.get("share") and not answers(app.local_url, patience_s):
        app.close()
        raise TunekitError(f"the studio started but its page {app.local_url} does not answer",
                           where="--host/--port",
                           hint="check that nothing blocks connections to this machine "
                                "(a firewall or proxy), or start it with --share")


def answers(url: str, patience_s: float) -> bool:
    """Whether ``url`` answers an HTTP request within ``patience_s`` seconds (tries again
    after a refused connection or a slow answer)."""
    import httpx

    deadline = time.monotonic() + patience_s
    while True:
        left = deadline - time.monotonic()
        try:
            httpx.head(url, timeout=max(1.0, min(left, 10.0)), trust_env=False)
            return True
        except httpx.HTTPError:
            if left <= 0:
                return False
            time.sleep(min(0.5, max(left, 0)))


def prepare(args: argparse.Namespace) -> tuple[gr.Blocks, dict[str, Any]]:
    """The app and the ``launch`` options ``serve`` starts it with (a shared studio without
    a login gets a generated password, printed here once)."""
    auth = read_auth(getattr(args, "auth", None), getattr(args, "auth_file", None))
    from tunekit import load_plugins

    plugins_dir = getattr(args, "plugins_dir", None)
    manager = load_plugins(plugins_dir)
    for problem in manager.problems:
        print(f"warning: plugin {problem.plugin} ({problem.source}): {problem.error}",
              file=sys.stderr)
    workdir = Path.cwd()
    safety = safety_of(args, manager, workdir)
    auth = require_login(auth, safety.shared, say=lambda line: print(line, file=sys.stderr))
    app = build_app(manager, registry_path=getattr(args, "registry", None), workdir=workdir,
                    plugins_dir=plugins_dir, manage_plugins=not safety.demo, safety=safety)
    for run in app.studio.interrupted:  # found dead at this start: how to carry them on
        print(run.startup_line(), file=sys.stderr)
    if safety.data_dir is not None:
        print(f"data folder: {safety.data_dir} (the studio reads data only from there and "
              "from uploads)", file=sys.stderr)
    return app, launch_options(host=args.host, port=args.port, share=bool(args.share),
                               auth=auth, safety=safety)
