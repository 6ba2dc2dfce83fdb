"""``model-card``: a README.md that says what the model is, what it was trained on and how well
it does, and where it should not be used (transparency about data and models). It is the card
the ``huggingface``, ``adapter`` and ``onnx`` folders carry (``card.py`` builds it), alone."""

from __future__ import annotations

from pathlib import Path

import tunekit

from .card import LICENSE, TASKS, pipeline_usage, write_card


def export(context: tunekit.ExportContext) -> list[Path]:
    # the model itself is in the huggingface exporter's folder beside this one
    folder = context.directory.parent / "huggingface"
    usage = pipeline_usage(context, str(folder), "# the folder of the huggingface exporter "
                                                 "(it carries this card as its README.md)\n")
    return [write_card(context, usage)]


@tunekit.hookimpl
def register_exporters(register):
    register(tunekit.Exporter(
        name="model-card",
        title="Model card",
        description="A README.md model card: the data, the strategy, the trainable parameters, "
                    "the metrics, the intended use and the limits.",
        aliases=("card", "model card", "readme", "documentation", "model documentation"),
        tasks=tuple(TASKS),
        params=(LICENSE,),
        export=export,
    ))
