"""registry.db: plugins and components seen, runs, metric points, artifacts and sweeps
(sqlmodel).

SQLite in WAL mode, so a reader (the studio, ``tunekit runs``) reads while a run writes.
Every write is one short transaction. The file is ``./registry.db`` unless
``TUNEKIT_REGISTRY`` names another.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from ..errors import TunekitError

if TYPE_CHECKING:  # pragma: no cover
    import sqlite3

    from sqlalchemy import Column, Connection, Table

    from ..components import Component, JSONValue, SpecDict

Record = TypeVar("Record", bound=SQLModel)


class PluginFields(TypedDict, total=False):
    """What ``record_plugins`` reads of a plugin (``PluginInfo.describe()``)."""

    name: str  # required
    version: str
    where: str
    source: str
    status: str
    error: str | None


class PointFields(TypedDict):
    """One metric point for ``add_metric_points``."""

    step: int
    epoch: float
    split: str  # train | validation | test
    name: str
    value: float

# 2: sweeps and bake-offs (the sweeps table; runs.sweep_id, trial, trial_label, trial_state)
SCHEMA_VERSION = 2
RUN_STATUSES = ("queued", "running", "completed", "failed", "cancelled", "interrupted")
SWEEP_KINDS = ("sweep", "bakeoff")
SWEEP_STATUSES = ("running", "completed", "failed", "cancelled", "interrupted")
# how a trial of a sweep ended: a pruned trial's run completed, stopped early by the sweep
TRIAL_STATES = ("completed", "pruned", "failed", "cancelled")


def now() -> datetime:
    return datetime.now(UTC)


def default_path() -> Path:
    return Path(os.environ.get("TUNEKIT_REGISTRY") or "registry.db")


class PluginRecord(SQLModel, table=True):
    __tablename__ = "plugins"
    name: str = Field(primary_key=True)
    version: str = ""
    source: str = ""
    status: str = "loaded"  # loaded | failed
    error: str | None = None
    seen_at: datetime = Field(default_factory=now)


class ComponentRecord(SQLModel, table=True):
    __tablename__ = "components"
    kind: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    plugin: str = ""
    title: str = ""
    description: str = ""
    details_json: str = "{}"
    seen_at: datetime = Field(default_factory=now)


class PluginSetting(SQLModel, table=True):
    """A plugin turned off or back on (`tunekit plugins disable/enable NAME`). A disabled
    plugin is not imported; ``tunekit.plugin_settings`` reads this table without the ORM."""

    __tablename__ = "plugin_settings"
    name: str = Field(primary_key=True)
    enabled: bool = True
    changed_at: datetime = Field(default_factory=now)


class SweepRecord(SQLModel, table=True):
    """A sweep (many trials of one spec with other values) or a bake-off (one spec, several
    strategies); its runs point at it through ``runs.sweep_id``."""

    __tablename__ = "sweeps"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="sweep", index=True)  # sweep | bakeoff
    name: str = ""
    status: str = Field(default="running", index=True)
    spec_json: str = "{}"  # the base spec every trial starts from
    space_json: str = "{}"  # sweep: the search space; bake-off: {"entries": [...]}
    sampler: str = ""  # grid | random | tpe (a bake-off: "")
    metric: str = ""  # the validation score that decides
    direction: str = ""  # maximize | minimize
    settings_json: str = "{}"  # budget, seed, pruning
    summary_json: str = "{}"  # how it ended: the reason it stopped, the best score, a verdict
    best_run_id: int | None = None
    output_path: str = ""  # the best spec written out (a sweep) or the report (a bake-off)
    host: str = ""
    pid: int | None = None
    error: str | None = None
    created_at: datetime = Field(default_factory=now)
    finished_at: datetime | None = None

    @property
    def spec(self) -> SpecDict:
        return json.loads(self.spec_json)

    # the sweep's own settings, as the tools wrote them (tunekit.tools.sweep, .bakeoff): JSON
    # objects whose keys depend on the kind, hence Any
    @property
    def space(self) -> dict[str, Any]:
        return json.loads(self.space_json)

    @property
    def settings(self) -> dict[str, Any]:
        return json.loads(self.settings_json)

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads(self.summary_json)


class RunRecord(SQLModel, table=True):
    __tablename__ = "runs"
    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="queued", index=True)
    task: str = ""
    dataset: str = ""
    backbone: str = ""
    strategy: str = ""
    spec_json: str = "{}"
    created_at: datetime = Field(default_factory=now)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    device: str = ""
    precision: str = ""
    versions_json: str = "{}"
    seed: int | None = None
    data_fingerprint: str = ""
    parent_id: int | None = Field(default=None, foreign_key="runs.id")
    output_dir: str = ""
    host: str = ""
    pid: int | None = None
    error: str | None = None
    metrics_json: str = "{}"
    test_metrics_json: str = "{}"
    details_json: str = "{}"
    summary_json: str = "{}"
    # a run of a sweep or bake-off: which one, the trial's number, its label (the entry of a
    # bake-off) and how the trial ended (see TRIAL_STATES)
    sweep_id: int | None = Field(default=None, foreign_key="sweeps.id", index=True)
    trial: int | None = None
    trial_label: str | None = None
    trial_state: str | None = None

    @property
    def spec(self) -> SpecDict:
        return json.loads(self.spec_json)

    @property
    def metrics(self) -> dict[str, float]:
        """The final validation metrics, scalars by name (empty until the run completed)."""
        return json.loads(self.metrics_json)

    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        return ((self.finished_at or now()) - self.started_at).total_seconds()


class MetricPoint(SQLModel, table=True):
    __tablename__ = "metric_points"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id", index=True)
    step: int
    epoch: float
    split: str  # train | validation | test
    name: str
    value: float
    recorded_at: datetime = Field(default_factory=now)


class ArtifactRecord(SQLModel, table=True):
    """A file or folder an exporter wrote (its size and sha256); exporter ``hub``: a push of
    one to the Hugging Face Hub (``tunekit push``), its path the repo's address and its size
    and sha256 those of the folder pushed."""

    __tablename__ = "artifacts"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id", index=True)
    exporter: str
    path: str
    bytes: int
    sha256: str
    created_at: datetime = Field(default_factory=now)


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Registry:
    """The run history. Open it with ``Registry.open(path)``; every method is one transaction."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.engine = create_engine(
            f"sqlite:///{self.path}", connect_args={"check_same_thread": False, "timeout": 30}
        )
        sa_event.listen(self.engine, "connect", _on_connect)

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Registry:
        """Open (and create or upgrade) the registry at ``path`` or the default location."""
        path = Path(path) if path is not None else default_path()
        if path.parent and not path.parent.exists():
            raise TunekitError(
                f"the folder {path.parent} does not exist",
                where="registry",
                hint="create it, or point TUNEKIT_REGISTRY at a file in an existing folder",
            )
        registry = cls(path)
        try:
            registry._create_or_upgrade_waiting()
        except TunekitError:
            raise
        except Exception as exc:  # sqlite3.DatabaseError: not a database, read-only, ...
            cause = getattr(exc, "orig", None) or exc  # the database's words, not SQLAlchemy's
            raise TunekitError(
                f"cannot open the registry: {cause}",
                where=str(path),
                hint="point TUNEKIT_REGISTRY at another file, or move this one away",
            ) from None
        return registry

    def _create_or_upgrade_waiting(self, seconds: float = 30.0) -> None:
        """``_create_or_upgrade``, again after a short wait while another process holds the
        file: a registry still in rollback-journal mode (an old one) answers "database is
        locked" at once, without waiting, to a reader that wants to write while another does
        (SQLite's deadlock avoidance), and switching it to WAL needs the file alone."""
        import random
        import sqlite3
        import time

        from sqlalchemy.exc import OperationalError

        deadline = time.monotonic() + seconds
        while True:
            try:
                return self._create_or_upgrade()
            except (OperationalError, sqlite3.OperationalError) as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.02, 0.2))

    def _create_or_upgrade(self) -> None:
        """Create the tables, or bring a registry written by an older tunekit up to this
        schema: tables and columns added since are added (empty), nothing is dropped. A newer
        registry is refused, not damaged.

        An up-to-date registry is only read (a reader never waits for a writer). Otherwise one
        write transaction, taken before the schema is looked at again: processes opening a new
        or old registry at once (two runs, the studio) take turns instead of racing to create
        the same table or add the same column."""
        with self.engine.connect() as conn:
            found = self._schema_version(conn)
            if found is not None and int(found) > SCHEMA_VERSION:
                raise TunekitError(
                    f"this registry was written by a newer tunekit (schema {found}; this one "
                    f"knows {SCHEMA_VERSION})", where=str(self.path), hint="upgrade tunekit")
            if found == str(SCHEMA_VERSION) and not self._missing(conn):
                return
        with self.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            found = self._schema_version(conn)  # another process may have upgraded it since
            SQLModel.metadata.create_all(conn)
            for table, column in self._missing(conn):
                kind = column.type.compile(dialect=self.engine.dialect)
                conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN '
                                  f'"{column.name}" {kind}'))
            if found != str(SCHEMA_VERSION):
                conn.execute(text("INSERT OR REPLACE INTO meta (key, value) "
                                  "VALUES ('schema_version', :version)"),
                             {"version": str(SCHEMA_VERSION)})
            conn.commit()

    @staticmethod
    def _schema_version(conn: Connection) -> str | None:
        """The schema version the file says it has; None for a new (or pre-meta) file."""
        if not conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                 "AND name = 'meta'")).first():
            return None
        return conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")
                            ).scalar()

    @staticmethod
    def _missing(conn: Connection) -> list[tuple[Table, Column[Any]]]:
        """``(table, column)`` for every column this tunekit has that the file lacks (all of
        a missing table's columns)."""
        missing = []
        for table in SQLModel.metadata.sorted_tables:
            have = {row[1] for row in conn.execute(text(f'PRAGMA table_info("{table.name}")'))}
            missing += [(table, column) for column in table.columns if column.name not in have]
        return missing

    def journal_mode(self) -> str:
        with self.engine.connect() as conn:
            return conn.execute(text("PRAGMA journal_mode")).scalar_one()

    # ------------------------------------------------------------ plugins

    def record_plugins(self, plugins: Iterable[PluginFields],
                       components: Iterable[Component]) -> None:
        """Remember the plugins and components seen by this process (replacing earlier ones)."""
        with Session(self.engine) as session:
            for p in plugins:
                record = session.get(PluginRecord, p["name"]) or PluginRecord(name=p["name"])
                record.version = p.get("version", "")
                record.source = p.get("where") or p.get("source", "")  # "package tunekit-bitfit"
                record.status = p.get("status", "loaded")
                record.error = p.get("error")
                record.seen_at = now()
                session.add(record)
            for c in components:
                seen = session.get(ComponentRecord, (c.kind, c.name)) or ComponentRecord(
                    kind=c.kind, name=c.name
                )
                seen.plugin = c.plugin
                seen.title = c.title
                seen.description = c.description
                seen.details_json = json.dumps(c.describe(), default=str)
                seen.seen_at = now()
                session.add(seen)
            session.commit()

    def plugins(self) -> list[PluginRecord]:
        with Session(self.engine) as session:
            return list(session.exec(select(PluginRecord).order_by(PluginRecord.name)))

    def components(self) -> list[ComponentRecord]:
        with Session(self.engine) as session:
            return list(session.exec(select(ComponentRecord)))

    def set_plugin_enabled(self, name: str, enabled: bool) -> None:
        """Remember that plugin ``name`` is enabled or disabled (for every later process)."""
        with Session(self.engine) as session:
            setting = session.get(PluginSetting, name) or PluginSetting(name=name)
            setting.enabled = enabled
            setting.changed_at = now()
            session.add(setting)
            session.commit()

    def plugin_settings(self) -> dict[str, bool]:
        """``{plugin name: enabled}`` for every plugin ever disabled or enabled here."""
        with Session(self.engine) as session:
            return {s.name: s.enabled for s in session.exec(select(PluginSetting))}

    # ------------------------------------------------------------ runs

    def create_run(self, spec: SpecDict, parent_id: int | None = None, *,
                   sweep_id: int | None = None, trial: int | None = None,
                   trial_label: str | None = None) -> RunRecord:
        """Record a new, queued run of ``spec`` (as trial ``trial`` of sweep ``sweep_id``)."""
        if parent_id is not None and self.get_run(parent_id) is None:
            raise TunekitError(f"there is no run {parent_id}", where="--parent")
        if sweep_id is not None and self.get_sweep(sweep_id) is None:
            raise TunekitError(f"there is no sweep {sweep_id}", where="registry")
        record = RunRecord(
            status="queued",
            task=spec.get("task", ""),
            dataset=spec.get("dataset", {}).get("name", ""),
            backbone=spec.get("backbone", {}).get("name", ""),
            strategy=spec.get("strategy", {}).get("name", ""),
            spec_json=json.dumps(spec),
            seed=spec.get("training", {}).get("seed"),
            parent_id=parent_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            sweep_id=sweep_id,
            trial=trial,
            trial_label=trial_label,
        )
        with Session(self.engine) as session:
            session.add(record)
            session.commit()
            session.refresh(record)
            return record

    # fields: column values (a dict or list for a *_json column), of each column's own type
    def update_run(self, run_id: int, **fields: Any) -> RunRecord:
        """Set fields of a run; dicts are stored as JSON in the matching ``*_json`` column."""
        if "status" in fields and fields["status"] not in RUN_STATUSES:
            raise ValueError(f"unknown run status {fields['status']!r}")
        if fields.get("trial_state") not in (None, *TRIAL_STATES):
            raise ValueError(f"unknown trial state {fields['trial_state']!r}")
        return self._update(RunRecord, run_id, "run", fields)

    def _update(self, table: type[Record], key: int, what: str,
                fields: Mapping[str, Any]) -> Record:
        with Session(self.engine) as session:
            record = session.get(table, key)
            if record is None:
                raise TunekitError(f"there is no {what} {key}", where="registry")
            for name, value in fields.items():
                if isinstance(value, dict | list) and hasattr(record, f"{name}_json"):
                    setattr(record, f"{name}_json", json.dumps(value, default=str))
                else:
                    setattr(record, name, value)
            session.add(record)
            session.commit()
            session.refresh(record)
            return record

    def get_run(self, run_id: int) -> RunRecord | None:
        with Session(self.engine) as session:
            return session.get(RunRecord, run_id)

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        with Session(self.engine) as session:
            query = select(RunRecord).order_by(col(RunRecord.id).desc())
            if limit:
                query = query.limit(limit)
            return list(session.exec(query))

    def mark_orphans_interrupted(self) -> list[int]:
        """Runs left 'running' by a process on this host that no longer exists become
        'interrupted' (a kill -9 or a power loss never leaves a run 'running' forever); so do
        such sweeps. Returns the runs' ids."""
        host = socket.gethostname()
        changed: list[int] = []
        with Session(self.engine) as session:
            query = select(RunRecord).where(col(RunRecord.status).in_(("queued", "running")))
            for record in session.exec(query):
                if (record.id is not None and record.host == host and record.pid
                        and not _pid_alive(record.pid)):
                    record.status = "interrupted"
                    record.finished_at = record.finished_at or now()
                    record.error = record.error or "the process running it ended unexpectedly"
                    session.add(record)
                    changed.append(record.id)
            for sweep in session.exec(select(SweepRecord).where(SweepRecord.status == "running")):
                if sweep.host == host and sweep.pid and not _pid_alive(sweep.pid):
                    sweep.status = "interrupted"
                    sweep.finished_at = sweep.finished_at or now()
                    sweep.error = sweep.error or "the process running it ended unexpectedly"
                    session.add(sweep)
            session.commit()
        return changed

    def resume_run(self, run_id: int, after_step: int) -> RunRecord:
        """Make a stopped run this process's again, to carry on from its checkpoint at step
        ``after_step``: the metric points recorded after that step and the artifacts go (they
        will be recorded again, so curves do not repeat), and the end it had is forgotten."""
        with Session(self.engine) as session:
            for point in session.exec(select(MetricPoint).where(
                    MetricPoint.run_id == run_id, MetricPoint.step > after_step)):
                session.delete(point)
            for artifact in session.exec(select(ArtifactRecord).where(
                    ArtifactRecord.run_id == run_id)):
                session.delete(artifact)
            session.commit()
        return self.update_run(run_id, status="queued", finished_at=None, error=None,
                               host=socket.gethostname(), pid=os.getpid())

    # ------------------------------------------------------------ sweeps and bake-offs

    def create_sweep(self, kind: str, spec: SpecDict, space: Mapping[str, JSONValue], *,
                     metric: str, direction: str, sampler: str = "", name: str = "",
                     settings: Mapping[str, JSONValue] | None = None) -> SweepRecord:
        """Record a new, running sweep (``kind`` sweep) or bake-off (``kind`` bakeoff)."""
        if kind not in SWEEP_KINDS:
            raise ValueError(f"unknown sweep kind {kind!r}")
        record = SweepRecord(kind=kind, name=name, spec_json=json.dumps(spec),
                             space_json=json.dumps(space, default=str), sampler=sampler,
                             metric=metric, direction=direction,
                             settings_json=json.dumps(settings or {}, default=str),
                             host=socket.gethostname(), pid=os.getpid())
        with Session(self.engine) as session:
            session.add(record)
            session.commit()
            session.refresh(record)
            return record

    def update_sweep(self, sweep_id: int, **fields: Any) -> SweepRecord:
        """Set fields of a sweep; dicts are stored as JSON in the matching ``*_json`` column."""
        if "status" in fields and fields["status"] not in SWEEP_STATUSES:
            raise ValueError(f"unknown sweep status {fields['status']!r}")
        return self._update(SweepRecord, sweep_id, "sweep", fields)

    def get_sweep(self, sweep_id: int) -> SweepRecord | None:
        with Session(self.engine) as session:
            return session.get(SweepRecord, sweep_id)

    def sweeps(self, kind: str | None = None, limit: int | None = None) -> list[SweepRecord]:
        """Sweeps (or only those of ``kind``), newest first."""
        with Session(self.engine) as session:
            query = select(SweepRecord).order_by(col(SweepRecord.id).desc())
            if kind:
                query = query.where(SweepRecord.kind == kind)
            if limit:
                query = query.limit(limit)
            return list(session.exec(query))

    def sweep_runs(self, sweep_id: int) -> list[RunRecord]:
        """The runs of a sweep or bake-off, in trial order."""
        with Session(self.engine) as session:
            query = select(RunRecord).where(RunRecord.sweep_id == sweep_id)
            return list(session.exec(query.order_by(col(RunRecord.trial), col(RunRecord.id))))

    # ------------------------------------------------------------ metrics and artifacts

    def add_metric_points(self, run_id: int, points: Iterable[PointFields]) -> None:
        rows = [MetricPoint(run_id=run_id, **p) for p in points]
        if not rows:
            return
        with Session(self.engine) as session:
            session.add_all(rows)
            session.commit()

    def metric_points(self, run_id: int, split: str | None = None) -> list[MetricPoint]:
        with Session(self.engine) as session:
            query = select(MetricPoint).where(MetricPoint.run_id == run_id)
            if split:
                query = query.where(MetricPoint.split == split)
            return list(session.exec(query.order_by(col(MetricPoint.id))))

    def add_artifact(self, run_id: int, exporter: str, path: str, size: int, sha256: str) -> None:
        with Session(self.engine) as session:
            session.add(ArtifactRecord(run_id=run_id, exporter=exporter, path=path, bytes=size,
                                       sha256=sha256))
            session.commit()

    def artifacts(self, run_id: int) -> list[ArtifactRecord]:
        with Session(self.engine) as session:
            query = select(ArtifactRecord).where(ArtifactRecord.run_id == run_id)
            return list(session.exec(query.order_by(col(ArtifactRecord.id))))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
