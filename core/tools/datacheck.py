"""The data check: what is wrong with a dataset, found before a run spends time on it.

``check_data(splits)`` looks at every split at once and returns a ``DataReport``: the size of
each split and class, and a list of findings. Each finding has a severity, a sentence with
the figures, a recommendation, and where it was seen (split, row, file line, a short masked
excerpt):

- ``blocking``: the run would be meaningless or misleading (no training rows, a single class,
  evaluation labels never seen in training, heavy leakage of evaluation examples into
  training, many conflicting labels, rows the run cannot read). ``tunekit run`` refuses.
- ``warning``: the run works but the result may suffer or mislead (duplicates, imbalance,
  truncation, personal data, too few examples for the strategy...).
- ``info``: worth knowing, nothing to fix.

Everything here is plain Python (numpy for the near-duplicate search, imported when needed),
so ``tunekit data check`` stays fast; the near-duplicate search is MinHash with banding, linear
in the number of rows.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..components import DataContext, DataSplits, ReadLog
from ..data import same_text_key
from ..errors import DataCheckError
from ..spec import Training

if TYPE_CHECKING:  # pragma: no cover
    from transformers.tokenization_utils_base import PreTrainedTokenizerBase

    from ..components import Dataset, Example, JSONValue, Options
    from ..plugin_manager import PluginManager
    from ..spec import RunSpec

__all__ = ["ReadLog"]  # re-exported: its home is tunekit.components

SPLITS = ("train", "validation", "test")
SEVERITIES = ("blocking", "warning", "info")

# Examples per class in training below which a strategy is likely to give an unstable or
# meaningless model (a warning), and below which more data would still clearly help (info).
# Updating every weight (full, gradual, freeze-bottom) overfits or diverges on tiny data: 16
# per class is the few-shot setting of LM-BFF and SetFit, where plain fine-tuning is already
# unstable and far behind. A head on frozen features or small LoRA adapters train far fewer
# weights and cope with less.
PER_CLASS_MINIMUM = {"full": 16, "gradual": 16, "freeze-bottom": 16, "lora": 8, "head-only": 5}
PER_CLASS_RECOMMENDED = {"full": 100, "gradual": 100, "freeze-bottom": 100, "lora": 50,
                         "head-only": 20}
OTHER_STRATEGY = (8, 50)  # (minimum, recommended) for strategies not listed above

LEAKAGE_BLOCKING_SHARE = 0.10  # of an evaluation split also in training: scores mislead
CONFLICT_BLOCKING_SHARE = 0.10  # of all rows in groups of the same text with other labels
IMBALANCE_WARNING_RATIO = 3.0  # largest class / smallest class in training
TRUNCATION_WARNING_SHARE = 0.10  # of the rows longer than max_length
NEAR_DUPLICATE_JACCARD = 0.8  # of the word-pair sets of two texts
NEAR_DUPLICATE_MIN_WORDS = 5  # shorter texts are compared only after normalizing
PLACES = 5  # locations shown per finding
EXCERPT = 80  # characters of text shown per location
DEFAULT_MAX_LENGTH = Training.model_fields["max_length"].default


# ---------------------------------------------------------------- what the check returns


@dataclass
class Finding:
    """One problem found: ``code`` (stable, for scripts), ``severity`` (blocking, warning or
    info), ``message`` (what, with the figures), ``recommendation`` (what to do), ``count``
    (rows concerned) and ``where`` (up to a few places: ``{"text": excerpt, "rows": [{"split",
    "row", "line", "label"}], "more_rows": n}``; rows are numbered from 1 within their split,
    ``more_rows`` counts the rows of that place not listed)."""

    code: str
    severity: str
    message: str
    recommendation: str
    count: int = 0
    where: list[dict[str, JSONValue]] = field(default_factory=list)

    def to_dict(self) -> dict[str, JSONValue]:
        return asdict(self)


@dataclass
class DataReport:
    """What ``check_data`` found: sizes per split, classes per split, findings (most severe
    first), the token limit checked against and how lengths were counted."""

    source: str
    sizes: dict[str, int]
    classes: dict[str, dict[str, int]]
    findings: list[Finding]
    max_length: int
    lengths: str  # "tokenizer" or "estimated"
    strategy: str | None = None
    notes: list[str] = field(default_factory=list)  # what the dataset said while loading

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "blocking"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing is blocking: a run may go ahead."""
        return not self.blocking

    @property
    def clean(self) -> bool:
        """True when nothing is blocking and nothing warrants a warning."""
        return not self.blocking and not self.warnings

    def to_dict(self) -> dict[str, JSONValue]:
        counts = Counter(f.severity for f in self.findings)
        return {"source": self.source, "ok": self.ok, "clean": self.clean,
                "counts": {s: counts.get(s, 0) for s in SEVERITIES}, "sizes": self.sizes,
                "classes": self.classes, "max_length": self.max_length,
                "lengths": self.lengths, "strategy": self.strategy, "notes": self.notes,
                "findings": [f.to_dict() for f in self.findings]}

    def error(self, where: str | None = None) -> DataCheckError:
        """The error a run raises when it refuses this data."""
        lines = [f"  - [{f.code}] {f.message}" for f in self.blocking]
        count = len(self.blocking)
        return DataCheckError(
            f"the data check found {count} blocking problem{'s' if count != 1 else ''}:\n"
            + "\n".join(lines), where=where or self.source, findings=self.blocking,
            hint="fix the data (`tunekit data check` lists every finding with what to do), or "
                 "train anyway with `tunekit run --force` or training.data_check: warn")


# ---------------------------------------------------------------- normalizing and masking


_DIGITS = re.compile(r"\d+")


EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                   r"\.[A-Za-z]{2,}\b")
# digits with the separators people write phone and card numbers with
_NUMBERISH = re.compile(r"(?<![\w+])(?:\+|\(\d)?[\d(][\d ().-]{6,}\d(?![\w])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|6011|65|35|3[068]")
_PHONE_GROUPS = re.compile(r"\+?\d{1,4}(?:[ .-]\d{2,4}){2,5}"
                           r"|\(\d{2,5}\) ?\d{2,4}(?:[ .-]\d{2,4}){1,3}|\+\d{8,15}")


def luhn(digits: str) -> bool:
    """True when ``digits`` pass the Luhn checksum of payment card numbers."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_valid(value: str) -> bool:
    compact = value.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def find_personal_data(text: str) -> list[tuple[str, str]]:
    """``(kind, value)`` for each email address, phone number, payment card number (Luhn
    checked) and IBAN (mod-97 checked) in ``text``. Precise rather than exhaustive: a number
    must look like one people write, so prices, dates and ids are not taken for phones."""
    if not any(c.isdigit() or c == "@" for c in text):  # the common case, made fast
        return []
    taken = list(EMAIL.finditer(text))
    found = [("email", m.group()) for m in taken]
    for match in _IBAN.finditer(text):
        if _iban_valid(match.group()):
            taken.append(match)
            found.append(("iban", match.group()))
    for match in _NUMBERISH.finditer(text):
        if any(m.start() < match.end() and match.start() < m.end() for m in taken):
            continue  # the digits of an address or an IBAN
        value = match.group().strip()
        digits = re.sub(r"\D", "", value)
        if 13 <= len(digits) <= 19 and re.fullmatch(r"[\d -]+", value) \
                and _CARD_PREFIX.match(digits) and luhn(digits) and len(set(digits)) > 1:
            found.append(("card", value))
        elif 9 <= len(digits) <= 15 and _PHONE_GROUPS.fullmatch(value) \
                and (value.startswith(("+", "(", "0")) or len(re.findall(r"\d+", value)) >= 3):
            found.append(("phone", value))
    return found


def mask(kind: str, value: str) -> str:
    """A value of personal data with most of it hidden: j***@example.com, ***-***-**67."""
    if kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    keep = 4 if kind == "card" else 2
    total = sum(c.isalnum() for c in value)
    seen, masked = 0, []
    for char in value:
        if char.isalnum():
            seen += 1
            masked.append(char if seen > total - keep or (kind == "iban" and seen <= 2)
                          else "*")
        else:
            masked.append(char)
    return "".join(masked)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The start of a text on one line, with any personal data masked."""
    for kind, value in find_personal_data(text):
        text = text.replace(value, mask(kind, value))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def estimate_tokens(text: str) -> int:
    """Roughly how many subword tokens a BERT-style tokenizer makes of ``text``, with its two
    special tokens: one per word and punctuation mark, more for long words (split in pieces)
    and for letters outside ASCII. Within a few percent on English reviews."""
    count = 2 + len(_TOKENISH.findall(text))
    count += sum((len(word) - 6) // 4 for word in _LONG_WORD.findall(text))
    if not text.isascii():
        count += len(_NOT_ASCII.findall(text))
    return count


_TOKENISH = re.compile(r"\w+|[^\w\s]")
_LONG_WORD = re.compile(r"\w{10,}")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


# ---------------------------------------------------------------- the check


@dataclass
class _Row:
    split: str
    index: int  # 0-based within the split
    example: Example
    text: str
    label: str
    same: str = ""  # same_text_key(text)
    near: str = ""  # that with every number made 0: templates filled with other numbers meet


def check_data(splits: DataSplits, *, strategy: str | None = None,
               tokenizer: PreTrainedTokenizerBase | None = None,
               max_length: int | None = None, log: ReadLog | None = None) -> DataReport:
    """Check ``splits`` for everything that makes training or its scores go wrong.

    ``strategy`` (a strategy name) sets how many examples per class are enough; ``tokenizer``
    (any callable tokenizer of transformers) counts tokens exactly, else they are estimated;
    ``max_length`` is the token limit inputs are truncated at (default: the tokenizer's limit
    or training.max_length's default, whichever is smaller); ``log`` (filled while reading
    files) adds unreadable and empty rows and file line numbers.
    """
    limit = max_length or DEFAULT_MAX_LENGTH
    if max_length is None and tokenizer is not None:
        model_limit = getattr(tokenizer, "model_max_length", None)
        if isinstance(model_limit, int) and 0 < model_limit < 1_000_000:
            limit = min(limit, model_limit)
    rows: list[_Row] = []
    for name in SPLITS:
        for i, example in enumerate(getattr(splits, name) or []):
            text = example.get("text") if isinstance(example, dict) else None
            label = example.get("label") if isinstance(example, dict) else None
            text = "" if text is None else str(text)
            same = same_text_key(text)
            rows.append(_Row(name, i, example if isinstance(example, dict) else {}, text,
                             "" if label is None else str(label).strip(), same,
                             _DIGITS.sub("0", same)))
    check = _Check(rows, log or ReadLog(), tuple(splits.held_out))
    check.structure()
    check.read_problems()
    check.empty()
    check.conflicts()
    check.duplicates_and_leakage()
    check.classes(strategy)
    check.lengths(tokenizer, limit)
    check.personal_data()
    order = {s: i for i, s in enumerate(SEVERITIES)}
    findings = sorted(check.findings, key=lambda f: order[f.severity])
    sizes = {name: len(getattr(splits, name) or []) for name in SPLITS}
    classes = {name: dict(sorted(Counter(r.label for r in rows if r.split == name).items()))
               for name in SPLITS}
    return DataReport(source=splits.source, sizes=sizes, classes=classes, findings=findings,
                      max_length=limit, lengths="tokenizer" if tokenizer else "estimated",
                      strategy=strategy, notes=list(splits.notes))


def _share(part: int, whole: int) -> str:
    if not whole:
        return "0%"
    percent = 100 * part / whole
    return f"{percent:.0f}%" if percent >= 1 or percent == 0 else f"{percent:.1f}%"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


class _Check:
    """The checks, one method each, sharing the rows and the list of findings."""

    def __init__(self, rows: list[_Row], log: ReadLog, held_out: tuple[str, ...] = ()):
        self.rows = rows
        self.log = log
        self.held_out = held_out  # splits the dataset carved itself (not the user's files)
        self.findings: list[Finding] = []
        self.by_split: dict[str, list[_Row]] = {s: [r for r in rows if r.split == s]
                                                for s in SPLITS}
        self.train_labels = {r.label for r in self.by_split["train"]}
        self.conflicted: set[int] = set()  # ids of rows in a conflicting-labels finding

    def add(self, code: str, severity: str, message: str, recommendation: str, count: int = 0,
            where: Iterable[dict[str, JSONValue]] = ()) -> None:
        self.findings.append(Finding(code=code, severity=severity, message=message,
                                     recommendation=recommendation, count=count,
                                     where=list(where)[:PLACES]))

    def place(self, rows: Iterable[_Row], text: str | None = None) -> dict[str, JSONValue]:
        """Where some rows are: their split, row number (from 1), file line and label, with
        an excerpt of the text (and of each row's own text where it differs)."""
        rows = list(rows)
        shown = text if text is not None else (rows[0].text if rows else "")
        entries: list[dict[str, JSONValue]] = []
        for r in rows[:PLACES]:
            entry: dict[str, JSONValue] = {"split": r.split, "row": r.index + 1,
                                           "line": self.log.origin(r.example), "label": r.label}
            if text is None and r.text.strip() != shown.strip():
                entry["text"] = excerpt(r.text)
            entries.append(entry)
        place: dict[str, JSONValue] = {"text": excerpt(shown), "rows": entries}
        if len(rows) > PLACES:
            place["more_rows"] = len(rows) - PLACES
        return place

    # ------------------------------------------------------------ splits and labels

    def structure(self) -> None:
        train, validation = self.by_split["train"], self.by_split["validation"]
        if not train:
            self.add("no-training-rows", "blocking", "there are no training examples",
                     "check the file has rows below its header and that the text and label "
                     "columns are the right ones")
        if not validation:
            self.add("no-validation-rows", "blocking", "there are no validation examples, so "
                     "nothing measures how training goes",
                     "add rows (a validation split is held out automatically from every class "
                     "with two or more examples) or give a validation file")
        if len(self.train_labels) == 1:
            [label] = self.train_labels
            self.add("single-class", "blocking",
                     f"only one class in the training data ({label!r}); a classifier needs at "
                     "least two", "check the label column, or add examples of the other classes",
                     count=len(train))
        lowered = defaultdict(set)
        for label in {r.label for r in self.rows}:
            lowered[" ".join(label.casefold().split())].add(label)
        twins = sorted(sorted(v) for v in lowered.values() if len(v) > 1)
        if twins:
            shown = "; ".join(" / ".join(repr(x) for x in group) for group in twins[:5])
            self.add("similar-labels", "warning",
                     f"labels that differ only in case or spacing ({shown}) train as separate "
                     "classes",
                     "write each label one way (e.g. all lowercase) in the file")
        for name in ("validation", "test"):
            unseen = sorted({r.label for r in self.by_split[name]} - self.train_labels)
            if unseen and self.train_labels:
                hit = [r for r in self.by_split[name] if r.label in set(unseen)]
                # the first row of each unseen label first, so every label gets a place
                firsts = {id(r): r for r in {r.label: r for r in reversed(hit)}.values()}
                hit = list(firsts.values()) + [r for r in hit if id(r) not in firsts]
                self.add("unseen-labels", "blocking",
                         f"the {name} split has {_plural(len(unseen), 'label')} never seen in "
                         f"training: {', '.join(repr(u) for u in unseen[:5])} "
                         f"({_plural(len(hit), 'row')})",
                         "add training examples of those labels or drop those rows",
                         count=len(hit), where=[self.place([r]) for r in hit])
            missing = sorted(self.train_labels - {r.label for r in self.by_split[name]})
            if self.by_split[name] and missing and len(self.train_labels) > 1:
                self.add(f"missing-in-{name}", "warning",
                         f"the {name} split has no examples of "
                         f"{_plural(len(missing), 'class', 'classes')}: "
                         f"{', '.join(repr(m) for m in missing[:5])}; its scores say nothing "
                         "about them", f"add {name} examples of every class (a class needs at "
                         "least two examples to be split)")

    def read_problems(self) -> None:
        bad = self.log.unreadable
        if bad:
            reasons = Counter(why for _, why in bad).most_common(3)
            said = "; ".join(why + (f" ({n} rows)" if n > 1 else "") for why, n in reasons)
            self.add("unreadable-rows", "blocking",
                     f"{_plural(len(bad), 'row')} cannot be read: {said}; a run stops at the "
                     "first of them",
                     "fix or delete those lines (in a CSV, quote fields that contain the "
                     "delimiter; save the file as UTF-8)",
                     count=len(bad), where=[{"text": why, "rows": [{"line": place}]}
                                            for place, why in bad])

    def empty(self) -> None:
        blank = [r for r in self.rows if not r.text.strip() or not r.label]
        left_out = self.log.empty
        count = len(blank) + len(left_out)
        if not count:
            return
        total = len(self.rows) + len(left_out)
        parts = []
        if left_out:
            parts.append(f"{_plural(len(left_out), 'row')} of the file(s) "
                         f"{'has' if len(left_out) == 1 else 'have'} no text or no label and "
                         f"{'is' if len(left_out) == 1 else 'are'} left out")
        if blank:
            parts.append(f"{_plural(len(blank), 'example')} in the splits "
                         f"{'has' if len(blank) == 1 else 'have'} an empty text or label")
        where: list[dict[str, JSONValue]] = [{"text": why, "rows": [{"line": place}]}
                                             for place, why in left_out]
        where += [self.place([r], text="") for r in blank]
        self.add("empty-rows", "warning",
                 "; ".join(parts) + f" ({_share(count, total)} of the rows)",
                 "fill in or delete those rows; if many are empty, check the text and label "
                 "columns are the right ones", count=count, where=where)

    # ------------------------------------------------------------ same texts

    def conflicts(self) -> None:
        groups: dict[str, list[_Row]] = defaultdict(list)
        for row in self.rows:
            if row.text.strip():
                groups[row.same].append(row)
        conflicting = [g for key, g in groups.items() if key and len({r.label for r in g}) > 1]
        if not conflicting:
            return
        involved = sum(len(g) for g in conflicting)
        self.conflicted = {id(r) for g in conflicting for r in g}
        share = involved / max(1, len(self.rows))
        severity = "blocking" if share >= CONFLICT_BLOCKING_SHARE else "warning"
        conflicting.sort(key=len, reverse=True)
        self.add("conflicting-labels", severity,
                 f"{_plural(len(conflicting), 'text')} appear{'s' if len(conflicting) == 1 else ''}"
                 f" with different labels ({_plural(involved, 'row')}, "
                 f"{_share(involved, len(self.rows))} of the examples)"
                 + ("; the model is taught contradictions" if severity == "blocking" else ""),
                 "decide on one label for each of these texts and correct the others (or drop "
                 "texts that are truly ambiguous)",
                 count=involved, where=[self.place(g) for g in conflicting])

    def duplicates_and_leakage(self) -> None:
        # exact copies within a split
        exact_groups: list[list[_Row]] = []
        for name in SPLITS:
            seen: dict[str, list[_Row]] = defaultdict(list)
            for row in self.by_split[name]:  # the same text with other labels is a conflict
                if row.text.strip() and id(row) not in self.conflicted:
                    seen[row.text.strip()].append(row)
            exact_groups += [g for g in seen.values() if len(g) > 1]
        if exact_groups:
            extra = sum(len(g) - 1 for g in exact_groups)
            by_split = Counter(g[0].split for g in exact_groups for _ in g[1:])
            said = ", ".join(f"{n} in {s}" for s, n in by_split.items())
            exact_groups.sort(key=len, reverse=True)
            self.add("exact-duplicates", "warning",
                     f"{_plural(extra, 'example')} {'is a copy' if extra == 1 else 'are copies'}"
                     f" of another in the same split ({said}); copies count twice in training "
                     "and in the scores",
                     "remove the copies (keep one of each), or set dataset.deduplicate: true "
                     "to have tunekit keep one of each before splitting", count=extra,
                     where=[self.place(g) for g in exact_groups])

        # leakage: the same text in training and in an evaluation split
        train_same = {r.same: r for r in self.by_split["train"] if r.text.strip()}
        val_same = {r.same: r for r in self.by_split["validation"] if r.text.strip()}
        leaked: set[int] = set()  # id of rows reported as leaked, so near leakage skips them
        for name, against, others in (("validation", "train", train_same),
                                      ("test", "train", train_same),
                                      ("test", "validation", val_same)):
            rows = self.by_split[name]
            pairs = [(r, others[r.same]) for r in rows if r.text.strip() and r.same in others]
            if not pairs:
                continue
            leaked.update(id(r) for r, _ in pairs)
            share = len(pairs) / len(rows)
            # only splits the user supplied can block: one the dataset carved itself is not
            # the user's doing (tunekit's own splits keep copies on one side)
            carved = name in self.held_out
            heavy = against == "train" and share >= LEAKAGE_BLOCKING_SHARE and not carved
            effect = ("its scores measure memory, not generalization" if against == "train"
                      else "the two splits are not independent")
            advice = ("set dataset.deduplicate: true to keep one of each before splitting"
                      if carved else f"remove those rows from {name} (or from {against}); "
                      "deduplicate the data before splitting it")
            self.add("leakage", "blocking" if heavy else "warning",
                     f"{len(pairs)} of {len(rows)} {name} examples ({_share(len(pairs), len(rows))}"
                     f") also appear in {against}: {effect}",
                     advice, count=len(pairs),
                     where=[self.place([r, o]) for r, o in pairs])

        self._near(leaked)

    def _near(self, leaked: set[int]) -> None:
        """Near duplicates (same after normalizing, or most word pairs shared) within a split,
        and near leakage between splits."""
        rows = [r for r in self.rows if r.text.strip()]
        keys = [r.near for r in rows]
        parent = list(range(len(rows)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        links: list[tuple[int, int]] = []
        first: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key in first:
                links.append((first[key], i))
            else:
                first[key] = i
        links += similar_pairs([r.same.split() for r in rows])
        for a, b in links:
            parent[find(a)] = find(b)
        clusters: dict[int, list[int]] = defaultdict(list)
        for i in range(len(rows)):
            clusters[find(i)].append(i)

        within: list[list[_Row]] = []
        near_leaks: dict[tuple[str, str], list[tuple[_Row, _Row]]] = defaultdict(list)
        for members in clusters.values():
            if len(members) < 2:
                continue
            group = [rows[i] for i in members]
            for name in SPLITS:  # rows with conflicting labels are reported as such
                inside = [r for r in group if r.split == name and id(r) not in self.conflicted]
                if len({r.text.strip() for r in inside}) > 1:
                    within.append(inside)
            for name, against in (("validation", "train"), ("test", "train"),
                                  ("test", "validation")):
                others = [r for r in group if r.split == against]
                if others:
                    near_leaks[(name, against)] += [(r, others[0]) for r in group
                                                     if r.split == name and id(r) not in leaked]
        if within:
            involved = sum(len(g) for g in within)
            share = involved / max(1, len(rows))
            within.sort(key=len, reverse=True)
            mixed = sum(len({r.label for r in g}) > 1 for g in within)
            labels = (f"; {mixed} of the {_plural(len(within), 'group')} carry different "
                      "labels (fine for minimal pairs such as a negation, not for the same "
                      "example labelled twice)" if mixed else "")
            self.add("near-duplicates", "warning" if share >= 0.05 else "info",
                     f"{_plural(involved, 'example')} ({_share(involved, len(rows))}) have a "
                     "near duplicate in the same split (the same text up to case, punctuation "
                     "or numbers, or almost all the same words)" + labels,
                     "look at a few: if they are the same example, keep one; templated data "
                     "teaches the template more than the task", count=involved,
                     where=[self.place(g) for g in within])
        for (name, against), pairs in near_leaks.items():
            if not pairs:
                continue
            size = len(self.by_split[name])
            self.add("near-leakage", "warning",
                     f"{len(pairs)} of {size} {name} examples ({_share(len(pairs), size)}) "
                     f"nearly repeat a {against} example (the same text up to numbers, or "
                     "almost all the same words): scores may be optimistic",
                     "look at a few; if they are the same example, keep it in one split only "
                     "(split by source or by template, not by row)", count=len(pairs),
                     where=[self.place([r, o]) for r, o in pairs])

    # ------------------------------------------------------------ classes

    def classes(self, strategy: str | None) -> None:
        counts = Counter(r.label for r in self.by_split["train"] if r.label)
        if len(counts) < 2:
            return
        (big, most), (small, least) = counts.most_common()[0], counts.most_common()[-1]
        ratio = most / least
        if ratio >= IMBALANCE_WARNING_RATIO:
            self.add("imbalance", "warning",
                     f"the classes are imbalanced: {big!r} has {most} training examples, "
                     f"{small!r} {least} ({ratio:.1f} to 1); the model will favour the "
                     "large classes and accuracy will flatter it",
                     "weigh the loss by class with training.class_weights: balanced, add "
                     "examples of the small classes, and judge by f1 rather than accuracy",
                     count=least)
        minimum, recommended = (PER_CLASS_MINIMUM.get(strategy or "", OTHER_STRATEGY[0]),
                                PER_CLASS_RECOMMENDED.get(strategy or "", OTHER_STRATEGY[1]))
        what = f"{strategy!r}" if strategy else "fine-tuning"
        why = {"full": "updates every weight", "gradual": "ends up updating every weight",
               "freeze-bottom": "updates most of the weights",
               "lora": "trains small adapters", "head-only": "trains only the head"}
        reason = f" ({what} {why[strategy]})" if strategy in why else ""
        few = sorted((n, label) for label, n in counts.items() if n < minimum)
        if few:
            shown = ", ".join(f"{label!r} {n}" for n, label in few[:5])
            self.add("too-few-per-class", "warning",
                     f"{_plural(len(few), 'class', 'classes')} {'has' if len(few) == 1 else 'have'}"
                     f" fewer than {minimum} training examples, too few for {what}{reason}: "
                     f"{shown}",
                     "add examples (aim for "
                     f"{recommended}+ per class), or choose a strategy that trains fewer "
                     "weights: lora or head-only", count=sum(n for n, _ in few))
            return
        short = sorted((n, label) for label, n in counts.items() if n < recommended)
        if short:
            shown = ", ".join(f"{label!r} {n}" for n, label in short[:5])
            verb = "has" if len(short) == 1 else "have"
            self.add("few-per-class", "info",
                     f"{_plural(len(short), 'class', 'classes')} {verb} fewer than "
                     f"{recommended} training examples ({shown}); {what} works "
                     "but more examples would help", f"aim for {recommended}+ examples per class",
                     count=sum(n for n, _ in short))

    # ------------------------------------------------------------ lengths, personal data

    def lengths(self, tokenizer: PreTrainedTokenizerBase | None, limit: int) -> None:
        rows = [r for r in self.rows if r.text.strip()]
        if not rows:
            return
        counts = (_token_counts(tokenizer, [r.text for r in rows]) if tokenizer
                  else [estimate_tokens(r.text) for r in rows])
        over = [(n, r) for n, r in zip(counts, rows, strict=True) if n > limit]
        if not over:
            return
        longest = max(n for n, _ in over)
        share = len(over) / len(rows)
        about = "" if tokenizer else "about "
        over.sort(key=lambda item: -item[0])
        self.add("over-long", "warning" if share >= TRUNCATION_WARNING_SHARE else "info",
                 f"{about}{_plural(len(over), 'example')} ({_share(len(over), len(rows))}) "
                 f"{'is' if len(over) == 1 else 'are'} longer than max_length ({limit} tokens) "
                 f"and will be cut; the longest has {about}{longest} tokens"
                 + ("" if tokenizer else " (estimated; give a backbone to count exactly)"),
                 "raise training.max_length (up to the backbone's limit; longer is slower), or "
                 "put what decides the label at the start of the text",
                 count=len(over), where=[self.place([r]) for _, r in over])

    def personal_data(self) -> None:
        kinds: Counter[str] = Counter()
        hits: list[_Row] = []
        for row in self.rows:
            found = find_personal_data(row.text)
            if found:
                kinds.update(kind for kind, _ in found)
                hits.append(row)
        if not hits:
            return
        names = {"email": "email address", "phone": "phone number", "card": "card number",
                 "iban": "IBAN"}
        said = ", ".join(_plural(n, names[k], "email addresses" if k == "email" else None)
                         for k, n in kinds.most_common())
        self.add("personal-data", "warning",
                 f"{_plural(len(hits), 'example')} contain{'s' if len(hits) == 1 else ''} what "
                 f"looks like personal data ({said}); a model can memorize it and the data "
                 "fingerprint and model card travel with it",
                 "remove or replace it (e.g. with <EMAIL>, <PHONE>) before training, and check "
                 "you may use this data", count=len(hits), where=[self.place([r]) for r in hits])


def _token_counts(tokenizer: PreTrainedTokenizerBase, texts: list[str]) -> list[int]:
    counts: list[int] = []
    for start in range(0, len(texts), 1000):
        encoded = tokenizer(texts[start:start + 1000], add_special_tokens=True, truncation=False,
                            verbose=False)
        counts += [len(ids) for ids in encoded["input_ids"]]
    return counts


# ---------------------------------------------------------------- near duplicates at scale


def similar_pairs(token_lists: list[list[str]], threshold: float = NEAR_DUPLICATE_JACCARD,
                  min_words: int = NEAR_DUPLICATE_MIN_WORDS, seed: int = 0) -> list[tuple[int,
                                                                                           int]]:
    """Pairs ``(i, j)`` of texts (as word lists) sharing at least ``threshold`` of their
    word pairs (Jaccard similarity of the sets of adjacent word pairs).

    MinHash signatures (32 hashes) and banding (8 bands of 4) pick candidates in linear time;
    each candidate is then verified exactly. Candidates in a band bucket are compared with
    their neighbours in the bucket, not all with all, so a large bucket costs linear time;
    chains of links still join a group. Texts under ``min_words`` words are left out (the
    normalized comparison covers them).
    """
    import numpy as np

    vocabulary: dict[str, int] = {}
    shingles: list[frozenset[int]] = []
    owners: list[int] = []
    for i, tokens in enumerate(token_lists):
        if len(tokens) < min_words:
            continue
        ids = [vocabulary.setdefault(t, len(vocabulary)) for t in tokens]
        shingles.append(frozenset((a << 32) | b for a, b in zip(ids, ids[1:], strict=False)))
        owners.append(i)
    if len(owners) < 2:
        return []
    bands, width = 8, 4
    hashes = bands * width
    rng = np.random.default_rng(seed)
    prime = np.uint64(4294967311)  # the first prime above 2**32
    a = rng.integers(1, 2**32 - 1, size=hashes, dtype=np.uint64)
    b = rng.integers(0, 2**32 - 1, size=hashes, dtype=np.uint64)
    lengths = np.fromiter((len(s) for s in shingles), dtype=np.int64, count=len(shingles))
    flat = np.fromiter((x for s in shingles for x in s), dtype=np.uint64,
                       count=int(lengths.sum()))
    # mix the 64-bit pair ids down to 32 bits, so (a * x + b) cannot overflow 64 bits
    with np.errstate(over="ignore"):
        mixed = (flat * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    signatures = np.empty((len(shingles), hashes), dtype=np.uint64)
    chunk = 4096  # texts per block: bounds the memory of the (pairs x hashes) table
    for first in range(0, len(shingles), chunk):
        last = min(first + chunk, len(shingles))
        lo = starts[first]
        hi = starts[last] if last < len(shingles) else len(flat)
        table = (mixed[lo:hi, None] * a[None, :] + b[None, :]) % prime
        signatures[first:last] = np.minimum.reduceat(table, starts[first:last] - lo, axis=0)

    found: set[tuple[int, int]] = set()

    def similar(x: int, y: int) -> bool:
        s, t = shingles[x], shingles[y]
        return len(s & t) >= threshold * len(s | t)

    with np.errstate(over="ignore"):
        for band in range(bands):
            cols = signatures[:, band * width:(band + 1) * width]
            key = cols[:, 0].copy()
            for c in range(1, width):
                key = key * np.uint64(1000003) + cols[:, c]
            order = np.argsort(key, kind="stable")
            ordered = key[order]
            same = np.flatnonzero(ordered[1:] == ordered[:-1])
            run_start = 0
            for j in same.tolist():
                x, y = int(order[j]), int(order[j + 1])
                if j == 0 or ordered[j] != ordered[j - 1]:
                    run_start = j
                head = int(order[run_start])
                for p, q in ((x, y), (head, y)):
                    if p != q and (p, q) not in found and similar(p, q):
                        found.add((p, q))
    return sorted((owners[p], owners[q]) if owners[p] < owners[q] else (owners[q], owners[p])
                  for p, q in found)



# ---------------------------------------------------------------- a spec's data


def check_spec(spec: RunSpec, manager: PluginManager) -> DataReport:
    """The data check of a parsed spec's data, read as ``tunekit data check SPEC`` reads it,
    lengths estimated (no tokenizer is loaded): what the studio shows beside its preview and
    the assistant says when asked to check the data. Raises TunekitError when the data cannot
    be read at all."""
    setup = setup_of(spec, manager)
    log = ReadLog()
    splits = load_splits(setup["dataset"], setup["options"], setup["context"], log)
    return check_data(splits, strategy=setup["strategy"], max_length=setup["max_length"],
                      log=log)


def setup_of(spec: RunSpec, manager: PluginManager) -> dict[str, Any]:
    """What checking a spec's data needs: its dataset, options, context, strategy, backbone."""
    training = spec.training
    return {"dataset": manager.get("dataset", spec.data["dataset"]["name"]),
            "options": spec.options("dataset"),
            "context": DataContext(task=spec.task, seed=training.seed, base_dir=spec.base_dir),
            "strategy": spec.data["strategy"]["name"], "strategy_note": "",
            "backbone": manager.get("backbone", spec.data["backbone"]["name"]),
            "backbone_options": spec.options("backbone"), "max_length": training.max_length}


def load_splits(dataset: Dataset, options: Options, context: DataContext,
                log: ReadLog) -> DataSplits:
    """The dataset's splits, read tolerantly into ``log`` (``DataContext.read_log``):
    unreadable rows noted, not fatal, and where each example came from."""
    from dataclasses import replace

    from ..errors import DataError, TunekitError

    try:
        return dataset.load(options, replace(context, read_log=log))
    except TunekitError:
        raise
    except Exception as exc:  # a plugin's bug: one line, naming the dataset
        raise DataError(f"{type(exc).__name__}: {exc}", where=f"dataset {dataset.name!r}") \
            from exc
