"""What a studio open to other people must hold to: who may come in, which files they may
read, how much they may upload and train.

A studio on this machine alone (``127.0.0.1``, no share link) trusts its user as the command
line does. One reachable by others (``--share``, or ``--host`` on another address) gets a
login, a data folder it cannot read out of, sessions that do not see each other's work, and
upload limits; ``--demo`` adds caps on what a run may cost and turns off plugin management
and exporters that are not built in. ``Safety`` holds those rules; the studio consults it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOOPBACK_NAMES = ("localhost", "ip6-localhost", "ip6-loopback")
SHARED_USER = "tunekit"
DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_UPLOAD_MB = 512
# --demo: what one run may cost
DEMO_EPOCHS = 3
DEMO_STEPS = 2_000
DEMO_ROWS = 5_000


# sweeps and bake-offs are one per studio, seen by every tab and outside the run queue
SHARED_OFF = ("{what} are off in a shared studio: they would be seen by everyone and take "
              "every slot; run them with the tunekit command on your own machine.")


class PathRefused(ValueError):
    """A data path outside the folders the studio may read; the message says so, for a
    person."""


@dataclass
class Safety:
    """The rules a studio keeps. The defaults are a local studio's: no confinement, no
    isolation, no caps beyond the upload limits."""

    shared: bool = False  # reachable from other machines (share link or non-loopback host)
    demo: bool = False
    data_dir: Path | None = None  # None: any path this user can read (a local studio)
    max_rows: int = DEFAULT_MAX_ROWS
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 2**20
    max_concurrent_runs: int = 1
    demo_epochs: int = DEMO_EPOCHS
    demo_steps: int = DEMO_STEPS
    demo_rows: int = DEMO_ROWS
    safe_exporters: frozenset[str] = field(default_factory=frozenset)

    @property
    def isolated(self) -> bool:
        """Whether browser sessions are kept apart (their uploads, their runs in History)."""
        return self.shared or self.demo

    @property
    def row_limit(self) -> int:
        return min(self.max_rows, self.demo_rows) if self.demo else self.max_rows

    def check_path(self, value: str | Path, base_dir: Path, uploads: Path) -> Path:
        """``value`` (relative to ``base_dir``) resolved, symlinks followed; PathRefused when
        the studio is confined and it lies outside the data folder and ``uploads``."""
        path = Path(value).expanduser()
        resolved = Path(os.path.realpath(path if path.is_absolute() else base_dir / path))
        if self.data_dir is None:
            return resolved
        if inside(resolved, (self.data_dir, uploads)):
            return resolved
        raise PathRefused(
            f"{value} is outside the data folder: this studio reads only files in "
            f"{self.data_dir.name or self.data_dir}/ and the files you upload (📎)")

    def check_spec_paths(self, spec: dict[str, Any], base_dir: Path, uploads: Path) -> None:
        """PathRefused for the first data path of ``spec`` outside the allowed folders."""
        for value in dataset_paths(spec):
            self.check_path(value, base_dir, uploads)

    def cap(self, spec: dict[str, Any], default_epochs: int | None) -> tuple[dict[str, Any], str]:
        """``spec`` as a demo studio runs it (epochs capped; exporters that are not built in
        dropped), and a sentence saying what changed ('' when nothing did)."""
        if not self.demo:
            return spec, ""
        said = []
        training = dict(spec.get("training") or {})
        epochs = training.get("epochs") or default_epochs
        if epochs is None or epochs > self.demo_epochs:
            training["epochs"] = self.demo_epochs
            said.append(f"{self.demo_epochs} epochs at most")
        exporters = [e for e in spec.get("exporters") or []
                     if _component_name(e) in self.safe_exporters]
        dropped = [_component_name(e) for e in spec.get("exporters") or []
                   if _component_name(e) not in self.safe_exporters]
        if dropped:
            said.append(f"exporters {', '.join(map(str, dropped))} are off")
        capped = {**spec, "training": training, "exporters": exporters}
        return capped, ("This demo studio runs " + " and ".join(said) + ".") if said else ""

    def check_cost(self, rows: int | None, spec: dict[str, Any]) -> str | None:
        """Why a demo studio will not run ``spec`` on ``rows`` training rows (None: it will)."""
        if not self.demo or rows is None:
            return None
        if rows > self.demo_rows:
            return (f"the data has {rows:,} rows and this demo studio trains on "
                    f"{self.demo_rows:,} at most: use a smaller file")
        training = spec.get("training") or {}
        per_step = int(training.get("batch_size") or 16) * int(
            training.get("gradient_accumulation_steps") or 1)
        steps = -(-rows // max(1, per_step)) * int(training.get("epochs") or self.demo_epochs)
        if steps > self.demo_steps:
            return (f"that is {steps:,} training steps and this demo studio runs "
                    f"{self.demo_steps:,} at most: use fewer rows or epochs, or a larger batch")
        return None


def dataset_paths(spec: dict[str, Any]) -> list[str]:
    """The file paths a spec's dataset names (``path``, ``validation_path``...)."""
    dataset = spec.get("dataset")
    if not isinstance(dataset, dict):
        return []
    return [v for k, v in dataset.items() if k.endswith("path") and isinstance(v, str) and v]


def _component_name(entry: Any) -> Any:
    return entry.get("name") if isinstance(entry, dict) else entry


def is_loopback(host: str | None) -> bool:
    """Whether a server bound to ``host`` is reachable from this machine only."""
    if not host:
        return True
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_password(length: int = 20) -> str:
    """A password for a shared studio nobody gave one to: ``length`` random letters and
    digits from the operating system's cryptographic source."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def built_in_exporters(manager: Any) -> frozenset[str]:
    """Exporters shipped with tunekit (they write only inside the run's folder)."""
    return frozenset(c.name for c in manager.components("exporter")
                     if getattr(c.export, "__module__", "").startswith("tunekit.plugins."))


def device_slots() -> int:
    """How many runs may train at once here: one per CUDA GPU, else one."""
    try:
        import torch

        return max(1, torch.cuda.device_count()) if torch.cuda.is_available() else 1
    except Exception:  # no torch, or a broken CUDA setup: one at a time is always safe
        return 1


def launch_options(*, host: str, port: int, share: bool,
                   auth: list[tuple[str, str]] | None, safety: Safety) -> dict[str, Any]:
    """The keyword arguments of ``Blocks.launch`` for these options. A shared studio without
    ``auth`` must have been given one by ``require_login`` first."""
    if (share or not is_loopback(host)) and not auth:
        raise ValueError("a shared studio needs a login: call require_login first")
    return {"server_name": host, "server_port": port, "share": share, "auth": auth,
            "auth_message": "tunekit studio: log in" if auth else None,
            "max_file_size": safety.max_upload_bytes,
            "quiet": not share,  # gradio prints the public link
            "footer_links": ["api"], "show_error": False, "prevent_thread_lock": True}


def require_login(auth: list[tuple[str, str]] | None, shared: bool,
                  say: Any = print) -> list[tuple[str, str]] | None:
    """``auth`` as given; for a shared studio given none, a generated user and password,
    said once through ``say`` (the terminal)."""
    if auth or not shared:
        return auth
    password = make_password()
    say(f"tunekit studio is reachable by others: log in as user {SHARED_USER!r} with password "
        f"{password!r} (pass --auth USER:PASS or --auth-file FILE to choose your own)")
    return [(SHARED_USER, password)]


def data_folder(given: str | None, workdir: Path, confined: bool) -> Path | None:
    """The folder a studio reads data from: ``given``; for a shared or demo studio given
    none, ``data/`` in the working folder (made when missing); else None (no confinement)."""
    if given:
        folder = Path(given).expanduser().resolve()
        if not folder.is_dir():
            from tunekit.errors import TunekitError

            raise TunekitError(f"{folder} is not a folder", where="--data-dir",
                               hint="give the folder that holds the data files to offer")
        return folder
    if not confined:
        return None
    folder = (workdir / "data").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_folder() -> Path:
    """Where Gradio puts the files a browser uploads (``GRADIO_TEMP_DIR``)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


def inside(path: Path, roots: Iterable[Path]) -> bool:
    """Whether ``path`` (resolved) is one of ``roots`` or lies under one."""
    real = Path(os.path.realpath(path))
    return any(real == r or r in real.parents for r in (Path(os.path.realpath(x)) for x in roots))
