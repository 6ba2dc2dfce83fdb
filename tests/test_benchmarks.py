"""``python -m benchmarks --quick``: every comparison runs and reports its medians and ratios."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_quick_benchmark_writes_every_comparison(tmp_path):
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads((tmp_path / "quick.json").read_text())
    assert results["repeats"] == 1
    assert set(results["comparisons"]) == {"overhead", "trainer", "frozen_features", "padding",
                                           "memory"}
    for name, comparison in results["comparisons"].items():
        assert comparison["sides"] and comparison["ratios"], name
        for side in comparison["sides"].values():
            assert len(side["runs"]) == 1
        for ratio, value in comparison["ratios"].items():
            assert isinstance(value, float | int) and math.isfinite(value), (name, ratio)
    frozen = results["comparisons"]["frozen_features"]["sides"]["head_only_cached"]["runs"][0]
    assert frozen["feature_cache"]["status"] == "computed"
    assert frozen["warm_cache"] == "hit"
    padding = results["comparisons"]["padding"]["sides"]
    assert padding["pad_to_max_length"]["median"]["padded_tokens"] > \
        padding["dynamic_grouped"]["median"]["padded_tokens"]
    table = (tmp_path / "quick.md").read_text()
    for comparison in results["comparisons"].values():
        assert f"## {comparison['title']}" in table
