"""Training throughput and peak memory, measured over the training steps alone."""

from __future__ import annotations

from typing import Any


class Meter:
    """Training throughput and peak memory: samples/s and tokens/s over the time spent in
    training steps (evaluation excluded); on CUDA the peak of allocated memory, on Linux the
    process's peak resident memory from the start of training."""

    def __init__(self, device: Any):
        import time

        import torch

        self.cuda = device.type == "cuda"
        if self.cuda:
            torch.cuda.reset_peak_memory_stats(device)
        else:
            reset_peak_rss()
        self.device = device
        self.clock = time.perf_counter
        self.started: float | None = self.clock()
        self.seconds = 0.0
        self.samples = 0
        self.tokens: Any = 0  # a device tensor once counting starts: no host sync per step

    def count(self, batch: dict[str, Any]) -> None:
        self.samples += len(next(iter(batch.values())))
        if "attention_mask" in batch:  # text: the tokens that are not padding
            self.tokens = self.tokens + batch["attention_mask"].sum()

    def pause(self) -> None:
        if self.started is not None:
            if self.cuda:
                import torch

                torch.cuda.synchronize(self.device)
            self.seconds += self.clock() - self.started
            self.started = None

    def resume(self) -> None:
        if self.started is None:
            self.started = self.clock()

    def checkpoint_state(self) -> dict[str, Any]:
        running = self.clock() - self.started if self.started is not None else 0.0
        return {"seconds": self.seconds + running, "samples": self.samples,
                "tokens": int(self.tokens)}

    def load_checkpoint_state(self, state: dict[str, Any]) -> None:
        self.seconds, self.samples = state["seconds"], state["samples"]
        self.tokens = state["tokens"]

    def figures(self) -> dict[str, Any]:
        seconds = max(self.seconds, 1e-9)
        tokens = int(self.tokens)
        if self.cuda:
            import torch

            peak, kind = torch.cuda.max_memory_allocated(self.device), "cuda_allocated"
        else:
            peak, kind = peak_rss(), "process_rss"
        return {"train_seconds": round(self.seconds, 3), "samples": self.samples,
                "tokens": tokens, "samples_per_second": round(self.samples / seconds, 2),
                "tokens_per_second": round(tokens / seconds, 1),
                "peak_memory_bytes": peak, "peak_memory_kind": kind}


def reset_peak_rss() -> None:
    """Reset the kernel's peak-RSS mark (Linux), so the peak measured is this run's."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def peak_rss() -> int:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
