"""Errors meant for people: what went wrong, where, and what to do next."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from types import ModuleType


class TunekitError(Exception):
    """An error caused by input or setup that the user can fix.

    ``where`` names the place (a file, a field, a plugin); ``hint`` says what to do.
    The CLI prints these as one message, without a traceback.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class SpecError(TunekitError):
    """A run specification that does not validate."""


class DataError(TunekitError):
    """A dataset that cannot be read or cannot be trained on."""


class DataCheckError(DataError):
    """A run refused because the data check found blocking problems.

    ``findings`` holds them (``tunekit.tools.datacheck.Finding``); the message lists them, the hint
    says how to go on anyway.
    """

    def __init__(self, message: str, *, findings: Iterable[object] = (),
                 where: str | None = None, hint: str | None = None):
        super().__init__(message, where=where, hint=hint)
        self.findings = list(findings)


class TrainingDiverged(TunekitError):
    """The training loss became NaN or infinite; the message names the step."""


class ResourceError(TunekitError):
    """The machine ran out of something (memory, disk) that a smaller setting would need less of."""


class PluginError(TunekitError):
    """A plugin or component that breaks the contract."""


class UnknownComponentError(TunekitError):
    """A component name that no installed plugin registers."""


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates that look most like ``word``, best first."""
    # a spec read from YAML may give a number or a list where a name belongs
    word, candidates = str(word), [str(c) for c in candidates]
    found = difflib.get_close_matches(word, candidates, n=n, cutoff=0.5)
    if not found:
        lowered = word.lower()
        found = [c for c in candidates if lowered in c.lower() or c.lower() in lowered][:n]
    return found


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """' Did you mean "a" or "b"?' or an empty string."""
    found = closest(word, candidates)
    if not found:
        return ""
    quoted = [f'"{f}"' for f in found]
    return " Did you mean " + (" or ".join(quoted) if len(quoted) <= 2 else ", ".join(quoted)) + "?"


def require(module: str, extra: str, needed_for: str) -> ModuleType:
    """Import ``module`` and return it, or raise one TunekitError saying that ``needed_for``
    needs it and which extra of tunekit installs it (``pip install 'tunekit[onnx]'``): a lean
    ``pip install tunekit`` leaves the studio's and the exporters' packages out."""
    from importlib import import_module

    try:
        return import_module(module)
    except ImportError as exc:
        raise TunekitError(
            f"the package {module.split('.')[0]!r} is not installed ({exc})", where=needed_for,
            hint=f"pip install 'tunekit[{extra}]' (or 'tunekit[all]' for everything)") from None
