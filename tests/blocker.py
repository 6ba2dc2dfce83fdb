"""A real import blocker: a ``sys.meta_path`` finder that refuses packages, as if they had never
been installed, so a test sees what a lean ``pip install tunekit`` sees."""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
from collections.abc import Iterator


class Refuse(importlib.abc.MetaPathFinder):
    """Finds nothing for the named packages (and their submodules): the import fails."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


@contextlib.contextmanager
def uninstalled(*names: str, forget: tuple[str, ...] = ()) -> Iterator[None]:
    """Within the block, ``names`` cannot be imported: they are dropped from ``sys.modules``
    (put back afterwards) and refused by a finder at the front of ``sys.meta_path``. ``forget``
    names modules of tunekit to import afresh inside the block (and to restore afterwards)."""
    prefixes = names + forget
    kept = {key: module for key, module in sys.modules.items()
            if any(key == p or key.startswith(p + ".") for p in prefixes)}
    for key in kept:
        del sys.modules[key]
    finder = Refuse(names)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for key in [k for k in sys.modules
                    if any(k == p or k.startswith(p + ".") for p in prefixes)]:
            del sys.modules[key]
        sys.modules.update(kept)
