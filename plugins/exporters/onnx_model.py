"""``onnx``: the trained model as an ONNX graph, checked against PyTorch before it is kept.

The graph takes the task's inputs (text: ``input_ids``, ``attention_mask`` and, for BERT-style
models, ``token_type_ids``, with dynamic batch and sequence axes; images: ``pixel_values``, with
a dynamic batch axis) and returns ``logits``. A LoRA adapter is merged into a copy of the model
first. For ``causal-lm`` the graph is the forward pass (the next-token logits at every
position, no key/value cache): a generation loop around it is the serving stack's job.

The parity check runs the exported graph in onnxruntime and the PyTorch model on the run's own
validation examples, encoded as the run encoded them, and compares the logits: the largest
absolute difference must stay within ``tolerance``. ``parity.json`` beside ``model.onnx``
records the figures; a graph that fails the check fails the export (a model whose Python code
branches on its inputs, for instance, can be traced into a graph that is wrong for other
inputs). The model's ``config.json`` (its outputs named, ``id2label``), the tokenizer (or image
processor), ``labels.json`` and the model card (README.md) are saved beside the graph, so that
onnxruntime with AutoTokenizer and AutoConfig load the folder as it is.

``exporter: dynamo`` (the default) uses ``torch.export``, PyTorch's maintained exporter;
``exporter: torchscript`` the older tracer, much quicker on small models but deprecated, and
blind to control flow (the parity check catches what it gets wrong).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import warnings
from pathlib import Path
from typing import Any

import tunekit

from .card import LICENSE, onnx_usage, write_card
from .model_files import (
    ALL_TASKS,
    example_batches,
    files_in,
    merged_copy,
    name_outputs,
    write_labels,
)

GRAPH_FILE = "model.onnx"
PARITY_FILE = "parity.json"
OPSET = 18
# above this the weights go to a file of their own next to the graph (protobuf's 2 GB limit)
EXTERNAL_DATA_BYTES = 1_500_000_000


def logits_module(model: Any, names: list[str], extra: dict[str, Any]) -> Any:
    """The module that is exported: ``model`` called with the task's inputs (positional, in
    the order of ``names``), returning its logits alone."""
    import torch

    class Logits(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(names, tensors, strict=True)), **extra).logits

    return Logits().eval()


def export(context: tunekit.ExportContext) -> list[Path]:
    from tunekit.errors import require

    # torch.export's ONNX translation and the parity check: the [onnx] extra
    for package in ("onnx", "onnxscript", "onnxruntime"):
        require(package, "onnx", "the onnx exporter")
    options = context.options
    model = merged_copy(context.model).float()
    batches = example_batches(context, model, options["examples"])
    names = list(batches[0])
    # generation's key/value cache is no part of the graph: logits only
    extra = {"use_cache": False} if context.task == "causal-lm" else {}
    module = logits_module(model, names, extra)
    path = context.directory / GRAPH_FILE
    export_graph(module, _sample(batches[0]), names, path, options["exporter"])
    report = check_parity(path, module, names, batches, options["tolerance"])
    report["exporter"] = options["exporter"]
    (context.directory / PARITY_FILE).write_text(json.dumps(report, indent=2) + "\n",
                                                 encoding="utf-8")
    if not report["passed"]:
        raise tunekit.TunekitError(
            f"the ONNX graph does not match the PyTorch model: its logits differ by up to "
            f"{report['max_abs_diff']:.3g} (tolerance {report['tolerance']:g}) on "
            f"{report['inputs']} {report['split']} examples; the top output agrees on "
            f"{100 * (report['argmax_agreement'] or 0):.1f}%", where="exporters.onnx",
            hint="the graph is wrong for some inputs (often Python code in the model that "
                 "branches on its input): try the other exporter (exporter: dynamo or "
                 "torchscript), or export huggingface and convert with optimum; raise "
                 "tolerance only if the difference is rounding")
    # what a user of the graph loads beside it: the model's config (its outputs named, as
    # optimum-style folders hold it) and the tokenizer or image processor
    name_outputs(model.config, context)
    model.config.save_pretrained(context.directory)
    context.tokenizer.save_pretrained(context.directory)
    write_labels(context)
    write_card(context, onnx_usage(context), library_name="onnx", tags=("onnx",))
    return files_in(context.directory)


def _sample(batch: dict[str, Any]) -> dict[str, Any]:
    """A batch of two examples at least, so that the batch axis is not fixed to 1."""
    import torch

    if next(iter(batch.values())).shape[0] > 1:
        return batch
    return {k: torch.cat([v, v]) for k, v in batch.items()}


def dynamic_axes(names: list[str], sample: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Which axes vary: the batch axis of every input, and the sequence axis of token ids and
    masks (integer tensors of two axes); an image's size is fixed by its processor."""
    axes = {}
    for name in names:
        tensor = sample[name]
        axes[name] = {0: "batch", 1: "sequence"} \
            if tensor.ndim == 2 and not tensor.is_floating_point() else {0: "batch"}
    return axes


def export_graph(module: Any, sample: dict[str, Any], names: list[str], path: Path,
                 exporter: str) -> None:
    """Write ``module`` called on ``sample`` as an ONNX graph at ``path``."""
    import torch

    args = tuple(sample[name] for name in names)
    axes = dynamic_axes(names, sample)
    size = sum(p.numel() * p.element_size() for p in module.parameters())
    common = {"input_names": names, "output_names": ["logits"], "opset_version": OPSET}
    if exporter == "dynamo":
        settings = {"dynamo": True, "external_data": size > EXTERNAL_DATA_BYTES,
                    "dynamic_shapes": {"tensors": tuple(axes[name] for name in names)}}
    else:
        settings = {"dynamo": False, "dynamic_axes": axes}
    said = io.StringIO()
    onnx_log = logging.getLogger("torch.onnx")
    level = onnx_log.level
    onnx_log.setLevel(logging.ERROR)  # "torchvision is not installed" and the like
    try:
        # the exporters narrate each stage and warn about every traced Python branch: the
        # parity check is what tells whether the graph is right
        with warnings.catch_warnings(), contextlib.redirect_stdout(said), \
                contextlib.redirect_stderr(said):
            warnings.simplefilter("ignore")
            torch.onnx.export(module, args, str(path), **common, **settings)
    except Exception as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        first = lines[0] if lines else type(exc).__name__
        other = "torchscript" if exporter == "dynamo" else "dynamo"
        raise tunekit.TunekitError(
            f"torch.onnx ({exporter}) cannot export this model: {type(exc).__name__}: "
            f"{first[:300]}", where="exporters.onnx",
            hint=f"try exporter: {other}, or export huggingface and convert it with optimum "
                 "(optimum-cli export onnx)") from None
    finally:
        onnx_log.setLevel(level)


def check_parity(path: Path, module: Any, names: list[str], batches: list[dict[str, Any]],
                 tolerance: float, split: str = "validation") -> dict[str, Any]:
    """Run the graph at ``path`` in onnxruntime and ``module`` in PyTorch on ``batches`` and
    compare their logits: ``{"max_abs_diff", "tolerance", "inputs", "split",
    "argmax_agreement", "passed", "onnxruntime"}``. ``argmax_agreement`` is the share of
    examples (of positions, for per-token outputs) whose top output is the same; None for a
    single output (regression)."""
    import numpy as np
    import onnxruntime
    import torch

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    wanted = [i.name for i in session.get_inputs()]  # the tracer drops inputs the graph ignores
    worst, agreeing, positions, examples = 0.0, 0, 0, 0
    for batch in batches:
        with torch.no_grad():
            expected = module(*(batch[name] for name in names)).float().numpy()
        got = session.run(["logits"], {name: batch[name].numpy() for name in wanted})[0]
        if got.shape != expected.shape:
            worst = float("inf")
            break
        difference = float(np.abs(got.astype(np.float64) - expected).max())
        worst = difference if np.isnan(difference) else max(worst, difference)
        if expected.shape[-1] > 1:
            same = got.argmax(-1) == expected.argmax(-1)
            agreeing, positions = agreeing + int(same.sum()), positions + same.size
        examples += expected.shape[0]
    passed = bool(worst <= tolerance)  # False for NaN and for a wrong shape
    return {"max_abs_diff": worst if np.isfinite(worst) else str(worst),
            "tolerance": tolerance, "inputs": examples, "split": split,
            "argmax_agreement": agreeing / positions if positions else None,
            "passed": passed, "onnxruntime": onnxruntime.__version__}


@tunekit.hookimpl
def register_exporters(register):
    register(tunekit.Exporter(
        name="onnx",
        title="ONNX graph (parity-checked)",
        description="The trained model as model.onnx for onnxruntime and other runtimes, "
                    "LoRA merged in, with its tokenizer; kept only if its outputs match "
                    "PyTorch's on the run's validation examples (recorded in parity.json).",
        aliases=("onnx model", "onnxruntime", "onnx runtime", "onnx graph", "open neural "
                 "network exchange"),
        tasks=ALL_TASKS,
        params=(
            tunekit.Param(name="tolerance", type=float, default=1e-4, min=0.0,
                          help="the largest difference of logits between ONNX and PyTorch "
                               "that passes the parity check"),
            tunekit.Param(name="examples", type=int, default=64, min=1, max=10_000,
                          help="validation examples the parity check runs"),
            tunekit.Param(name="exporter", type=str, default="dynamo",
                          choices=("dynamo", "torchscript"),
                          help="dynamo: torch.export, the maintained exporter; torchscript: "
                               "the older tracer, quicker but deprecated"),
            LICENSE,
        ),
        export=export,
    ))
