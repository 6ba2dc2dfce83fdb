"""``tunekit studio``: load the plugins, open the registry, serve the app until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tunekit.errors import TunekitError

from .app import build_app


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


def serve(args: argparse.Namespace) -> int:
    """Serve the studio (blocks until Ctrl-C). Bad options raise TunekitError (exit 2)."""
    auth = read_auth(getattr(args, "auth", None), getattr(args, "auth_file", None))
    from tunekit import load_plugins

    plugins_dir = getattr(args, "plugins_dir", None)
    manager = load_plugins(plugins_dir)
    for problem in manager.problems:
        print(f"warning: plugin {problem.plugin} ({problem.source}): {problem.error}",
              file=sys.stderr)
    app = build_app(manager, registry_path=getattr(args, "registry", None),
                    workdir=Path.cwd(), plugins_dir=plugins_dir)
    host, port = args.host, args.port
    try:
        app.launch(server_name=host, server_port=port, share=bool(args.share), auth=auth,
                   auth_message="tunekit studio: log in" if auth else None,
                   quiet=not args.share,  # gradio prints the public link
                   footer_links=["api"], show_error=False, prevent_thread_lock=True)
    except OSError as exc:
        raise TunekitError(f"cannot listen on {host}:{port}: {exc}", where="--port",
                           hint="choose another with --port") from None
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"tunekit studio on http://{shown}:{port}  (registry: {app.studio.registry.path}; "
          "Ctrl-C stops the studio; runs keep going in their own processes)", file=sys.stderr)
    app.block_thread()  # until Ctrl-C
    return 0
