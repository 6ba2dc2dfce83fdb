"""Typo tolerance: a misspelt word the assistant knows ("epcohs", "learnign", "bacth",
"regresion") is read as that word.

rapidfuzz's Damerau-Levenshtein distance counts a swap of two letters as one edit, the most
common slip on a keyboard. A word is corrected only when it is not itself a known word, keeps
its first letter and lies within one edit (two for long words) of exactly one best known word,
so ordinary words are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein
from tunekit.spec import TRAINING_ALIASES, Training

# the words of the settings people type; the catalog's names and aliases are added per turn
SETTING_WORDS = frozenset("""
epoch epochs learning rate batch size weight decay dropout seed warmup warm length maximum
gradient accumulation accumulate clipping clip steps schedule scheduler cosine linear constant
patience stopping early validation validate test split label labels column columns text
freeze frozen unfreeze layers layer bottom embeddings adapter adapters lora rank alpha full
precision regression regressor classification classifier instruction instructions tuning tune
finetune fine-tune language model models dataset backbone strategy metrics metric exporters
entities entity tagging tagger images image pictures photos folder smoothing evaluate
gradual discriminative augmentation augment copies probability generation prompts
""".split()) | frozenset(
    # and the words of every training field's name, tunekit's and transformers' (checkpointing)
    word for name in (*Training.model_fields, *TRAINING_ALIASES) for word in name.split("_")
    if len(word) >= 6)
# ordinary words one edit from a setting word, never corrected into it
ORDINARY = frozenset("""later laser lover lower mode modes motel label labeled labelled
latest player prayer slayer tester taste paste waste haste batches match watch catch patch
latch hatch matches watches rated rates crate grate model rater seeds needs feeds weeds
ranks rank tanks lanes tests texts""".split())


def close(word: str, known: str) -> bool:
    """Whether ``word`` is ``known`` misspelt: same first letter, within one edit (two when
    the known word is nine letters or longer), or written as it sounds ("epoks")."""
    if word == known:
        return True
    if len(known) < 5 or not word or word[0] != known[0]:
        return False
    limit = 2 if len(known) >= 9 else 1
    return DamerauLevenshtein.distance(word, known, score_cutoff=limit) <= limit or \
        sound(word) == sound(known)


# spellings of one sound, written the way it is heard: "epoks" is "epochs", "lerning rait"
SOUNDS = ((r"ch|ck|c(?![eiy])|q|k", "k"), (r"ph", "f"), (r"z", "s"), (r"y", "i"),
          (r"([a-z])\1+", r"\1"))


def sound(word: str) -> str:
    """A word's rough sound: one letter for the spellings of a sound, doubled letters once."""
    for pattern, letter in SOUNDS:
        word = re.sub(pattern, letter, word)
    return word


@lru_cache(maxsize=64)
def _vocabulary(extra: tuple[str, ...]) -> frozenset[str]:
    return SETTING_WORDS | frozenset(extra)


def correct(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with each misspelt known word replaced by the word meant."""
    vocabulary = _vocabulary(tuple(sorted(set(extra))))

    def fix(match: re.Match) -> str:
        word = match.group(0)
        if len(word) < 5 or word in vocabulary or word in ORDINARY:
            return word
        if _inflected(word, vocabulary):
            return _inflection_meant(word, vocabulary)
        near = sorted((DamerauLevenshtein.distance(word, known), known)
                      for known in vocabulary if close(word, known))
        if len(near) > 1 and near[0][0] == near[1][0]:
            # one as near by sound too: the word as it is heard wins ("epoks")
            near = [n for n in near if sound(n[1]) == sound(word)] or near
        if not near or (len(near) > 1 and near[0][0] == near[1][0]):
            return word  # nothing near, or two words as near: leave it as typed
        return near[0][1]

    return re.sub(r"(?<![\w./\\-])[a-z]+(?![\w./\\])", fix, text)


INFLECTIONS = ("s", "es", "ly", "ed", "d", "ing", "er", "ers", "al", "ally", "ness")


def _inflection_meant(word: str, vocabulary: frozenset[str]) -> str:
    """A known word's wrong inflection ("epoches") read as its inflection that is known,
    one edit away ("epochs"); any other inflection ("progressively") left as typed."""
    for cut in range(len(word) - 4, len(word)):
        stem = word[:cut]
        if stem in vocabulary and word[cut:] in INFLECTIONS:
            meant = [known for known in vocabulary if known != stem and known.startswith(stem)
                     and known[cut:] in INFLECTIONS and
                     DamerauLevenshtein.distance(word, known, score_cutoff=1) <= 1]
            if len(meant) == 1:
                return meant[0]
    return word


def _inflected(word: str, vocabulary: frozenset[str]) -> bool:
    """Another form of a known word ("progressively" of "progressive"): not a typo."""
    return any(word[:cut] in vocabulary and word[cut:] in INFLECTIONS
               for cut in range(len(word) - 4, len(word)))


def catalog_words(components: Iterable[object]) -> tuple[str, ...]:
    """The words of the components' names, titles and aliases, for ``correct``."""
    words: set[str] = set()
    for component in components:
        for phrase in (getattr(component, "name", ""), getattr(component, "title", ""),
                       *getattr(component, "aliases", ())):
            words.update(w for w in re.findall(r"[a-z]+", str(phrase).lower()) if len(w) >= 5)
    return tuple(sorted(words))
