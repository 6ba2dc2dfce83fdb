"""What the assistant says about the tools around a run, and what it offers to do.

The data check runs at once (it reads the data, trains nothing). The learning-rate finder, a
bake-off and a sweep train, so each is only *offered* here: an ``Offer`` the next turn may
accept ("yes", or its choice), exactly as a run is shown before it launches. Offers are
checked before they are made (a sweep's every trial spec validates, a bake-off's strategies
exist), so a yes never starts something that fails at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tunekit.errors import TunekitError
from tunekit.spec import parse_spec

from .data_report import fixes, say_report
from .tool_words import BAKEOFF, BAKEOFF_DEFAULT, LR_FIND, RESUME, SWEEP, ToolRequest

RUN_LR_FIND, START_BAKEOFF, START_SWEEP, NOT_NOW = (
    "Run the learning-rate finder", "Start the bake-off", "Start the sweep", "Not now")
LR_FIND_STEPS = 200


@dataclass(frozen=True)
class Offer:
    """Something a reply offered to do: an action to start (``lr-find``, ``bakeoff``,
    ``sweep``, ``resume``, with its ``arguments``) or, for ``apply``, changes to make to the
    draft."""

    action: str
    arguments: dict[str, Any] = field(default_factory=dict)

    def same(self, other: Offer | None) -> bool:
        return other is not None and (self.action, self.arguments) == (other.action,
                                                                        other.arguments)


@dataclass
class Said:
    """A reply about a tool: its text, its choices, and what each choice (and a plain yes,
    under ``yes``) accepts."""

    text: str
    choices: list[str] = field(default_factory=list)
    offers: dict[str, Offer] = field(default_factory=dict)
    yes: Offer | None = None


# ---------------------------------------------------------------- the data check


def check_data(assistant: Any) -> Said:
    """Run the data check on the draft's data and say what it found."""
    from tunekit.tools.datacheck import check_spec

    try:
        spec = parse_spec(assistant.draft, assistant.manager, base_dir=assistant.base_dir)
        report = check_spec(spec, assistant.manager)
    except TunekitError as exc:
        return Said(f"I could not check the data: {exc}")
    offered = fixes(report, spec.to_dict(), assistant.catalog)
    said = Said(say_report(report, offered), [f.label for f in offered])
    for fix in offered:
        said.offers[fix.label.lower()] = Offer("apply", fix.changes)
    if len(offered) == 1:
        said.yes = said.offers[offered[0].label.lower()]
    return said


# ---------------------------------------------------------------- offers of things that train


def _offering(text: str, choice: str, offer: Offer) -> Said:
    """A reply that offers one thing: ``choice`` (or a plain yes) accepts ``offer``, "Not now"
    declines it."""
    return Said(text, [choice, NOT_NOW], {choice.lower(): offer}, offer)


def offer_lr_find(assistant: Any) -> Said:
    spec = _spec(assistant)
    if isinstance(spec, str):
        return Said(spec)
    data = spec.to_dict()
    strategy = assistant.catalog.get("strategy", data["strategy"]["name"])
    default = f" ({strategy.name}'s default is {strategy.default_learning_rate:g})" \
        if strategy is not None else ""
    offer = Offer(LR_FIND, {"steps": LR_FIND_STEPS})
    return _offering(
        f"The learning-rate finder trains a throwaway copy of this run ({data['strategy']['name']}"
        f" on {_data_name(data)}) for up to {LR_FIND_STEPS} steps while the rate grows from 1e-6 "
        f"to 1, watches the loss, and suggests the rate one step below where it stops falling"
        f"{default}. Nothing is recorded, and it takes about as long as a short epoch. Shall I "
        "run it?", RUN_LR_FIND, offer)


def offer_bakeoff(assistant: Any, request: ToolRequest) -> Said:
    from tunekit.tools.bakeoff import entry_spec, parse_entries
    from tunekit.tools.sweep import read_base

    spec = _spec(assistant)
    if isinstance(spec, str):
        return Said(spec)
    installed = assistant.manager.names("strategy")
    strategies = request.strategies or [s for s in BAKEOFF_DEFAULT if s in installed]
    try:
        base = read_base(spec, assistant.manager)
        entries = parse_entries(strategies, assistant.manager, request.scratch)
        for entry in entries:
            entry_spec(base, entry, assistant.manager)
    except TunekitError as exc:
        return Said(f"I cannot run that bake-off: {exc}")
    labels = [e.label for e in entries]
    offer = Offer(BAKEOFF, {"strategies": strategies, "scratch": request.scratch})
    pinned = [k.replace("_", " ") for k in ("epochs", "learning_rate")
              if spec.data["training"].get(k) is not None]
    how = ("each with its own recommended epochs and learning rate" if not pinned else
           f"all with the {' and '.join(pinned)} this run sets")
    return _offering(
        f"A bake-off trains this run once per entry — {_listed(labels)} — on the same data and "
        f"seed, {how}, then compares validation and test scores, trainable parameters, time and "
        f"memory side by side with a verdict. That is {len(labels)} trainings. Shall I start "
        "it?", START_BAKEOFF, offer)


def offer_sweep(assistant: Any, request: ToolRequest) -> Said:
    from tunekit.tools.search_space import grid, parse_space, show, typed
    from tunekit.tools.sweep import check_specs, objective, read_base

    spec = _spec(assistant)
    if isinstance(spec, str):
        return Said(spec)
    manager = assistant.manager
    try:
        base = read_base(spec, manager)
        space = typed(parse_space(request.space, "the sweep"), base.data, manager)
        sampler = request.sampler or ("grid" if all(d.finite for d in space.values()) else "tpe")
        combos = len(grid(space, where="a grid search")) if sampler == "grid" else None
        check_specs(base, space, manager, where="the sweep")
        metric, _ = objective(base.spec, manager)
    except TunekitError as exc:
        return Said(f"I cannot run that sweep: {exc}")
    trials = request.trials
    if combos is not None:
        trials = min(trials, combos) if trials else combos
    elif trials is None:
        trials = 10
    searched = "; ".join(
        f"{path} in {', '.join(show(v) for v in dim.values())}" if dim.finite and not dim.is_range
        else f"{path} from {show(dim.low)} to {show(dim.high)}"
        + (" (log scale)" if dim.log else "") for path, dim in space.items())
    how = {"grid": "every combination in turn", "random": "values drawn at random",
           "tpe": "Optuna's TPE search (each trial learns from the earlier ones)"}[sampler]
    arguments: dict[str, Any] = {"space": request.space, "sampler": sampler, "trials": trials}
    offer = Offer(SWEEP, arguments)
    return _offering(
        f"A sweep trains this run {trials} time{'s' if trials != 1 else ''} with {searched} — "
        f"{how} — and keeps the best by validation {metric}. Each trial is a full run, and a "
        "hopeless one is stopped early. Shall I start it?",
        START_SWEEP, offer)


# ---------------------------------------------------------------- resuming a stopped run


def offer_resume(assistant: Any, request: ToolRequest) -> Said:
    """Offer to carry on the run named (else the last interrupted one, else the last stopped
    one) from its checkpoint; or say why it cannot be."""
    runs = assistant.runs
    if runs is None:
        return Said("I cannot see the past runs from here: resume one with `tunekit run "
                    "--resume RUN` (`tunekit runs list` shows them).")
    if request.run is not None:
        try:
            run = runs.check(request.run)
        except TunekitError as exc:
            hint = f" You can {exc.hint}." if exc.hint else ""
            return Said(f"I cannot resume run {request.run}: {exc.message}.{hint}")
    else:
        stopped = runs.runs()
        if not stopped:
            return Said("There is no stopped run with a checkpoint to resume. A run writes a "
                        "checkpoint after each epoch (or every training.checkpoint_every steps).")
        run = next((r for r in stopped if r.status == "interrupted"), stopped[0])
    return resume_offers([run], lead="")


def resume_offers(runs: list[Any], lead: str) -> Said:
    """Each of ``runs`` (``tunekit.engine.resumable.StoppedRun``) offered as a "Resume run N"
    choice, after ``lead`` (empty: the one run's story and "Shall I resume it?")."""
    offers = {f"resume run {r.id}": Offer(RESUME, {"run": r.id}) for r in runs}
    choices = [f"Resume run {r.id}" for r in runs]
    if lead:
        return Said(lead, choices, offers)
    run = runs[0]
    return Said(f"Run {run.id} was {run.status} {run.where()}. Resuming carries it on from its "
                "checkpoint with the same settings and data, to the result it would have had "
                "without the stop. Shall I resume it?", [*choices, NOT_NOW], offers,
                offers[f"resume run {run.id}"])


def starting(offer: Offer) -> str:
    """What the assistant says as an accepted offer starts."""
    if offer.action == RESUME:
        return f"Resuming run {offer.arguments.get('run')}…"
    if offer.action == LR_FIND:
        return "Running the learning-rate finder on this run…"
    if offer.action == BAKEOFF:
        entries = list(offer.arguments.get("strategies") or []) + (
            ["scratch"] if offer.arguments.get("scratch") else [])
        return f"Starting the bake-off of {_listed(entries)}…"
    if offer.action == SWEEP:
        return f"Starting the sweep ({offer.arguments.get('trials')} trials)…"
    return "Starting…"


def say_finding(steepest: float | None, lowest: float) -> str:
    """Why the learning-rate finder suggests its rate, in a sentence."""
    fell = f"the loss fell fastest around {steepest:.2g} and " if steepest else "the loss "
    return (f"{fell}was lowest at {lowest:.2g}; a tenth of that learns fast and stays clear of "
            "where training blows up.")


def _spec(assistant: Any) -> Any:
    """The draft as a RunSpec, or what stops it, in words."""
    if assistant.pending:
        return "First tell me which column to use (see my question above)."
    try:
        return parse_spec(assistant.draft, assistant.manager, base_dir=assistant.base_dir)
    except TunekitError as exc:
        return f"The run is not ready yet: {exc}"


def _data_name(data: dict[str, Any]) -> str:
    dataset = data.get("dataset") or {}
    path = dataset.get("path")
    return str(path).rsplit("/", 1)[-1] if path else dataset.get("name", "the data")


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


__all__ = ["Offer", "Said", "check_data", "offer_lr_find", "offer_bakeoff", "offer_sweep",
           "offer_resume", "resume_offers", "say_finding", "starting", "LR_FIND", "BAKEOFF",
           "SWEEP", "RESUME"]
