"""Every command the docs show runs as written: the shell commands of README.md and
docs/**/*.md, and the Python blocks of README.md and docs/guide/ (docs/plugins/' Python is
tests/test_plugin_docs.py's).

Each page runs in a folder of its own, as a reader at the repository root would type it, top
to bottom (a ``cd`` carries over to the next command, run ids count from 1): its own
registry.db, the files the docs name (tickets.csv, spec.yaml, ...; written by
``write_the_readers_files``), ``examples/`` and the Makefile linked in. ``tunekit`` on PATH is
the test's own (tests/doc_commands.py): it adds the tiny backbone and two steps to training
commands, and runs each command in a child of one process that has already imported torch,
so a page takes seconds. Servers (``make studio``, ``tunekit studio``, ``tunekit demo``) are
started, must answer 200, and are stopped. A command that cannot run here is in NOT_RUN with
the reason; every other command runs, and one that exits non-zero fails the test with its
page and line. Measured: about 80-110 s for all pages on 2 busy cores.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from doc_commands import (
    ROOT,
    WARM_ENV,
    Shown,
    blocks,
    pages,
    python_blocks,
    shell_commands,
    shim_source,
    words,
)
from studio_harness import TINY_PLUGIN, free_port

# (the command as shown, or how it starts) -> why it is not run here
NOT_RUN: dict[str, str] = {
    "make test": "the whole suite, which this test is part of (.ci/run runs it: "
                 "test_ci_runs_the_readme_test_command)",
    "hf auth login": "logs in to the Hugging Face Hub: needs the internet and a token",
    "tunekit push": "uploads to the Hugging Face Hub; tests/test_push.py pushes to a local Hub",
    "tunekit demo 1 --share": "a public Gradio link needs the internet",
    "pip install": "installs into the shared .venv (pytest from the network); "
                   "tests/test_scaffold.py installs scaffolded plugins into a throwaway venv",
    "cd acme-metrics && pytest": "needs the package pip-installed (the line before); "
                                 "tests/test_scaffold.py runs a scaffold's own tests",
    "pytest -q": "runs the tests the tutorial's reader writes by hand; "
                 "tests/test_plugin_docs.py runs that file",
    "accelerate launch": "several GPUs or machines; tests/test_distributed.py trains in "
                         "processes on the CPU",
    "tunekit run spec.yaml --processes 4": "four processes (or FSDP, which needs GPUs); "
                                           "tests/test_distributed.py runs --processes 2",
    "tunekit run --resume": "needs a run killed mid-training; tests/test_resume.py does that",
    "python -m benchmarks": "MiniLM measured for minutes by design; tests/test_benchmarks.py "
                            "runs --quick",
}
NOT_RUN_PYTHON: dict[str, str] = {  # a string of the block -> why
    "data=reviews": "run as written by tests/test_python_data.py "
                    "(test_the_guide_notebook_example_runs_as_written)",
    "tunekit.resume(": "needs a run killed mid-training; tests/test_resume.py does that",
}
SERVERS = ("make studio", "tunekit studio", "tunekit demo")
SERVED: set[str] = set()  # the servers that answered, by their command
COMMAND_TIMEOUT = 180
SERVER_TIMEOUT = 120
TICKETS = {"billing": ("my invoice is wrong", "I was charged twice", "refund my payment",
                       "the bill shows an extra fee"),
           "hr": ("how many holidays do I have left", "I need a payslip copy",
                  "my parental leave starts soon", "update my contract hours"),
           "it": ("cannot log in to my laptop", "the printer is offline",
                  "reset my password please", "the vpn keeps dropping")}
WHEN = ("today", "since monday", "again", "this morning", "for a week", "after the update",
        "before friday", "right now", "every day", "this month")


def why_not_run(shown: Shown) -> str | None:
    """The reason a shown command is not run here, or None: it is run."""
    said = words(shown.text)
    table = NOT_RUN_PYTHON if "\n" in shown.text else NOT_RUN
    for key, reason in table.items():
        if said == key or said.startswith(key + " ") or ("\n" in shown.text and key in said):
            return reason
    return None


def everything_shown() -> list[Shown]:
    shown = []
    for page in pages():
        shown += shell_commands(page)
        if page.name == "README.md" and page.parent == ROOT or "guide" in page.parts:
            shown += python_blocks(page)
    return shown


def test_every_reason_not_to_run_a_command_is_still_needed():
    """A NOT_RUN entry whose command the docs no longer show is stale: remove it."""
    said = [words(s.text) for s in everything_shown()]
    for key in [*NOT_RUN, *NOT_RUN_PYTHON]:
        assert any(s == key or s.startswith(key + " ") or key in s for s in said), \
            f"NOT_RUN lists {key!r}, which no page shows any more"


def test_ci_runs_the_readme_test_command():
    """.ci/run is the README's test command on a fresh clone: the command must be the same."""
    readme = ROOT / "README.md"
    two = next(body for lang, _, body in blocks(readme) if lang == "bash" and "make test" in body)
    test_command = next(words(line) for line in two.splitlines() if "test" in line)
    assert test_command == "make test"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in [line.strip() for line in ci]


# ---------------------------------------------------------------- running a page


def write_the_readers_files(folder: Path) -> None:
    """The files the docs assume the reader has: tickets.csv (message, category), the texts
    to predict, spec.yaml and ner.yaml (tiny backbones), a save_to_disk folder; and what
    the repository root holds (examples/, the Makefile)."""
    rows = [(f"{text} {when}", label) for label, texts in TICKETS.items()
            for text in texts for when in WHEN]
    lines = ["message,category", *(f"{text},{label}" for text, label in rows)]
    (folder / "tickets.csv").write_text("\n".join(lines) + "\n")
    (folder / "new-tickets.csv").write_text("text\nmy card was charged twice\nthe wifi is down\n")
    (folder / "spec.yaml").write_text(
        "task: text-classification\n"
        "dataset: {name: csv, path: tickets.csv, text_column: message, label_column: category}\n"
        "backbone: {name: tiny-bert}\nstrategy: {name: lora, r: 8}\n"
        "training: {epochs: 2, learning_rate: 1.0e-3, batch_size: 16}\n"
        "metrics: [accuracy, f1]\nexporters: [huggingface, model-card]\n")
    (folder / "ner.yaml").write_text(
        "task: token-classification\ndataset: {name: sample-ner}\n"
        "backbone: {name: tiny-gpt2}\nstrategy: {name: head-only}\n"
        "training: {epochs: 1}\nexporters: [huggingface]\n")
    from datasets import Dataset

    texts, labels = zip(*rows, strict=True)
    Dataset.from_dict({"text": list(texts), "label": list(labels)}).save_to_disk(
        str(folder / "my_dataset"))
    (folder / "plugins").mkdir()
    (folder / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    for name in ("examples", "Makefile", "pyproject.toml", "scripts", ".venv"):
        (folder / name).symlink_to(ROOT / name)


def tutorial_plugin(page: Path) -> str | None:
    """The plugin module a page walks its reader through writing, if any (installed here
    from the plugins folder, where the page has the reader pip-install it)."""
    modules = [b.text for b in python_blocks(page) if "@tunekit.hookimpl" in b.text
               and "def register_" in b.text]
    return modules[0] if page.name == "tutorial.md" and modules else None


QUIET = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1",
         "TOKENIZERS_PARALLELISM": "false", "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory):
    """The warm process that runs the commands (tests/doc_commands.py, ``warm_start``)."""
    folder = tmp_path_factory.mktemp("warm")
    path = folder / "socket"
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); "
            f"from doc_commands import warm_start; warm_start({str(path)!r})")
    with (folder / "log").open("w") as log:
        process = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, **QUIET},
                                   stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None and time.monotonic() < deadline, \
            (folder / "log").read_text()[-3000:]
        time.sleep(0.2)
    yield str(path)
    process.kill()
    process.wait()


def environment(folder: Path, shim: Path, warm: str) -> dict[str, str]:
    venv = Path(sys.executable).parent
    return {**os.environ, **QUIET,
            "PATH": f"{shim / 'bin'}:{venv}:{os.environ.get('PATH', '')}",
            "TUNEKIT_REGISTRY": str(folder / "registry.db"),
            "TUNEKIT_PLUGINS_DIR": str(folder / "plugins"), "TK_DOC_PORT": "0", WARM_ENV: warm}


def make_shim(folder: Path) -> Path:
    """A stand-in for .venv that ``make VENV=...`` accepts as set up, whose bin/tunekit is
    the docs test's (tests/doc_commands.py, ``shim_source``)."""
    shim = folder / "shim-venv"
    (shim / "bin").mkdir(parents=True)
    script = shim / "bin" / "tunekit"
    script.write_text(shim_source(sys.executable))
    script.chmod(0o755)
    for stamp in (".tunekit-installed", ".tunekit-examples-installed"):
        (shim / stamp).touch()
    return shim


def run_command(shown: Shown, cwd: Path, env: dict[str, str]) -> Path:
    """Run one command in bash as a terminal would; the folder it ends in comes back."""
    where = Path(env["TUNEKIT_REGISTRY"]).parent.parent / "cwd"  # beside the reader's folder
    script = f"{shown.text}\nstatus=$?\npwd > {where}\nexit $status\n"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", script], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT)
    assert done.returncode == 0, (f"{shown.where}: `{shown.text}` exited {done.returncode}\n"
                                  f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return Path(where.read_text().strip())


def serve(shown: Shown, cwd: Path, env: dict[str, str], shim: Path) -> None:
    """Start a server the docs show, wait for its page to answer 200, stop it."""
    port = free_port()
    text = shown.text
    if text.startswith("make "):
        text = f"make VENV={shim} {text[len('make '):]}"
    log = cwd / f"server-{shown.line}.log"
    with log.open("w") as out:
        server = subprocess.Popen(["bash", "-c", text], cwd=cwd, stdout=out,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env={**env, "TK_DOC_PORT": str(port)}, start_new_session=True)
    try:
        status = wait_for_page(server, f"http://127.0.0.1:{port}/")
        assert status == 200, (f"{shown.where}: `{shown.text}` answered {status}\n"
                               f"{log.read_text()[-3000:]}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_for_page(server: subprocess.Popen, url: str) -> int | str:
    """The HTTP status of ``url`` once the server answers; why not, when it never does."""
    deadline = time.monotonic() + SERVER_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return f"nothing: it exited {server.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (localhost)
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    return f"nothing in {SERVER_TIMEOUT} s"


def run_python(shown: Shown, cwd: Path, env: dict[str, str]) -> None:
    """A Python block: a plugin module is loaded as a plugin and checked (`tunekit plugins
    check`); any other block runs as a script."""
    if "@tunekit.hookimpl" in shown.text:
        plugin = cwd / "plugins" / f"shown_{shown.line}.py"
        plugin.write_text(shown.text)
        command = f"tunekit plugins check shown_{shown.line}"
    else:
        (cwd / f"shown_{shown.line}.py").write_text(shown.text)
        command = f"python shown_{shown.line}.py"
    run_command(Shown(shown.page, shown.line, command), cwd, env)


def runnable_pages() -> list[str]:
    return sorted({s.page for s in everything_shown() if why_not_run(s) is None})


@pytest.mark.slow
@pytest.mark.parametrize("page", runnable_pages())
def test_the_commands_of_a_page_run_as_shown(page: str, tmp_path: Path, warm: str) -> None:
    folder = tmp_path / "reader"
    folder.mkdir()
    write_the_readers_files(folder)
    module = tutorial_plugin(ROOT / page)
    if module:
        (folder / "plugins" / "tutorial_plugin.py").write_text(module)
    shim = make_shim(tmp_path)
    env = environment(folder, shim, warm)
    cwd = folder
    ran = []
    for shown in [s for s in everything_shown() if s.page == page]:
        if why_not_run(shown) is not None:
            continue
        started = time.monotonic()
        if "\n" in shown.text:
            run_python(shown, folder, env)
        elif shown.text.startswith(SERVERS) and "--share" not in shown.text:
            if shown.text not in SERVED:  # the same server on another page: answered once
                serve(shown, cwd, env, shim)
                SERVED.add(shown.text)
        else:
            cwd = run_command(shown, cwd, env)
        ran.append((round(time.monotonic() - started, 1), shown.where))
    assert ran, f"{page}: nothing ran"
    print(json.dumps(ran))


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_between_pages_resolves():
    """A link from one page to a file of the repository (or a heading of a page) that is not
    there is a page moved without its links: say which."""
    broken = []
    for page in pages():
        text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            path, _, heading = target.partition("#")
            goal = (page.parent / path).resolve() if path else page
            if not goal.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif heading and goal.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", goal.read_text(encoding="utf-8"), flags=re.M)
                if heading not in {anchor(h) for h in headings}:
                    broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)
