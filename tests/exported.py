"""What a task's end-to-end test checks of a run's exports, the way their users reach them: the
ONNX graph's parity report and its recorded files, ``tunekit predict --json`` on the exported
model, and the exported gradio demo's answer function, called in-process (no server)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tunekit.ui.cli import main


def exported_folder(registry: Any, run_id: int, exporter: str) -> Path:
    """The folder run ``run_id``'s ``exporter`` wrote (the artifacts' common parent)."""
    paths = [Path(a.path) for a in registry.artifacts(run_id) if a.exporter == exporter]
    assert paths, f"run {run_id} recorded no {exporter} artifact"
    path = paths[0]
    return path if path.is_dir() else path.parent


def onnx_parity(registry: Any, run_id: int) -> dict[str, Any]:
    """Run ``run_id``'s parity.json, once its graph and report are checked to be recorded
    with their sizes and checksums and the check to have passed."""
    recorded = {Path(a.path).name: a for a in registry.artifacts(run_id) if a.exporter == "onnx"}
    assert {"model.onnx", "parity.json", "labels.json"} <= set(recorded), sorted(recorded)
    for artifact in recorded.values():
        data = Path(artifact.path).read_bytes()
        assert (artifact.bytes, artifact.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    parity = json.loads(Path(recorded["parity.json"].path).read_text())
    assert parity["passed"] is True and parity["exporter"] == "torchscript", parity
    assert parity["inputs"] > 0 and 0 <= parity["max_abs_diff"] <= parity["tolerance"]
    return parity


def predict_json(capsys: Any, folder: Path, run_id: int, value: str) -> list[dict[str, Any]]:
    """``tunekit predict RUN --input VALUE --json`` against ``folder``'s registry.db and
    plugins/, in-process: one answer per input."""
    capsys.readouterr()  # what came before is no part of the answer
    code = main(["--plugins-dir", str(folder / "plugins"), "--registry",
                 str(folder / "registry.db"), "predict", str(run_id), "--input", value,
                 "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def demo_answer(registry: Any, run_id: int) -> Callable[[Any], Any]:
    """The answer function of run ``run_id``'s exported gradio demo (its app.py imported as a
    module, which builds no interface and starts no server), for the run's task."""
    app = exported_folder(registry, run_id, "gradio-demo") / "app.py"
    spec = importlib.util.spec_from_file_location(f"demo_app_of_run_{run_id}", app)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    answer, _given, _shown = module.TASKS[module.TASK]()
    return answer
