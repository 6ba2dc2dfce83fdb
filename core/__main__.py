"""``python -m tunekit``: the same command line as ``tunekit``.

This is the program's entry point, like ``[project.scripts]`` in pyproject.toml, not part of
the library: nothing in core/ imports it, so core still depends on no screen.
"""

import sys

from tunekit.ui.cli import main

if __name__ == "__main__":
    sys.exit(main())
