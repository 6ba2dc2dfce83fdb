"""The conversation: a draft spec filled slot by slot, corrections, questions, confirmation.

A turn is, in this order: undo or start over; the answer to a pending question; the
acceptance of what the last reply offered (tool_talk.py); a confirmation or a refusal; a tool
asked for (the data check, the learning-rate finder, a bake-off, a sweep: tool_words.py); then
the message read sentence by sentence, questions answered and requests applied. Nothing
launches unless the run was shown and the person then said yes, and nothing that trains starts
unless it was offered and the person then accepted it.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tunekit.errors import TunekitError
from tunekit.spec import DEFAULT_SPEC, LISTS, parse_spec, retarget, set_field

from .datafile import Preview, peek, refusal
from .knowledge import (
    NOTES,
    POINTER,
    answer,
    data_noun,
    giving_data,
    how_to_give,
    question_focus,
    question_kind,
    recommend,
)
from .language import NUMBER, normalise, sentences
from .list_words import for_task
from .refer_words import asked_about
from .tool_talk import (
    Offer,
    Said,
    check_data,
    offer_bakeoff,
    offer_lr_find,
    offer_resume,
    offer_sweep,
    resume_offers,
    starting,
)
from .tool_words import BAKEOFF, CHECK_DATA, FORCE, LR_FIND, RESUME, SWEEP, ToolRequest, read_tool
from .understand import Catalog, Understanding, understand, understand_file

# a turn made only of these words confirms; one of the STARTING words is a clear "start it"
STARTING = frozenset("""start launch go run train begin kick proceed execute fire ship engage
do confirm confirmed""".split())
AGREEING = frozenset("""yes yep yeah yup y ya ok okay sure fine good great perfect correct right
alright absolutely definitely lgtm affirmative exactly cool nice excellent awesome
agreed""".split())
FILLER = frozenset("""please now then thanks thank you it the run training model off away ahead
let's lets let us we can you i and that's thats that all looks sounds seems good to me for it's
this just so go on with a right away already up ready is am are set please! sir!""".split())
DECLINE = re.compile(r"^(?:no|nope|nah|not yet|not now|wait|hold on|hold off|stop|cancel|"
                     r"don'?t start|do not start|n|never ?mind)\b(?:[\s,.!]*(?:thanks|thank you|"
                     r"not yet|wait|for now|please))*[\s.!]*$")
UNDO = re.compile(r"^(?:oops,? )?(?:undo|revert|go back|scratch that|cancel that|take that back|"
                  r"forget that|forget it|never ?mind that|back)(?:,? (?:that|it|this|the last "
                  r"(?:change|one|thing|step)|one step|last|please|again))*[\s.!]*$")
RESET = re.compile(r"^(?:start over|start again|reset|clear|new run|begin again|from the top|"
                   r"start fresh|start from scratch)(?: everything| all| the run| the spec| it|"
                   r"please|,)*[\s.!]*$")
SHOW = re.compile(r"^(?:show|what'?s|what is|summari[sz]e|review|recap)\b.*\b(?:spec|config|"
                  r"configuration|settings|setup|plan|run|so far)\b|^(?:summary|status)$")

# a question about what something is, or how two compare: answered, never read as the job
ASKS_ABOUT = re.compile(r"^(?:what(?:'s| is| are| does| do)\b|whats\b|why\b|explain|define|"
                        r"describe|compare|meaning of|tell me (?:about|what|more))|"
                        r"\b(?:difference between|vs\.?|versus|supported|possible|better|"
                        r"worse|best|should (?:i|we) use|recommend\w*)\b")

LAUNCH, CHANGE = "Start training", "Change something"


@dataclass
class Reply:
    """What the assistant says: text, clickable choices, the draft spec, and an action."""

    text: str
    choices: list[str] = field(default_factory=list)
    spec: dict[str, Any] = field(default_factory=dict)
    # once the person confirmed: "launch" (a run of ``spec``), or a tool on ``spec``:
    # "lr-find" ({"steps"}), "bakeoff" ({"strategies", "scratch"}), "sweep" ({"space",
    # "sampler", "trials"}; space maps dotted fields to a list of values or {low, high, log}),
    # or "resume" ({"run"}: carry on that stopped run from its checkpoint)
    action: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)


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
        self.awaiting_confirmation = False  # the run was shown and not changed since
        self.asked_to_start = False  # the last reply ended with "Shall I start it?"
        self.pending: tuple[str, list[str]] | None = None  # (field, choices) of a question
        self.preview: Preview | None = None
        self.last_numbers: list[str] = []  # the numeric fields the last change set
        self.carried: dict[str, Any] = {}  # what the last change left for the next turn
        self.referable: list[tuple[str, str]] = []  # what the last question was about
        # what the last reply offered (tool_talk.py): by choice label, and what a yes accepts
        self.offers: dict[str, Offer] = {}
        self.offer_yes: Offer | None = None
        # the stopped runs this person may resume (tunekit.engine.resumable.Resumable), set by the
        # host that has a registry; None: resuming is pointed to the CLI
        self.runs: Any = None

    # ------------------------------------------------------------ the turn

    def respond(self, message: str) -> Reply:
        """Answer one turn of the conversation."""
        asked, self.asked_to_start = self.asked_to_start, False
        # what the last question was about holds for this turn only (refer_words.py)
        self.referable = self.carried.pop("asked", [])
        offered = (self.offers, self.offer_yes)  # an offer holds for the next turn only
        self.offers, self.offer_yes = {}, None
        text = normalise(message or "")
        if not text:
            return self._reply("Tell me what you would like to train, in your own words.")
        if UNDO.match(text):
            return self._undo()
        if RESET.match(text):
            return self._reset()
        if self.pending and self._answer_pending(message):
            return self._after_change([])
        accepted = _accepted(offered, text, message)
        if accepted is not None:
            return self._accept(accepted)
        confirmation = _confirmation(text)
        if confirmation:
            return self._confirm(strong=confirmation == "start", asked=asked)
        if DECLINE.match(text):
            self.awaiting_confirmation = False
            return self._reply("No problem: nothing is running. What would you like to change?")
        tool = read_tool(message, self.catalog, self.draft)
        if tool is not None and not (tool.kind == LR_FIND and tool.question):
            return self._tool(tool, message, offered[1])
        if SHOW.match(text):
            return self._show("Here is the run so far.")
        before = deepcopy(self.draft)
        reply = self._read(message)
        if tool is not None and self.draft == before:
            # "what learning rate should I use?": the advice, and the finder offered
            reply = self._with_offer(reply, offer_lr_find(self))
        return reply

    def _read(self, message: str) -> Reply:
        """Questions get answers; everything else is read as changes to the draft."""
        questions, requests = [], []
        for sentence in _question_parts(sentences(message)):
            kind = question_kind(sentence)
            if giving_data(sentence):  # "how should I give you the images?": answered
                kind = "question"
            elif kind == "tentative":  # "LoRA with r 16?" asks for a setting
                kind = "request" if self._understand(sentence).changes else "question"
            elif kind == "question" and self._describes_a_job(sentence):
                kind = "request"  # "how do I train something that predicts a number?"
            (questions if kind == "question" else requests).append(sentence)
        understood = self._understand(" ".join(requests)) if requests else Understanding()
        if not understood and requests:  # "make that three": the number just set, again
            understood = self._bare_number(" ".join(requests)) or understood
        for question in questions:  # "could gpt2 learn from notes.txt?": the file is taken
            if giving_data(question):
                self._data_asked_for(understood, question, message)
            else:
                _add(understood, self._settings_asked(question))
        answers = [said for q in questions
                   if (said := self._asked_beyond(q) + self._answer(q, understood))]
        if understood and len(answers) > 1:
            answers = [a for a in answers if not a.startswith(POINTER)] or answers[:1]
        elif understood:  # the settings taken are the reply; a pointer to them is not needed
            answers = [a for a in answers if not a.startswith(POINTER)]
        # what the questions were about, for the next turn to refer to ("show me both")
        about = asked_about(questions + [r for r in requests if r.rstrip().endswith("?")],
                            self.catalog)
        if any(kind == "dataset" for kind, _ in about):  # "is the hub supported for NER?"
            about += [("task", task) for q in questions
                      if (task := self._understand(q).changes.get("task"))]
        if about and understood:
            understood.carried["asked"] = about
        elif about:
            self.carried = {**self.carried, "asked": about}
        if understood:
            reply = self._apply(understood)
            if answers:
                reply.text = "\n\n".join([*answers, reply.text])
            return reply
        if answers:
            return self._reply("\n\n".join(answers),
                               [LAUNCH, CHANGE] if self.awaiting_confirmation else [])
        if understood.unknown:
            return self._reply("I could not use that: "
                               + "; ".join(dict.fromkeys(understood.unknown)) + ".")
        asked = [r for r in requests if r.rstrip().endswith("?")]
        if asked:  # "can I use my own csv?" asks after all
            return self._reply("\n\n".join(self._answer(q) for q in asked),
                               [LAUNCH, CHANGE] if self.awaiting_confirmation else [])
        if _said(message, CHANGE):
            return self._reply("Sure: what would you like to change? The data, the model, the "
                               "strategy, or numbers such as epochs and learning rate.")
        return self._not_understood(message)

    def _describes_a_job(self, question: str) -> bool:
        """A question-shaped sentence that describes the job to train ("how do I train
        something that predicts a number from text?", "is this photo a cat or a dog") rather
        than asking what something is ("what is NER?"): read for its task."""
        if ASKS_ABOUT.search(normalise(question)):
            return False
        if NOTES["data-quality"][1] in self._answer(question):
            return False  # "are 5 pictures per class enough?": a question about the data
        understood = self._understand(question)
        return "task" in understood.changes or any(
            note.startswith("task: ") for note in understood.acknowledged)

    def _asked_beyond(self, question: str) -> str:
        """"can it also explain each prediction with SHAP?": what a question adds to the run
        that nothing here does, said before the answer (only what a connector added: "can you
        explain LoRA?" is a question for the answer alone)."""
        notes = [note for note, added in self._understand(question).leftovers if added]
        return "".join(f"Not taken: {note}.\n\n" for note in dict.fromkeys(notes))

    def _not_understood(self, message: str) -> Reply:
        """The rules read nothing: the catalog ranked by meaning (semantic.py) proposes or
        asks, and only a yes or a button then changes the draft; else examples to follow."""
        from .semantic import ask_task, suggest, task_by_meaning  # loads the model at the
        # first such turn

        meant = task_by_meaning(self, message)
        if meant is not None:
            tasks, sure = meant
            if not sure:  # the two closest, asked
                return self._hold(ask_task(self, tasks))
            return self._read_as(tasks[0], tasks[1:])
        said = suggest(self, message)
        if said is not None:
            return self._hold(said)
        return self._reply(
            "I did not catch a setting in that. Try, for example: \"train on data/tickets.csv "
            "with LoRA for 5 epochs\", \"keep the pretrained layers fixed\", \"lr 3e-5\", or "
            "ask \"which strategy should I use?\".",
            ["Use the sample data", "Which strategy should I use?"])

    def _read_as(self, task: Any, others: list[Any]) -> Reply:
        """The task the semantic fallback is sure of, set and said so it can be corrected
        (the runner-up a button away), and the data asked for."""
        from .tool_talk import Offer

        change = Understanding()
        change.set("task", task.name, f"I read this as **{task.title}** (`{task.name}`: "
                   f"{task.description.rstrip('.')}); if you meant another task, say which")
        change.wants_data = "data"
        reply = self._apply(change)
        for other in others:
            reply.choices.append(other.label)
            self.offers[normalise(other.label).strip(" .!")] = Offer("apply",
                                                                    {"task": other.name})
        return reply

    def _bare_number(self, message: str) -> Understanding:
        """A short correction with a number and no field ("make that 3", "4 is too many, use
        2", "actually 5e-5", "double it") changes the one number the previous turn set."""
        found = Understanding()
        text = normalise(message)
        if len(self.last_numbers) != 1 or len(text.split()) > 8:
            return found
        path = self.last_numbers[0]
        numbers = re.findall(rf"(?<![\w.]){NUMBER}(?![\w.])", text)
        scale = re.search(r"\b(?:(double|twice)|(halve|half)|(triple))\b", text)
        # "3 more than that", "2 fewer", "10 times smaller": from the value it has now
        by = re.search(rf"(?<![\w.]){NUMBER}\s*(?:(more|extra|additional)|(fewer|less)|"
                       r"(?:x|times) (?:(smaller|lower|less|fewer)|(bigger|larger|higher|more|"
                       r"greater)))\b", text)
        current = self._value_now(path)
        if by and current is not None:
            n, more, fewer, smaller = float(by.group(1)), *by.groups()[1:4]
            value: Any = (float(current) + n if more else float(current) - n if fewer else
                          float(current) / n if smaller else float(current) * n)
            value = float(f"{value:.3g}")
        elif numbers:
            value = float(numbers[-1])
        elif scale and current is not None:  # "double it", "half that", "triple it"
            value = float(current) * (2 if scale.group(1) else 0.5 if scale.group(2) else 3)
        else:
            return found
        if (isinstance(current, int) or path.endswith(("epochs", "batch_size", ".r", "alpha")))\
                and value.is_integer():
            value = int(value)
        found.set(path, value, f"{path.split('.')[-1].replace('_', ' ')}: {value:g}")
        return found

    def _value_now(self, path: str) -> Any:
        """A field's value in the resolved spec, the strategy's default for an unset one."""
        value = _get(self.spec(), path)
        if value is None and path in ("training.epochs", "training.learning_rate"):
            strategy = self.catalog.get("strategy", self.spec()["strategy"]["name"])
            value = getattr(strategy, "default_" + path.split(".")[1], None)
        return value

    def _settings_asked(self, question: str) -> Understanding:
        """The settings inside a question: read when it names the data ("could gpt2 learn from
        notes.txt?", "is tickets.csv big enough for roberta-base?") or a held-out share ("is
        it ok to keep 10% for testing?"); what it compares ("is bert better than roberta for
        it?") is asked about, not chosen, so then only the data is taken."""
        found = self._understand(question)
        names_data = "dataset" in found.changes
        data_fields = [k for k in found.changes if k == "task" or k.startswith("dataset")]
        if not names_data and not any(k.startswith("dataset.") for k in data_fields):
            # "which model should I use to tag drug names?": the job it asks about is the
            # run's task; "what is NER?", "NER or classification?" choose none
            if "task" in found.changes and not DEFINING.search(normalise(question)):
                return _only(found, ["task"])
            return Understanding()
        if names_data and not COMPARING.search(normalise(question)):
            return found
        return _only(found, data_fields)

    def _understand(self, message: str) -> Understanding:
        carried = {**self.carried, "asked": self.referable} if self.referable else self.carried
        # the numbers just set or asked about: "make it 16" is for one of them
        carried = {**carried, "numbers": list(self.last_numbers)}
        return understand(message, self.catalog, self.draft, base_dir=self.base_dir,
                          carried=carried)

    def _data_asked_for(self, understood: Understanding, question: str, message: str) -> None:
        """"how should I give you the images?": the task the question names is taken (the
        answer is that task's), and the data is asked for unless a file is already there."""
        found = self._understand(question)
        task = found.changes.get("task")
        if task and "task" not in understood.changes:
            understood.set("task", task, found.notes.get("task") or f"task: {task}")
        if "dataset" not in understood.changes and not (self.draft.get("dataset") or {}).get(
                "path"):
            understood.wants_data = data_noun(question, message)

    def _answer(self, question: str, understood: Understanding | None = None) -> str:
        """The answer; the setting asked about becomes the one a bare number then changes
        ("what's a good rank?" ... "let's go with 16"). How to give the data is said for the
        task the turn leaves (``understood``: what it changes)."""
        if giving_data(question):
            task = ((understood.changes.get("task") if understood else None)
                    or self.draft.get("task") or "text-classification")
            return how_to_give(task, self.catalog, data_noun(question))
        focus = question_focus(question, self.catalog, self.draft)
        if focus:
            self.last_numbers = [focus]
        return answer(question, self.catalog, self.preview, self.draft, summary=self.summary)

    # ------------------------------------------------------------ changes

    def _apply(self, understood: Understanding) -> Reply:
        """Apply every change that validates; say which could not be used and why."""
        previous = deepcopy(self.draft)
        problems = []
        for path, value in _in_order(understood.changes):
            before = deepcopy(self.draft)
            if path == "dataset":  # other data: the old file's options no longer apply
                self.draft["dataset"] = dict(value)
            elif path == "task":  # parts that cannot do the new task give way to its defaults
                swapped = retarget(self.draft, value, self.manager)
                # a part named this turn replaces the default: not worth a word
                swapped = [s for s in swapped if s.split(":")[0] not in understood.changes]
                if swapped:
                    understood.noticed.append("for that task: " + ", ".join(swapped))
            elif path in LISTS and "task" in understood.changes and isinstance(value, list):
                # read against the old task's list: "predict the stars as a number and measure
                # mae and r2" keeps what the new task can use (mae, r2), as a task switch does
                kept = [v for v in (self._for_task(LISTS[path], v, value) for v in value)
                        if self._supports(LISTS[path], v)]
                set_field(self.draft, path, kept or self.draft.get(path))
                _say_list(understood, path, _get(self.draft, path) or [])
            else:
                set_field(self.draft, path, value)
            try:
                parse_spec(self.draft, self.manager, base_dir=self.base_dir)
            except TunekitError as exc:
                if not self._still_to_choose(exc):
                    self.draft = before
                    problems.append(str(exc))
        if self.draft != previous:
            self.history.append(previous)
        self.last_numbers = [p for p, v in understood.changes.items() if _is_number(v)
                             and _get(self.draft, p) == v]
        self.carried = understood.carried
        data_problem = self._look_at_data() if "dataset" in understood.changes else None
        noticed = understood.noticed + understood.acknowledged
        # what the turn asked for that is not in the spec is said, never dropped
        not_taken = "".join(f"\n\nNot taken: {u}." for u in dict.fromkeys(understood.unknown))
        refused = ("I could not use part of that: " + "; ".join(problems) + not_taken
                   ) if problems else not_taken.strip()
        if understood.wants_data and not (self.draft.get("dataset") or {}).get("path"):
            return self._ask_for_data(noticed, understood.wants_data, refused)
        if problems:
            return self._after_change(noticed, refused)
        return self._after_change(noticed, ((data_problem or "") + not_taken).strip())

    def _for_task(self, kind: str, item: Any, items: list[Any]) -> Any:
        """A list item in the new task's own component ("f1" on a tagging run: entity-f1),
        unless the list holds that one already."""
        if not isinstance(item, str):
            return item
        task = self.draft.get("task") or "text-classification"
        other = for_task(self.catalog, kind, item, task)
        return item if other in items else other

    def _supports(self, kind: str, item: Any) -> bool:
        """The component ``item`` names does the draft's task."""
        name = item.get("name") if isinstance(item, dict) else item
        component = self.catalog.get(kind, str(name))
        task = self.draft.get("task") or "text-classification"
        return component is not None and task in component.tasks

    def _ask_for_data(self, noticed: list[str], what: str, warning: str) -> Reply:
        """"my sentences" with no file named: ask where they are, and what can read them."""
        task = self.draft.get("task") or "text-classification"
        readers = [c.title for c in self.manager.components("dataset") if task in c.tasks
                   and any(getattr(p, "required", False) for p in c.params)]
        lead = f"Got it — {'; '.join(noticed)}. " if noticed else ""
        self.awaiting_confirmation = False  # a sample run is not what was asked for
        can_read = f" (for {task} I can read: {'; '.join(readers)})" if readers else ""
        dataset = self.draft.get("dataset")
        sample = dataset.get("name") if isinstance(dataset, dict) else dataset
        until = (f"Until then the spec keeps the bundled sample ({sample})." if sample else
                 f"There is no bundled sample for {task}: the run needs yours.")
        text = f"{lead}Which file or folder holds your {what}? Give me its path{can_read}. {until}"
        missing = self._missing_part([])
        if missing is not None and not self.draft.get("backbone"):
            text += "\n\n" + missing.text
        return self._reply(f"{warning}\n\n{text}".strip() if warning else text)

    def _still_to_choose(self, exc: TunekitError) -> bool:
        """The draft only lacks a part its task has no default for (no bundled model for
        images): not a mistake, a question to ask next."""
        return exc.where in ("dataset", "backbone") and not self.draft.get(exc.where)

    def _missing_part(self, noticed: list[str]) -> Reply | None:
        task = self.draft.get("task") or "text-classification"
        lead = f"Got it — {'; '.join(noticed)}. " if noticed else ""
        if not self.draft.get("backbone"):
            names = [c.name for c in self.manager.components("backbone") if task in c.tasks]
            return self._reply(
                f"{lead}Which model shall I fine-tune for {task}? There is no bundled one for it: "
                "name a Hugging Face model id already on this machine or a local model folder "
                "(e.g. \"use the model at ./my-model\")"
                + (f"; installed backbones for it: {', '.join(names)}" if names else "") + ".")
        if not self.draft.get("dataset"):
            return self._reply(f"{lead}Which data shall I train the {task} model on? Give me the "
                               "path of a file (CSV or JSONL).")
        return None

    def _after_change(self, noticed: list[str], warning: str = "") -> Reply:
        self._take_only_text(noticed)
        question = self._next_question(noticed) or self._missing_part(noticed)
        if question:
            if warning:  # asked next, but what was not taken is still said
                question.text = f"{warning}\n\n{question.text}"
            return question
        said = f"Got it — {'; '.join(noticed)}." if noticed else "Got it."
        return self._show(f"{warning}\n\n{said}".strip() if warning else said)

    def _look_at_data(self) -> str | None:
        """Preview the draft's data file; a sentence saying what is wrong with it, if anything
        (a run would refuse it: better said now than after the launch)."""
        dataset = self.draft.get("dataset") or {}
        path = dataset.get("path") if isinstance(dataset, dict) else None
        self.preview = None
        if not path:
            return None
        file = Path(path).expanduser()
        file = file if file.is_absolute() else self.base_dir / file
        # a shared studio's folder first: outside it nothing is looked at (said as written)
        refused = refusal(Path(path))
        if refused:
            return f"Note: I cannot use that file: {refused}."
        component = self.catalog.get("dataset", str(dataset.get("name")))
        if component is not None and component.phrases and not file.exists():
            return None  # a dataset fetched by its name ("ag_news" on the Hub) when it runs
        if component is not None and "text_column" not in {p.name for p in component.params}:
            # not a table (tagged sentences, chats, a folder of images): no columns to ask
            # about; its own loader says what is wrong when the data check runs
            return None if file.exists() else \
                f"Note: I cannot find {path}; check the path before launching."
        if file.is_dir():
            return f"Note: {file} is a folder, not a data file; give me the path of a CSV or " \
                   "JSONL file."
        if not file.exists():
            return f"Note: I cannot find {path}; check the path before launching."
        if file.is_file():
            self.preview = peek(file)
            if self.preview.problem:
                problem = self.preview.problem
                return f"Note: I cannot use {file.name}: {problem}" + \
                    ("" if problem.endswith(("?", ".")) else ".")
            if not self.preview.count:
                return f"Note: {file.name} has no rows of data under its header."
            if self.preview.text_column and not dataset.get("text_column"):
                dataset["text_column"] = self.preview.text_column
            if self.preview.label_column and not dataset.get("label_column"):
                dataset["label_column"] = self.preview.label_column
        return None

    def _take_only_text(self, noticed: list[str]) -> None:
        """With the label known and one column alone holding free text, that column is the
        text: taken and said, not asked."""
        preview, dataset = self.preview, self.draft.get("dataset")
        if preview is None or preview.problem or not isinstance(dataset, dict) or \
                dataset.get("text_column") or not dataset.get("label_column"):
            return
        candidates = preview.can_be_text(exclude=(dataset["label_column"],))
        if len(candidates) == 1 and "text_column" in self._dataset_params():
            dataset["text_column"] = candidates[0]
            noticed.append(f"text column: {candidates[0]} (the only column of text)")

    def _dataset_params(self) -> set[str]:
        dataset = self.draft.get("dataset") or {}
        component = self.catalog.get("dataset", str(dataset.get("name")))
        return {p.name for p in component.params} if component is not None else set()

    def _next_question(self, noticed: list[str] | None = None) -> Reply | None:
        """One question at a time, with choices: the columns when the file leaves them open.
        A role with one column left, the one its values suggest, is taken and said (in
        ``noticed``): there is nothing to choose."""
        preview = self.preview
        dataset = self.draft.get("dataset") or {}
        if preview is None or preview.problem or not preview.count \
                or not isinstance(dataset, dict):
            self.pending = None
            return None
        for key, role in (("label_column", "label"), ("text_column", "text")):
            if not dataset.get(key):
                choices = [c for c in preview.columns if c not in (dataset.get("label_column"),
                                                                   dataset.get("text_column"))]
                likely = preview.suggested.get(role)
                # an id or a score is never the text: the columns of words are the choice
                said = [c for c in choices if role != "text" or not _numbers(preview, c)]
                if said == [likely] and noticed is not None:
                    dataset[key] = likely
                    noticed.append(f"{role} column: {likely} (the other column)" if choices ==
                                   said else f"{role} column: {likely} (the only one of words)")
                    continue
                if likely in choices:  # what the values suggest comes first
                    choices.remove(likely)
                    choices.insert(0, likely)
                self.pending = (f"dataset.{key}", choices)
                return self._reply(f"Which column of {Path(preview.path).name} holds the {role}? "
                                   f"({preview.describe()})", choices)
        self.pending = None
        return None

    def _answer_pending(self, message: str) -> bool:
        """A bare column name ("topic", "the topic column", "it's topic") answers the question;
        anything longer is read as a message of its own."""
        path, choices = self.pending
        said = re.sub(r"^(?:(?:it'?s|it is|use|the|column|field|in|called|named)\b\s*)+|"
                      r"(?:\s*\b(?:column|field|please|one)\b|[\s.!])+$", "",
                      message.strip().lower())
        said = said.strip("\"'` ")
        for choice in choices:
            if said == choice.lower():
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

    def _reset(self) -> Reply:
        self._remember()
        self.draft = deepcopy(DEFAULT_SPEC)
        self.preview, self.pending = None, None
        return self._show("Starting over from the bundled default.")

    # ------------------------------------------------------------ confirmation

    def _confirm(self, strong: bool, asked: bool) -> Reply:
        """Launch when the run was shown and the person said yes to it. A plain "yes" counts
        only right after "Shall I start it?"; "start training" counts while the shown run is
        unchanged. Otherwise show the run first."""
        ready = self.awaiting_confirmation and (asked or strong) and self.pending is None
        if not ready:
            return self._show("Here is the run I would start.")
        try:
            spec = parse_spec(self.draft, self.manager, base_dir=self.base_dir)
        except TunekitError as exc:
            return self._reply(f"I cannot start it yet: {exc}")
        self.awaiting_confirmation = False
        return Reply("Starting the run.", [], spec.to_dict(), action="launch")

    def _show(self, lead: str) -> Reply:
        self.awaiting_confirmation = True
        self.asked_to_start = True
        return self._reply(f"{lead}\n\n{self.summary()}\n\nShall I start it?", [LAUNCH, CHANGE])

    def _reply(self, text: str, choices: list[str] | None = None) -> Reply:
        return Reply(text, choices or [], self.spec())

    # ------------------------------------------------------------ tools and offers

    def _tool(self, tool: ToolRequest, message: str, offered: Offer | None) -> Reply:
        """The data check at once; the tools that train offered (accepted at once when the
        same one was just offered: "run the lr finder" after the offer)."""
        if tool.kind == FORCE:  # the rest of the turn still counts ("...: regression")
            change = self._understand(message)
            change.set("training.data_check", "warn",
                       "the data check's blocking problems become warnings")
            return self._apply(change)
        if tool.kind == CHECK_DATA:
            understood = self._understand(message)  # "check data/tickets.csv": that file
            if "dataset" in understood.changes:
                reply = self._apply(Understanding({"dataset": understood.changes["dataset"]}))
                if self.pending:
                    return reply
            return self._hold(check_data(self))
        said = {LR_FIND: lambda: offer_lr_find(self), BAKEOFF: lambda: offer_bakeoff(self, tool),
                SWEEP: lambda: offer_sweep(self, tool),
                RESUME: lambda: offer_resume(self, tool)}[tool.kind]()
        if said.yes is not None and said.yes.same(offered):
            return self._accept(said.yes)
        return self._hold(said)

    def _hold(self, said: Said) -> Reply:
        """Say ``said`` and keep its offers for the next turn."""
        self.awaiting_confirmation = False  # a yes now answers the offer, not the run
        self.offers, self.offer_yes = dict(said.offers), said.yes
        return self._reply(said.text, said.choices)

    def _with_offer(self, reply: Reply, said: Said) -> Reply:
        """``reply`` followed by an offer (its choices replace the reply's)."""
        if not said.offers:
            return reply
        held = self._hold(said)
        return Reply(f"{reply.text}\n\n{held.text}", held.choices, held.spec)

    def _accept(self, offer: Offer) -> Reply:
        if offer.action == "apply":
            change = Understanding()
            for path, value in offer.arguments.items():
                change.set(path, value, f"{path}: {value}")
            return self._apply(change)
        if offer.action == RESUME:  # the run's own recorded spec, not the draft
            return Reply(starting(offer), [], self.spec(), action=RESUME,
                         arguments=dict(offer.arguments))
        try:
            spec = parse_spec(self.draft, self.manager, base_dir=self.base_dir)
        except TunekitError as exc:
            return self._reply(f"I cannot start it yet: {exc}")
        self.awaiting_confirmation = False
        return Reply(starting(offer), [], spec.to_dict(), action=offer.action,
                     arguments=dict(offer.arguments))

    def mention_resumable(self, runs: list[Any]) -> Reply | None:
        """A note on ``runs`` (``tunekit.engine.resumable.StoppedRun``, newest first: runs found
        interrupted at this start), each offered as the choice "Resume run N" for the next
        turn. The run last shown stays shown, so a greeting's "Start training" still starts
        it. None when ``runs`` is empty."""
        if not runs:
            return None
        lines = [f"run {r.id} was {r.status} {r.where()}" for r in runs]
        lead = ("Since tunekit last ran, " + "; ".join(lines) + ". "
                + ("It has a checkpoint: resume it to carry on from there."
                   if len(runs) == 1 else "Each has a checkpoint: resume one to carry on."))
        said = resume_offers(runs, lead)
        self.offers.update(said.offers)
        return Reply(said.text, said.choices, self.spec())

    def offer(self, text: str, changes: dict[str, Any], label: str) -> Reply:
        """Say ``text`` and offer ``changes`` (a tool's result: the rate found, a sweep's best
        values) as the choice ``label``; a yes or the choice applies them."""
        offer = Offer("apply", dict(changes))
        return self._hold(Said(text, [label], {label.lower(): offer}, offer))

    # ------------------------------------------------------------ edits from a form

    def set(self, path: str, value: Any) -> Reply:
        """Set one field as a form would (``training.epochs``, ``strategy``...): validated,
        undoable, and the chat sees it like anything said."""
        change = Understanding()
        change.set(path, value, f"{path}: {value}")
        return self._apply(change)

    def use_file(self, path: str | Path) -> Reply:
        """Train on an uploaded or named file or folder, read by the dataset that declares it
        reads it (a CoNLL file, chat records, a table...), as a file named in the chat is."""
        return self._apply(understand_file(path, self.catalog, self.draft,
                                           base_dir=self.base_dir))

    # ------------------------------------------------------------ the spec

    def spec(self) -> dict[str, Any]:
        """The draft, resolved with every default (what ``tunekit chat --json`` prints)."""
        try:
            return parse_spec(self.draft, self.manager, base_dir=self.base_dir).to_dict()
        except TunekitError:
            return deepcopy(self.draft)

    def summary(self) -> str:
        try:
            spec = parse_spec(self.draft, self.manager, base_dir=self.base_dir).to_dict()
        except TunekitError as exc:  # e.g. the default needs a plugin disabled since
            return f"- ⚠️ **this run cannot start as it is**: {exc}"
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
        stopping = training.get("early_stopping")
        lines = [
            f"- **data**: {where}{columns}",
            f"- **model**: {backbone}",
            f"- **strategy**: {spec['strategy']['name']}{f' ({options})' if options else ''}",
            f"- **training**: {epochs} epochs, learning rate {rate:g}, batch size "
            f"{training['batch_size']}, weight decay {training['weight_decay']}"
            + (f", dropout {training['dropout']}" if training.get("dropout") is not None else "")
            + (f", early stopping (patience {stopping['patience']})" if stopping
               else ", no early stopping"),
            f"- **metrics**: {', '.join(m['name'] for m in spec['metrics'])}; **exports**: "
            f"{', '.join(e['name'] for e in spec['exporters']) or 'none'}",
        ]
        check = training.get("data_check", "refuse")
        if check != "refuse":
            lines.insert(-1, "- **data check**: " + (
                "blocking problems are only reported (train anyway)" if check == "warn"
                else "off"))
        if spec.get("augmentations"):
            lines.insert(-1, "- **augmentation** (training data only): " + "; ".join(
                _augmentation(item) for item in spec["augmentations"]))
        if self.preview and not self.preview.problem:
            lines.append(f"- **your data**: {self.preview.describe()}")
        return "\n".join(lines)

    def recommend(self) -> str:
        return recommend(self.preview, self.catalog)


# ---------------------------------------------------------------- helpers

# slots first, lists before training (early stopping may watch a metric the lists add)
ORDER = ("task", "dataset", "backbone", "strategy", "metrics", "exporters", "augmentations",
         "training")


# where a sentence that opens like a question goes on to ask for something ("I don't know
# much about this, maybe freeze 4 layers", "Could it be that..., but use LoRA")
TURNS_TO_REQUEST = re.compile(r",\s*(?=(?:but|so|maybe|perhaps|just|please|then|anyway|"
                              r"i need|i want|i'd like|let's|lets)\b)|\s+but\s+(?=\w)",
                              re.IGNORECASE)


# a question that weighs one choice against another chooses neither
# a question about what a thing is, or one offering a choice of tasks: it sets no task
DEFINING = re.compile(r"^(?:what(?:'s| is| are| does| do)\b|whats\b|explain|define|describe|"
                      r"meaning of|tell me (?:about|what|more))|\b(?:or|vs\.?|versus|difference|"
                      r"compare\w*|mean|means)\b")
COMPARING = re.compile(r"\b(?:or|vs\.?|versus|than|better|worse|instead|difference|compare\w*|"
                       r"which)\b")


def _name_of(item: Any) -> str:
    return str(item.get("name") if isinstance(item, dict) else item)


def _say_list(understood: Understanding, path: str, items: list[Any]) -> None:
    """The note of a list, as the spec now holds it."""
    note = f"{path}: {', '.join(_name_of(i) for i in items) or 'none'}"
    old = understood.notes.get(path)
    if old in understood.noticed:
        understood.noticed[understood.noticed.index(old)] = note
        understood.notes[path] = note


def _only(found: Understanding, fields: list[str]) -> Understanding:
    """``found`` with only the changes to ``fields`` and the notes that say them ("data: x",
    "validation split: 0.2", "task: ..."); what it could not use is still said."""
    kept = Understanding(unknown=list(found.unknown))
    said = {"data" if f == "dataset" else f.split(".")[-1].replace("_", " ") for f in fields}
    for path in fields:
        kept.changes[path] = found.changes[path]
    kept.noticed = [n for n in found.noticed if n.split(":")[0] in said or
                    n.startswith("for that task")]
    return kept


def _add(understood: Understanding, more: Understanding) -> None:
    """The changes and notes of ``more`` that ``understood`` does not already have."""
    for path, value in more.changes.items():
        if path not in understood.changes:
            understood.changes[path] = value
    understood.noticed += [n for n in more.noticed if n not in understood.noticed]
    understood.unknown += [u for u in more.unknown if u not in understood.unknown]


def _question_parts(said: list[str]) -> list[str]:
    """Each sentence, a question-shaped one split where it turns into a request, so the
    settings in it are not lost to the question."""
    parts = []
    for sentence in said:
        if question_kind(sentence) != "question":
            parts.append(sentence)
            continue
        parts += [p.strip() for p in TURNS_TO_REQUEST.split(sentence) if p.strip()]
    return parts


def _in_order(changes: dict[str, Any]) -> list[tuple[str, Any]]:
    def rank(item: tuple[str, Any]) -> tuple[int, int]:
        top = item[0].split(".")[0]
        return (ORDER.index(top) if top in ORDER else len(ORDER), item[0].count("."))
    return sorted(changes.items(), key=rank)


def _augmentation(item: dict[str, Any]) -> str:
    """"random-deletion (probability 0.1, 2 copies)": its rate and copies, the rest unsaid."""
    said = [f"probability {item['probability']:g}"] if item.get("probability") is not None else []
    copies = item.get("copies", 1)
    said.append(f"{copies} cop{'y' if copies == 1 else 'ies'} of each example")
    return f"{item['name']} ({', '.join(said)})"


def _confirmation(text: str) -> str | None:
    """"start" for a clear go ("start training", "go ahead", "launch it"), "yes" for an
    agreement ("yes", "sounds good"), None when the turn says more than that."""
    text = text.replace("\U0001f44d", " yes ").replace("\u2705", " yes ")
    # every word counts, numbers too: "let's go with 16" is not a confirmation
    words = [w.strip(".-") for w in re.findall(r"[a-z0-9'.-]+", text) if w.strip(".-")]
    if not words or len(words) > 12:
        return None
    if any(w not in STARTING and w not in AGREEING and w not in FILLER for w in words):
        return None
    if any(w in STARTING for w in words):
        return "start"
    return "yes" if any(w in AGREEING for w in words) else None


def _accepted(offered: tuple[dict[str, Offer], Offer | None], text: str,
              message: str) -> Offer | None:
    """The offer this turn accepts: one of the offered choices, or a yes to the offer."""
    offers, yes = offered
    chosen = offers.get(text.strip(" .!"))
    if chosen is None and yes is not None and _confirmation(text) and not _said(message, LAUNCH):
        chosen = yes
    return chosen


def _numbers(preview: Preview, column: str) -> bool:
    """The preview's rows hold only numbers in ``column`` (an id, a score)."""
    values = [str(r.get(column) or "").strip() for r in preview.rows]
    values = [v for v in values if v]
    try:
        return bool(values) and all(float(v) == float(v) for v in values)
    except ValueError:
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _get(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _said(message: str, choice: str) -> bool:
    return normalise(message).strip(" .!") == choice.lower()
