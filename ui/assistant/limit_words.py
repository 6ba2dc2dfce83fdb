"""What a turn asks for that a spec does not hold, or that the chat cannot do, and precision.

Each is said back, never dropped: "push it to the hub" (done after the run, with the CLI),
"on 4 GPUs" (the number of processes is the launcher's, not the spec's). "use bf16" sets
training.precision. A dataset named on the Hub is data (data_words.read_hub_dataset). What
tunekit cannot do at all (DeepSpeed, a TPU, object detection...) is said by scope_words.py.
"""

from __future__ import annotations

import re

from .reading import Reading
from .scope_words import LOADING, QUANTIZED_EXPORT, read_scope

PRECISION = {"bf16": "bf16", "bfloat16": "bf16", "bfloat 16": "bf16", "fp16": "fp16",
             "float16": "fp16", "half precision": "fp16", "fp32": "fp32", "float32": "fp32",
             "full precision": "fp32", "single precision": "fp32"}
PUSH = re.compile(r"\b(?:push|upload|publish|share|send)\w*\b[^.;]{0,40}?\b(?:hub|hugging ?face|"
                  r"hf)\b|\b(?:hub|hugging ?face)\b[^.;]{0,20}\b(?:push|upload)\w*")
# QLoRA (LoRA over 4-bit quantized weights) and loading a model in 4 or 8 bits are not built
# in; plain LoRA and bf16 / fp16 are
QLORA = re.compile(r"\bq-?lora\b|\b4[- ]?bits?\b|\bload(?:ed|ing)?[ _]?in[ _]?[48][ _-]?bits?\b|"
                   r"\bnf4\b|\bbnb\b|\bbitsandbytes\b|\b8[- ]?bits? (?:load\w*|base|weights|"
                   r"model)\b|\b(?:load|loaded|loading)\b[^.;]{0,30}\b(?:8|4)[- ]?bits?\b")
DEVICES = re.compile(r"\b(?:on|with|using|use|across|over)\s+(\d+)\s+(?:gpus?|graphics cards|cards|"
                     r"devices|processes|nodes)\b|\b(\d+)\s*(?:x\s*)?(?:gpus?|a100s?|h100s?)\b|"
                     r"\bmulti[- ]?gpu\b")


def read_limits(reading: Reading) -> None:
    """Precision, and the parts of a turn a spec does not hold, each named in the reply."""
    _precision(reading)
    text = reading.text
    if PUSH.search(text):
        reading.result.unknown.append(
            "I can't push to the Hub from here; after the run, push the exported model with "
            "`tunekit push RUN_ID` (or huggingface_hub's `upload_folder`)")
    if QLORA.search(text) and not _quantized_export(text):
        reading.result.unknown.append(
            "QLoRA (LoRA over 4-bit quantized weights) is not built in: tunekit can't load a "
            "model in 4-bit or 8-bit (bitsandbytes), so I left the strategy as it was. It can "
            "train LoRA adapters on the full weights (a small part trains: say \"use LoRA\") "
            "in bf16 or fp16 to save memory (say \"use bf16\")")
        for match in QLORA.finditer(text):  # said here: not a setting's name, nor a limit's
            reading.consume(match.start(), match.end())
    devices = DEVICES.search(text)
    if devices:
        count = devices.group(1) or devices.group(2) or "N"
        reading.result.unknown.append(
            f"the number of GPUs is not part of the spec: start it with `tunekit run spec.yaml "
            f"--processes {count}` (accelerate launch, one process per GPU)")
    for said in (PUSH, QLORA, DEVICES):
        reading.decline(said)
    read_scope(reading, devices_said=devices is not None)


# well-known metrics, mostly of generated text, that a plugin may add but none may have yet
KNOWN_METRICS = {
    "BLEU": r"(?:sacre[- ]?)?bleu(?:[- ]?[1-4])?", "ROUGE": r"rouge(?:[- ]?(?:[12l]|lsum))?",
    "METEOR": r"meteor", "BERTScore": r"bert[- ]?score", "chrF": r"chrf\+{0,2}",
    "exact match": r"exact[- ]match(?:es)?", "BLEURT": r"bleurt", "CIDEr": r"cider",
    "MAUVE": r"mauve", "WER": r"wer|word error rate", "CER": r"cer|character error rate",
}


def read_absent_metrics(reading: Reading) -> None:
    """A well-known metric asked for that no installed plugin gives ("report bleu and
    rouge"): said, with the metrics the task has, never dropped."""
    task = reading.result.changes.get("task") or reading.draft.get("task") or \
        "text-classification"
    absent, spans = [], []
    for title, words in KNOWN_METRICS.items():
        for match in re.finditer(rf"\b(?:{words})\b", reading.text):
            said = match.group(0)
            if reading.catalog.get("metric", said) is None and not any(
                    said in [a.lower() for a in c.aliases] or said == c.name
                    for c in reading.catalog.by_kind.get("metric", [])):
                if title not in absent:
                    absent.append(title)
                spans.append(match.span())
    if not absent:
        return
    have = [c.name for c in reading.catalog.by_kind.get("metric", []) if task in c.tasks]
    names = " and ".join([", ".join(absent[:-1]), absent[-1]] if len(absent) > 1 else absent)
    verb = "are" if len(absent) > 1 else "is"
    reading.result.unknown.append(
        f"{names} {verb} not installed, so I can't report {'them' if len(absent) > 1 else 'it'}"
        f"; for {task} tunekit measures {', '.join(have) or 'nothing yet'}"
        + (" and shows sample generations (training.generation_prompts)"
           if task == "causal-lm" else "") + ". A metric plugin can add it (docs/plugins)")
    for start, end in spans:
        reading.consume(start, end)


def _quantized_export(text: str) -> bool:
    """The 4 bits are an export's ("quantize it to a 4-bit GGUF"), not QLoRA's: no LoRA is
    named with them."""
    return bool(QUANTIZED_EXPORT.search(text)) and not re.search(r"\bq-?lora\b", text) \
        and not re.search(LOADING, text)


def _precision(reading: Reading) -> None:
    words = "|".join(re.escape(w) for w in sorted(PRECISION, key=len, reverse=True))
    match = reading.find(rf"\b({words})\b(?:\s+(?:precision|mixed precision|training|amp))?")
    if not match:
        return
    value = PRECISION[match.group(1)]
    reading.result.set("training.precision", value, f"precision: {value}")
    reading.consume(match.start(), match.end())
