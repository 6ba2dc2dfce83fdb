"""RunSpec: the one declarative description of a run (YAML or JSON).

    task: text-classification
    dataset:   {name: csv, path: data/tickets.csv, text_column: message, label_column: category}
    backbone:  {name: minilm-l6}
    strategy:  {name: lora, r: 8}
    training:  {epochs: 3, learning_rate: 1.0e-4, batch_size: 16, weight_decay: 0.01, seed: 42}
    metrics:   [accuracy, f1]
    exporters: [huggingface, model-card]
    augmentations: [{name: random-deletion, probability: 0.1}]   # train split only; optional

``load_spec`` reads a file, ``parse_spec`` a mapping; both apply ``--set`` overrides and
validate every field against the installed components, naming the field in any error.
"""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .components import TEXT_CLASSIFICATION
from .errors import SpecError, TunekitError, UnknownComponentError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from .plugin_manager import PluginManager

SLOTS = ("dataset", "backbone", "strategy")
# applied to the train split only, in order, each adding augmented copies of the examples
LISTS = {"metrics": "metric", "exporters": "exporter", "augmentations": "augmentation"}
TOP_LEVEL = ("task", *SLOTS, "training", *LISTS)
# training.report_to: accelerate's experiment trackers (tunekit.engine.trackers writes to them)
TRACKERS = ("tensorboard", "mlflow", "wandb", "trackio", "comet_ml", "aim", "clearml", "dvclive",
            "swanlab")

DEFAULT_SPEC: dict[str, Any] = {
    "task": TEXT_CLASSIFICATION,
    "dataset": {"name": "sample-reviews"},
    "backbone": {"name": "minilm-l6"},
    "strategy": {"name": "lora"},
    "metrics": ["accuracy", "f1", "confusion-matrix"],
    "exporters": ["huggingface", "model-card"],
    "augmentations": [],
}


class EarlyStopping(BaseModel):
    """Stop when the validation metric has not improved for ``patience`` evaluations.

    ``metric`` None watches the first metric of the spec that gives a score (accuracy by
    default): validation loss on a small split is noisy and punishes confident predictions.
    """

    model_config = ConfigDict(extra="forbid")
    metric: str | None = Field(None, description="validation metric to watch: loss or a metric "
                               "name (default: the spec's first metric)")
    patience: int = Field(3, ge=1, le=1000, description="evaluations without improvement")
    min_delta: float = Field(0.0, ge=0.0, description="smallest change that counts")
    restore_best: bool = Field(True, description="end with the weights of the best evaluation")


# transformers' get_scheduler names whose schedule needs nothing more than warm-up and length
# (cosine_with_min_lr and warmup_stable_decay want lr_scheduler_kwargs, reduce_lr_on_plateau
# a metric: not taken)
SCHEDULERS = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
              "constant_with_warmup", "inverse_sqrt", "slanted-triangular")

# transformers' TrainingArguments names a spec, --set and the chat take for tunekit's own:
# name -> (tunekit's training field, how the value reads)
TRAINING_ALIASES: dict[str, tuple[str, Any]] = {
    "num_train_epochs": ("epochs", None),
    "per_device_train_batch_size": ("batch_size", None),
    "train_batch_size": ("batch_size", None),
    "lr_scheduler_type": ("scheduler", None),
    "lr": ("learning_rate", None),
    "save_steps": ("checkpoint_every", None),
    "logging_steps": ("log_every", None),
    "max_seq_length": ("max_length", None),  # TRL's SFTConfig
    "fp16": ("precision", lambda on: "fp16" if on else "fp32"),
    "bf16": ("precision", lambda on: "bf16" if on else "fp32"),
}


def training_aliases(values: dict[str, Any]) -> dict[str, Any]:
    """``training`` with transformers' names (``num_train_epochs``, ``fp16: true``...) read as
    tunekit's; tunekit's name wins where both are given. The names that are the same in both
    (learning_rate, weight_decay, warmup_steps, warmup_ratio, max_steps, eval_steps, seed,
    gradient_accumulation_steps, gradient_checkpointing, optim) need no alias."""
    out = {k: v for k, v in values.items() if k not in TRAINING_ALIASES}
    for key, value in values.items():
        if key in TRAINING_ALIASES:
            field, convert = TRAINING_ALIASES[key]
            if convert is not None and key in ("fp16", "bf16") and value is False:
                continue  # fp16: false says nothing about the precision wanted
            out.setdefault(field, convert(value) if convert else value)
    return out


class Training(BaseModel):
    """How to train. ``epochs`` and ``learning_rate`` left out (None) mean: the strategy's
    recommended values (adapters and fresh heads want higher rates than full fine-tuning)."""

    model_config = ConfigDict(extra="forbid")
    epochs: int | None = Field(None, ge=1, le=1000)
    learning_rate: float | None = Field(None, gt=0.0, le=1.0)
    batch_size: int = Field(16, ge=1, le=8192)
    weight_decay: float = Field(0.01, ge=0.0, le=1.0)
    dropout: float | None = Field(None, ge=0.0, lt=1.0)
    seed: int = Field(42, ge=0, le=2**32 - 1)
    max_length: int = Field(128, ge=8, le=32768)
    warmup_ratio: float = Field(0.1, ge=0.0, le=0.9, description="share of the steps spent "
                                "warming up (the rise of slanted-triangular)")
    warmup_steps: int | None = Field(None, ge=0, le=10**9, description="optimizer steps "
                                     "spent warming up (given, it wins over warmup_ratio)")
    scheduler: Literal[SCHEDULERS] = Field(  # type: ignore[valid-type]
        "linear", description="learning-rate schedule, exactly as transformers' get_scheduler "
        "gives it: linear (warm-up, then linear decay to 0), cosine, constant (the full rate, "
        "NO warm-up), constant_with_warmup, polynomial, cosine_with_restarts, inverse_sqrt; "
        "or slanted-triangular (short rise, long decay to rate/32)")
    max_steps: int | None = Field(None, ge=1, le=10**9, description="stop after this many "
                                  "optimizer steps (wins over epochs; the schedule spans them)")
    eval_steps: int | None = Field(None, ge=1, le=10**9, description="optimizer steps between "
                                   "evaluations on the validation set (recorded, and early "
                                   "stopping applied); None: once per epoch")
    gradient_checkpointing: bool = Field(False, description="recompute activations in the "
                                         "backward pass instead of keeping them: less memory, "
                                         "about a third more time")
    optim: Literal["adamw_torch", "adamw_torch_fused", "sgd", "adafactor"] = Field(
        "adamw_torch", description="optimizer: adamw_torch, adamw_torch_fused (CUDA), sgd or "
        "adafactor (transformers')")
    max_grad_norm: float | None = Field(1.0, gt=0.0, le=1e6,
                                        description="clip the gradient norm (None: no clipping)")
    gradient_accumulation_steps: int = Field(
        1, ge=1, le=1024,
        description="batches summed into one update (effective batch = batch_size x this)")
    auto_batch_size: bool = Field(
        False, description="on running out of memory before the first evaluation or "
        "checkpoint, halve batch_size and double gradient_accumulation_steps (the effective "
        "batch stays) and train again from the start, down to a batch of 1")
    label_smoothing: float = Field(0.0, ge=0.0, le=0.5, description="share of the target "
                                   "spread over the other classes (0: off)")
    class_weights: Literal["balanced"] | dict[str, float] | None = Field(
        None, description="weigh the loss by class: 'balanced' (inverse frequency in train) or "
        "a weight per label; None: every example counts the same")
    log_every: int = Field(10, ge=1, le=100000, description="steps between training-loss points")
    checkpoint_every: int | None = Field(
        None, ge=1, le=10**9, description="optimizer steps between checkpoints (None: once per "
        "epoch); a checkpoint is also written when a run is stopped with Ctrl-C or SIGTERM, and "
        "`tunekit run --resume RUN` carries on from the last one")
    early_stopping: EarlyStopping | None = Field(default_factory=EarlyStopping)
    data_check: Literal["refuse", "warn", "off"] = Field(
        "refuse", description="check the data before training: refuse to train on blocking "
        "problems (a single class, heavy leakage, ...), only warn about them, or skip the check")
    # off by default: where length goes with the label (short "bad", long "not bad at all"),
    # length-grouped batches hold mostly one class and training suffers; on for long, varied
    # texts, where padding is the cost
    group_by_length: bool = Field(
        False, description="batch examples of similar lengths together (shuffled, reproducible "
        "from the seed), so that little time goes into padding")
    cache_features: Literal["auto", "on", "off"] = Field(
        "auto", description="when the strategy freezes the bottom of the model (head-only, "
        "freeze-bottom), run the frozen part once per example and train on its cached output "
        "(auto: whenever that is exact; on: refuse the run where it is not; off: never)")
    precision: Literal["auto", "fp32", "bf16", "fp16"] = Field(
        "auto", description="number format of the forward and backward passes (the weights "
        "stay fp32): auto picks bf16 on a GPU that has it (else fp16 with loss scaling) and on "
        "a CPU with native bf16 for models large enough to gain, else fp32; bf16 on a CPU "
        "without native support is slow; fp16 needs a GPU")
    report_to: list[str] = Field(
        default_factory=list, description="experiment trackers that receive the run's "
        "hyperparameters, training loss and evaluation metrics, through accelerate: "
        + ", ".join(TRACKERS) + " (each needs its package: pip install 'tunekit[tensorboard]', "
        "'tunekit[mlflow]', ...)")
    generation_prompts: list[str] = Field(
        default_factory=list, description="causal-lm: prompts the model answers after each "
        "evaluation, recorded with the run (none: the first 3 validation prompts)")

    @field_validator("data_check", mode="before")
    @classmethod
    def _data_check_words(cls, value: Any) -> Any:
        """YAML reads a bare ``off`` as false (and ``on`` as true): take them as meant."""
        if isinstance(value, bool):
            return "refuse" if value else "off"
        return value.lower() if isinstance(value, str) else value

    @field_validator("cache_features", mode="before")
    @classmethod
    def _cache_words(cls, value: Any) -> Any:
        if isinstance(value, bool):  # YAML's bare on / off
            return "on" if value else "off"
        return value.lower() if isinstance(value, str) else value

    @field_validator("precision", mode="before")
    @classmethod
    def _precision_words(cls, value: Any) -> Any:
        words = {"float32": "fp32", "32": "fp32", "no": "fp32", "bfloat16": "bf16",
                 "float16": "fp16", "half": "fp16", "16": "fp16"}
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = str(value).lower()
            return words.get(value, value)
        return value

    @field_validator("report_to", mode="before")
    @classmethod
    def _tracker_names(cls, value: Any) -> Any:
        """``tensorboard``, ``"tensorboard, mlflow"`` or a list; none, off or false: none."""
        if value is None or value is False or (isinstance(value, str) and value.strip().lower()
                                                in ("", "none", "off", "no")):
            return []
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        if not isinstance(value, list | tuple):
            return value
        names = [str(v).strip().lower().replace("-", "_") for v in value]
        names = ["comet_ml" if n == "comet" else "wandb" if n in ("w&b", "weights_and_biases")
                 else n for n in names]
        for name in names:
            if name not in TRACKERS:
                raise ValueError(f"unknown tracker {name!r}.{did_you_mean(name, TRACKERS)} "
                                 f"Known: {', '.join(TRACKERS)}")
        return list(dict.fromkeys(names))  # each tracker once, in the order given

    @field_validator("class_weights", mode="before")
    @classmethod
    def _class_weights(cls, value: Any) -> Any:
        if value is False or (isinstance(value, str) and value.lower() in ("none", "off", "no")):
            return None
        if isinstance(value, dict):
            bad = {k: v for k, v in value.items()
                   if isinstance(v, bool) or not isinstance(v, int | float) or v < 0}
            if bad:
                label, weight = next(iter(bad.items()))
                raise ValueError(f"weight of {label!r} must be a number >= 0, got {weight!r}")
            return {str(k): float(v) for k, v in value.items()}
        return value

    @field_validator("early_stopping", mode="before")
    @classmethod
    def _off_means_none(cls, value: Any) -> Any:
        """``early_stopping: false`` (or off/no) turns it off; ``true`` keeps the defaults."""
        if value is False or (isinstance(value, str) and value.lower() in ("false", "off", "no")):
            return None
        if value is True or (isinstance(value, str) and value.lower() in ("true", "on", "yes")):
            return {}
        return value


class RunSpec:
    """A validated spec: every component resolved to its canonical name, defaults filled in."""

    def __init__(self, data: dict[str, Any], base_dir: Path | None = None,
                 source: str | None = None):
        self.data = data
        self.base_dir = base_dir or Path.cwd()
        self.source = source

    @property
    def task(self) -> str:
        return self.data["task"]

    @property
    def training(self) -> Training:
        return Training.model_validate(self.data["training"])

    def options(self, slot: str) -> dict[str, Any]:
        """A slot's options without its ``name``."""
        return {k: v for k, v in self.data[slot].items() if k != "name"}

    def names(self, key: str) -> list[str]:
        return [item["name"] for item in self.data[key]]

    def to_dict(self) -> dict[str, Any]:
        return deepcopy(self.data)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)


def flatten_spec(spec: Any, prefix: str = "") -> dict[str, Any]:
    """``{"training.epochs": 3, "metrics": "accuracy, f1", "strategy.r": 8, ...}``: one dotted
    field per value, lists of components as their names plus ``list.name.option`` fields."""
    flat: dict[str, Any] = {}
    if isinstance(spec, dict):
        for key, value in spec.items():
            flat.update(flatten_spec(value, f"{prefix}{key}."))
        return flat
    key = prefix.rstrip(".")
    if isinstance(spec, list):
        if all(isinstance(item, dict) and "name" in item for item in spec):
            flat[key] = ", ".join(str(item["name"]) for item in spec)
            for item in spec:
                for option, value in item.items():
                    if option != "name":
                        flat[f"{key}.{item['name']}.{option}"] = value
            return flat
        flat[key] = ", ".join(str(v) for v in spec)
        return flat
    flat[key] = spec
    return flat


def spec_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The fields that differ between two specs: ``(field, old value, new value)``; a field
    missing on one side is None there."""
    before, after = flatten_spec(old), flatten_spec(new)
    fields = list(before) + [f for f in after if f not in before]
    return [(f, before.get(f), after.get(f)) for f in fields
            if json.dumps(before.get(f), default=str) != json.dumps(after.get(f), default=str)]


def absolute_paths(data: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """A copy of a spec whose relative ``path`` / ``*_path`` options are made absolute against
    ``base_dir``, so the spec means the same files wherever it is written."""
    data = deepcopy(data)
    for slot in SLOTS:
        options = data.get(slot)
        if not isinstance(options, dict):
            continue
        for key, value in options.items():
            if (key == "path" or key.endswith("_path")) and isinstance(value, str) and value \
                    and not Path(value).is_absolute():
                options[key] = str((base_dir / value).resolve())
    return data


# ---------------------------------------------------------------- reading


def read_spec_file(path: str | Path) -> dict[str, Any]:
    """The mapping in a YAML or JSON file, or a SpecError naming the file and line."""
    path = Path(path)
    if not path.exists():
        raise SpecError(f"spec file {path} not found", hint="check the path, or run without "
                        "a spec to use the bundled default")
    if path.is_dir():
        raise SpecError(f"{path} is a folder, not a spec file")
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError("not a text file (expected YAML or JSON)", where=str(path)) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(raw)
        else:
            data = yaml.safe_load(raw)
    except json.JSONDecodeError as exc:
        raise SpecError(f"invalid JSON: {exc.msg}",
                        where=f"{path}:{exc.lineno}:{exc.colno}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"invalid YAML: {problem}", where=where) from None
    if data is None:
        raise SpecError("the spec file is empty", where=str(path))
    if not isinstance(data, dict):
        raise SpecError("a spec must be a mapping of fields (task, dataset, ...)", where=str(path))
    return data


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``--set a.b=value`` overrides; values are read as YAML scalars."""
    data = deepcopy(data)
    for item in overrides:
        if "=" not in item:
            raise SpecError(f"expected FIELD=VALUE, got {item!r}", where="--set",
                            hint="e.g. --set training.epochs=5")
        key, _, raw_value = item.partition("=")
        parts = [p for p in key.strip().split(".") if p]
        if not parts:
            raise SpecError(f"no field named in {item!r}", where="--set")
        if parts[0] not in TOP_LEVEL:
            raise SpecError(f"unknown field {parts[0]!r}.{did_you_mean(parts[0], TOP_LEVEL)}",
                            where=f"--set {key}", hint="fields: " + ", ".join(TOP_LEVEL))
        try:
            value = yaml.safe_load(raw_value) if raw_value.strip() else None
        except yaml.YAMLError:
            value = raw_value
        if parts[0] in LISTS and len(parts) == 1 and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if parts[0] == "training" and len(parts) == 2 and parts[1] in TRAINING_ALIASES:
            field, convert = TRAINING_ALIASES[parts[1]]
            parts = ["training", field]
            value = convert(value) if convert else value
        _set_path(data, parts, value)
    return data


def set_field(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted field of a raw spec in place (``training.epochs``, ``strategy``...).

    Naming another component for a slot drops the old component's options.
    """
    _set_path(data, [p for p in path.split(".") if p], value)


def retarget(data: dict[str, Any], task: str, manager: PluginManager) -> list[str]:
    """Switch a raw spec to ``task`` in place: each component that does not support it gives
    way to the task's default (its bundled sample data, its default backbone, strategy and
    metrics); what supports it stays. Returns a phrase per replaced part."""
    from .tasks import describe

    family = describe(task)  # its defaults, without building it (no torch in chat)
    defaults = {**_task_defaults(family), "dataset": family.default_dataset}
    data["task"] = task
    changed = []

    def supports(kind: str, value: Any) -> bool:
        name = value.get("name") if isinstance(value, dict) else value
        try:
            component = manager.get(kind, str(name)) if name else None
        except TunekitError:  # not installed: it gives way as well
            return False
        return component is not None and task in component.tasks

    for slot in SLOTS:
        current = data.get(slot)
        if current is not None and supports(slot, current):
            continue
        fallback = defaults[slot]
        if current is None and fallback is None:
            continue
        if fallback is None:
            data.pop(slot, None)
        else:
            data[slot] = fallback if isinstance(fallback, dict) else {"name": fallback}
        name = data.get(slot, {}).get("name") if isinstance(data.get(slot), dict) else None
        changed.append(f"{slot}: {name}" if name else f"{slot}: (to choose)")
    for key, kind in LISTS.items():
        items = data.get(key)
        if items is None:
            continue
        kept = [item for item in items if supports(kind, item)]
        if key == "metrics" and not kept:
            kept = list(defaults["metrics"])
        if kept != items:
            data[key] = kept
            changed.append(f"{key}: {', '.join(_item_name(i) for i in kept) or 'none'}")
    return changed


def _item_name(item: Any) -> str:
    return str(item.get("name") if isinstance(item, dict) else item)


def _set_path(data: dict[str, Any], parts: list[str], value: Any) -> None:
    slot = parts[0]
    if slot in SLOTS:
        current = data.get(slot)
        if current is None and slot != "dataset":
            # parse_spec will use the default component: an option set now applies to it
            current = DEFAULT_SPEC[slot]
        current = {"name": current} if isinstance(current, str) else dict(current or {})
        if len(parts) == 1 or parts[1:] == ["name"]:
            new = value if isinstance(value, dict) else {"name": value}
            # another component: the old one's options would not apply
            data[slot] = new if new.get("name") != current.get("name") else {**current, **new}
            return
        data[slot] = current
    target = data
    for part in parts[:-1]:
        nxt = target.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            target[part] = nxt
        target = nxt
    target[parts[-1]] = value


# ---------------------------------------------------------------- validation


def parse_spec(data: dict[str, Any], manager: PluginManager, *, base_dir: Path | None = None,
               source: str | None = None, overrides: list[str] = ()) -> RunSpec:
    """Validate a spec mapping against the installed components; return a RunSpec."""
    data = apply_overrides(data, list(overrides)) if overrides else deepcopy(data)
    unknown = [k for k in data if k not in TOP_LEVEL]
    if unknown:
        key = str(unknown[0])
        where = key if key.strip() else f"the field {key!r}"  # a blank name is still a place
        if key in Training.model_fields or key in TRAINING_ALIASES:
            raise SpecError("unknown field here: it belongs under training", where=key,
                            hint=f"write training: {{{key}: ...}} or --set training.{key}=...")
        raise SpecError(f"unknown field.{did_you_mean(key, TOP_LEVEL)}", where=where,
                        hint="fields: " + ", ".join(TOP_LEVEL))
    for key in ("dataset",):
        if key not in data or data[key] in (None, ""):
            raise SpecError("required: which data to train on, e.g. {name: csv, path: data.csv}",
                            where=key)
    task = data.get("task") or TEXT_CLASSIFICATION
    if not isinstance(task, str):
        raise SpecError(f"expected a task name, got {task!r}", where="task")
    tasks = sorted({t for c in manager.components() for t in c.tasks})
    if task not in tasks:
        raise SpecError(f"unknown task {task!r}.{did_you_mean(task, tasks)} "
                        f"Tasks the installed plugins support: {', '.join(tasks)}", where="task")
    from .tasks import describe

    defaults = _task_defaults(describe(task))
    resolved: dict[str, Any] = {"task": task}
    for slot in SLOTS:
        value = data.get(slot)
        if value is None:
            value = defaults[slot]
            if value is None:
                raise SpecError(f"required for the task {task!r}: which {slot} to use",
                                where=slot)
        resolved[slot] = _resolve_component(manager, slot, value, slot, task)
    try:
        raw = data.get("training") or {}
        training = Training.model_validate(training_aliases(raw) if isinstance(raw, dict)
                                           else raw)
    except ValidationError as exc:
        raise SpecError(_pydantic_message(exc, "training")) from None
    resolved["training"] = training.model_dump()
    for key, kind in LISTS.items():
        items = data.get(key, defaults[key])
        if items is None:
            items = []
        if isinstance(items, str):
            items = [v.strip() for v in items.split(",") if v.strip()]
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise SpecError(f"expected a list of {key}, got {items!r}", where=key)
        resolved_items = [_resolve_component(manager, kind, item, f"{key}[{i}]", task)
                          for i, item in enumerate(items)]
        names = [item["name"] for item in resolved_items]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise SpecError(f"{sorted(dupes)[0]!r} is listed twice", where=key)
        resolved[key] = resolved_items
    _check_early_stopping(resolved, manager)
    return RunSpec(resolved, base_dir=base_dir, source=source)


def _task_defaults(task: Any) -> dict[str, Any]:
    """What a spec of ``task`` gets for the fields it leaves out."""
    if task.name == TEXT_CLASSIFICATION:
        return DEFAULT_SPEC
    return {**DEFAULT_SPEC, "dataset": None, "backbone": task.default_backbone,
            "strategy": {"name": task.default_strategy},
            "metrics": list(task.default_metrics)}


def load_spec(path: str | Path | None, manager: PluginManager,
              overrides: list[str] = ()) -> RunSpec:
    """Read and validate a spec file; ``None`` means the bundled default."""
    if path is None:
        return parse_spec(DEFAULT_SPEC, manager, overrides=overrides, source="bundled default")
    path = Path(path)
    data = read_spec_file(path)
    try:
        return parse_spec(data, manager, base_dir=path.resolve().parent, source=str(path),
                          overrides=overrides)
    except (SpecError, UnknownComponentError) as exc:
        if not (exc.where or "").startswith("--set"):  # overrides are not in the file
            exc.where = f"{path}: {exc.where}" if exc.where else str(path)
        raise


def _resolve_component(manager: PluginManager, kind: str, value: Any, where: str,
                       task: str) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise SpecError(f"expected a name or a mapping with 'name', got {value!r}", where=where)
    if not value.get("name"):
        raise SpecError("missing 'name'", where=where,
                        hint=f"installed {kind}s: " + ", ".join(manager.names(kind)))
    component = manager.get(kind, str(value["name"]), where=f"{where}.name", task=task)
    if task not in component.tasks:
        raise SpecError(f"{kind} {component.name!r} does not support the task {task!r} "
                        f"(it supports: {', '.join(component.tasks)})", where=where)
    options = {k: v for k, v in value.items() if k != "name"}
    return {"name": component.name, **component.resolve_options(options, where)}


def _check_early_stopping(resolved: dict[str, Any], manager: PluginManager) -> None:
    stopping = resolved["training"].get("early_stopping")
    if not stopping:
        return
    metric = stopping["metric"]
    if metric is None:
        return
    scalars = {"loss"} | {m["name"] for m in resolved["metrics"]}
    if metric not in scalars:
        raise SpecError(
            f"{metric!r} is not computed by this run.{did_you_mean(metric, scalars)} "
            f"Choose one of: {', '.join(sorted(scalars))}",
            where="training.early_stopping.metric",
        )


def _pydantic_message(exc: ValidationError, prefix: str) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join([prefix, *(str(p) for p in err["loc"])])
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            fields = Training.model_fields if len(err["loc"]) == 1 else EarlyStopping.model_fields
            message = (f"unknown field.{did_you_mean(str(err['loc'][-1]), fields)} "
                       f"Fields: {', '.join(fields)}")
        elif "input" in err and err["type"] not in ("missing",):
            message = f"{message}, got {err['input']!r}"
        lines.append(f"{where}: {message}")
    return "\n".join(lines)
