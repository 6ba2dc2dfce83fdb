"""Reading how much of the model trains: the strategy and its numbers.

People rarely say a strategy's name. They say what should train or stay fixed: "train only the
classifier on top", "keep the pretrained layers fixed", "freeze embeddings and the first two
blocks", "slowly unfreeze", "fine-tune all the weights", "don't freeze anything". Three sources
are weighed together, the latest (and, at the same place, the longest) winning:

- the catalog's names and aliases (so a plugin's own words work);
- *concepts*: patterns for what the built-in strategies mean (``CONCEPTS``);
- freezing said with a number of layers, which picks ``freeze-bottom`` and its ``layers``.
"""

from __future__ import annotations

import re
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

# what the built-in strategies mean, as patterns; each names a strategy. "Everything else"
# and "the rest" are left out of BODY on purpose: "LoRA, with everything else frozen" describes
# the strategy just named rather than choosing another one.
CONCEPTS: list[tuple[str, str]] = [
    ("head-only", r"\blinear[ -]?prob\w*|\bprob(?:e|ing) (?:the )?(?:frozen )?(?:\w+ )?"
                  r"(?:features|embeddings|representations)|\bfeature[ -]?extract\w*(?: \w+)?"
                  r"|\bfrozen (?:features|representations|embeddings as features)"),
    ("head-only", rf"\b(?:only|just|solely|exclusively|nothing but) (?:{TRAIN} )?(?:the |a |a new "
                  rf"|an |my )?{HEAD}"),
    ("head-only", rf"\b{TRAIN} (?:only|just|solely|exclusively) (?:the |a |a new |an )?{HEAD}"),
    ("head-only", rf"\b{TRAIN} (?:the |a |a new |an )?{HEAD}(?: only| alone|[- ]only)\b"),
    ("head-only", rf"\b{HEAD}[- ]only\b"),
    ("head-only", rf"\bonly (?:the )?{HEAD} (?:is |gets |will be |should be |to be )?"
                  rf"(?:{TRAIN}|trainable)"),
    ("head-only", rf"\b(?:freez\w*|lock\w*|fix) (?:the |all |all the |every |whole |entire |my "
                  rf"|our )?(?:\w+ ){{0,2}}?{BODY}\b"),
    ("head-only", rf"\b{BODY} (?:\w+ ){{0,2}}?(?:stays?|remains?|is|are|kept|should be|being|"
                  rf"left|will be) {FROZEN}"),
    ("head-only", rf"\bkeep\w* (?:the |all |all the )?{BODY} (?:\w+ )?{FROZEN}"),
    ("head-only", rf"\b(?:frozen|fixed|locked) (?:pre-?trained )?{BODY}"),
    ("head-only", rf"\b{NEGATION} (?:{TRAIN}|touch\w*|chang\w*|modif\w*|mess\w* with) "
                  rf"(?:the |any of the |any )?{BODY}"),
    ("head-only", rf"\bleave (?:the )?{BODY} (?:alone|untouched|as is|frozen|as it is)"),
    ("head-only", rf"\b{BODY} (?:\w+ ){{0,2}}?(?:should not|shouldn't|must not|mustn't|won't|will "
                  rf"not|don't|do not|never|can't|cannot) (?:be )?(?:change|move|update|train|"
                  rf"learn|touch|modif)\w*"),
    ("head-only", rf"\b{HEAD} (?:on top of|on|over|above) (?:a |the |some )?(?:frozen|fixed|"
                  rf"pre-?computed)"),
    ("full", r"\b(?:full|all)(?:y)?[ -]?(?:param\w*[ -])?(?:fine[- ]?tun\w*|finetun\w*|train\w*|"
             r"ft)\b"
             r"|\bfull (?:model|network) (?:fine[- ]?tun\w*|train\w*)|\bfull fine-?tune"),
    ("full", rf"\b{TRAIN} (?:(?:all|every|the whole|the entire|the full|the complete|all of)"
             rf"(?: the| its| of "
             rf"the)? (?:\w+ )?(?:weights?|layers?|parameters?|params|model|network|thing|"
             rf"transformer|encoder|blocks?)|everything|it all|end[- ]to[- ]end)"),
    ("full", r"\bend[- ]to[- ]end\b"),
    ("full", r"\bunfreez\w* (?:all|everything|every layer|the whole|the entire)(?: \w+)?"),
    ("full", r"\b(?:everything|all (?:the )?(?:layers|weights|parameters)|every (?:single )?"
             r"(?:layer|weight|parameter|block)) (?:is |are |should be |stays? |remains? |get "
             r"|gets |getting |being )?(?:trainable|unfrozen|updated|trained|tuned|fine-tuned|"
             r"learned)|\bnothing (?:is |stays |should be )?"
             r"(?:frozen|fixed)|\bfreez\w* nothing|\bno (?:layers? |weights? )?(?:frozen|"
             r"freezing)|\bno frozen (?:layers|weights|parts)"),
    ("full", rf"\b{NEGATION} (?:\w+ )?freez\w*(?: anything| any(?: of the)? \w+| the \w+)?"),
    ("gradual", r"\bgradual\w*(?: unfreez\w*)?|\bprogressive\w* unfreez\w*|\bulm-?fit\b"
                r"|\bdiscriminative (?:learning )?(?:rates?|lrs?|fine-?tuning)"
                r"|\blayer[- ]?wise (?:learning rates?|lrs?|lr decay|unfreez\w*|learning rate "
                r"decay)|\b1 (?:layer|block|group) at a time|\blayer by layer"),
    ("gradual", r"\bunfreez\w* (?:\w+ ){0,4}?(?:gradually|slowly|progressively|over time|"
                r"one by one|1 by 1|1 at a time|bit by bit|step by step|(?:each|every|per|after "
                r"each) epoch|every \d+ epochs?|as (?:training|we) (?:goes|go|progresses)|from "
                r"the top(?: down)?|top[- ]down|1 (?:layer|block|group) (?:per|each|every|at))"),
    ("gradual", rf"\b{TRAIN} (?:only )?(?:the )?{HEAD} (?:\w+ ){{0,5}}?(?:then|and then|before|"
                rf"after that|afterwards|later) (?:\w+ )?unfreez\w*(?: \w+){{0,2}}"
                rf"|\bfirst (?:the )?{HEAD},? then (?:the rest|everything|all)"),
    ("gradual", r"\b(?:slowly|gradually|progressively|incrementally|step by step) unfreez\w*"
                r"(?: \w+){0,3}|\bunfreez\w* (?:1|another) (?:more )?(?:layer|block|group)s? "
                r"(?:per|each|every|at a time|after)"),
    ("lora", r"\bq?lora\b|\blo-ra\b|\blow[- ]rank(?: adapt\w*| updates?| matri\w*)?"
             r"|\bpeft\b|\bparameter[- ]efficient\w*(?: fine[- ]?tun\w*)?"
             r"|\badapters?(?: layers?| modules?| tuning| weights)?\b"),
    ("freeze-bottom", rf"\bfreez\w* (?:only |just )?(?:the )?{LOWER}(?: few)? {LAYERS}"
                      rf"|\bpartial\w* (?:freez\w*|fine[- ]?tun\w*|unfreez\w*)"
                      rf"|\bfreez\w* (?:some|a few) (?:of the )?{LAYERS}"
                      rf"|\b(?:some|a few|several) (?:of the )?{LAYERS} (?:\w+ )?{FROZEN}"
                      rf"|\b{LOWER} {LAYERS} (?:\w+ ){{0,2}}?(?:{FROZEN}|freez\w*)"
                      rf"|\bfreez\w* (?:everything|all(?: \w+)?) (?:except|but|apart from|other "
                      rf"than|save) (?:the )?{UPPER}(?: few)? {LAYERS}"
                      rf"|\b{TRAIN} (?:only )?(?:the )?{UPPER} (?:few )?{LAYERS}"),
]


# ---------------------------------------------------------------- the strategy


def read_strategy(reading: Reading) -> None:
    """The strategy the message asks for, then that strategy's numbers."""
    counted = _freeze_count(reading)
    if counted is not None:
        name, layers = counted
        reading.result.set("strategy", {"name": name, "layers": layers},
                           f"strategy: freeze the embeddings and the bottom {layers} layers")
    else:
        choice = _choose(reading)
        if choice is not None:
            reading.result.set("strategy", {"name": choice[0]}, choice[1])
    _params(reading)


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
        for fallback in ("full", "lora", "head-only"):
            component = reading.catalog.get("strategy", fallback)
            if component is not None and fallback != current:
                return fallback, f"strategy: {component.title} (not {current})"
    return None


def _options_said(text: str, named: list[Mention]) -> list[tuple[int, int]]:
    """Where the options of the strategies ``named`` (and wanted) are said with a value."""
    spans = []
    for mention in named:
        if mention.negated:
            continue
        component = mention.component
        for param in component.params:
            for pattern in PARAM_WORDS.get((component.name, param.name), []) + _by_name(param):
                spans += [match.span() for match in re.finditer(pattern, text)]
    return spans


def _concepts(reading: Reading) -> list[Mention]:
    found = []
    for name, pattern in CONCEPTS:
        component = reading.catalog.get("strategy", name)
        if component is None:
            continue
        for match in re.finditer(pattern, reading.text):
            negated = negated_before(reading.text, match.start())
            found.append(Mention(component, match.start(), match.end() - match.start(), negated))
    return found


# ---------------------------------------------------------------- freezing a number of layers


def _freeze_count(reading: Reading) -> tuple[str, int] | None:
    """"freeze the bottom 3 layers", "freeze embeddings and first two blocks", "train only the
    top 2 layers" (the rest frozen), "freeze half the layers", "freeze only the embeddings"."""
    component = reading.catalog.get("strategy", "freeze-bottom")
    if component is None:
        return None
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
        return component.name, layers
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

# the ways people name a strategy's options, beyond the option's own name
PARAM_WORDS = {
    ("lora", "r"): [rf"(?:lora[ _-])?(?:rank|\br)\s*(?:=|:|of|to|is|at)?\s*{NUMBER}",
                    rf"{NUMBER}[ -]?rank\b", rf"\brank[- ]{NUMBER}"],
    ("lora", "alpha"): [rf"(?:lora[ _-])?(?:alpha|scaling(?: factor)?)\s*(?:=|:|of|to|is|at)?\s*"
                        rf"{NUMBER}",
                        rf"{NUMBER} (?:as )?(?:the )?alpha\b"],
    ("lora", "dropout"): [rf"(?:lora|adapters?)[ _-]?dropout\s*(?:=|:|of|to|is|at)?\s*{NUMBER}"
                          r"\s*(%)?",
                          # in a run of LoRA's own numbers: "rank 16 alpha 32 dropout 0.05"
                          rf"(?:\br|rank|alpha)\s*(?:=|:|of)?\s*\d+\s*,?\s*(?:and )?(?:(?:\br|rank|"
                          rf"alpha)\s*(?:=|:|of)?\s*\d+\s*,?\s*(?:and )?)?dropout\s*(?:=|:|of)?\s*"
                          rf"{NUMBER}\s*(%)?",
                          rf"dropout (?:of )?{NUMBER}\s*(%)? (?:on|for|in) (?:the )?(?:lora|"
                          r"adapters?)",
                          rf"{NUMBER}\s*(%)? (?:lora |adapter )?dropout (?:on|for|in) (?:the )?"
                          r"(?:lora|adapters?)"],
    ("freeze-bottom", "layers"): [rf"{NUMBER} (?:frozen |bottom |lower )?{LAYERS}"],
    ("gradual", "every"): [rf"(?:every|per|each) {NUMBER} epochs?",
                           rf"{NUMBER} epochs? (?:per|between|for each|before each) "
                           r"(?:layer|group|block|unfreez\w*|step)"],
    ("gradual", "factor"): [rf"(?:factor|divid\w* (?:(?:the )?(?:learning )?(?:rates?|lrs?) )?by|"
                            rf"(?:lr|learning rate) decay|decay factor|ratio)\s*(?:=|:|of|to|is|"
                            rf"at|by)?\s*{NUMBER}"],
}
LORA_HINTS = [r"(?:lora[ -])?(?:rank|\br)\s*(?:=|:|of|to|is|at)?\s*\d", r"\d[ -]?rank\b",
              r"lora[ _-]?alpha", r"(?:lora|adapters?)[ _-]?dropout"]
MODULE_NAMES = ("query", "key", "value", "dense", "q_proj", "k_proj", "v_proj", "o_proj",
                "q_lin", "k_lin", "v_lin", "out_lin", "qkv", "c_attn", "fc1", "fc2",
                "gate_proj", "up_proj", "down_proj", "out_proj")


def _params(reading: Reading) -> None:
    """The options of the strategy this message leaves: its own words for them, then any
    option said by name ("factor 2", "every 2 epochs", "r=16")."""
    name = reading.slot("strategy").get("name")
    if "strategy" not in reading.result.changes and name != "lora" and any(
            re.search(hint, reading.text) for hint in LORA_HINTS):
        if reading.catalog.get("strategy", "lora") is not None:  # "rank 16" means LoRA
            name = "lora"
            reading.result.set("strategy", {"name": "lora"}, "strategy: LoRA adapters")
    component = reading.catalog.get("strategy", name) if name else None
    if component is None:
        return
    if name == "gradual" and reading.find(r"\bevery other epoch"):
        reading.result.set("strategy.every", 2, "every: 2")
    _options_beside(reading, component)
    found = []  # every option is looked for before any is consumed: they share words
    for param in component.params:
        patterns = PARAM_WORDS.get((name, param.name), []) + _by_name(param)
        for pattern in patterns:
            match = reading.find(pattern)
            if match and rejected_after(reading.text, match.end()):
                continue  # "rank 8 is too small, use 32": not this one
            value = _value(param, match) if match else None
            if value is not None:
                found.append((param, value, match))
                break
    for param, value, match in found:
        reading.result.set(f"strategy.{param.name}", value, f"{param.name}: {value}")
        reading.consume(match.start(), match.end())
    _alpha_from_rank(reading, component)
    _target_modules(reading, component)


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
            words = PARAM_WORDS.get((component.name, param.name), []) + [
                rf"\b{re.escape(param.name).replace('_', '[ _]')}\s*(?:=|:|of|to|is|at)?\s*"
                rf"{NUMBER}\s*(%)?"]
            for pattern in words:
                match = re.search(pattern, inside)
                value = _value(param, match) if match else None
                if value is not None:
                    reading.result.set(f"strategy.{param.name}", value, f"{param.name}: {value}")
                    reading.consume(offset + match.start(), offset + match.end())
                    break


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


def _target_modules(reading: Reading, component: Any) -> None:
    """"apply LoRA to query and value", "target_modules q_proj,v_proj"."""
    if "target_modules" not in {p.name for p in component.params}:
        return
    match = reading.find(r"(?:target(?:[_ ]modules?)?|apply (?:it|lora|the adapters?|adapters) "
                         r"(?:only )?(?:to|on)|lora on|adapters on)\s*(?:=|:)?\s*(?:the )?"
                         r"([\w, ]+?)(?:layers|projections|modules|matrices|$|[.;])")
    if not match:
        return
    names = [w for w in re.split(r"[\s,]+|\band\b", match.group(1)) if w in MODULE_NAMES]
    if names:
        reading.result.set("strategy.target_modules", names, f"target modules: "
                           f"{', '.join(names)}")
        reading.consume(match.start(), match.end())
