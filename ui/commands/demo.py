"""``tunekit demo RUN``: serve a run's model in its gradio demo app, in a browser.

    tunekit demo 12                   http://127.0.0.1:7860, on this machine only
    tunekit demo 12 --port 8000       another port
    tunekit demo 12 --share           also a public link (gradio's share servers), behind a login

The app is the run's ``gradio-demo`` export (``python app.py`` in that folder, which needs no
tunekit). A run exported without one gets it written now, into the run's folder, from its
``huggingface`` (or ``safetensors``) export, by the same ``gradio-demo`` exporter. A demo others
can reach (``--share``, or ``--host`` on another address) requires a login as the studio does:
``--auth USER:PASS`` / ``--auth-file FILE``, or a generated password printed once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

DEMO = "gradio-demo"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo", parents=[common], help="serve a run's model in its gradio demo app",
        description="Start the run's gradio-demo app (exporting one from its model export if "
                    "it has none) until Ctrl-C.")
    parser.add_argument("run", type=int, metavar="RUN", help="the run id")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=7860, help="port to listen on")
    parser.add_argument("--share", action="store_true",
                        help="also publish a public share link (needs the internet; requires "
                             "a login)")
    parser.add_argument("--auth", metavar="USER:PASS", help="require this user and password")
    parser.add_argument("--auth-file", metavar="FILE",
                        help="require a user:password from this file (one per line)")
    parser.set_defaults(handler=demo_command)


def demo_folder(registry: Any, run_id: int, manager: Any, say: Any = print) -> Path:
    """The run's demo app folder: its gradio-demo export, or one written now into the run's
    folder from its model export."""
    from tunekit.ui.commands.predict import completed_run

    record = completed_run(registry, run_id, "tunekit demo")
    for artifact in registry.artifacts(record.id):
        if artifact.exporter == DEMO and (Path(artifact.path) / "app.py").is_file():
            return Path(artifact.path)
    folder = Path(record.output_dir) / DEMO
    if (folder / "app.py").is_file():  # written by an earlier `tunekit demo`
        return folder
    return export_demo(registry, record, manager, folder, say)


def export_demo(registry: Any, record: Any, manager: Any, folder: Path, say: Any) -> Path:
    """Write the gradio-demo export of a run that has none, from its model export."""
    import tunekit
    from tunekit.ui.commands.predict import load_trained

    trained = load_trained(registry, record.id, manager, command="tunekit demo")
    exporter = manager.get("exporter", DEMO)
    summary = json.loads(record.summary_json or "{}")
    partial = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    spec = record.spec
    context = tunekit.ExportContext(
        run_id=record.id, directory=partial,
        options=exporter.resolve_options({}, f"exporter {DEMO!r}"), model=trained.model,
        tokenizer=trained.built.tokenizer, task=trained.task, labels=trained.labels, spec=spec,
        metrics=record.metrics, test_metrics=None, data=summary.get("data") or {},
        training={**(spec.get("training") or {}), "max_length": trained.max_length},
        splits=None)
    try:
        exporter.export(context)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(partial, folder)
    say(f"run {record.id} had no demo: wrote one from its {trained.exporter} export to "
        f"{folder}")
    return folder


def launch_settings(args: argparse.Namespace, folder: Path,
                    say: Any = print) -> tuple[list[str], dict[str, str]]:
    """The command and environment that serve the demo in ``folder`` as the options ask. A
    demo others can reach gets a login: the one given, or a generated password said once."""
    from tunekit.errors import TunekitError

    if not 0 < args.port < 65536:
        raise TunekitError(f"{args.port} is not a port", where="--port",
                           hint="a number from 1 to 65535, e.g. 7860")
    env = {**os.environ, "GRADIO_SERVER_NAME": args.host, "GRADIO_SERVER_PORT": str(args.port),
           "GRADIO_SHARE": "True" if args.share else "False"}
    env.pop("DEMO_AUTH", None)
    command = [sys.executable, str(folder / "app.py")]
    if not (args.share or args.auth or args.auth_file) and args.host in LOCAL_HOSTS:
        return command, env  # this machine alone, no login (the studio's rules load slowly)
    from tunekit.ui.studio.serve import read_auth
    from tunekit.ui.studio.sharing import SHARED_USER, is_loopback, make_password

    auth = read_auth(args.auth, args.auth_file)
    shared = bool(args.share) or not is_loopback(args.host)
    if shared and not auth:
        password = make_password()
        say(f"the demo is reachable by others: log in as user {SHARED_USER!r} with password "
            f"{password!r} (pass --auth USER:PASS or --auth-file FILE to choose your own)")
        auth = [(SHARED_USER, password)]
    if auth:
        env["DEMO_AUTH"] = "\n".join(f"{user}:{password}" for user, password in auth)
    return command, env


def demo_command(args: argparse.Namespace) -> int:
    from tunekit.ui.commands.common import _manager, _registry

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    registry = _registry()
    folder = demo_folder(registry, args.run, _manager(args, warn=False), say)
    command, env = launch_settings(args, folder, say)
    shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else args.host
    say(f"demo of run {args.run} on http://{shown}:{args.port} ({folder}; Ctrl-C stops it)")
    sys.stdout.flush()
    if os.name == "posix":  # the app takes this process's place: Ctrl-C and kill reach it
        os.execve(command[0], command, env)
    import subprocess

    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130
