"""Shared fixtures: every test gets its own registry file and working folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from studio_harness import app  # noqa: F401 (the studio app fixture, for every module)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Spread over the cores by pytest-xdist (make test), each worker gets its share of the cores
# for torch's threads, and so do the tunekit processes the tests start: two workers of two
# threads each on two cores spin against each other and take far longer than one thread each.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1 and "OMP_NUM_THREADS" not in os.environ:
    _SHARE = max(1, (os.cpu_count() or 1) // _WORKERS)
    os.environ["OMP_NUM_THREADS"] = str(_SHARE)
    os.environ.setdefault("MKL_NUM_THREADS", str(_SHARE))
    import torch

    torch.set_num_threads(_SHARE)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a fresh folder with a fresh registry and no plugins folder from the outside."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUNEKIT_REGISTRY", str(tmp_path / "registry.db"))
    monkeypatch.delenv("TUNEKIT_PLUGINS_DIR", raising=False)
    monkeypatch.delenv("TUNEKIT_TRACE_PLUGINS", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def manager():
    """The installed plugins plus the tiny test backbones (built once per session)."""
    from tunekit.testing import make_manager, tiny_backbones

    return make_manager(("tiny-backbones", tiny_backbones))


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    from tunekit.testing import write_text_csv

    return write_text_csv(tmp_path / "tiny.csv", n=120)


# ---------------------------------------------------------------- weights before and after
# The capture plugin (tests/capture.py) keeps each model a run builds and a copy of its
# weights, so strategy and engine tests can compare parameters bit for bit.


@pytest.fixture(scope="module")
def _capture_plugin():
    from capture import Capture

    return Capture()


@pytest.fixture(scope="module")
def cap_manager(_capture_plugin):
    from capture import capture_manager

    return capture_manager(_capture_plugin)


@pytest.fixture(autouse=True)
def capture(_capture_plugin):
    """The capture plugin, emptied before each test (it is cheap to empty)."""
    _capture_plugin.reset()
    return _capture_plugin


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    from tunekit.testing import write_text_csv

    return write_text_csv(tmp_path / "small.csv", n=40)


# ---------------------------------------------------------------- order
# make test hands the files out to the workers in this order (pytest-xdist's
# --no-loadscope-reorder; by default it sorts the files by their number of tests, which put the
# one-test MiniLM file last, alone on one worker). The longest files go first, longest first,
# so the many short files at the end even out when the workers finish. The two files that train
# the real MiniLM take minutes each: one starts on each worker. Ranked by --durations=0 under
# make test (2026-12-08: junit times of a full run); re-rank when a file grows past its
# neighbours.
LONGEST_FIRST = ("test_minilm.py", "test_bakeoff.py", "test_doc_commands.py", "test_assistant.py",
                 "test_push.py", "test_cli.py", "test_studio.py", "test_browser.py",
                 "test_malformed.py", "test_plugins_cli.py", "test_studio_tools.py",
                 "test_sharing.py", "test_scaffold.py", "test_sweep.py", "test_resume.py",
                 "test_python_data.py", "test_exporters.py", "test_distributed.py",
                 "test_diagnosis.py", "test_benchmarks.py", "test_lr_find.py",
                 "test_hub_export.py", "test_gpu_bench.py", "test_causal_lm.py",
                 "test_predict.py", "test_resume_studio.py", "test_examples.py",
                 "test_registry_load.py", "test_studio_bakeoff.py", "test_browser_login.py",
                 "test_image_classification.py", "test_training_knobs.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))
