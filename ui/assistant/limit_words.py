"""What a turn asks for that a spec does not hold, or that the chat cannot do, and precision.

Each is said back, never dropped: "push it to the hub" (done after the run, with the CLI),
"on 4 GPUs" (the number of processes is the launcher's, not the spec's). "use bf16" sets
training.precision. A dataset named on the Hub is data (data_words.read_hub_dataset). What
tunekit cannot do at all (DeepSpeed, a TPU, object detection...) is said by scope_words.py.
"""

from __future__ import annotations

import re

from .reading import Reading
from .scope_words import QUANTIZED_EXPORT, read_scope

PRECISION = {"bf16": "bf16", "bfloat16": "bf16", "bfloat 16": "bf16", "fp16": "fp16",
             "float16": "fp16", "half precision": "fp16", "fp32": "fp32", "float32": "fp32",
             "full precision": "fp32", "single precision": "fp32"}
PUSH = re.compile(r"\b(?:push|upload|publish|share|send)\w*\b[^.;]{0,40}?\b(?:hub|hugging ?face|"
                  r"hf)\b|\b(?:hub|hugging ?face)\b[^.;]{0,20}\b(?:push|upload)\w*")
# QLoRA (LoRA over 4-bit quantized weights) is not built in; plain LoRA is
QLORA = re.compile(r"\bq-?lora\b|\b4[- ]?bit\b")
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
            "QLoRA (LoRA over 4-bit quantized weights) is not built in, so I left the strategy "
            "as it was: say \"use LoRA\" for plain LoRA adapters")
    devices = DEVICES.search(text)
    if devices:
        count = devices.group(1) or devices.group(2) or "N"
        reading.result.unknown.append(
            f"the number of GPUs is not part of the spec: start it with `tunekit run spec.yaml "
            f"--processes {count}` (accelerate launch, one process per GPU)")
    for said in (PUSH, QLORA, DEVICES):
        reading.decline(said)
    read_scope(reading, devices_said=devices is not None)


def _quantized_export(text: str) -> bool:
    """The 4 bits are an export's ("quantize it to a 4-bit GGUF"), not QLoRA's: no LoRA is
    named with them."""
    return bool(QUANTIZED_EXPORT.search(text)) and not re.search(r"\bq-?lora\b", text)


def _precision(reading: Reading) -> None:
    words = "|".join(re.escape(w) for w in sorted(PRECISION, key=len, reverse=True))
    match = reading.find(rf"\b({words})\b(?:\s+(?:precision|mixed precision|training|amp))?")
    if not match:
        return
    value = PRECISION[match.group(1)]
    reading.result.set("training.precision", value, f"precision: {value}")
    reading.consume(match.start(), match.end())
