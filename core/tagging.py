"""Tags of words: checking them, and reading entities off them as seqeval does.

Two schemes, told apart by the tags themselves (``tag_scheme``):

- **BIO** (entities, chunks): ``O`` (outside), ``B-TYPE`` (the first word of an entity) and
  ``I-TYPE`` (a word inside one): the IOB2 scheme of CoNLL-2003 as usually distributed. An
  ``I-TYPE`` after ``O`` or after another type (IOB1 style) is accepted, and starts a new
  entity, as in seqeval's default (conlleval-compatible) mode. Once any tag of a set starts
  with ``B-`` or ``I-``, every tag must be BIO (a stray ``PER`` is a mistake, not a new tag).
- **plain** (parts of speech: ``NN``, ``VBD``, ``DT``...): any tag without spaces. Each tagged
  word is its own "entity" of its tag's type, so the entity scores become per-word precision,
  recall and F1 per tag; ``O``, where a set uses it, is no tag.

Used by the token-classification task, its metrics and its dataset plugins; light (no torch).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

OUTSIDE = "O"
BIO, PLAIN = "bio", "plain"


def tag_scheme(tags: Iterable[str]) -> str:
    """``"bio"`` when any tag starts with ``B-`` or ``I-``, else ``"plain"``."""
    return BIO if any(isinstance(t, str) and t[:2] in ("B-", "I-") for t in tags) else PLAIN


def tag_problem(tag: object, scheme: str = BIO) -> str | None:
    """Why ``tag`` is not a tag of ``scheme`` (BIO: ``O``, ``B-TYPE`` or ``I-TYPE``; plain:
    any text without spaces), or None when it is."""
    if not isinstance(tag, str):
        return f"a tag must be text, got {tag!r}"
    if tag == OUTSIDE:
        return None
    if scheme == PLAIN:
        return None if tag and not any(c.isspace() for c in tag) else \
            f"{tag!r} is not a tag: a tag is one word, without spaces"
    prefix, dash, kind = tag.partition("-")
    if prefix not in ("B", "I") or not dash or not kind.strip() or kind != kind.strip():
        return (f"{tag!r} is not a BIO tag: write O, or B-TYPE / I-TYPE for the first / next "
                "words of an entity (e.g. B-PER, I-PER)")
    return None


def entity_type(tag: str) -> str:
    """The type of a tag (``PER`` for ``B-PER``), seqeval's ``_`` for ``O``."""
    return tag[1:].split("-", maxsplit=1)[-1] or "_"


def _ends(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    """seqeval's ``end_of_chunk`` for the B, I and O prefixes."""
    if prev_tag in ("B", "I") and tag in ("B", "O"):
        return True
    return prev_tag != "O" and prev_type != type_


def _starts(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    """seqeval's ``start_of_chunk`` for the B, I and O prefixes."""
    if tag == "B" or (prev_tag == "O" and tag == "I"):
        return True
    return tag != "O" and prev_type != type_


def tags_problem(tags: Iterable[tuple[str, object]]) -> tuple[str, str] | None:
    """The first ``(where, problem)`` among ``(where, tag)`` pairs, the scheme read off all of
    them (a BIO file with one tag missing its prefix is refused at that tag), or None."""
    pairs = list(tags)
    scheme = tag_scheme(tag for _, tag in pairs if isinstance(tag, str))
    for where, tag in pairs:
        problem = tag_problem(tag, scheme)
        if problem:
            return where, problem
    return None


def entities(tags: Sequence[str], scheme: str = BIO) -> list[tuple[str, int, int]]:
    """The entities of one sentence as ``(type, first word, last word)`` (inclusive). BIO: as
    ``seqeval.metrics.sequence_labeling.get_entities`` reads them: an entity ends at ``O``,
    at a ``B-``, or where the type changes; ``I-X`` after ``O`` or after another type begins
    a new one. Plain tags: every word not ``O`` is one, of its tag."""
    if scheme == PLAIN:
        return [(tag, i, i) for i, tag in enumerate(tags) if tag != OUTSIDE]
    found = []
    prev_tag, prev_type, begin = "O", "", 0
    for i, tag in enumerate([*tags, OUTSIDE]):
        prefix, type_ = tag[0], entity_type(tag)
        if _ends(prev_tag, prefix, prev_type, type_):
            found.append((prev_type, begin, i - 1))
        if _starts(prev_tag, prefix, prev_type, type_):
            begin = i
        prev_tag, prev_type = prefix, type_
    return found


def entity_counts(references: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]],
                  scheme: str = BIO) -> dict[str, tuple[int, int, int]]:
    """Per entity type: ``(correct, predicted, true)`` counts over every sentence. An entity is
    correct when its type and its first and last words all match a true entity."""
    true: dict[str, set[tuple[int, int, int]]] = {}
    pred: dict[str, set[tuple[int, int, int]]] = {}
    for sentence, (gold, guess) in enumerate(zip(references, predictions, strict=True)):
        for bucket, tags in ((true, gold), (pred, guess)):
            for type_, start, end in entities(list(tags), scheme):
                bucket.setdefault(type_, set()).add((sentence, start, end))
    return {type_: (len(true.get(type_, set()) & pred.get(type_, set())),
                    len(pred.get(type_, set())), len(true.get(type_, set())))
            for type_ in sorted(set(true) | set(pred))}
