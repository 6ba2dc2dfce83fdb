"""The commands the docs show, read out of their code blocks, and how the docs test runs them.

tests/test_doc_commands.py runs every command of README.md and docs/**/*.md. This module
holds what it needs without pytest: reading the code blocks, and the arguments the test's own
``tunekit`` (a small script first on PATH, see ``shim_source``) adds so that training commands
finish in seconds: the tiny test backbone instead of the bundled MiniLM (tests/test_minilm.py
trains the real one), two optimizer steps, ten learning-rate-finder steps, two sweep trials,
and a free port for the servers. What a command says stays as written; only these are added.
"""

from __future__ import annotations

import re
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
    """The docs test's ``tunekit``: the real command line with ``fast_arguments`` added."""
    return (f"#!{python}\n"
            "# tests/test_doc_commands.py's tunekit: the real one, training cut short\n"
            "import os, sys\n"
            f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
            "from doc_commands import fast_arguments\n"
            "from tunekit.ui.cli import main\n"
            "argv = sys.argv[1:]\n"
            "sys.exit(main(argv + fast_arguments(argv, os.environ['TK_DOC_PORT'])))\n")
