"""``python -m tunekit``: the same command line as ``tunekit``.

core/ depends on no ui: the command is found the way the ``tunekit`` script is, through the
console-script entry point that pyproject.toml declares, not by importing the ui package.
"""

import sys
from importlib.metadata import entry_points


def main() -> int:
    found = entry_points(group="console_scripts", name="tunekit")
    if not found:
        print("tunekit: the command line is not installed (pip install tunekit)",
              file=sys.stderr)
        return 2
    return next(iter(found)).load()()


if __name__ == "__main__":
    sys.exit(main())
