"""Runs started from the studio, each in its own process.

The studio writes the resolved spec to a YAML file and starts ``tunekit run`` on it in a new
process (its own session, so it outlives a studio restart and never blocks the page). From
then on registry.db is how the studio sees the run; the process's output goes to a log file
whose tail the monitor shows. Stop sends SIGTERM, which the CLI turns into a clean
``cancelled``.

At most ``max_concurrent`` runs train at once (one per device); a run launched beyond that
waits in a queue, first come first served, and starts when a slot frees.
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
MAX_QUEUE = 20


class RunnerBusy(RuntimeError):
    """The queue of runs waiting for a slot is full."""


@dataclass
class Job:
    """One ``tunekit run`` process started by the studio (``process`` None: waiting in the
    queue for a slot)."""

    process: subprocess.Popen[bytes] | None
    spec_path: Path | None  # None: a resume, which trains with the run's recorded spec
    log_path: Path
    started: float
    parent_id: int | None = None
    run_id: int | None = None
    stop_requested: bool = False
    resume_id: int | None = None  # the stopped run this job carries on (--resume)

    @property
    def waiting(self) -> bool:
        """In the queue: not started, not taken out."""
        return self.process is None and not self.stop_requested

    @property
    def alive(self) -> bool:
        if self.process is None:
            return not self.stop_requested
        return self.process.poll() is None

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else -1


class Runner:
    """Starts, finds and stops the studio's run processes."""

    def __init__(self, registry: Registry, workdir: Path, plugins_dir: str | None = None,
                 max_concurrent: int = 1):
        self.registry = registry
        self.workdir = Path(workdir)
        self.folder = self.workdir / "studio"
        self.plugins_dir = str(Path(plugins_dir).resolve()) if plugins_dir else None
        self.max_concurrent = max(1, int(max_concurrent))
        self.jobs: list[Job] = []
        self.queue: list[Job] = []  # launched, waiting for a slot, oldest first
        self._lock = threading.RLock()
        self._watcher: threading.Thread | None = None

    # ------------------------------------------------------------ starting

    def cli(self, *arguments: Any) -> list[str]:
        """A ``tunekit`` command line run by this studio's Python on its registry and plugins
        (runs, the learning-rate finder, sweeps and bake-offs all start this way)."""
        command = [sys.executable, "-m", "tunekit.ui.cli",
                   "--registry", str(self.registry.path.resolve())]
        if self.plugins_dir:
            command += ["--plugins-dir", self.plugins_dir]
        return command + [str(a) for a in arguments]

    def command(self, spec_path: Path, parent_id: int | None = None) -> list[str]:
        """The command line of a run process (no --quiet: the log keeps one line per epoch,
        while the progress bar stays off because the output is not a terminal)."""
        command = self.cli("run", spec_path)
        if parent_id is not None:
            command += ["--parent", str(parent_id)]
        return command

    def write_spec(self, spec: dict[str, Any], base_dir: Path, name: str) -> Path:
        """``spec`` (its data paths made absolute) as ``studio/specs/NAME-STAMP.yaml``."""
        specs = self.folder / "specs"
        specs.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.monotonic_ns() % 100000}"
        path = specs / f"{name}-{stamp}.yaml"
        path.write_text(yaml.safe_dump(absolute_paths(spec, base_dir), sort_keys=False),
                        encoding="utf-8")
        return path

    def spawn(self, command: list[str], log_path: Path,
              stdout_path: Path | None = None) -> subprocess.Popen[bytes]:
        """Start a studio process as runs start: in the studio's folder, in a session of its
        own (it outlives the page), unbuffered; its output goes to ``log_path`` (standard
        output to ``stdout_path`` when given: a command's ``--json`` answer)."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        environment.setdefault("TOKENIZERS_PARALLELISM", "false")
        with log_path.open("wb") as log:
            out = stdout_path.open("wb") if stdout_path is not None else None
            try:
                return subprocess.Popen(
                    command, cwd=self.workdir, env=environment, stdin=subprocess.DEVNULL,
                    stdout=out or log, stderr=log if out else subprocess.STDOUT,
                    start_new_session=True)
            finally:
                if out is not None:
                    out.close()

    def launch(self, spec: dict[str, Any], *, base_dir: Path,
               parent_id: int | None = None) -> Job:
        """Start a run of ``spec`` (paths relative to ``base_dir``) in its own process, or
        queue it when every slot is taken (``position`` says where it waits). RunnerBusy when
        the queue is full."""
        with self._lock:
            if len(self.queue) >= MAX_QUEUE:
                raise RunnerBusy(f"{len(self.queue)} runs are already waiting for a slot; "
                                 "try again when some have started")
            specs, logs = self.folder / "specs", self.folder / "logs"
            specs.mkdir(parents=True, exist_ok=True)
            logs.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{len(self.jobs) + 1}"
            spec_path = specs / f"spec-{stamp}.yaml"
            spec_path.write_text(yaml.safe_dump(absolute_paths(spec, base_dir), sort_keys=False),
                                 encoding="utf-8")
            job = Job(None, spec_path, logs / f"job-{stamp}.log", time.time(), parent_id)
            return self._enqueue(job)

    def resume(self, run_id: int) -> Job:
        """Carry on the stopped run ``run_id`` from its checkpoint (``tunekit run --resume``)
        in its own process, or queue it as ``launch`` does. RunnerBusy when the queue is
        full. (Whether the run can be resumed is the caller's to check first.)"""
        with self._lock:
            if len(self.queue) >= MAX_QUEUE:
                raise RunnerBusy(f"{len(self.queue)} runs are already waiting for a slot; "
                                 "try again when some have started")
            logs = self.folder / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{len(self.jobs) + 1}"
            job = Job(None, None, logs / f"run-{run_id}-resume-{stamp}.log", time.time(),
                      run_id=run_id, resume_id=run_id)
            return self._enqueue(job)

    def _enqueue(self, job: Job) -> Job:
        """Queue ``job`` and start it if a slot is free."""
        with self._lock:
            self.jobs.append(job)
            self.queue.append(job)
            self.start_waiting()
            if self.queue and (self._watcher is None or not self._watcher.is_alive()):
                # nobody may be polling when a slot frees: a thread moves the queue on
                self._watcher = threading.Thread(target=self._watch_queue, daemon=True,
                                                 name="tunekit-run-queue")
                self._watcher.start()
            return job

    def running(self) -> int:
        """How many of the studio's run processes are going."""
        return sum(1 for j in self.jobs if j.process is not None and j.process.poll() is None)

    def position(self, job: Job) -> int | None:
        """Where ``job`` waits in the queue (1: next to start); None when it is not waiting."""
        with self._lock:
            return self.queue.index(job) + 1 if job in self.queue else None

    def start_waiting(self) -> None:
        """Start queued runs while slots are free."""
        with self._lock:
            while self.queue and self.running() < self.max_concurrent:
                job = self.queue.pop(0)
                environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
                environment.setdefault("TOKENIZERS_PARALLELISM", "false")
                command = (self.cli("run", "--resume", job.resume_id)
                           if job.resume_id is not None
                           else self.command(job.spec_path, job.parent_id))
                with job.log_path.open("wb") as log:
                    job.process = subprocess.Popen(
                        command, cwd=self.workdir,
                        env=environment, stdin=subprocess.DEVNULL, stdout=log,
                        stderr=subprocess.STDOUT, start_new_session=True)
                job.started = time.time()

    def _watch_queue(self) -> None:
        while True:
            time.sleep(0.5)
            with self._lock:
                self.start_waiting()
                if not self.queue:
                    return

    # ------------------------------------------------------------ following

    def active_job(self) -> Job | None:
        """The studio's run that is still going or waiting, if any."""
        for job in reversed(self.jobs):
            if job.alive:
                return job
        return None

    def refresh(self, job: Job) -> Job:
        """Find the run id the process registered (it records its own pid), and reap it."""
        self.start_waiting()
        if job.process is None:  # still in the queue (or taken out of it)
            return job
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
        """The studio's latest job of ``run_id`` (a resumed run has one per start)."""
        return next((j for j in reversed(self.jobs) if j.run_id == run_id), None)

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
            with self._lock:
                if job.waiting:
                    self.queue.remove(job)
                    job.stop_requested = True
                    return "Taken out of the queue: that run will not start."
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
        with self._lock:
            for job in self.queue:
                job.stop_requested = True
            self.queue.clear()
        for job in self.jobs:
            if job.process is not None and job.alive:
                job.process.send_signal(signal.SIGTERM)
        for job in self.jobs:
            if job.process is None:
                continue
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
