"""The data check in the studio: its findings beside the data preview, and a run card whose
data has blocking problems stopped before its process starts.

The card's data is checked as ``tunekit data check`` checks a spec (``check_spec`` in
tunekit.tools.datacheck, lengths estimated), automatically when the data is a local file or needs
no option at all (bundled data): data fetched from elsewhere is checked by the run itself, or
when the person asks the assistant. Reports are cached until the data, its options, the
strategy or the token limit change, so the page can show them on every update.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunekit.errors import TunekitError
from tunekit.spec import parse_spec
from tunekit.tools.datacheck import check_spec
from tunekit.ui.assistant.data_report import TRAIN_ANYWAY, findings_markdown, sizes_line, verdict

CACHED_REPORTS = 16


@dataclass
class Checked:
    """A data check's outcome: the report, or why the data could not be read."""

    report: Any = None
    error: str = ""


class DataChecks:
    """The data checks of the studio's run cards, cached."""

    def __init__(self, manager: Any):
        self.manager = manager
        self._cache: OrderedDict[str, Checked] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, spec: dict[str, Any], base_dir: Path) -> Checked | None:
        """The check of ``spec``'s data, or None when it is not checked automatically (data
        from elsewhere, or a spec that does not resolve yet)."""
        try:
            parsed = parse_spec(spec, self.manager, base_dir=base_dir)
        except TunekitError:
            return None
        dataset = self.manager.get("dataset", parsed.data["dataset"]["name"])
        options = parsed.options("dataset")
        files = _local_files(options, parsed.base_dir)
        if not files and any(p.required for p in dataset.params):
            return None
        key = json.dumps([parsed.task, parsed.data["dataset"], parsed.data["strategy"]["name"],
                          parsed.training.max_length, parsed.training.seed, str(parsed.base_dir),
                          files], sort_keys=True, default=str)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            checked = Checked(report=check_spec(parsed, self.manager))
        except TunekitError as exc:
            checked = Checked(error=str(exc))
        with self._lock:
            self._cache[key] = checked
            while len(self._cache) > CACHED_REPORTS:
                self._cache.popitem(last=False)
        return checked

    def blocking(self, spec: dict[str, Any], base_dir: Path) -> Any:
        """The report when ``spec`` would be refused for its data (its training.data_check
        refuses and the check finds blocking problems), else None."""
        if (spec.get("training") or {}).get("data_check", "refuse") != "refuse":
            return None
        checked = self.check(spec, base_dir)
        if checked is None or checked.report is None or checked.report.ok:
            return None
        return checked.report


def check_view(checked: Checked | None) -> str:
    """The findings as the page shows them beside the preview."""
    if checked is None:
        return ""
    if checked.error:
        return f"#### Data check\n⚠️ The data could not be read: {checked.error}"
    report = checked.report
    mark = "⛔" if report.blocking else ("⚠️" if report.warnings else "✅")
    lines = [f"#### Data check\n{mark} {verdict(report)} _({sizes_line(report)})_"]
    details = findings_markdown(report)
    if details:
        lines.append(details)
    return "\n\n".join(lines)


def refusal(report: Any) -> str:
    """What the chat says when a run is not started because of its data."""
    count = len(report.blocking)
    return (f"I did not start the run: the data check found {count} blocking "
            f"problem{'s' if count != 1 else ''}, which would make the run meaningless or its "
            f"scores misleading.\n\n{findings_markdown(report, ('blocking',))}\n\nFix the data "
            f"and upload it again, or press **{TRAIN_ANYWAY}** to train with these problems "
            "reported as warnings (training.data_check: warn).")


def _local_files(options: dict[str, Any], base_dir: Path) -> list[tuple[str, float, int]]:
    """The local files the dataset's options name, with their modification time and size."""
    found = []
    for value in options.values():
        if not isinstance(value, str) or not value or "\n" in value or len(value) > 4096:
            continue
        path = Path(value).expanduser()
        path = path if path.is_absolute() else base_dir / path
        try:
            if path.is_file():
                stat = path.stat()
                found.append((str(path.resolve()), stat.st_mtime, stat.st_size))
        except OSError:
            continue
    return found
