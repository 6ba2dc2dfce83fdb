"""Plain-language helpers: normalising text, reading numbers, spotting negation and phrases."""

from __future__ import annotations

import re

WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "hundred": 100, "a hundred": 100, "single": 1, "a couple of": 2, "a couple": 2,
    "a dozen": 12, "dozen": 12, "a single": 1, "an": 1, "a": 1,
}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
NEGATORS = ("not", "no", "don't", "dont", "do not", "never", "without", "instead of",
            "rather than", "avoid", "skip", "except", "not use", "no need for", "nothing like")
STOPWORDS = frozenset("""a an the to of and or for with on in into at by from my our your it its
this that these those is are be been was were i me we us you please can could would should will
just only also then so some any all use using used want wanted like let lets let's do does
make model data""".split())

# one canonical word for the many ways people say the same thing
SYNONYMS = {
    "fixed": "freeze", "frozen": "freeze", "freezing": "freeze", "freezes": "freeze",
    "locked": "freeze", "lock": "freeze", "keep": "freeze", "untouched": "freeze",
    "unfreezing": "unfreeze", "unfrozen": "unfreeze", "unfreezes": "unfreeze",
    "thaw": "unfreeze", "release": "unfreeze",
    "classifier": "head", "heads": "head", "top": "head", "output": "head", "last": "head",
    "final": "head", "adapters": "adapter", "lora": "lora", "lo-ra": "lora",
    "layers": "layer", "blocks": "layer", "block": "layer",
    "weights": "weight", "parameters": "weight", "params": "weight",
    "pretrained": "pretrain", "pre-trained": "pretrain", "pretraining": "pretrain",
    "everything": "all", "entire": "all", "whole": "all", "every": "all",
    "slowly": "gradual", "gradually": "gradual", "progressively": "gradual",
    "progressive": "gradual", "step-by-step": "gradual", "incrementally": "gradual",
    "training": "train", "trains": "train", "trained": "train", "tune": "train",
    "tuning": "train", "finetune": "train", "fine-tune": "train", "fine-tuning": "train",
    "finetuning": "train", "update": "train", "updating": "train",
    "bottom": "lower", "lowest": "lower", "early": "lower", "earlier": "lower",
    "first": "lower", "embeddings": "embedding",
}

NUMBER = r"(\d+(?:\.\d+)?(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?)"


def normalise(text: str) -> str:
    """Lowercase, straight quotes, number words as digits, single spaces."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", " - ")
    text = text.lower()
    for words in sorted(WORD_NUMBERS, key=len, reverse=True):
        if words in ("a", "an"):
            continue
        text = re.sub(rf"\b{re.escape(words)}\b(?=\s+(?:epoch|pass|round|layer|block|"
                      rf"example|sample|seed|token|group|time|more|fewer|less|extra|\d|"
                      rf"hundred))", str(WORD_NUMBERS[words]), text)
        text = re.sub(rf"\b{re.escape(words)}\b", str(WORD_NUMBERS[words]), text)
    text = re.sub(r"\b(an?)\s+(epoch|pass|round)\b", r"1 \2", text)
    return re.sub(r"\s+", " ", text).strip()


def to_number(raw: str) -> float:
    return float(raw)


def as_int(value: float) -> int | None:
    return int(value) if float(value).is_integer() else None


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


def negated_before(text: str, start: int, window: int = 28) -> bool:
    """True when a negating word stands just before position ``start`` in ``text``."""
    before = text[max(0, start - window):start]
    before = re.split(r"[.;!?]|\bbut\b|\bwith\b|\band\b", before)[-1]
    return any(re.search(rf"(?:^|\W){re.escape(neg)}(?:\W|$)", before) for neg in NEGATORS)


def find_phrase(text: str, phrase: str) -> list[int]:
    """Start positions of ``phrase`` as whole words in ``text`` (both normalised)."""
    phrase = phrase.lower().strip()
    if not phrase:
        return []
    return [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text)]
