"""Applying a run's ``augmentations`` to its training examples (never validation or test).

Each augmentation in the spec adds ``copies`` perturbed versions of every training example,
computed from the originals (augmentations do not stack on each other's output). A perturbed
text with the same words as its original, equal to an example already there, or empty is not
added: a duplicate would only weigh its example twice. Every random choice comes from a
``random.Random`` seeded with the run's seed, the augmentation's place in the list and the
copy, so the same spec gives the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import PluginError
from ..plugin_manager import call_component

if TYPE_CHECKING:  # pragma: no cover
    from ..plugin_manager import PluginManager


@dataclass
class Augmented:
    """The training rows after augmentation, and how many rows each augmentation added."""

    rows: list[dict[str, Any]]
    added: dict[str, int] = field(default_factory=dict)

    @property
    def total_added(self) -> int:
        return sum(self.added.values())

    def describe(self) -> dict[str, Any]:
        """For the run summary: ``{"rows_added", "by", "train_size"}``."""
        return {"rows_added": self.total_added, "by": dict(self.added),
                "train_size": len(self.rows)}


def augment_rows(rows: list[dict[str, Any]], items: list[dict[str, Any]],
                 manager: PluginManager, seed: int, text_key: str = "text") -> Augmented:
    """``rows`` followed by the new rows each of ``items`` (the spec's resolved
    ``augmentations``) adds. A new row is a copy of its original with the text replaced: it
    keeps the label and every other field."""
    texts = [str(row[text_key]) for row in rows]
    seen = {(text, str(row.get("label"))) for text, row in zip(texts, rows, strict=True)}
    new_rows: list[dict[str, Any]] = []
    added: dict[str, int] = {}
    for index, item in enumerate(items):
        component = manager.get("augmentation", item["name"])
        options = {k: v for k, v in item.items() if k not in ("name", "copies")}
        count = 0
        for copy in range(int(item.get("copies", 1))):
            # a string seed is hashed the same way in every process (unlike hash())
            rng = random.Random(f"{seed}/{index}/{component.name}/{copy}")
            perturbed = call_component(component, "augmenting the training data",
                                       component.augment, list(texts), dict(options), rng)
            _check_output(component, texts, perturbed)
            for row, original, text in zip(rows, texts, perturbed, strict=True):
                key = (text, str(row.get("label")))
                if text.split() == original.split() or not text.strip() or key in seen:
                    continue
                seen.add(key)
                new_rows.append({**row, text_key: text})
                count += 1
        added[component.name] = count
    return Augmented(rows=[*rows, *new_rows], added=added)


def _check_output(component: Any, texts: list[str], perturbed: Any) -> None:
    """A PluginError naming the augmentation when it broke its contract."""
    where = f"augmentation {component.name!r} (plugin {component.plugin or '?'})"
    if not isinstance(perturbed, list) or len(perturbed) != len(texts):
        got = f"{len(perturbed)} items" if isinstance(perturbed, list) else \
            type(perturbed).__name__
        raise PluginError(f"{where} returned {got} for {len(texts)} texts; augment must "
                          "return a list with one text per text it was given")
    for text in perturbed:
        if not isinstance(text, str):
            raise PluginError(f"{where} returned {type(text).__name__} {text!r} among its "
                              "texts; augment must return strings")
