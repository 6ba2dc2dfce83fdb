"""The engine: ``run(spec)`` resolves the components, trains, evaluates, exports and records.

Where things live:

- ``run``: the run around its training (the registry record, listeners, plugin hooks,
  resuming, several processes, the batch-size search);
- ``loop``: the training loop itself, in one screen;
- ``setup``: data, model, strategy, optimizer, accelerator, schedule;
- ``state``: where the loop is, and its small steps (an epoch's start, its batches, log points);
- ``evaluate``, ``stopping`` (early stopping, Ctrl-C/SIGTERM), ``checkpoints``, ``meter``,
  ``faults`` (out of memory, out of disk, NaN), ``finish`` and ``export``;
- beside them: ``precision``, ``optim``, ``batching``, ``batch_search``, ``feature_cache``,
  ``augment``, ``listeners``, ``resumable``.
"""

from __future__ import annotations

from .run import RunResult, queue_run, resume, run

__all__ = ["RunResult", "queue_run", "resume", "run"]
