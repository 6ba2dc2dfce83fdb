"""Language-model metrics: perplexity.

For ``causal-lm`` the engine hands a metric, per example, the summed negative log-likelihood
of its scored tokens (predictions) and how many tokens were scored (references).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import tunekit


def perplexity(predictions: Sequence[float], references: Sequence[float], labels):
    """exp(total negative log-likelihood / total scored tokens) over the split."""
    tokens = sum(references)
    if not tokens:
        return {"perplexity": float("nan")}
    try:
        return {"perplexity": math.exp(sum(predictions) / tokens)}
    except OverflowError:
        return {"perplexity": float("inf")}


@tunekit.hookimpl
def register_metrics(register):
    register(tunekit.Metric(
        name="perplexity", title="Perplexity",
        description="How many tokens the language model hesitates between, on average, when it "
                    "predicts the next one of the scored text (the responses): exp of the mean "
                    "loss per token. Lower is better; 1 is certainty, the vocabulary size is "
                    "a guess.",
        aliases=("ppl", "perplexity score", "language model perplexity"),
        tasks=("causal-lm",), higher_is_better=False, compute=perplexity))
