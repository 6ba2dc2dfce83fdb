"""Reading the training numbers: epochs, learning rate, batch size, weight decay, dropout, seed,
max length, warmup, clipping, every other number of the spec by its name, changes relative to
the current value ("double the accumulation steps"), and early stopping. The choices and on/off
fields of the spec are read by spec_fields.py.

Each field has cue words; a number belongs to a field when it follows a cue (with a few linking
words between: "a learning rate of about 3e-5", "batch size: 8", "change epochs from 3 to 5")
or precedes its unit ("five epochs", "32 examples per batch", "64 tokens", "10% dropout").
When a field is said twice, the later one wins ("3 epochs... make that 5 epochs").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tunekit.spec import SCHEDULERS, TRAINING_ALIASES, Training

from .correction_words import read_corrected_number
from .language import NUMBER, as_int, negated_before, rejected_after
from .reading import Reading
from .spec_fields import field_words, is_kind, read_choices, read_prompts, read_switches

# words that may stand between a cue and its number
GAP = (r"(?:\s*(?:=|:|~|->|→)\s*|\s+(?:of|to|at|is|be|as|around|about|roughly|approximately|"
       r"approx|equal to|equals|set to|should be|would be|will be|like|maybe|say|up to|down to|"
       r"just|only|the|a|an|value|now|go|becomes?|changed to|lowered to|raised to|increased to|"
       r"decreased to|reduced to|bumped to|dropped to|from \S+ to|something like|somewhere "
       r"around|in the order of|per step|per device|value of|it|with|it with|using|number)\b)*"
       r"\s*")
PERCENT = r"\s*(%|percent)?"


@dataclass(frozen=True)
class Field:
    """A training field: its cue words, the units that follow a number, its type."""

    name: str
    kind: type
    cues: str  # the number follows: "lr 3e-5"
    units: str = ""  # the number comes first: "5 epochs"
    fraction: bool = False  # 10% -> 0.1
    # (cue, unit): the number between them ("warmup 30 steps", "evaluation every 50 steps")
    around: tuple[tuple[str, str], ...] = ()

    def patterns(self) -> list[str]:
        # the field's own name and transformers' ("max_steps 500", "num_train_epochs 3")
        names = [field_words(self.name)] + [field_words(a) for a, (f, _) in
                                            TRAINING_ALIASES.items() if f == self.name]
        found = [rf"\b(?:{self.cues}|{'|'.join(names)}){GAP}{NUMBER}{PERCENT}"]
        if self.units:
            found.append(rf"(?<![\w.]){NUMBER}{PERCENT}[\s-]*(?:{self.units})")
        found += [rf"\b(?:{cue}){GAP}{NUMBER}()\s*(?:{unit})\b" for cue, unit in self.around]
        return found


FIELDS: list[Field] = [
    # transformers' TrainingArguments names, said as written ("max_steps 200")
    Field("max_steps", int, r"max(?:imum)?[ _-]?(?:optimi[sz]er[ _-]?|training[ _-]?)?steps|"
          r"stop after", r"(?:optimi[sz]er |training )?steps (?:at most|max(?:imum)?)\b",
          around=((r"max(?:imum)?|at most|no more than|cap (?:it |training )?at|limit (?:it |"
                   r"training )?to", r"(?:optimi[sz]er |training )?steps?"),)),
    # "warmup 100": a whole number above 20 is a count of steps, not a share in percent
    Field("warmup_steps", int, r"warm[ _-]?up[ _-]steps|warm[ _-]?up(?=\s*(?:=|:)?\s*(?:[2-9]\d|"
          r"\d{3,})\b(?![.,]\d|\s*%|\s*percent))", r"warm[ _-]?up steps\b",
          around=((r"warm[ _-]?up(?: for| of| over)?", r"(?:optimi[sz]er )?steps?|iterations?|"
                   r"updates?"),)),
    Field("eval_steps", int, r"eval(?:uation)?[ _-]steps|(?:eval|validat)\w*(?: \w+)? every",
          r"steps between evaluations\b"),
    Field("max_length", int,
          r"max(?:imum)?[ _-]?(?:seq(?:uence)?[ _-]?|input[ _-]?|token[ _-]?|text[ _-]?)?"
          r"(?:length|len)|max[ _-]?tokens|seq(?:uence)?[ _-]?len(?:gth)?|context (?:length|"
          r"size|window)|truncat\w*(?: \w+)?(?: at| to| after)?|cut (?:\w+ )?(?:off )?(?:at|to|"
          r"after)|pad(?:ding)? (?:and truncate )?to|limit (?:\w+ ){0,2}to|length limit|token "
          r"limit|tokens? max",
          r"(?:max(?:imum)? )?tokens?\b"),
    Field("epochs", int,
          # "ep 3", "eps=3": the short forms of a tersely written request
          r"epochs?|eps?|num[_ ]?(?:train[_ ])?epochs|n[_ ]?epochs|epoch count|number of epochs|"
          r"passes",
          r"(?:more |total |full |training |whole )?(?:epochs?|eps?|passes|rounds|sweeps|cycles|"
          r"times over (?:the )?data|iterations over (?:the )?(?:data|dataset))\b"),
    Field("learning_rate", float,
          r"learning[ _-]?rate|lr|step size|learn rate|base lr|peak lr",
          r"(?:as (?:the |my |our )?)?(?:learning[ _-]?rate|lr)\b"),
    Field("batch_size", int,
          r"(?:per[_ ]device[_ ])?(?:train(?:ing)?[_ ])?batch[ _-]?size|batch(?:es)?|bs|"
          r"mini-?batch(?:es)?(?: size)?|minibatch(?:es)?(?: size)?",
          r"(?:examples?|samples?|texts?|items?|rows?|sentences?|reviews?|inputs?)?\s*"
          r"(?:per|a|each|in a|in each|to a) (?:mini-?)?batch\b|[- ](?:example|sample|item|"
          r"text)s? (?:mini-?)?batch(?:es)?\b|\s*(?:as (?:the )?)?batch[ _]?size\b"),
    Field("weight_decay", float,
          r"weight[ _-]?decay|wd|l2(?: regulari[sz]ation| penalty| reg| norm| weight)?|"
          r"decoupled weight decay",
          r"(?:of )?(?:weight[ _-]?decay|l2)\b", fraction=True),
    Field("dropout", float,
          r"(?:hidden |classifier |model |attention )?dropout(?: rate| probability| prob| p)?",
          r"dropout\b", fraction=True),
    Field("seed", int, r"(?:random[ _-]?)?seed", r"as (?:the |a |my )?(?:random )?seed\b"),
    Field("warmup_ratio", float,
          r"warm[ _-]?up(?:[ _]ratio| proportion| fraction| share)?(?: for)?",
          r"(?:of (?:the )?(?:steps|training) )?(?:for |as )?(?:linear )?warm[ _-]?up\b",
          fraction=True),
    Field("max_grad_norm", float,
          r"max[ _-]?grad(?:ient)?[ _-]?norm|clip\w* (?:the )?grad\w*(?: norms?)?(?: at| to)?|"
          r"gradient clipping(?: at| of)?|grad(?:ient)? clip(?:ping)?"),
    Field("log_every", int, r"log(?:ging)?(?: the loss)?(?: every)|log[_ ]every"),
    Field("gradient_accumulation_steps", int,
          # "grad accum 4", "accumulate 16", "accumulate the gradients over 4 steps",
          # "batches of 8 accumulated 4 times", "grad_accum_steps=8"
          r"(?:(?:gradient|grad)[ _-]?)?accum(?:ulat\w*)?(?:[ _-]?steps?)?(?: (?:the )?"
          r"(?:gradients?|grads?))?(?: (?:over|across|for|by|every))?",
          r"(?:accumulation|accumulated) steps\b|(?:batches|steps) of (?:gradient )?"
          r"accumulation\b"),
    Field("label_smoothing", float, r"label[ _-]?smoothing(?: of| at)?|smooth(?:ing)? (?:the )?"
          r"labels?(?: by| with)?", r"label[ _-]?smoothing\b", fraction=True),
]
# every other number of the spec, said by its name ("checkpoint_every 500")
FIELDS += [Field(name, int if is_kind(name, int) else float, field_words(name))
           for name in Training.model_fields if name not in {f.name for f in FIELDS}
           and (is_kind(name, int) or is_kind(name, float))]
SHARES = frozenset(f.name for f in FIELDS if f.fraction)  # said in percent: "10%", "10"
# after their number, these words say it is not the field's ("every 100 steps" is not warmup)
NOT_THIS = {"warmup_ratio": r"\s*(?:steps?|iterations?|updates?)\b",
            "epochs": r"\s*(?:without|with no)\b", "eval_steps": r"\s*epochs?\b"}

SWITCHED_OFF = {
    "dropout": (r"(?:hidden |classifier )?dropout", 0.0),
    "weight_decay": (r"weight[ _-]?decay|l2(?: regulari[sz]ation)?", 0.0),
    "warmup_ratio": (r"warm[ _-]?up", 0.0),
    "max_grad_norm": (r"(?:gradient|grad) clipping|clipping", None),
    "label_smoothing": (r"label[ _-]?smoothing", 0.0),
    "gradient_accumulation_steps": (r"(?:gradient |grad )?accumulation", 1),
    "class_weights": (r"class[ _-]?weight\w*|(?:re)?weighting(?: of)?(?: the)? classes", None),
}
OFF_WORDS = (r"(?:no|without|zero|disable\w*|turn\w* off|remove|skip|switch off|don't use|"
             r"do not use|get rid of|drop)")


def read_training(reading: Reading) -> None:
    """Every training number the message gives, then the ones it switches off or scales."""
    _decimal_commas(reading)
    _relative(reading)
    read_prompts(reading)
    read_choices(reading)  # by the spec's own names first: "cosine_with_restarts", not cosine
    _choices(reading)
    read_switches(reading)
    _optimizer_words(reading)
    said_here = []  # (where it was said, the field): "make it 16" is for the one before it
    for spec_field in FIELDS:
        span, value = _last_value(reading, spec_field)
        if span is None:
            continue
        reading.result.set(f"training.{spec_field.name}", value,
                           f"{spec_field.name.replace('_', ' ')}: {value:g}")
        reading.consume(*span)
        said_here.append((span[1], f"training.{spec_field.name}"))
    _switched_off(reading)
    read_corrected_number(reading, said_here, SHARES)
    _back_to_default(reading)
    _bare_learning_rate(reading)
    _train_for(reading)


def _decimal_commas(reading: Reading) -> None:
    """"lr 0,0001", "2,5e-5": a decimal comma, written the way much of Europe writes it (only
    where it cannot be a list: after a 0, or before an exponent)."""
    reading.text = re.sub(r"(?<![\w.,])(0),(?=\d+\b(?!,\d))|(?<![\w.,])(\d),(?=\d+e[-+]?\d)",
                          lambda m: (m.group(1) or m.group(2)) + ".", reading.text)


def _last_value(reading: Reading, spec_field: Field) -> tuple[tuple[int, int] | None, Any]:
    """The span and value of the last valid, not negated, mention of a field ("not 5 epochs"
    and "8 epochs is too long" do not count)."""
    best: tuple[re.Match | None, Any] = (None, None)
    for pattern in spec_field.patterns():
        for match in re.finditer(pattern, reading.text):
            after = reading.text[match.end():match.end() + 20]
            if spec_field.name in NOT_THIS and re.match(NOT_THIS[spec_field.name], after):
                continue
            if negated_before(reading.text, match.start()) or rejected_after(reading.text,
                                                                             match.end()):
                continue
            value = _value(spec_field, match.group(1), match.group(2))
            if value is not None and (best[0] is None or match.start() > best[0].start()):
                best = (match, value)
    match, value = best
    if match is None:
        return None, None
    return _settled(reading, spec_field, match, value)


def _settled(reading: Reading, spec_field: Field, match: re.Match,
             value: Any) -> tuple[tuple[int, int], Any]:
    """"three or four epochs, say 4", "epochs 3 -> 5": a number settled on right after a
    mention wins."""
    after = reading.text[match.end():match.end() + 40]
    # (not past another number: "4 ep, accum 16, make it 8" settles the accumulation)
    settled = re.match(rf"[^.;,\d]*?,\s*(?:let's say|say|so|make it|i'd say|ideally)\s+{NUMBER}"
                       r"(?![\w.%])|\s*(?:->|=>|→)\s*" + NUMBER + r"(?![\w.%])", after)
    raw = settled and (settled.group(1) or settled.group(2))
    new = _value(spec_field, raw, None) if raw else None
    if new is not None:
        return (match.start(), match.end() + settled.end()), new
    return (match.start(), match.end()), value


def _value(spec_field: Field, raw: str, percent: str | None) -> Any:
    value = float(raw)
    if spec_field.fraction and (percent or value >= 1):
        value /= 100  # "10% dropout", "warmup 10"
    if spec_field.name == "learning_rate" and value >= 1:
        return None  # not a learning rate: "lr 3" means nothing
    if spec_field.kind is int:
        return as_int(value)
    return value


def _switched_off(reading: Reading) -> None:
    """"no dropout", "without weight decay", "turn off warmup", "no gradient clipping"."""
    for name, (words, value) in SWITCHED_OFF.items():
        match = reading.find(rf"\b{OFF_WORDS}\b (?:\w+ ){{0,2}}?(?:{words})\b|"
                             rf"\b(?:{words}) (?:off|disabled|none|to 0|of 0|0)\b")
        if match and not re.search(r"lora|adapter", match.group(0)):
            reading.result.set(f"training.{name}", value, f"no {name.replace('_', ' ')}")
            reading.consume(match.start(), match.end())


SCHEDULES = {
    "cosine": r"cosine(?: annealing| decay| schedule\w*)?",
    "slanted-triangular": r"slanted[ -]triangular(?: \w+)?|stlr\b|one[ -]?cycle",
    # the rate's cue stays for its number: "a constant learning rate of 2e-5"
    "constant": r"constant(?= (?:learning[ _-]?rate|lr)\b)|constant schedule|no (?:lr |"
                r"learning[ _-]?rate )?(?:decay|schedul\w*)",
    "linear": r"linear (?:decay|schedule\w*)|linearly decay\w*",
}
# lr_scheduler_type (transformers' name) or scheduler, with any get_scheduler name after it
SCHEDULER_NAMED = (r"\b(?:lr[_ ]scheduler[_ ]type|(?:lr |learning[ -]rate )?scheduler)" + GAP
                   + r"(" + "|".join(sorted(SCHEDULERS, key=len, reverse=True)) + r")\b")
CLASS_WEIGHTS = (r"(?:balanced|inverse[ -]frequency) (?:class[ _-]?)?weight\w*|class[ _-]?weights?"
                 r"(?: balanced)?|weigh\w* (?:the )?(?:rare |minority )?classes|(?:re)?weight\w* "
                 r"(?:the )?(?:loss|classes) (?:by|for) (?:class )?(?:frequency|imbalance)|"
                 r"(?:fix|handle|correct|compensate for|deal with|account for) (?:the )?"
                 r"(?:class )?imbalance|"
                 # "balance the classes in the loss"
                 r"(?:re)?balanc\w* (?:out )?(?:the )?(?:classes|labels)\b|"
                 # "the classes are imbalanced so weight them": an imbalance, then weighing
                 r"(?:(?:classes|labels|data) (?:are|is) (?:\w+ )?|)(?:im|un)balanced\b"
                 r"[^.;]{0,40}\bweigh\w*")


def _choices(reading: Reading) -> None:
    """The schedule ("cosine decay", "slanted triangular", "lr_scheduler_type
    constant_with_warmup") and balanced class weights."""
    # said by its own name already (spec_fields.read_choices): the words are not looked for
    done = "training.scheduler" in reading.result.changes
    named = None if done else reading.find(SCHEDULER_NAMED)
    if named:
        reading.result.set("training.scheduler", named.group(1),
                           f"{named.group(1)} learning-rate schedule")
        reading.consume(named.start(), named.end())
    for name, words in SCHEDULES.items():
        match = None if named or done else reading.find(rf"\b(?:{words})")
        if match and not negated_before(reading.text, match.start()):
            reading.result.set("training.scheduler", name, f"{name} learning-rate schedule")
            reading.consume(match.start(), match.end())
            break
    if "training.class_weights" in reading.result.changes:
        return
    match = reading.find(rf"\b(?:{CLASS_WEIGHTS})")
    if match and not negated_before(reading.text, match.start()):
        reading.result.set("training.class_weights", "balanced",
                           "class weights: balanced (rare classes count more)")
        reading.consume(match.start(), match.end())


OPTIM_WORDS = (r"\b(?:optim(?:i[sz]er)?|use)" + GAP
               + r"(adamw_torch_fused|adamw_torch|adamw|sgd|adafactor)\b")
CHECKPOINTING = r"\bgradient[ _-]checkpointing\b"


def _optimizer_words(reading: Reading) -> None:
    """``optim sgd`` (transformers' name, or "use adafactor") and gradient checkpointing."""
    match = reading.find(OPTIM_WORDS)
    if match:
        name = "adamw_torch" if match.group(1) == "adamw" else match.group(1)
        reading.result.set("training.optim", name, f"optimizer: {name}")
        reading.consume(match.start(), match.end())
    match = reading.find(CHECKPOINTING)
    if match:
        on = not negated_before(reading.text, match.start())
        reading.result.set("training.gradient_checkpointing", on,
                           f"gradient checkpointing {'on' if on else 'off'}")
        reading.consume(match.start(), match.end())


SPOKEN_FIELDS = {
    "epochs": r"(?:number of )?epochs", "learning_rate": r"learning[ _-]?rate|lr",
    "batch_size": r"batch[ _-]?size", "weight_decay": r"weight[ _-]?decay",
    "dropout": r"dropout", "seed": r"(?:random )?seed",
    "max_length": r"max(?:imum)?[ _-]?(?:sequence[ _-]?)?length|sequence length",
    "warmup_ratio": r"warm[ _-]?up(?: ratio)?",
}


def _back_to_default(reading: Reading) -> None:
    """"set the learning rate back to the default", "use the default batch size"."""
    for name, words in SPOKEN_FIELDS.items():
        match = reading.find(
            rf"\b(?:reset|set|put|change|revert|restore|return|bring|go back with)\w* (?:the )?"
            rf"(?:{words}) (?:back )?to (?:the |its |their )?(?:default|original)s?\b|"
            rf"\b(?:use|keep|with|leave) (?:the |its )?(?:default|usual|normal|standard) "
            rf"(?:{words})\b|\b(?:{words}) (?:at|as) (?:the |its )?default\b")
        if match and f"training.{name}" not in reading.result.changes:
            default = Training.model_fields[name].default
            current = reading.training(name)
            if current != default:
                reading.result.set(f"training.{name}", default,
                                   f"{name.replace('_', ' ')}: the default")
            else:
                reading.result.keep(f"{name.replace('_', ' ')}: the default")
            reading.consume(match.start(), match.end())


def _spoken_numbers() -> list[tuple[str, str]]:
    """(words, field) for every number of the spec: its name's word runs that name no other
    field ("accumulation steps", "batch", "epochs"; not "steps" or "max"), its aliases and its
    spoken names ("lr")."""
    numeric = [n for n in Training.model_fields if is_kind(n, int) or is_kind(n, float)]
    runs: dict[str, set[str]] = {}
    for name in numeric:
        words = name.split("_")
        for size in range(1, len(words) + 1):
            for i in range(len(words) - size + 1):
                runs.setdefault(" ".join(words[i:i + size]), set()).add(name)
    # the plural's s is said or not: "1 epoch", "accumulation step"
    found = [(re.sub(r"s$", "", field_words(run.replace(" ", "_"))), next(iter(fields)))
             for run, fields in runs.items()
             if len(fields) == 1 and run not in GENERIC_WORDS]
    found += [(field_words(alias), field) for alias, (field, _) in TRAINING_ALIASES.items()
              if field in numeric]
    found += [(words, name) for words, name in RELATIVE_SPOKEN.items()]
    found.append((r"step(?: count)?", STEPS))
    # the run's length in steps, said as such
    found.append((r"(?:training|total|optimi[sz]er) step", "max_steps"))
    # the run of more words first: "accumulation steps" before "accumulation"
    return sorted(found, key=lambda pair: (pair[0].count("[ _-]?") + pair[0].count(" "),
                                           len(pair[0])), reverse=True)


# the names people use for a number beyond the words of its field name
RELATIVE_SPOKEN = {r"lr|learning[ -]rate|step size": "learning_rate", r"bs|batch": "batch_size",
                   r"passes|rounds": "epochs", r"(?:grad(?:ient)?[ _-]?)?accum\w*":
                   "gradient_accumulation_steps", r"sequence length|seq(?:uence)? len|context "
                   r"(?:length|size)": "max_length", r"warm-up (?:ratio|steps)": "warmup_ratio"}


# "the steps" alone: whichever steps field the conversation has set (_steps_field)
STEPS = "steps"
# words of field names that name no field alone
GENERIC_WORDS = {"max", "steps", "every", "size", "rate", "ratio", "num", "of", "by", "to"}
SPOKEN_NUMBERS = _spoken_numbers()
FIELD = ("(?:the |my |our |its )?(?:number of )?(" + "|".join(
    rf"(?:{words})s?" for words, _ in SPOKEN_NUMBERS) + r")\b")


def _field_said(words: str) -> str:
    return next(name for pattern, name in SPOKEN_NUMBERS
                if re.fullmatch(rf"(?:{pattern})s?", words))


RATIO = r"\s*(%|percent|x|times|fold)?"
MORE_WORDS = r"more|extra|additional|further|fewer|less"
# (pattern, how the current value changes): the field is the first group of letters, the
# number (where one is said) the first group of digits, then the unit of a "by"
RELATIVE = [
    (rf"\b(?:double|twice|2x)\s+(?:both\s+)?(?:as (?:many|much|long|large|big|high) )?"
     rf"{FIELD}",
     lambda v, n, u: v * 2),
    (rf"\b(?:triple|3x)\s+(?:both\s+)?{FIELD}", lambda v, n, u: v * 3),
    (rf"\b(?:quadruple|4x)\s+(?:both\s+)?{FIELD}", lambda v, n, u: v * 4),
    (rf"\b(?:halve|half)\s+(?:both\s+)?{FIELD}|\b(?:cut|reduce|decrease|lower)\w*\s+{FIELD} "
     r"(?:in|by) (?:a )?half\b", lambda v, n, u: v / 2),
    (rf"\b{NUMBER}\s*(?:x|times) (?:smaller|lower|less|fewer) {FIELD}", lambda v, n, u: v / n),
    (rf"\b{NUMBER}\s*(?:x|times) (?:bigger|larger|higher|more|greater) {FIELD}",
     lambda v, n, u: v * n),
    (rf"\b(?:divide|multiply)\s+{FIELD} by {NUMBER}", None),
    (rf"\b(?:increase|raise|bump|grow|boost)\w*\s+{FIELD}(?: up)? by (?:a factor of )?"
     rf"{NUMBER}{RATIO}", lambda v, n, u: _by(v, n, u, +1)),
    (rf"\b(?:decrease|lower|reduce|cut|drop|shrink|bring)\w*\s+{FIELD}(?: down)? by (?:a factor "
     rf"of )?{NUMBER}{RATIO}", lambda v, n, u: _by(v, n, u, -1)),
    (rf"\b(?:an?other|add(?: on)?|an extra)\s+{NUMBER}\s+(?:(?:{MORE_WORDS})\s+)?{FIELD}",
     lambda v, n, u: v + n),
    (rf"(?<![\w.]){NUMBER}\s+({MORE_WORDS})\s+{FIELD}", None),
    (rf"(?<![\w.]){NUMBER}\s+{FIELD}\s+({MORE_WORDS})\b", None),
]
# "and the learning rate too", "same for the epochs": the change just made, to another field
# (a turn's opening "and"/"also" is gone by now: "the learning rate too")
AGAIN = (rf"(?:\b(?:same (?:for|with)|and|also|as well as) |^\s*){FIELD}(?: too| as well| also)?"
         r"(?!\w)")
FEWER = ("fewer", "less")


def _by(value: float, number: float, unit: str | None, sign: int) -> float:
    """"by 20%": a share of the value; "by a factor of 2", "by 2x": times; "by 2": plus or
    minus 2, unless that leaves nothing or the value is a fraction ("lower the learning rate
    by 10", "raise it by 3": a factor)."""
    if unit in ("%", "percent"):
        return value * (1 + sign * number / 100)
    if unit in ("x", "times", "fold") or number >= max(value, 1) > value or (
            sign < 0 and number >= value):
        return value * number if sign > 0 else value / number
    return value + sign * number


def _relative(reading: Reading) -> None:
    """A change to a number's current value: "double the accumulation steps", "halve the
    batch size", "one epoch fewer", "raise the warmup steps by 50", "lower lr by 20%"; and
    "and the learning rate too", the same change to another field (this turn's or the last)."""
    last = reading.carried.get("relative")
    for pattern, scale in RELATIVE:
        for match in re.finditer(pattern, reading.text):
            last = _apply_relative(reading, match, scale) or last
            # "double both the lr and the batch size": the same change to the second one
            second = re.match(rf"\s*(?:and|&)\s+{FIELD}", reading.text[match.end():]) \
                if " both " in f" {match.group(0)} " else None
            if second:
                end = match.end()
                _change(reading, _field_said(second.group(1)), last,
                        (end + second.start(), end + second.end()))
    if last is None:
        return
    for match in re.finditer(AGAIN, reading.text):
        words = match.group(1)
        if re.search(r"\b(?:too|as well|also|same)\b", match.group(0)):
            _change(reading, _field_said(words), last, match.span())


def _apply_relative(reading: Reading, match: re.Match, scale: Any) -> Any:
    words = next(g for g in match.groups() if g and re.search(r"[a-z]", g)
                 and g not in (*MORE_WORDS.split("|"), "%", "percent", "x", "times", "fold"))
    numbers = [float(g) for g in match.groups() if g and re.fullmatch(r"[\d.e+-]+", g)]
    number = numbers[0] if numbers else None
    unit = match.groups()[-1] if match.groups()[-1] in ("%", "percent", "x", "times",
                                                        "fold") else None
    if scale is None:  # divide/multiply, or N more/fewer: the word decides
        said = match.group(0)
        if said.startswith(("divide", "multiply")):
            scale = (lambda v, n, u: v / n) if said.startswith("divide") else (
                lambda v, n, u: v * n)
        else:
            fewer = any(g in FEWER for g in match.groups() if g)
            scale = (lambda v, n, u: v - n) if fewer else (lambda v, n, u: v + n)
    change = (scale, number, unit)
    _change(reading, _field_said(words), change, match.span())
    return change


def _change(reading: Reading, name: str, change: Any, span: tuple[int, int]) -> None:
    """Set ``name`` to its current value changed by ``change``, or say why not."""
    scale, number, unit = change
    name = _steps_field(reading) if name == STEPS else name
    current = _current(reading, name)
    label = name.replace("_", " ")
    reading.consume(*span)
    if current is None:
        reading.result.unknown.append(f"{label} has no value yet to change: say a number "
                                      f"(\"{label} 100\")")
        return
    value = scale(float(current), number, unit)
    if is_kind(name, int):
        value = max(1, round(value))
    else:
        value = float(f"{value:.3g}")
    reading.result.set(f"training.{name}", value, f"{label}: {value:g}")
    reading.result.carried["relative"] = change


def _steps_field(reading: Reading) -> str:
    """The field "the steps" means: the steps field (max_steps, warmup_steps...) this turn or
    the draft set most recently ("at most 200 steps" ... "triple the steps": max_steps),
    else max_steps, the run's length in steps."""
    fields = [n for n in Training.model_fields if n.endswith("_steps")]
    said = [p.split(".", 1)[1] for p in reading.result.changes if p.startswith("training.")]
    drafted = [k for k, v in (reading.draft.get("training") or {}).items() if v is not None]
    for key in reversed(drafted + said):
        if key in fields:
            return key
    return "max_steps"


def _current(reading: Reading, key: str) -> float | None:
    """A field's value now: the draft's, the strategy's default for the epochs and learning
    rate, the spec's default otherwise (None: a field with no value, such as max_steps)."""
    value = reading.training(key)
    if value is not None:
        return value
    strategy = reading.component("strategy", "strategy")
    if key in ("epochs", "learning_rate"):
        return getattr(strategy, f"default_{key}", 3 if key == "epochs" else 5e-5)
    return Training.model_fields[key].default


def _bare_learning_rate(reading: Reading) -> None:
    """A number in e-notation with no cue ("3 epochs at 2e-5") is a learning rate: nothing
    else in a fine-tuning spec is written that way."""
    if "training.learning_rate" in reading.result.changes:
        return
    for match in reversed(list(re.finditer(r"(?<![\w.])(\d+(?:\.\d+)?e-\d+)\b", reading.text))):
        value = float(match.group(1))
        if re.search(r"\w\s*[=:]\s*$", reading.text[:match.start()]):
            continue  # another setting's value, by its name: "adam_epsilon=1e-6"
        if value < 0.1 and not negated_before(reading.text, match.start()):
            reading.result.set("training.learning_rate", value, f"learning rate: {value:g}")
            reading.consume(match.start(), match.end())
            return


def _train_for(reading: Reading) -> None:
    """"train for 5" with no unit: epochs, when nothing else claims the number."""
    if "training.epochs" in reading.result.changes:
        return
    match = reading.find(r"\b(?:train|run|fine-?tune)\w* (?:it |the model |this )?for (\d+)"
                         r"(?=\s*$|\s*[,.;!]|\s+(?:and|with|instead|please|then)\b)")
    if match:
        reading.result.set("training.epochs", int(match.group(1)), f"epochs: {match.group(1)}")
        reading.consume(match.start(), match.end())


# ---------------------------------------------------------------- early stopping

STOPPING = r"early[ -]?stop\w*"
ES_OFF = (rf"\b(?:no|without|disable\w*|turn\w* off|skip\w*|don't use|do not use|don't want|"
          rf"no need for|remove|drop|switch off|deactivate|never|not|don't|do not)\b "
          rf"(?:\w+ ){{0,2}}?(?:{STOPPING}|stop\w* early)|\b{STOPPING} (?:off|disabled|false|"
          rf"no)\b|\b(?:train|run) (?:for |through )?all (?:the )?(?:\d+ )?epochs|\bno patience|"
          rf"\b(?:keep|continue) (?:training|going)\w* (?:\w+ ){{0,3}}?(?:even if|even when|"
          rf"regardless|no matter)")
ES_ON = (rf"\b(?:with|use|using|enable\w*|turn\w* on|add|keep|switch on|want|do|apply)\b "
         rf"(?:\w+ ){{0,2}}?{STOPPING}|\b{STOPPING} (?:on|enabled)\b|\bstop (?:training )?early\b")
# "monitor f1" is about early stopping only when the message talks about stopping
ES_MONITOR = r"\b(?:monitor|watch)\w* (?:the )?(?:validation |val |eval |dev )?([\w-]+(?: [\w-]+)?)"
PATIENCE = [
    r"\bpatience\s*[,:=]?\s*(?:of|to|is|at)?\s*(\d+)",
    r"\b(\d+) (?:epochs?|evaluations?|evals?|rounds?) (?:of )?patience",
    r"\b(?:stop\w*|early[ -]?stop\w*|halt\w*|quit\w*|end\w*)[\w ,]{0,40}?(?:after|if|when|once|"
    r"for) (\d+) (?:\w+ )?(?:epochs?|evaluations?|evals?|rounds?|checks?)(?: in a row)? "
    r"(?:\w+ ){0,2}?(?:without|with no|of no|no|don't|doesn't|do not|not)\b",
    r"\b(\d+) (?:epochs?|evaluations?|evals?|rounds?|checks?) (?:in a row )?(?:without|with no|"
    r"of no) (?:\w+ )?improv\w*",
    r"(?:\bnot|n't|\bno longer|\bstops?|\bfails? to) (?:\w+ )?improv\w* (?:\w+ ){0,3}?"
    r"(?:for|after|in|within|over) (\d+) (?:\w+ )?(?:epochs?|evaluations?|evals?|rounds?|checks?)",
]
ES_METRIC = [
    # transformers' name: the metric the best checkpoint is chosen by
    r"\bmetric[_ ]for[_ ]best[_ ]model\s*(?:=|:|is)?\s*['\"]?(?:eval_)?([\w-]+)",
    rf"\b(?:{STOPPING}|stop\w*|patience(?: of)? \d+)(?: \w+){{0,3}}? (?:on|by|using|watching|"
    rf"monitoring|based on|tracking|with|when|if) (?:the )?(?:validation |val |eval |dev )?"
    rf"([\w-]+(?: [\w-]+)?)",
    r"\b(?:monitor|watch|track)\w* (?:the )?(?:validation |val |eval |dev )?([\w-]+(?: [\w-]+)?)"
    rf" (?:for|during|with|to decide) (?:\w+ )?(?:{STOPPING}|stopping|when to stop)",
    rf"\b((?:validation |val )?[\w-]+) (?:should |will |is to |to )?(?:drive|decide|control|guide|"
    rf"determine|trigger)s? (?:the )?(?:{STOPPING}|stopping|when to stop)",
    rf"\b(?:use|using|pick|take) ((?:validation |val )?[\w-]+(?: [\w-]+)?) (?:for|in|with|as the "
    rf"metric for|to drive) (?:the )?(?:{STOPPING}|stopping|when to stop)",
]
# "it" in "please use it for early stopping": the metric named last before it
PRONOUN = re.compile(r"(?:it|that|this|that one|this one|the same)\b")


def read_early_stopping(reading: Reading) -> None:
    """Off ("without early stopping"), on, its patience, and the metric it watches."""
    off = reading.find(ES_OFF)
    if off:
        reading.result.set("training.early_stopping", None, "no early stopping")
        reading.consume(off.start(), off.end())
        return
    settings: dict[str, Any] = {}
    metric_patterns = ES_METRIC + ([ES_MONITOR] if re.search(rf"patience|{STOPPING}",
                                                              reading.text) else [])
    for pattern in metric_patterns:  # before patience: "patience of 5 on validation loss"
        match = reading.find(pattern)
        watched = _watched(reading, match.group(1)) if match else None
        if match and not watched and PRONOUN.match(match.group(1)):
            watched = _last_metric_before(reading, match.start())
            if watched:
                settings["metric"] = watched
                reading.consume(match.start(1), match.start(1) + 2)
                break
        if watched:
            settings["metric"], length = watched
            reading.consume(match.start(1), match.start(1) + length)
            break
    for pattern in PATIENCE:
        match = reading.find(pattern)
        if match and as_int(float(match.group(1))):
            settings["patience"] = int(match.group(1))
            reading.consume(match.start(), match.end())
            break
    best = reading.find(r"\bload[_ ]best[_ ]model[_ ]at[_ ]end\s*(?:=|:)?\s*(true|false|yes|no)\b")
    if best:  # transformers' name for ending with the best evaluation's weights
        settings["restore_best"] = best.group(1) in ("true", "yes")
        reading.consume(best.start(), best.end())
    delta = reading.find(rf"\bmin(?:imum)?[_ ]?(?:delta|improvement)\s*(?:=|:|of|is)?\s*{NUMBER}")
    if delta:
        settings["min_delta"] = float(delta.group(1))
        reading.consume(delta.start(), delta.end())
    on = reading.find(ES_ON)
    if not settings and not on:
        return
    if on:
        reading.consume(on.start(), on.end())
    current = _current_stopping(reading)
    if current is None or settings:
        merged = {**(current or {}), **settings}
        reading.result.set("training.early_stopping", merged,
                           "early stopping" + "".join(f", {k} {v}" for k, v in settings.items()))
    else:
        reading.result.keep("early stopping is on")


def _current_stopping(reading: Reading) -> dict[str, Any] | None:
    """Early stopping as the draft has it: None is off; left out means the default (on)."""
    training = reading.draft.get("training") or {}
    if "training.early_stopping" in reading.result.changes:
        return reading.result.changes["training.early_stopping"]
    return training.get("early_stopping", {}) if isinstance(training, dict) else {}


def _watched(reading: Reading, words: str) -> tuple[str, int] | None:
    """The metric early stopping watches ("loss", or a metric of the catalog, added to the
    spec's metrics when missing: only computed metrics can be watched), and how many
    characters of ``words`` named it."""
    loss = re.match(r"(?:validation |val )?loss\b", words)
    if loss:
        return "loss", loss.end()
    mentions = [m for m in reading.catalog.exact("metric", words) if not m.negated]
    if not mentions:
        return None
    first = min(mentions, key=lambda m: m.start)
    _ensure_metric(reading, first.component.name)
    return first.component.name, first.end


def _last_metric_before(reading: Reading, position: int) -> str | None:
    mentions = [m for m in reading.catalog.exact("metric", reading.text[:position])
                if not m.negated]
    if re.search(r"\b(?:validation )?loss\b", reading.text[:position]) and not mentions:
        return "loss"
    if not mentions:
        return None
    name = max(mentions, key=lambda m: m.start).component.name
    _ensure_metric(reading, name)
    return name


def _ensure_metric(reading: Reading, name: str) -> None:
    current = reading.result.changes.get("metrics", reading.draft.get("metrics") or [])
    names = [m if isinstance(m, str) else m.get("name") for m in current]
    if name not in names:
        reading.result.set("metrics", [*names, name], f"metrics: {', '.join([*names, name])}")
