"""Sweeps started from the studio: ``tunekit sweep`` on the run card's spec, in its own
process as runs are (runs.py). Its trials are runs in registry.db filed under the sweep, so
the Sweeps tab (tabs/sweeps.py) shows sweeps started anywhere.

What to search is written as ``--param`` takes it, one field per part:
``training.learning_rate=1e-4,3e-4,1e-3; strategy.r=4,8`` (a list), ``1e-5..1e-3:log`` (a
range). The space is checked here before the process starts (every trial's spec must
validate), so a typo is answered at once, in one line.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunekit.errors import TunekitError
from tunekit.spec import parse_spec
from tunekit.ui.studio.jobs.runs import Runner
from tunekit.ui.studio.tabs.curves import as_utc

SAMPLER_CHOICES = ("auto", "grid", "random", "tpe")


@dataclass
class GroupJob:
    """One ``tunekit sweep`` or ``tunekit bakeoff`` process started from the studio: many runs
    filed under one sweep record, found by the process id once the CLI has written it."""

    process: subprocess.Popen[bytes]
    log_path: Path
    started: float
    trials: int = 0
    sweep_id: int | None = None
    reaped: bool = False  # its end has been checked against the registry

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def follow(self, registry: Any, kind: str) -> GroupJob:
        """Pick up the sweep id the process registered; once it has ended, make sure the
        registry does not keep it running (a process killed outright says nothing)."""
        if self.sweep_id is None:
            host = socket.gethostname()
            for record in registry.sweeps(kind=kind, limit=20):
                if record.pid == self.process.pid and record.host == host and \
                        as_utc(record.created_at).timestamp() >= self.started - 5:
                    self.sweep_id = record.id
                    break
        if not self.alive and not self.reaped:
            self.reaped = True
            registry.mark_orphans_interrupted()
        return self

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)  # the CLI records it as cancelled

    def stop_and_wait(self) -> None:
        if self.alive:
            self.stop()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()




def split_params(text: str) -> list[str]:
    """``a=1,2; b=3..4`` -> ``["a=1,2", "b=3..4"]`` (parts end at ``;`` or a new line)."""
    return [part.strip() for part in re.split(r"[;\n]", text or "") if part.strip()]


def space_params(space: dict[str, Any]) -> list[str]:
    """An assistant's space (field -> list or range) as ``--param`` items (JSON is YAML)."""
    return [f"{field}={json.dumps(value)}" for field, value in space.items()]


class SweepLauncher:
    """The studio's sweep process (one at a time: a sweep is many runs)."""

    def __init__(self, runner: Runner, manager: Any):
        self.runner = runner
        self.manager = manager
        self.job: GroupJob | None = None
        self._lock = threading.Lock()

    def plan(self, spec: dict[str, Any], base_dir: Path, params: list[str],
             sampler: str | None, trials: Any) -> tuple[str | None, int]:
        """Check the sweep before starting it: the sampler and the number of trials it will
        run. TunekitError or ValueError say what is wrong, for a person."""
        from tunekit.tools.search_space import grid, parse_param_option, typed
        from tunekit.tools.sweep import DEFAULT_TRIALS, check_specs, read_base

        if not params:
            raise ValueError("say which fields to try, e.g. training.learning_rate=1e-4,3e-4; "
                             "strategy.r=4,8")
        try:
            trials = int(trials) if trials not in (None, "") else None
        except (TypeError, ValueError):
            raise ValueError(f"trials must be a whole number, got {trials!r}") from None
        if trials is not None and trials < 0:
            raise ValueError(f"trials must be 0 (no limit) or more, got {trials}")
        trials = trials or None  # 0: the whole grid, or the default budget
        sampler = None if sampler in (None, "", "auto") else str(sampler)
        base = read_base(parse_spec(spec, self.manager, base_dir=base_dir), self.manager)
        space = typed(dict(parse_param_option(item) for item in params), base.data,
                      self.manager)
        chosen = sampler or ("grid" if all(d.finite for d in space.values()) else "tpe")
        if chosen == "grid":
            combos = len(grid(space, where="sampler grid"))
            trials = min(trials, combos) if trials else combos
        check_specs(base, space, self.manager, where="sweep")
        return sampler, trials or DEFAULT_TRIALS

    def start(self, spec: dict[str, Any], base_dir: Path, params: list[str],
              sampler: str | None = None, trials: Any = None, busy: str = "") -> str:
        """Start a sweep of ``spec``; returns what happened, in words (a refusal starts with
        ⚠️). ``busy`` names something else training that this studio started."""
        with self._lock:
            if self.job is not None and self.job.alive:
                return "⚠️ A sweep is still going: stop it or wait for it to finish."
            if busy:
                return f"⚠️ {busy} is still going: wait for it before starting a sweep."
            try:
                sampler, count = self.plan(spec, base_dir, params, sampler, trials)
            except (TunekitError, ValueError) as exc:
                return f"⚠️ The sweep cannot start: {exc}"
            spec_path = self.runner.write_spec(spec, base_dir, "sweep")
            command = self.runner.cli("sweep", spec_path, "--trials", count, "--quiet")
            for item in params:
                command += ["--param", item]
            if sampler:
                command += ["--sampler", sampler]
            log = self.runner.folder / "logs" / f"{spec_path.stem}.log"
            self.job = GroupJob(self.runner.spawn(command, log), log, time.time(), count)
        return f"Starting a sweep of {count} trial{'s' if count != 1 else ''}…"

    def follow(self) -> GroupJob | None:
        """The studio's sweep process, with the sweep id it registered once it has one."""
        return self.job.follow(self.runner.registry, "sweep") if self.job else None

    def stop(self) -> str:
        if self.job is None or not self.job.alive:
            return "No sweep of this studio is running."
        self.job.stop()
        return "Stopping the sweep…"

    def stop_all(self) -> None:
        if self.job is not None:
            self.job.stop_and_wait()
