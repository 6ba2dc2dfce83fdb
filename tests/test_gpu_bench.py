"""``python -m benchmarks.gpu --size tiny``: every case and ratio, from the numbers it wrote."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {"llama-full", "llama-lora", "bert-full", "bert-lora"}


def test_the_tiny_gpu_benchmark_writes_every_case(tmp_path):
    out = tmp_path / "gpu.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks.gpu", "--size", "tiny",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())
    assert results["size"] == "tiny" and set(results["cases"]) == CASES
    if results["peak_bf16_flops"] is None:
        assert results["mfu_note"]
    for name, case in results["cases"].items():
        for side in ("engine", "hand"):
            f = case[side]
            assert f["timed_steps"] == case["steps"], (name, side)
            assert f["tokens"] == case["steps"] * case["batch"] * case["seq"]
            assert f["tokens_per_second"] > 0 and f["samples_per_second"] > 0
            assert math.isclose(f["tokens_per_second"] / f["samples_per_second"], case["seq"],
                                rel_tol=0.01)
            assert f["peak_memory_bytes"] > 0 and f["flops_per_token"] > 0
            assert (f["mfu"] is None) == (results["peak_bf16_flops"] is None)
        # the engine trained every row at full length: the same batches as the loop's
        assert case["engine"]["meter_tokens"] == case["n"] * case["seq"]
        # LoRA trains fewer parameters than the full fine-tune, on both sides alike
        if case["strategy"] == "lora":
            full = results["cases"][name.replace("lora", "full")]
            assert case["engine"]["trainable_parameters"] < full["engine"]["trainable_parameters"]
            assert case["hand"]["trainable_parameters"] == case["engine"]["trainable_parameters"]
        ratio = results["ratios"][f"{name} engine/hand tokens/s"]
        assert ratio == round(case["engine"]["tokens_per_second"]
                              / case["hand"]["tokens_per_second"], 3)
    for arch in ("llama", "bert"):
        for side in ("engine", "hand"):
            full = results["cases"][f"{arch}-full"][side]
            lora = results["cases"][f"{arch}-lora"][side]
            assert results["ratios"][f"{arch} lora/full tokens/s ({side})"] == round(
                lora["tokens_per_second"] / full["tokens_per_second"], 3)
            assert results["ratios"][f"{arch} lora/full memory ({side})"] == round(
                lora["peak_memory_bytes"] / full["peak_memory_bytes"], 3)
    assert "llama-full" in done.stdout and "engine/hand" in done.stdout
