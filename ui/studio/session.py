"""Who is using the studio and what they are doing.

``Studio`` holds what every browser tab shares: the plugins, the registry, the run processes,
the files. ``Session`` is one tab's conversation: its assistant (the same class the CLI talks
to), the chat so far, the choices on offer, the run it watches. Everything a person does goes
through a Session method, so the Gradio wiring stays thin and every path is testable.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import UTC
from pathlib import Path
from typing import Any

from tunekit.engine.resumable import Resumable
from tunekit.errors import TunekitError
from tunekit.registry import Registry
from tunekit.spec import parse_spec
from tunekit.ui.assistant import Assistant, Reply, explain_run
from tunekit.ui.assistant.data_report import TRAIN_ANYWAY
from tunekit.ui.assistant.datafile import confined
from tunekit.ui.assistant.tool_talk import say_finding
from tunekit.ui.studio.files import Downloads, UploadError, count_rows, take_upload
from tunekit.ui.studio.jobs.rate_finder import RateFinder
from tunekit.ui.studio.jobs.runs import FINAL_STATUSES, Job, Runner, RunnerBusy, tail
from tunekit.ui.studio.jobs.sweeps import SweepLauncher, space_params
from tunekit.ui.studio.sharing import (
    SHARED_OFF,
    PathRefused,
    Safety,
    dataset_paths,
    inside,
    upload_folder,
)
from tunekit.ui.studio.tabs.data_check import DataChecks, refusal
from tunekit.ui.studio.tabs.form import FormError, FormField, missing_required, parse, value_of

RUN_SUGGESTION = "Run the suggestion"
MAX_RESUME_CHOICES = 2  # beside Start training and Change something, within the 4 buttons
START = "Start training"
MAX_SESSIONS = 200

WELCOME = (
    "Hi! I set up a first run for you: the bundled **sample reviews** (short reviews labelled "
    "positive or negative) and the bundled **MiniLM** model, fine-tuned with LoRA. It trains "
    "offline on a CPU in a few minutes.\n\n"
    "Press **Start training** to try it, upload your own CSV or JSONL file (📎), or tell me "
    "what you want in your own words — \"train only the classifier on top\", \"five epochs\", "
    "\"which strategy should I use?\"."
)


class Studio:
    """What all sessions share."""

    def __init__(self, manager: Any, registry: Registry, workdir: Path,
                 plugins_dir: str | None = None, downloads: Downloads | None = None,
                 safety: Safety | None = None):
        self.manager = manager
        self.registry = registry
        self.workdir = Path(workdir).resolve()
        self.uploads = self.workdir / "uploads"
        self.safety = safety or Safety()
        self.runner = Runner(registry, self.workdir, plugins_dir,
                             max_concurrent=self.safety.max_concurrent_runs)
        self.downloads = downloads or Downloads()
        self.checks = DataChecks(manager)  # the data check beside the preview (data_check.py)
        self.rate_finder = RateFinder(self.runner, self.downloads.folder / "lr-find")
        self.sweeps = SweepLauncher(self.runner, manager)
        self.bakeoffs: Any = None  # the Bake-off tab's Desk (tabs/bakeoff.py), set by the app
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()
        # the runs this start found dead, with a checkpoint: the greeting offers to resume them
        self.interrupted = Resumable(registry).runs(registry.mark_orphans_interrupted())

    def session(self, key: str | None) -> Session:
        """The session of a browser tab (made on its first request)."""
        key = key or "default"
        with self._lock:
            session = self.sessions.get(key)
            if session is None:
                session = Session(self, key)
                self.sessions[key] = session
                while len(self.sessions) > MAX_SESSIONS:
                    self.sessions.popitem(last=False)
            else:
                self.sessions.move_to_end(key)
            return session


class Session:
    """One browser tab: a conversation with the assistant and the run it watches."""

    def __init__(self, studio: Studio, key: str):
        self.studio = studio
        self.key = key
        safety = studio.safety
        # a shared studio keeps each tab's uploads in a folder of its own, named by a hash
        # of the session so one tab cannot guess another's
        self.uploads = (studio.uploads / hashlib.sha256(key.encode()).hexdigest()[:24]
                        if safety.isolated else studio.uploads)
        self.assistant = Assistant(studio.manager, base_dir=safety.data_dir or studio.workdir)
        # the assistant resumes the stopped runs this tab may see (its own, when shared)
        self.assistant.runs = Resumable(studio.registry, visible=self.may_see)
        self.launched: list[Job] = []  # every run this tab started (History in a shared studio)
        self.capped_note = ""  # what a demo studio changed in the last launch, said with it
        self.messages: list[dict[str, str]] = []
        self.choices: list[str] = []
        self.notice = ""
        self.selected: dict[str, str] = {}  # a component picked in the form, not yet usable
        self.job: Job | None = None
        self.watching: int | None = None  # the run shown in the monitor
        self.reported: set[int] = set()  # runs whose ending was posted in the chat
        self.milestones: dict[int, int] = {}  # run -> the last epoch posted in the chat
        self.suggestion: tuple[int, dict[str, Any]] | None = None
        self.parent_id: int | None = None  # the run the next launch follows from
        self.refused = False  # the last launch was stopped for its data: "Train anyway" offered
        self.rate_steps: int | None = None  # the finder's steps, as last set on the card
        # who is logged in on this tab (gr.Request.username, set by every event; None: no
        # login): a shared studio lets only a logged-in person publish on the Hub
        self.user: str | None = None
        self.lock = threading.RLock()
        self.shown: dict[int, str] = {}  # what the monitor last sent, by component
        self.shown_changed: set[Any] = set()
        # line charts: the colour map each last got, and those due to be sent (see app.py)
        self.colours: dict[int, dict[str, str]] = {}
        self.recolour: dict[int, dict[str, str]] = {}
        self._greet()

    # ------------------------------------------------------------ what this tab may read

    def check_path(self, value: str | Path) -> Path:
        """A data path this tab may read, resolved; PathRefused when the studio confines data
        and it lies outside the data folder and this tab's uploads."""
        return self.studio.safety.check_path(value, self.assistant.base_dir, self.uploads)

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """Around every event of a confined studio: data files outside the allowed folders
        are not read (datafile.confined), and a draft that names one afterwards (typed in the
        card, said in the chat, cloned) is put back as it was, with one message saying why."""
        if self.studio.safety.data_dir is None:
            yield
            return
        before = deepcopy(self.assistant.draft)
        said = len(self.messages)
        try:
            with confined(self.check_path):
                yield
        finally:
            self._keep_inside(before, said)

    def _keep_inside(self, before: dict[str, Any], said: int) -> None:
        try:
            self.studio.safety.check_spec_paths(self.assistant.draft, self.assistant.base_dir,
                                                self.uploads)
        except PathRefused as exc:
            self.assistant.draft = before
            self.assistant.awaiting_confirmation = False
            # keep what the person said; the answers about the refused file go
            self.messages[said:] = [m for m in self.messages[said:] if m["role"] == "user"]
            self.post(f"I cannot use that file: {exc}.")
            self.notice = f"⚠️ {exc}"

    # ------------------------------------------------------------ the conversation

    def _greet(self) -> None:
        # asking to start shows the run and waits for a yes: one click launches the default
        reply = self.assistant.respond(START)
        choices = reply.choices if reply.action is None else []
        self.messages.append({"role": "assistant", "content": WELCOME})
        self.choices = choices or [START]
        # runs this start of the studio found dead with a checkpoint: offered to resume (a
        # shared studio's new tab has no runs of its own to be told about)
        found = [r for r in self.studio.interrupted if self.may_see(r.id)][:MAX_RESUME_CHOICES]
        note = self.assistant.mention_resumable(found)
        if note is not None:
            self.messages.append({"role": "assistant", "content": note.text})
            self.choices = [*note.choices, *self.choices]

    def say(self, text: str) -> None:
        """A message typed in the chat."""
        text = (text or "").strip()
        if not text:
            return
        self.notice = ""
        self.messages.append({"role": "user", "content": text})
        self.selected.clear()
        self._answer(self.assistant.respond(text))

    def choose(self, label: str) -> None:
        """A choice button clicked: said in the chat, except the studio's own choices."""
        label = (label or "").strip()
        if label == RUN_SUGGESTION and self.suggestion:
            self.messages.append({"role": "user", "content": label})
            self.apply_suggestion()
            return
        if label == TRAIN_ANYWAY and self.refused:
            self.messages.append({"role": "user", "content": label})
            self.train_anyway()
            return
        self.say(label)

    def _answer(self, reply: Reply, brief: bool = False) -> None:
        text = reply.text
        if brief:  # a form edit: the first paragraph says it; the card shows the rest
            text = text.split("\n\n", 1)[0]
        self.post(text, reply.choices)
        if reply.action == "launch":
            self.launch(reply.spec)
        elif reply.action == "lr-find":
            self.find_rate(reply.spec, in_chat=True)
        elif reply.action == "bakeoff":
            self.start_bakeoff(reply.arguments)
        elif reply.action == "resume":
            self.resume(int(reply.arguments["run"]))
        elif reply.action == "sweep":
            arguments = reply.arguments
            self.start_sweep(space_params(arguments.get("space") or {}),
                             arguments.get("sampler"), arguments.get("trials"), in_chat=True)

    def post(self, text: str, choices: list[str] | None = None) -> None:
        self.messages.append({"role": "assistant", "content": text})
        self.choices = list(choices or [])

    # ------------------------------------------------------------ the form

    def edit(self, field: FormField, raw: Any) -> bool:
        """A field edited in the form; True when the draft changed. A value that cannot be
        used leaves the draft as it was and says why in ``notice``."""
        self.notice = ""
        assistant = self.assistant
        spec = assistant.spec()
        try:
            value = parse(field, raw)
        except FormError as exc:
            self.notice = f"⚠️ {exc}"
            return False
        shown = value_of(field, spec, self.selected_names(), self.studio.manager)
        if field.kind != "component" and _same(field, value, shown):
            return False  # a field left as it was (a blur, a second Enter)
        before = deepcopy(assistant.draft)
        reply = self._apply_field(field, value, spec)
        if reply is None:
            return True
        if assistant.draft == before:  # refused: its first paragraph says why
            self.notice = f"⚠️ {reply.text.split(chr(10) * 2, 1)[0]}"
            return False
        self.selected.pop(field.slot, None)
        self._answer(reply, brief=True)
        return True

    def _apply_field(self, field: FormField, value: Any, spec: dict[str, Any]) -> Reply | None:
        assistant, manager = self.assistant, self.studio.manager
        slot = field.slot
        if field.kind == "component":
            current = spec.get(slot) if isinstance(spec.get(slot), dict) else {}
            if value == _name(current):
                self.selected.pop(slot, None)
                return None
            missing = missing_required(manager, slot, value, {})
            if missing:  # show its fields; the draft changes once they are filled in
                self.selected[slot] = value
                component = manager.get(slot, value)
                self.notice = (f"{component.title} needs {', '.join(missing)}: fill "
                               f"{'it' if len(missing) == 1 else 'them'} in below"
                               + (" or upload a file." if slot == "dataset" else "."))
                return None
            return assistant.set(slot, {"name": value})
        if field.owner:
            current = spec.get(slot) if isinstance(spec.get(slot), dict) else {}
            if slot == "dataset" and field.option == "path":
                # other data: the assistant looks at the file and finds its columns again
                return assistant.set("dataset", {"name": field.owner, "path": value})
            if _name(current) != field.owner:  # the first option of a component just picked
                return assistant.set(slot, {"name": field.owner, field.option: value})
            return assistant.set(field.path, value)
        if field.kind == "toggle":
            return assistant.set("training.early_stopping", {} if value else None)
        if field.kind == "names":  # ticking a box keeps the options said for the others
            items = {_name(item): item for item in assistant.draft.get(field.path) or []}
            value = [items.get(name, name) for name in value]
        return assistant.set(field.path, value)

    def selected_names(self) -> dict[str, str]:
        """The component each slot shows in the form: the draft's, or one just picked."""
        spec = self.assistant.spec()
        names = {slot: _name(spec.get(slot)) for slot in ("dataset", "backbone", "strategy")}
        names.update(self.selected)
        return names

    # ------------------------------------------------------------ data

    def upload(self, path: str | None) -> None:
        """A data file uploaded (chat or form): copied to uploads/, then used for the run."""
        self.notice = ""
        if not path:
            return
        safety = self.studio.safety
        # a confined studio takes uploads only from where Gradio puts them (its upload
        # folder), and reads them there before they are copied into this tab's folder
        received = upload_folder()
        if safety.data_dir is not None and not inside(Path(path), [received]):
            self.notice = "⚠️ That file did not come from an upload; use 📎 to upload it."
            return
        try:
            with confined(lambda file: inside(file, [received]) or self.check_path(file)):
                target, _ = take_upload(path, self.uploads, max_rows=safety.row_limit,
                                        max_bytes=safety.max_upload_bytes)
        except UploadError as exc:
            self.notice = f"⚠️ {exc}"
            return
        self.messages.append({"role": "user", "content": f"📎 {target.name}"})
        self.selected.pop("dataset", None)
        self._answer(self.assistant.use_file(str(target)))

    # ------------------------------------------------------------ runs

    def launch(self, spec: dict[str, Any]) -> None:
        """Start the confirmed spec in its own process and watch it; a spec whose data the
        run would refuse is not started: the chat says why and offers to train anyway."""
        self.refused = False
        spec, refusal_said = self._within_limits(spec)
        if refusal_said:
            self.post(refusal_said)
            return
        blocked = self.studio.checks.blocking(spec, self.assistant.base_dir)
        if blocked is not None:
            self.refused = True
            self.post(refusal(blocked), [TRAIN_ANYWAY])
            return
        try:
            job = self.studio.runner.launch(spec, base_dir=self.assistant.base_dir,
                                            parent_id=self.parent_id)
        except RunnerBusy as exc:
            self.post(f"I cannot start it yet: {exc}.")
            return
        except (OSError, TunekitError) as exc:
            self.post(f"The run could not start: {exc}")
            return
        self.job, self.watching, self.parent_id = job, None, None
        self.launched.append(job)
        self.suggestion = None
        capped = self.capped_note
        position = self.studio.runner.position(job)
        if position is not None:
            slots = self.studio.runner.max_concurrent
            self.post(f"{capped}All {slots} run slot{'s' if slots > 1 else ''} of this studio "
                      f"are busy: your run waits in the queue (position {position}) and starts "
                      "by itself when one frees. Follow it in the monitor.")
            return
        self.post(f"{capped}The run is starting in its own process: follow it in the monitor. "
                  "You can keep talking to me meanwhile.")

    def _within_limits(self, spec: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """``spec`` as this studio may run it (a demo's caps applied), or why it may not:
        data outside the data folder, more rows than allowed, a demo's step cap."""
        safety = self.studio.safety
        self.capped_note = ""
        try:
            safety.check_spec_paths(spec, self.assistant.base_dir, self.uploads)
        except PathRefused as exc:
            return spec, f"I cannot start it: {exc}."
        rows = None
        for value in dataset_paths(spec):
            counted = count_rows(self.check_path(value))
            if counted is not None and counted > safety.row_limit:
                return spec, (f"I cannot start it: {Path(value).name} has {counted:,} rows and "
                              f"this studio takes {safety.row_limit:,} at most.")
            rows = counted if rows is None else rows
        if safety.demo:
            strategy = self.studio.manager.get("strategy", _name(spec.get("strategy")) or "")
            spec, note = safety.cap(spec, getattr(strategy, "default_epochs", None))
            self.capped_note = f"{note} " if note else ""
            too_costly = safety.check_cost(rows, spec)
            if too_costly:
                return spec, f"I cannot start it: {too_costly}."
        return spec, ""

    def train_anyway(self) -> None:
        """Start the refused run with the data check's blocking problems as warnings."""
        self.refused = False
        reply = self.assistant.set("training.data_check", "warn")
        if (self.assistant.draft.get("training") or {}).get("data_check") != "warn":
            self.post(reply.text, reply.choices)  # refused: the reply says why
            return
        self.assistant.awaiting_confirmation = self.assistant.asked_to_start = False
        self.launch(self.assistant.spec())

    # ------------------------------------------------------------ tools beside runs

    def find_rate(self, spec: dict[str, Any] | None = None, steps: Any = None,
                  in_chat: bool = False) -> bool:
        """Start the learning-rate finder on the run card (rate_finder.py); a refusal is said
        in the chat when the chat asked for it, else at the top of the page."""
        spec = spec or self.assistant.spec()
        try:
            parse_spec(spec, self.studio.manager, base_dir=self.assistant.base_dir)
            job = self.studio.rate_finder.start(self.key, spec, self.assistant.base_dir,
                                                steps if steps not in (None, "")
                                                else self.rate_steps)
        except (TunekitError, ValueError) as exc:
            problem = f"The learning-rate finder cannot start: {exc}"
            if in_chat:
                self.post(problem)
            else:
                self.notice = f"⚠️ {problem}"
            return False
        self.rate_steps = job.steps
        self.post(f"Finding a learning rate for this run: up to {job.steps} steps of a throwaway "
                  "copy while the rate grows. The suggestion will show under Training on the run "
                  "card, and here.")
        return True

    def follow_rate(self) -> bool:
        """Say in the chat what the finder found once it has ended; True when it did."""
        job = self.studio.rate_finder.job(self.key)
        if job is None or job.alive or job.reported:
            return False
        job.reported = True
        if job.error:
            self.post(f"The learning-rate finder failed: {job.error}")
            return True
        finding, rate = job.finding or {}, job.suggestion
        if rate is None:
            self.post("The learning-rate finder found no clear rate. "
                      + " ".join(finding.get("notes") or []))
            return True
        why = say_finding(finding.get("steepest_rate"), finding["min_loss_rate"])
        reply = self.assistant.offer(
            f"The learning-rate finder suggests **{rate:.2g}**: {why} Press **Use this rate** "
            "on the run card, or say yes.", {"training.learning_rate": rate},
            f"Use learning rate {rate:.2g}")
        self.post(reply.text, reply.choices)
        return True

    def use_rate(self) -> None:
        """Set the card's learning rate to the finder's suggestion, as a form edit does."""
        job = self.studio.rate_finder.job(self.key)
        rate = job.suggestion if job is not None and not job.alive else None
        if rate is None:
            self.notice = "⚠️ There is no suggested rate yet: press Find a learning rate first."
            return
        self.messages.append({"role": "user", "content": f"Use learning rate {rate:.2g}"})
        self._answer(self.assistant.set("training.learning_rate", rate), brief=True)

    def start_sweep(self, params: list[str], sampler: Any = None, trials: Any = None,
                    in_chat: bool = False) -> bool:
        """Start a sweep of the run card over ``params`` (``FIELD=VALUES``, sweeps.py)."""
        if self.studio.safety.isolated:
            said = SHARED_OFF.format(what="Sweeps")
            if in_chat:
                self.post(said)
            else:
                self.notice = f"⚠️ {said}"
            return False
        busy = ""
        if self.studio.runner.active_job() is not None:
            busy = "A run"
        elif self.studio.bakeoffs is not None and self.studio.bakeoffs.job is not None \
                and self.studio.bakeoffs.job.alive:
            busy = "A bake-off"
        said = self.studio.sweeps.start(self.assistant.spec(), self.assistant.base_dir, params,
                                        sampler, trials, busy=busy)
        refused = said.startswith("⚠️")
        if in_chat:
            self.post(said.removeprefix("⚠️").strip() if refused else
                      f"{said} Follow it on the **Sweeps** tab.")
        elif refused:
            self.notice = said
        return not refused

    def start_bakeoff(self, arguments: dict[str, Any]) -> bool:
        """Start the bake-off the assistant was asked for, as the Bake-off tab does."""
        desk = self.studio.bakeoffs
        if desk is None:
            self.post("Bake-offs are not available here: run `tunekit bakeoff` instead.")
            return False
        said = desk.start(self, list(arguments.get("strategies") or []),
                          bool(arguments.get("scratch")))
        refused = said.startswith("⚠️")
        self.post(said.removeprefix("⚠️").strip() if refused else
                  f"{said} Follow it on the **Bake-off** tab.")
        return not refused

    def current_run(self) -> tuple[int | None, Job | None]:
        """The run the monitor shows: this tab's job, else the one it watches, else whatever
        is running right now."""
        job = self.job
        if job is not None:
            self.studio.runner.refresh(job)
            if job.run_id is not None:
                self.watching = job.run_id
            return job.run_id, job
        if self.watching is not None:
            return self.watching, None
        if self.studio.safety.isolated:  # a shared studio shows each tab its own runs only
            return None, None
        for record in self.studio.registry.runs(limit=5):
            if record.status not in FINAL_STATUSES:  # started elsewhere: follow it to its end
                self.watching = record.id
                return record.id, self.studio.runner.job_for(record.id)
        return None, None

    def follow_run(self) -> bool:
        """Post this tab's run in the chat: a line per epoch, then its outcome explained with a
        next step. True when something was posted."""
        job = self.job
        if job is None:
            return False
        self.studio.runner.refresh(job)
        if job.run_id is None:
            if job.alive:
                return False
            self.job = None
            if job.stop_requested:
                self.post("Stopped before the run started.")
            else:
                self.post("The run could not start:\n\n```\n" + (tail(job.log_path, 12) or
                                                                 "no output") + "\n```")
            return True
        record = self.studio.registry.get_run(job.run_id)
        if record is None or job.run_id in self.reported:
            return False
        if record.status not in FINAL_STATUSES:
            return self._milestone(record)
        if job.alive:  # recorded as ended; the process is finishing its last writes
            return False
        self.reported.add(job.run_id)
        self.job, self.watching = None, job.run_id
        if job.resume_id is not None and not _ended_since(record, job.started):
            # the resume stopped before taking the run over (its data changed, its checkpoint
            # is unreadable...): the run is as it was; the log says why
            self.post(f"Run {job.run_id} could not resume:\n\n```\n"
                      + (tail(job.log_path, 12) or "no output") + "\n```")
            return True
        explanation = explain_run(self.studio.registry, job.run_id)
        if record.status == "completed" and explanation.next_changes:
            self.suggestion = (job.run_id, dict(explanation.next_changes))
            self.post(explanation.text, [RUN_SUGGESTION])
        else:
            self.suggestion = None
            self.post(explanation.text)
        return True

    def _milestone(self, record: Any) -> bool:
        """Say in the chat how the run is doing after each epoch's evaluation."""
        points = self.studio.registry.metric_points(record.id, split="validation")
        epochs = sorted({int(p.epoch) for p in points})
        last = self.milestones.get(record.id, 0)
        if not epochs or epochs[-1] <= last:
            return False
        epoch = epochs[-1]
        self.milestones[record.id] = epoch
        scores = {p.name: p.value for p in points if int(p.epoch) == epoch}
        total = json.loads(record.summary_json or "{}").get("epochs")
        said = ", ".join(f"{name} {scores[name]:.1%}" if name != "loss" else
                         f"loss {scores[name]:.3f}" for name in ("accuracy", "f1", "loss")
                         if name in scores)
        if not said:
            said = ", ".join(f"{name} {value:.4g}" for name, value in scores.items())
        of = f" of {total}" if total else ""
        self.messages.append({"role": "assistant",
                              "content": f"Run {record.id}, epoch {epoch}{of}: validation {said}."})
        return True

    def resume(self, run_id: int, in_chat: bool = True) -> bool:
        """Carry on a stopped run this tab may see from its checkpoint, in its own process
        (queued when every slot is busy), and watch it. A run that cannot be resumed (no
        checkpoint, completed, still running, not this tab's) is refused in one message: in
        the chat, or at the top of the page (``in_chat`` False: the History tab's button)."""
        self.refused = False
        runner = self.studio.runner
        try:
            run = Resumable(self.studio.registry, visible=self.may_see).check(run_id)
        except TunekitError as exc:
            hint = f" You can {exc.hint}." if exc.hint else ""
            return self._refuse(f"Run {run_id} cannot be resumed: {exc.message}.{hint}",
                                in_chat)
        going = runner.job_for(run_id)
        if going is not None and going.alive:
            return self._refuse(f"Run {run_id} is already resuming: follow it in the monitor.",
                                in_chat)
        try:
            job = runner.resume(run_id)
        except RunnerBusy as exc:
            return self._refuse(f"I cannot resume it yet: {exc}.", in_chat)
        except OSError as exc:
            return self._refuse(f"Run {run_id} could not resume: {exc}", in_chat)
        if not in_chat:
            self.messages.append({"role": "user", "content": f"Resume run {run_id}"})
        self.job, self.watching = job, None
        self.launched.append(job)
        self.reported.discard(run_id)
        position = runner.position(job)
        if position is not None:
            self.post(f"Run {run_id} will resume {run.where()} when a run slot frees: it waits "
                      f"in the queue (position {position}).")
        else:
            self.post(f"Resuming run {run_id} {run.where()} in its own process: follow it in "
                      "the monitor.")
        return True

    def _refuse(self, said: str, in_chat: bool) -> bool:
        if in_chat:
            self.post(said)
        else:
            self.notice = f"⚠️ {said}"
        return False

    def apply_suggestion(self) -> None:
        """Apply the last explanation's next changes to the draft and ask to start."""
        run_id, changes = self.suggestion or (None, {})
        self.suggestion = None
        reply: Reply | None = None
        for path, value in changes.items():
            reply = self.assistant.set(path, value)
        if reply is None:
            self.post("There is no suggestion to apply.")
            return
        self.parent_id = run_id
        self.selected.clear()
        self._answer(reply)

    def stop(self) -> str:
        run_id, job = self.current_run()
        if job is None and run_id is None:
            self.notice = "There is no run to stop."
            return self.notice
        self.notice = self.studio.runner.stop(job=job, run_id=run_id)
        return self.notice

    def own_runs(self) -> set[int]:
        """The runs this tab started (their ids, once the run processes registered)."""
        for job in self.launched:
            if job.run_id is None:
                self.studio.runner.refresh(job)
        return {job.run_id for job in self.launched if job.run_id is not None}

    def may_see(self, run_id: int) -> bool:
        """Whether this tab may open ``run_id``: any run in a local studio, its own runs in a
        shared one."""
        return not self.studio.safety.isolated or run_id in self.own_runs()

    def publish(self, run_id: int | None, repo: Any, private: bool = False,
                space: bool = False) -> bool:
        """Push a run this tab may see to the Hugging Face Hub, as ``tunekit push`` does (the
        same function: the machine's Hub token, never stored), and say where it went. A shared
        studio publishes only for a logged-in person (the token is the machine owner's)."""
        from tunekit.ui.commands.push import push_run

        if self.studio.safety.isolated and not self.user:
            self.notice = ("⚠️ Publishing on the Hub needs a login here: this studio is shared "
                           "(or a demo) and the Hub token is its owner's; it publishes for "
                           "people logged in with --auth USER:PASS (or --auth-file).")
            return False
        if run_id is None:
            self.notice = "⚠️ Pick a run to publish first."
            return False
        if not str(repo or "").strip():
            self.notice = "⚠️ Give the Hub repo to publish to (NAME or NAMESPACE/NAME)."
            return False
        if self.studio.registry.get_run(run_id) is None or not self.may_see(run_id):
            self.notice = f"⚠️ There is no run {run_id}."
            return False
        try:
            pushed = push_run(self.studio.registry, run_id, str(repo), private=bool(private),
                              space=bool(space), say=lambda line: None, where="publish")
        except TunekitError as exc:
            self.notice = f"⚠️ {exc}"
            return False
        what = "demo, as a Space," if pushed.kind == "space" else "model"
        self.notice = (f"Published run {run_id}'s {what} ({pushed.files} files) to "
                       f"[{pushed.url}]({pushed.url}).")
        return True

    def clone(self, run_id: int) -> bool:
        """Load a past run's spec into the draft (the next launch records it as the parent)."""
        self.notice = ""
        record = self.studio.registry.get_run(run_id)
        if record is None or not self.may_see(run_id):
            self.notice = f"⚠️ There is no run {run_id}."
            return False
        spec = record.spec
        try:  # a plugin may be gone since: say so instead of half-loading the spec
            parse_spec(spec, self.studio.manager, base_dir=self.assistant.base_dir)
        except TunekitError as exc:
            self.notice = f"⚠️ Run {run_id} cannot be cloned here: {exc}"
            return False
        reply: Reply | None = None
        for key in ["dataset", *(k for k in spec if k != "dataset")]:
            if key in spec:
                reply = self.assistant.set(key, spec[key])
        self.parent_id = run_id
        self.selected.clear()
        self.messages.append({"role": "user", "content": f"Clone run {run_id}"})
        rest = reply.text.split("\n\n", 1)[1] if reply and "\n\n" in reply.text else ""
        self.post(f"Loaded the settings of run {run_id} into a new run.\n\n{rest}".rstrip(),
                  reply.choices if reply else [])
        return True


def _ended_since(record: Any, started: float) -> bool:
    """Whether ``record`` ended after ``started`` (a time.time()): a resume took it over."""
    finished = record.finished_at
    if finished is None:
        return False
    if finished.tzinfo is None:  # SQLite keeps UTC without its zone
        finished = finished.replace(tzinfo=UTC)
    return finished.timestamp() >= started - 1


def _same(field: FormField, value: Any, shown: Any) -> bool:
    try:
        return value == parse(field, shown)
    except FormError:
        return False


def _name(block: Any) -> str | None:
    if isinstance(block, dict):
        return block.get("name")
    return block if isinstance(block, str) else None
