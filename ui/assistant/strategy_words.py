"""Reading how much of the model trains: the strategy and its numbers.

People rarely say a strategy's name. They say what should train or stay fixed: "train only the
classifier on top", "keep the pretrained layers fixed", "freeze embeddings and the first two
blocks", "slowly unfreeze", "fine-tune all the weights", "don't freeze anything". Three sources
are weighed together, the latest (and, at the same place, the longest) winning:

- the catalog's names and aliases;
- each strategy's *phrases* (``Strategy.phrases``): patterns for what it means, written with
  the placeholders of ``VOCABULARY`` ("train only {head}");
- freezing said with a number of layers, which picks the strategy whose option
  ``means="frozen-bottom-layers"`` and sets that option.

Nothing here names a built-in strategy: a plugin's strategy that declares the same phrases
is read the same way.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from tunekit.spec import Training

from .catalog import Mention
from .language import NUMBER, as_int, negated_before, rejected_after
from .reading import Reading

TRAIN = r"(?:train\w*|fine[- ]?tun\w*|finetun\w*|tun(?:e|ed|ing)|updat\w*|learn\w*|optimi[sz]\w*)"
HEAD = (r"(?:(?:classification|classifier|linear|output|final|last|top|new|task) )?(?:head|"
        r"classifier|output layer|top layer|last layer|final layer|linear layer|"
        r"classification layer|layer on top|dense layer|softmax layer|logistic regression)s?")
BODY = (r"(?:backbone|encoder|body|base model|base|pre-?trained (?:\w+ )?(?:layers?|weights?|"
        r"model|parts?|encoder|network|transformer|blocks?|features|bits|representations)|"
        r"transformer(?: layers| blocks)?|(?:all|every|the whole|the entire|the rest of the|"
        r"the other|all of the|all the) (?:\w+ )?(?:layers?|weights?|parameters?|model|network|"
        r"blocks?)|everything(?! else)|all of it|(?:the )?model|(?:the )?network|"
        r"feature extractor|features|bert|roberta|minilm|embeddings model)")
FROZEN = (r"(?:frozen|fixed|locked|untouched|unchanged|as is|intact|static|non-trainable|"
          r"not trainable|untrainable|as they are)")
LOWER = r"(?:bottom|first|lowest|lower|early|earliest|initial|low)"
UPPER = r"(?:top|last|upper|final|highest|uppermost|topmost)"
LAYERS = r"(?:transformer |encoder |hidden |bert |attention )?(?:layers?|blocks?)"
NEGATION = r"(?:don't|do not|dont|never|without|no need to|not|won't|shouldn't)"

# what each placeholder of a component's phrases stands for (tunekit.PHRASE_WORDS)
VOCABULARY = {"train": TRAIN, "head": HEAD, "body": BODY, "frozen": FROZEN, "lower": LOWER,
              "upper": UPPER, "layers": LAYERS, "negation": NEGATION, "number": NUMBER}
_PLACEHOLDER = re.compile(r"\{(" + "|".join(VOCABULARY) + r")\}")


@lru_cache(maxsize=512)
def expand(phrase: str) -> re.Pattern:
    """A component's or option's phrase with its placeholders filled in, compiled.

    The words people use for what a strategy means come from the strategy itself
    (``Strategy.phrases``, ``Param.phrases``): a plugin's strategy is read the same way as a
    built-in one. "Everything else" and "the rest" are left out of BODY on purpose: "LoRA,
    with everything else frozen" describes the strategy just named rather than another one.
    """
    return re.compile(_PLACEHOLDER.sub(lambda m: VOCABULARY[m.group(1)], phrase))


# ---------------------------------------------------------------- the strategy


def read_strategy(reading: Reading) -> None:
    """The strategy the message asks for, then that strategy's numbers."""
    before = reading.text  # the strategy's name is part of some of its options' phrases
    counted = _freeze_count(reading)
    if counted is not None:
        name, option, layers = counted
        reading.result.set("strategy", {"name": name, option: layers},
                           f"strategy: freeze the embeddings and the bottom {layers} layers")
    else:
        choice = _choose(reading)
        if choice is not None:
            reading.result.set("strategy", {"name": choice[0]}, choice[1])
    _params(reading, before)


def _choose(reading: Reading) -> tuple[str, str] | None:
    """Named or described: the latest wanted mention wins; a turned-down current strategy
    gives way to the usual alternative ("no adapters" -> full fine-tuning)."""
    text = reading.text
    named = reading.catalog.exact("strategy", text)
    # words that say an option of a strategy named here describe that strategy, not another
    # one: "bitfit with layerwise lr decay 0.8" is not a request for gradual unfreezing
    options = _options_said(text, named)
    mentions = named + [m for m in _concepts(reading)
                        if not any(m.start < end and start < m.end for start, end in options)]
    turned_down = {m.component.name for m in mentions if m.negated}
    wanted = [m for m in mentions if not m.negated]
    if wanted:
        wanted.sort(key=lambda m: (m.end, m.length))
        best = wanted[-1].component
        return best.name, f"strategy: {best.title}"
    loose, refused = reading.catalog.loose("strategy", text)
    turned_down |= {c.name for c in refused}
    reading.result.negated += sorted(turned_down)
    if loose is not None:
        return loose.name, f"strategy: {loose.title}"
    current = reading.slot("strategy").get("name")
    if current in turned_down:
        component = _instead_of(reading, current)
        if component is not None:
            return component.name, f"strategy: {component.title} (not {current})"
    return None


def _instead_of(reading: Reading, current: str) -> Any | None:
    """What to train with when the user turns the current strategy down ("no adapters"): the
    task's default strategy, or else the one whose phrases say "train all the weights" (the
    usual alternative), or else the first other strategy for the task in the catalog."""
    from tunekit import tasks
    from tunekit.errors import TunekitError

    task = reading.result.changes.get("task", reading.draft.get("task")) or "text-classification"
    try:
        default = tasks.describe(task).default_strategy
    except TunekitError:  # an unknown task is reported by the spec check, not here
        default = None
    others = [c for c in reading.catalog.by_kind.get("strategy", [])
              if c.name != current and task in c.tasks]
    trains_all = [c for c in others
                  if any(expand(p).search("train all the weights") for p in c.phrases)]
    return next((c for c in others if c.name == default),
                trains_all[0] if trains_all else others[0] if others else None)


def _options_said(text: str, named: list[Mention]) -> list[tuple[int, int]]:
    """Where the options of the strategies ``named`` (and wanted) are said with a value."""
    spans = []
    for mention in named:
        if mention.negated:
            continue
        component = mention.component
        for param in component.params:
            for pattern in _said(param) + _by_name(param):
                spans += [match.span() for match in re.finditer(pattern, text)]
    return spans


def _concepts(reading: Reading) -> list[Mention]:
    """Where the message describes a strategy in the strategy's own phrases."""
    found = []
    for component, phrase in [(c, p) for c in reading.catalog.by_kind.get("strategy", [])
                              for p in getattr(c, "phrases", ())]:
        for match in expand(phrase).finditer(reading.text):
            negated = negated_before(reading.text, match.start())
            found.append(Mention(component, match.start(), match.end() - match.start(), negated))
    return found


# ---------------------------------------------------------------- freezing a number of layers


def _freeze_count(reading: Reading) -> tuple[str, str, int] | None:
    """"freeze the bottom 3 layers", "freeze embeddings and first two blocks", "train only the
    top 2 layers" (the rest frozen), "freeze half the layers", "freeze only the embeddings"."""
    counting = [(c, p) for c in reading.catalog.by_kind.get("strategy", []) for p in c.params
                if getattr(p, "means", "") == "frozen-bottom-layers"]
    if not counting:
        return None
    component, param = counting[0]
    text = reading.text
    total = block_count(reading)

    def said(n: int) -> int:
        return n

    def all_but_top(n: int) -> int | None:  # "train only the top 2": the rest is frozen
        # "all but the last one": the last layer people mean is the head (a concept's job)
        return total - n if total and n > 1 else None

    def half(_: int) -> int | None:
        return total // 2 if total else None

    def embeddings_only(_: int) -> int:
        return 0

    def one(_: int) -> int:  # "the first block"
        return 1

    readers = [
        (rf"\bfreez\w* (?:the )?(?:[\w-]+'s )?(?:embeddings?(?: layer)? (?:and|plus|\+|as well as|"
         rf"&) (?:the )?)?(?:{LOWER} )?(\d+) {LAYERS}", said),
        (rf"\bfreez\w* (?:the )?{LOWER} (\d+)\b", said),
        (rf"\bfreez\w* (?:the )?(?:embeddings?(?: layer)? (?:and|plus|\+|as well as|&) (?:the )?)?"
         rf"(?:very )?{LOWER} (?:transformer |encoder |hidden )?(?:layer|block)\b", one),
        (rf"\b{LOWER} (\d+) {LAYERS} (?:\w+ ){{0,3}}?(?:{FROZEN}|freez\w*)", said),
        (r"\bfreez\w* (?:the )?(?:layers?|blocks?) (\d+) ?(?:-|to|through|thru|until) ?(\d+)",
         None),
        (r"\bfreez\w* (?:everything |all )?(?:up to|through|until|to) (?:and including )?"
         r"(?:layer|block) (\d+)", said),
        (rf"\bfreez\w* (\d+) (?:of|out of) (?:the |its |all )?(?:\d+ )?{LAYERS}", said),
        (rf"\b(?:{TRAIN}|unfreez\w*|keep\w* trainable|leave trainable) (?:only |just )?(?:the )?"
         rf"{UPPER} (\d+) {LAYERS}", all_but_top),
        (rf"\bfreez\w* (?:everything|all(?: \w+)?) (?:except|but|apart from|other than|save|below|"
         rf"under|beneath) (?:for )?(?:the )?{UPPER} (\d+)", all_but_top),
        (rf"\b(?:only )?(?:the )?{UPPER} (\d+) {LAYERS} (?:\w+ ){{0,3}}?(?:{TRAIN}|trainable|"
         rf"unfrozen)", all_but_top),
        (rf"\bfreez\w* (?:the )?(?:{LOWER} )?half", half),
        (rf"\b(?:the )?{LOWER} half (?:of (?:the )?(?:layers|blocks|model|network) )?"
         rf"(?:\w+ ){{0,3}}?(?:{FROZEN}|freez\w*)", half),
        (rf"\b(?:{TRAIN}|unfreez\w*) (?:everything|all(?: \w+)?) (?:but|except|apart from|other "
         rf"than|save) (?:for )?(?:the )?embeddings?", embeddings_only),
        (r"\bfreez\w* (?:only |just )?(?:the )?embeddings?(?: layer)?(?: only)?"
         r"(?! and| plus| \+| &| as well)", embeddings_only),
        (rf"\b(?:keep|leave)\w* (?:only |just )?(?:the )?embeddings?(?: layer)? (?:\w+ )?{FROZEN}"
         rf"|\b(?:only )?the embeddings?(?: layer)? (?:stays?|remains?|is|are) {FROZEN}",
         embeddings_only),
    ]
    for pattern, count in readers:
        match = reading.find(pattern)
        if not match or negated_before(text, match.start()):
            continue
        if count is None:  # "layers 0-3" are four layers; "layers 1 to 4" too
            first, last = int(match.group(1)), int(match.group(2))
            layers = last + 1 if first == 0 else last - first + 1 if first == 1 else None
        else:
            layers = count(int(match.group(1))) if match.groups() else count(0)
        if layers is None or layers < 0:
            continue
        reading.consume(match.start(), match.end())
        return component.name, param.name, layers
    return None


def block_count(reading: Reading) -> int | None:
    """How many blocks the chosen backbone has, when its name or description says so
    ("6 layers", "MiniLM-L12", "-base" = 12, "-large" = 24, "distil" = 6)."""
    backbone = reading.slot("backbone")
    component = reading.catalog.get("backbone", backbone.get("name", ""))
    words = f"{backbone.get('model') or ''} {component.name if component else ''}".lower()
    said = re.search(r"\bl(\d+)\b|-l(\d+)(?:-|\b)|(\d+)l[-_]", words)
    if said:
        return int(next(g for g in said.groups() if g))
    if component is not None and not backbone.get("model"):
        described = re.search(r"(\d+) (?:layers|blocks)", component.description)
        if described:
            return int(described.group(1))
    for word, count in (("distil", 6), ("tiny", 4), ("large", 24), ("base", 12), ("small", 12)):
        if word in words:
            return count
    return None


# ---------------------------------------------------------------- the strategy's numbers

def _said(param: Any) -> list[str]:
    """The option's own phrases (``Param.phrases``), placeholders filled in."""
    return [expand(phrase).pattern for phrase in getattr(param, "phrases", ())]


MODULE_NAMES = ("query", "key", "value", "dense", "q_proj", "k_proj", "v_proj", "o_proj",
                "q_lin", "k_lin", "v_lin", "out_lin", "qkv", "c_attn", "fc1", "fc2",
                "gate_proj", "up_proj", "down_proj", "out_proj")


def _find_option(reading: Reading, pattern: str, before: str) -> re.Match | None:
    """The last match of an option's phrase; one that takes in the strategy's name, read
    (and blanked) just before ("lora dropout 0.2"), counts while its number is still there."""
    match = reading.find(pattern)
    if match or not before or before == reading.text:
        return match
    for found in reversed(list(re.finditer(pattern, before))):
        if found.lastindex and reading.text[found.start(1):found.end(1)] == found.group(1):
            return found
    return None


def _params(reading: Reading, before: str = "") -> None:
    """The options of the strategy this message leaves: its own words for them, then any
    option said by name ("factor 2", "every 2 epochs", "r=16")."""
    name = reading.slot("strategy").get("name")
    if "strategy" not in reading.result.changes:
        picked = _picked_by_option(reading, name)
        if picked is not None:  # "rank 16" means LoRA
            name = picked.name
            reading.result.set("strategy", {"name": name}, f"strategy: {picked.title}")
    component = reading.catalog.get("strategy", name) if name else None
    if component is None:
        return
    _options_beside(reading, component)
    found = []  # every option is looked for before any is consumed: they share words
    for param in component.params:
        patterns = _said(param) + _by_name(param)
        for pattern in patterns:
            match = _find_option(reading, pattern, before)
            if match and rejected_after(reading.text, match.end()):
                continue  # "rank 8 is too small, use 32": not this one
            if match and _names_component(reading, match.start(), component):
                continue  # "report mae and r2": the metric r2, not r 2
            value = _value(param, match) if match else None
            if value is not None:
                found.append((param, value, match))
                break
    for param, value, match in found:
        reading.result.set(f"strategy.{param.name}", value, f"{param.name}: {value}")
        reading.consume(match.start(), match.end())
    _alpha_from_rank(reading, component)
    _shared_options(reading, component, before)
    _target_modules(reading, component)
    _target_roles(reading, component)


# an option that shares a training field's name, said bare ("dropout 0.05", "5% drop out");
# not the model's ("model dropout 0.2", "hidden dropout")
BARE_SHARED = (r"(?<!model )(?<!hidden )(?<!classifier )(?<!attention )\b{name}\s*(?:rate\s*)?"
               rf"(?:=|:|of|to|is|at)?\s*{NUMBER}\s*(%)?",
               rf"(?<![\w.]){NUMBER}\s*(%)?\s*{{name}}\b")
SHARED_WORDS = {"dropout": r"drop[ -]?outs?"}


def _shared_options(reading: Reading, component: Any, before: str) -> None:
    """An option named like a training field ("dropout") is the strategy's when said bare in
    the sentence that names the strategy ("lora with 0.05 dropout and rank 4", "LoRA, drop
    out 0.1"): the person is describing the adapters. Elsewhere it is the model's."""
    for param in component.params:
        if param.name not in Training.model_fields or param.type not in (int, float) or \
                f"strategy.{param.name}" in reading.result.changes:
            continue
        name = SHARED_WORDS.get(param.name, re.escape(param.name))
        for start, sentence in _sentences_naming(reading, before or reading.text, component):
            for pattern in BARE_SHARED:
                match = re.search(pattern.replace("{name}", name), reading.text[
                    start:start + len(sentence)])
                if match and re.search(r"\b(?:model|network|classifier|hidden)\b", reading.text[
                        max(start, start + match.start() - 30):start + match.start()]):
                    continue  # "train the model with a 0.2 dropout and lora": the model's
                value = _value(param, match) if match else None
                if value is not None and (param.max is None or value <= param.max):
                    reading.result.set(f"strategy.{param.name}", value,
                                       f"{component.title} {param.name}: {value}")
                    reading.consume(start + match.start(), start + match.end())
                    break
            if f"strategy.{param.name}" in reading.result.changes:
                break


def _sentences_naming(reading: Reading, text: str, component: Any) -> list[tuple[int, str]]:
    """``(start, sentence)`` for each sentence of ``text`` that names ``component``."""
    named = [m.start for m in reading.catalog.exact("strategy", text)
             if m.component is component]
    found, start = [], 0
    for sentence in re.split(r"(?<=[.;!?\n])\s", text):
        at = text.find(sentence, start)
        if any(at <= n < at + len(sentence) for n in named):
            found.append((at, sentence))
        start = at + len(sentence)
    return found


# the parts of a model's blocks, said by their role (the lora strategy resolves each role to
# the model's own layers): "only the attention", "q and v", "the feed-forward layers"
ROLE_WORDS = {
    "attention": r"(?:self[- ]?)?att?e?ntion|attn",
    "mlp": r"mlps?|feed[- ]?forwards?|ffns?|fully[- ]connected|intermediate",
    "q": r"quer(?:y|ies)", "k": r"keys?", "v": r"values?",
}
PART_NOUNS = (r"(?:\s+(?:layers?|blocks?|heads?|projections?|matri(?:x|ces)|weights?|modules?|"
              r"parts?|sub-?layers?))?")
LETTERS = r"\b(?:[qkvo](?:\s*(?:,|and|&|/|\+|-)\s*[qkvo]\b)+|qkvo?|qv|kv|qk)\b"


def _target_roles(reading: Reading, component: Any) -> None:
    """Layers named by role for a strategy that takes ``target_modules``: "LoRA only on the
    attention layers", "adapters on q and v", "target the attention and the mlp". Said with
    the roles' names (q, k, v, o, attention, mlp), which the strategy resolves per model."""
    if "target_modules" not in {p.name for p in component.params} or \
            "strategy.target_modules" in reading.result.changes:
        return
    role_words = "|".join(ROLE_WORDS.values())
    lead = (r"(?:\b(?:only|just|solely)\s+(?:(?:on|to|in|at|for)\s+)?|\b(?:on|to|in|into|"
            r"targets?|targeting|adapt(?:ing)?|wrap(?:ping)?)\s+(?:only\s+|just\s+)?)(?:the\s+)?")
    item = rf"(?:{role_words}){PART_NOUNS}|{LETTERS}"
    match = reading.find(rf"{lead}((?:{item})(?:\s*(?:,|and|&|\+|/)\s*(?:the\s+)?(?:{item}))*)"
                         rf"(?:\s+(?:layers?|blocks?|only))?")
    if match is None:
        return
    roles: list[str] = []
    for piece in re.findall(rf"{role_words}|{LETTERS}", match.group(1)):
        role = next((r for r, words in ROLE_WORDS.items() if re.fullmatch(words, piece)), None)
        for found in [role] if role else re.findall(r"[qkvo]", piece):
            if found not in roles:
                roles.append(found)
    if not roles:
        return
    reading.result.set("strategy.target_modules", roles,
                       f"{component.title} on {_said_roles(roles)} only (target_modules: "
                       f"{', '.join(roles)})")
    reading.consume(match.start(), match.end())


ROLE_SAID = {"q": "the query", "k": "the key", "v": "the value", "o": "the attention output",
             "attention": "the attention", "mlp": "the feed-forward (MLP)"}


def _said_roles(roles: list[str]) -> str:
    said = [ROLE_SAID[r] for r in roles]
    return (", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0]) + " layers"


def _picked_by_option(reading: Reading, current: str | None) -> Any | None:
    """The strategy an option said in its own phrases picks (``Param.picks``), when the
    current strategy has no such option: "rank 16" with full fine-tuning means LoRA."""
    for component in reading.catalog.by_kind.get("strategy", []):
        if component.name == current:
            continue
        for param in component.params:
            if getattr(param, "picks", False) and any(
                    re.search(pattern, reading.text) for pattern in _said(param)):
                return component
    return None


def _options_beside(reading: Reading, component: Any) -> None:
    """Options said right beside the strategy's name belong to it, even those that share a
    training field's name: "LoRA (rank 8, alpha 16, dropout 0.05)", "lora with dropout 0.05"."""
    text = reading.text
    for mention in reading.catalog.exact("strategy", text):
        if mention.component is not component:
            continue
        after = text[mention.end:]
        scope = re.match(r"\s*\(([^)]*)\)|\s+with ((?:(?!\band\b|\bfor\b|[,;]|\.(?:\s|$)).)*)",
                         after)
        if not scope:
            continue
        offset = mention.end + scope.start(1 if scope.group(1) is not None else 2)
        inside = scope.group(1) if scope.group(1) is not None else scope.group(2)
        for param in component.params:
            if param.type not in (int, float):
                continue
            words = _said(param) + [
                rf"\b{re.escape(param.name).replace('_', '[ _]')}\s*(?:=|:|of|to|is|at)?\s*"
                rf"{NUMBER}\s*(%)?"]
            for pattern in words:
                match = re.search(pattern, inside)
                value = _value(param, match) if match else None
                if value is not None:
                    reading.result.set(f"strategy.{param.name}", value, f"{param.name}: {value}")
                    reading.consume(offset + match.start(), offset + match.end())
                    break


def _names_component(reading: Reading, start: int, own: Any = None) -> bool:
    """Whether the word at ``start`` is, whole, an installed component's name ("r2"), other
    than ``own`` (the strategy itself: "lora dropout 0.2" is its option)."""
    word = re.match(r"[\w-]+", reading.text[start:])
    if not word or (own is not None and word.group(0).lower() in
                    {own.name, *(a.lower() for a in own.aliases)}):
        return False  # the strategy's own word ("adapter dropout": an exporter's name too)
    return any(c.name == word.group(0) for c in reading.catalog.components)


def _by_name(param: Any) -> list[str]:
    """An option said by its own name: "factor 3", "every = 2" (the generic way). A name that
    is also a training field ("dropout") means the training field unless said with the
    strategy's own words ("lora dropout")."""
    if param.type not in (int, float) or param.name in Training.model_fields:
        return []
    words = re.escape(param.name).replace("_", "[ _-]?")  # layerwise_lr_decay: "layerwise lr decay"
    return [rf"\b{words}\s*(?:=|:|of|to|is|at)?\s*{NUMBER}\s*(%)?"]


def _value(param: Any, match: re.Match) -> Any:
    raw = float(match.group(1))
    percent = len(match.groups()) > 1 and match.group(2)
    if percent:
        raw /= 100
    if param.name == "factor" and 0 < raw < 1:  # "layer-wise decay 0.8": divide by 1/0.8
        raw = round(1 / raw, 4)
    if param.type is int:
        return as_int(raw)
    return raw


def _alpha_from_rank(reading: Reading, component: Any) -> None:
    """"alpha twice the rank" / "alpha = 2r"."""
    if "alpha" not in {p.name for p in component.params}:
        return
    if reading.find(r"alpha (?:of |=\s*|is |at )?(?:2x|2 x|twice|double|2 times) (?:the )?"
                    r"(?:rank|r)\b|alpha\s*=\s*2\s*\*?\s*r\b"):
        rank = reading.slot("strategy").get("r") or next(
            (p.default for p in component.params if p.name == "r"), None)
        if rank:
            reading.result.set("strategy.alpha", 2 * int(rank), f"alpha: {2 * int(rank)}")


MODULE_LIST = r"([\w, ]+?)(?:layers|projections|modules|matrices|$|[.;])"


def _beside_strategy(reading: Reading, component: Any) -> re.Match | None:
    """"lora r 16 alpha 16 on query,value": "on"/"to" right after the strategy's name and its
    options, which are read (blanked) by now: the blank run before "on" is where they stood."""
    if "strategy" not in reading.result.changes and not any(
            path.startswith("strategy.") for path in reading.result.changes):
        return None
    return reading.find(r"(?:^|(?<=\S {2})|(?<=\s{3}))(?:\)\s*)?(?:with\s+)?(?:on|to)\s+"
                        r"(?:the )?" + MODULE_LIST)


def _target_modules(reading: Reading, component: Any) -> None:
    """"apply LoRA to query and value", "target_modules q_proj,v_proj"."""
    if "target_modules" not in {p.name for p in component.params}:
        return
    match = reading.find(r"(?:target(?:s|ing|ed)?(?:[_ ]modules?)?|apply (?:it|lora|the "
                         r"adapters?|adapters) (?:only )?(?:to|on)|lora on|adapters on)"
                         r"\s*(?:=|:)?\s*(?:the )?" + MODULE_LIST) or _beside_strategy(reading,
                                                                             component)
    if not match:
        return
    words = [w for w in re.split(r"[\s,]+|\band\b", match.group(1)) if w]
    names = [w for w in words if w in MODULE_NAMES]
    # "the target is a continuous value" says what is predicted: the module names must come
    # first ("target query and value"), not after other words
    if names and words[0] in MODULE_NAMES:
        reading.result.set("strategy.target_modules", names, f"target modules: "
                           f"{', '.join(names)}")
        reading.consume(match.start(), match.end())
