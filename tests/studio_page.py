"""The studio in a real browser (Playwright driving headless Chromium), as a person uses it.

``StudioPage`` is a page object: each method is one thing a person does or looks at on the
page, found by the ``elem_id``s that ui/studio/layout.py gives its components. It is shared by
tests/test_browser.py and scripts/screenshots.py.

Browsers are not downloaded (``playwright install`` needs the network): the system's Chromium
is used, ``/usr/bin/chromium`` (Debian's ``chromium`` package) or ``$TUNEKIT_CHROMIUM``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, Page, Playwright, expect

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
RUN_TIMEOUT_MS = 90_000


def chromium_path() -> str | None:
    """The Chromium to drive: $TUNEKIT_CHROMIUM, else the system's; None when there is none."""
    named = os.environ.get("TUNEKIT_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Chromium, without the background traffic a sandboxed machine cannot make."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                      args=CHROMIUM_ARGS)


def field_selector(key: str) -> str:
    """The form field of a spec setting: ``training.epochs``, ``strategy.name``, ``strategy.lora.r``
    (mirrors ``layout.field_id``)."""
    return "#tk-field-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


class StudioPage:
    """One browser tab on the studio."""

    def __init__(self, page: Page, url: str):
        self.page = page
        self.url = url
        self.errors: list[str] = []  # uncaught script errors on the page
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    # ------------------------------------------------------------ looking

    def open(self) -> StudioPage:
        """Load the page and wait for the assistant's welcome and the run card."""
        self.page.goto(self.url)
        expect(self.bot_messages.first).to_be_visible(timeout=30_000)
        expect(self.summary).to_contain_text("model")
        return self

    def at(self, selector: str) -> Locator:
        """Anything on the page, by CSS selector."""
        return self.page.locator(selector)

    @property
    def summary(self) -> Locator:
        """The run card's summary of the spec."""
        return self.at("#tk-summary")

    @property
    def bot_messages(self) -> Locator:
        return self.at("#tk-chat [data-testid=bot]")

    @property
    def notice(self) -> Locator:
        return self.at("#tk-notice")

    def last_reply(self) -> str:
        return self.bot_messages.last.inner_text()

    def choice(self, label: str) -> Locator:
        """A clickable choice under the chat."""
        return self.at("button.tk-choice").filter(has_text=re.compile(rf"^\s*{re.escape(label)}"
                                                                      r"\s*$"))

    def field(self, key: str) -> Locator:
        return self.at(field_selector(key))

    def field_value(self, key: str) -> str:
        return self.field(key).locator("input, textarea").first.input_value()

    def run_status(self) -> Locator:
        return self.at("#tk-run-status")

    def run_id(self) -> int:
        """The run the monitor shows."""
        found = re.search(r"Run (\d+)", self.run_status().inner_text())
        assert found, self.run_status().inner_text()
        return int(found.group(1))

    def rows(self, elem_id: str) -> Locator:
        """The data rows of a table (not its header)."""
        return self.at(f"#{elem_id} [role=row]").filter(
            has_not=self.page.locator("[role=columnheader]"))

    def curve_names(self, elem_id: str) -> list[str]:
        """The series a line plot draws, as its legend names them, once it draws lines."""
        plot = self.at(f"#{elem_id}")
        # the chart (vega) describes itself: "... legend titled 'series' ... with 2 values:
        # train, validation"
        legend = plot.locator("svg g.role-legend[aria-label]").first
        expect(legend).to_have_attribute("aria-label", re.compile(r"with \d+ values?: \S"))
        expect(plot.locator("svg g.mark-line path").first).to_be_attached()
        described = legend.get_attribute("aria-label") or ""
        return described.split(": ", 1)[1].split(", ")

    # ------------------------------------------------------------ doing

    def say(self, text: str) -> str:
        """Type a message in the chat, send it with Enter; the assistant's answer."""
        before = self.bot_messages.count()
        box = self.at("#tk-message textarea")
        box.fill(text)
        box.press("Enter")
        self._wait_for_reply(before)
        expect(box).to_have_value("")
        return self.last_reply()

    def choose(self, label: str) -> str:
        """Click one of the choices the assistant offers; its answer."""
        before = self.bot_messages.count()
        self.choice(label).click()
        self._wait_for_reply(before)
        return self.last_reply()

    def _wait_for_reply(self, before: int) -> None:
        self.page.wait_for_function(
            "n => document.querySelectorAll('#tk-chat [data-testid=bot]').length > n", arg=before)

    def fill_field(self, key: str, value: Any) -> None:
        """Type into a number or text field of the run card and press Enter."""
        box = self.field(key).locator("input, textarea").first
        box.fill(str(value))
        box.press("Enter")

    def tick(self, key: str, checked: bool) -> None:
        box = self.field(key).locator("input[type=checkbox]")
        box.set_checked(checked)

    def open_section(self, title: str) -> None:
        """Unfold an accordion of the run card ("Advanced training")."""
        self.page.get_by_role("button", name=title).click()

    def tab(self, name: str) -> None:
        """Switch to the Studio, History or Plugins tab."""
        self.at(f"#tk-tab-{name.lower()}-button").click()

    def pick(self, elem_id: str, *labels: str) -> None:
        """Pick options of a dropdown by (the start of) their labels."""
        for label in labels:
            self.at(f"#{elem_id} input").click()
            self.page.get_by_role("option", name=re.compile(rf"^{re.escape(label)}\b")).click()
        self.page.keyboard.press("Escape")

    def wait_for_run(self, status: str = "completed", timeout: float = RUN_TIMEOUT_MS) -> int:
        """Watch the monitor until the run shows ``status``; its id. A run that ended is also
        waited for in the chat, whose report comes a moment later (and replaces the choices)."""
        expect(self.run_status()).to_contain_text(status, timeout=timeout)
        run = self.run_id()
        if status in ("completed", "failed", "cancelled", "interrupted"):
            said = "finished" if status == "completed" else status
            report = self.bot_messages.filter(has_text=re.compile(rf"^\s*Run {run} {said}"))
            # the report is written after the run's process ends: seconds on a busy machine
            expect(report.first).to_be_attached(timeout=30_000)
        return run
