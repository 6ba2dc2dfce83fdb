# PYTHON_ARGCOMPLETE_OK (argcomplete completes this command: docs/guide/install.md)
"""``tunekit``: the command line.

    tunekit run [SPEC] [--set FIELD=VALUE ...]   train (no SPEC: the bundled default);
                                                 --json: one JSON object on stdout
    tunekit plugins [list|check] [--json]        installed plugins, components and failures
    tunekit plugins disable|enable NAME          stop or resume loading a plugin
    tunekit plugin new NAME --kind KIND          write a plugin package that installs and works
    tunekit runs list [--json]                   the run history
    tunekit runs show RUN [--json]               one run: status, spec, metrics, artifacts
    tunekit runs diagnose RUN [--json]           what the curves say, and the next run
    tunekit data check FILE_OR_SPEC [--json]     what is wrong with the data, before a run
    tunekit sweep [SPEC] --param FIELD=VALUES    search fields for the best run (Optuna)
    tunekit bakeoff [SPEC] --strategies A,B,C    strategies side by side, with a verdict
    tunekit chat [--json]                        configure and launch a run in plain language
    tunekit push RUN --repo ID [--space]         publish a run's model (or its demo, as a
                                                 Space) on the Hugging Face Hub
    tunekit --version                            the version (`python -m tunekit` is the same CLI)

Bad input (a spec, a data file, an unknown component) prints one message and exits 2, with
the run, if one started, recorded as failed; any other failure of a run exits 1; Ctrl-C 130.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from typing import Any

from tunekit import __version__
from tunekit.ui.commands.common import (  # noqa: F401 (EXIT_*, _registry: part of cli's surface)
    EXIT_BAD_INPUT,
    EXIT_CANCELLED,
    EXIT_OK,
    EXIT_RUN_FAILED,
    _manager,
    _registry,
    _run_record,
    _stop_on_sigterm,
)


def _common_options(parser: argparse.ArgumentParser, default: Any) -> None:
    """Options accepted before or after the subcommand (``tunekit plugins --plugins-dir X``)."""
    parser.add_argument("--plugins-dir", metavar="DIR", default=default,
                        help="also load plugins from the .py files in DIR "
                             "(default: $TUNEKIT_PLUGINS_DIR)")
    parser.add_argument("--registry", metavar="FILE", default=default,
                        help="the registry database (default: $TUNEKIT_REGISTRY or ./registry.db)")
    parser.add_argument("--debug", action="store_true", default=default or False,
                        help="print tracebacks of failures")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tunekit", description="Fine-tune pretrained models: plugins, runs, registry.")
    parser.add_argument("--version", action="version", version=f"tunekit {__version__}")
    _common_options(parser, None)
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[common], **kwargs)

    run = add("run", help="train a model from a spec (YAML or JSON)")
    run.add_argument("spec", nargs="?", help="the spec file (default: the bundled default run)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE",
                     help="override a field, e.g. --set training.epochs=5 --set strategy=lora")
    run.add_argument("--parent", type=int, metavar="RUN", help="record RUN as this run's parent")
    run.add_argument("--from", dest="from_run", type=int, metavar="RUN",
                     help="start from the spec recorded for RUN (and record RUN as the parent); "
                          "--set changes it, e.g. what `tunekit runs diagnose RUN` proposes")
    run.add_argument("--resume", type=int, metavar="RUN",
                     help="carry on a stopped run (cancelled, interrupted, failed) from its "
                          "last checkpoint, with its recorded spec and data")
    run.add_argument("--output-dir", metavar="DIR",
                     help="where run folders go (default: runs/ beside the registry)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--json", action="store_true",
                     help="print one JSON object on stdout (id, status, metrics, artifacts) "
                          "and nothing else; progress and messages go to stderr")
    run.add_argument("--dry-run", action="store_true",
                     help="validate the spec and print it resolved, without training")
    run.add_argument("--force", action="store_true",
                     help="train even when the data check finds blocking problems (they are "
                          "reported as warnings; sets training.data_check=warn)")
    run.add_argument("--processes", type=int, metavar="N",
                     help="train in N processes with accelerate launch: one per GPU, or N CPU "
                          "processes without CUDA (docs/multi-gpu.md)")
    run.add_argument("--accelerate-config", metavar="FILE",
                     help="an accelerate config file for the processes (FSDP, several "
                          "machines); see examples/accelerate/")
    # the processes started by --processes train the run their launcher queued
    run.add_argument("--run-id", type=int, help=argparse.SUPPRESS)

    studio = add("studio", help="open the studio in a browser (chat, live runs, history)")
    studio.add_argument("--host", default="127.0.0.1", help="address to listen on")
    studio.add_argument("--port", type=int, default=7860, help="port to listen on")
    studio.add_argument("--share", action="store_true", help="also publish a public share link")
    studio.add_argument("--auth", metavar="USER:PASS", help="require this user and password")
    studio.add_argument("--auth-file", metavar="FILE",
                        help="require a user:password from this file (one per line)")
    studio.add_argument("--data-dir", metavar="DIR",
                        help="read data only from DIR and uploads (default when shared or "
                             "--demo: ./data; on this machine alone: anywhere)")
    studio.add_argument("--max-rows", type=int, default=200_000, metavar="N",
                        help="refuse data files with more rows (default 200000)")
    studio.add_argument("--max-upload-mb", type=int, default=512, metavar="MB",
                        help="refuse larger uploads (default 512)")
    studio.add_argument("--max-concurrent-runs", type=int, metavar="N",
                        help="runs training at once; more wait in a queue (default: one per "
                             "GPU, one on a CPU)")
    studio.add_argument("--demo", action="store_true",
                        help="a public demo: caps epochs, steps and rows, no plugin "
                             "management, built-in exporters only")

    chat = add("chat", help="configure and launch a run by talking to the assistant")
    chat.add_argument("--json", action="store_true",
                      help="read one turn per line from standard input and print the resolved "
                           "spec as one JSON object; launch only if a turn confirms")

    runs = add("runs", help="the run history")
    runs_commands = runs.add_subparsers(dest="runs_command", metavar="SUBCOMMAND")
    runs_list = runs_commands.add_parser("list", parents=[common], help="every run, newest first")
    runs_list.add_argument("--json", action="store_true")
    runs_list.add_argument("--limit", type=int, default=50)
    runs_show = runs_commands.add_parser("show", parents=[common], help="one run in detail")
    runs_show.add_argument("run", type=int, metavar="RUN", help="the run id")
    runs_show.add_argument("--json", action="store_true")

    # commands that live in their own module (tunekit.ui.commands.*): each adds its parser
    # and sets ``handler``; its heavy imports happen inside the handler, so --help stays fast
    from tunekit.ui.commands import add_commands

    add_commands(commands, common, runs_commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    if argv is None and "_ARGCOMPLETE" in os.environ:  # the shell asks for completions
        with contextlib.suppress(ImportError):
            import argcomplete

            argcomplete.autocomplete(parser)  # answers and exits
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    if args.registry:
        os.environ["TUNEKIT_REGISTRY"] = args.registry
    from tunekit.errors import TunekitError

    try:
        if getattr(args, "handler", None):
            return args.handler(args)
        if args.command == "run":
            return cmd_run(args)
        if args.command == "chat":
            return cmd_chat(args)
        if args.command == "studio":
            from tunekit.errors import require

            for package in ("gradio", "pandas"):  # the studio's extra, left out of a lean install
                require(package, "studio", "tunekit studio")
            from tunekit.ui.studio import serve

            return serve(args)
        if args.command == "runs":
            if args.runs_command == "show":
                return cmd_runs_show(args)
            return cmd_runs_list(args)
    except TunekitError as exc:
        run_id = getattr(exc, "run_id", None)
        prefix = f"run {run_id} failed: " if run_id is not None else ""
        print(f"error: {prefix}{exc}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("stopped.", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:  # `tunekit plugins --json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    if not args.json:
        args.json_out = None
        return _run(args)
    # --json: stdout carries the one JSON object and nothing else, so whatever a library or a
    # plugin prints while the run trains goes to stderr
    args.json_out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    import tunekit
    from tunekit.errors import TunekitError

    manager = _manager(args)
    if args.run_id is not None:
        return _attached_run(args, manager)
    if args.processes is not None and args.processes < 1:
        raise TunekitError("--processes needs a number of 1 or more", where="--processes")
    if args.resume is not None:
        return _resume_run(args, manager)
    if args.from_run is not None:
        spec = _spec_of_run(args, manager)
        if args.parent is None:
            args.parent = args.from_run
    else:
        spec = tunekit.load_spec(args.spec, manager, overrides=args.overrides)
    if args.force and spec.data["training"].get("data_check") == "refuse":
        spec.data["training"]["data_check"] = "warn"
    if args.dry_run and args.json_out:
        print(json.dumps(spec.data, default=str), file=args.json_out)
        return EXIT_OK
    if args.dry_run:
        print(spec.to_yaml(), end="")
        strategy = manager.get("strategy", spec.data["strategy"]["name"])
        training = spec.data["training"]
        epochs = training["epochs"] or strategy.default_epochs
        rate = training["learning_rate"] or strategy.default_learning_rate
        defaulted = [k for k in ("epochs", "learning_rate") if training[k] is None]
        note = f" ({' and '.join(defaulted)}: {strategy.name}'s defaults)" if defaulted else ""
        print(f"# {strategy.name} trains for {epochs} epochs at learning rate {rate:g}{note}")
        return EXIT_OK
    registry = _registry(announce=True)
    _stop_on_sigterm()
    print(f"training: {spec.data['dataset']['name']} -> {spec.data['backbone']['name']} "
          f"with {spec.data['strategy']['name']} ({spec.source})", file=sys.stderr)
    if (args.processes or 1) > 1 or args.accelerate_config:
        from tunekit.ui.launcher import launch

        record = launch(args, spec, registry)
        _print_record(registry, record, args.json_out)
        return EXIT_OK if record.status == "completed" else EXIT_RUN_FAILED
    try:
        result = tunekit.run(spec, manager=manager, registry=registry, parent_id=args.parent,
                             progress=not args.quiet, output_root=args.output_dir)
    except TunekitError:
        raise
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a bug or a resource problem: recorded, reported in one line
        run_id = getattr(exc, "run_id", "?")
        print(f"error: run {run_id} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        if args.json_out:
            print(json.dumps({"id": getattr(exc, "run_id", None), "status": "failed",
                              "error": f"{type(exc).__name__}: {exc}", "metrics": {},
                              "artifacts": []}), file=args.json_out)
        if args.debug:
            traceback.print_exc()
        else:
            print("  (rerun with --debug for the traceback)", file=sys.stderr)
        return EXIT_RUN_FAILED
    if result.main_process:
        _print_result(registry, result, args.json_out)
    return EXIT_OK if result.status == "completed" else EXIT_RUN_FAILED


def _attached_run(args: argparse.Namespace, manager: Any) -> int:
    """``tunekit run --run-id RUN``, as started by ``--processes``: one of the processes that
    train the queued run RUN together. Only the main one opens the registry; the launcher
    prints the outcome."""
    import tunekit

    result = tunekit.run(manager=manager, attach=args.run_id, progress=not args.quiet)
    return EXIT_OK if result.status == "completed" else EXIT_RUN_FAILED


def _print_record(registry: Any, record: Any, json_out: Any = None) -> None:
    """How a run ended, from its record (a run trained by other processes)."""
    from tunekit.engine import RunResult

    artifacts = [{"exporter": a.exporter, "path": a.path, "bytes": a.bytes}
                 for a in registry.artifacts(record.id)]
    if record.error:
        print(f"error: run {record.id} {record.status}: {record.error}", file=sys.stderr)
    _print_result(registry, RunResult(
        run_id=record.id, status=record.status, metrics=record.metrics,
        test_metrics=json.loads(record.test_metrics_json) or None, artifacts=artifacts,
        error=record.error), json_out)


def _resume_run(args: argparse.Namespace, manager: Any) -> int:
    """``tunekit run --resume RUN``: the same run, from its checkpoint."""
    import tunekit
    from tunekit.errors import TunekitError

    if args.spec or args.from_run is not None or args.overrides or args.dry_run:
        raise TunekitError("--resume carries on a run with its recorded spec: give no spec, "
                           "--from, --set or --dry-run with it", where="tunekit run")
    if (args.processes or 1) > 1 or args.accelerate_config:
        raise TunekitError("resuming with several processes is not supported yet",
                           where="--resume", hint=f"resume in one process: tunekit run "
                           f"--resume {args.resume}")
    registry = _registry(announce=True)
    _stop_on_sigterm()
    print(f"resuming run {args.resume}", file=sys.stderr)
    result = tunekit.run(manager=manager, registry=registry, resume=args.resume,
                         progress=not args.quiet)
    _print_result(registry, result, args.json_out)
    return EXIT_OK if result.status == "completed" else EXIT_RUN_FAILED


def _spec_of_run(args: argparse.Namespace, manager: Any) -> Any:
    """The spec recorded for ``--from RUN``, its data paths read from where that run read
    them, with ``--set`` applied."""
    import json
    from pathlib import Path

    import tunekit
    from tunekit.errors import TunekitError
    from tunekit.spec import absolute_paths

    if args.spec:
        raise TunekitError("give a spec file or --from RUN, not both", where="tunekit run")
    record = _run_record(_registry(), args.from_run, "--from")
    base_dir = json.loads(record.summary_json or "{}").get("base_dir")
    data = absolute_paths(record.spec, Path(base_dir)) if base_dir else record.spec
    return tunekit.parse_spec(data, manager, overrides=args.overrides,
                              base_dir=Path(base_dir) if base_dir else None,
                              source=f"run {record.id}'s spec")


def cmd_chat(args: argparse.Namespace) -> int:
    from tunekit.plugin_settings import registry_path  # not the ORM's: chat must start fast
    from tunekit.ui.assistant import Assistant
    from tunekit.ui.commands.chat_actions import ACTIONS, run_action

    manager = _manager(args)
    assistant = Assistant(manager)
    if registry_path().exists():  # "resume run 12" needs the runs (none: no file made)
        # opened when a turn asks about runs: the ORM's import is most of a turn's time
        assistant.runs = _Later(_resumable_runs)
    say = (lambda text: print(text, file=sys.stderr)) if args.json else print
    if not args.json:
        say("Tell me what to train (Ctrl-D to leave). For example: \"train on tickets.csv with "
            "LoRA for 5 epochs\".")
    launched = None
    while True:
        if not args.json:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        reply = assistant.respond(line.strip())
        say(reply.text + (f"\n  [{' | '.join(reply.choices)}]" if reply.choices else ""))
        if reply.action in ACTIONS:  # the lr finder, a bake-off, a sweep: run here
            follow = run_action(reply, assistant, manager, say, progress=not args.json)
            if follow is not None:
                say(follow.text + (f"\n  [{' | '.join(follow.choices)}]" if follow.choices
                                   else ""))
            continue
        if reply.action == "launch":
            launched = reply.spec
            code = _launch_from_chat(args, manager, assistant, reply.spec, say)
            if args.json:
                print(json.dumps(reply.spec))
                return code
    if args.json:
        print(json.dumps(launched or assistant.spec()))
    return EXIT_OK


def _resumable_runs() -> Any:
    from tunekit.engine.resumable import Resumable

    return Resumable(_registry())


class _Later:
    """``make()``'s object, made at its first use."""

    def __init__(self, make: Any):
        self._make, self._made = make, None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)


def _launch_from_chat(args: argparse.Namespace, manager: Any, assistant: Any,
                      spec_data: dict[str, Any], say: Any) -> int:
    import tunekit
    from tunekit.ui.assistant import explain_run

    registry = _registry()
    spec = tunekit.parse_spec(spec_data, manager, base_dir=assistant.base_dir)
    try:
        result = tunekit.run(spec, manager=manager, registry=registry, progress=not args.json)
    except Exception as exc:  # reported in words; the registry has the run as failed
        say(f"The run failed: {exc}")
        return EXIT_RUN_FAILED
    say(explain_run(registry, result.run_id).text)
    return EXIT_OK


def _print_result(registry: Any, result: Any, json_out: Any = None) -> None:
    """How a run ended: a short summary, or with ``--json`` one JSON object on ``json_out``."""
    record = registry.get_run(result.run_id)
    if json_out is not None:
        print(json.dumps({
            "id": result.run_id, "status": result.status, "metrics": result.metrics,
            "test_metrics": result.test_metrics, "error": result.error or record.error,
            "duration_seconds": record.duration_seconds(),
            "output_dir": str(result.output_dir) if result.output_dir else None,
            "artifacts": [{"exporter": a["exporter"], "path": str(a["path"]),
                           "bytes": a["bytes"]} for a in result.artifacts],
        }, default=str), file=json_out)
        return
    took = _duration(record.duration_seconds())
    print(f"run {result.run_id} {result.status} in {took}")
    print(f"  validation: {_scores(result.metrics)}")
    if result.test_metrics:
        print(f"  test:       {_scores(result.test_metrics)}")
    for artifact in result.artifacts:
        print(f"  {artifact['exporter']}: {artifact['path']} ({_size(artifact['bytes'])})")
    print(f"  details: tunekit runs show {result.run_id}")


def cmd_runs_list(args: argparse.Namespace) -> int:
    registry = _registry()
    runs = registry.runs(limit=getattr(args, "limit", 50))
    if getattr(args, "json", False):
        print(json.dumps([_run_summary(r) for r in runs], indent=2, default=str))
        return EXIT_OK
    if not runs:
        print("no runs yet: try `tunekit run`")
        return EXIT_OK
    header = f"{'id':>4}  {'status':<11} {'dataset':<16} {'backbone':<12} {'strategy':<13} " \
             f"{'accuracy':>8}  {'duration':>8}  {'parent':>6}  started"
    print(header)
    for r in runs:
        accuracy = r.metrics.get("accuracy")
        acc = f"{accuracy:.4f}" if accuracy is not None else "-"
        started = r.created_at.strftime("%Y-%m-%d %H:%M")
        print(f"{r.id:>4}  {r.status:<11} {r.dataset[:16]:<16} {r.backbone[:12]:<12} "
              f"{r.strategy[:13]:<13} {acc:>8}  {_duration(r.duration_seconds()):>8}  "
              f"{r.parent_id if r.parent_id is not None else '-':>6}  {started}")
    resumable = [r.id for r in runs if _resumable(r)]
    for run_id in resumable:
        print(f"run {run_id} stopped with a checkpoint: tunekit run --resume {run_id}")
    return EXIT_OK


def _resumable(record: Any) -> bool:
    """A run that stopped short (cancelled, interrupted, failed) and left a checkpoint."""
    from tunekit.engine.checkpoints import has_checkpoint

    return record.status in ("cancelled", "interrupted", "failed") and \
        has_checkpoint(record.output_dir)


def cmd_runs_show(args: argparse.Namespace) -> int:
    registry = _registry()
    record = _run_record(registry, args.run, "runs show")
    artifacts = [{"exporter": a.exporter, "path": a.path, "bytes": a.bytes, "sha256": a.sha256}
                 for a in registry.artifacts(record.id)]
    history: dict[str, list[list[float]]] = {}
    for point in registry.metric_points(record.id):
        history.setdefault(f"{point.split}/{point.name}", []).append([point.step, point.value])
    shown = {**_run_summary(record), "spec": record.spec,
             "test_metrics": json.loads(record.test_metrics_json) or None,
             "details": json.loads(record.details_json),
             "summary": json.loads(record.summary_json),
             "versions": json.loads(record.versions_json), "device": record.device,
             "precision": record.precision, "seed": record.seed,
             "data_fingerprint": record.data_fingerprint, "output_dir": record.output_dir,
             "artifacts": artifacts, "history": history}
    if args.json:
        print(json.dumps(shown, indent=2, default=str))
        return EXIT_OK
    print(f"run {record.id}: {record.status}  ({_duration(record.duration_seconds())}, "
          f"{record.device or 'no device yet'})")
    if record.error:
        print(f"  error: {record.error}")
    if _resumable(record) and "--resume" not in (record.error or ""):
        print(f"  it left a checkpoint: tunekit run --resume {record.id}")
    print(f"  {record.dataset} -> {record.backbone} with {record.strategy}")
    _print_lineage(registry, record)
    summary = shown["summary"]
    if summary.get("strategy"):
        print(f"  {summary['strategy']}")
    print(f"  validation: {_scores(record.metrics)}")
    if shown["test_metrics"]:
        print(f"  test:       {_scores(shown['test_metrics'])}")
    for a in artifacts:
        print(f"  {a['exporter']}: {a['path']} ({_size(a['bytes'])}, sha256 {a['sha256'][:12]})")
    return EXIT_OK


def _print_lineage(registry: Any, record: Any) -> None:
    """Where a run came from (its parent, and what changed) and the runs that followed it."""
    from tunekit.spec import spec_changes

    if record.parent_id is not None:
        parent = registry.get_run(record.parent_id)
        changed = [f"{name} {_plain(old)} -> {_plain(new)}"
                   for name, old, new in spec_changes(parent.spec, record.spec)
                   if not name.endswith("path")] if parent else []
        print(f"  follows run {record.parent_id}"
              + (f", changing {'; '.join(changed)}" if changed else ""))
    children = [r.id for r in registry.runs() if r.parent_id == record.id]
    if children:
        print(f"  followed by run{'s' if len(children) > 1 else ''} "
              + ", ".join(str(c) for c in sorted(children)))


def _plain(value: Any) -> str:
    if value is None:
        return "default"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _run_summary(record: Any) -> dict[str, Any]:
    return {"id": record.id, "status": record.status, "task": record.task,
            "dataset": record.dataset, "backbone": record.backbone, "strategy": record.strategy,
            "metrics": record.metrics, "created_at": record.created_at,
            "started_at": record.started_at, "finished_at": record.finished_at,
            "duration_seconds": record.duration_seconds(), "parent_id": record.parent_id,
            "sweep_id": record.sweep_id, "trial": record.trial,
            "trial_label": record.trial_label, "trial_state": record.trial_state,
            "error": record.error}


def _scores(metrics: dict[str, Any] | None) -> str:
    if not metrics:
        return "-"
    return "  ".join(f"{k} {v:.4f}" for k, v in metrics.items() if isinstance(v, int | float))


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
