"""``tunekit run --processes N``: one run trained by N processes, through ``accelerate launch``.

The launcher records the run (queued) in registry.db, then starts ``accelerate launch`` with N
copies of ``tunekit run --run-id RUN``: every copy trains its share of each batch; the main
one records the run, prints progress and exports (see ``tunekit.engine.run``). On a machine
without CUDA the processes talk over gloo; with CUDA, one process per GPU over nccl. An
accelerate config file (``--accelerate-config``, e.g. FSDP or several machines) is passed on.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from typing import Any

STOP_SECONDS = 60  # how long the processes get to stop after Ctrl-C before they are killed


def accelerate_command(args: argparse.Namespace, run_id: int,
                       registry_path: str) -> list[str]:
    """The ``accelerate launch`` command line that trains run ``run_id``."""
    command = [sys.executable, "-m", "accelerate.commands.launch"]
    if args.accelerate_config:
        command += ["--config_file", str(args.accelerate_config)]
    else:
        # accelerate's torchrun launcher (--multi_gpu) also starts CPU processes; the engine
        # joins them over gloo when there is no CUDA
        command += ["--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                    "--main_process_port", str(_free_port())]
        if args.processes and args.processes > 1:
            command.append("--multi_gpu")
    if args.processes:
        command += ["--num_processes", str(args.processes)]
    command += ["-m", "tunekit.ui.cli", "run", "--run-id", str(run_id),
                "--registry", registry_path]
    if args.plugins_dir:
        command += ["--plugins-dir", str(args.plugins_dir)]
    if args.quiet:
        command.append("--quiet")
    if args.debug:
        command.append("--debug")
    return command


def launch(args: argparse.Namespace, spec: Any, registry: Any) -> Any:
    """Queue the run, train it in ``args.processes`` processes and return its record once they
    have ended. A run its processes left unfinished (a crash) is marked failed; Ctrl-C stops
    them (with SIGTERM, then SIGKILL after STOP_SECONDS) and marks it cancelled."""
    import torch
    from tunekit.engine import queue_run
    from tunekit.registry import now

    record = queue_run(spec, registry=registry, parent_id=args.parent,
                       output_root=args.output_dir)
    command = accelerate_command(args, record.id, str(registry.path.resolve()))
    where = "GPUs" if torch.cuda.is_available() else "CPU processes"
    print(f"run {record.id}: launching {args.processes or 'the configured number of'} {where} "
          "with accelerate", file=sys.stderr)
    # a session of its own, so that stopping the launcher stops every process it started
    process = subprocess.Popen(command, start_new_session=True)
    ended, error = "failed", "the training processes exited with code {}"
    try:
        code = process.wait()
    except KeyboardInterrupt:
        ended, error = "cancelled", "stopped by the user (the processes exited with code {})"
        code = _stop(process)
    record = registry.get_run(record.id)
    if record.status in ("queued", "running"):  # no process recorded how it ended
        record = registry.update_run(record.id, status=ended, finished_at=now(),
                                     error=error.format(code))
    return record


def _stop(process: subprocess.Popen[Any]) -> int:
    """SIGTERM to every process of the run (each stops at its next step), SIGKILL if that
    takes longer than STOP_SECONDS."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            return process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            continue
    return process.wait()


def _free_port() -> int:
    """A TCP port free now, for the processes to meet on (two runs at once must not clash)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
