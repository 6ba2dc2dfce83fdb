"""The component vocabulary: which words name which installed component.

Built from the live catalog (names, titles, aliases), so a plugin installed today is understood
today. Matching is exact first (a name or alias as whole words), then loose (every content word
of an alias somewhere in one clause, in any order: "train just the head" finds "train the head").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .language import CLAUSE_END, find_phrase, negated_after, negated_before, tokens

# single generic words ("sample", "reviews") name a dataset only next to a word about data
DATA_CUE = re.compile(r"\b(?:data|dataset|datasets|corpus|examples|train(?:ing)? on|use|using|"
                      r"switch to|go with|back to|bundled|built-in|builtin|demo|set)\b")

# single-word exporter names ("adapter", "onnx") name an exporter only next to a word about
# writing the result out
EXPORT_CUE = re.compile(r"\b(?:export(?:s|ed|ing)?|save[sd]?|saving|write|writes|writing|"
                        r"keep|output|artifacts?|download|deploy(?:ment)?|publish|ship|"
                        r"format|as an?|to an?|into an?)\b")

# a one-word name followed by these qualifies another noun, not a component
DATA_NOUN = re.compile(r"[ -]*(?:data(?:set)?|set)\b")
QUALIFIES = re.compile(r"[ -]*(?:\d|epochs?\b|length\b|precision\b|size\b|"
                       r"batch\b|run\b|power\b|list\b|details?\b|picture\b|name\b|path\b|"
                       r"steps?\b|rate\b|range\b|weights? of\b)")


@dataclass
class Mention:
    """One place a component is named in a text."""

    component: Any
    start: int
    length: int
    negated: bool

    @property
    def end(self) -> int:
        return self.start + self.length


class Catalog:
    """The component vocabulary: for each kind, the phrases that name each component."""

    def __init__(self, components: list[Any]):
        self.components = components
        self.by_kind: dict[str, list[Any]] = {}
        for c in components:
            self.by_kind.setdefault(c.kind, []).append(c)

    def get(self, kind: str, name: str) -> Any | None:
        return next((c for c in self.by_kind.get(kind, []) if c.name == name), None)

    def names(self, kind: str) -> list[str]:
        return [c.name for c in self.by_kind.get(kind, [])]

    def tasks(self) -> list[str]:
        return sorted({t for c in self.components for t in c.tasks})

    def phrases(self, component: Any) -> list[str]:
        """Every way the catalog names ``component``: name, title (and its parts), aliases."""
        title = component.title.lower()
        # "Head only (frozen feature extractor)" names it twice; "Recall (macro)" once
        parts = [p.strip() for p in re.split(r"[()]", title) if p.strip()]
        found = [component.name, component.name.replace("-", " "), title, parts[0],
                 *[p for p in parts[1:] if " " in p], *[a.lower() for a in component.aliases]]
        return [p for p in dict.fromkeys(found) if len(p) > 1]

    def mentions(self, kind: str, text: str) -> list[tuple[Any, int, int, bool]]:
        """``(component, position, phrase length, negated)`` for every phrase found."""
        return [(m.component, m.start, m.length, m.negated) for m in self.exact(kind, text)]

    def exact(self, kind: str, text: str) -> list[Mention]:
        found = []
        for component in self.by_kind.get(kind, []):
            for phrase in self.phrases(component):
                for pos in find_phrase(text, phrase):
                    if self._weak(kind, component, phrase) and not self._cued(text, pos, kind):
                        continue
                    if " " not in phrase and self._qualifies(kind, text, pos + len(phrase)):
                        continue  # "the full 10 epochs", "a sample size": another noun's word
                    negated = negated_before(text, pos) or negated_after(text, pos + len(phrase))
                    found.append(Mention(component, pos, len(phrase), negated))
        return found

    def best(self, kind: str, text: str) -> tuple[Any | None, list[Any]]:
        """The component this text asks for (the latest explicit choice: "lora... actually
        full"; the longest phrase among overlapping ones), and the ones it turns down."""
        mentions = self.exact(kind, text)
        negated = [m.component for m in mentions if m.negated]
        wanted = [m for m in mentions if not m.negated and m.component not in negated]
        if wanted:
            wanted.sort(key=lambda m: (m.end, m.length))
            return wanted[-1].component, negated
        fuzzy, turned_down = self.loose(kind, text)
        return fuzzy, negated + [c for c in turned_down if c not in negated]

    def loose(self, kind: str, text: str) -> tuple[Any | None, list[Any]]:
        """A component whose alias words all appear in one clause (any order, stemmed).

        Only aliases of three or more content words count: "train a classifier" shares two
        words with "train the head" and means nothing about what to freeze.
        """
        best, best_size, turned_down = None, 0, []
        for start, clause in clauses(text):
            words = set(tokens(clause))
            for component in self.by_kind.get(kind, []):
                for phrase in self.phrases(component):
                    needed = set(tokens(phrase))
                    if len(needed) < 3 or not needed <= words:
                        continue
                    if negated_before(text, start + _first_word(clause, needed)):
                        turned_down.append(component)
                    elif len(needed) > best_size:
                        best, best_size = component, len(needed)
        return best, turned_down

    @staticmethod
    def _qualifies(kind: str, text: str, end: int) -> bool:
        """A one-word name qualifying the noun after it ("full dataset") names no component,
        except a dataset's own noun ("the reviews dataset")."""
        return bool(QUALIFIES.match(text, end)) or (
            kind != "dataset" and bool(DATA_NOUN.match(text, end)))

    def _weak(self, kind: str, component: Any, phrase: str) -> bool:
        """One generic word that names a component only next to a word about its kind:
        a dataset's alias ("reviews"), any one-word exporter ("adapter" is also a way to
        fine-tune; "save the adapter" asks for the export)."""
        if " " in phrase:
            return False
        return (kind == "dataset" and phrase != component.name) or kind == "exporter"

    @staticmethod
    def _cued(text: str, pos: int, kind: str = "dataset") -> bool:
        # an export's list runs long ("export the weights as safetensors plus an onnx file"):
        # its cue may stand anywhere earlier in the sentence
        start = max(0, pos - (80 if kind == "exporter" else 40))
        start += max((m.end() for m in re.finditer(r"[.;!?](?:\s|$)", text[start:pos])),
                     default=0)
        cue = EXPORT_CUE if kind == "exporter" else DATA_CUE
        return bool(cue.search(text[start:pos + 40]))


def clauses(text: str) -> list[tuple[int, str]]:
    """``(start, clause)`` pieces of ``text`` between punctuation and joining words."""
    pieces, start = [], 0
    for match in CLAUSE_END.finditer(text):
        pieces.append((start, text[start:match.start()]))
        start = match.end()
    pieces.append((start, text[start:]))
    return [(s, c) for s, c in pieces if c.strip()]


def _first_word(clause: str, needed: set[str]) -> int:
    """Where in ``clause`` the first of the ``needed`` (stemmed) words stands."""
    for match in re.finditer(r"[a-z0-9][a-z0-9'+-]*", clause):
        if tokens(match.group(0)) and tokens(match.group(0))[0] in needed:
            return match.start()
    return 0
