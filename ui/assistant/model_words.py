"""Reading which pretrained model to start from.

A backbone is named three ways: by a component of the catalog ("the bundled MiniLM", "the
small model"), by a Hugging Face model id ("distilbert-base-uncased",
"sentence-transformers/all-mpnet-base-v2"), or by a local folder ("./models/my-bert"). Ids and
folders go to the backbone plugin that takes a ``model`` option (the built-in ``hf``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .language import negated_before
from .reading import Reading

# model families whose name is a word of its own ("bert", "roberta")...
FAMILIES = (r"distilbert|distilroberta|distilgpt2|tinybert|minilm|mobilebert|squeezebert|"
            r"modernbert|xlm-roberta|roberta|deberta|bert|electra|albert|xlnet|xlm|mpnet|"
            r"camembert|flaubert|gpt2|gpt-neo|qwen\d*|llama|mistral|gemma\d*|smollm\d*|longformer|"
            r"bigbird|convbert|labse|muril")
# ...and those whose name is also an English word or too short: only with a size or version
SHORT_FAMILIES = r"opt|phi|bart|t5|e5|bge|gte|ernie|funnel|pythia"
# a model id as written: optional owner/, optional prefix words ("all-", "twitter-"), a family
MODEL_ID = re.compile(
    rf"(?<![\w/.-])((?:[A-Za-z0-9][\w.-]*/)?(?:[A-Za-z0-9][\w.]*[-_])*?"
    rf"(?:(?:{FAMILIES})(?![a-zA-Z])|(?:{SHORT_FAMILIES})(?=[-\d]))[\w.-]*)(?![\w/])",
    re.IGNORECASE)
# owner/name: the shape of every Hub id, for names with no known family in them
# (a full stop after it ends the sentence: "with checkpoints/convnext-tiny. don't flip")
OWNER_NAME = re.compile(r"(?<![\w/.~-])([A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*\w)+)"
                        r"(?![\w/-]|\.\w)")
# words before a folder that is where the results go, not the model to start from
OUTPUT_CUE = re.compile(r"\b(?:save|write|export|put|store|output|push|upload|copy)\w*\s+"
                        r"(?:[\w-]+\s+){0,3}(?:to|into|in|under|at)\s+(?:the\s+)?$", re.IGNORECASE)
LOCAL_FOLDER = re.compile(r"""(?<![\w])(?:["'`]([^"'`\n]+)["'`]|((?:\.{1,2}|~)?/[\w.~/-]+|"""
                          r"""\.{1,2}\\[\w.~\\-]+|[a-z]:\\[\w.~\\-]+))""", re.IGNORECASE)
# words that announce a model: "the model in checkpoints/best", "load from runs/ft"
MODEL_CUE = re.compile(r"\b(?:model|backbone|checkpoint|encoder|weights|load|start(?:ing)? from)"
                       r"\s*(?:is|=|:|at|in|from|under)?\s*(?:the |my |our |a )?(?:\w+ )?$",
                       re.IGNORECASE)
MODEL_AFTER = re.compile(r"\s*(?:as|for) (?:the |my |our |a )?(?:model|backbone|base model|"
                         r"checkpoint|encoder|starting point)\b", re.IGNORECASE)
HUB_URL = re.compile(r"https?://(?:www\.)?huggingface\.co/", re.IGNORECASE)
# the model's own parts: "the BERT layers" are layers, not a request for BERT
PART_WORDS = re.compile(r"^[\s-]*(?:layers?|blocks?|encoder|body|weights|embeddings?|parts?|"
                        r"backbone|features|style|like|based|family|tokenizer|frozen|fixed|"
                        r"locked|(?:stays?|remains?|is) (?:frozen|fixed))\b", re.IGNORECASE)

# a bare family name means its usual checkpoint ("BERT" -> bert-base-uncased)
USUAL_CHECKPOINT = {
    "bert": "bert-base-uncased", "bert base": "bert-base-uncased",
    "bert base cased": "bert-base-cased", "bert base uncased": "bert-base-uncased",
    "bert large": "bert-large-uncased", "bert large cased": "bert-large-cased",
    "bert cased": "bert-base-cased", "bert uncased": "bert-base-uncased",
    "distilbert": "distilbert-base-uncased", "distil bert": "distilbert-base-uncased",
    "distilbert base": "distilbert-base-uncased", "distilbert cased": "distilbert-base-cased",
    "distilbert base cased": "distilbert-base-cased",
    "roberta": "roberta-base", "roberta base": "roberta-base", "roberta large": "roberta-large",
    "distilroberta": "distilroberta-base", "distil roberta": "distilroberta-base",
    "deberta": "microsoft/deberta-v3-base", "deberta v3": "microsoft/deberta-v3-base",
    "deberta v3 base": "microsoft/deberta-v3-base", "deberta base": "microsoft/deberta-v3-base",
    "deberta v3 small": "microsoft/deberta-v3-small", "deberta small": "microsoft/deberta-v3-small",
    "deberta v3 large": "microsoft/deberta-v3-large", "deberta large": "microsoft/deberta-v3-large",
    "electra": "google/electra-base-discriminator",
    "electra base": "google/electra-base-discriminator",
    "electra small": "google/electra-small-discriminator",
    "electra large": "google/electra-large-discriminator",
    "albert": "albert-base-v2", "albert base": "albert-base-v2", "albert large": "albert-large-v2",
    "xlm roberta": "xlm-roberta-base", "xlm r": "xlm-roberta-base", "xlmr": "xlm-roberta-base",
    "xlm roberta base": "xlm-roberta-base", "xlm roberta large": "xlm-roberta-large",
    "xlm r large": "xlm-roberta-large",
    "mpnet": "sentence-transformers/all-mpnet-base-v2",
    "all mpnet": "sentence-transformers/all-mpnet-base-v2",
    "all mpnet base v2": "sentence-transformers/all-mpnet-base-v2",
    "all minilm l12 v2": "sentence-transformers/all-MiniLM-L12-v2",
    "modernbert": "answerdotai/ModernBERT-base", "modernbert base": "answerdotai/ModernBERT-base",
    "modernbert large": "answerdotai/ModernBERT-large",
    "tinybert": "huawei-noah/TinyBERT_General_4L_312D",
    "mobilebert": "google/mobilebert-uncased",
    "minilm l12": "sentence-transformers/all-MiniLM-L12-v2",
    "all minilm l12": "sentence-transformers/all-MiniLM-L12-v2",
    "gpt2": "gpt2", "gpt 2": "gpt2", "camembert": "camembert-base",
    "bert multilingual": "bert-base-multilingual-cased",
    "bert base multilingual": "bert-base-multilingual-cased",
    "distilbert multilingual": "distilbert-base-multilingual-cased",
    "multilingual distilbert": "distilbert-base-multilingual-cased",
    "distilbert base multilingual": "distilbert-base-multilingual-cased",
    "multilingual bert": "bert-base-multilingual-cased", "mbert": "bert-base-multilingual-cased",
}
SPOKEN_FAMILY = re.compile(
    r"(?<![\w/.-])((?:multilingual )?(?:all[ -])?(?:distil ?bert|distil ?roberta|"
    r"xlm[ -]?r(?:oberta)?|deberta(?:[ -]?v3)?|modernbert|roberta|bert|electra|albert|mpnet|"
    r"tinybert|mobilebert|minilm[ -]l12|gpt[ -]?2|camembert|mbert)"
    r"(?:[ -](?:base|large|small|multilingual))?(?:[ -](?:cased|uncased))?)(?![\w/.-])",
    re.IGNORECASE)


def read_model(reading: Reading) -> None:
    """A model id or folder anywhere in the message; the last one named wins."""
    for url in HUB_URL.finditer(reading.message):  # a Hub page's address holds the id
        reading.consume_written(url.start(), url.end())
    choice = _last_choice(reading)
    if choice is None:
        return
    start, end, model = choice
    reading.consume_written(start, end)
    own = _catalog_backbone(reading, model)
    if own is not None:  # "all-MiniLM-L6-v2" is the bundled backbone, not a download
        reading.result.set("backbone", {"name": own.name}, f"backbone: {own.title}")
        return
    taker = model_taker(reading)
    if taker is None:
        reading.result.unknown.append(f"no installed backbone plugin loads {model}")
        return
    reading.result.set("backbone", {"name": taker.name, "model": model}, f"backbone: {model}")


def model_taker(reading: Reading) -> Any | None:
    """The backbone plugin that loads any model by id or folder (one with a ``model`` option)."""
    for component in reading.catalog.by_kind.get("backbone", []):
        if "model" in {p.name for p in component.params}:
            return component
    return None


def _last_choice(reading: Reading) -> tuple[int, int, str] | None:
    """``(start, end, model)`` of the model the message settles on: the last one named."""
    message = reading.message
    lowered = message.lower()
    choices: list[tuple[int, int, str]] = []

    def free(start: int) -> bool:
        return not any(s <= start < e for s, e, _ in choices)

    for match in SPOKEN_FAMILY.finditer(message):  # "RoBERTa large", "bert-base"
        if _is_model_choice(lowered, match.start(1), match.end(1)):
            choices.append((match.start(1), match.end(1), _complete(match.group(1), True)))
    choices += _named_in_folder(reading)  # "the tiny gpt2 in models/"
    for match in MODEL_ID.finditer(message):  # "distilbert-base-uncased-finetuned-sst-2"
        word = match.group(1).rstrip(".")
        end = match.start(1) + len(word)
        if PROGRAM.search(word):  # "llama.cpp", "llama-cpp-python": a program, not a model
            continue
        if free(match.start(1)) and _is_model_choice(lowered, match.start(1), end):
            choices.append((match.start(1), end, _complete(word)))
    for match in OWNER_NAME.finditer(message):  # "my-org/ticket-model"
        word = match.group(1)
        if not free(match.start(1)) or not _is_model_choice(lowered, match.start(1),
                                                            match.end(1)):
            continue
        if _looks_like_hub_id(word) or MODEL_CUE.search(message[:match.start(1)]) or \
                _model_folder_here(reading, word, message[:match.start(1)]):
            choices.append((match.start(1), match.end(1), word))
    for match in LOCAL_FOLDER.finditer(message):  # "./models/my-bert", "~/ckpt"
        folder = (match.group(1) or match.group(2) or "").strip().rstrip(".")
        quoted = match.group(1) is not None
        if not folder or not free(match.start()) or (quoted and not re.search(r"[/\\]", folder)):
            continue
        if not quoted or MODEL_CUE.search(message[:match.start()]) or MODEL_AFTER.match(
                message[match.end():]):
            choices.append((match.start(), match.end(), folder))
    return max(choices, key=lambda c: c[1]) if choices else None


# a name with a source file's suffix, or a binding's, is a program ("llama.cpp", "whisper.cpp",
# "llama-cpp-python"), not a model
PROGRAM = re.compile(r"(?:\.(?:cpp|cc|c|h|py|js|ts|rs|go|exe|sh)|[-_.]cpp(?:[-_]\w+)?)$",
                     re.IGNORECASE)
# "the tiny gpt2 in models/", "my qwen under checkpoints": words naming one model of a folder
IN_FOLDER = re.compile(r"(?:\b(?:the|my|our|a|that) )?((?:[\w.-]+ ){0,3}?[\w.-]+)"
                       r"(?: model| checkpoint)? (?:in|under|inside|from) (?:the |my |our )?"
                       r"(?:folder |directory )?([\w.~-]+(?:/[\w.~-]+)*/?)(?![\w/.-])",
                       re.IGNORECASE)

NOT_A_NAME = frozenset("the my our a an that this with on using use and of to for model "
                       "checkpoint one train fine tune finetune start from".split())


def _named_in_folder(reading: Reading) -> list[tuple[int, int, str]]:
    """A model named by words and the folder that holds it ("the tiny gpt2 in models/"): the
    one sub-folder with a config.json whose name holds every word said (tiny-gpt2); none
    when no folder or several match."""
    found = []
    for match in IN_FOLDER.finditer(reading.written):  # the folder may be consumed as a path
        folder = reading.base_dir / Path(match.group(2).rstrip(".")).expanduser()
        # the words still unread (a data file named before the model is not its name)
        said = reading.message[match.start(1):match.end(1)].lower()
        words = [w for w in re.split(r"[\s_-]+", said) if w and w not in NOT_A_NAME]
        if not words or not folder.is_dir():
            continue
        try:
            names = [p.name for p in folder.iterdir() if (p / "config.json").is_file()]
        except OSError:
            continue
        # the words that name some folder ("my local gpt2": gpt2), then the one they fit
        words = [w for w in words if any(_names(w, n) for n in names)]
        fits = [n for n in names if words and all(_names(w, n) for w in words)]
        if len(fits) == 1:
            where = match.group(2).rstrip("./")
            found.append((match.start(1), match.end(2), f"{where}/{fits[0]}"))
    return found


def _names(word: str, folder: str) -> bool:
    """``word`` is a part of the folder's name ("gpt2" of tiny-gpt2), or a long piece of it."""
    name = folder.lower()
    return word in re.split(r"[-_.\s]+", name) or len(word) > 3 and word in name


def _is_model_choice(lowered: str, start: int, end: int) -> bool:
    """A model name that is not turned down ("not BERT") nor one of its parts ("BERT layers")."""
    if negated_before(lowered, start):
        return False
    return not PART_WORDS.match(lowered[end:end + 15])


def _model_folder_here(reading: Reading, word: str, before: str) -> bool:
    """A folder here with files in it that no dataset took ("with mymodels/convnext"): the
    data readers run first, so what is left is a model, unless the results go there."""
    folder = reading.here(word)
    try:
        filled = folder.is_dir() and any(p.is_file() for p in folder.iterdir())
    except OSError:
        return False
    return filled and not OUTPUT_CUE.search(before)


def _looks_like_hub_id(word: str) -> bool:
    """owner/name with a model-like name: "my-org/ticket-model", not "text/label" or "80/20"."""
    owner, _, name = word.partition("/")
    return bool(re.search(r"[-_.\d]", name)) and not owner.isdigit() and "/" not in name


def _complete(word: str, spoken: bool = False) -> str:
    """A family name becomes its usual checkpoint ("bert base" -> bert-base-uncased); an id
    the table does not know stays as written. Said in words, the closest known name counts."""
    words = re.sub(r"[-_ ]+", " ", word.lower()).strip().split(" ")
    for size in range(len(words), 0 if spoken else len(words) - 1, -1):
        known = USUAL_CHECKPOINT.get(" ".join(words[:size]))
        if known:
            return known
    return word


def _catalog_backbone(reading: Reading, model: str) -> Any | None:
    """A backbone of the catalog whose own name or alias is this id (the bundled MiniLM)."""
    wanted = {model.lower(), model.lower().rsplit("/", 1)[-1]}
    for component in reading.catalog.by_kind.get("backbone", []):
        if "model" in {p.name for p in component.params}:
            continue
        names = {component.name.lower(), *[a.lower() for a in component.aliases]}
        if wanted & names and "/" not in model or model.lower() in names:
            return component
    return None


# ---------------------------------------------------------------- the backbone's options

FROM_SCRATCH = re.compile(r"\b(?:from scratch|random(?:ly)? init\w*|random weights|"
                          r"(?:without|no|not|don't use|do not use) (?:the )?(?:any )?"
                          r"pre-?train\w*(?: weights)?|untrained)\b")
PRETRAINED_AGAIN = re.compile(r"\b(?:use|with|keep|load|start from) (?:the )?pre-?trained "
                              r"(?:weights|checkpoint)\b")


def read_backbone_options(reading: Reading) -> None:
    """Whether to start from the pretrained weights, and trusting a model's own code."""
    backbone = reading.component("backbone", "backbone")
    if backbone is None:
        return
    params = {p.name for p in backbone.params}
    text = reading.text
    if "pretrained" in params:
        if FROM_SCRATCH.search(text):
            reading.result.set("backbone.pretrained", False, "from random weights (no "
                               "pretraining)")
        elif PRETRAINED_AGAIN.search(text) and reading.slot("backbone").get("pretrained") is False:
            reading.result.set("backbone.pretrained", True, "from the pretrained weights")
    if "trust_remote_code" in params and re.search(r"\btrust(?:ing)? (?:the )?remote code\b",
                                                   text):
        reading.result.set("backbone.trust_remote_code", True, "trusting the model's code")
    revision = re.search(r"\brevision\s*(?:=|:|is)?\s*([\w.-]+)", reading.message, re.IGNORECASE)
    if "revision" in params and revision:
        reading.result.set("backbone.revision", revision.group(1), f"revision {revision.group(1)}")


def read_backbone_name(reading: Reading) -> None:
    """A backbone named by the catalog's words ("the bundled MiniLM", "the small model")."""
    if "backbone" in reading.result.changes:
        return
    component, negated = reading.catalog.best("backbone", reading.text)
    reading.result.negated += [c.name for c in negated]
    if component is None:
        return
    required = [p for p in component.params if getattr(p, "required", False)]
    if required:  # "a Hugging Face model" without an id: nothing to load yet
        return
    reading.result.set("backbone", {"name": component.name}, f"backbone: {component.title}")
