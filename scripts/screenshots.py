"""Screenshots of the studio's main screens for the docs (docs/screenshots/*.png).

    .venv/bin/python scripts/screenshots.py            # the bundled model and data (minutes)
    .venv/bin/python scripts/screenshots.py --tiny     # the tiny test model (seconds)

It starts the real studio (`tunekit studio` on a free port of 127.0.0.1) in a throwaway folder
with its own registry.db, drives it in headless Chromium as a person would
(tests/studio_page.py), trains two runs, and saves, each cut to 256 colours to stay small:
studio-chat.png (the chat and the run card), studio-live-run.png (a run training, its curves
drawing), history.png (a run opened), compare.png (two runs compared) and plugins.png.
Chromium is the system's (apt-get install chromium) or $TUNEKIT_CHROMIUM.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from studio_harness import TINY_PLUGIN, free_port  # noqa: E402
from studio_page import StudioPage, chromium_path, launch_chromium  # noqa: E402

# a third-party plugin whose library is not installed: the plugins page shows its error
MISSING_DEPENDENCY_PLUGIN = "import tunekit_slack  # noqa: F401  (not installed)\n"
VIEWPORT = {"width": 1400, "height": 1000}
RUN_TIMEOUT_MS = 15 * 60 * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                        help="where the PNGs go (default: docs/screenshots)")
    parser.add_argument("--tiny", action="store_true",
                        help="train the tiny test model on generated data (fast, for checking "
                             "the script; the pictures show a model that learns nothing)")
    args = parser.parse_args()
    if chromium_path() is None:
        print("no Chromium: apt-get install chromium, or set TUNEKIT_CHROMIUM", file=sys.stderr)
        return 1
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.pop("TUNEKIT_PLUGINS_DIR", None)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tunekit-screenshots-") as folder:
        project = Path(folder)
        plugins = project / "plugins"
        plugins.mkdir()
        (plugins / "slack_notifier.py").write_text(MISSING_DEPENDENCY_PLUGIN)
        if args.tiny:
            from tunekit.testing import write_text_csv

            (plugins / "tiny.py").write_text(TINY_PLUGIN)
            data = write_text_csv(project / "reviews.csv", n=120)
            requests = (f"use tiny-bert on {data} with full fine-tuning for 6 epochs",
                        "make it 3 epochs with a learning rate of 5e-4")
        else:
            requests = ("fine-tune minilm on the sample reviews with LoRA for 4 epochs",
                        "use full fine-tuning for 2 epochs")
        port = free_port()
        studio = start_studio(project, plugins, port)
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    page = browser.new_page(viewport=VIEWPORT)
                    shoot(StudioPage(page, f"http://127.0.0.1:{port}/"), requests, args.out)
                finally:
                    browser.close()
        finally:
            studio.terminate()
            studio.wait(timeout=60)
    for png in sorted(args.out.glob("*.png")):
        shrink(png)
    for png in sorted(args.out.glob("*.png")):
        print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
    return 0


def start_studio(project: Path, plugins: Path, port: int) -> subprocess.Popen:
    """`tunekit studio` on ``port``, in ``project`` with its own registry; once it answers."""
    tunekit = Path(sys.executable).parent / "tunekit"
    env = {**os.environ, "TUNEKIT_REGISTRY": str(project / "registry.db"),
           "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    studio = subprocess.Popen([str(tunekit), "--plugins-dir", str(plugins), "studio",
                               "--port", str(port)], cwd=project, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and studio.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10):  # noqa: S310
                return studio
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    studio.kill()
    raise SystemExit(f"tunekit studio did not answer on port {port}")


def shrink(png: Path) -> None:
    """256 colours: a picture of a page loses nothing visible and a third to half its bytes."""
    from PIL import Image

    with Image.open(png) as picture:
        fewer = picture.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    fewer.save(png, optimize=True)


def shoot(studio: StudioPage, requests: tuple[str, str], out: Path) -> None:
    page = studio.page
    studio.open()

    # 1. the chat and the run card: a request in plain words, the spec it resolved to
    first, second = requests
    studio.say(first)
    expect(studio.choice("Start training")).to_be_visible()
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    settle(page)
    page.screenshot(path=out / "studio-chat.png")

    # 2. a run training: progress, live curves, log
    studio.choose("Start training")
    studio.wait_for_run("running", timeout=120_000)
    expect(studio.at("#tk-metric-plot svg g.mark-line path").first).to_be_attached(
        timeout=RUN_TIMEOUT_MS)  # an evaluation or two drawn
    wait_for_epochs(studio, 2)
    monitor = region(page, "#tk-run-status", "#tk-log", above=45)
    page.screenshot(path=out / "studio-live-run.png", clip=monitor, full_page=True)
    first_run = studio.wait_for_run("completed", timeout=RUN_TIMEOUT_MS)

    # a second run to compare with
    studio.say(second)
    studio.choose("Start training")
    newest = first_run + 1
    expect(studio.run_status()).to_contain_text(f"Run {newest} ", timeout=120_000)
    studio.wait_for_run("completed", timeout=RUN_TIMEOUT_MS)

    # 3. the history with a run opened
    studio.tab("History")
    expect(studio.rows("tk-history")).to_have_count(2)
    studio.pick("tk-run-pick", f"run {first_run}")
    studio.at("#tk-open-run").click()
    expect(studio.at("#tk-detail-summary")).to_contain_text(f"Run {first_run}: completed")
    studio.curve_names("tk-detail-loss")
    settle(page)
    page.screenshot(path=out / "history.png", full_page=True,
                    clip=region(page, "#tk-tabs", "#tk-detail-files", above=0))

    # 4. two runs compared
    studio.pick("tk-compare-pick", f"run {first_run}", f"run {newest}")
    studio.at("#tk-compare").click()
    studio.curve_names("tk-compare-loss")
    expect(studio.rows("tk-compare-diff").first).to_be_visible()
    settle(page)
    page.screenshot(path=out / "compare.png", full_page=True,
                    clip=region(page, "#tk-compare-pick", "#tk-compare-diff", above=50))

    # 5. the plugins, and the one that failed to load
    studio.tab("Plugins")
    expect(studio.at("#tk-problems")).to_contain_text("tunekit_slack")
    expect(studio.rows("tk-components-table").first).to_be_visible()
    settle(page)
    page.screenshot(path=out / "plugins.png", full_page=True)


def wait_for_epochs(studio: StudioPage, epochs: int) -> None:
    """Until the chat has posted ``epochs`` evaluations of the running run (or it ended)."""
    pattern = f"epoch {epochs} of"
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if pattern in studio.last_reply() or "completed" in studio.run_status().inner_text():
            return
        time.sleep(0.5)


def region(page, top: str, bottom: str, above: int = 0) -> dict[str, float]:
    """The page area from the top of one element to the bottom of another, full width."""
    page.locator(top).scroll_into_view_if_needed()
    start = page.locator(top).bounding_box()
    end = page.locator(bottom).bounding_box()
    scroll = page.evaluate("window.scrollY")
    y = max(0.0, start["y"] + scroll - above)
    return {"x": 0, "y": y, "width": page.viewport_size["width"],
            "height": end["y"] + end["height"] + scroll - y + 16}


def settle(page) -> None:
    """Let transitions and the charts' redraws finish before a picture."""
    page.wait_for_timeout(1200)


if __name__ == "__main__":
    sys.exit(main())
