"""What a person says their label is: classes, or a number to predict.

A label column of numbers can be either: 0/1/2 may be three sentiments, 1 to 5 stars may be
five classes or a rating to predict. What the person says of it outweighs how the column
looks: "it holds 3 classes", "treat the stars as 5 classes", "these are categories, NOT a
score", "classify them" say classes; "how many votes will a review get", "it's a score, not
categories", "as a real number", mae or r2 asked for say a number. A claim turned down ("not
a score", "don't treat them as classes") says the other kind. Words that say both in one
sentence ("should it be a score or classes?") say nothing; across sentences the last one
said wins ("these are classes. no wait, a score").

The words are read as written (a column's name, a file's, is a word there, never blanked):
"how many votes will a review get" keeps its shape. Only claims about what the label *is*
count, not every word of a kind: "the classes are unbalanced" or "the score column" says
nothing of it (task_words.py weighs the claim against the data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .language import normalise, sentences, strip_interjections
from .reading import Reading

CLASSES = "text-classification"
NUMBER = "text-regression"
EITHER_KIND = ""  # the words offer both: the data decides, and the reply says which

# what a set of classes is called (and the usual misspellings: "clases", "catagories")
CLASS_NOUNS = (r"(?:clas+(?:es|ses)?|cat[ae]gor(?:y|ies|ys|ie)|cat[ae]gorical|buckets|bins|"
               r"discrete (?:labels?|values?|classes|categories|levels))"
               # (not a word about the classes: "no class weights", "the class balance")
               r"(?![ _-]*(?:weight\w*|imbalanc\w*|balanc\w*|distribution|columns?|fields?|"
               r"names?|counts?|sizes?|frequenc\w*|wise|ids?)\b)")
# what a number to predict is called
NUMBER_NOUNS = (r"(?:numbers?|scores?|counts?|amounts?|quantit(?:y|ies)|measurements?|"
                r"floats?|real (?:numbers?|values?)|continuous(?: (?:values?|targets?|numbers?|"
                r"variables?|scores?))?|numeric(?:al)?(?: (?:values?|targets?|scores?))?|"
                r"regres+ion|value to predict|values to predict)\b"
                r"(?! (?:column|field|key|of|above|over|below|report|metric|function)\b)")
# what links a label to what it is: "are", "as", "it's", "holds", "contains", "should be"
LEAD = (r"(?:\b(?:as|is|are|be|being|were|was|into|holds?|has|have|contains?|means?|"
        r"treated as|meant as|want|wants|need|needs|prefer|make (?:it|them|these|those))|'s|"
        r"'re)")
# what a claim turns down: "not a score", "don't ... as classes", "rather than numbers"
NEGATOR = r"(?:\bnot|\bnever|n't|\bdont|\bno|\brather than|\binstead of|\bnor)"
# the words between a lead (or a negator) and the noun: "are really just 5 separate classes"
FILL = (r"(?:\s+(?:really|just|actually|all|only|simply|treated|treat|meant|to be|be|as|an?|"
        r"want|need|predict|handle|"
        r"separate|distinct|different|plain|single|whole|\d+|them|it|these|those|they|this|"
        r"that|(?:just )?like))*")
CLAIM = {
    CLASSES: re.compile(rf"(?P<lead>{NEGATOR}|{LEAD}){FILL}\s+{CLASS_NOUNS}\b|"
                        rf"\b\d+ (?:distinct |different |separate )?(?:clas+(?:es|ses)|"
                        rf"cat[ae]gor(?:ies|ys))\b|"
                        rf"(?P<own>\bits own (?:class|category|label)\b)|"
                        rf"(?P<lead2>{NEGATOR}\s+(?:\w+\s+){{0,2}}?)?\bclas+if(?:y|ied|ying|"
                        rf"ication)\b"),
    NUMBER: re.compile(rf"(?P<lead>{NEGATOR}|{LEAD}){FILL}\s+{NUMBER_NOUNS}|"
                       rf"(?P<lead2>{NEGATOR}\s+(?:\w+\s+){{0,2}}?)?\bregress\b|"
                       # a count or an amount asked of each text: "how many votes will a
                       # review get", "how much would each listing sell for"
                       rf"\bhow (?:many|much) (?!(?:epochs?|steps?|layers?|rows?|classes|"
                       rf"labels|categories|examples|samples|gpus?|memory|time|data|ram|"
                       rf"vram|disk)\b)(?:[\w-]+ ){{1,3}}?(?:will|would|does|do|did|can|could|"
                       rf"might|should) (?:an?|each|every|one|the|this|my|our|that|any) "
                       rf"(?!(?:run|training|model|job|machine|gpu|cpu|process|adapter|"
                       rf"fine-?tune)\b)[\w-]+\b"),
}
# both kinds offered as a choice: "should it be a score or classes?"
EITHER_CLASSES = rf"(?:{CLASS_NOUNS}|clas+if(?:y|ication))"
EITHER = re.compile(rf"\b{NUMBER_NOUNS}\s+or\s+(?:\w+\s+){{0,2}}?{EITHER_CLASSES}\b|"
                    rf"\b{EITHER_CLASSES}\s+or\s+(?:\w+\s+){{0,2}}?{NUMBER_NOUNS}")
# a column named for classes ("rating_class", "price_bucket", "sentiment_label"): however
# many numbers it holds or whatever else its name says, the name says classes
CLASS_NAMED = re.compile(r"(?:^|[\W_])(?:class|classes|category|categories|label|labels|bucket|"
                         r"buckets|cls|tier|band)(?:$|[\W_]|id$)|"
                         r"(?<=[a-z])(?:Class|Category|Label|Bucket|Band|Tier)(?:$|[A-Z_])")
# the other kind: what a claim turned down says
OTHER = {CLASSES: NUMBER, NUMBER: CLASSES}


@dataclass(frozen=True)
class Kind:
    """What the words say of the label: the task (``CLASSES``, ``NUMBER``, or ``EITHER_KIND``
    when they offer both) and how it was said, for the reply."""

    task: str
    words: str


def label_kind(reading: Reading) -> Kind | None:
    """The kind of label this turn's words claim, or None when they claim none."""
    # the words as written (normalised, not corrected, nothing consumed): the claim is in
    # how they join ("how many votes will a review get"), and a column's name is one word
    said = _claims(strip_interjections(normalise(reading.written)))
    if not said:
        said = _metrics_say(reading)
    return said


def _claims(text: str) -> Kind | None:
    """The last claiming sentence's claims, when they all agree; ``EITHER_KIND`` when it
    offers both ("a score or classes?", "classification or regression?")."""
    found: Kind | None = None
    for sentence in sentences(text):
        either = EITHER.search(sentence)
        if either:  # a choice offered, neither kind claimed
            found = Kind(EITHER_KIND, " ".join(either.group(0).split()))
            continue
        kinds: dict[str, str] = {}
        for task, pattern in CLAIM.items():
            for match in pattern.finditer(sentence):
                kind = OTHER[task] if _turned_down(match) else task
                kinds.setdefault(kind, " ".join(match.group(0).split()))
        if len(kinds) == 1:
            found = Kind(*next(iter(kinds.items())))
        elif kinds:
            found = Kind(EITHER_KIND, "")  # both claimed in one breath: neither meant yet
    return found


# "not just one number", "not only classes": more than it, not the other kind
NOT_ONLY = re.compile(rf"{NEGATOR}\s+(?:just|only|merely|simply|even)\b")


def _turned_down(match: re.Match) -> bool:
    lead = match.groupdict().get("lead") or match.groupdict().get("lead2") or ""
    return re.match(NEGATOR, lead.strip()) is not None and \
        NOT_ONLY.match(match.group(0)) is None


def _metrics_say(reading: Reading) -> Kind | None:
    """Metrics this turn adds that only one of the two tasks computes ("show me r2 and mae")."""
    before = {_name(m) for m in reading.draft.get("metrics") or []}
    added = [_name(m) for m in reading.result.changes.get("metrics") or []]
    added = [name for name in added if name not in before]
    tasks: set[str] = set()
    for name in added:
        metric = reading.catalog.get("metric", name)
        tasks |= {t for t in getattr(metric, "tasks", ()) or () if t in OTHER}
    if len(tasks) == 1:
        task = tasks.pop()
        return Kind(task, f"{', '.join(added)} asked for")
    return None


def named_for_classes(column: str) -> bool:
    """The column's name says classes ("rating_class", "priorityLabel", "age_band"); a bare
    "label" is every dataset's target, of classes or numbers, and says nothing."""
    return column.strip().lower() not in ("label", "labels") and \
        CLASS_NAMED.search(column) is not None


def _name(item: object) -> str:
    return str(item.get("name") if isinstance(item, dict) else item)
