"""Requests for the tools around a run: the data check, the learning-rate finder, a bake-off
of strategies and a sweep of values.

``read_tool(message, catalog, draft)`` returns a ``ToolRequest`` or None. The readers are
careful not to take a setting for a tool: "lr 3e-4" sets a rate, "try learning rates 1e-4 and
3e-4" sweeps it; "which strategy should I use?" is answered, "try them all" is a bake-off.
A sweep is read as fields and their values: "try learning rates 1e-4, 3e-4 and 1e-3" (a list),
"the learning rate between 1e-5 and 1e-3 with 10 trials" (a range), "grid search r 4 8 16".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .language import NUMBER, negated_before, normalise

CHECK_DATA, LR_FIND, BAKEOFF, SWEEP, FORCE, RESUME = (
    "check-data", "lr-find", "bakeoff", "sweep", "force", "resume")

# the strategies a bake-off compares when none is named (those installed)
BAKEOFF_DEFAULT = ("full", "head-only", "lora", "gradual")

_DATA = r"(?:data(?:set)?|file|csv|examples|labels|training data|rows)"
_OWNER = r"(?:my|the|this|our|your|that)"
CHECK_DATA_WORDS = re.compile(
    rf"\bdata[- ]?check\b|"
    rf"\b(?:check|validate|inspect|audit|examine|vet|sanity[- ]check|scan|review|look (?:at|over)"
    rf"|analy[sz]e)\b(?: {_OWNER})?(?: [\w-]+)?? {_DATA}\b(?![/\\]|\.\w)|"
    # "check data/tickets.csv" (not "validate on dev.csv": a validation file)
    rf"\b(?:check|inspect|audit|examine|scan|look (?:at|over)|analy[sz]e)(?: {_OWNER})? "
    rf"\S+\.(?:csv|tsv|jsonl|ndjson)\b|"
    rf"\b(?:is|are) {_OWNER} {_DATA}(?: [\w-]+){{0,2}}? (?:ok|okay|good|fine|clean|alright|"
    rf"all right|usable|valid|correct|sound|good enough)\b|"
    rf"\b(?:problems?|issues?|wrong|errors?|mistakes?|anything off|duplicates?|leak\w*|"
    rf"trouble)\b(?: [\w-]+){{0,3}}? (?:with|in) {_OWNER} {_DATA}\b")
FORCE_WORDS = re.compile(
    r"\b(?:train|run|start|go|launch|do it)\w*(?: it| the run)? anyway\b|\b(?:ignore|override|"
    r"skip|bypass) (?:the )?data[- ]?check\b|\b(?:despite|regardless of|ignore|ignoring) (?:the |"
    r"these |those )?(?:data )?(?:problems|issues|findings)\b")

_RATE = r"(?:learning[- ]?rates?|\blrs?\b)"
LR_FINDER = re.compile(
    rf"\b(?:lr|learning[- ]?rate)[- ]?(?:range[- ])?(?:finder|find|range test)\b|\blr[- ]?find\b|"
    rf"\b(?:find|search for|look for|figure out|determine|discover|work out)\b(?: (?:me|us))?"
    rf"(?: (?:a|the|an|my|our))?(?: (?:good|best|right|suitable|optimal|ideal|better|sensible|"
    rf"decent|proper))? {_RATE}")
LR_QUESTION = re.compile(
    rf"\b(?:what|which)\b(?: [\w-]+){{0,3}}? {_RATE}\b.*\b(?:should|use|pick|choose|set|best|"
    rf"good|right|ideal|recommend\w*|suggest\w*)\b|\b(?:good|best|right|ideal|optimal|"
    rf"recommended) {_RATE}")

_STRATEGIES = r"(?:strategies|methods|approaches|ways of (?:fine[- ]?)?tuning)"
BAKEOFF_WORDS = re.compile(
    rf"\bbake[- ]?offs?\b|\b(?:compare|benchmark|pit|race|try|test|evaluate|run|train with)\b"
    rf"(?: [\w-]+){{0,3}}? {_STRATEGIES}\b|\btry (?:them|each|every one|all of them)(?: all)?\b|"
    rf"\btry (?:all|each|every) (?:the )?(?:strateg\w*|of them)\b|\bside[- ]by[- ]side\b")
SCRATCH_WORDS = re.compile(r"\bfrom scratch\b|\brandom(?:ly initiali[sz]ed)? weights\b|"
                           r"\bwithout pre-?train\w*\b|\bno pre-?train\w*\b|\bscratch\b")

SWEEP_VERBS = re.compile(
    r"\b(?:try|trying|search|sweep|grid[- ]?search|random search|(?<![\w-])tune|explore|test|"
    r"compare|scan|"
    r"vary|experiment with|optimi[sz]e|hyper-?parameter search|find the best|which of|"
    r"between)\b")
SAMPLERS = (("grid", re.compile(r"\bgrid\b")), ("random", re.compile(r"\brandom(?:ly)?\b")),
            ("tpe", re.compile(r"\b(?:tpe|bayesian|optuna|smart(?:er)? search)\b")))
TRIALS = re.compile(r"(?:\b(?:with|in|over|for|using|up to|at most|max(?:imum)?)\s+)?(\d+)\s+"
                    r"(?:trials?|runs?|tries|attempts|experiments|combinations)\b")
# training fields a person names in a sweep, by their words; component options are added from
# the strategy the draft uses (its option names, and "rank" for r)
SWEEP_FIELDS = (
    ("training.learning_rate", _RATE),
    ("training.epochs", r"\bepochs?\b"),
    ("training.batch_size", r"\bbatch[- ]?sizes?\b|\bbatch(?:es)?\b"),
    ("training.weight_decay", r"\bweight[- ]?decays?\b"),
    ("training.warmup_ratio", r"\bwarm[- ]?up(?: ratios?)?\b"),
    ("training.label_smoothing", r"\blabel[- ]smoothing\b"),
    ("training.max_length", r"\bmax(?:imum)?[ _-]?length\b"),
    ("training.seed", r"\bseeds?\b"),
)
# fields whose values are said before their name ("3 epochs", "freeze 2 layers")
COUNTED_FIELDS = ("training.epochs", "strategy.layers")
WHOLE_FIELDS = ("training.epochs", "training.batch_size", "training.max_length", "training.seed")
LOG_FIELDS = ("training.learning_rate", "training.weight_decay")
LIST = re.compile(rf"(?<![\w.]){NUMBER}(?:(?:\s*,\s*|\s+)(?:(?:and|or|&)\s+)?{NUMBER})*(?![\w])")
RANGE = re.compile(rf"(?:\bbetween|\bfrom)\s+{NUMBER}\s+(?:and|to|-)\s+{NUMBER}|"
                   rf"{NUMBER}\s*(?:\.\.|to)\s*{NUMBER}")


@dataclass
class ToolRequest:
    """A request for one tool, with what the message said about it."""

    kind: str  # check-data | lr-find | bakeoff | sweep | force | resume
    question: bool = False  # lr-find: asked about ("what rate should I use?"), not requested
    strategies: list[str] = field(default_factory=list)  # bakeoff: named ones (else default)
    scratch: bool = False  # bakeoff: also from random weights
    space: dict[str, Any] = field(default_factory=dict)  # sweep: field -> list or range
    sampler: str | None = None
    trials: int | None = None
    run: int | None = None  # resume: the run named (None: the last stopped one)


def read_tool(message: str, catalog: Any, draft: dict[str, Any]) -> ToolRequest | None:
    """The tool ``message`` asks for, or None when it asks for none."""
    text = normalise(message)
    resumed = read_resume(text)
    if resumed is not None:
        return resumed
    if FORCE_WORDS.search(text):
        return ToolRequest(FORCE)
    swept = read_sweep(text, catalog, draft)
    if swept is not None:
        return swept
    if BAKEOFF_WORDS.search(text):
        named = []
        for mention in sorted(catalog.exact("strategy", text), key=lambda m: m.start):
            if not mention.negated and mention.component.name not in named:
                named.append(mention.component.name)
        return ToolRequest(BAKEOFF, strategies=named if len(named) >= 2 else [],
                           scratch=bool(SCRATCH_WORDS.search(text)))
    if LR_FINDER.search(text):
        return ToolRequest(LR_FIND)
    if LR_QUESTION.search(text) and not re.search(NUMBER, text):
        return ToolRequest(LR_FIND, question=True)
    check = CHECK_DATA_WORDS.search(text)
    # "never look at b.csv until the end" keeps a test file away, it asks for no check
    if check and not negated_before(text, check.start(), window=12):
        return ToolRequest(CHECK_DATA)
    return None


# ---------------------------------------------------------------- resuming a stopped run

# "resume", "resume run 12", "please continue the interrupted run", "pick up run 12 where it
# left off": the whole message asks for it (a column named "resume" is not a request)
RESUME_START = re.compile(r"^(?:(?:please|ok|okay|now|then|yes|so|and|can you|could you|"
                          r"would you|let's|lets|i want to|i'd like to)[,\s]+)*"
                          r"(resume|resuming|continue|carry on|pick up)\b(.*)$")
RESUME_FILLER = frozenset("""the my that this it its run training last latest previous
interrupted stopped cancelled failed killed crashed dead one 1 number no please again now where
left off from checkpoint with a""".split())


def read_resume(text: str) -> ToolRequest | None:
    """A request to carry on a stopped run, with its number when one is named."""
    found = RESUME_START.match(text.strip(" .!?"))
    if not found:
        return None
    verb, rest = found.groups()
    words = re.findall(r"#?\d+|[a-z']+|\S", rest)
    run, previous = None, verb
    for word in words:
        number = word.lstrip("#")
        if number.isdigit() and (word.startswith("#") or previous in (verb, "run", "number",
                                                                      "no")):
            run = int(number)
        elif word not in RESUME_FILLER and word not in (",", "?", "!", "."):
            return None
        previous = word
    # "continue" alone goes on with something else: only a run named makes it a resume
    if not verb.startswith("resum") and run is None and "run" not in words:
        return None
    return ToolRequest(RESUME, run=run)


# ---------------------------------------------------------------- sweeps


def read_sweep(text: str, catalog: Any, draft: dict[str, Any]) -> ToolRequest | None:
    """Fields with two or more values, or a range, next to a word of searching."""
    if not SWEEP_VERBS.search(text):
        return None
    trials = None
    found = TRIALS.search(text)
    if found:
        trials = int(found.group(1))
        text = text[:found.start()] + " " * (found.end() - found.start()) + text[found.end():]
    mentions = sorted(_field_mentions(text, catalog, draft), key=lambda m: m[1])
    space: dict[str, Any] = {}
    used_until = 0  # the text before it is taken by a field's values
    for i, (path, start, end) in enumerate(mentions):
        following = mentions[i + 1][1] if i + 1 < len(mentions) else len(text)
        segment = text[end:following]
        if i + 1 < len(mentions) and mentions[i + 1][0] in COUNTED_FIELDS:
            # "rank 16, 3 epochs": the 3 is the epochs'
            segment = re.sub(rf"{NUMBER}\s*$", "", segment)
        values = _values(segment, path)
        if values is not None:
            used_until = end + len(segment)
        elif start >= used_until:  # "try 2, 3 and 4 epochs": the values come first
            values = _values(text[used_until:start], path, last=True)
            used_until = end
        if values is not None:
            space[path] = values
    searched = {p: v for p, v in space.items() if isinstance(v, dict) or len(v) > 1}
    if not searched:
        return None
    sampler = next((name for name, words in SAMPLERS if words.search(text)), None)
    return ToolRequest(SWEEP, space=space, sampler=sampler, trials=trials)


def _field_mentions(text: str, catalog: Any, draft: dict[str, Any]) -> list[tuple[str, int, int]]:
    found = []
    taken: list[tuple[int, int]] = []
    for path, words in _fields(catalog, draft):
        for match in re.finditer(words, text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue  # "lora dropout" is the strategy's, not the model's
            taken.append((match.start(), match.end()))
            found.append((path, match.start(), match.end()))
    return found


def _fields(catalog: Any, draft: dict[str, Any]) -> list[tuple[str, str]]:
    """``(field, pattern)`` pairs; the strategy's own options first."""
    strategy = draft.get("strategy")
    name = strategy.get("name") if isinstance(strategy, dict) else strategy
    component = catalog.get("strategy", name or "")
    options = []
    for param in getattr(component, "params", ()):
        if param.type not in (int, float):
            continue
        words = [re.escape(param.name.replace("_", " ")), re.escape(param.name)]
        if param.name == "r":
            words = [r"r", r"ranks?", r"lora ranks?"]
        options.append((f"strategy.{param.name}",
                        r"(?<![\w.-])(?:" + "|".join(f"(?:lora |{name} )?{w}" for w in words)
                        + r")(?![\w-])"))
    return options + list(SWEEP_FIELDS)


def _values(segment: str, path: str, last: bool = False) -> list[Any] | dict[str, Any] | None:
    """The values said in ``segment``: a range, or a list of numbers (the first list, or the
    ``last`` one when the values stand before the field's name); None for none. Only numbers
    listed together count: in "1e-4 is too high, try 3e-5" the rate is not searched."""
    span = RANGE.search(segment)
    if span:
        numbers = [g for g in span.groups() if g is not None]
        low, high = (_number(n, path) for n in numbers[:2])
        if low < high:
            bounds: dict[str, Any] = {"low": low, "high": high}
            wide = low > 0 and high / low >= 100  # orders of magnitude: search them evenly
            if path in LOG_FIELDS or wide or re.search(r"\blog", segment):
                bounds["log"] = True
            return bounds
    lists = list(LIST.finditer(segment))
    if not lists:
        return None
    chosen = lists[-1] if last else lists[0]
    numbers = re.findall(NUMBER, chosen.group(0))
    return list(dict.fromkeys(_number(n, path) for n in numbers))


def _number(text: str, path: str) -> int | float:
    value = float(text)
    if value.is_integer() and (path in WHOLE_FIELDS or not re.search(r"[.e]", text)):
        return int(value)
    return value
