"""``tunekit``: the command line.

    tunekit run [SPEC] [--set FIELD=VALUE ...]   train (no SPEC: the bundled default)
    tunekit plugins [--json]                     installed plugins, components and failures
    tunekit runs list [--json]                   the run history
    tunekit runs show RUN [--json]               one run: status, spec, metrics, artifacts
    tunekit chat [--json]                        configure and launch a run in plain language

Bad input (a spec, a data file, an unknown component) prints one message and exits 2, with
the run, if one started, recorded as failed; any other failure of a run exits 1; Ctrl-C 130.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

EXIT_OK, EXIT_RUN_FAILED, EXIT_BAD_INPUT, EXIT_CANCELLED = 0, 1, 2, 130


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
    run.add_argument("--output-dir", metavar="DIR",
                     help="where run folders go (default: runs/ beside the registry)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--dry-run", action="store_true",
                     help="validate the spec and print it resolved, without training")

    studio = add("studio", help="open the studio in a browser (chat, live runs, history)")
    studio.add_argument("--host", default="127.0.0.1", help="address to listen on")
    studio.add_argument("--port", type=int, default=7860, help="port to listen on")
    studio.add_argument("--share", action="store_true", help="also publish a public share link")
    studio.add_argument("--auth", metavar="USER:PASS", help="require this user and password")
    studio.add_argument("--auth-file", metavar="FILE",
                        help="require a user:password from this file (one per line)")

    chat = add("chat", help="configure and launch a run by talking to the assistant")
    chat.add_argument("--json", action="store_true",
                      help="read one turn per line from standard input and print the resolved "
                           "spec as one JSON object; launch only if a turn confirms")

    plugins = add("plugins", help="list installed plugins and their components")
    plugins.add_argument("--json", action="store_true", help="machine-readable output")

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
        if args.command == "plugins":
            return cmd_plugins(args)
        if args.command == "chat":
            return cmd_chat(args)
        if args.command == "studio":
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


def _manager(args: argparse.Namespace, warn: bool = True) -> Any:
    from tunekit import load_plugins

    manager = load_plugins(args.plugins_dir)
    for problem in manager.problems if warn else ():
        print(f"warning: plugin {problem.plugin} ({problem.source}): {problem.error}",
              file=sys.stderr)
    return manager


def _registry() -> Any:
    from tunekit.registry import Registry

    registry = Registry.open()
    registry.mark_orphans_interrupted()
    return registry


def cmd_run(args: argparse.Namespace) -> int:
    import tunekit
    from tunekit.errors import TunekitError

    manager = _manager(args)
    spec = tunekit.load_spec(args.spec, manager, overrides=args.overrides)
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
    registry = _registry()
    _stop_on_sigterm()
    print(f"training: {spec.data['dataset']['name']} -> {spec.data['backbone']['name']} "
          f"with {spec.data['strategy']['name']} ({spec.source})", file=sys.stderr)
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
        if args.debug:
            traceback.print_exc()
        else:
            print("  (rerun with --debug for the traceback)", file=sys.stderr)
        return EXIT_RUN_FAILED
    _print_result(registry, result)
    return EXIT_OK if result.status == "completed" else EXIT_RUN_FAILED


def _stop_on_sigterm() -> None:
    """SIGTERM (the studio's stop button, a scheduler) stops a run like Ctrl-C: it is
    recorded as cancelled instead of being killed mid-write."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def cmd_chat(args: argparse.Namespace) -> int:
    from tunekit.ui.assistant import Assistant

    manager = _manager(args)
    assistant = Assistant(manager)
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
        if reply.action == "launch":
            launched = reply.spec
            code = _launch_from_chat(args, manager, assistant, reply.spec, say)
            if args.json:
                print(json.dumps(reply.spec))
                return code
    if args.json:
        print(json.dumps(launched or assistant.spec()))
    return EXIT_OK


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


def _print_result(registry: Any, result: Any) -> None:
    record = registry.get_run(result.run_id)
    took = _duration(record.duration_seconds())
    print(f"run {result.run_id} {result.status} in {took}")
    print(f"  validation: {_scores(result.metrics)}")
    if result.test_metrics:
        print(f"  test:       {_scores(result.test_metrics)}")
    for artifact in result.artifacts:
        print(f"  {artifact['exporter']}: {artifact['path']} ({_size(artifact['bytes'])})")
    print(f"  details: tunekit runs show {result.run_id}")


def cmd_plugins(args: argparse.Namespace) -> int:
    manager = _manager(args, warn=False)  # the listing shows the problems itself
    description = manager.describe()
    if args.json:
        print(json.dumps(description, indent=2, default=str))
        return EXIT_OK
    print(f"plugin contract {description['contract_version']}")
    for plugin in manager.plugins.values():
        status = "" if plugin.status == "loaded" else "  FAILED"
        print(f"\n{plugin.name} {plugin.version}  [{plugin.source}]{status}")
        if plugin.error:
            print(f"  error: {plugin.error}")
        for kind, name in plugin.components:
            component = manager.get(kind, name)
            print(f"  {kind:<9} {name:<18} {component.title}")
    others = [p for p in manager.problems if p.plugin not in manager.plugins
              or manager.plugins[p.plugin].status == "loaded"]
    if others:
        print("\nproblems:")
        for problem in others:
            print(f"  {problem.plugin} ({problem.source}): {problem.error}")
    return EXIT_OK


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
             f"{'accuracy':>8}  {'duration':>8}  started"
    print(header)
    for r in runs:
        accuracy = r.metrics.get("accuracy")
        acc = f"{accuracy:.4f}" if accuracy is not None else "-"
        started = r.created_at.strftime("%Y-%m-%d %H:%M")
        print(f"{r.id:>4}  {r.status:<11} {r.dataset[:16]:<16} {r.backbone[:12]:<12} "
              f"{r.strategy[:13]:<13} {acc:>8}  {_duration(r.duration_seconds()):>8}  {started}")
    return EXIT_OK


def cmd_runs_show(args: argparse.Namespace) -> int:
    from tunekit.errors import TunekitError

    registry = _registry()
    record = registry.get_run(args.run)
    if record is None:
        raise TunekitError(f"there is no run {args.run}", where="runs show",
                           hint="`tunekit runs list` shows the runs")
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
    print(f"  {record.dataset} -> {record.backbone} with {record.strategy}")
    summary = shown["summary"]
    if summary.get("strategy"):
        print(f"  {summary['strategy']}")
    print(f"  validation: {_scores(record.metrics)}")
    if shown["test_metrics"]:
        print(f"  test:       {_scores(shown['test_metrics'])}")
    for a in artifacts:
        print(f"  {a['exporter']}: {a['path']} ({_size(a['bytes'])}, sha256 {a['sha256'][:12]})")
    return EXIT_OK


def _run_summary(record: Any) -> dict[str, Any]:
    return {"id": record.id, "status": record.status, "task": record.task,
            "dataset": record.dataset, "backbone": record.backbone, "strategy": record.strategy,
            "metrics": record.metrics, "created_at": record.created_at,
            "started_at": record.started_at, "finished_at": record.finished_at,
            "duration_seconds": record.duration_seconds(), "parent_id": record.parent_id,
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
