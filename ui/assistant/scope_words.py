"""What tunekit does not do, said when a turn asks for it, with what to do instead.

One table, ``OUT_OF_SCOPE``: the words that ask for a capability tunekit lacks (DeepSpeed, a
TPU, deploying to a cloud, object detection, a closed API model, preference tuning...) and
what to say. The rest of the turn is still read: these only add to what is "Not taken". The
sayings that depend on the installation (the tasks, the exporters, the device here) are
built from the live catalog and the machine, never written out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from .language import normalise
from .reading import Reading


@dataclass(frozen=True)
class Limit:
    """A capability tunekit lacks: the words that ask for it, and what to say instead."""

    name: str
    words: re.Pattern
    say: Callable[[str, Any], str]  # (the words that asked, the catalog) -> the sentence
    # a kind of component a plugin may add to lift the limit (a GGUF exporter): then the
    # words are that component's to read, not a limit
    lifted_by: str = ""
    acronyms: bool = False  # its short words are acronyms, said in capitals: "dpo" -> "DPO"
    # said only when no other limit is: "ensemble it with an xgboost model" is the other's
    alone: bool = False

    def asked(self, *texts: str) -> str | None:
        """The words that ask for it in any of ``texts``, as said ("host it, azure")."""
        said = [m.group(0).strip() for text in texts for m in self.words.finditer(text)]
        # once each, as first written ("two outputs" as written is "2 outputs" normalised)
        said = list({normalise(w): w for w in reversed(said)}.values())[::-1]
        # and not again as read with a column's or a file's words blanked out ("predict both
        # the  and the bedrooms" beside "predict both the monthly rent and the bedrooms")
        said = [w for w in said if not any(o != w and _within(w, o) for o in said)]
        said = list(dict.fromkeys(w.upper() if self.acronyms and w.isalpha() and len(w) <= 5
                                  else w for w in said))
        return ", ".join(said) or None


def _within(short: str, long: str) -> bool:
    """Every word of ``short`` in ``long``, in order, and ``long`` has more."""
    words, others = normalise(short).split(), iter(normalise(long).split())
    return len(words) < len(normalise(long).split()) and all(w in others for w in words)


def device_here() -> str:
    """The device a run would train on here, without importing torch: an NVIDIA GPU the
    driver lists (and a torch build that is not CPU-only), else the CPU."""
    try:
        build = metadata.version("torch")
    except metadata.PackageNotFoundError:
        build = ""
    hidden = os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1")
    gpus = Path("/proc/driver/nvidia/gpus")
    count = len(list(gpus.iterdir())) if gpus.is_dir() else 0
    if count and not hidden and not build.endswith("+cpu"):
        return (f"this machine has {count} NVIDIA GPU{'s' if count > 1 else ''}, so the run "
                "trains on one (cuda)")
    why = ("its GPUs are hidden (CUDA_VISIBLE_DEVICES)" if count and hidden else
           f"torch here is a CPU-only build ({build})" if count else
           "this machine has no NVIDIA GPU")
    return f"{why}, so the run trains on the CPU"


def _tasks(catalog: Any) -> str:
    from tunekit.tasks import describe, names

    known = set(names())
    return ", ".join(f"{t} ({describe(t).title.lower()})" if t in known else t
                     for t in catalog.tasks())


def _exporters(catalog: Any) -> str:
    return ", ".join(c.name for c in catalog.by_kind.get("exporter", []))


def _strategies(catalog: Any) -> str:
    return ", ".join(c.name for c in catalog.by_kind.get("strategy", []))


# words that make a quantized model the one trained on, not an export
LOADING = (r"\b(?:base|backbone|pretrained|save (?:gpu |v?ram |some )?memory|less memory|fits?|"
           r"for (?:the )?training|while training|during training|when loading|before training)\b")
# a model quantized for another runtime after the run: GGUF (llama.cpp, Ollama), GPTQ, AWQ
QUANTIZED_EXPORT = re.compile(
    r"\bgguf\b|\bggml\b|\bgptq\b|\bawq\b|\bexl2\b|\bq[2-8]_k(?:_[msl])?\b|"
    # not the base model quantized to train on it (QLoRA's, limit_words)
    rf"\bquanti[sz]\w*\b(?![^.;]{{0,40}}{LOADING})"
    r"(?:[^.;]{0,30}\b(?:\d+[- ]?bits?|int[48]|for (?:llama\.cpp|ollama|"
    r"cpu|inference|edge|mobile)))?|\bllama\.cpp\b|\bollama\b")


# ---- shapes of the five tasks that tunekit's task families do not take (core/tasks/): a
# text or image gets one label, a run one target column, a word one BIO tag, a run one split

# "several" of a thing, and what it is counted of ("more than one tag", "many categories")
# (normalised, "one" is "1": both are read)
SEVERAL = (r"(?:several|multiple|many|more than (?:one|1)|(?:two|2|one|1) or more|any number of|"
           r"\d+\+)")
LABELS = r"(?:labels?|tags?|categor(?:y|ies)|classes|intents?|topics?|genres?|themes?|aspects?)"
# ... per text (not per word or sentence: a sentence has many tags in token-classification)
AT_ONCE = (r"(?:per|for each|for every|on each|on every|to each|to every|for one|on one)\s+"
           r"(?!(?:\w+\s+)?(?:words?|tokens?|sentences?|lines?)\b)|"
           r"(?:at once|at the same time|simultaneously|together)\b")
WHO_HAS = (r"(?:can|could|may|might|will|often|sometimes|usually|should)\s+(?:\w+\s+)?(?:have|has|"
           r"get|carry|bear|belong to|be in|fall (?:into|under)|take|hold|match)")
MULTI_LABEL = re.compile(
    rf"\bmulti[- ]?labels?(?:led|ed)?\b|\b{SEVERAL}\s+(?:\w+\s+)?{LABELS}\s+(?:\w+\s+){{0,2}}?"
    rf"(?:{AT_ONCE})|\b{WHO_HAS}\s+{SEVERAL}\s+(?:\w+\s+)?{LABELS}\b|\bsigmoid (?:per|for each|"
    r"on each|over the) (?:label|class|intent|tag|output)\w*|\bone[- ]vs?[- ](?:the[- ])?rest\b|"
    r"\bbinary relevance\b")
TARGETS = r"(?:outputs?|targets?|target columns?|label columns?|numbers|scores|predictions)"
MULTI_OUTPUT = re.compile(
    r"\bmulti[- ]?(?:output|target|task)\w*|\b(?:two|three|four|several|multiple|many|"
    r"more than (?:one|1)|[2-9])\s+(?:\w+\s+)?(?:outputs|targets|target columns|label columns)\b|"
    rf"\b(?:two|three|several|multiple|[2-9])\s+(?:\w+\s+)?{TARGETS}\s+(?:\w+\s+){{0,2}}?"
    r"(?:per (?:text|row|example|review|essay|item|input)|at once|at the same time|"
    r"simultaneously|together|jointly)|\b(?:predict|regress|estimate|forecast|score|rate)\w*\s+"
    r"(?:both\s+)?[^.;?!]{1,50}?\s+and\s+[^.;?!]{1,50}?\s+(?:at once|at the same time|"
    r"simultaneously|together|jointly|in one (?:go|model|run))|\b(?:regress|predict|estimate)\w* "
    r"(?:them |those )?(?:both|all)(?: of them)? (?:at once|at the same time|simultaneously|"
    r"together|jointly)|\b(?:one|1) model (?:for|with) (?:both|two|all|2)\b(?: (?:outputs|targets|"
    r"tasks|heads|numbers|scores)\b)?")
CROSS_VALIDATION = re.compile(
    r"\bcross[- ]?validat\w*|\bcross[- ]?val\b|\bx-?val\b|\b(?:\d+|k|n|two|three|four|five|six|"
    r"seven|eight|nine|ten)[- ]?folds?\b|\b(?:in|into|over|across|per) (?:the |each )?folds?\b|"
    r"\bfolds\b|\bleave[- ](?:one|p)[- ]out\b|\bloocv\b")
RELATIONS = re.compile(
    r"\brelation(?:ship)?s? (?:extraction|classification|types?|labels?|between)\b|"
    r"\b(?:extract|find|detect|predict|classify|label|tag)\w* (?:the |their |all |any )?"
    r"(?:\w+ )?relation(?:ship)?s?\b|\brelation(?:ship)?s? (?:of|among) (?:the )?entit\w*|"
    r"\b(?:link|connect|pair|match)\w* (?:the |each |every )?(?:entit\w*|mentions?|spans?) "
    r"(?:to|with) (?:each other|one another|the other|another)\b|\bentity (?:linking|pairs)\b|"
    r"\bcoreferen\w*|\bcoref\b")
NESTED = re.compile(
    r"\bnested (?:ner|entit\w*|spans?|tags?|mentions?|labels?|named[- ]entit\w*)|\bnested\b(?= "
    r"(?:\w+ )?(?:ner|entit\w*|model|tagg\w*))|\boverlapp?ing (?:entit\w*|spans?|tags?|"
    r"mentions?|labels?|annotations?|ner)|\b(?:entit\w*|spans?|mentions?|tags?) (?:that |which |"
    r"can |may |often |sometimes )*overlap\w*|\b(?:entit\w*|spans?|mentions?) (?:inside|within|"
    r"in) (?:other |another |bigger |larger |outer )+(?:entit\w*|spans?|mentions?|ones?)\b|"
    r"\b(?:two|several|multiple|more than (?:one|1)|2) (?:tags|labels|entit\w*) (?:per|for|on) "
    r"(?:a |one |each |the same |every )?(?:words?|tokens?)\b|\b(?:words?|tokens?) (?:\w+ )?"
    r"(?:have|has|get|carry|with) (?:two|several|multiple|more than (?:one|1)|2) (?:tags|labels)\b")

SHAPES_OF_A_TASK = (
    Limit("multi-label", MULTI_LABEL,
          lambda m, c: f"{m}: multi-label classification (several labels for one text or "
          "image) is not available: text- and image-classification give each example exactly "
          "one label (a softmax over the classes). Instead, train one yes/no classifier per "
          "label (a column per label, e.g. is_billing = yes/no, one run each), or join each "
          "row's labels into one class (billing+refund) when there are few combinations"),
    Limit("multi-output", MULTI_OUTPUT,
          lambda m, c: f"{m}: one model with several outputs at once is not available: a run "
          "learns one label column (text-regression: a single number per text). Instead, "
          "train two runs (or more), one per target column: the same data with label_column "
          "set to each in turn"),
    Limit("cross-validation", CROSS_VALIDATION,
          lambda m, c: f"{m}: k-fold cross-validation is not available: a run trains once, on "
          "one split (validation_split holds out a share for validation, test_split a final "
          "test set; or give validation_path / test_path). Instead, repeat the run with other "
          "seeds, each of which holds out another split: `tunekit sweep spec.yaml --param "
          "training.seed=1,2,3,4,5 --no-prune` trains one run per seed (training.seed), all "
          "recorded"),
    Limit("relations", RELATIONS,
          lambda m, c: f"{m}: relation extraction (which entity relates to which) is not "
          "available: token-classification gives each word one BIO tag (entities such as "
          "PERSON, DRUG), with no link between the spans. Tag the entities here, then pair "
          "them with rules, or train a text-classification run on sentences in which the two "
          "entities are marked (e.g. [E1] ... [/E1]), labelled with their relation"),
    Limit("nested-entities", NESTED,
          lambda m, c: f"{m}: nested or overlapping entities are not available: "
          "token-classification gives each word one BIO tag, so spans cannot overlap or sit "
          "inside each other. Instead, keep one layer per file (e.g. the outer entities, the "
          "address) and train one run per layer (one for addresses, one for streets)"),
)


def _task_list(what: str) -> Callable[[str, Any], str]:
    """A saying for a kind of model no task family trains: what it is, and the tasks."""
    return lambda m, c: f"{m}: {what}. The tasks here: {_tasks(c)}"


# ---- kinds of model and of training beyond the five task families and their parts
BEYOND_THE_TASKS = (
    Limit("seq2seq", re.compile(
        r"\bseq2seq\b|\bsequence[- ]to[- ]sequence\b|\bencoder[- ]decoder\b"),
          # a T5 or BART named is a model id (its sequence classifier may well load): only
          # the generating kind is said here
          _task_list("encoder-decoder (seq2seq) training, as T5 or BART generate, is not "
                     "available; text generation here is causal-lm with a decoder-only model "
                     "(GPT-2, Llama, Qwen...), which learns to summarise or translate from "
                     "prompt and response pairs")),
    Limit("audio", re.compile(
        r"\baudio\b|\bspeech (?:recognition|to text|audio|clips?|files?|data|recordings?)\b|"
        r"\bspeech-to-text\b|\bwhisper\b|\bwav2vec\w*|\bhubert\b|\basr\b|\bvoice (?:recordings?|"
        r"clips?|notes?|data|messages)\b|\b\w+\.(?:wav|mp3|flac|ogg|m4a)\b"),
          _task_list("sound (audio, speech) is not available: the tasks read text or images; "
                     "transcribe the recordings first and train on the text")),
    Limit("multimodal", re.compile(
        r"\bmulti-?modal\w*|\bvision[- ]language\b|\bvlm\b|\bllava\w*|\bimage[- ]caption\w*|"
        r"\bcaption\w* (?:the |each |every |my |our )?(?:images?|photos?|pictures?)|"
        r"\bvisual question\w*|\bvqa\b|\b(?:images?|photos?|pictures?) and (?:the |their |its )?"
        r"(?:texts?|captions?|descriptions?) together\b"),
          _task_list("a model that reads text and images together (multimodal) is not "
                     "available: a run reads one or the other, text or images")),
    Limit("tabular", re.compile(
        r"\btabular\b|\bxgboost\b|\blight ?gbm\b|\bcatboost\b|\brandom forests?\b|"
        r"\bgradient[- ]boost\w*|\bscikit-learn\b|\bsklearn\b|\b(?:numeric|numerical|structured|"
        r"categorical|tabular) (?:features?|inputs?|variables?|columns as inputs?)\b"),
          lambda m, c: f"{m}: models on table columns (numbers or categories as features) are "
          "not available: tunekit fine-tunes pretrained transformers on one text column (or "
          "images). Put the few features that matter into the text (\"age: 42. city: Paris. "
          "note: ...\"), or use scikit-learn / XGBoost for tabular data"),
    Limit("distillation", re.compile(
        r"\bdistill?(?:ation|ing|ed|s)?\b(?![- ]?(?:bert|roberta|gpt|\w*-base))|"
        r"\bteacher[- ]student\b|\b(?:teacher|student) model\b|\bknowledge transfer\b"),
          lambda m, c: f"{m}: distillation (a student model learning from a teacher) is not "
          "available: a run fine-tunes one model on your labels. For a smaller model, "
          "fine-tune a smaller backbone directly (a distilled checkpoint such as "
          "distilbert-base-uncased, or the bundled minilm-l6)"),
    Limit("pruning", re.compile(
        r"\bprun(?:e|es|ing|ed) (?:the |its |my |our )?(?:model|network|weights|heads|"
        r"attention heads|neurons|layers|channels|parameters|params)\b|\b(?:weight|magnitude|"
        r"structured|unstructured|head|model) pruning\b|\bsparsif\w*|\bsparse model\b"),
          lambda m, c: f"{m}: pruning a model's weights is not available (a sweep's pruning "
          "stops hopeless trials; it does not thin a model). For a smaller model, fine-tune a "
          "smaller backbone (e.g. the bundled minilm-l6, or a distilled checkpoint)"),
    Limit("quantization", re.compile(
        # (GGUF, GPTQ, AWQ and llama.cpp are the quantized-export limit's, said first)
        # (loading a model in 8 or 4 bits, bitsandbytes, is the QLoRA saying's: limit_words)
        rf"\bquanti[sz](?:e|es|ed|ing|ation)\w*(?![^.;]{{0,40}}{LOADING})|\bint[48]\b|"
        r"(?<!load in )(?<!loaded in )(?<!loading in )\b8[- ]?bit\b(?![- ](?:load\w*|base|weights|"
        r"model))|\bqat\b"),
          lambda m, c: f"{m}: quantizing (int8, GGUF, quantization-aware training) is not "
          "available: runs train in fp32, bf16 or fp16 (training.precision) and each export "
          f"({_exporters(c)}) is full precision. Quantize the exported model afterwards "
          "(e.g. with optimum or onnxruntime's quantization, or llama.cpp for GGUF)"),
    Limit("embeddings", re.compile(
        r"\b(?:sentence|text|document) embeddings?\b|\bembedding model\w*|\bcontrastive\b|"
        r"\btriplet\w*|\bsemantic (?:search|similarity)\b|\b(?:sentence|text) similarity\b|"
        r"\bsentence[- ]transformers?\b|\bsimcse\b|\bre-?rank\w*|\bdense retriev\w*|"
        r"\bretrieval model\w*|\bbi-?encoder\b|\bcross-?encoder\b"),
          _task_list("embedding models (similarity, semantic search, retrieval, reranking) are "
                     "not a task here: a run learns labels (text-classification), numbers "
                     "(text-regression), word tags or text generation")),
    Limit("extractive-qa", re.compile(
        r"\bextractive (?:qa|question answering)\b|\bsquad\w*|\banswer spans?\b|"
        r"\bspan extraction\b"),
          _task_list("extractive question answering (finding the answer span in a passage, as "
                     "SQuAD) is not a task here; a causal-lm run learns to answer questions "
                     "from prompt and response pairs (the passage and question in the "
                     "prompt)")),
)


# ---- what happens around a trained model's answers and around its runs: each a kind of
# work tunekit has no part for (core/ and plugins/ hold none), said by the idea, not the words
WHICH_TO_LABEL = (r"\b(?:which|what) (?:\w+ )?(?:examples?|samples?|rows?|texts?|tickets?|"
                  r"images?|items?|ones?|data|sentences?) to (?:label|annotate|tag) (?:next|"
                  r"first)\b")
ACTIVE_LEARNING = re.compile(
    rf"\bactive[- ]learn\w*|\buncertainty sampling\b|\bhuman[- ]in[- ]the[- ]loop\b|"
    rf"{WHICH_TO_LABEL}|"
    r"\bsemi-?supervised\b|\bself-?training\b|\bpseudo-?label\w*|\bunlabell?ed (?:data|examples|"
    r"texts|images|ones|rows|tickets|sentences|pool)\b")
UNCERTAINTY = re.compile(
    r"\bprediction intervals?\b|\bconfidence (?:intervals?|bands?|bounds?|regions?|scores?|"
    r"levels?|values?|estimates?|measures?)\b|\b(?:credible|tolerance) intervals?\b|"
    r"\b\d+ ?% (?:prediction |confidence )?(?:intervals?|ranges?|bands?|bounds?)\b|"
    r"\b(?:intervals?|error bars?|bounds?) (?:around|for|on|of) (?:each|every|the|its|a|all)\b|"
    r"\berror bars?\b|\buncertaint\w*|\bquantile (?:regression|loss|predictions?|outputs?)\b|"
    r"\bconformal\w*|\bcalibrat\w*|\btemperature scaling\b|\bplatt\b|\bisotonic\b|"
    r"\b(?:mc|monte[- ]carlo) dropout\b|\bbayesian\b|\bhow (?:uncertain|sure|certain|confident) "
    r"(?:the |each |every |its |a )?(?:model|it|predictions?|classifier|regressor|network|answers?|"
    r"outputs?|grades?|scores?|estimates?)\b|\bnot (?:just|only) (?:1|one|a single) (?:number|"
    r"value|"
    r"score|point)\b")
EXPLANATIONS = re.compile(
    r"\b(?:shap|lime)(?: values?| explanations?| plots?)?\b|\bsaliency\w*|\bintegrated gradients\b|"
    r"\bcaptum\b|\bgrad-?cam\b|\bfeature (?:importances?|attributions?)\b|\battributions?\b|"
    r"\bexplainab\w*|\binterpretab\w*|\bxai\b|\bexplain\w* (?:each |every |the |its |their |a |"
    r"individual |single |all |any )?(?:\w+ )?(?:predictions?|decisions?|classifications?)\b|"
    r"\bwhy (?:(?:did|does|do|is|was|would) )?(?:the |a |my |our |each |this )?(?:model |"
    r"classifier |network |tagger |regressor |it )(?:\w+ )?(?:predicted|predict|decide|choose|"
    r"classify|label|pick|tag|think|"
    r"decided|"
    r"chose|classified|labell?ed|picked|predicts|decides|gives|gave)\b|\b(?:which|what) (?:words?|"
    r"tokens?|pixels?|parts?|features?) (?:made|make|makes|led|drove|drive|influenc\w*|matter\w*|"
    r"contribut\w*)\b|\battention (?:maps?|heat ?maps?|visuali[sz]ations?)\b")
CONTINUAL = re.compile(
    r"\b(?:continual|continuous|online|incremental|lifelong|streaming) (?:learning|training|"
    r"fine-?tuning|updates?)\b|\bcatastrophic forgetting\b|\bkeep\w* (?:it |the model |them )?"
    r"(?:learning|updating|improving)\b|\b(?:learn|learns|update|updates|updating|train|"
    r"trains|retrain\w*)(?: \w+){0,4}? (?:as|when|whenever) (?:new |more |fresh )?(?:\w+ )?(?:data|"
    r"examples|texts|tickets|chats|images|messages|reviews|rows|ones|feedback|they) (?:come|comes|"
    r"arrive\w*|are added|is added|show up|flow\w*)\b|\bupdat\w* (?:the model |"
    r"it )?with (?:each|every) "
    r"new \w+")
# a learning-rate schedule is a setting (training.scheduler): "cosine schedule training"
SCHEDULE = re.compile(
    r"(?<!cosine )(?<!linear )(?<!constant )(?<!polynomial )(?<!lr )(?<!rate )(?<!warmup )"
    r"(?<!restarts )(?<!triangular )(?<!decay )\bschedul\w* (?:it|this|that|them|the (?:run|"
    r"training|job|retrain\w*|fine-?tun\w*)|a (?:run|job|retrain\w*|training)|(?:re-?)?train\w*|"
    r"runs?|jobs?)\b|\bcron\w*|\b(?:re-?train\w*|run\w*|train\w*|"
    r"updat\w*)(?: \w+){0,3}? (?:every|each) "
    r"(?:night|day|morning|evening|week|weekend|month|hour|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|quarter|year)\b|\b(?:nightly|daily|weekly|monthly|hourly) "
    r"(?:re-?train\w*|runs?|training|jobs?|builds?|updates?|fine-?tun\w*)\b|\b(?:re-?train\w*|"
    r"run|runs|"
    r"train|trains|update\w*) (?:it |the model |this |them )?(?:automatically|periodically|"
    r"regularly|"
    r"nightly|daily|weekly|monthly|hourly|on a schedule)\b|\bon a (?:schedule|timer)\b")

# a workbook, not a file of rows (core's refuse_spreadsheet says the same of a named one)
# ("a csv saved from an old Excel" is a CSV: only the workbook itself is said)
SPREADSHEET = re.compile(r"\bexcel (?:files?|sheets?|workbooks?|spreadsheets?|documents?|"
                         r"tables?)\b|\bin excel\b|\bxlsx?\b|"
                         r"\b[\w-]+\.(?:xlsx|xlsm|xls|ods|numbers)\b|"
                         r"\bgoogle sheets?\b|\blibre ?office calc\b")

AROUND_THE_MODEL = (
    Limit("spreadsheet", SPREADSHEET,
          lambda m, c: f"{m}: spreadsheets (Excel .xlsx, .ods) are not available as data: "
          "the files read here are CSV, JSON lines and parquet. Save the sheet as CSV UTF-8 "
          "(Excel: File > Save As > CSV UTF-8; LibreOffice: Save As > Text CSV) and give me "
          "that file"),
    Limit("active-learning", ACTIVE_LEARNING,
          lambda m, c: f"{m}: active learning (the model choosing which examples to label next) "
          "and learning from unlabelled examples are not available: a run learns from labelled "
          "examples only. Instead, train on what is labelled, answer the unlabelled ones with "
          "`tunekit predict RUN --input FILE --json`, label those the model is least sure of "
          "(the lowest score), and train again"),
    Limit("uncertainty", UNCERTAINTY,
          lambda m, c: f"{m}: uncertainty estimates (prediction or confidence intervals, "
          "calibrated probabilities) are not available: a text-regression model predicts one "
          "number per text, with no interval around it, and a classifier's answers (`tunekit "
          "predict RUN --json`) carry each label's softmax score, which is not calibrated. "
          "Instead, read the spread from the run's test metrics (mae, mse: with errors roughly "
          "normal, about 90% of them fall within 1.645 x the root of mse), or train the same "
          "spec with other seeds (`tunekit sweep spec.yaml --param training.seed=1,2,3,4,5 "
          "--no-prune`) and see how far their predictions differ"),
    Limit("explanations", EXPLANATIONS,
          lambda m, c: f"{m}: explanations of single predictions (SHAP, LIME, saliency or "
          "attention maps) are not available: a run trains and scores the model, and `tunekit "
          "predict RUN` gives its answers (a classifier's with each label's score), not why. "
          "Instead, load the run's huggingface export with transformers and explain it outside "
          "tunekit: captum (integrated gradients), shap or lime work on such a model",
          acronyms=True),
    Limit("continual", CONTINUAL,
          lambda m, c: f"{m}: continual (online) learning, a model that updates itself as new "
          "examples arrive, is not available: a run trains once, on the data it is given. "
          "Instead, when new examples have come in, start a new run on the old and new data "
          "together, or fine-tune the last run's model further: name its huggingface export "
          "folder as the model (\"use the model at ./runs/.../huggingface\")"),
    Limit("schedule", SCHEDULE,
          lambda m, c: f"{m}: scheduling runs (retraining on a timetable) is not available: a "
          "run starts when you start it. Instead, save the spec as a YAML file and have cron, "
          "a CI job or the system's task scheduler start `tunekit run spec.yaml` when you want"),
)


OUT_OF_SCOPE = (
    Limit("deepspeed", re.compile(r"\bdeep ?speed\b|\bzero[- ]?(?:stage[- ]?)?[123]\b|"
                                  r"\bzero (?:stage|offload|redundancy)\w*"),
          lambda m, c: f"{m} is not available: tunekit runs several GPUs through "
          "`accelerate launch` (`tunekit run spec.yaml --processes N`, data parallel), and "
          "shards a model too big for one GPU with FSDP (`--accelerate-config "
          "examples/accelerate/fsdp.yaml`, docs/multi-gpu.md)"),
    Limit("tpu", re.compile(r"\btpus?(?: pod| v\d\w*)?\b|\bxla\b"),
          lambda m, c: f"a TPU is not supported: tunekit trains on a CUDA GPU when torch sees "
          f"one, else on the CPU ({device_here()})", acronyms=True),
    Limit("deploy", re.compile(
        r"\bdeploy\w*\b|\bsage ?maker\b|\b(?:aws|azure|gcp|google cloud|vertex ai)\b|"
        r"\b(?:api|inference|http|rest|online|real-?time) endpoints?\b|\bin production\b|"
        r"\b(?:serve|serving|host|hosting) (?:it|the model|the trained model)\b|"
        r"\b(?:expose|wrap|put|turn|make|serve|ship)\w* (?:it |the model |this |them )?(?:as|"
        r"behind|"
        r"into|in|via|through|with) (?:a |an )?(?:rest |http |web |json )?(?:api|endpoint|"
        r"microservice|web ?service)\b|\brest api\b|\bfastapi\b|\bflask\b|\bdocker\w*|"
        r"\bkubernetes\b|\bmicroservice\b|"
        r"\bvllm\b|\btgi\b|\btext-generation-inference\b|\blm ?studio\b|\btriton\b"),
          lambda m, c: f"{m}: deploying is not done from here (serving a model behind an API "
          "or endpoint is not available). `tunekit demo RUN` serves it on a local demo page; "
          "after the run, its "
          f"export folders ({_exporters(c)}) are what a server loads, and `tunekit push "
          "RUN_ID --repo ID` puts the model on the Hugging Face Hub, where an inference "
          "endpoint can serve it", acronyms=True),
    Limit("spacy", re.compile(r"\bspacy(?:'s)?\b|\ben_core_\w+"),
          lambda m, c: f"{m} is not available as a model: tunekit fine-tunes "
          "transformers models, by Hugging Face id or a local folder (a transformers "
          "checkpoint such as the one a spaCy transformer pipeline wraps, e.g. roberta-base)"),
    Limit("detection", re.compile(
        r"\byolo\w*|\bbounding[- ]?box\w*|\bobject detect\w*|\bdetect\w* (?:where|the "
        r"location|locations)\b|\b(?:instance |semantic |image )?segmentation\b|"
        r"\b(?:locate|locali[sz]e)\w* (?:the |each |every )?(?:objects?|defects?|scratch\w*)"),
          lambda m, c: f"{m}: finding where things are in a picture (object detection, "
          "boxes, masks) is not a task here; whole-image classification is (say which class "
          f"each picture belongs to, e.g. scratched or not). The tasks: {_tasks(c)}",
          acronyms=True),
    Limit("closed-model", re.compile(
        r"\bgpt-?(?:3\.5|4|5)[\w.-]*|\bchatgpt\b|\bopenai\b|\bclaude[\w.-]*|\bgemini\b|"
        r"\banthropic\b"),
          lambda m, c: f"{m} is a closed model behind an API: its weights cannot be "
          "downloaded, so it cannot be fine-tuned here. Fine-tune an open-weights model "
          "instead, by its Hugging Face id (e.g. Qwen/Qwen2.5-0.5B-Instruct) or a local folder"),
    Limit("quantized-export", QUANTIZED_EXPORT,
          lambda m, c: f"{m}: a quantized export (GGUF for llama.cpp or Ollama, GPTQ, AWQ) "
          f"is not available: the exports here are {_exporters(c)}. Export the model "
          "(huggingface, merged weights), then convert it with llama.cpp's "
          "convert_hf_to_gguf.py and llama-quantize (e.g. Q4_K_M)", lifted_by="exporter"),
    Limit("preference", re.compile(
        r"\b(?:dpo|ipo|kto|orpo|simpo|ppo|grpo|rlhf|rlaif)\b|\breward model\w*|"
        r"\bpreference (?:tuning|optimi[sz]ation|pairs|data|learning)\b|"
        r"\bdirect preference\b|\breinforcement learning\b"),
          lambda m, c: f"{m} (preference tuning) is not available: tunekit fine-tunes "
          "with supervised fine-tuning only (your examples' responses as targets), so there "
          f"is no beta or reward to set. Strategies: {_strategies(c)}", acronyms=True),
    *AROUND_THE_MODEL,
    *SHAPES_OF_A_TASK,
    *BEYOND_THE_TASKS,
    Limit("ensemble", re.compile(
        # (the model reader may have taken "models" from the normalised text: a blank there)
        r"\bensembl\w*|\b(?:stack|combin|averag|blend)\w* (?:the |several |multiple |many |two |"
        r"three |\d+ )?(?:models|classifiers|runs|checkpoints|predictions of (?:several|multiple|"
        r"the) (?:models|runs))\b|\b(?:stack|combin|averag|blend)\w* (?:several|multiple|many|"
        r"two|three|\d+)(?=\s{3,}|\s*$)|\bmodel (?:soup|averaging)\b|\bbagging\b|\bboosting\b|"
        r"\bvoting (?:classifier|ensemble)\b|\bmajority vote of\b"),
          lambda m, c: f"{m}: an ensemble (several models whose predictions are combined) is "
          "not available: a run trains and exports one model. What tunekit does instead: a "
          "bake-off trains the same data with several strategies side by side and ranks them "
          f"(say \"compare strategies\"; installed: {_strategies(c)}), and a sweep tries "
          "several settings or seeds (say \"sweep the learning rate\"), every run recorded: "
          "keep the best one, or combine the exported runs' predictions yourself afterwards",
          alone=True),
)
# asking which device a run uses ("on the GPU", "the cuda one"): said, as the spec has none
DEVICE = re.compile(r"\bcuda\b|\b(?:on|use|using|with|via) (?:the |a |my |our )?(?:gpu|"
                    r"graphics card|cpu)\b")


# a model or a batch that does not fit in the device's memory: answered with what saves it
MEMORY = re.compile(
    r"\b(?:won'?t|will not|doesn'?t|does not|don'?t|do not|can'?t|cannot|can not|not|never|"
    r"wouldn'?t|would not|might not|may not) (?:\w+ ){0,2}?fit\b[^.;!?]{0,30}?\b(?:gpus?|vram|"
    r"memory|card|ram)\b|\bout of (?:gpu |cuda |video )?memory\b|\b(?:cuda )?oom\b|"
    r"\b(?:not enough|too little|limited|low|only \d+ ?gb(?: of)?) (?:gpu |video )?(?:memory|"
    r"vram)\b|\btoo (?:big|large) for (?:my|the|our|a|this) (?:gpu|card|vram|memory)\b")


def read_memory(reading: Reading) -> None:
    """"It won't fit on my GPU", "CUDA out of memory": the ways to make the run fit, said with
    its numbers as this turn leaves them (read after the training settings)."""
    if MEMORY.search(normalise(reading.written)):
        reading.result.keep(memory_advice(reading))


def memory_advice(reading: Reading) -> str:
    """What makes a run fit in less GPU memory, said with the run's own numbers and the words
    that set each."""
    batch = reading.training("batch_size") or 16
    smaller = max(1, batch // 4)
    strategy = reading.slot("strategy").get("name") or "lora"
    lora = ("the strategy is lora already: few weights train" if strategy == "lora" else
            f'say "use LoRA" (now {strategy}): only small adapters train, so far less memory')
    length = reading.training("max_length")
    return (f"to fit in GPU memory: a smaller batch with gradient accumulation keeps the same "
            f'effective batch (say "batch size {smaller}, gradient accumulation '
            f'{max(1, batch // smaller)}"); {lora}; say "bf16" on a GPU that has it (half the '
            'memory of fp32); "gradient checkpointing" trades speed for memory; '
            f'"auto batch size" finds the largest batch that fits'
            + (f'; a shorter max length (now {length}) helps too' if length else ""))


def read_scope(reading: Reading, devices_said: bool = False) -> None:
    """What the turn asks for that tunekit cannot do, each said with what to do instead;
    the device a run will use, when the turn asks for one (``devices_said``: a number of
    GPUs was already answered). Names are looked for as written too: the typo tolerance
    would read "spacy" as "space"; and whole, as a column or file read earlier may hold the
    words ("several topics at once" where the label column is "topic")."""
    texts = (reading.written.lower(), reading.text)
    said = _sayings(texts, reading.catalog)
    for limit in OUT_OF_SCOPE:  # said: no later reader takes "tag" or "photos" out of them
        for match in list(limit.words.finditer(reading.text)):
            reading.consume(match.start(), match.end())
    if any(MEMORY.search(text) for text in texts):  # "it won't fit on my GPU": read_memory
        reading.decline(MEMORY)
    elif not devices_said and not any(m.startswith("a TPU") for m in said) and \
            any(DEVICE.search(text) for text in texts):
        said.append("the device is not part of the spec: a run trains on a CUDA GPU when torch "
                    f"sees one, else on the CPU; {device_here()}")
    reading.result.unknown += said
    for limit in OUT_OF_SCOPE:  # said here: the leftover reader leaves these words alone
        reading.decline(limit.words)
    reading.decline(DEVICE)


def _sayings(texts: tuple[str, ...], catalog: Any) -> list[str]:
    """The limits the texts ask for, each once: a limit whose words all lie inside words an
    earlier one said ("quantize" in "quantize it to gguf") is that one's to say."""
    said: list[str] = []
    earlier: list[str] = []
    for limit in OUT_OF_SCOPE:
        asked = limit.asked(*texts)
        if not asked or _lifted(limit, asked, catalog):
            continue
        words = [w.lower() for w in asked.split(", ")]
        if earlier and (limit.alone or all(any(w in e for e in earlier) for w in words)):
            continue
        earlier += words
        said.append(limit.say(asked, catalog))
    return said


def _lifted(limit: Limit, asked: str, catalog: Any) -> bool:
    """A plugin gives what the limit says is missing: a component of ``limit.lifted_by``
    named by the words that asked ("gguf" is a GGUF exporter's alias)."""
    if not limit.lifted_by or not hasattr(catalog, "best"):
        return False
    return catalog.best(limit.lifted_by, asked.lower())[0] is not None


def out_of_scope(text: str, catalog: Any) -> str | None:
    """The sayings for a question about something tunekit cannot do ("can it do object
    detection?"), or None."""
    said = _sayings((text,), catalog)
    if not said:
        return None
    return "; ".join(s[0].upper() + s[1:] for s in said) + "."
