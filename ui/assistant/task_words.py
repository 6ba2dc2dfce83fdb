"""Reading which task a person means, in ordinary words.

Each task family's registration carries its title and aliases (``tunekit.tasks.describe``,
which builds nothing); they are matched word by word on stems, so "instruction-tune",
"instruction tuned" and "instruct tuning" all meet the alias "instruction tuning", and with a
typo's tolerance ("regresion"). Beyond the aliases, each family's ``phrases`` (regular
expressions in its registration, core/tasks/phrases.py) read the job described in other words:
"score essays 0-10", "pull out drug names from clinical notes", "is this photo a cat or a dog",
"make a bot that answers like our support team". The default family's own phrases ("spam or
not") weigh least: a more specific family's win, and they never undo a task already chosen.
When several tasks are named, the one said most fully wins, then the one said last
("train on ratings.csv ... actually this is a regression problem"). A task said with no data
in the run asks for the file (``wants_data``): never a bundled sample put in silently.

The data has its say too, when the turn names the file or its label column and no task by
name: a label column of many distinct numbers (or fractions) is a regression target
("points holds 19 distinct whole numbers"); a few whole numbers (1 to 5) are one when the
words say a number ("predict csat_score", "80 to 98"); words are never a number to predict.
"""

from __future__ import annotations

import re

from tunekit.spec import DEFAULT_SPEC
from tunekit.tasks import TEXT_CLASSIFICATION
from tunekit.tasks.phrases import NUMERIC_TARGETS

from .datafile import Values, column_values, peek
from .fuzzy import close
from .label_words import Kind, label_kind, named_for_classes
from .reading import Reading

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
    family's aliases ("tag entities", "classify images", "instruction tuning"), or by a cue;
    weighed against what the file's label column holds. What the words claim of the label
    ("3 classes", "a score, not categories") decides between classes and a number first."""
    said = _task_said(reading)
    kind = _kind_said(reading, said)
    if kind is not None and kind.task:
        _take_kind(reading, kind)
        return
    if kind is not None and said is not None and said[0][2] in PAIR:
        said = None  # "is it a classification or a regression?": asked, not chosen
    named = said is not None and said[1]  # by the task's own name or an alias
    task = said[0][2] if said else None
    task, note = _weigh_data(reading, task, named)
    if task is None:
        return
    current = reading.draft.get("task") or TEXT_CLASSIFICATION
    look = reading.result.changes.get("task")  # what the file named decided, if anything
    if task == current and look is not None and not (named and {task, look} <= PAIR):
        return  # the file named decided ("classify the leaf diseases" in a folder of images)
    if said is not None and said[0][0] < 2 and not named and task == TEXT_CLASSIFICATION \
            and current != task:
        return  # the default family's own cues ("spam or not") do not undo a task chosen
    if said is not None and not named and task != current and _file_says_otherwise(reading,
                                                                                  task):
        return  # "train tickets.csv, then translate the texts": a side request, not the task
    if task != current or (look is not None and look != task):
        reading.result.set("task", task, f"task: {task}{note or _clash(reading, task)}")
    elif note and said is None:
        reading.result.keep(f"task: {task}{note}")
    elif said is not None:
        reading.result.keep(f"task: {task}")
    if said is not None:
        _wants_data(reading)


# a dataset's look at a file from this up: it reads it (plugins/datasets/looks.py)
READS_IT = 0.5


def _file_says_otherwise(reading: Reading, task: str) -> bool:
    """The file this turn names is read well by a dataset of the task as it stands, and by
    none of ``task``'s: a task only described (a cue, not its name) gives way to the data."""
    slot = reading.slot("dataset")
    path = slot.get("path") if "dataset" in reading.result.changes else None
    if not path or any(k.split(".")[0] == "backbone" for k in reading.result.changes):
        return False  # a model named for the task ("gpt2 to generate text") says it too
    file = reading.here(str(path))
    if not file.exists():
        return False
    current = reading.result.changes.get("task") or reading.draft.get("task") or \
        TEXT_CLASSIFICATION
    best = {True: 0.0, False: 0.0}
    for dataset in reading.catalog.by_kind.get("dataset", []):
        if hasattr(dataset, "how_well_it_reads") and (task in dataset.tasks) != (
                current in dataset.tasks):
            side = task in dataset.tasks
            best[side] = max(best[side], dataset.how_well_it_reads(file))
    return best[False] >= READS_IT and best[True] < READS_IT


def _wants_data(reading: Reading) -> None:
    """A task said with no data named, and none of the person's in the run yet: the reply
    asks for the file (and says what the task reads), never a sample put in silently."""
    dataset = reading.draft.get("dataset")
    has_path = isinstance(dataset, dict) and dataset.get("path")
    named = any(path.split(".")[0] == "dataset" for path in reading.result.changes)
    if not has_path and not named and not reading.result.wants_data:
        reading.result.wants_data = "data"


def _task_said(reading: Reading) -> tuple[tuple[int, int, str], bool] | None:
    """The task the words say, as ``((words said, where, task), by name or alias)``."""
    from tunekit.tasks import describe, names

    text = NOT_THE_TASK.sub(" ", reading.text)
    stems = [stem(w) for w in _words(text)]
    known = set(names())
    best: tuple[int, int, str] | None = None  # (words said, where, task)
    by_name: set[tuple[int, int, str]] = set()
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
                by_name.add(score)
                best = max(best, score) if best else score
            # the default family's words are the weakest: "classify the x-rays" is images
            # (above a one-word alias of another: "tag each email as urgent or not")
            weight = 1.5 if task == TEXT_CLASSIFICATION else 2
            for cue in family.phrases:
                for match in re.finditer(cue, text):
                    where = len(_words(text[:match.start()]))
                    score = (weight, where, task)
                    best = max(best, score) if best else score
    if best is None:  # a vision model named with no task word: "a vit on the beans dataset"
        model = str((reading.result.changes.get("backbone") or {}).get("model") or "")
        vision = VISION_MODELS.search(model) or re.search(r"\b(?:vit|convnext|resnet)\b", text)
        if vision and "image-classification" in reading.catalog.tasks():
            return (0, 0, "image-classification"), False
        # a generative model's family a backbone declares, with no task word: "fine-tune
        # llama on my chats"
        family = _family_task(reading, model, text)
        if family:
            return (0, 0, family), False
    return (best, best in by_name) if best else None


# words that make a model family's own task wrong: "classify tickets with qwen"
OTHER_WORK = re.compile(r"\b(?:classif|categori[sz]|label|sentiment|intent|tag|predict|"
                        r"regress|detect|score|rate|sort)\w*")


def _family_task(reading: Reading, model: str, text: str) -> str | None:
    """The task a model family a backbone declares means (``Backbone.model_families``:
    "fine-tune llama on my chats" is causal-lm), when nothing else decides it: the draft as
    it starts (no task or data chosen), no data this turn, no word of another kind of work."""
    chosen = reading.draft.get("task") != DEFAULT_SPEC["task"] or \
        reading.draft.get("dataset") != DEFAULT_SPEC["dataset"]
    if chosen or _data_says_task(reading) or OTHER_WORK.search(text):
        return None
    tasks = reading.catalog.tasks()
    for backbone in reading.catalog.by_kind.get("backbone", []):
        for pattern, task in (getattr(backbone, "model_families", None) or {}).items():
            family = rf"(?<![a-z])(?:{pattern})(?![a-z])"
            if task in tasks and (re.search(family, model, re.IGNORECASE)
                                  or re.search(family, text)):
                return task
    return None


def _data_says_task(reading: Reading) -> bool:
    """Data chosen this turn that says its own task (a file, read as a table or as chats).
    A dataset fetched by its Hub id (a dataset that reads ids: ``phrases``) is not looked at
    before the run, so it says none: "fine-tune Qwen on tatsu-lab/alpaca" is the family's."""
    if "dataset" not in reading.result.changes:
        return False
    component = reading.component("dataset", "dataset")
    return component is None or not getattr(component, "phrases", ())


REGRESSION = "text-regression"
# a label column of more distinct numbers than this is a quantity, not a set of classes
MANY_NUMBERS = 10
# a range of numbers said of the target ("the points (80-100)", "score is 1 to 5")
RANGE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*(?:-|–|to)\s*\d+(?:\.\d+)?(?![\w.%])"
                   r"(?!\s*(?:%|percent|epochs?|layers?|steps?|blocks?|rows?|examples?|samples?|"
                   r"gpus?|minutes?|hours?|times?|classes|labels|categories)\b)")
PREDICTING = re.compile(r"\b(?:predict|estimat|forecast|regress)\w*")
# verbs of quantities: said of a column of numbers, the numbers are the target
ESTIMATING = re.compile(r"\b(?:estimat|forecast|quantif|measur)\w*")


# the two tasks a label column of numbers may mean: classes, or a number to predict
PAIR = {TEXT_CLASSIFICATION, REGRESSION}
# how the person has the other reading of a column of numbers, for the reply
SWITCH = {TEXT_CLASSIFICATION: 'say "predict it as a number" for a text-regression',
          REGRESSION: 'say "these are classes" to classify them'}


def _kind_said(reading: Reading, said: tuple[tuple[int, int, str], bool] | None) -> Kind | None:
    """What the words claim the label is (label_words.py), when the run is one of the two
    tasks a label of numbers may mean and its data can do the one claimed: "5 classes" of
    x-rays stay images, "4 categories of entity" stay tagging."""
    kind = label_kind(reading)
    if kind is None or not kind.task:
        return kind
    now = reading.result.changes.get("task") or reading.draft.get("task") or TEXT_CLASSIFICATION
    if said is not None and (said[1] or said[0][0] >= 2):  # named, or a family's own cue
        now = said[0][2]
    # the data chosen must do it; the bundled sample the draft starts with gives way (the
    # reply then asks for the person's file)
    chosen = "dataset" in reading.result.changes or \
        reading.draft.get("dataset") != DEFAULT_SPEC["dataset"]
    component = reading.component("dataset", "dataset") if chosen else None
    tasks = getattr(component, "tasks", None) or ()
    return kind if now in PAIR and (not tasks or kind.task in tasks) else None


def _take_kind(reading: Reading, kind: Kind) -> None:
    """The task the words claim, set (or kept) and said with the words; a column of words
    is no number to predict, and a column of many numbers taken as classes is said."""
    task = kind.task
    found = _label_values(reading, any_turn=True)
    note = f' (you said "{kind.words}"'
    if found is not None:
        column, values = found
        if task == REGRESSION and not values.numeric:
            reading.result.keep(f"not a regression: {values.describe(column)}, not numbers")
            task = TEXT_CLASSIFICATION
        elif task == REGRESSION and not reading.slot("dataset").get("label_column"):
            reading.result.set("dataset.label_column", column, f"label column: {column}")
        note += f"; {_described(values, column, task)}"
    note += ")"
    if "task" in reading.result.changes or task != (reading.draft.get("task")
                                                    or TEXT_CLASSIFICATION):
        reading.result.set("task", task, f"task: {task}{note}")  # said once, in these words
    else:
        reading.result.keep(f"task: {task}{note}")
    _wants_data(reading)


def _described(values: Values, column: str, task: str) -> str:
    """What the label column holds, said with the task taken: many numbers as classes is a
    clash the person should see, with the way to the other reading."""
    text = values.describe(column)
    if task == TEXT_CLASSIFICATION and values.numeric and _many(values):
        return f"{text}: as classes, each value is a class of its own; {SWITCH[task]}"
    return text


def _clash(reading: Reading, task: str) -> str:
    """A task named over the file's look ("classify" a column of many numbers): what the
    column holds, said, when it clashes."""
    found = _label_values(reading)
    if found is None or task != TEXT_CLASSIFICATION or not found[1].numeric or \
            not _many(found[1]):
        return ""
    return f" ({_described(found[1], found[0], task)})"


def _many(values: Values) -> bool:
    """Many distinct numbers, or fractions: a quantity by its look."""
    return values.distinct > MANY_NUMBERS or not values.integers


def _weigh_data(reading: Reading, task: str | None, named: bool) -> tuple[str | None, str]:
    """The task once the label column's values are weighed, and what they said (for the
    reply). A task said by name stands; a number cue meets a column of words and gives way;
    a column of many numbers (or fractions) makes the task regression; a few whole numbers
    said of by nothing keep a classification, and the reply says so."""
    if named or task not in (None, REGRESSION, TEXT_CLASSIFICATION):
        return task, ""
    found = _label_values(reading)
    if found is None:  # a name alone ("predict the stars column") may be classes: 1 to 5
        return task, ""
    column, values = found
    if not values.numeric:
        if task == REGRESSION or _number_in_name(reading, column):
            # "predict the price" of a column of words: it cannot be
            reading.result.keep(f"not a regression: {values.describe(column)}, not numbers")
            return TEXT_CLASSIFICATION, ""
        return task, ""
    worded = task == REGRESSION or _number_in_name(reading, column) or \
        RANGE.search(reading.text) or ESTIMATING.search(reading.text)
    if named_for_classes(column) and values.integers and task != REGRESSION:
        worded, many = False, False  # "rating_class": whole numbers named for classes
    else:
        many = _many(values)
    if many or worded:
        if not (reading.slot("dataset").get("label_column")):
            reading.result.set("dataset.label_column", column, f"label column: {column}")
        return REGRESSION, f" ({values.describe(column)}; {SWITCH[REGRESSION]})"
    now = reading.result.changes.get("task") or reading.draft.get("task") or TEXT_CLASSIFICATION
    if now == TEXT_CLASSIFICATION:  # a few whole numbers, nothing said of them: classes
        return now, (f" ({values.describe(column)}, taken as {values.distinct} classes; "
                     f"{SWITCH[now]})")
    return task, ""


def _label_values(reading: Reading, any_turn: bool = False) -> tuple[str, Values] | None:
    """The label column this turn names (or, when the turn names the file, the column the
    values suggest) and what it holds; None when the turn names neither (and ``any_turn`` is
    not asked: the run's data as it stands), or the file cannot be read, or its dataset
    does not do regression."""
    changes = reading.result.changes
    dataset = reading.slot("dataset")
    path, column = dataset.get("path"), dataset.get("label_column")
    this_turn = any_turn or "dataset" in changes or "dataset.label_column" in changes
    component = reading.component("dataset", "dataset")
    if not path or not this_turn or component is None or REGRESSION not in component.tasks:
        return None
    file = reading.here(path)
    if not column:
        preview = peek(file, limit=2000)
        column = preview.label_column or preview.suggested.get("label")
    values = column_values(file, column) if column else None
    return (column, values) if values is not None else None


def _number_in_name(reading: Reading, column: str | None) -> bool:
    """The column the turn asks to predict is named for a quantity ("predict nightly_price",
    "estimate csat_score")."""
    column = column or reading.result.changes.get("dataset.label_column")
    if not column or not PREDICTING.search(reading.text):
        return False
    words = " ".join(re.split(r"[\W_]+|(?<=[a-z])(?=[A-Z])", str(column))).lower()
    return re.search(rf"\b{NUMERIC_TARGETS}\b", words) is not None
