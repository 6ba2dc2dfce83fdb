"""Plain-language helpers: normalising text, reading numbers, clauses, negation and phrases.

Everything here is about words, not about run specs: the readers in ``understand`` and its
siblings build on it.
"""

from __future__ import annotations

import re

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
# idioms that mean a number; "a"/"an" only count before a unit ("an epoch", "a layer")
IDIOMS = {"half a dozen": 6, "a dozen": 12, "dozen": 12, "a couple of": 2, "a couple": 2,
          "couple of": 2, "a pair of": 2, "a single": 1, "single": 1, "a hundred": 100,
          "a thousand": 1000}
UNIT_WORDS = r"(?:epochs?|pass(?:es)?|rounds?|layers?|blocks?|groups?|seeds?|tokens?)"
NEGATORS = ("not", "no", "don't", "dont", "do not", "never", "without", "instead of",
            "rather than", "avoid", "skip", "except", "no need for", "no need to", "nothing like",
            "other than", "anything but", "drop", "remove", "disable", "turn off", "forget",
            "get rid of", "stop using", "isn't", "aren't", "won't", "wouldn't", "shouldn't",
            "neither", "nor", "exclude", "excluding", "but not", "doesn't", "cannot",
            "can't")
# opening words of a correction ("no, 3 epochs", "actually, LoRA"): they set the tone of the
# turn, they do not negate what follows them
INTERJECTION = re.compile(
    r"^(?:(?:actually|wait|sorry|oops|hmm+|hm|um+|uh+|oh|ah|well|okay|ok|right|alright|so|"
    r"instead|rather|also|and|hey|hi|hello|please)\b[\s,.!:;-]*|"
    r"(?:no|nope|nah|not quite|not that)(?:\s*[,.!:;-]+\s*|\s+(?=wait|actually|sorry|"
    r"instead|rather|make|use|let's|lets|go|switch|change|do|try|i (?:said|meant|want))))+")
STOPWORDS = frozenset("""a an the to of and or for with on in into at by from my our your it its
this that these those is are be been was were i me we us you please can could would should will
just also then so some any use using used want wanted like let lets let's do does make""".split())

# one canonical word for the many ways people say the same thing
SYNONYMS = {
    "fixed": "freeze", "frozen": "freeze", "freezing": "freeze", "freezes": "freeze",
    "locked": "freeze", "lock": "freeze", "untouched": "freeze", "fix": "freeze",
    "unfreezing": "unfreeze", "unfrozen": "unfreeze", "unfreezes": "unfreeze",
    "thaw": "unfreeze", "thawing": "unfreeze",
    "classifier": "head", "heads": "head", "top": "head", "output": "head", "last": "head",
    "final": "head", "adapters": "adapter", "lo-ra": "lora",
    "layers": "layer", "blocks": "layer", "block": "layer",
    "weights": "weight", "parameters": "weight", "params": "weight",
    "pretrained": "pretrain", "pre-trained": "pretrain", "pretraining": "pretrain",
    "everything": "all", "entire": "all", "whole": "all", "every": "all",
    "slowly": "gradual", "gradually": "gradual", "progressively": "gradual",
    "progressive": "gradual", "step-by-step": "gradual", "incrementally": "gradual",
    "training": "train", "trains": "train", "trained": "train", "tune": "train",
    "tuning": "train", "finetune": "train", "fine-tune": "train", "fine-tuning": "train",
    "finetuning": "train", "update": "train", "updating": "train", "fine": "train",
    "bottom": "lower", "lowest": "lower", "early": "lower", "earlier": "lower",
    "first": "lower", "embeddings": "embedding",
}

NUMBER = r"(\d+(?:\.\d+)?(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?)"


# ---------------------------------------------------------------- normalising


def normalise(text: str) -> str:
    """Lowercase, straight quotes and dashes, number words and notations as digits, one space.

    "Five epochs, LR 3×10^-5" -> "5 epochs, lr 3e-5".
    """
    text = (text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
            .replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", " - ")
            .replace("\u2212", "-").replace("\u00d7", "x").replace("\u00b7", "x"))
    text = text.lower()
    text = _number_words(text)
    text = _scientific(text)
    text = re.sub(r"\bevery other (epoch|step|layer|block)\b", r"every 2 \1s", text)
    return re.sub(r"\s+", " ", text).strip()


def _number_words(text: str) -> str:
    """Spelled-out numbers as digits: "thirty-two" -> 32, "two hundred and fifty six" -> 256."""
    for idiom in sorted(IDIOMS, key=len, reverse=True):
        text = re.sub(rf"\b{idiom}\b", str(IDIOMS[idiom]), text)
    unit = "|".join(sorted(UNITS, key=len, reverse=True))
    tens = "|".join(TENS)
    small = rf"(?:(?:{tens})(?:[\s-]+(?:{unit}))?|{unit}|\d+)"
    spelled = rf"\b(?:{small}\s+hundred(?:\s+and)?(?:\s+{small})?|{small})\b"

    def value(match: re.Match) -> str:
        words = re.split(r"[\s-]+", match.group(0))
        if all(w.isdigit() for w in words):
            return match.group(0)
        total = 0
        for word in words:
            if word == "hundred":
                total = max(total, 1) * 100
            elif word.isdigit():
                total += int(word)
            elif word != "and":
                total += UNITS.get(word, TENS.get(word, 0))
        return str(total)

    text = re.sub(spelled, value, text)
    # "an epoch", "a layer every epoch": the article is the number
    return re.sub(rf"\b(?:an?)\s+(?={UNIT_WORDS}\b)", "1 ", text)


def _scientific(text: str) -> str:
    """The ways people write small numbers, as e-notation: 3 x 10^-5, 10^-4, 3 e-5, 3e−5;
    and decimals said aloud: "zero point one" (by now "0 point 1") -> 0.1."""
    text = re.sub(r"\b(\d+) point (\d+)\b", r"\1.\2", text)
    text = re.sub(r"(\d)\s*(?:e|x 10 to the|times 10 to the)\s*(?:power of )?(?:minus|negative)\s*"
                  r"(\d)", r"\1e-\2", text)
    text = re.sub(r"(\d+(?:\.\d+)?)\s*[x*]\s*10\s*(?:\^|\*\*)\s*([-+]?\d+)", r"\1e\2", text)
    text = re.sub(r"(?<![\d.])10\s*(?:\^|\*\*)\s*([-+]?\d+)", r"1e\1", text)
    return re.sub(r"(\d)\s+e\s*([-+])\s*(\d)", r"\1e\2\3", text)


# settings that can be switched off; "disable weight decay and early stopping" turns off both
SWITCHABLE = r"(?:early[ -]?stopping|weight[ _-]?decay|dropout|warm[ -]?up|gradient clipping)"


def distribute_negation(text: str) -> str:
    """"no dropout or weight decay" -> "no dropout or no weight decay": a "no" before a list
    of settings that can be switched off applies to each of them."""
    pattern = re.compile(rf"\b(no|without|disable|turn off|switch off|skip|remove)( (?:the )?"
                         rf"{SWITCHABLE})(,? (?:and|or|nor|&)|,) (?:the )?(?={SWITCHABLE})")
    previous = None
    while previous != text:
        previous, text = text, pattern.sub(r"\1\2\3 \1 ", text)
    return text


def rejected_after(text: str, end: int) -> bool:
    """"rank 8 is too small": the value just said is the one being turned down."""
    return bool(re.match(r"\s*(?:is|are|was|seems?|feels?|sounds?)?\s*(?:way |much |a bit |a "
                         r"little |probably |definitely )?too (?:small|big|large|high|low|many|"
                         r"few|long|short|slow|fast|much|little)\b", text[end:end + 40]))


def strip_interjections(text: str) -> str:
    """"no, make it 3 epochs" -> "make it 3 epochs": a correction, not a negation."""
    return INTERJECTION.sub("", text).strip()


# ---------------------------------------------------------------- numbers


def as_int(value: float) -> int | None:
    return int(value) if float(value).is_integer() else None


# ---------------------------------------------------------------- words


def stem(word: str) -> str:
    word = SYNONYMS.get(word, word)
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return SYNONYMS.get(word, word)


def tokens(text: str) -> list[str]:
    """Content words, stemmed, with synonyms folded together."""
    words = re.findall(r"[a-z0-9][a-z0-9'+-]*", text.lower())
    return [stem(w) for w in words if w not in STOPWORDS]


# ---------------------------------------------------------------- clauses and negation

# where the reach of a "not" ends: "no LoRA, full fine-tuning", "not lora but full"
CLAUSE_END = re.compile(r"[,;!?()]|\.(?:\s|$)|\s-\s|\b(?:but|and|with|then|so|"
                        r"plus|also|while|although|though|because|since|however)\b")


def clause_before(text: str, start: int, window: int = 36) -> str:
    """The words of the clause that lead up to ``start`` (at most ``window`` characters)."""
    before = text[max(0, start - window):start]
    return CLAUSE_END.split(before)[-1]


def negated_before(text: str, start: int, window: int = 36) -> bool:
    """True when a negating word stands before position ``start`` in the same clause."""
    before = clause_before(text, start, window)
    return any(neg in before and re.search(rf"(?:^|\W){re.escape(neg)}(?:\W|$)", before)
               for neg in NEGATORS)


def negated_after(text: str, end: int) -> bool:
    """"LoRA is not needed", "lora? no": a negation that follows the thing it turns down."""
    after = text[end:end + 30]
    return bool(re.match(r"\s*(?:is|are)?\s*(?:not|n't|no longer)\s+(?:needed|necessary|"
                         r"wanted|required|an option|a good idea)|\s*\?\s*no\b", after))


def find_phrase(text: str, phrase: str) -> list[int]:
    """Start positions of ``phrase`` as whole words in ``text`` (both normalised)."""
    phrase = phrase.lower().strip()
    if not phrase or phrase not in text:  # most phrases are absent: no pattern to compile
        return []
    return [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text)]


def blank(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` replaced by spaces (positions elsewhere unchanged)."""
    return text[:start] + " " * (end - start) + text[end:]


def sentences(message: str) -> list[str]:
    """Split a message into sentences, keeping decimals and file names whole."""
    # the full stop stays with its sentence: joined again, they stay apart
    parts = re.split(r"(?<=[?!])\s+|(?<=[a-z0-9)\]\"']\.)\s+(?=[A-Za-z])", message.strip())
    return [p.strip() for p in parts if p and p.strip()]
