"""What ``tunekit chat`` does when the person accepts one of the assistant's tools: the
learning-rate finder, a bake-off, a sweep or resuming a stopped run, run here in the terminal
(a helper of ``chat``, not a subcommand). Each reports in words and may hand back the
assistant's next reply (the rate found, a sweep's best values, offered to the run)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

ACTIONS = ("lr-find", "bakeoff", "sweep", "resume")
LR_FIND_PLOT = "lr-find.png"


def run_action(reply: Any, assistant: Any, manager: Any, say: Callable[[str], None],
               progress: bool) -> Any:
    """Run the accepted tool of ``reply`` on its spec; the assistant's follow-up Reply, or
    None. Errors are said in one line, never raised."""
    import tunekit
    from tunekit.errors import TunekitError

    run = {"lr-find": _lr_find, "bakeoff": _bakeoff, "sweep": _sweep,
           "resume": _resume}[reply.action]
    try:
        # a resume trains with the run's recorded spec, not the draft
        spec = None if reply.action == "resume" else tunekit.parse_spec(
            reply.spec, manager, base_dir=assistant.base_dir)
        return run(spec, reply.arguments, assistant, manager, say, progress)
    except TunekitError as exc:
        say(f"The {reply.action} could not run: {exc}")
    except KeyboardInterrupt:
        say(f"The {reply.action} was stopped.")
    except Exception as exc:  # noqa: BLE001 - a bug or a resource problem: one line
        say(f"The {reply.action} failed: {type(exc).__name__}: {exc}")
    return None


def _lr_find(spec: Any, arguments: dict[str, Any], assistant: Any, manager: Any,
             say: Callable[[str], None], progress: bool) -> Any:
    from tunekit.tools.lr_find import lr_find
    from tunekit.ui.assistant.tool_talk import say_finding

    plot = Path(LR_FIND_PLOT).resolve()
    finding = lr_find(spec, manager=manager, steps=int(arguments.get("steps") or 200), plot=plot)
    for note in finding.notes:
        say(f"  note: {note}")
    if finding.suggestion is None:
        say(f"The learning-rate finder found no clear rate ({finding.stopped}); plot: {plot}")
        return None
    rate = float(f"{finding.suggestion:.2g}")
    why = say_finding(finding.steepest_rate, finding.min_loss_rate)
    return assistant.offer(
        f"The learning-rate finder suggests **{rate:.2g}**: {why} The plot is in {plot}. Shall "
        f"I use {rate:.2g}?",
        {"training.learning_rate": rate}, f"Use learning rate {rate:.2g}")


def _bakeoff(spec: Any, arguments: dict[str, Any], assistant: Any, manager: Any,
             say: Callable[[str], None], progress: bool) -> Any:
    from tunekit.tools.bakeoff import bakeoff
    from tunekit.ui.commands.common import _registry

    report = bakeoff(spec, arguments.get("strategies") or None,
                     scratch=bool(arguments.get("scratch")), manager=manager,
                     registry=_registry(), progress=progress, say=say)
    say(f"Bake-off {report.sweep_id} {report.status}:\n{report.table()}")
    say("\n".join(f"- {line}" for line in report.verdict))
    return None


def _resume(spec: Any, arguments: dict[str, Any], assistant: Any, manager: Any,
            say: Callable[[str], None], progress: bool) -> Any:
    import tunekit
    from tunekit.ui.assistant import explain_run
    from tunekit.ui.commands.common import _registry

    registry = _registry()
    result = tunekit.resume(int(arguments["run"]), manager=manager, registry=registry,
                            progress=progress)
    say(explain_run(registry, result.run_id).text)
    return None


def _sweep(spec: Any, arguments: dict[str, Any], assistant: Any, manager: Any,
           say: Callable[[str], None], progress: bool) -> Any:
    from tunekit.tools.search_space import show
    from tunekit.tools.sweep import sweep
    from tunekit.ui.commands.common import _registry

    result = sweep(spec, arguments["space"], sampler=arguments.get("sampler"),
                   trials=arguments.get("trials"), manager=manager, registry=_registry(),
                   progress=progress, say=say)
    say(f"Sweep {result.sweep_id} {result.status}:\n{result.table()}")
    if result.best is None:
        say("No trial completed, so there is no best value to use.")
        return None
    values = ", ".join(f"{field.split('.')[-1].replace('_', ' ')} {show(value)}"
                       for field, value in result.best.params.items())
    return assistant.offer(
        f"The best trial ({result.best.number}, run {result.best.run_id}) scored validation "
        f"{result.metric} {result.best.value:.4f} with {values}; its spec is in "
        f"{result.best_spec_path}. Shall I use these values for the next run?",
        dict(result.best.params), "Use the best values")
