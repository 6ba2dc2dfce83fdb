"""Reading which task a person means, in ordinary words.

Each task family's registration carries its title and aliases (``tunekit.tasks.describe``,
which builds nothing); they are matched word by word on stems, so "instruction-tune",
"instruction tuned" and "instruct tuning" all meet the alias "instruction tuning", and with a
typo's tolerance ("regresion"). Beyond the aliases, a few cues the families cannot list as
phrases: a number as the target ("predict the price", "as a number") means regression.
When several tasks are named, the one said most fully wins, then the one said last
("train on ratings.csv ... actually this is a regression problem").
"""

from __future__ import annotations

import re

from .fuzzy import close
from .reading import Reading

# what a number-valued target is called: predicting one is regression, not classification
NUMERIC_TARGETS = (r"(?:prices?|scores?|ratings?|numbers?|values?|grades?|levels?|ages?|"
                   r"amounts?|counts?|costs?|salar(?:y|ies)|stars?|durations?|temperatures?|"
                   r"quantit(?:y|ies)|sales|revenues?|intensit(?:y|ies))")
CUES = {
    "text-regression": [
        rf"\b(?:predict|estimat|forecast|regress|output|guess)\w* (?:an? |the |each |its |their |"
        rf"how )?(?:[\w'-]+ ){{0,3}}?{NUMERIC_TARGETS}\b(?! (?:class|categor|label|bucket))",
        r"\bas an? (?:real |continuous |plain |single )?(?:number|value|float|score)\b",
        r"\b(?:continuous|numeric(?:al)?|real[- ]valued) (?:value|target|label|output|score|"
        r"number)s?\b",
        r"\bhow much\b.*\b(?:sell|cost|worth|pay)\b",
        r"\bregress\w*\b",
    ],
    "causal-lm": [
        r"\bllms?\b", r"\b(?:chat|instruct\w*|sft|dialog(?:ue)?)[ -]?(?:fine[ -]?)?tun\w*",
        r"\bfor chat\b", r"\bchat ?bots?\b", r"\bfollow\w* (?:my |the |your )?instructions\b",
        r"\bwrites? like\b", r"\bcontinue[ds]? pre-?train\w*", r"\banswer\w* questions like\b",
        r"\bgenerat\w* text\b", r"\bnext[- ]token\b",
    ],
    "token-classification": [
        r"\b(?:tag|label|mark|find|extract|recogni[sz])\w* (?:the |each |every |all )?"
        r"(?:named )?(?:entit(?:y|ies)|words?|tokens?|names of)\b",
        r"\btagger\b", r"\bpart[- ]of[- ]speech\b", r"\bpos tags?\b", r"\bbio tags?\b",
    ],
    "image-classification": [
        r"\bclassif\w* (?:the |my |these |some )?(?:[\w-]+ ){0,2}?(?:images?|photos?|pictures?|"
        r"scans?|x-?rays?)\b",
        r"\b(?:images?|photos?|pictures?) (?:classif|recogni)\w*",
        r"\bvision\b",
    ],
}
# image models' families: a model id of one, said with no task word, means images
VISION_MODELS = re.compile(r"(?:^|[/_-])(?:vit|deit|beit|swin\w*|convnext\w*|resnet\w*|"
                           r"efficientnet\w*|mobilenet\w*|regnet\w*|dinov2|levit|poolformer)"
                           r"(?:$|[-_])", re.IGNORECASE)
# words before "regression" that make it a classifier's head, not the task
NOT_THE_TASK = re.compile(r"\blogistic (?:regression|regressor)\b")


def stem(word: str) -> str:
    """A crude stem, enough to meet a word's forms ("tuning", "tuned", "tune" -> "tun")."""
    for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "ed", "ors", "or",
                   "ions", "ion", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (
                suffix == "s" and word.endswith("ss")):
            word = word[:-len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2]:  # "tagg" -> "tag", "modell" -> "model"
        word = word[:-1]
    return word


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _phrase_at(words: list[str], phrase: list[str]) -> int:
    """Where ``phrase`` (stemmed words) last occurs in ``words`` (stemmed), or -1."""
    found = -1
    for i in range(len(words) - len(phrase) + 1):
        if all(w == p or (len(p) >= 5 and close(w, p)) for w, p in
               zip(words[i:i + len(phrase)], phrase, strict=True)):
            found = i
    return found


def read_task(reading: Reading) -> None:
    """A task named by its own words ("text classification", "token-classification"), by the
    family's aliases ("tag entities", "classify images", "instruction tuning"), or by a cue."""
    from tunekit.tasks import describe, names

    text = NOT_THE_TASK.sub(" ", reading.text)
    stems = [stem(w) for w in _words(text)]
    known = set(names())
    best: tuple[int, int, str] | None = None  # (words said, where, task)
    for task in reading.catalog.tasks():
        phrases = [task.replace("-", " ")]
        if task in known:
            family = describe(task)  # builds nothing: no torch import on the chat path
            phrases += [family.title, *family.aliases]
        for phrase in phrases:
            words = [stem(w) for w in _words(phrase)]
            where = _phrase_at(stems, words) if words else -1
            if where >= 0:
                score = (len(words), where, task)
                best = max(best, score) if best else score
        for cue in CUES.get(task, []):
            for match in re.finditer(cue, text):
                where = len(_words(text[:match.start()]))
                score = (2, where, task)
                best = max(best, score) if best else score
    if best is None:
        model = str((reading.result.changes.get("backbone") or {}).get("model") or "")
        vision = VISION_MODELS.search(model) or re.search(r"\b(?:vit|convnext|resnet)\b", text)
        if not vision or "image-classification" not in reading.catalog.tasks():
            return
        best = (0, 0, "image-classification")
    task = best[2]
    if task != (reading.draft.get("task") or "text-classification"):
        reading.result.set("task", task, f"task: {task}")
