"""The type check of tunekit's public API: mypy on the modules [tool.mypy] in pyproject.toml
lists. Exits with mypy's status (1 on a type error).

The source folders are not named as they import (core/ installs as ``tunekit``, through an
editable-install hook mypy does not run), so the check runs in a temporary folder where
``tunekit`` links to core/, and ``tunekit_probe`` to tests/typing_probe.py (a plugin written
against the types). ``python scripts/typecheck.py [mypy options]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    cache = ROOT / ".mypy_cache"  # git-ignored; a second run reads what the first one learnt
    with tempfile.TemporaryDirectory(prefix="tunekit-types-") as folder:
        os.symlink(ROOT / "core", Path(folder) / "tunekit", target_is_directory=True)
        os.symlink(ROOT / "tests" / "typing_probe.py", Path(folder) / "tunekit_probe.py")
        command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                   "--python-executable", sys.executable, "--cache-dir", str(cache), *argv]
        return subprocess.run(command, cwd=folder, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
