"""The commands the docs show, read out of their code blocks, and how the docs test runs them.

tests/test_doc_commands.py runs every command of README.md and docs/**/*.md. This module
holds what it needs without pytest: reading the code blocks, and the arguments the test's own
``tunekit`` (a small script first on PATH, see ``shim_source``) adds so that training commands
finish in seconds: the tiny test backbone instead of the bundled MiniLM (tests/test_minilm.py
trains the real one), two optimizer steps, ten learning-rate-finder steps, two sweep trials,
and a free port for the servers. What a command says stays as written; only these are added.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```", flags=re.S | re.M)

# the spec files the docs name, written by the test with tiny backbones already: the shim
# leaves their backbone alone
OWN_SPECS = ("spec.yaml", "ner.yaml")
TRAINING = ("run", "bakeoff", "sweep", "lr-find")
FEW_STEPS = ["--set", "training.max_steps=2"]
FAST = {"run": FEW_STEPS, "bakeoff": FEW_STEPS, "lr-find": ["--steps", "10"],
        "sweep": ["--trials", "2", *FEW_STEPS]}


@dataclass(frozen=True)
class Shown:
    """One command (or Python block) shown in the docs, and where."""

    page: str  # relative to the repository root
    line: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    """Every page of the docs: README.md and docs/**/*.md."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks(path: Path) -> list[tuple[str, int, str]]:
    """The fenced code blocks of a page: (language, line of the first code line, body)."""
    text = path.read_text(encoding="utf-8")
    return [(match["lang"], text.count("\n", 0, match.start("body")) + 1, match["body"])
            for match in FENCE.finditer(text)]


def shell_commands(path: Path) -> list[Shown]:
    """The shell commands of a page, in order: one a line, a trailing backslash joining the
    next; lines that are only a comment are not commands. In a ``console`` block only the
    lines after a ``$ `` prompt are."""
    page = str(path.relative_to(ROOT))
    found = []
    for lang, first, body in blocks(path):
        if lang not in SHELL_LANGUAGES:
            continue
        pending, start = "", 0
        for number, line in enumerate(body.splitlines(), start=first):
            if lang == "console" and not pending:
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            if not pending:
                start = number
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            command = (pending + line).strip()
            pending = ""
            if command and not command.startswith("#"):
                found.append(Shown(page, start, command))
    return found


def python_blocks(path: Path) -> list[Shown]:
    """The Python blocks of a page."""
    page = str(path.relative_to(ROOT))
    return [Shown(page, line, body) for lang, line, body in blocks(path) if lang == "python"]


def words(command: str) -> str:
    """A command without its trailing comment, its spaces evened: what the lists match."""
    return " ".join(re.sub(r"\s+#\s.*$", "", command).split())


def fast_arguments(argv: list[str], port: str) -> list[str]:
    """What the docs test's ``tunekit`` adds to ``argv``: see the module's docstring."""
    command = next((arg for arg in argv if not arg.startswith("-")), "")
    added = list(FAST.get(command, []))
    mentions_backbone = any("backbone" in arg for arg in argv)
    if command in TRAINING and not mentions_backbone and not set(argv) & set(OWN_SPECS):
        added += ["--set", "backbone=tiny-bert"]
    if command in ("studio", "demo"):
        added += ["--port", port]
    return added


def shim_source(python: str) -> str:
    """The docs test's ``tunekit``: the real command line with ``fast_arguments`` added, run
    by the warm process of ``warm_start`` when the test started one, else here."""
    return (f"#!{python}\n"
            "# tests/test_doc_commands.py's tunekit: the real one, training cut short\n"
            "import os, sys\n"
            f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
            "from doc_commands import fast_arguments, run_warm\n"
            "argv = sys.argv[1:]\n"
            "argv += fast_arguments(argv, os.environ['TK_DOC_PORT'])\n"
            "code = run_warm(argv)\n"
            "if code is None:\n"
            "    from tunekit.ui.cli import main\n"
            "    code = main(argv)\n"
            "sys.exit(code)\n")


# ---------------------------------------------------------------- a warm start
# Most of a tiny training command's seconds go to importing torch, transformers and peft. The
# test starts one process that imports them (``warm_start``) and forks a child per command:
# the child takes the command's standard streams, folder and environment, and runs
# tunekit's ``main`` with its arguments, as the installed script would. Servers are not
# forked (the test stops them by their process group): the shim runs them itself.
WARM_ENV = "TK_DOC_WARM"
NOT_WARM = ("studio", "demo")


def run_warm(argv: list[str]) -> int | None:
    """Run ``argv`` in a child of the warm process; None when there is none (or a server)."""
    path = os.environ.get(WARM_ENV)
    command = next((arg for arg in argv if not arg.startswith("-")), "")
    if not path or command in NOT_WARM:
        return None
    request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)})
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(path)
        socket.send_fds(connection, [request.encode()], [0, 1, 2])
        connection.shutdown(socket.SHUT_WR)
        answer = b"".join(iter(lambda: connection.recv(64), b""))
    return int(answer)


def warm_start(path: str) -> None:
    """Serve ``run_warm`` on the Unix socket ``path``, one command at a time, for ever."""
    import datasets  # noqa: F401  (what a training command imports, before the forks)
    import peft  # noqa: F401
    import torch  # noqa: F401
    import transformers.models.bert.modeling_bert  # noqa: F401
    import transformers.models.gpt2.modeling_gpt2  # noqa: F401
    from tunekit.engine import run  # noqa: F401
    from tunekit.ui import cli  # noqa: F401

    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen()
    while True:
        connection, _ = server.accept()
        with connection:
            message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
            while chunk := connection.recv(1 << 20):
                message += chunk
            child = os.fork()
            if child == 0:
                server.close()
                _run_in_child(json.loads(message), fds)
            for fd in fds:
                os.close(fd)
            _, status = os.waitpid(child, 0)
            connection.sendall(str(os.waitstatus_to_exitcode(status)).encode())


def _run_in_child(request: dict, fds: list[int]) -> None:
    code = 1
    try:
        for number, fd in enumerate(fds):
            os.dup2(fd, number)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["tunekit", *request["argv"]]
        from tunekit.ui.cli import main

        code = main(request["argv"]) or 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001  (as the interpreter would: a traceback, exit 1)
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
