"""A shared studio in a real browser: the login page comes first, a wrong password is refused,
the right one reaches the studio, whose chat then works.

The studio is the real app with a password, as ``tunekit studio --host 0.0.0.0`` serves it
(here on loopback), driven by headless Chromium (see tests/studio_page.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from studio_harness import free_port, serving  # noqa: E402
from studio_page import StudioPage, chromium_path, launch_chromium  # noqa: E402

pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="no Chromium: apt-get install chromium (or set TUNEKIT_CHROMIUM to its path)")

USER, PASSWORD = "ana", "correct-horse-battery"


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Any]:
    from tunekit.ui.studio import Safety
    from tunekit.ui.studio.sharing import launch_options

    safety = Safety(shared=True, data_dir=tmp_path, max_concurrent_runs=1)
    options = launch_options(host="127.0.0.1", port=free_port(), share=False,
                             auth=[(USER, PASSWORD)], safety=safety)
    with serving(tmp_path, safety=safety, launch=options) as app:
        yield app


def log_in(page: Any, user: str, password: str) -> None:
    page.locator("input[data-testid=textbox]").fill(user)
    page.locator("input[type=password]").fill(password)
    page.get_by_role("button", name="Login").click()


def test_the_login_page_refuses_a_wrong_password_and_lets_the_right_one_in(
        shared: Any) -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(20_000)
            page = context.new_page()
            studio = StudioPage(page, shared.local_url)
            page.goto(shared.local_url)

            # the login page, and nothing of the studio
            expect(page.get_by_text("tunekit studio: log in")).to_be_visible()
            expect(studio.at("#tk-chat")).to_have_count(0)

            log_in(page, USER, "wrong-horse")
            expect(page.get_by_text(re.compile("incorrect", re.IGNORECASE))).to_be_visible()
            expect(studio.at("#tk-chat")).to_have_count(0)
            assert shared.studio.sessions == {}  # nobody reached the assistant

            log_in(page, USER, PASSWORD)
            expect(studio.bot_messages.first).to_be_visible(timeout=30_000)
            expect(studio.summary).to_contain_text("model")
            reply = studio.say("train for 3 epochs")
            assert "3" in reply and "epoch" in reply
            spec = next(iter(shared.studio.sessions.values())).assistant.spec()
            assert spec["training"]["epochs"] == 3
            assert studio.errors == [], studio.errors
        finally:
            browser.close()
