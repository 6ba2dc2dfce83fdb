"""Reading a person's message into changes to a run spec.

``understand(message, catalog, draft)`` returns an ``Understanding``: the fields to set (as
dotted paths, like ``--set``), what it noticed, and what it could not place. Components are
matched against the live catalog (names, titles, aliases), so an installed plugin is understood
the moment it is installed; numbers, paths and column names are read with patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .language import NUMBER, as_int, find_phrase, negated_before, normalise, tokens

SEP = r"\s*(?:=|:|of|to|at|is|as|around|about|equal to|set to|be)?\s*"
QUOTED_OR_WORD = r"[\"'`]?([A-Za-z_][\w.\- ]{0,40}?)[\"'`]?"
DATA_SUFFIXES = ("csv", "tsv", "jsonl", "ndjson", "json", "txt")
MODEL_ID = re.compile(
    r"(?<![\w/.-])((?:[A-Za-z0-9][\w.-]*/)?(?:distil|tiny|mini)?(?:bert|roberta|deberta|electra|"
    r"albert|xlm|xlnet|mpnet|minilm|e5|bge|gte|camembert|flaubert|gpt2|gpt-neo|opt|qwen|llama|"
    r"mistral|phi|smollm|modernbert|ernie)[\w.-]*)", re.IGNORECASE)


@dataclass
class Understanding:
    """What one message asks for."""

    changes: dict[str, Any] = field(default_factory=dict)  # dotted path -> value
    noticed: list[str] = field(default_factory=list)  # short notes for the reply
    unknown: list[str] = field(default_factory=list)  # things named that are not installed
    negated: list[str] = field(default_factory=list)  # components the message turns down

    def set(self, path: str, value: Any, note: str | None = None) -> None:
        self.changes[path] = value
        if note:
            self.noticed.append(note)

    def __bool__(self) -> bool:
        return bool(self.changes)


class Catalog:
    """The component vocabulary: for each kind, the phrases that name each component."""

    def __init__(self, components: list[Any]):
        self.components = components
        self.by_kind: dict[str, list[Any]] = {}
        for c in components:
            self.by_kind.setdefault(c.kind, []).append(c)

    def get(self, kind: str, name: str) -> Any | None:
        return next((c for c in self.by_kind.get(kind, []) if c.name == name), None)

    def names(self, kind: str) -> list[str]:
        return [c.name for c in self.by_kind.get(kind, [])]

    def tasks(self) -> list[str]:
        return sorted({t for c in self.components for t in c.tasks})

    def phrases(self, component: Any) -> list[str]:
        found = [component.name, component.name.replace("-", " "), component.title.lower(),
                 *[a.lower() for a in component.aliases]]
        return [p for p in dict.fromkeys(found) if len(p) > 1]

    def mentions(self, kind: str, text: str) -> list[tuple[Any, int, int, bool]]:
        """``(component, position, phrase length, negated)`` for every phrase found."""
        found = []
        for component in self.by_kind.get(kind, []):
            for phrase in self.phrases(component):
                for pos in find_phrase(text, phrase):
                    found.append((component, pos, len(phrase), negated_before(text, pos)))
        return found

    def best(self, kind: str, text: str) -> tuple[Any | None, list[Any]]:
        """The component this text asks for (the longest phrase not negated, the latest
        mention winning a tie: "lora... actually full"), and the ones it turns down."""
        mentions = self.mentions(kind, text)
        negated = [c for c, _, _, neg in mentions if neg]
        wanted = [(length, pos, c) for c, pos, length, neg in mentions
                  if not neg and c not in negated]
        if wanted:
            # the latest explicit choice wins; among overlapping phrases, the longest
            wanted.sort(key=lambda t: (t[1] + t[0], t[0]))
            return wanted[-1][2], negated
        fuzzy = self._fuzzy(kind, text)
        return fuzzy, negated

    def _fuzzy(self, kind: str, text: str) -> Any | None:
        """A component whose alias words all appear in the text (any order, stemmed)."""
        words = set(tokens(text))
        best, best_score = None, 0.0
        for component in self.by_kind.get(kind, []):
            for phrase in self.phrases(component):
                needed = set(tokens(phrase))
                if len(needed) < 2:
                    continue
                score = len(needed & words) / len(needed)
                if score == 1.0 and len(needed) > best_score:
                    best, best_score = component, len(needed)
        return best


# ---------------------------------------------------------------- the reading


def understand(message: str, catalog: Catalog, draft: dict[str, Any]) -> Understanding:
    """Read ``message`` against the catalog and the current ``draft`` spec."""
    text = normalise(message)
    result = Understanding()
    _dataset(message, text, catalog, draft, result)
    _columns(message, result)
    _backbone(message, text, catalog, result)
    _strategy(text, catalog, draft, result)
    _training(text, result)
    _lists(text, catalog, draft, result, "metrics", "metric")
    _lists(text, catalog, draft, result, "exporters", "exporter")
    _task(text, catalog, result)
    return result


def _task(text: str, catalog: Catalog, result: Understanding) -> None:
    for task in catalog.tasks():
        if find_phrase(text, task) or find_phrase(text, task.replace("-", " ")):
            result.set("task", task)


def find_paths(message: str) -> list[str]:
    """File paths with a data suffix, as written (quotes removed)."""
    suffixes = "|".join(DATA_SUFFIXES)
    pattern = rf"""["'`]?((?:~|\.{{1,2}}|/)?[\w./\\~-]*[\w-]\.(?:{suffixes}))(?![\w])["'`]?"""
    return [m.group(1) for m in re.finditer(pattern, message, re.IGNORECASE)]


def _dataset(message: str, text: str, catalog: Catalog, draft: dict[str, Any],
             result: Understanding) -> None:
    paths = find_paths(message)
    if paths:
        path = paths[0]
        suffix = Path(path).suffix.lower().lstrip(".")
        name = "jsonl" if suffix in ("jsonl", "ndjson", "json") else "csv"
        if catalog.get("dataset", name) is None:
            result.unknown.append(f"a dataset plugin for .{suffix} files")
            return
        result.set("dataset", {"name": name, "path": path}, f"data: {path}")
        split = re.search(rf"{NUMBER}\s*%?\s*(?:of (?:the )?(?:data|examples) )?(?:for|as)? ?"
                          r"(?:the )?validation", text)
        if split:
            value = float(split.group(1))
            result.set("dataset.validation_split", value / 100 if value >= 1 else value)
        test = re.search(rf"{NUMBER}\s*%?\s*(?:of (?:the )?(?:data|examples) )?(?:for|as)? ?"
                         r"(?:a |the )?(?:held[- ]out )?test", text)
        if test:
            value = float(test.group(1))
            result.set("dataset.test_split", value / 100 if value >= 1 else value)
        return
    # a bundled dataset by name; file-type aliases ("csv", "json") need a path to mean anything
    component, _ = catalog.best("dataset", text)
    if component is not None and not any(p.name in ("path",) for p in component.params):
        result.set("dataset", {"name": component.name}, f"data: {component.title}")


def _columns(message: str, result: Understanding) -> None:
    """Text and label column names, from the many ways people say them."""
    m = message
    name = r"[\"'`]?([A-Za-z_][\w\-]*)[\"'`]?"
    text_patterns = [
        rf"\btext[_ ]column{SEP}(?:named |called )?{name}",
        rf"\b(?:the )?(?:input )?texts? (?:is|are|lives?|sits?|comes?|)\s*(?:in|under|from) "
        rf"(?:the |a )?(?:column |field )?{name}",
        rf"\b(?:column|field) {name} (?:has|holds|contains|is) (?:the )?(?:input )?texts?\b",
        rf"{name} (?:column |field )?(?:has|holds|contains|is|as) (?:the )?(?:input )?texts?\b",
        rf"\bpredict\w* (?:the )?\S+ (?:column )?from (?:the )?{name}",
        rf"\bclassify (?:the )?{name} (?:column|field)\b",
        rf"\b(?:the )?texts? (?:column|field) (?:is |= ?|: ?)?(?:named |called )?{name}",
    ]
    label_patterns = [
        rf"\blabel[_ ]column{SEP}(?:named |called )?{name}",
        rf"\b(?:the )?(?:labels?|targets?|classes|categories) (?:is|are|lives?|sits?|comes?|)"
        rf"\s*(?:in|under|from) (?:the |a )?(?:column |field )?{name}",
        rf"\b(?:column|field) {name} (?:has|holds|contains|is) (?:the )?(?:labels?|targets?)\b",
        rf"{name} (?:column |field )?(?:has|holds|contains|is|as) (?:the )?(?:labels?|targets?)\b",
        rf"\bpredict\w* (?:the )?{name} (?:column |field )?from\b",
        rf"\binto (?:the )?{name} (?:column|field)\b",
        rf"\b(?:the )?(?:labels?|targets?) (?:column|field) (?:is |= ?|: ?)?(?:named |called )?"
        rf"{name}",
    ]
    skip = {"the", "a", "an", "column", "field", "is", "in", "text", "label", "labels", "from",
            "my", "file", "data", "csv", "this", "that", "each", "every"}
    for path, patterns in (("dataset.text_column", text_patterns),
                           ("dataset.label_column", label_patterns)):
        for pattern in patterns:
            found = re.search(pattern, m, re.IGNORECASE)
            if found and found.group(1).lower() not in skip:
                result.set(path, found.group(1), f"{path.split('.')[1].replace('_', ' ')}: "
                           f"{found.group(1)}")
                break


def _backbone(message: str, text: str, catalog: Catalog, result: Understanding) -> None:
    component, negated = catalog.best("backbone", text)
    result.negated += [c.name for c in negated]
    explicit = re.search(r"(?:model|backbone|checkpoint|base)\s*(?:=|:|is|called|named)?\s*"
                         r"[\"'`]?((?:[A-Za-z0-9][\w.-]*/)?[\w.-]+(?:/[\w.-]+)?)[\"'`]?",
                         message, re.IGNORECASE)
    model_id = None
    for match in MODEL_ID.finditer(message):
        candidate = match.group(1).rstrip(".")
        if candidate.lower().endswith(DATA_SUFFIXES) or negated_before(text, match.start()):
            continue
        if candidate.lower() in ("minilm", "minilm-l6", "all-minilm-l6-v2", "bert"):
            continue
        model_id = candidate
    if model_id is None and explicit and ("/" in explicit.group(1)
                                           or explicit.group(1).startswith((".", "~"))):
        candidate = explicit.group(1)
        if not candidate.lower().endswith(DATA_SUFFIXES):
            model_id = candidate
    if model_id and catalog.get("backbone", "hf") is not None:
        result.set("backbone", {"name": "hf", "model": model_id}, f"backbone: {model_id}")
    elif component is not None:
        result.set("backbone", {"name": component.name}, f"backbone: {component.title}")


def _strategy(text: str, catalog: Catalog, draft: dict[str, Any], result: Understanding) -> None:
    component, negated = catalog.best("strategy", text)
    result.negated += [c.name for c in negated]
    # patterns that name a strategy and its numbers at once
    freeze = re.search(r"freez\w* (?:the )?(?:bottom|first|lowest|lower|early|earliest|initial)"
                       rf" {NUMBER} (?:transformer |encoder )?(?:layers?|blocks?)", text) or \
        re.search(rf"freez\w* {NUMBER} (?:of the )?(?:bottom |first |lowest |lower |early )?"
                  r"(?:transformer |encoder )?(?:layers?|blocks?)", text) or \
        re.search(rf"(?:bottom|first|lowest|lower) {NUMBER} (?:layers?|blocks?) (?:frozen|fixed|"
                  r"locked)", text)
    if freeze and not negated_before(text, freeze.start()):
        layers = as_int(float(freeze.group(1)))
        if layers is not None and catalog.get("strategy", "freeze-bottom"):
            result.set("strategy", {"name": "freeze-bottom", "layers": layers},
                       f"strategy: freeze the bottom {layers} layers")
            return
    current = draft.get("strategy", {})
    current_name = current.get("name") if isinstance(current, dict) else current
    if component is not None:
        result.set("strategy", {"name": component.name}, f"strategy: {component.title}")
        current_name = component.name
    elif current_name in [c.name for c in negated]:
        fallback = "full" if current_name != "full" else "lora"
        result.set("strategy", {"name": fallback}, f"strategy: {fallback}")
        current_name = fallback
    _strategy_numbers(text, catalog, current_name, result)


def _strategy_numbers(text: str, catalog: Catalog, name: str | None,
                      result: Understanding) -> None:
    numbers = {
        "r": rf"(?:lora[ -])?(?:rank|\br){SEP}{NUMBER}|{NUMBER}[ -]?rank\b",
        "alpha": rf"(?:lora[ -])?alpha{SEP}{NUMBER}",
        "dropout": rf"(?:lora|adapter)[ -]dropout{SEP}{NUMBER}",
        "layers": rf"freez\w* (?:the )?(?:bottom|first|lowest|lower) {NUMBER}",
        "factor": rf"(?:factor|divide\w* (?:the )?(?:rate|lr|learning rate) by){SEP}{NUMBER}",
        "every": rf"(?:unfreeze|one (?:more )?(?:layer|group|block)) (?:\w+ ){{0,4}}every "
                 rf"{NUMBER} epochs?",
    }
    wanted = {p: re.search(pattern, text) for p, pattern in numbers.items()}
    target = name
    if wanted["r"] or wanted["alpha"] or wanted["dropout"]:
        target = target if target == "lora" else ("lora" if not name or name == "lora" else name)
    component = catalog.get("strategy", target) if target else None
    if component is None:
        return
    known = {p.name: p for p in component.params}
    for param, found in wanted.items():
        if not found or param not in known:
            continue
        raw = next(g for g in found.groups() if g is not None)
        value = float(raw)
        if known[param].type is int:
            if as_int(value) is None:
                continue
            value = as_int(value)
        result.set(f"strategy.{param}", value, f"{param}: {value}")


TRAINING_PATTERNS: dict[str, tuple[list[str], type]] = {
    "epochs": ([rf"{NUMBER}\s*(?:more )?(?:epochs?|passes|rounds|full passes)\b",
                rf"\bepochs?{SEP}{NUMBER}", rf"\bfor {NUMBER} (?:epochs?|passes|rounds)"], int),
    "learning_rate": ([rf"(?:learning[\s_-]?rate|\blr)\b{SEP}{NUMBER}",
                       rf"{NUMBER}\s*(?:learning[\s_-]?rate|lr)\b"], float),
    "batch_size": ([rf"batch(?:[\s_-]?size)?(?:es)?{SEP}{NUMBER}", rf"batches of {NUMBER}",
                    rf"\bbs{SEP}{NUMBER}", rf"{NUMBER}\s*(?:examples|samples|texts)? ?per batch",
                    rf"{NUMBER}[- ]example batches"], int),
    "weight_decay": ([rf"weight[\s_-]?decay{SEP}{NUMBER}", rf"\bwd{SEP}{NUMBER}",
                      rf"{NUMBER}\s*weight[\s_-]?decay"], float),
    "dropout": ([rf"(?<!lora )(?<!adapter )(?<!lora-)dropout(?: rate| probability)?{SEP}{NUMBER}",
                 rf"{NUMBER}\s*dropout"], float),
    "seed": ([rf"(?:random )?seed{SEP}{NUMBER}"], int),
    "max_length": ([rf"(?:max(?:imum)?[\s_-]?(?:sequence[\s_-]?|input[\s_-]?)?(?:length|len)|"
                    rf"sequence length|seq[\s_-]?len(?:gth)?|truncat\w* (?:\w+ )?(?:to|at)|"
                    rf"max(?:imum)? (?:of )?){SEP}{NUMBER}(?:\s*tokens)?",
                    rf"(?:up to|at most|limit (?:\w+ )?to) {NUMBER} tokens"], int),
    "warmup_ratio": ([rf"warm[\s-]?up(?: ratio)?{SEP}{NUMBER}\s*%?"], float),
    "max_grad_norm": ([rf"(?:clip\w* (?:the )?gradients? (?:at|to)|max[\s_-]?grad[\s_-]?norm|"
                       rf"gradient clipping){SEP}{NUMBER}"], float),
}


def _training(text: str, result: Understanding) -> None:
    for field_name, (patterns, kind) in TRAINING_PATTERNS.items():
        for pattern in patterns:
            found = re.search(pattern, text)
            if not found:
                continue
            raw = next(g for g in found.groups() if g is not None)
            value: Any = float(raw)
            if field_name == "warmup_ratio" and value >= 1:
                value = value / 100
            if kind is int:
                value = as_int(value)
                if value is None:
                    continue
            result.set(f"training.{field_name}", value,
                       f"{field_name.replace('_', ' ')}: {value:g}")
            break
    if re.search(r"\b(?:no|without|zero|disable|turn off|skip)\b[\w ]{0,12}weight[\s_-]?decay",
                 text):
        result.set("training.weight_decay", 0.0, "no weight decay")
    if re.search(r"\b(?:no|without|zero|disable|turn off)\b[\w ]{0,6}dropout", text):
        result.set("training.dropout", 0.0, "no dropout")
    if re.search(r"\b(?:no|without|disable|turn off|skip|don't use|do not use)\b[\w ]{0,8}"
                 r"early[\s-]?stopping", text):
        result.set("training.early_stopping", None, "no early stopping")
    else:
        patience = re.search(rf"patience{SEP}{NUMBER}", text) or re.search(
            rf"(?:stop\w*|early[\s-]?stopping)[\w ,]{{0,40}}?(?:after|if|when|for) {NUMBER} "
            r"(?:epochs?|evaluations?|evals?|rounds?)\s+(?:without|with no|of no)", text)
        if patience and as_int(float(patience.group(1))):
            result.set("training.early_stopping.patience", as_int(float(patience.group(1))),
                       f"early stopping patience: {patience.group(1)}")
        monitor = re.search(r"early[\s-]?stopping (?:on|by|using|watching|monitoring) "
                            r"(?:the )?(?:validation )?([a-z0-9_-]+)", text)
        if monitor:
            result.set("training.early_stopping.metric", monitor.group(1).replace("-", "_"))


def _lists(text: str, catalog: Catalog, draft: dict[str, Any], result: Understanding,
           key: str, kind: str) -> None:
    """Metrics and exporters: added to the list, or the list replaced with "only"."""
    cue = {"metrics": r"\b(?:metrics?|report|track|measure|evaluate|score|compute|log|show)\b",
           "exporters": r"\b(?:export\w*|save\w*|write\w*|output|produce|format|card)\b"}[key]
    if not re.search(cue, text):
        return
    mentioned = []
    for component, _, _, neg in sorted(catalog.mentions(kind, text), key=lambda t: t[1]):
        if not neg and component.name not in mentioned:
            mentioned.append(component.name)
    if not mentioned:
        return
    current = [i if isinstance(i, str) else i.get("name") for i in draft.get(key) or []]
    if re.search(r"\bonly\b|\bjust\b", text):
        new = mentioned
    else:
        new = current + [m for m in mentioned if m not in current]
    if new != current:
        result.set(key, new, f"{key}: {', '.join(new)}")
