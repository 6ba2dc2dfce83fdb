"""The Training fields of the spec, read generically from its schema.

Every field of ``tunekit.spec.Training`` can be said the way it is written: its name
("group by length", "auto batch size on", "max_steps 500"), transformers' name for it
(``TRAINING_ALIASES``), or one of its choices by name ("adafactor optimizer", "the
cosine_with_restarts schedule", "log to tensorboard"). A new field of the spec is understood
the moment it is added, without a word list of its own.
"""

from __future__ import annotations

import difflib
import functools
import re
import types
import typing
from typing import Any

from pydantic import ValidationError
from tunekit.spec import TRACKERS, TRAINING_ALIASES, Training

from .fuzzy import close
from .language import STOPWORDS, negated_before
from .reading import Reading

# report_to is a list of names that its validator checks (not a Literal): these are the names
FIELD_CHOICES: dict[str, tuple[str, ...]] = {"report_to": TRACKERS}
# the words that say which field a choice said alone belongs to, beyond the field's own name
CHOICE_CUES = {
    "scheduler": r"schedul\w*|decay\w*|anneal\w*",
    "optim": r"optimi[sz]\w*|optim|use|using|with|switch to",
    "report_to": r"log\w*|report\w*|track\w*|send\w*|stream\w*|tracker\w*|dashboards?|"
                 r"monitor\w*|visuali[sz]\w*",
}
# a sentence: choices and their cue stand in one, near each other
SEGMENT = re.compile(r"[^;.!?]+(?:\.(?=\S)[^;.!?]*)*")
NEAR = 40  # characters between a cue and a choice it names
WORD = re.compile(r"[\w&+-]+")


def field_words(name: str) -> str:
    """A field's name as people write it: "group_by_length" -> group by length, group-by-length,
    group_by_length."""
    return r"[ _-]?".join(re.escape(w) for w in name.split("_"))


def field_cue(name: str) -> str:
    """The words naming a field: its own name, its aliases, and the cues of its choices."""
    names = [field_words(name)] + [field_words(a) for a, (f, _) in TRAINING_ALIASES.items()
                                   if f == name]
    if name in CHOICE_CUES:
        names.append(CHOICE_CUES[name])
    return "|".join(names)


@functools.cache
def choices(name: str) -> tuple[Any, ...]:
    """The values a field takes by name: its Literal's, or the names its validator checks."""
    if name in FIELD_CHOICES:
        return FIELD_CHOICES[name]
    annotation = Training.model_fields[name].annotation
    found: list[Any] = []
    for part in _parts(annotation):
        if typing.get_origin(part) is typing.Literal:
            found += [v for v in typing.get_args(part) if isinstance(v, str)]
    return tuple(found)


def _parts(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return list(typing.get_args(annotation))
    return [annotation]


def is_kind(name: str, kind: type) -> bool:
    return kind in _parts(Training.model_fields[name].annotation)


_SCRATCH = Training()


def _is_list(name: str) -> bool:
    return typing.get_origin(Training.model_fields[name].annotation) is list


@functools.lru_cache(maxsize=4096)
def _accepted(name: str, said: str) -> Any | None:
    """The value the field's own validator makes of ``said`` ("weights_and_biases" -> wandb),
    or None when it is not one of the field's choices."""
    many = typing.get_origin(Training.model_fields[name].annotation) is list
    try:  # one field validated on a scratch model: the whole model is slow to build per word
        Training.__pydantic_validator__.validate_assignment(_SCRATCH, name,
                                                             [said] if many else said)
    except ValidationError:
        # a typo of a long choice ("tensorbord", "adafactr", "cosine_with_restart")
        return next((c for c in choices(name) if len(said) >= 6 and close(said, c)), None)
    value = getattr(_SCRATCH, name)
    value = value[0] if many else value
    return value if value in choices(name) else None


def _said_choices(name: str, segment: str, cues: list[tuple[int, int]],
                  known: frozenset[str] = frozenset()) -> list[tuple[int, int, Any]]:
    """(start, end, value) of the field's choices said in one segment, near a cue or
    distinctive alone, or ``known`` (in the list already: "no wandb"), the longest reading of
    each place winning ("cosine_with_restarts" over
    "cosine")."""
    words = list(WORD.finditer(segment))
    # a validator's other spellings begin like the choice ("weights_and_biases": wandb)
    firsts = {str(choice)[0] for choice in choices(name)}
    found = _said_in_any_order(name, segment, words)
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            group = words[i:i + size]
            if group[0].group(0) in STOPWORDS or group[-1].group(0) in STOPWORDS:
                continue  # no choice begins or ends with "the", "to", "and"
            said = "_".join(w.group(0) for w in group).replace("&", "and")
            start, end = group[0].start(), group[-1].end()
            if said.isdigit() or said[0] not in firsts:  # "batch 16" is no precision
                continue
            cued = any(start - NEAR < e and s < end + NEAR // 2 for s, e in cues)
            if not (cued or _distinctive(said) or said in known):
                continue  # (checked before the validator, which is slow to ask every word)
            value = _accepted(name, said)
            if value is not None and not any(s < end and start < e for s, e, _ in found):
                found.append((start, end, value))
    return sorted(found)


# words that may stand between the words of a choice said in another order ("cosine
# annealing with hard restarts")
SPREAD = 5


def _said_in_any_order(name: str, segment: str,
                       words: list[re.Match[str]]) -> list[tuple[int, int, Any]]:
    """The choices of several words said with their words in another order or with words
    between ("restarting cosine", "cosine annealing with hard restarts" say
    cosine_with_restarts), the choice of the most words first, so it wins its place over a
    shorter one inside it; a word turned down does not count ("cosine without restarts")."""
    said = [w.group(0) for w in words]
    found: list[tuple[int, int, Any]] = []
    for choice in sorted(choices(name), key=lambda c: -len(_content_words(c))):
        parts = _content_words(choice)
        if len(parts) < 2:
            continue
        for i in range(len(said)):  # a window opening on one of the choice's words
            window = range(i, min(len(said), i + len(parts) + SPREAD))
            at = [next((j for j in window if _is_form_of(said[j], p)), None) for p in parts]
            if None in at or i not in at:
                continue
            if any(negated_before(segment, words[j].start(), window=12)
                   for j in at if j != min(at)):
                continue
            start, end = words[min(at)].start(), words[max(at)].end()
            if not any(s < end and start < e for s, e, _ in found):
                found.append((start, end, choice))
    return found


def _content_words(choice: Any) -> list[str]:
    return [w for w in re.split(r"[_-]", str(choice)) if w and w not in STOPWORDS]


def _is_form_of(word: str, part: str) -> bool:
    """``word`` is ``part`` or a form of it ("restarts", "restarting": restarts); a name
    joined with others is not ("warmup_steps" is no form of warmup, nor
    "constant_with_warmup" of constant)."""
    root = part[:-1] if part.endswith("s") and len(part) > 4 else part
    return word == part or (len(root) >= 4 and word.startswith(root)
                            and word[len(root):].isalpha())


def _distinctive(said: str) -> bool:
    """Words that name a choice on their own ("constant_with_warmup", "adafactor"), unlike a
    plain word ("constant", "balanced", "half", "off")."""
    return bool(re.search(r"[_\d-]", said)) or len(said) >= 9


def read_choices(reading: Reading) -> None:
    """Each field with choices: the ones said by name, beside a word about the field or
    distinctive enough alone; a list field (report_to) takes every one said."""
    for name in Training.model_fields:
        if f"training.{name}" in reading.result.changes or not choices(name):
            continue
        cue = re.compile(rf"\b(?:{field_cue(name)})\b")
        said: list[tuple[int, int, Any]] = []
        turned_down: list[tuple[int, int, Any]] = []
        for segment in SEGMENT.finditer(reading.text):
            cues = [m.span() for m in cue.finditer(segment.group(0))]
            known = frozenset(reading.training(name) or []) if _is_list(name) else frozenset()
            for start, end, value in _said_choices(name, segment.group(0), cues, known):
                start, end = start + segment.start(), end + segment.start()
                (turned_down if negated_before(reading.text, start) else said).append(
                    (start, end, value))
        many = _is_list(name)
        if many:  # "also log to wandb" adds a tracker, "no tensorboard logging" removes one
            now = list(reading.training(name) or [])
            value = [v for v in dict.fromkeys(now + [v for _, _, v in said])
                     if v not in {v for _, _, v in turned_down}]
            if value == now:
                continue
        elif said:
            value = said[-1][2]
        else:
            continue
        shown = ", ".join(value) or "none" if many else value
        reading.result.set(f"training.{name}", value, f"{name.replace('_', ' ')}: {shown}")
        for start, end, _ in said + turned_down:
            reading.consume(start, end)


def _name_pattern(name: str) -> str:
    """A field's words in order, each allowed an ending and one extra word after it:
    "group batches by length" says group_by_length."""
    words = [re.escape(w) for w in name.split("_")]
    return r"(?:[ _-]\w+)?[ _-]".join(rf"{w}\w*" if len(w) > 2 else w for w in words)


OFF_AFTER = re.compile(r"\s*(?:=|:|to|is)?\s*(?:off|false|no|disabled?|none)\b")


def read_switches(reading: Reading) -> None:
    """On/off fields said by name: "auto batch size on", "group by length", "no
    gradient_checkpointing", "group_by_length: false"."""
    for name in Training.model_fields:
        annotation = Training.model_fields[name].annotation
        if annotation is not bool or f"training.{name}" in reading.result.changes:
            continue
        match = reading.find(rf"\b{_name_pattern(name)}\b")
        if not match:
            continue
        off = negated_before(reading.text, match.start()) or bool(
            OFF_AFTER.match(reading.text, match.end()))
        end = match.end()
        tail = re.match(r"\s*(?:=|:|to|is)?\s*(?:on|off|true|false|yes|no|enabled?|disabled?)\b",
                        reading.text[end:])
        if tail:
            end += tail.end()
        reading.result.set(f"training.{name}", not off,
                           f"{name.replace('_', ' ')} {'off' if off else 'on'}")
        reading.consume(match.start(), end)


# a cue for free-text prompts, then quoted texts
# (a verb of writing on from a text, then up to a few small words: "have it continue",
# "sample completions for", "test it with prompts like")
PROMPT_VERB = (r"(?:generation[ _]prompts?|prompts?|ask\w*|generat\w*|sampl\w*|complet\w*|"
               r"continu\w*|finish\w*|extend\w*|answer\w*|respond\w*|repl(?:y|ies)|"
               r"writ\w*|(?:try|tries|test|probe)\w*|feed\w*)")
PROMPT_CUE = (rf"{PROMPT_VERB}(?: (?:it|the model|them|to|on|with|from|for|up|texts?|"
              r"prompts?|completions?|generations?|outputs?|like|such as|e\.?g\.?|"
              r"for example|things like|the (?:prompts?|texts?|lines?|phrases?|sentences?)|"
              r"check|watch|see|look at|after (?:each|every) (?:epoch|eval\w*)))"
              r"{0,3}")
# after the quotes: "use 'My garden' and 'In spring' as test prompts"
PROMPT_AFTER = re.compile(r"\s*as (?:the |a |my |our )?(?:generation |test |sample |eval\w* )?"
                          r"prompts?\b")
QUOTED = re.compile(r"(?<!\w)'([^']+?)'(?!\w)|\"([^\"]+)\"")
# unquoted, the rest of the message after "prompt:" ("generate from the prompt: once upon a
# time"); several prompts split by ";" or "|"
PROMPT_LEFT = re.compile(r"\b(?:generation |test |sample |eval(?:uation)? )?prompts?\s*:\s*"
                         r"([^\"'\n]+?)\s*$", re.IGNORECASE)
CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def read_prompts(reading: Reading) -> None:
    """generation_prompts: the quoted texts right after a word about prompting ("after each
    eval ask it to 'Write a poem about the sea.'"), as written (case kept)."""
    written = [m.group(1) or m.group(2)
               for m in QUOTED.finditer(reading.message.translate(CURLY))]
    normalised = list(QUOTED.finditer(reading.text))
    if not written or len(written) != len(normalised):
        _prompts_left(reading)
        return
    prompts, spans = [], []
    for index, match in enumerate(normalised):
        before = reading.text[max(0, match.start() - 40):match.start()]
        joined = spans and re.fullmatch(r"\s*(?:,|and|or|plus|, and|, or|then|as well as)?\s*",
                                        reading.text[spans[-1][1]:match.start()])
        if joined or re.search(rf"\b{PROMPT_CUE}\s*(?::|=)?\s*$", before):
            prompts.append(written[index].strip())
            spans.append((match.start(), match.end()))
    after = PROMPT_AFTER.match(reading.text, spans[-1][1]) if spans else None
    if not prompts or after is None and len(prompts) < len(normalised):
        prompts, spans = _prompts_before_as(reading, written, normalised) or (prompts, spans)
    if not prompts:
        _prompts_left(reading)
        return
    reading.result.set("training.generation_prompts", prompts,
                       "prompts after each evaluation: " + "; ".join(prompts))
    for start, end in spans:
        reading.consume(start, end)


def _prompts_before_as(reading: Reading, written: list[str], normalised: list[re.Match],
                       ) -> tuple[list[str], list[tuple[int, int]]] | None:
    """The quoted texts joined before "as test prompts" ("use 'A' and 'B' as prompts")."""
    for last in range(len(normalised) - 1, -1, -1):
        if not PROMPT_AFTER.match(reading.text, normalised[last].end()):
            continue
        first = last
        while first and re.fullmatch(r"\s*(?:,|and|or|plus|, and|, or)?\s*", reading.text[
                normalised[first - 1].end():normalised[first].start()]):
            first -= 1
        chosen = range(first, last + 1)
        return ([written[i].strip() for i in chosen],
                [(normalised[i].start(), normalised[i].end()) for i in chosen])
    return None


def _prompts_left(reading: Reading) -> None:
    """Unquoted prompts ending the message after "prompt:", as written."""
    written = PROMPT_LEFT.search(reading.message.translate(CURLY))
    said = PROMPT_LEFT.search(reading.text)
    if not written or not said:
        return
    prompts = [p.strip() for p in re.split(r"\s*[;|]\s*", written.group(1)) if p.strip()]
    reading.result.set("training.generation_prompts", prompts,
                       "prompts after each evaluation: " + "; ".join(prompts))
    reading.consume(said.start(), said.end())


# a setting written as a config key, snake_case ("save_total_limit=2", "adam_epsilon: 1e-6")
SETTING = re.compile(r"(?<![\w./-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\s*(?:=|:)\s*"
                     r"(['\"]?[\w.+-]+['\"]?)")


# transformers' evaluation_strategy (eval_strategy): tunekit's eval_steps says it
EVAL_STRATEGY = re.compile(r"\b(?:evaluation|eval)[ _-]?strategy\s*(?:=|:|is|to|of|as)?\s*"
                           r"['\"]?(steps?|epochs?|no|none|off)\b['\"]?")


def read_eval_strategy(reading: Reading) -> None:
    """``evaluation_strategy=steps`` (or ``eval_strategy``, or "epoch", "no"): what it means
    here, since tunekit has no such field: evaluation every ``eval_steps`` steps when that is
    set, else once per epoch; it cannot be turned off."""
    match = EVAL_STRATEGY.search(reading.text)
    if not match:
        return
    said, steps = match.group(1), reading.training("eval_steps")
    if said.startswith("step") and steps:
        reading.result.keep(f"evaluation strategy steps: so it is, every {steps} steps "
                            "(eval_steps)")
    elif said.startswith("step"):
        reading.result.unknown.append(
            "evaluation_strategy=steps without a number of steps: here evaluation every N "
            "steps is eval_steps, so say how many (e.g. \"eval_steps=200\"); until then the "
            "validation set is evaluated once per epoch")
    elif said.startswith("epoch") and steps:
        reading.result.set("training.eval_steps", None,
                           "eval steps: none (evaluation once per epoch, as the evaluation "
                           "strategy epoch says)")
    elif said.startswith("epoch"):
        reading.result.keep("evaluation strategy epoch: so it is, once per epoch (eval_steps "
                            "unset)")
    else:
        reading.result.unknown.append(
            f"evaluation_strategy={said}: evaluation cannot be turned off here: the validation "
            "set is evaluated once per epoch (or every eval_steps steps), which early stopping "
            "and the best checkpoint rely on; validation_split sets how much is held out")
    reading.consume(*match.span())


def read_unknown_settings(reading: Reading) -> None:
    """A setting written by a name no reader took (transformers' ``save_total_limit=2``): said
    as not taken, with the nearest name of the spec's, never dropped."""
    read_eval_strategy(reading)
    names = [*Training.model_fields, *TRAINING_ALIASES]
    for match in list(SETTING.finditer(reading.text)):
        key, value = match.group(1), match.group(2).strip("'\"")
        near = difflib.get_close_matches(key, names, n=2, cutoff=0.8)
        hint = f" (did you mean {' or '.join(near)}?)" if near else ""
        reading.result.unknown.append(f"{key}={value}: no setting of tunekit's has that name"
                                      f"{hint}; the training settings are listed in "
                                      f"docs/guide/training.md")
        reading.consume(*match.span())
