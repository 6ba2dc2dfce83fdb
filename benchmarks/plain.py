"""The other sides of the comparisons: a hand-written PyTorch loop, and transformers' Trainer.

Both train the model the workload's backbone plugin builds, on the splits its dataset plugin
reads, tokenized the same way, with the engine's optimizer settings (AdamW, no weight decay on
biases and norms, linear schedule after 10% warm-up, gradients clipped at 1.0) and seed.
"""

from __future__ import annotations

import time
from typing import Any

from .workload import Workload, load


def _device() -> Any:
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _pad(rows: list[dict[str, Any]], width: int | None = None) -> dict[str, Any]:
    import torch

    width = width or max(len(r["input_ids"]) for r in rows)
    batch = {"labels": torch.tensor([r["labels"] for r in rows])}
    for key in ("input_ids", "attention_mask", "token_type_ids"):
        if key in rows[0]:
            batch[key] = torch.tensor([r[key] + [0] * (width - len(r[key])) for r in rows])
    return batch


def _optimizer(model: Any, work: Workload, steps: int) -> tuple[Any, Any]:
    from transformers import get_linear_schedule_with_warmup
    from tunekit.engine.optim import adamw  # the engine's optimizer: fused where torch has it

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = adamw([
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": work.weight_decay,
         "lr": work.learning_rate},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0,
         "lr": work.learning_rate},
    ])
    schedule = get_linear_schedule_with_warmup(optimizer, int(steps * work.warmup_ratio), steps)
    return optimizer, schedule


def _accuracy(model: Any, rows: list[dict[str, Any]], batch_size: int, device: Any) -> float:
    import torch

    model.eval()
    order = sorted(rows, key=lambda r: len(r["input_ids"]))
    right = 0
    with torch.no_grad():
        for start in range(0, len(order), batch_size * 2):
            batch = {k: v.to(device) for k, v in _pad(order[start:start + batch_size * 2]).items()}
            labels = batch.pop("labels")
            right += int((model(**batch).logits.argmax(-1) == labels).sum())
    return right / len(rows)


def plain_loop(work: Workload, plugins: Any, *, pad_to: int | None = None,
               group_by_length: bool = False) -> dict[str, Any]:
    """Train with a plain PyTorch loop (evaluating after each epoch, as the engine does).

    ``pad_to``: pad every batch to that width instead of its longest example;
    ``group_by_length``: the engine's length-grouped batches instead of plain shuffling."""
    import torch
    from tunekit.engine.batching import LengthGroupedBatches

    started = time.perf_counter()
    data = load(work, plugins)
    device = _device()
    model = data.model.to(device)
    generator = torch.Generator().manual_seed(work.seed)
    collate = (lambda rows: _pad(rows, pad_to)) if pad_to else _pad
    if group_by_length:
        lengths = [len(r["input_ids"]) for r in data.train]
        loader = torch.utils.data.DataLoader(
            data.train, batch_sampler=LengthGroupedBatches(lengths, work.batch_size, generator),
            generator=generator, collate_fn=collate)
    else:
        loader = torch.utils.data.DataLoader(data.train, batch_size=work.batch_size,
                                             shuffle=True, generator=generator,
                                             collate_fn=collate)
    optimizer, schedule = _optimizer(model, work, len(loader) * work.epochs)
    train_seconds, tokens, samples, padded = 0.0, 0, 0, 0
    accuracy = 0.0
    for _ in range(work.epochs):
        model.train()
        epoch_started = time.perf_counter()
        for batch in loader:
            batch = {k: v.to(device) for k, v in batch.items()}
            labels = batch.pop("labels")
            loss = torch.nn.functional.cross_entropy(model(**batch).logits.float(), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            samples += len(labels)
            tokens += int(batch["attention_mask"].sum())
            padded += batch["input_ids"].numel()  # what the model computed, padding included
        if device.type == "cuda":
            torch.cuda.synchronize()
        train_seconds += time.perf_counter() - epoch_started
        accuracy = _accuracy(model, data.validation, work.batch_size, device)
    return {"seconds": time.perf_counter() - started, "train_seconds": train_seconds,
            "accuracy": accuracy, "samples": samples, "tokens": tokens,
            "padded_tokens": padded}


def trainer(work: Workload, plugins: Any, *, group_by_length: bool = False) -> dict[str, Any]:
    """Train with transformers' Trainer: its defaults (dynamic padding, random batches)
    except the workload's epochs, rate, batch size, weight decay, warm-up and seed; evaluated
    after each epoch, nothing saved, nothing reported."""
    from accelerate.state import AcceleratorState
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    # an engine run before may have left accelerate's one state per process in bf16; Trainer
    # makes its own (fp32 on a CPU), which accelerate refuses while another precision is set
    AcceleratorState._reset_state(reset_partial_state=False)
    started = time.perf_counter()
    data = load(work, plugins)

    def accuracy(prediction: Any) -> dict[str, float]:
        return {"accuracy": float((prediction.predictions.argmax(-1)
                                   == prediction.label_ids).mean())}

    steps = -(-len(data.train) // work.batch_size) * work.epochs
    arguments = TrainingArguments(
        output_dir=str(work.folder / "trainer"), num_train_epochs=work.epochs,
        learning_rate=work.learning_rate, per_device_train_batch_size=work.batch_size,
        per_device_eval_batch_size=work.batch_size * 2, weight_decay=work.weight_decay,
        warmup_steps=int(steps * work.warmup_ratio), seed=work.seed, eval_strategy="epoch",
        save_strategy="no", report_to=[], logging_strategy="no", disable_tqdm=True,
        # transformers 5 spells group_by_length=True this way
        train_sampling_strategy="group_by_length" if group_by_length else "random")
    run = Trainer(model=data.model, args=arguments, train_dataset=data.train,
                  eval_dataset=data.validation,
                  data_collator=DataCollatorWithPadding(data.tokenizer),
                  compute_metrics=accuracy)
    output = run.train()
    evaluations = [e for e in run.state.log_history if "eval_accuracy" in e]
    return {"seconds": time.perf_counter() - started,
            "train_seconds": output.metrics.get("train_runtime"),
            "accuracy": evaluations[-1]["eval_accuracy"]}
