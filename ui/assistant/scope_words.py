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

    def asked(self, *texts: str) -> str | None:
        """The words that ask for it in any of ``texts``, as said ("host it, azure")."""
        said = [m.group(0).strip() for text in texts for m in self.words.finditer(text)]
        said = list(dict.fromkeys(w.upper() if w.isalpha() and len(w) <= 5 else w
                                  for w in said))  # an acronym in capitals: "dpo" -> "DPO"
        return ", ".join(said) or None


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


# a model quantized for another runtime after the run: GGUF (llama.cpp, Ollama), GPTQ, AWQ
QUANTIZED_EXPORT = re.compile(
    r"\bgguf\b|\bggml\b|\bgptq\b|\bawq\b|\bexl2\b|\bq[2-8]_k(?:_[msl])?\b|"
    r"\bquanti[sz]\w*\b(?:[^.;]{0,30}\b(?:\d+[- ]?bits?|int[48]|for (?:llama\.cpp|ollama|"
    r"cpu|inference|edge|mobile)))?|\bllama\.cpp\b|\bollama\b")

OUT_OF_SCOPE = (
    Limit("deepspeed", re.compile(r"\bdeep ?speed\b|\bzero[- ]?(?:stage[- ]?)?[123]\b|"
                                  r"\bzero (?:stage|offload|redundancy)\w*"),
          lambda m, c: f"{m} is not available: tunekit runs several GPUs through "
          "`accelerate launch` (`tunekit run spec.yaml --processes N`, data parallel), and "
          "shards a model too big for one GPU with FSDP (`--accelerate-config "
          "examples/accelerate/fsdp.yaml`, docs/multi-gpu.md)"),
    Limit("tpu", re.compile(r"\btpus?(?: pod| v\d\w*)?\b|\bxla\b"),
          lambda m, c: f"a TPU is not supported: tunekit trains on a CUDA GPU when torch sees "
          f"one, else on the CPU ({device_here()})"),
    Limit("deploy", re.compile(
        r"\bdeploy\w*\b|\bsage ?maker\b|\b(?:aws|azure|gcp|google cloud|vertex ai)\b|"
        r"\b(?:api|inference|http|rest|online|real-?time) endpoints?\b|\bin production\b|"
        r"\b(?:serve|serving|host|hosting) (?:it|the model|the trained model)\b|"
        r"\bvllm\b|\btgi\b|\btext-generation-inference\b|\blm ?studio\b|\btriton\b"),
          lambda m, c: f"{m}: deploying is not done from here. After the run, its "
          f"export folders ({_exporters(c)}) are what a server loads, and `tunekit push "
          "RUN_ID --repo ID` puts the model on the Hugging Face Hub, where an inference "
          "endpoint can serve it"),
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
          f"each picture belongs to, e.g. scratched or not). The tasks: {_tasks(c)}"),
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
          f"is no beta or reward to set. Strategies: {_strategies(c)}"),
)
# asking which device a run uses ("on the GPU", "the cuda one"): said, as the spec has none
DEVICE = re.compile(r"\bcuda\b|\b(?:on|use|using|with|via) (?:the |a |my |our )?(?:gpu|"
                    r"graphics card|cpu)\b")


def read_scope(reading: Reading, devices_said: bool = False) -> None:
    """What the turn asks for that tunekit cannot do, each said with what to do instead;
    the device a run will use, when the turn asks for one (``devices_said``: a number of
    GPUs was already answered). Names are looked for as written too: the typo tolerance
    would read "spacy" as "space"."""
    texts = (reading.message.lower(), reading.text)
    said = _sayings(texts, reading.catalog)
    if not devices_said and not any(m.startswith("a TPU") for m in said) and \
            any(DEVICE.search(text) for text in texts):
        said.append("the device is not part of the spec: a run trains on a CUDA GPU when torch "
                    f"sees one, else on the CPU; {device_here()}")
    reading.result.unknown += said
    for limit in OUT_OF_SCOPE:  # said here: the leftover reader leaves these words alone
        reading.decline(limit.words)
    reading.decline(DEVICE)


def _sayings(texts: tuple[str, ...], catalog: Any) -> list[str]:
    return [limit.say(asked, catalog) for limit in OUT_OF_SCOPE
            if (asked := limit.asked(*texts)) and not _lifted(limit, asked, catalog)]


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
