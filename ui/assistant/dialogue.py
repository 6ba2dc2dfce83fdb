"""The conversation: a draft spec filled slot by slot, corrections, questions, confirmation."""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tunekit.errors import TunekitError
from tunekit.spec import DEFAULT_SPEC, parse_spec, set_field

from .datafile import Preview, peek
from .knowledge import answer, is_question, recommend
from .language import normalise
from .understand import Catalog, understand

CONFIRM = re.compile(r"^(?:yes|yep|yeah|yup|y|ok|okay|sure|go|go ahead|go for it|do it|launch|"
                     r"launch it|start|start it|start training|train it|run it|let'?s go|confirm|"
                     r"confirmed|sounds good|looks good|perfect|great|please do|ship it|lgtm)"
                     r"(?:\s*(?:please|now|then|,? ?thanks|it|!|\.|the run|training))*[.!]*$")
DECLINE = re.compile(r"^(?:no|nope|not yet|wait|hold on|stop|cancel|don'?t start|n)\b")
UNDO = re.compile(r"^(?:undo|revert|go back|scratch that|never ?mind|cancel that|undo that|"
                  r"take that back)\b")
ASKING = re.compile(r"^(?:what|why|how|explain|tell me|which|is|are|does|do i|should i|what's|"
                    r"whats|difference|when should)\b")
RESET = re.compile(r"^(?:start over|reset|clear|new run|begin again)\b")

LAUNCH, CHANGE = "Start training", "Change something"


@dataclass
class Reply:
    """What the assistant says: text, clickable choices, the draft spec, and an action."""

    text: str
    choices: list[str] = field(default_factory=list)
    spec: dict[str, Any] = field(default_factory=dict)
    action: str | None = None  # "launch" once the person confirmed


class Assistant:
    """Turns a person's words into a RunSpec and explains runs. No Gradio here: the CLI, the
    studio and the tests all talk to this class.

        assistant = Assistant(manager)
        reply = assistant.respond("fine-tune on tickets.csv with LoRA for 5 epochs")
        reply = assistant.respond("yes")   # reply.action == "launch"
    """

    def __init__(self, manager: Any, draft: dict[str, Any] | None = None,
                 base_dir: str | Path | None = None):
        self.manager = manager
        self.catalog = Catalog(manager.components())
        self.draft: dict[str, Any] = deepcopy(draft or DEFAULT_SPEC)
        self.history: list[dict[str, Any]] = []
        self.base_dir = Path(base_dir) if base_dir else Path.cwd()
        self.awaiting_confirmation = False
        self.pending: tuple[str, list[str]] | None = None  # (field, choices) of a question
        self.preview: Preview | None = None

    # ------------------------------------------------------------ the turn

    def respond(self, message: str) -> Reply:
        text = normalise(message or "")
        if not text:
            return self._reply("Tell me what you would like to train, in your own words.")
        if UNDO.match(text):
            return self._undo()
        if RESET.match(text):
            self._remember()
            self.draft = deepcopy(DEFAULT_SPEC)
            self.preview, self.pending = None, None
            return self._show("Starting over from the bundled default.")
        if self.pending and self._answer_pending(message):
            return self._after_change([])
        if ASKING.match(text):  # "what is LoRA?" explains; it does not switch to LoRA
            said = answer(message, self.catalog, self.preview, self.draft)
            if said:
                return self._reply(said, [LAUNCH, CHANGE] if self.awaiting_confirmation else [])
        understood = understand(message, self.catalog, self.draft)
        if not understood and CONFIRM.match(text):
            return self._confirm()
        if not understood and DECLINE.match(text):
            self.awaiting_confirmation = False
            return self._reply("No problem: nothing is running. What would you like to change?")
        if not understood and is_question(message):
            said = answer(message, self.catalog, self.preview, self.draft)
            if said:
                return self._reply(said, [LAUNCH, CHANGE] if self.awaiting_confirmation else [])
        if not understood:
            if understood.unknown:
                return self._reply(f"I have no plugin for {understood.unknown[0]}.")
            return self._reply(
                "I did not catch a setting in that. Try, for example: \"train on data/tickets.csv "
                "with LoRA for 5 epochs\", \"keep the pretrained layers fixed\", \"lr 3e-5\", or "
                "ask \"which strategy should I use?\".",
                ["Use the sample data", "Which strategy should I use?"])
        return self._apply(understood)

    # ------------------------------------------------------------ changes

    def _apply(self, understood: Any) -> Reply:
        previous = deepcopy(self.draft)
        for path, value in understood.changes.items():
            if path == "dataset":  # other data: the old file's columns no longer apply
                self.draft["dataset"] = dict(value)
            else:
                set_field(self.draft, path, value)
        try:
            parse_spec(self.draft, self.manager, base_dir=self.base_dir)
        except TunekitError as exc:
            self.draft = previous
            return self._reply(f"I could not use that: {exc}")
        self.history.append(previous)
        if "dataset" in understood.changes:
            self._look_at_data()
        return self._after_change(understood.noticed)

    def _after_change(self, noticed: list[str]) -> Reply:
        question = self._next_question()
        if question:
            return question
        said = f"Got it — {'; '.join(noticed)}." if noticed else "Got it."
        return self._show(said)

    def _look_at_data(self) -> None:
        dataset = self.draft.get("dataset") or {}
        path = dataset.get("path") if isinstance(dataset, dict) else None
        self.preview = None
        if not path:
            return
        file = Path(path).expanduser()
        file = file if file.is_absolute() else self.base_dir / file
        if file.is_file():
            self.preview = peek(file)
            dataset.setdefault("text_column", None)
            if self.preview.text_column and not dataset.get("text_column"):
                dataset["text_column"] = self.preview.text_column
            if self.preview.label_column and not dataset.get("label_column"):
                dataset["label_column"] = self.preview.label_column
            if dataset.get("text_column") is None:
                dataset.pop("text_column")

    def _next_question(self) -> Reply | None:
        """One question at a time, with choices: the columns when the file leaves them open."""
        preview = self.preview
        dataset = self.draft.get("dataset") or {}
        if preview is None or preview.problem or not isinstance(dataset, dict):
            return None
        for key, role in (("label_column", "label"), ("text_column", "text")):
            if not dataset.get(key):
                choices = [c for c in preview.columns if c != dataset.get("label_column")]
                self.pending = (f"dataset.{key}", choices)
                return self._reply(f"Which column of {Path(preview.path).name} holds the {role}? "
                                   f"({preview.describe()})", choices)
        self.pending = None
        return None

    def _answer_pending(self, message: str) -> bool:
        path, choices = self.pending
        said = message.strip().strip("\"'`").lower()
        for choice in choices:
            if said == choice.lower() or re.search(rf"\b{re.escape(choice.lower())}\b", said):
                self._remember()
                set_field(self.draft, path, choice)
                self.pending = None
                return True
        return False

    def _remember(self) -> None:
        self.history.append(deepcopy(self.draft))

    def _undo(self) -> Reply:
        if not self.history:
            return self._reply("There is nothing to undo.")
        self.draft = self.history.pop()
        self.pending = None
        self._look_at_data()
        return self._show("Undone.")

    # ------------------------------------------------------------ confirmation

    def _confirm(self) -> Reply:
        if not self.awaiting_confirmation:
            return self._show("Here is the run I would start.")
        try:
            spec = parse_spec(self.draft, self.manager, base_dir=self.base_dir)
        except TunekitError as exc:
            return self._reply(f"I cannot start it yet: {exc}")
        self.awaiting_confirmation = False
        return Reply("Starting the run.", [], spec.to_dict(), action="launch")

    def _show(self, lead: str) -> Reply:
        self.awaiting_confirmation = True
        return self._reply(f"{lead}\n\n{self.summary()}\n\nShall I start it?", [LAUNCH, CHANGE])

    def _reply(self, text: str, choices: list[str] | None = None) -> Reply:
        return Reply(text, choices or [], self.spec())

    # ------------------------------------------------------------ edits from a form

    def set(self, path: str, value: Any) -> Reply:
        """Set one field as a form would (``training.epochs``, ``strategy``...): validated,
        undoable, and the chat sees it like anything said."""
        from .understand import Understanding

        change = Understanding()
        change.set(path, value, f"{path}: {value}")
        return self._apply(change)

    def use_file(self, path: str | Path) -> Reply:
        """Train on an uploaded or named file (CSV, TSV or JSONL)."""
        suffix = Path(path).suffix.lower()
        name = "jsonl" if suffix in (".jsonl", ".ndjson", ".json") else "csv"
        return self.set("dataset", {"name": name, "path": str(path)})

    # ------------------------------------------------------------ the spec

    def spec(self) -> dict[str, Any]:
        """The draft, resolved with every default (what ``tunekit chat --json`` prints)."""
        try:
            return parse_spec(self.draft, self.manager, base_dir=self.base_dir).to_dict()
        except TunekitError:
            return deepcopy(self.draft)

    def summary(self) -> str:
        spec = self.spec()
        strategy = self.catalog.get("strategy", spec["strategy"]["name"])
        training = spec["training"]
        epochs = training.get("epochs") or (strategy.default_epochs if strategy else "?")
        rate = training.get("learning_rate") or (strategy.default_learning_rate if strategy
                                                 else "?")
        options = ", ".join(f"{k} {v}" for k, v in spec["strategy"].items()
                            if k != "name" and v is not None)
        data = spec["dataset"]
        where = data.get("path") or data["name"]
        columns = ""
        if data.get("text_column") or data.get("label_column"):
            columns = f" (text: {data.get('text_column') or 'auto'}, label: " \
                      f"{data.get('label_column') or 'auto'})"
        backbone = spec["backbone"].get("model") or spec["backbone"]["name"]
        lines = [
            f"- **data**: {where}{columns}",
            f"- **model**: {backbone}",
            f"- **strategy**: {spec['strategy']['name']}{f' ({options})' if options else ''}",
            f"- **training**: {epochs} epochs, learning rate {rate:g}, batch size "
            f"{training['batch_size']}, weight decay {training['weight_decay']}"
            + (f", dropout {training['dropout']}" if training.get("dropout") is not None else ""),
            f"- **metrics**: {', '.join(m['name'] for m in spec['metrics'])}; **exports**: "
            f"{', '.join(e['name'] for e in spec['exporters']) or 'none'}",
        ]
        if self.preview and not self.preview.problem:
            lines.append(f"- **your data**: {self.preview.describe()}")
        return "\n".join(lines)

    def recommend(self) -> str:
        return recommend(self.preview, self.catalog)
