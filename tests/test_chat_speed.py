"""`tunekit chat --json` answers without importing torch (half its time used to be that import):
checked in a fresh interpreter, the way a client runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = """
import atexit, sys
atexit.register(lambda: print("TORCH-LOADED" if "torch" in sys.modules else "NO-TORCH",
                              file=sys.stderr))
from tunekit.ui.cli import main
raise SystemExit(main(["chat", "--json"]))
"""


def test_one_chat_turn_imports_no_torch(isolated: Path) -> None:
    (isolated / "ner.conll").write_text("John B-PER\nsleeps O\n\n")
    turns = "tag entities in ner.conll for 3 epochs, an r of 8\n"
    done = subprocess.run([sys.executable, "-c", PROBE], input=turns, capture_output=True,
                          text=True, cwd=isolated, timeout=120)
    assert done.returncode == 0, done.stderr
    spec = json.loads(done.stdout.splitlines()[0])  # the spec comes first, then the reply
    assert spec["dataset"]["name"] == "conll", done.stdout  # the turn was really read
    assert "NO-TORCH" in done.stderr, "torch was imported on the chat path"
