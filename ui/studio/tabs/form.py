"""The run card's form: one field per spec setting, built from the live component catalog.

Every component option comes from the component's ``params`` (type, default, help, choices),
so a plugin installed today gets its fields today. A field names the spec path it edits
(``training.epochs``, ``strategy.r``) and, for a component's option, the component it belongs
to; the card shows only the fields of the chosen task, dataset, backbone and strategy.
Values go both ways: ``value_of`` reads a field from the assistant's spec, ``parse`` turns what
a person typed into a spec value (or a FormError that says what is wrong, for a person).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import gradio as gr
import yaml
from tunekit.spec import LISTS, SCHEDULERS

SLOTS = ("dataset", "backbone", "strategy")


class FormError(ValueError):
    """A value typed into the form that cannot be used."""


@dataclass(frozen=True)
class FormField:
    """One input of the run card."""

    path: str  # the spec field it edits: "training.epochs", "strategy.r", "dataset.name"
    label: str
    kind: str  # int | float | bool | text | list | mapping | choice | columns | component
    #            | names | toggle
    section: str  # task | dataset | backbone | strategy | training | advanced | outputs
    help: str = ""
    optional: bool = False  # empty means "the default"
    owner: str | None = None  # the component this option belongs to (shown only with it)
    choices: tuple[Any, ...] = ()
    default: Any = None

    @property
    def slot(self) -> str:
        return self.path.split(".")[0]

    @property
    def option(self) -> str:
        return self.path.split(".", 1)[1] if "." in self.path else ""

    @property
    def key(self) -> str:
        """Unique among the fields: the path, with the owning component for options."""
        return f"{self.slot}.{self.owner}.{self.option}" if self.owner else self.path

    @property
    def api_name(self) -> str:
        return "set_" + re.sub(r"[^a-z0-9]+", "_", self.key.lower()).strip("_")


TRAINING_FIELDS = (
    ("epochs", "Epochs", "int", "training", True,
     "passes over the training data; empty: the strategy's default"),
    ("learning_rate", "Learning rate", "float", "training", True,
     "step size; empty: the strategy's default (adapters and fresh heads want higher rates)"),
    ("batch_size", "Batch size", "int", "training", False, "examples per step"),
    ("weight_decay", "Weight decay", "float", "training", False,
     "pulls weights towards zero; more of it fights overfitting"),
    ("dropout", "Dropout", "float", "advanced", True,
     "share of activations dropped while training; empty: the model's own"),
    ("seed", "Seed", "int", "advanced", False, "same seed, same data, same result"),
    ("max_length", "Max length (tokens)", "int", "advanced", False,
     "longer texts are cut to this many tokens"),
    ("warmup_ratio", "Warm-up ratio", "float", "advanced", False,
     "share of the steps spent ramping the learning rate up"),
    ("max_grad_norm", "Clip gradients at", "float", "advanced", True,
     "largest gradient norm; empty: no clipping"),
    ("gradient_accumulation_steps", "Accumulate batches", "int", "advanced", False,
     "batches summed into one update: a larger effective batch in the same memory"),
    ("label_smoothing", "Label smoothing", "float", "advanced", False,
     "share of the target spread over the other classes; 0.1 tempers overconfidence"),
    ("log_every", "Log every (steps)", "int", "advanced", False,
     "steps between points of the training-loss curve"),
)
# fields with their own widgets below, or that hold more than one value
SPECIAL_TRAINING = {"scheduler", "class_weights", "early_stopping", "report_to",
                    "generation_prompts"}


def schema_training_fields() -> list[FormField]:
    """Every other Training field, read off core/spec.py's schema (its type, its choices and
    its description), so a knob added there is in the form without a line here."""
    import types
    import typing

    from tunekit.spec import Training

    listed = {name for name, *_ in TRAINING_FIELDS} | SPECIAL_TRAINING
    fields = []
    for name, info in Training.model_fields.items():
        if name in listed:
            continue
        given = [a for a in typing.get_args(info.annotation) if a is not type(None)] \
            if isinstance(info.annotation, types.UnionType) else [info.annotation]
        kind, choices = None, ()
        if len(given) == 1 and typing.get_origin(given[0]) is typing.Literal:
            kind, choices = "choice", typing.get_args(given[0])
        elif given in ([bool], [int], [float]):
            kind = given[0].__name__
        if kind is None:  # a shape the form has no widget for: the spec file and --set say it
            continue
        label = name.replace("_", " ").capitalize()
        fields.append(FormField(f"training.{name}", label, kind, "advanced",
                                info.description or "", optional=info.default is None,
                                choices=choices))
    return fields


def build_fields(manager: Any) -> list[FormField]:
    """The card's fields for everything installed (hidden ones included)."""
    components = manager.components()
    tasks = sorted({t for c in components for t in c.tasks})
    fields = [FormField("task", "Task", "choice", "task", choices=tuple(tasks),
                        help="what the model learns to do")]
    for slot in SLOTS:
        names = tuple(manager.names(slot))
        fields.append(FormField(f"{slot}.name", slot.capitalize(), "component", slot,
                                choices=names))
        for component in sorted(manager.components(slot), key=lambda c: c.name):
            for param in component.params:
                fields.append(_param_field(slot, component, param))
    for name, label, kind, section, optional, help_text in TRAINING_FIELDS:
        fields.append(FormField(f"training.{name}", label, kind, section, help_text, optional))
    fields += [
        FormField("training.scheduler", "Learning-rate schedule", "choice", "advanced",
                  "transformers' schedules (constant: no warm-up; the others warm up first), "
                  "or slanted-triangular",
                  choices=SCHEDULERS),
        *schema_training_fields(),
        FormField("training.class_weights", "Class weights", "choice", "advanced",
                  "balanced: rare classes weigh more in the loss; empty: all examples alike",
                  optional=True, choices=("balanced",)),
        FormField("training.early_stopping", "Early stopping", "toggle", "advanced",
                  "stop when the validation score stops improving"),
        FormField("training.early_stopping.patience", "Patience (evaluations)", "int",
                  "advanced", "evaluations without improvement before stopping"),
        FormField("metrics", "Metrics", "names", "outputs",
                  choices=tuple(manager.names("metric"))),
        FormField("exporters", "Exports", "names", "outputs",
                  choices=tuple(manager.names("exporter"))),
        FormField("augmentations", "Augmentation (training data only)", "names", "advanced",
                  "adds perturbed copies of the training examples; validation and test are "
                  "never changed", choices=tuple(manager.names("augmentation"))),
    ]
    return fields


def _param_field(slot: str, component: Any, param: Any) -> FormField:
    type_name = param.type.__name__
    if param.choices:
        kind = "choice"
    elif type_name == "str" and param.name.endswith("_column"):
        kind = "columns"
    else:
        kind = {"int": "int", "float": "float", "bool": "bool", "str": "text", "list": "list",
                "dict": "mapping"}[type_name]
    label = param.name.replace("_", " ").capitalize() + (" *" if param.required else "")
    return FormField(f"{slot}.{param.name}", label, kind, slot, param.help,
                     optional=not param.required and param.default is None,
                     owner=component.name, choices=tuple(param.choices), default=param.default)


# ---------------------------------------------------------------- widgets


def make_widget(field: FormField) -> gr.components.Component:
    """The Gradio input for a field (values and visibility are filled in by ``update``)."""
    common = {"label": field.label, "info": field.help or None, "visible": field.owner is None}
    if field.kind in ("int", "float"):
        return gr.Number(precision=0 if field.kind == "int" else None, **common)
    if field.kind in ("bool", "toggle"):
        return gr.Checkbox(**common)
    if field.kind in ("choice", "component"):
        return gr.Dropdown(choices=list(field.choices), **common)
    if field.kind == "columns":
        return gr.Dropdown(choices=[], allow_custom_value=True, **common)
    if field.kind == "names":
        return gr.CheckboxGroup(choices=list(field.choices), **common)
    placeholder = {"list": "comma-separated", "mapping": "YAML or JSON mapping"}.get(field.kind)
    return gr.Textbox(placeholder=placeholder or ("empty: default" if field.optional else None),
                      **common)


def triggers(field: FormField, widget: Any) -> list[Any]:
    """The events that mean "a person changed this field" (never a programmatic update)."""
    if isinstance(widget, gr.Textbox | gr.Number):
        return [widget.submit, widget.blur]
    return [widget.input]


# ---------------------------------------------------------------- values both ways


def value_of(field: FormField, spec: dict[str, Any], selected: dict[str, str],
             manager: Any) -> Any:
    """What the field shows for ``spec`` (the assistant's resolved spec)."""
    if field.kind == "component":
        return selected.get(field.slot)
    if field.owner:
        block = spec.get(field.slot)
        if isinstance(block, dict) and block.get("name") == field.owner:
            value = block.get(field.option, field.default)
        else:
            value = field.default
        return _shown(field, value)
    if field.kind == "names":
        items = spec.get(field.path) or []
        if isinstance(items, str):
            items = [items]
        return [item.get("name") if isinstance(item, dict) else item for item in items]
    if field.kind == "toggle":
        return (spec.get("training") or {}).get("early_stopping") is not None
    value: Any = spec
    for part in field.path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return _shown(field, value)


def _shown(field: FormField, value: Any) -> Any:
    if value is None:
        return None if field.kind in ("int", "float") else ("" if field.kind in (
            "text", "list", "mapping", "columns") else value)
    if field.kind == "list" and isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if field.kind == "mapping" and isinstance(value, dict):
        return json.dumps(value)
    return value


def parse(field: FormField, raw: Any) -> Any:
    """The spec value for what was typed, or FormError naming the field."""
    label = field.label.rstrip(" *")
    if isinstance(raw, str):
        raw = raw.strip()
    empty = raw is None or raw == "" or raw == []
    if field.kind in ("int", "float"):
        return _number(field, label, raw, empty)
    if field.kind in ("bool", "toggle"):
        if isinstance(raw, str):
            return raw.lower() in ("true", "yes", "on", "1")
        return bool(raw)
    if field.kind == "names":
        if isinstance(raw, str):
            raw = [v.strip() for v in raw.split(",") if v.strip()]
        return [str(v) for v in raw or []]
    if field.kind == "list":
        if empty:
            return None
        if isinstance(raw, list):
            return raw
        return [v.strip() for v in str(raw).split(",") if v.strip()]
    if field.kind == "mapping":
        return None if empty else _mapping(label, raw)
    if empty:
        if field.kind in ("component", "choice") and not field.optional and not field.owner:
            raise FormError(f"choose a {label.lower()}")
        return None
    return str(raw)


def _number(field: FormField, label: str, raw: Any, empty: bool) -> int | float | None:
    if empty:
        if field.optional:
            return None
        raise FormError(f"{label} needs a number")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise FormError(f"{label}: {raw!r} is not a number") from None
    if field.kind == "int":
        if number != int(number):
            raise FormError(f"{label} must be a whole number, got {raw}")
        return int(number)
    return number


def _mapping(label: str, raw: Any) -> dict[str, Any]:
    try:
        value = yaml.safe_load(raw) if isinstance(raw, str) else raw
    except yaml.YAMLError:
        raise FormError(f"{label}: not a YAML or JSON mapping") from None
    if not isinstance(value, dict):
        raise FormError(f"{label}: expected a mapping like {{key: value}}")
    return value


def update(field: FormField, spec: dict[str, Any], selected: dict[str, str], manager: Any,
           columns: list[str], task: str) -> dict[str, Any]:
    """The gr.update for one field: its value, whether it applies, its choices."""
    value = value_of(field, spec, selected, manager)
    changes: dict[str, Any] = {"value": value}
    if field.owner:
        changes["visible"] = selected.get(field.slot) == field.owner
    if field.kind == "component":
        changes["choices"] = [(f"{c.title} ({c.name})", c.name) for c in sorted(
            manager.components(field.slot), key=lambda c: c.name) if task in c.tasks]
        component = _component(manager, field.slot, value)
        changes["info"] = component.description if component else None
    if field.kind == "names":
        kind = LISTS[field.path]
        changes["choices"] = [c.name for c in manager.components(kind) if task in c.tasks]
    if field.kind == "columns":
        choices = list(columns)
        if value and value not in choices:
            choices.append(value)
        changes["choices"] = choices
    if field.path == "training.early_stopping.patience":
        changes["visible"] = (spec.get("training") or {}).get("early_stopping") is not None
    if field.path in ("training.epochs", "training.learning_rate"):
        strategy = _component(manager, "strategy", selected.get("strategy"))
        if strategy is not None:
            default = (strategy.default_epochs if field.path.endswith("epochs")
                       else f"{strategy.default_learning_rate:g}")
            changes["info"] = f"empty: {strategy.name}'s default ({default})"
    return changes


def _component(manager: Any, kind: str, name: Any) -> Any:
    if not name:
        return None
    try:
        return manager.get(kind, str(name))
    except Exception:  # noqa: BLE001 - an unknown name just has no description
        return None


def missing_required(manager: Any, slot: str, name: str, options: dict[str, Any]) -> list[str]:
    """The required options of component ``name`` not given in ``options``."""
    component = _component(manager, slot, name)
    if component is None:
        return []
    return [p.name for p in component.params if p.required and options.get(p.name) in (None, "")]
