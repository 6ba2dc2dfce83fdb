"""``python -m benchmarks.gpu [--size tiny|full] [--out FILE]``: the engine's GPU path, measured.

A Llama-style decoder (~0.95B parameters at ``full``: hidden 2048, 16 blocks, seq 1024) and a
BERT-base classifier, both built from configs (no downloads), each trained full (bf16 autocast
over fp32 weights, as the engine computes) and with LoRA, through the real engine
(``tunekit.run``) and through a hand-written torch loop on the same rows, batch shapes and
seed. Reports tokens/s, samples/s, peak memory, MFU and the ratios; writes one JSON file and
prints a table. ``tiny`` (the default without a GPU) runs in seconds on a CPU.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

RESULTS = Path(__file__).with_name("results")

# peak dense bf16 FLOP/s (no sparsity) by a substring of torch.cuda.get_device_name
PEAKS = (("H100 PCIe", 756e12), ("H100", 989e12), ("H200", 989e12), ("A100", 312e12),
         ("L4", 121e12))

SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"llama": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                       "num_key_value_heads": 2, "intermediate_size": 64},
             "bert": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                      "intermediate_size": 64},
             "llama_seq": 32, "llama_batch": 4, "bert_seq": 32, "bert_batch": 8,
             "warmup": 2, "steps": 4},
    "full": {"llama": {"hidden_size": 2048, "num_hidden_layers": 16, "num_attention_heads": 16,
                       "num_key_value_heads": 16, "intermediate_size": 5632},
             "bert": {},  # BertConfig's defaults: BERT-base
             "llama_seq": 1024, "llama_batch": 8, "bert_seq": 512, "bert_batch": 32,
             "warmup": 5, "steps": 30},
}
LORA = {"r": 8, "alpha": 16, "dropout": 0.1}  # the lora strategy's defaults


def _device() -> Any:
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


# ------------------------------------------------------------------ the plugin: models, data

def _build(options: dict[str, Any], request: Any) -> Any:
    import torch
    import transformers
    from tunekit.components import BuiltModel
    from tunekit.testing import bundled_tokenizer

    tokenizer = bundled_tokenizer()
    size = SIZES[options["size"]]
    if options["arch"] == "llama":
        tokenizer.bos_token, tokenizer.eos_token = "[CLS]", "[SEP]"
        config = transformers.LlamaConfig(
            vocab_size=tokenizer.vocab_size, max_position_embeddings=size["llama_seq"],
            pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.cls_token_id,
            eos_token_id=tokenizer.sep_token_id, **size["llama"])
        model_class = transformers.LlamaForCausalLM
    else:
        config = transformers.BertConfig(vocab_size=tokenizer.vocab_size,
                                         **request.head_config(), **size["bert"])
        model_class = transformers.BertForSequenceClassification
    # built on the GPU where there is one: initialising 1B parameters on a CPU takes a minute
    with torch.random.fork_rng(devices=[]), torch.device(_device()):
        torch.manual_seed(0)
        model = model_class(config)
    return BuiltModel(model=model, tokenizer=tokenizer, source=f"bench-{options['arch']}",
                      max_length=size[f"{options['arch']}_seq"])


def rows(n: int, words: int, seed: int, labelled: bool) -> list[dict[str, Any]]:
    """``n`` texts of ``words`` random vocabulary words: long enough that every row is cut to
    max_length, so every batch has the same shape on both sides."""
    from tunekit.testing import FILLER, NEGATIVE, POSITIVE

    pool = list(FILLER + NEGATIVE + POSITIVE)
    rng = random.Random(seed)
    out = []
    for i in range(n):
        row: dict[str, Any] = {"text": " ".join(rng.choice(pool) for _ in range(words))}
        if labelled:
            row["label"] = ("negative", "positive")[i % 2]
        out.append(row)
    return out


def _load(options: dict[str, Any], context: Any) -> Any:
    from tunekit.components import DataSplits

    made = rows(options["n"] + options["n_val"], options["words"], 0, options["labelled"])
    return DataSplits(train=made[:options["n"]], validation=made[options["n"]:],
                      source="generated words")


def _plugin() -> Any:
    from tunekit import hookimpl
    from tunekit.components import Backbone, Dataset, Param

    @hookimpl
    def register_backbones(register: Any) -> None:
        register(Backbone(name="bench-model", description="benchmark models from configs",
                          params=(Param(name="arch", type=str, default="llama"),
                                  Param(name="size", type=str, default="tiny")),
                          build=_build, tasks=("causal-lm", "text-classification")))

    @hookimpl
    def register_datasets(register: Any) -> None:
        register(Dataset(name="bench-words", title="benchmark words",
                         description="generated long texts",
                         params=(Param(name="n", type=int, default=8),
                                 Param(name="n_val", type=int, default=2),
                                 Param(name="words", type=int, default=64),
                                 Param(name="labelled", type=bool, default=False)),
                         tasks=("causal-lm", "text-classification"), load=_load))

    return SimpleNamespace(register_backbones=register_backbones,
                           register_datasets=register_datasets)


# ------------------------------------------------------------------ one case, two sides

def case(arch: str, size: str) -> dict[str, Any]:
    s = SIZES[size]
    seq, batch = s[f"{arch}_seq"], s[f"{arch}_batch"]
    return {"arch": arch, "size": size, "task": "causal-lm" if arch == "llama"
            else "text-classification", "seq": seq, "batch": batch, "warmup": s["warmup"],
            "steps": s["steps"], "n": batch * (s["warmup"] + s["steps"]),
            "words": seq + 16}


def _dataset(c: dict[str, Any]) -> dict[str, Any]:
    return {"name": "bench-words", "n": c["n"], "n_val": c["batch"], "words": c["words"],
            "labelled": c["task"] != "causal-lm"}


def engine_side(c: dict[str, Any], strategy: str, plugins: Any, folder: Path) -> dict[str, Any]:
    """One epoch through ``tunekit.run``: throughput between the step event after the warm-up
    steps and the last one (each step event follows the engine's one host sync)."""
    import tunekit
    from tunekit.registry import Registry

    marks: list[tuple[int, float]] = []

    def listen(event: Any) -> None:
        if event.kind == "step":
            marks.append((event.data["step"], time.perf_counter()))

    spec = {"task": c["task"], "dataset": _dataset(c),
            "backbone": {"name": "bench-model", "arch": c["arch"], "size": c["size"]},
            "strategy": {"name": "lora", **LORA} if strategy == "lora" else "full",
            "training": {"epochs": 1, "learning_rate": 1e-4, "batch_size": c["batch"],
                         "max_length": c["seq"], "seed": 42, "early_stopping": None,
                         "data_check": "off", "log_every": c["warmup"],
                         "precision": "bf16" if _device().type == "cuda" else "fp32"},
            "metrics": ["perplexity" if c["task"] == "causal-lm" else "accuracy"],
            "exporters": []}
    if c["task"] == "causal-lm":
        spec["training"]["generation_prompts"] = ["the"]
    registry = Registry.open(folder / "registry.db")
    result = tunekit.run(tunekit.parse_spec(spec, plugins), manager=plugins, registry=registry,
                         progress=False, output_root=folder / "runs", listeners=[listen])
    summary = json.loads(registry.get_run(result.run_id).summary_json)
    performance = summary.get("performance", {})
    (first, t0), (last, t1) = marks[0], marks[-1]
    if first != c["warmup"] or last != c["warmup"] + c["steps"]:
        raise RuntimeError(f"step events at {first}..{last}, expected {c['warmup']}.."
                           f"{c['warmup'] + c['steps']}")
    del result
    figures = _figures(c, last - first, t1 - t0, performance.get("peak_memory_bytes"),
                       performance.get("peak_memory_kind"),
                       trainable=summary.get("trainable_parameters"),
                       precision=(summary.get("precision") or {}).get("used"))
    # the engine's own meter, over every step (warm-up included): its token count proves the
    # batches were full, the same shapes as the hand-written side's
    figures["meter_tokens"] = performance.get("tokens")
    figures["meter_tokens_per_second"] = performance.get("tokens_per_second")
    return figures


def hand_side(c: dict[str, Any], strategy: str, plugins: Any) -> dict[str, Any]:
    """The same rows and batch shapes in a plain torch loop: fp32 weights, bf16 autocast on a
    GPU, AdamW (fused on CUDA), gradients clipped at 1.0, as the engine trains."""
    import torch
    from tunekit.components import ModelRequest
    from tunekit.tasks import get_task

    device = _device()
    labels = [] if c["task"] == "causal-lm" else ["negative", "positive"]
    built = _build({"arch": c["arch"], "size": c["size"]},
                   ModelRequest(task=c["task"], labels=labels))
    task = get_task(c["task"])
    data = rows(c["n"] + c["batch"], c["words"], 0, bool(labels))[:c["n"]]
    features = task.encode(data, built, {label: i for i, label in enumerate(labels)}, c["seq"])
    if any(len(f["input_ids"]) != c["seq"] for f in features):
        raise RuntimeError("a row is shorter than max_length: the batches would differ")
    model = built.model.to(device)
    if strategy == "lora":
        from peft import LoraConfig, TaskType, get_peft_model

        model = get_peft_model(model, LoraConfig(
            task_type=TaskType.CAUSAL_LM if labels == [] else TaskType.SEQ_CLS, r=LORA["r"],
            lora_alpha=LORA["alpha"], lora_dropout=LORA["dropout"],
            target_modules="all-linear",
            # as the engine's lora strategy: the new head and the pooler above the blocks
            # train in full; a language model's head stays frozen
            modules_to_save=["classifier", "pooler"] if labels else None))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4, fused=device.type == "cuda")
    torch.manual_seed(42)
    order = torch.randperm(len(features)).tolist()
    batches = []
    for start in range(0, len(order), c["batch"]):
        chunk = [features[i] for i in order[start:start + c["batch"]]]
        batches.append({k: torch.tensor([f[k] for f in chunk]).to(device) for k in chunk[0]})
    cuda = device.type == "cuda"
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    else:
        from tunekit.engine.meter import reset_peak_rss

        reset_peak_rss()
    model.train()
    t0 = 0.0
    for step, b in enumerate(batches):
        if step == c["warmup"]:
            _sync()
            t0 = time.perf_counter()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
            if labels:
                logits = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"],
                               token_type_ids=b.get("token_type_ids")).logits
                loss = torch.nn.functional.cross_entropy(logits.float(), b["labels"])
            else:
                logits = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"]
                               ).logits[:, :-1].float()
                loss = torch.nn.functional.cross_entropy(
                    logits.reshape(-1, logits.size(-1)), b["labels"][:, 1:].reshape(-1),
                    ignore_index=-100)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    float(loss.detach())  # the loop's only host sync, as the engine's log point
    _sync()
    seconds = time.perf_counter() - t0
    if cuda:
        peak, kind = torch.cuda.max_memory_allocated(), "cuda_allocated"
    else:
        from tunekit.engine.meter import peak_rss

        peak, kind = peak_rss(), "process_rss"
    out = _figures(c, len(batches) - c["warmup"], seconds, peak, kind,
                   trainable=sum(p.numel() for p in params),
                   precision="bf16" if cuda else "fp32", model=model)
    del model, optimizer, batches, built
    return out


_MATMUL: dict[tuple[str, str], int] = {}  # (arch, size) -> weights of the linear layers


def _figures(c: dict[str, Any], steps: int, seconds: float, peak: int | None, kind: Any, *,
             trainable: int | None, precision: str | None, model: Any = None) -> dict[str, Any]:
    import torch

    if model is not None:
        _MATMUL[(c["arch"], c["size"])] = sum(
            m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear)
            and not any(k in type(m).__name__.lower() for k in ("lora",)))
    tokens, samples = steps * c["batch"] * c["seq"], steps * c["batch"]
    seconds = max(seconds, 1e-9)
    return {"timed_steps": steps, "seconds": round(seconds, 4), "tokens": tokens,
            "tokens_per_second": round(tokens / seconds, 1),
            "samples_per_second": round(samples / seconds, 2), "peak_memory_bytes": peak,
            "peak_memory_kind": kind, "trainable_parameters": trainable,
            "precision": precision}


def flops_per_token(c: dict[str, Any], strategy: str) -> float:
    """Training FLOPs per token: 6 x the linear layers' weights for full fine-tuning (forward,
    input gradients, weight gradients); 4 x for LoRA (the frozen weights get no gradient; the
    adapters' own FLOPs are under 1%); plus attention's 12 x layers x hidden x seq."""
    s = SIZES[c["size"]]
    config = s[c["arch"]] or {"num_hidden_layers": 12, "hidden_size": 768}
    attention = 12 * config["num_hidden_layers"] * config["hidden_size"] * c["seq"]
    weights = _MATMUL[(c["arch"], c["size"])]
    return (6 if strategy == "full" else 4) * weights + attention


def peak_flops() -> tuple[str, float | None, str | None]:
    import torch

    if not torch.cuda.is_available():
        return "cpu", None, "no GPU: MFU is not computed"
    name = torch.cuda.get_device_name()
    for key, peak in PEAKS:
        if key in name:
            return name, peak, None
    return name, None, f"unknown bf16 peak for {name!r}: MFU not computed"


def _ratio(a: Any, b: Any) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def main(argv: list[str] | None = None) -> int:
    import torch

    parser = argparse.ArgumentParser(prog="python -m benchmarks.gpu", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default=None,
                        help="full on a GPU, tiny (seconds on a CPU) otherwise")
    parser.add_argument("--out", type=Path, default=None, help="the JSON file to write")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    size = args.size or ("full" if torch.cuda.is_available() else "tiny")
    device, peak, note = peak_flops()
    out = args.out or RESULTS / f"gpu-{device.replace(' ', '-').lower()}.json"
    from tunekit.testing import make_manager

    plugins = make_manager(("tunekit-bench-gpu", _plugin()))
    folder = Path(tempfile.mkdtemp(prefix="tunekit-gpu-bench-"))
    results: dict[str, Any] = {"device": device, "size": size, "peak_bf16_flops": peak,
                               "mfu_note": note, "torch": torch.__version__, "cases": {},
                               "ratios": {}}
    started = time.perf_counter()
    for arch in ("llama", "bert"):
        c = case(arch, size)
        for strategy in ("full", "lora"):
            sides = {}
            # hand-written first: it also counts the linear weights MFU needs
            for side in ("hand", "engine"):
                gc.collect()
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
                    torch.cuda.reset_peak_memory_stats()
                print(f"{arch} {strategy} {side}...", file=sys.stderr, flush=True)
                sides[side] = hand_side(c, strategy, plugins) if side == "hand" else \
                    engine_side(c, strategy, plugins, folder)
            per_token = flops_per_token(c, strategy)
            for fig in sides.values():
                fig["flops_per_token"] = per_token
                fig["mfu"] = round(per_token * fig["tokens_per_second"] / peak, 4) \
                    if peak else None
            results["cases"][f"{arch}-{strategy}"] = {**c, "strategy": strategy, **sides}
            results["ratios"][f"{arch}-{strategy} engine/hand tokens/s"] = _ratio(
                sides["engine"]["tokens_per_second"], sides["hand"]["tokens_per_second"])
        for side in ("engine", "hand"):
            full, lora = (results["cases"][f"{arch}-{s}"][side] for s in ("full", "lora"))
            results["ratios"][f"{arch} lora/full tokens/s ({side})"] = _ratio(
                lora["tokens_per_second"], full["tokens_per_second"])
            results["ratios"][f"{arch} lora/full memory ({side})"] = _ratio(
                lora["peak_memory_bytes"], full["peak_memory_bytes"])
    results["seconds"] = round(time.perf_counter() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"written: {out}", file=sys.stderr)
    return 0


def table(results: dict[str, Any]) -> str:
    lines = [f"{results['device']} ({results['size']}), {results['seconds']} s",
             f"{'case':<12} {'side':<7} {'tokens/s':>12} {'samples/s':>10} {'peak MiB':>9}"
             f" {'MFU':>6}"]
    for name, c in results["cases"].items():
        for side in ("hand", "engine"):
            f = c[side]
            mfu = f"{f['mfu']:.1%}" if f["mfu"] is not None else "-"
            lines.append(f"{name:<12} {side:<7} {f['tokens_per_second']:>12.1f} "
                         f"{f['samples_per_second']:>10.2f} "
                         f"{(f['peak_memory_bytes'] or 0) / 2**20:>9.0f} {mfu:>6}")
    lines += [f"{k}: {v}" for k, v in results["ratios"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
