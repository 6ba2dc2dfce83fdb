"""Text augmentations that need no download: random deletion, random swap, character noise,
random crop.

Each one perturbs words split on whitespace (a perturbed text is joined back with single
spaces) and takes every random choice from the ``rng`` the engine seeds, so a run is
reproducible. ``probability`` means the same everywhere: about the share of words changed.
The engine applies them to the train split only and keeps the originals (see
``tunekit.Augmentation``).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

import tunekit

# words whose loss flips a text's meaning: random deletion never drops them
NEGATIONS = ("not", "no", "never", "n't", "nor", "neither", "none", "nothing", "nobody",
             "nowhere", "without", "cannot", "dont", "doesnt", "didnt", "isnt", "wasnt",
             "arent", "werent", "cant", "couldnt", "wont", "wouldnt", "shouldnt", "aint")

_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def _probability(default: float, help_text: str) -> tunekit.Param:
    return tunekit.Param(name="probability", type=float, default=default, min=0.0, max=1.0,
                         help=help_text)


def _core(word: str) -> str:
    """The word without the punctuation around it, lowercased, with a plain apostrophe."""
    return _EDGES.match(word).group(2).lower().replace("\u2019", "'")


def _keeper(keep: list[str]) -> Callable[[str], bool]:
    """Whether a word is one to keep: a ``keep`` entry with an apostrophe ("n't") matches the
    end of a word ("don't", "isn't"), the others the whole word, ignoring case and punctuation."""
    entries = [str(k).lower().replace("\u2019", "'") for k in keep]
    whole = {k for k in entries if "'" not in k}
    endings = tuple(k for k in entries if "'" in k)

    def kept(word: str) -> bool:
        core = _core(word)
        return core in whole or bool(endings and core.endswith(endings))

    return kept


# ---------------------------------------------------------------- the augmentations


def random_deletion(texts: list[str], options: dict[str, Any], rng: random.Random) -> list[str]:
    """Drop each word with ``probability``, never a ``keep`` word, never every word."""
    p = options["probability"]
    kept_word = _keeper(options["keep"])
    out = []
    for text in texts:
        words = text.split()
        if len(words) < 2:
            out.append(text)
            continue
        kept = [w for w in words if kept_word(w) or rng.random() >= p]
        if len(kept) == len(words):
            out.append(text)  # as written: nothing deleted
            continue
        out.append(" ".join(kept or [rng.choice(words)]))
    return out


def random_swap(texts: list[str], options: dict[str, Any], rng: random.Random) -> list[str]:
    """Swap two random words, about ``probability`` x the number of words times (at least
    once)."""
    out = []
    for text in texts:
        words = text.split()
        if len(words) < 2:
            out.append(text)
            continue
        swapped = list(words)
        for _ in range(max(1, round(options["probability"] * len(words)))):
            i, j = rng.sample(range(len(words)), 2)
            swapped[i], swapped[j] = swapped[j], swapped[i]
        out.append(text if swapped == words else " ".join(swapped))
    return out


def char_noise(texts: list[str], options: dict[str, Any], rng: random.Random) -> list[str]:
    """One typo in each word of ``min_length`` letters or more, with ``probability``: a letter
    dropped, doubled, or swapped with its neighbour. First and last letters stay, so the word
    still reads; numbers, short words and words with digits or apostrophes are left alone."""
    p, shortest = options["probability"], options["min_length"]
    out = []
    for text in texts:
        words, changed = text.split(), False
        for index, word in enumerate(words):
            before, core, after = _EDGES.match(word).groups()
            if len(core) < shortest or not core.isalpha() or rng.random() >= p:
                continue
            words[index] = before + _typo(core, rng) + after
            changed = True
        out.append(" ".join(words) if changed else text)
    return out


def _typo(word: str, rng: random.Random) -> str:
    edit = rng.choice(("drop", "double", "swap"))
    if edit == "swap":
        # an inner pair of different letters ("form" -> "from"); none ("keep"): drop instead
        pairs = [i for i in range(1, len(word) - 2) if word[i] != word[i + 1]]
        if pairs:
            i = rng.choice(pairs)
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        edit = "drop"
    i = rng.randrange(1, len(word) - 1)  # an inner letter
    if edit == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def random_crop(texts: list[str], options: dict[str, Any], rng: random.Random) -> list[str]:
    """Keep one contiguous span of the words, cutting at least one word and at most
    ``probability`` of them from the ends."""
    out = []
    for text in texts:
        words = text.split()
        n = len(words)
        # round() first: 0.8 * 5 must give 4 words, not 5 from a float error
        shortest = max(1, math.ceil(round((1 - options["probability"]) * n, 9)))
        if shortest >= n:
            out.append(text)
            continue
        length = rng.randint(shortest, n - 1)
        start = rng.randint(0, n - length)
        out.append(" ".join(words[start:start + length]))
    return out


# ---------------------------------------------------------------- registration


@tunekit.hookimpl
def register_datasets(register):
    register(tunekit.Augmentation(
        name="random-deletion", title="Random deletion (word dropout)",
        description="Adds copies of the training texts with random words deleted (each with "
                    "the given probability, never every word), so the model cannot lean on "
                    "any single word. Deleting 'not' would flip a text's meaning, so negation "
                    "words (not, no, never, n't...) are kept: see the keep option.",
        aliases=("random deletion", "word deletion", "word dropout", "delete words",
                 "drop words", "deleting words", "dropping words", "deletion"),
        params=(_probability(0.1, "chance that each word is deleted"),
                tunekit.Param(name="keep", type=list, default=list(NEGATIONS),
                              help="words never deleted, ignoring case and punctuation; one "
                                   "with an apostrophe (n't) matches word endings (don't)")),
        augment=random_deletion))
    register(tunekit.Augmentation(
        name="random-swap", title="Random swap",
        description="Adds copies of the training texts with random pairs of words swapped: "
                    "the same words in a slightly different order. Good for topics and "
                    "sentiment; word order can carry meaning ('good, not bad' becomes 'bad, not "
                    "good'), so keep the probability low.",
        aliases=("random swap", "swap words", "swapping words", "word swap", "word swaps",
                 "shuffle words", "shuffled words", "word order noise"),
        params=(_probability(0.1, "swaps per text, as a share of its words (at least one)"),),
        augment=random_swap))
    register(tunekit.Augmentation(
        name="char-noise", title="Character noise (typos)",
        description="Adds copies of the training texts with typos: in some words a letter is "
                    "dropped, doubled or swapped with its neighbour (first and last letters and "
                    "short words are left alone). Makes the model robust to misspelled input.",
        aliases=("character noise", "char noise", "typos", "typo", "typo noise",
                 "spelling noise", "spelling mistakes", "misspellings", "keyboard noise",
                 "character level noise"),
        params=(_probability(0.1, "chance that each long enough word gets one typo"),
                tunekit.Param(name="min_length", type=int, default=4, min=3, max=50,
                              help="shortest word (in letters) that may get a typo")),
        augment=char_noise))
    register(tunekit.Augmentation(
        name="random-crop", title="Random crop",
        description="Adds copies of the training texts cut to a random contiguous span of "
                    "their words, as if the text started later or ended earlier. Cropping "
                    "may cut a 'not' at the edge, so keep the probability low for short texts.",
        aliases=("random crop", "random cropping", "crop texts", "crop the texts",
                 "random span", "text crop", "cropping"),
        params=(_probability(0.2, "most words cut, as a share of the text (0.2 keeps at "
                                  "least 80% of the words, in one piece)"),),
        augment=random_crop))
