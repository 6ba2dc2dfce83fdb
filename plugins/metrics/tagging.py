"""Tagging metrics: entity-level precision, recall and F1 as seqeval defines them, and token
accuracy.

Predictions and references are, per sentence, a list of tag indices into ``labels`` (one per
word, ``token-classification``). Entities are read off the BIO tags as seqeval's default
(conlleval-compatible) mode reads them (``tunekit.tagging.entities``); a predicted entity is
correct when its type, first word and last word all match a true one. With plain tags (parts
of speech, no ``B-``/``I-``) every tagged word is its own entity, so the scores are per-word
precision, recall and F1 per tag. The scores are micro
averages over entities; each also keeps the score of every entity type. A ratio with nothing
to divide by is 0, as seqeval gives. Token accuracy is the share of words tagged right,
``O`` included.
"""

from __future__ import annotations

from collections.abc import Sequence

import tunekit
from tunekit.tagging import entity_counts, tag_scheme

TASKS = ("token-classification",)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _scores(correct: int, predicted: int, true: int) -> dict[str, float]:
    precision, recall = _ratio(correct, predicted), _ratio(correct, true)
    return {"precision": precision, "recall": recall,
            "f1": _ratio(2 * precision * recall, precision + recall)}


def _tags(sentences: Sequence[Sequence[int]], labels: list[str]) -> list[list[str]]:
    return [[labels[i] for i in sentence] for sentence in sentences]


def entity_scores(predictions, references, labels) -> dict[str, dict[str, float]]:
    """``{"micro": {precision, recall, f1}, TYPE: {precision, recall, f1, support}, ...}``."""
    counts = entity_counts(_tags(references, labels), _tags(predictions, labels),
                           tag_scheme(labels))
    totals = [sum(c[i] for c in counts.values()) for i in range(3)]
    report = {"micro": _scores(*totals)}
    for type_, (correct, predicted, true) in counts.items():
        report[type_] = {**_scores(correct, predicted, true), "support": true}
    return report


def _entity(score: str):
    def compute(predictions, references, labels):
        report = entity_scores(predictions, references, labels)
        return {f"entity-{score}": report["micro"][score],
                f"entity-{score}_per_type": {t: s[score] for t, s in report.items()
                                             if t != "micro"}}

    return compute


def token_accuracy(predictions, references, labels):
    words = correct = 0
    for guess, gold in zip(predictions, references, strict=True):
        words += len(gold)
        correct += sum(int(p == r) for p, r in zip(guess, gold, strict=True))
    return {"token-accuracy": _ratio(correct, words)}


@tunekit.hookimpl
def register_metrics(register):
    register(tunekit.Metric(
        name="entity-f1", title="Entity F1",
        description="The harmonic mean of entity precision and recall (micro over all "
                    "entities, as seqeval computes it; each entity type's F1 is kept too). "
                    "The usual headline score for named-entity recognition.",
        aliases=("ner f1", "seqeval f1", "span f1", "entity f1", "f1 over entities"),
        tasks=TASKS, compute=_entity("f1")))
    register(tunekit.Metric(
        name="entity-precision", title="Entity precision",
        description="Of the entities the model found, the share that are exactly right (same "
                    "type, same first and last word).",
        aliases=("ner precision", "entity precision", "span precision"),
        tasks=TASKS, compute=_entity("precision")))
    register(tunekit.Metric(
        name="entity-recall", title="Entity recall",
        description="Of the true entities, the share the model found exactly (same type, same "
                    "first and last word).",
        aliases=("ner recall", "entity recall", "span recall"),
        tasks=TASKS, compute=_entity("recall")))
    register(tunekit.Metric(
        name="token-accuracy", title="Token accuracy",
        description="The share of words given the right tag, O included (high even for a "
                    "model that tags everything O when entities are rare).",
        aliases=("tag accuracy", "word accuracy", "tagging accuracy"),
        tasks=TASKS, compute=token_accuracy))
