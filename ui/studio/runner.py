"""Runs started from the studio, each in its own process.

The studio writes the resolved spec to a YAML file and starts ``tunekit run`` on it in a new
process (its own session, so it outlives a studio restart and never blocks the page). From
then on registry.db is how the studio sees the run; the process's output goes to a log file
whose tail the monitor shows. Stop sends SIGTERM, which the CLI turns into a clean
``cancelled``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import yaml
from tunekit.registry import Registry

ACTIVE_STATUSES = ("queued", "running")
FINAL_STATUSES = ("completed", "failed", "cancelled", "interrupted")


class RunnerBusy(RuntimeError):
    """Another run started from this studio is still going."""


@dataclass
class Job:
    """One ``tunekit run`` process started by the studio."""

    process: subprocess.Popen[bytes]
    spec_path: Path
    log_path: Path
    started: float
    parent_id: int | None = None
    run_id: int | None = None
    stop_requested: bool = False

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def pid(self) -> int:
        return self.process.pid


class Runner:
    """Starts, finds and stops the studio's run processes."""

    def __init__(self, registry: Registry, workdir: Path, plugins_dir: str | None = None):
        self.registry = registry
        self.workdir = Path(workdir)
        self.folder = self.workdir / "studio"
        self.plugins_dir = str(Path(plugins_dir).resolve()) if plugins_dir else None
        self.jobs: list[Job] = []
        self._lock = threading.Lock()

    # ------------------------------------------------------------ starting

    def command(self, spec_path: Path, parent_id: int | None = None) -> list[str]:
        """The command line of a run process (no --quiet: the log keeps one line per epoch,
        while the progress bar stays off because the output is not a terminal)."""
        command = [sys.executable, "-m", "tunekit.ui.cli",
                   "--registry", str(self.registry.path.resolve())]
        if self.plugins_dir:
            command += ["--plugins-dir", self.plugins_dir]
        command += ["run", str(spec_path)]
        if parent_id is not None:
            command += ["--parent", str(parent_id)]
        return command

    def launch(self, spec: dict[str, Any], *, base_dir: Path,
               parent_id: int | None = None) -> Job:
        """Start a run of ``spec`` (paths relative to ``base_dir``) in its own process."""
        with self._lock:
            busy = self.active_job()
            if busy is not None:
                which = f"run {busy.run_id}" if busy.run_id else "the run just started"
                raise RunnerBusy(f"{which} is still going: stop it or wait for it to finish "
                                 "before starting another")
            specs, logs = self.folder / "specs", self.folder / "logs"
            specs.mkdir(parents=True, exist_ok=True)
            logs.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{len(self.jobs) + 1}"
            spec_path = specs / f"spec-{stamp}.yaml"
            spec_path.write_text(yaml.safe_dump(absolute_paths(spec, base_dir), sort_keys=False),
                                 encoding="utf-8")
            log_path = logs / f"job-{stamp}.log"
            environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
            environment.setdefault("TOKENIZERS_PARALLELISM", "false")
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    self.command(spec_path, parent_id), cwd=self.workdir, env=environment,
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True)
            job = Job(process, spec_path, log_path, time.time(), parent_id)
            self.jobs.append(job)
            return job

    # ------------------------------------------------------------ following

    def active_job(self) -> Job | None:
        """The studio's run process that is still going, if any."""
        for job in reversed(self.jobs):
            if job.alive:
                return job
        return None

    def refresh(self, job: Job) -> Job:
        """Find the run id the process registered (it records its own pid), and reap it."""
        job.process.poll()
        if job.run_id is None:
            host = socket.gethostname()
            claimed = {j.run_id for j in self.jobs if j.run_id is not None}
            for record in self.registry.runs(limit=50):
                created = record.created_at
                if created.tzinfo is None:
                    created = created.replace(tzinfo=UTC)
                if (record.pid == job.pid and record.host == host and record.id not in claimed
                        and created.timestamp() >= job.started - 5):
                    job.run_id = record.id
                    named = job.log_path.with_name(f"run-{record.id}.log")
                    try:  # the process keeps writing to the renamed file
                        job.log_path.rename(named)
                        job.log_path = named
                    except OSError:
                        pass
                    break
        if not job.alive and job.run_id is not None:
            record = self.registry.get_run(job.run_id)
            if record is not None and record.status in ACTIVE_STATUSES:
                self.registry.mark_orphans_interrupted()  # it died without saying so
        return job

    def job_for(self, run_id: int) -> Job | None:
        return next((j for j in self.jobs if j.run_id == run_id), None)

    def log_path(self, run_id: int) -> Path | None:
        job = self.job_for(run_id)
        if job is not None:
            return job.log_path
        path = self.folder / "logs" / f"run-{run_id}.log"
        return path if path.exists() else None

    # ------------------------------------------------------------ stopping

    def stop(self, job: Job | None = None, run_id: int | None = None) -> str:
        """Ask a run to stop (SIGTERM: the CLI records it as cancelled). Returns what happened,
        in words."""
        if job is None and run_id is not None:
            job = self.job_for(run_id)
        if job is not None:
            self.refresh(job)
            if not job.alive:
                return "That run has already ended."
            job.stop_requested = True
            job.process.send_signal(signal.SIGTERM)
            return (f"Stopping run {job.run_id}…" if job.run_id else
                    "Stopping the run before it started…")
        if run_id is None:
            return "There is no run to stop."
        record = self.registry.get_run(run_id)
        if record is None or record.status in FINAL_STATUSES:
            return f"Run {run_id} is not running."
        if record.host != socket.gethostname() or not record.pid:
            return f"Run {run_id} runs on {record.host or 'another machine'}; stop it there."
        if not _is_tunekit_process(record.pid):
            self.registry.mark_orphans_interrupted()
            return f"Run {run_id} is no longer running."
        os.kill(record.pid, signal.SIGTERM)
        return f"Stopping run {run_id}…"

    def stop_all(self) -> None:
        """Stop every run process this studio started (used when tests shut a studio down)."""
        for job in self.jobs:
            if job.alive:
                job.process.send_signal(signal.SIGTERM)
        for job in self.jobs:
            try:
                job.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                job.process.kill()


def absolute_paths(spec: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """The spec with the dataset's relative file paths made absolute, so the spec file works
    from anywhere (and a clone of the run finds the same data)."""
    dataset = dict(spec.get("dataset") or {})
    for key, value in list(dataset.items()):
        if key.endswith("path") and isinstance(value, str) and value:
            path = Path(value).expanduser()
            if not path.is_absolute() and (base_dir / path).exists():
                dataset[key] = str((base_dir / path).resolve())
    return {**spec, "dataset": dataset}


def tail(path: Path | None, lines: int = 40, max_bytes: int = 64 * 1024) -> str:
    """The last ``lines`` lines of a log file ('' when there is none)."""
    if path is None or not path.exists():
        return ""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - max_bytes))
        text = handle.read().decode("utf-8", errors="replace")
    # a progress bar redraws with carriage returns: keep what the line finally said
    kept = [line.rsplit("\r", 1)[-1] for line in text.splitlines()]
    return "\n".join(kept[-lines:])


def _is_tunekit_process(pid: int) -> bool:
    """Whether ``pid`` is alive and (where /proc tells) a tunekit process, so a recycled pid
    never gets our signal."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return b"tunekit" in cmdline.read_bytes()
        except OSError:
            return False
    return True
