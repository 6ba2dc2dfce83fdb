"""What a turn asked for that no reader took: said in the reply, never dropped.

Each reader consumes (blanks) the span it understood. What is left once all of them ran is
mostly filler ("train a model on ... please") and words that describe the data ("a model that
routes new emails", "my customer reviews"), but sometimes a request that nothing here can
take ("then link every entity to its wikipedia page", "and email me when it is done"). No
table of such requests can be complete (scope_words.py keeps the known ones, with advice), so
the leftover is judged by its shape:

- a clause asks for something when a connector adds it to the turn (then, afterwards, also,
  plus, ", and give me", "I also want", "can it also"...) or when it opens a sentence as an
  imperative or with "I want/need";
- a clause whose first content word is the training itself (train, classify, a model, a
  tagger: the tasks' and the catalog's own words) is the training request: what is left of it
  describes the data;
- it is said only when content words remain once stop words, politeness, the domain's words
  and the words of the data (its file and columns, the turn's training request) are gone;
- a clause a reader took part of is judged by its parts (split at "and" and commas): only a
  part nobody touched is said;
- a part that a known limit already said (``Reading.declined``) is left to that saying.

The quote is the person's own words, from the message as written.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from .data_words import DATA_SUFFIXES
from .fuzzy import SETTING_WORDS, close
from .language import normalise
from .reading import Reading

# "after training, ...", "once it's done, ...": what comes next is asked on top of the run
AFTERWARDS = (r"(?:after (?:the )?(?:training|run|that)|once (?:it'?s|it is|training is|the run "
              r"is|that'?s) (?:done|finished|over|trained)|when (?:it'?s|it is|training is|the "
              r"run is) (?:done|finished|over))\b,?")
# connectors that add a request to the turn: the clause after one is read on its own
STRONG = re.compile(
    r"(?:,\s*|\b)(?:and\s+)?(?:then|afterwards|after that|after which|additionally|"
    r"in addition|on top of that|finally|as well as|(?:as |in )?(?:a |the )?next step)\b|"
    r"(?:^|(?<=[.!?:;\n])\s*|(?<=[.!?:;]\s)|[,;]\s*|\b(?:and|please)\s+|(?<=\bto\s))(?:also|plus)\b|"
    r"\b(?:and\s+)?(?:i|we) (?:also|additionally) (?:want|need|would like|'d like|wish)\b|"
    r"\b(?:and\s+)?(?:can|could|would|will) (?:it|you|tunekit|we|i) (?:also|additionally)\b|"
    r"\band (?=[a-z]+ (?:me|us)\b)|"  # "and give me", "and email me", "and let us know"
    r"(?:^|(?<=[.!?:;,\n])\s*|(?<=[.!?:;,]\s)|\band\s+)" + AFTERWARDS)
WEAK = re.compile(r",\s*and (?=[a-z])")  # ", and ...": a request only when it reads as one
SENTENCE_END = re.compile(r"[.!?;:]+(?:\s|$)|\n+")
OPENING, JOINED, ADDED = 0, 1, 2  # how a clause came: a sentence, ", and", a connector
# the connector, politeness and hesitation before a clause's first word
LEAD = re.compile(r"[\s,;:-]*(?:(?:and|then|also|plus|afterwards|additionally|finally|please|"
                  r"kindly|pls|plz|now|so|ok|okay|oh|just|maybe|perhaps|actually|ideally|"
                  r"lastly|after that|after which|in addition|on top of that|as well as|"
                  r"(?:as |in )?(?:a |the )?next step)\b"
                  r"[\s,]*|" + AFTERWARDS + r"\s*)*")
# how a request opens: "I'd like", "can you", "let's" (the request is what follows)
FRAME = re.compile(
    r"^(?:(?:i|we) (?:also |really |would |will |'d )?(?:want|need|would like|'d like|wish|"
    r"require|expect|am looking for|'m looking for|would love|'d love)(?: (?:you|it|tunekit|"
    r"the model|the tool))?(?: to)?\b\s*|"
    r"(?:can|could|would|will) (?:you|it|tunekit|we|i) (?:also |additionally |please )*"
    r"(?:be able to )?|let'?s |let (?:me|us) |please |(?:is|would) (?:it|there) (?:be )?"
    r"(?:possible|a way) to |(?:is there )?any way to |do you support )(?:also )?")
# a clause that opens with these describes (the data, the model): it asks for nothing
DESCRIBING = frozenset("""it its it's they them their there this that these those which who
whose where when what whatever how why he she his her is are was were be been has have had
does did don't doesn't isn't aren't as if because since though although while but or nor
not no one ones my our your mine ours i i'm im we we're you you're i've we've here heres
here's only just even mostly especially simply after before during on in at for from with
by between per about like near over under into without within across through via than vs
versus around along beside besides toward towards upon among against behind beyond inside
outside above below alongside""".split())
DETERMINERS = frozenset("a an the some each every all any both".split())
# what follows an imperative's verb ("email me", "run it", "explain each prediction")
OBJECTS = frozenset("me us it them this that these those each every all the a an its their "
                    "some any both everything anything".split())
# verbs whose object says what is asked ("make a model", "give me a confidence interval")
LIGHT = frozenset("make build create get give have produce prepare set do".split())
# "use my customer reviews", "take our support emails": the person's data, described
USING = frozenset("use using take taking load read with on from given".split())
POSSESSIVE = frozenset("my our your their his her the company's".split())
STOPWORDS = frozenset("""a an the to of and or for with on in into onto at by from as about
over under than then so up out off down me us you it its it's them they their this that these
those there here is are be been being was were am do does did done doing have has had having
will would can could should shall may might must also too very really quite just only even
please kindly thanks thank pls plz cheers ok okay yes no not any some all each every both
either other another more most much many few less least own same such what which who whom
whose when where why how if while because since until once again now later soon still yet
already maybe perhaps i i'd i'm im we we'd i'll we'll my our your mine ours one ones way
thing things stuff something anything everything bit lot lots like want wants wanted need
needs needed wish would like love get gets got give gives make makes made let lets let's
put take takes keep keeps see show tell help try go going know think sure well good great
nice best better right fine properly quick quickly fast faster simple basic usual normal
sensible default defaults new old first next last final finally full possible able instead
rather besides either as well rest end beginning time cheap cheaper small smaller tiny
light lean efficient accurate robust stable reliable precise safe short shorter long longer big
bigger large larger quicker higher ask asking asked confirm confirmation wait waiting""".split())
# words of the training itself: a clause that opens with one is the training request
TRAINING_HEADS = frozenset("""train trains training trained retrain retraining finetune
finetunes finetuning fine-tune fine-tunes fine-tuning fine-tuned tune tunes tuning tuned
fine classify classifies classifying classification classifier categorise categorize sort route
routes flag flags detect detects recognise recognize recognises recognizes spot identify
distinguish separate group assign predict predicts predicting prediction predictor
estimate forecast guess score rate grade regress regression regressor tag tags tagging
tagger label labels labelling labeling mark extract find finds learn model models network
teach answer generate chat chatbot llm""".split())
# the heads long enough for a misspelling of one to be told from another word
LONG_HEADS = tuple(sorted(h for h in TRAINING_HEADS if len(h) >= 6))
# other words of the domain: they carry no request of their own
DOMAIN = frozenset("""data dataset datasets file files folder folders table column columns
row rows field fields text texts sentence sentences document
documents example examples sample samples record records split splits set sets train test
validation dev eval evaluate evaluation epoch epochs step steps batch batches rate lr
learning run runs running launch start results result output outputs metric metrics
accuracy loss score scores number numbers value values class classes category categories
target targets input inputs token tokens word words entity entities image images picture
pictures photo photos use used using set setting settings config configuration spec
export exports exported save saved saving write writes written dump store print log
logging track tracking checkpoint
checkpoints weights layer layers head base pretrained task tasks job plan summary overview
recap setup
ignore ignoring skip disable enable turn switch allow avoid balance weigh compute calculate
measure report monitor watch stop hold keep increase decrease lower raise double halve change
reduce shuffle drop remove add include exclude limit cap warn warning warnings refuse check
checks curve curves plot plots chart charts progress history compare comparison diagnose
diagnosis sweep search bakeoff bake-off demo studio chat predict push resume publish serve
upload""".split()) | set(DATA_SUFFIXES)  # and tunekit's own commands (`tunekit --help`)
FUNCTION_HEAD = re.compile(r"^(?:\d[\w.%-]*|[^a-z]+)$")


def read_leftovers(reading: Reading, said: str, written: str) -> None:
    """Say each request of the turn that no reader took (``said``: the normalised text before
    any reader consumed it; ``written``: the message as written)."""
    taken = [a != b for a, b in zip(said, reading.text, strict=False)]
    taken += [False] * (len(said) - len(taken))
    data = _data_words(reading)
    clauses = _clauses(said)
    for start, end, how in clauses:
        if not _asks(said[start:end], how):
            data |= _words(said[start:end])  # the training request: its words are the data's
    for start, end, how in clauses:
        for part in _untaken_parts(said, taken, start, end, how):
            words = [w for w in _words(said[part[0]:part[1]]) if w not in data]
            if _content(words, reading.catalog) and not _declined(reading, *part):
                note = f"\"{_quote(written, said, *part)}\" — nothing in tunekit does that here"
                reading.result.unknown.append(note)
                reading.result.leftovers.append((note, how == ADDED))


def _clauses(said: str) -> list[tuple[int, int, int]]:
    """(start, end, how it came) of each clause: sentences, cut again before each
    connector."""
    clauses = []
    start = 0
    for stop in [m.end() for m in SENTENCE_END.finditer(said)] + [len(said)]:
        cuts = sorted({(m.start(), ADDED) for m in STRONG.finditer(said, start, stop)} |
                      {(m.start(), JOINED) for m in WEAK.finditer(said, start, stop)})
        opens = ADDED if any(a <= start + len(said[start:stop]) - len(said[start:stop].lstrip())
                             and how == ADDED for a, how in cuts) else OPENING
        cuts = [(a, how) for a, how in cuts if a > start]
        bounds = [(start, opens), *cuts, (stop, OPENING)]  # "also, ...", "then ...": added
        for (a, how), (b, _) in zip(bounds, bounds[1:], strict=False):
            clause = said[a:b].strip(" ,.;:!?")
            if clause:  # "...confidence scores too": added as "also" adds
                clauses.append((a, b, ADDED if clause.endswith((" too", " as well")) else how))
        start = stop
    return clauses


def _asks(clause: str, how: int) -> bool:
    """The clause asks for something other than the training: it opens as a request (after a
    connector, with "I want", or as an imperative: a verb and its object) and what it asks
    for is not the training itself."""
    rest = LEAD.sub("", clause, count=1).strip(" ,.;:!?-")
    framed = FRAME.match(rest)
    rest = rest[framed.end():] if framed else rest
    words = [w for w in map(_bare, rest.split()) if w]
    if not words:
        return False
    if len(words) > 1 and words[0] in USING and words[1] in POSSESSIVE:
        return False  # "use my customer reviews": the data, described
    after = words[2:] if len(words) > 2 and words[1] in ("me", "us") else words[1:]
    if after and after[0] in ("why", "what", "how", "which", "whether"):
        return False  # "tell me how long it takes", "explain why": a question to answer
    if words[0] in DETERMINERS and (framed or how == ADDED):
        return not _names_training(_noun_phrase(words))  # "plus a confidence interval"
    if words[0] in DESCRIBING or words[0] in DETERMINERS or FUNCTION_HEAD.match(words[0]):
        return False  # "it routes new emails", "the labels are in stars", "on 2 gpus"
    if _training(words[0]):
        return False  # "train a tagger on ...", "classify the tickets"
    if words[0] in LIGHT:  # "make a model that..." / "give me a confidence interval"
        obj = words[1:] if len(words) < 2 or words[1] not in ("me", "us") else words[2:]
        if _names_training(_noun_phrase(obj)):
            return False
    # after a connector anything asks; else an imperative shows by its object
    return bool(framed) or how == ADDED or (len(words) > 1 and words[1] in OBJECTS)


def _noun_phrase(words: list[str]) -> list[str]:
    """The words up to the first that ends a noun phrase (a preposition, a relative...)."""
    phrase = []
    for word in words:
        if (word in DESCRIBING or word in ("of", "to")) and phrase:
            break
        phrase.append(word)
    return phrase


def _names_training(words: list[str]) -> bool:
    return any(_training(w) for w in words)


# the stems of the words that name the training itself ("instruct-tune", "pretraining")
TRAINING_STEMS = ("train", "finetun", "fine-tun", "tune", "tuning", "classif", "categori",
                  "predict", "regress", "tagg", "label", "extract", "recogni", "detect",
                  "identif", "estimat", "forecast", "model")


@lru_cache(maxsize=4096)
def _training(word: str) -> bool:
    """A word of the training itself, or one misspelt ("clasify", "fintune"): the task
    reader takes such a word for the task, so it is no request of its own."""
    return word in TRAINING_HEADS or any(s in word for s in TRAINING_STEMS) or (
        len(word) >= 5 and any(close(word, head) for head in LONG_HEADS))


def _untaken_parts(said: str, taken: list[bool], start: int, end: int,
                   how: int) -> list[tuple[int, int]]:
    """The clause, when no reader took any of it; else its parts that no reader touched and
    that still ask for something."""
    if not _asks(said[start:end], how):
        return []
    if not any(taken[start:end]):
        return [(start, end)]
    parts = []
    bounds = [start] + [start + m.start() for m in re.finditer(r",|\band\b", said[start:end])
                        if m.start() > 0] + [end]
    for a, b in zip(bounds, bounds[1:], strict=False):
        if not any(taken[a:b]) and _asks(said[a:b], how):
            parts.append((a, b))
    return parts


def _bare(word: str) -> str:
    return word.strip(" ,.;:!?\"'()[]{}")


def _words(text: str) -> set[str]:
    return {w for w in map(_bare, text.split()) if w}


def _content(words: list[str], catalog: Any) -> list[str]:
    """The words that carry a request: not filler, not the domain's, not a number (a word
    with a hyphen is the domain's when a part of it is: "token-level", "sentiment-ish")."""
    domain = _domain_words(catalog) | STOPWORDS | DESCRIBING

    def carries(word: str) -> bool:
        parts = [p for p in word.split("-") if p]
        return bool(parts) and not FUNCTION_HEAD.match(word) and len(word) > 1 and \
            not any(p in domain or _training(p) for p in parts)
    return [w for w in words if carries(w)]


def _domain_words(catalog: Any) -> frozenset[str]:
    words = getattr(catalog, "leftover_words", None)
    if words is None:  # gathered once per catalog
        words = catalog.leftover_words = _gather_domain(tuple(catalog.components))
    return words


def _gather_domain(components: tuple[Any, ...]) -> frozenset[str]:
    """The words of the installed components (names, titles, aliases, their params), the
    task families and the training fields: what a spec is made of."""
    from tunekit.spec import TRAINING_ALIASES, Training
    from tunekit.tasks import describe, names

    phrases: list[str] = list(Training.model_fields) + list(TRAINING_ALIASES)
    for component in components:
        phrases += [getattr(component, "name", ""), getattr(component, "title", ""),
                    *getattr(component, "aliases", ())]
        phrases += [getattr(p, "name", "") for p in getattr(component, "params", ())]
    for task in names():
        about = describe(task)
        phrases += [task, about.title, *about.aliases]
    words = {w for p in phrases for w in re.split(r"[^a-z0-9+-]+", str(p).lower()) if w}
    words |= SETTING_WORDS | DOMAIN | TRAINING_HEADS
    return frozenset(words | _stems(words))


def _stems(words: set[str]) -> set[str]:
    """Other forms of ``words``: "entity" for "entities", "labels" for "label", "balanced"
    for "balance", "checking" for "check"."""
    out = set()
    for word in words:
        base = word[:-1] if word.endswith("e") else word
        out |= {word + "s", word[:-3] + "y" if word.endswith("ies") else word.rstrip("s"),
                base + "ed", base + "ing"}
    return out


def _data_words(reading: Reading) -> set[str]:
    """The words that name the data: its file's and columns' names, in the draft or this
    turn."""
    dataset = reading.slot("dataset")
    said = " ".join(str(v) for v in dataset.values() if isinstance(v, str))
    return {w for w in re.split(r"[^a-z0-9]+", said.lower()) if w}


def _declined(reading: Reading, start: int, end: int) -> bool:
    """A known limit already said this part (with what to do instead)."""
    return any(a < end and start < b for a, b in reading.declined)


@lru_cache(maxsize=32)
def _keys(text: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    keys = tuple(_bare(normalise(text[a:b])) for a, b in spans)
    return keys, tuple(spans)


def _quote(written: str, said: str, start: int, end: int) -> str:
    """The person's words for ``said[start:end]``, as written, without the connector that led
    in, shortened when long."""
    lead = LEAD.match(said, start, end)
    start = lead.end() if lead else start
    said_keys, said_spans = _keys(said)
    written_keys, written_spans = _keys(written)
    mapped = _align(said_keys, written_keys)
    inside = [mapped[i] for i, (a, b) in enumerate(said_spans)
              if a >= start and b <= end and i in mapped]
    after = [mapped[i] for i, (a, _) in enumerate(said_spans) if a >= end and i in mapped]
    if inside:  # up to the next word read elsewhere: a file name read as written is in it
        stop = written_spans[min(after)][0] if after else len(written)
        quote = written[written_spans[min(inside)][0]:stop]
        cut = SENTENCE_END.search(quote, written_spans[max(inside)][1] -
                                  written_spans[min(inside)][0] - 1)
        quote = quote[:cut.start()] if cut else quote
    else:
        quote = said[start:end]
    quote = re.sub(r"\s+", " ", quote).strip(" ,.;:!?")
    quote = re.sub(r"(?:[\s,]+(?:please|pls|plz|thanks|thank you|too|as well))+$", "", quote,
                   flags=re.IGNORECASE)
    if len(quote) > 90:
        quote = quote[:80].rsplit(" ", 1)[0] + "…"
    return quote


def _align(said: tuple[str, ...], written: tuple[str, ...]) -> dict[int, int]:
    """Which word of the written message each word of the normalised text stands for."""
    mapped = {}
    matcher = SequenceMatcher(None, said, written, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and a2 - a1 == b2 - b1):
            mapped.update({a1 + k: b1 + k for k in range(a2 - a1) if said[a1 + k]})
    return mapped
