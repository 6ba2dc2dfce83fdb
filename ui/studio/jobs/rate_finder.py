"""The learning-rate finder started from the studio: ``tunekit lr-find`` on the run card's
spec, in its own process as runs are (runs.py), one at a time per browser tab.

The process answers with ``--json`` on its standard output (kept in a file) and draws its plot
where the studio serves downloads; its other output goes to a log, whose last error line is
what the page shows when it fails. The page polls ``RateFinder.job`` and never waits on it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunekit.ui.studio.files import _safe
from tunekit.ui.studio.jobs.runs import Runner, tail

DEFAULT_STEPS = 200
MIN_STEPS, MAX_STEPS = 5, 5000


@dataclass
class RateJob:
    """One ``tunekit lr-find`` process and, once it ended, what it found or why it failed."""

    process: subprocess.Popen[bytes]
    steps: int
    answer_path: Path
    log_path: Path
    plot_path: Path
    started: float
    finding: dict[str, Any] | None = None
    error: str = ""
    reported: bool = False  # its end was said in the chat

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def suggestion(self) -> float | None:
        """The suggested rate, rounded as it is shown (two significant digits)."""
        value = (self.finding or {}).get("suggestion")
        return float(f"{value:.2g}") if isinstance(value, int | float) else None


class RateFinder:
    """The studio's learning-rate finder processes, by browser tab."""

    def __init__(self, runner: Runner, plots: Path):
        self.runner = runner
        self.plots = Path(plots)  # served to the browser (the downloads folder)
        self.jobs: dict[str, RateJob] = {}
        self._lock = threading.Lock()

    def start(self, key: str, spec: dict[str, Any], base_dir: Path, steps: Any) -> RateJob:
        """Start the finder on ``spec`` for tab ``key``; ValueError says, for a person, why it
        cannot start (one is already running for this tab, a bad number of steps)."""
        try:
            steps = int(steps) if steps not in (None, "") else DEFAULT_STEPS
        except (TypeError, ValueError):
            raise ValueError(f"the number of steps must be a whole number, got {steps!r}") \
                from None
        if not MIN_STEPS <= steps <= MAX_STEPS:
            raise ValueError(f"the finder takes {MIN_STEPS} to {MAX_STEPS} steps, got {steps}")
        with self._lock:
            running = self.jobs.get(key)
            if running is not None and running.alive:
                raise ValueError("the learning-rate finder is already running for this tab: "
                                 "wait for its suggestion")
            spec_path = self.runner.write_spec(spec, base_dir, "lr-find")
            stem = spec_path.stem
            logs = self.runner.folder / "logs"
            plot = self.plots / _safe(key) / f"{stem}.png"
            plot.parent.mkdir(parents=True, exist_ok=True)
            answer, log = logs / f"{stem}.json", logs / f"{stem}.log"
            command = self.runner.cli("lr-find", spec_path, "--json", "--plot", plot,
                                      "--steps", steps)
            process = self.runner.spawn(command, log, stdout_path=answer)
            job = RateJob(process, steps, answer, log, plot, time.time())
            self.jobs[key] = job
            return job

    def job(self, key: str) -> RateJob | None:
        """Tab ``key``'s latest finder, its finding or error read once it has ended."""
        job = self.jobs.get(key)
        if job is None or job.alive or job.finding is not None or job.error:
            return job
        if job.process.returncode == 0:
            try:
                job.finding = json.loads(job.answer_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                job.error = f"its answer could not be read ({type(exc).__name__})"
        else:
            job.error = failure(job.log_path, job.process.returncode)
        return job

    def stop_all(self) -> None:
        """Stop every finder still running (when a studio shuts down, in tests)."""
        for job in list(self.jobs.values()):
            if job.alive:
                job.process.send_signal(signal.SIGTERM)
                try:
                    job.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    job.process.kill()


def failure(log_path: Path, code: int | None) -> str:
    """Why a tunekit process failed, in one line: its ``error:`` line, else its last line."""
    lines = [line.strip() for line in tail(log_path, 60).splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    if code in (130, -signal.SIGTERM):
        return "it was stopped"
    return lines[-1] if lines else f"it ended with exit code {code}"
