"""``tunekit push RUN --repo ID``: publish a finished run's model (or demo) on the Hugging Face Hub.

    tunekit push 12 --repo ana/reviews-classifier             the model export, a model repo
    tunekit push 12 --repo ana/reviews-classifier --private   the same, a private repo
    tunekit push 12 --repo ana/reviews-demo --space           the gradio demo, as a Gradio Space

The model is the run's ``huggingface`` export, or its ``adapter`` folder for a LoRA run that has
no full model; ``--space`` pushes its ``gradio-demo`` export, whose README front matter makes it a
Space as it is. The token is the one huggingface_hub finds (``HF_TOKEN``, or the file that
``hf auth login`` writes); tunekit never stores it. ``HF_ENDPOINT`` points at another Hub. Each
push is recorded in registry.db as an artifact of the run (exporter ``hub``, the repo's address,
the bytes and sha256 of what was pushed), so ``tunekit runs show RUN`` says where it went.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunekit.errors import TunekitError

# the exports a model repo gets, the most useful first: a folder transformers loads, else the
# LoRA adapter alone (peft loads it on top of the base model)
MODEL_EXPORTS = ("huggingface", "adapter")
DEMO = "gradio-demo"
# the artifact a push is recorded as (not an exporter: the run's files did not change)
PUSHED = "hub"
LOGIN_HINT = ("log in with `hf auth login` (or set HF_TOKEN to a token with write access, from "
              "https://huggingface.co/settings/tokens)")


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "push", parents=[common], help="publish a run's model (or its demo, as a Space) on the "
                                       "Hugging Face Hub",
        description="Upload a completed run's model export (its huggingface folder, or its "
                    "adapter folder for a LoRA run) to a model repo on the Hugging Face Hub, or "
                    "with --space its gradio-demo export to a Gradio Space, and print the "
                    "repo's address. The repo is created when it does not exist. The token is "
                    "huggingface_hub's (HF_TOKEN, or `hf auth login`); tunekit does not store "
                    "it. HF_ENDPOINT points at another Hub. Needs tunekit[hub].",
        epilog="example: tunekit push 12 --repo ana/reviews-classifier --private")
    parser.add_argument("run", type=int, metavar="RUN", help="the run id")
    parser.add_argument("--repo", required=True, metavar="ID",
                        help="the repo to push to: NAME (under your user) or NAMESPACE/NAME")
    parser.add_argument("--private", action="store_true",
                        help="create the repo private (a repo that exists keeps its setting)")
    parser.add_argument("--space", action="store_true",
                        help="push the run's gradio-demo export as a Gradio Space (the hosted "
                             "demo) instead of the model")
    parser.set_defaults(handler=push_command)


@dataclass
class Pushed:
    """What a push did: the repo's address, what it holds now, the folder and commit sent."""

    run_id: int
    repo_id: str
    url: str
    kind: str  # model | space
    exporter: str  # the export that was pushed
    folder: Path
    files: int
    bytes: int
    commit: str


def push_command(args: argparse.Namespace) -> int:
    from tunekit.ui.commands.common import EXIT_OK, _registry

    pushed = push_run(_registry(), args.run, args.repo, private=args.private, space=args.space,
                      say=lambda line: print(line, file=sys.stderr, flush=True))
    print(pushed.url)
    return EXIT_OK


def push_run(registry: Any, run_id: int, repo: str, *, private: bool = False,
             space: bool = False, say: Any = print, where: str = "tunekit push") -> Pushed:
    """Push run ``run_id``'s model export (``space``: its demo) to the Hub repo ``repo`` and
    record it in the registry. Everything a person can fix (the run, the repo id, the token,
    what the Hub answers) is one TunekitError, raised before anything is sent where it can be."""
    from tunekit.engine.export import measure
    from tunekit.errors import require

    require("huggingface_hub", "hub", where)
    record = finished_run(registry, run_id, where)
    exporter, folder = space_export(registry, record, where) if space else \
        model_export(registry, record, where)
    repo = check_repo_id(repo)
    token = hub_token(where)  # before any request: no token, nothing is sent
    kind = "space" if space else "model"
    size, digest = measure(folder)
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    say(f"pushing run {record.id}'s {exporter} export ({count} files, {size:,} bytes) to the "
        f"{kind} repo {repo}")
    url, repo_id, commit = upload(folder, repo, token, kind, private, record.id)
    registry.add_artifact(record.id, PUSHED, url, size, digest)
    return Pushed(run_id=record.id, repo_id=repo_id, url=url, kind=kind, exporter=exporter,
                  folder=folder, files=count, bytes=size, commit=commit)


def finished_run(registry: Any, run_id: int, where: str) -> Any:
    """The record of a completed run; a TunekitError saying what to do for any other."""
    record = registry.get_run(run_id)
    if record is None:
        raise TunekitError(f"there is no run {run_id}", where=where,
                           hint="`tunekit runs list` shows the runs")
    if record.status in ("queued", "running"):
        raise TunekitError(f"run {run_id} is still {record.status}: its model is exported when "
                           "it completes", where=where,
                           hint=f"wait for it to end, then push it (`tunekit runs show {run_id}`)")
    if record.status != "completed":
        raise TunekitError(f"run {run_id} is {record.status}, not completed: it exported no "
                           "trained model", where=where,
                           hint=f"push a completed run (`tunekit runs list`), or train again: "
                                f"tunekit run --from {run_id}")
    return record


def _folders(registry: Any, record: Any, exporter: str) -> list[Path]:
    """The folders the run's ``exporter`` export wrote (a folder artifact, or its files')."""
    folders: list[Path] = []
    for artifact in registry.artifacts(record.id):
        if artifact.exporter == exporter:
            path = Path(artifact.path)
            folder = path if path.is_dir() or not path.suffix else path.parent
            if folder not in folders:
                folders.append(folder)
    return folders


def model_export(registry: Any, record: Any, where: str) -> tuple[str, Path]:
    """(exporter, folder) of the model a model repo gets: the huggingface export, else the
    adapter export."""
    for exporter in MODEL_EXPORTS:
        for folder in _folders(registry, record, exporter):
            if (folder / "config.json").is_file() or (folder / "adapter_config.json").is_file():
                return exporter, folder
            if not folder.exists():
                raise gone(record, folder, where)
    made = sorted({a.exporter for a in registry.artifacts(record.id)} - {PUSHED}) or ["none"]
    lora = record.strategy == "lora"
    raise TunekitError(
        f"run {record.id} has no model export to push (a huggingface"
        f"{' or adapter' if lora else ''} folder); its exports: {', '.join(made)}", where=where,
        hint=f"train it again with one: tunekit run --from {record.id} --set "
             f"exporters=huggingface" + (" (or exporters=adapter, a few megabytes)" if lora
                                         else ""))


def space_export(registry: Any, record: Any, where: str) -> tuple[str, Path]:
    """(``gradio-demo``, folder) of the run's demo app: its gradio-demo export, or the one
    ``tunekit demo RUN`` wrote into the run's folder."""
    folders = _folders(registry, record, DEMO)
    if record.output_dir:
        folders.append(Path(record.output_dir) / DEMO)
    for folder in folders:
        if (folder / "app.py").is_file():
            return DEMO, folder
    raise TunekitError(
        f"run {record.id} has no gradio-demo export to push as a Space", where=where,
        hint=f"write one with `tunekit demo {record.id}` (it serves the demo too: Ctrl-C stops "
             f"it), or train with it: tunekit run --from {record.id} --set "
             f"exporters=gradio-demo")


def gone(record: Any, folder: Path, where: str) -> TunekitError:
    return TunekitError(f"run {record.id}'s export is no longer on disk: {folder}", where=where,
                        hint=f"train again with the same spec: tunekit run --from {record.id}")


def check_repo_id(repo: str) -> str:
    """``repo`` stripped, or one TunekitError when the Hub would refuse it as a repo id."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    repo = (repo or "").strip().strip("/")
    try:
        if not repo or repo.count("/") > 1:
            raise HFValidationError("expected NAME or NAMESPACE/NAME")
        validate_repo_id(repo)
    except HFValidationError as exc:
        raise TunekitError(f"{repo!r} is not a Hub repo id ({str(exc).splitlines()[0]})",
                           where="--repo",
                           hint="NAME or NAMESPACE/NAME: letters, digits, '-', '_' and '.', "
                                "e.g. ana/reviews-classifier") from None
    return repo


def hub_token(where: str) -> str:
    """The token huggingface_hub would send (HF_TOKEN, then the `hf auth login` file), or one
    TunekitError saying how to log in. Offline mode is refused here too: every request would
    fail."""
    from huggingface_hub import constants, get_token

    if constants.is_offline_mode():
        raise TunekitError("huggingface_hub is in offline mode (HF_HUB_OFFLINE or "
                           "TRANSFORMERS_OFFLINE is set), so nothing can be pushed", where=where,
                           hint="unset HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE for the push")
    token = get_token()
    if not token:
        raise TunekitError("not logged in to the Hugging Face Hub: pushing needs a token with "
                           "write access", where=where, hint=LOGIN_HINT)
    return token


def endpoint() -> str | None:
    """The Hub to talk to: ``HF_ENDPOINT`` as it is now (huggingface_hub reads it once, at
    import), or None for huggingface_hub's default."""
    return os.environ.get("HF_ENDPOINT", "").strip().rstrip("/") or None


def upload(folder: Path, repo: str, token: str, kind: str, private: bool,
           run_id: int) -> tuple[str, str, str]:
    """Create the repo (when it does not exist) and upload ``folder`` to it in one commit:
    (the repo's address, its full id, the commit id). The Hub's refusals become one message."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils import disable_progress_bars

    api = HfApi(endpoint=endpoint(), token=token)
    disable_progress_bars()  # one line on stderr says what is sent; the URL is the answer
    space = {"space_sdk": "gradio"} if kind == "space" else {}
    try:
        url = api.create_repo(repo, repo_type=kind, private=private, exist_ok=True, **space)
        repo_id = url.repo_id or repo  # NAME alone: the Hub put it under the token's user
        commit = api.upload_folder(repo_id=repo_id, folder_path=folder, repo_type=kind,
                                   commit_message=f"tunekit: run {run_id}")
    except HfHubHTTPError as exc:
        raise hub_refusal(exc, repo, api.endpoint) from None
    except _transport_errors() as exc:
        raise TunekitError(f"cannot reach the Hub at {api.endpoint}: {type(exc).__name__}: "
                           f"{exc}", where="tunekit push",
                           hint="check the network (and HF_ENDPOINT, if set), then push again"
                           ) from None
    return str(url).rstrip("/"), repo_id, commit.oid


def hub_refusal(exc: Any, repo: str, at: str) -> TunekitError:
    """One message for an HTTP error the Hub answered: what it means, what to do."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    said = (getattr(exc, "server_message", None) or "").strip().splitlines()
    words = f" (the Hub said: {said[0]})" if said else ""
    where = f"--repo {repo}"
    if status == 401:
        return TunekitError(f"the Hub at {at} refused the token (401: invalid or expired)"
                            f"{words}", where=where, hint=LOGIN_HINT)
    if status == 403:
        return TunekitError(f"the token may not write to {repo} (403){words}", where=where,
                            hint="use a token with write access, and a namespace that is "
                                 "yours or an organization's you may write to")
    if status == 404:
        return TunekitError(f"the Hub at {at} has no repo {repo} (404){words}", where=where,
                            hint="check the namespace (your user name or an organization you "
                                 "belong to) and HF_ENDPOINT, if set")
    if status == 409:
        return TunekitError(f"the Hub refused the push: a conflict (409){words}", where=where,
                            hint="a repo of another type may have this name, or another push "
                                 "to it is under way: push again, or choose another --repo")
    return TunekitError(f"the Hub answered {status or 'an error'}{words}", where=where,
                        hint="push again later")


def _transport_errors() -> tuple[type[BaseException], ...]:
    """The network errors of the HTTP client huggingface_hub uses (httpx, or httpx2 in its
    2.x releases), and the operating system's refused connections."""
    errors: list[type[BaseException]] = [ConnectionError]
    for name in ("httpx2", "httpx"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "TransportError"):
            errors.append(module.TransportError)
    return tuple(errors)
