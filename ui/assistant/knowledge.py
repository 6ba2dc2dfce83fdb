"""What the assistant knows to say: answers to common questions and recommendations.

Answers about components come from their own descriptions (so a plugin explains itself);
the notes below cover the practice around them.
"""

from __future__ import annotations

import re
from typing import Any

from .data_words import OWN_DATA_NOUNS, UNQUOTED_PATH
from .language import normalise
from .scope_words import out_of_scope

NOTES: dict[str, tuple[tuple[str, ...], str]] = {
    "learning-rate": (("lower learning rate", "learning rate", "lr", "why lower", "small rate"),
        "The learning rate is how big a step each update takes. Fine-tuning starts from weights "
        "that already encode a lot, so it uses a rate 10 to 100 times lower than training from "
        "scratch (around 2e-5 to 1e-4 for every weight): large steps would wipe out what "
        "pretraining learned. A fresh head or small adapters start from nothing and can take "
        "larger steps (1e-3). Leave it empty and tunekit uses the strategy's recommended rate."),
    "epochs": (("epoch", "epochs", "how many epochs", "how long"),
        "An epoch is one pass over the training examples. Too few and the model underfits; "
        "too many and it starts memorising (overfitting). With early stopping on, tunekit stops "
        "when the validation score stops improving and keeps the best epoch's weights."),
    "overfitting": (("overfit", "overfitting", "memoris", "memoriz"),
        "Overfitting is when the model keeps getting better on its training examples but worse "
        "on new ones: the validation score peaks and then falls. Remedies: fewer epochs (early "
        "stopping), more weight decay or dropout, more data, or freezing more of the model."),
    "underfitting": (("underfit", "underfitting"),
        "Underfitting is when the model is poor even on its training data: it has not learned "
        "the task yet. Train longer, raise the learning rate a little, or let more of the model "
        "train (LoRA or full fine-tuning instead of head-only)."),
    "validation": (("validation", "validation set", "held out", "test set", "test split"),
        "The validation split is held out from training and scored after every epoch: it is how "
        "you see over- or underfitting and when to stop. The test split is scored once, at the "
        "end, so its number is an honest estimate of quality on new data."),
    "weight-decay": (("weight decay", "regularization", "regularisation", "l2"),
        "Weight decay gently pulls weights towards zero at every step, which discourages the "
        "model from relying on a few memorised details. 0.01 is a common default; 0.05 to 0.1 "
        "when the model overfits."),
    "dropout": (("dropout",),
        "Dropout switches off a random share of the units during training so the model cannot "
        "depend on any single one. It fights overfitting; the backbone's own value (often 0.1) "
        "is used unless you set one."),
    "batch-size": (("batch size", "batch", "batches"),
        "The batch size is how many examples go into one update. Larger batches are faster per "
        "example on a GPU but need more memory; 16 or 32 suits most fine-tuning."),
    "from-scratch": (("from scratch", "scratch", "pretraining", "pretrained", "pre-trained"),
        "Fine-tuning starts from a model pretrained on a large corpus, so it needs far less data "
        "and time than training from scratch (random weights). To see what pretraining is worth, "
        "run the same spec with the backbone's `pretrained: false`."),
    "data-quality": (("how much data", "enough data", "data quality", "how many examples",
                      "per class", "too few", "too little", "so little", "big enough",
                      "enough examples", "enough images", "enough rows", "enough samples"),
        "A few hundred labelled examples per class is a good start for fine-tuning a small model; "
        "fewer works with head-only or LoRA. Check the labels are right and the classes not too "
        "unbalanced: a model learns mistakes in the labels as faithfully as the truth."),
    "model-card": (("model card", "card"),
        "A model card is the README that travels with a model: what data it learned from, how "
        "it was trained, how well it does, and where it should not be used. tunekit writes one "
        "with every run that has the model-card exporter."),
    "early-stopping": (("early stopping", "stop early", "patience"),
        "Early stopping watches the validation score after each epoch and stops when it has not "
        "improved for `patience` epochs, then restores the best epoch's weights."),
    "backbone": (("which model", "what model", "which backbone", "what backbone", "bigger model",
                  "larger model", "best model", "model should"),
        "The bundled **MiniLM** (minilm-l6, 22M parameters) works offline and trains in minutes "
        "on a CPU: the right first run. For more accuracy on English text, a base-sized model "
        "such as `distilbert-base-uncased` or `roberta-base` (with a GPU); for other languages, "
        "`xlm-roberta-base`. Name any Hugging Face id or a local folder and I will use it."),
    "hardware": (("gpu", "cpu", "how long", "how fast", "memory", "cuda", "speed"),
        "tunekit runs on whatever is there: CPU, one GPU, or several through accelerate. On a "
        "CPU, the bundled MiniLM with LoRA or head-only takes a few minutes on a few thousand "
        "examples; full fine-tuning of a base-sized model wants a GPU."),
    "data-format": (("format", "csv", "jsonl", "upload", "columns", "my own data", "my data"),
        "Give me a CSV, TSV or JSON-lines file with one column of text and one of labels (by "
        "path, or upload it in the studio). I find columns with common names (text, review, "
        "label, category...) myself; otherwise say \"the text column is X, labels are in Y\". "
        "To teach a language model: JSON lines of instructions and responses (alpaca's "
        "instruction/input/output, prompt/completion too), of chats (messages, or ShareGPT's "
        "conversations) or of texts, or a plain .txt corpus."),
    "freezing": (("freeze", "freezing", "frozen", "unfreeze"),
        "Freezing a layer means its weights do not change during training. Freezing more of "
        "the model (head-only, freeze-bottom) trains faster and overfits less on small data; "
        "freezing nothing (full fine-tuning) adapts the most with enough data."),
}

# how the answer to a question I know nothing about begins: a pointer to what I can do
POINTER = "Tell me what to train on and how"
# how a question opens; "can you use LoRA?" and "how about 5 epochs" are requests instead
QUESTION = re.compile(r"^(?:what|what's|whats|why|how|which|when|where|who|whose|explain|describe|"
                      r"would|could|will|might|may|shall|can (?!you|we|i|u)\w+|"
                      r"define|tell me|difference|compare|is|are|isn't|aren't|does|doesn't|"
                      r"do (?:i|we|you|they)|did|should|shouldn't|would (?:it|this|that|a|an)|"
                      r"will (?:it|this|that)|any (?:advice|tips?|suggestions?|recommendations?|"
                      r"idea)|recommend|suggest|help$|help me (?:understand|decide|choose|pick)|"
                      r"i don't (?:understand|know|get)|i'm not sure|not sure|wondering|i wonder|"
                      r"meaning of)\b")
REQUEST = re.compile(r"^(?:(?:can|could|would|will) (?:you|we|i|u)|(?:can|could|may) i|please|"
                     r"let'?s|how about|what about|what if (?:we|i)|why don't (?:we|you)|"
                     r"i'?d like|i would like|i want|i need|is it possible to|go with)\b")
ASKS_ADVICE = re.compile(r"\b(?:explain|tell|describe|recommend|suggest|advise|list|show me|name "
                         r"the|help me "
                         r"(?:understand|decide|choose|pick))\b")


def question_kind(message: str) -> str:
    """"question" to answer, "request" to apply, or "tentative": a statement with a question
    mark ("LoRA with r 16?"), a request when it names settings. "Can you explain LoRA?" asks;
    "can you use LoRA?" and "how about 5 epochs?" request."""
    text = normalise(message)
    if REQUEST.match(text):
        return "question" if ASKS_ADVICE.search(text[:40]) else "request"
    if QUESTION.match(text):
        return "question"
    if not text.rstrip().endswith("?"):
        return "request"
    # "LoRA with r 16?" asks for a setting; "full fine-tuning better?", "lora or head-only?"
    # ask a question
    if re.search(r"\b(?:better|worse|faster|slower|enough|good idea|ok|okay|make sense|work|"
                 r"worth|difference|vs|versus|or)\b", text):
        return "question"
    return "tentative"


# ---- a question on how to give the data, or on what it should look like: answered from
# what the task's datasets declare, and the file then asked for (never a path made up)
DATA_THING = rf"(?:{OWN_DATA_NOUNS}|zips?|csvs?|tsvs?|jsonl|json|parquet|spreadsheets?)"
# the verbs whose "it" or "them" is the data ("how do I send them?"; "how do I get it to
# train faster?" is no data question)
HAND_OVER = r"(?:give|send|provide|upload|share|supply|pass|submit|hand|attach|put|prepare)"
GIVE = (rf"(?:{HAND_OVER}\w*\s+(?:(?:you|to you)\s+)?(?:them|it)\b|get\w*\s+(?:them|it)\s+"
        rf"(?:over )?to you\b|(?:{HAND_OVER}|feed|bring|"
        r"format|structure|organi[sz]e|arrange|lay out|store|save|load|import|get)\w*\s+(?:(?:you|"
        r"it|to you)\s+)?(?:(?:the|my|our|your|this|these|those|a|an|some|all)\s+)?"
        rf"(?:[\w-]+\s+){{0,2}}?{DATA_THING}\b)")
GIVING_DATA = re.compile(
    rf"(?:\b(?:how|where)\s+(?:(?:do|does|can|could|should|shall|would|must|to|i|we|"
    rf"is it)\s+){{1,3}}|"
    rf"\bin what way\b|\bwhat(?:'s| is) the (?:best |right |easiest )?way\b)[^.?!]{{0,40}}?"
    rf"\b{GIVE}|"
    r"\b(?:what|which|in what|in which)\s+(?:[\w-]+\s+)?(?:formats?|forms?|shapes?|layouts?|"
    r"structures?|kinds? of files?|types? of files?|file types?)\b|"
    r"\bwhat (?:should|must|does|do|would|will) (?:the |my |our |a |an |each |your )?(?:[\w-]+ )?"
    rf"{DATA_THING} (?:look like|contain|have in it|be like)\b|"
    r"\b(?:can|could|may|do|should) (?:i|we) (?:upload|send|give|attach|share|provide|use) "
    r"(?:you )?(?:(?:a|an|my|our|the|some)\s+)?(?:[\w-]+\s+)?(?:zip|folder|csv|tsv|jsonl?|parquet|"
    r"files?|data|dataset|images|photos|pictures|spreadsheet|excel)\b|"
    r"\bhow (?:do|can|should|would) (?:i|we) (?:get |getting )?start(?:ed)?\b|"
    r"\bwhat (?:do|does|would|will) (?:you|it|tunekit) need\b|\bwhat (?:data|files?|information) "
    r"(?:do|does|would|will|should|must) (?:you|it|tunekit|i|we)\b")
# ... unless it asks about what a run writes out ("what format is the exported model?")
ABOUT_OUTPUT = re.compile(r"\bexport\w*|\bonnx\b|\bsafetensors\b|\bgguf\b|\bweights\b|"
                          r"\bcheckpoints?\b|\bsaved? (?:the |my )?model\b|\bdownload\w*|"
                          r"\b(?:hub|hugging ?face)\b")


def giving_data(question: str) -> bool:
    """The question asks how to give the data, or what it should look like ("how should I
    give you the images?", "in what format?", "can I upload a zip?"); one that names its file
    asks about that file instead."""
    text = normalise(question)
    return bool(GIVING_DATA.search(text)) and not ABOUT_OUTPUT.search(text) and \
        not UNQUOTED_PATH.search(question)


def data_noun(*texts: str) -> str:
    """What the person calls their data ("images", "emails"), in the first of ``texts`` that
    names it; "data" when none does."""
    for text in texts:
        found = re.search(rf"\b{OWN_DATA_NOUNS}\b", normalise(text))
        if found:
            return found.group(0)
    return "data"


def how_to_give(task: str, catalog: Any, what: str = "data") -> str:
    """How ``task``'s data is given: each installed dataset that reads a file of the person's
    (a required path) for it, in its own words; files first, then the fetching kinds."""
    readers = [c for c in catalog.by_kind.get("dataset", []) if task in c.tasks
               and any(getattr(p, "required", False) for p in c.params)]
    readers.sort(key=lambda c: bool(c.phrases))
    said = "\n".join(f"- **{c.title}** ({c.name}): {c.description}" for c in readers)
    return (f"For {task}, I read your {what} as:\n{said}\n\nName the file or folder here "
            "(\"train on PATH\"), or attach the file in the studio (the 📎 Data button).")


# the settings a question may be about, by the words that name them (NOTES keys)
SETTING_WORDS = {
    "learning-rate": r"learning rate|\blr\b", "epochs": r"\bepochs?\b",
    "batch-size": r"batch", "weight-decay": r"weight decay|\bl2\b", "dropout": r"dropout",
    "early-stopping": r"early stopping|patience|stop early",
}
KINDS = {"strateg": "strategy", "model": "backbone", "backbone": "backbone", "dataset": "dataset",
         "data": "dataset", "metric": "metric", "export": "exporter", "format": "exporter",
         "augment": "augmentation"}


def answer(message: str, catalog: Any, preview: Any = None, draft: dict | None = None,
           summary: Any = None) -> str:
    """A plain-words answer to a question; a helpful pointer when it is not one I know.

    In order: the run so far; what is installed; a setting (with the strategy's default);
    which model; which strategy (a recommendation from the data); a component or option
    explained by its own description; the notes; a pointer to what I can do."""
    text = normalise(message)
    beyond = out_of_scope(text, catalog)  # "can it do object detection?": no, and instead
    if beyond:
        return beyond
    if summary and re.search(r"\b(?:current|so far|the plan|my run|this run|what will (?:you|it) "
                             r"(?:run|train)|settings|config)\b", text):
        return f"Here is the run so far:\n\n{summary()}"
    for said in (_installed(text, catalog), _about_setting(text, catalog, draft),
                 _about_backbones(text), _recommendation(text, catalog, preview),
                 _about_components(text, catalog), _about_params(text, catalog, draft)):
        if said:
            return said
    for _, (cues, note) in NOTES.items():
        if any(re.search(rf"\b{re.escape(cue)}", text) for cue in cues):
            return note
    names = ", ".join(f"{c.name} ({c.title})" for c in catalog.by_kind.get("strategy", []))
    return (f"{POINTER}, in your own words: the data (the bundled sample "
            "or a CSV/JSONL path), the model, the strategy, and numbers such as epochs or "
            f"learning rate. I can also explain any of them. Strategies installed: {names}.")


def question_focus(message: str, catalog: Any, draft: dict | None) -> str | None:
    """The numeric field a question is about ("what's a good rank?" -> strategy.r), so that
    the answer that follows ("let's go with 16") lands there."""
    text = normalise(message)
    fields = {"learning-rate": "learning_rate", "epochs": "epochs", "batch-size": "batch_size",
              "weight-decay": "weight_decay", "dropout": "dropout"}
    strategy = catalog.get("strategy", _strategy_name(draft))
    for param in getattr(strategy, "params", ()):
        words = [param.name.replace("_", " ")] + (["rank"] if param.name == "r" else [])
        if param.type in (int, float) and any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])",
                                                        text) for w in words):
            return f"strategy.{param.name}"
    for key, words in SETTING_WORDS.items():
        if key in fields and re.search(words, text):
            return f"training.{fields[key]}"
    return None


def _installed(text: str, catalog: Any) -> str | None:
    """"what metrics do you report?", "which strategies are there?": the live catalog."""
    match = re.search(r"\b(?:what|which) (?:kinds? of |sorts? of )?(strateg|model|backbone|"
                      r"dataset|data|metric|export|format|augment)\w* (?:are|do|can|is|does|"
                      r"could|would)\b|\b(?:list|show|name)\w* (?:me )?(?:all )?(?:the |your |"
                      r"of the )?(?:available |installed )?(strateg|model|backbone|dataset|metric|"
                      r"export|format|augment)", text)
    if not match or re.search(r"\bshould\b|\bbest\b|\brecommend", text):
        return None
    kind = KINDS[match.group(1) or match.group(2)]
    items = "; ".join(f"**{c.name}** ({c.title})" for c in catalog.by_kind.get(kind, []))
    extra = (" Any Hugging Face model id or local folder works too." if kind == "backbone"
             else " Or give a CSV, TSV or JSONL file of your own." if kind == "dataset" else "")
    plural = "strategies" if kind == "strategy" else f"{kind}s"
    return f"Installed {plural}: {items}.{extra}"


def _about_setting(text: str, catalog: Any, draft: dict | None) -> str | None:
    """A question about a training setting (and no component): the note, and the value the
    current strategy would use."""
    if any(catalog.exact(kind, text) for kind in ("strategy", "backbone", "metric",
                                                   "augmentation")):
        return None
    for key, words in SETTING_WORDS.items():
        if re.search(words, text):
            note = NOTES[key][1]
            strategy = catalog.get("strategy", _strategy_name(draft))
            if strategy is not None and key in ("learning-rate", "epochs"):
                value = (strategy.default_learning_rate if key == "learning-rate"
                         else strategy.default_epochs)
                note += f" With {strategy.title}, the default is {value:g}."
            return note
    return None


def _about_backbones(text: str) -> str | None:
    if re.search(r"\b(?:which|what|best|bigger|larger|another|better) (?:\w+ )?(?:model|backbone|"
                 r"checkpoint)s?\b", text):
        return NOTES["backbone"][1]
    return None


def _recommendation(text: str, catalog: Any, preview: Any) -> str | None:
    if any(catalog.exact(kind, text) for kind in ("metric", "exporter")):
        return None  # "is r2 or mae better?" asks about those, not which strategy
    if re.search(r"\b(which|what) (strateg\w*|method|approach|technique)\b|\bshould (?:i|we) "
                 r"(use|pick|choose|go with|freeze|do)\b|\brecommend|\bsuggest|\bbest (?:strategy|"
                 r"way|approach|option)\b|\bwhich (?:one|is better)\b|\bbetter\b|\bwhen "
                 r"(?:should|to|do)\b", text):
        return recommend(preview, catalog)
    return None


def _strategy_name(draft: dict | None) -> str:
    current = (draft or {}).get("strategy") or "lora"
    return current.get("name") if isinstance(current, dict) else current


def _about_components(text: str, catalog: Any) -> str | None:
    """Questions naming components: each one explained from its own description."""
    found = []
    for kind in ("strategy", "backbone", "dataset", "metric", "exporter", "augmentation"):
        for mention in sorted(catalog.exact(kind, text), key=lambda m: m.start):
            if mention.component not in found:
                found.append(mention.component)
        if not found and kind == "strategy":
            loose, _ = catalog.loose(kind, text)
            if loose is not None:
                found.append(loose)
    if not found:
        return None
    return "\n\n".join(f"**{c.title}** ({c.name}): {c.description}" for c in found[:3])


def _about_params(text: str, catalog: Any, draft: dict | None) -> str | None:
    """"what is r?", "what does alpha do?": a component option explained by its help text."""
    current = ((draft or {}).get("strategy") or {})
    current_name = current.get("name") if isinstance(current, dict) else current
    components = sorted(catalog.components, key=lambda c: c.name != current_name)
    aliases = {"rank": "r"}
    for component in components:
        for param in component.params:
            words = {param.name, param.name.replace("_", " ")} | {
                a for a, p in aliases.items() if p == param.name}
            # asked about by name: "what is r?", "what does alpha do?", "explain r and alpha"
            if param.help and any(re.search(rf"\b(?:what|what's|whats|explain|meaning of|mean "
                                            rf"by|about)\b[^?]{{0,30}}(?<![\w-]){re.escape(w)}"
                                            rf"(?![\w-])", text) for w in words):
                said = param.help.rstrip()
                said += "" if said.endswith((".", "!", "?", ")")) else "."
                return (f"**{param.name}** ({component.title}): {said}"
                        + (f" Default: {param.default}." if param.default is not None else ""))
    return None


def recommend(preview: Any, catalog: Any) -> str:
    """Which strategy to use, with reasons drawn from the data when it is known."""
    if preview is None or preview.problem or not preview.count:
        return ("Without your data in front of me: **LoRA** is the safe default — close to full "
                "fine-tuning in accuracy, fast on a CPU, and it keeps the pretrained weights "
                "intact. Use **full** fine-tuning with thousands of examples and a GPU; "
                "**head-only** when you have very few examples (a few dozen per class); "
                "**gradual** unfreezing when full fine-tuning is unstable on small data.")
    n, labels = preview.count, preview.labels
    smallest = min(labels.values()) if labels else 0
    ratio = (max(labels.values()) / max(1, smallest)) if labels else 1
    facts = f"{n} examples, {len(labels)} classes, the smallest with {smallest}"
    if smallest < 20:
        choice, why = "head-only", "with so few examples per class, training only the head is " \
            "the least likely to overfit"
    elif n < 5000:
        choice, why = "lora", "LoRA adapts the whole model with few trainable parameters, " \
            "which suits a few hundred to a few thousand examples and runs fast on a CPU"
    else:
        choice, why = "full", "with this much data, fine-tuning every weight usually gives the " \
            "best accuracy (a GPU helps)"
    extra = ""
    if ratio >= 3:
        extra = (f" The classes are unbalanced (the largest is {ratio:.0f}x the smallest): watch "
                 "F1 rather than accuracy.")
    return f"Your data has {facts}. I recommend **{choice}**: {why}.{extra}"
