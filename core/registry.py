"""registry.db: plugins and components seen, runs, metric points and artifacts (sqlmodel).

SQLite in WAL mode, so a reader (the studio, ``tunekit runs``) reads while a run writes.
Every write is one short transaction. The file is ``./registry.db`` unless
``TUNEKIT_REGISTRY`` names another.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlmodel import Field, Session, SQLModel, create_engine, select

from .errors import TunekitError

SCHEMA_VERSION = 1
RUN_STATUSES = ("queued", "running", "completed", "failed", "cancelled", "interrupted")


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

    @property
    def spec(self) -> dict[str, Any]:
        return json.loads(self.spec_json)

    @property
    def metrics(self) -> dict[str, Any]:
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


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
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
            SQLModel.metadata.create_all(registry.engine)
            registry._migrate()
        except Exception as exc:  # sqlite3.DatabaseError: not a database, read-only, ...
            cause = getattr(exc, "orig", None) or exc  # the database's words, not SQLAlchemy's
            raise TunekitError(
                f"cannot open the registry: {cause}",
                where=str(path),
                hint="point TUNEKIT_REGISTRY at another file, or move this one away",
            ) from None
        return registry

    def _migrate(self) -> None:
        """Bring a registry written by an older tunekit up to this schema: columns added since
        are added (empty), nothing is dropped. A newer registry is refused, not damaged."""
        with Session(self.engine) as session:
            meta = session.get(Meta, "schema_version")
            found = int(meta.value) if meta else 0
            if found > SCHEMA_VERSION:
                raise TunekitError(
                    f"this registry was written by a newer tunekit (schema {found}; this one "
                    f"knows {SCHEMA_VERSION})", where=str(self.path), hint="upgrade tunekit")
        with self.engine.begin() as conn:
            for table in SQLModel.metadata.sorted_tables:
                have = {row[1] for row in conn.execute(text(f'PRAGMA table_info("{table.name}")'))}
                for column in table.columns:
                    if column.name not in have:
                        kind = column.type.compile(dialect=self.engine.dialect)
                        conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN '
                                          f'"{column.name}" {kind}'))
        with Session(self.engine) as session:
            meta = session.get(Meta, "schema_version") or Meta(key="schema_version", value="")
            if meta.value != str(SCHEMA_VERSION):
                meta.value = str(SCHEMA_VERSION)
                session.add(meta)
                session.commit()

    def journal_mode(self) -> str:
        with self.engine.connect() as conn:
            return conn.execute(text("PRAGMA journal_mode")).scalar_one()

    # ------------------------------------------------------------ plugins

    def record_plugins(self, plugins: Iterable[dict[str, Any]], components: Iterable[Any]) -> None:
        """Remember the plugins and components seen by this process (replacing earlier ones)."""
        with Session(self.engine) as session:
            for p in plugins:
                record = session.get(PluginRecord, p["name"]) or PluginRecord(name=p["name"])
                record.version = p.get("version", "")
                record.source = p.get("source", "")
                record.status = p.get("status", "loaded")
                record.error = p.get("error")
                record.seen_at = now()
                session.add(record)
            for c in components:
                record = session.get(ComponentRecord, (c.kind, c.name)) or ComponentRecord(
                    kind=c.kind, name=c.name
                )
                record.plugin = c.plugin
                record.title = c.title
                record.description = c.description
                record.details_json = json.dumps(c.describe(), default=str)
                record.seen_at = now()
                session.add(record)
            session.commit()

    def plugins(self) -> list[PluginRecord]:
        with Session(self.engine) as session:
            return list(session.exec(select(PluginRecord).order_by(PluginRecord.name)))

    def components(self) -> list[ComponentRecord]:
        with Session(self.engine) as session:
            return list(session.exec(select(ComponentRecord)))

    # ------------------------------------------------------------ runs

    def create_run(self, spec: dict[str, Any], parent_id: int | None = None) -> RunRecord:
        if parent_id is not None and self.get_run(parent_id) is None:
            raise TunekitError(f"there is no run {parent_id}", where="--parent")
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
        )
        with Session(self.engine) as session:
            session.add(record)
            session.commit()
            session.refresh(record)
            return record

    def update_run(self, run_id: int, **fields: Any) -> RunRecord:
        """Set fields of a run; dicts are stored as JSON in the matching ``*_json`` column."""
        if "status" in fields and fields["status"] not in RUN_STATUSES:
            raise ValueError(f"unknown run status {fields['status']!r}")
        with Session(self.engine) as session:
            record = session.get(RunRecord, run_id)
            if record is None:
                raise TunekitError(f"there is no run {run_id}", where="registry")
            for key, value in fields.items():
                if isinstance(value, dict) and hasattr(record, f"{key}_json"):
                    setattr(record, f"{key}_json", json.dumps(value, default=str))
                else:
                    setattr(record, key, value)
            session.add(record)
            session.commit()
            session.refresh(record)
            return record

    def get_run(self, run_id: int) -> RunRecord | None:
        with Session(self.engine) as session:
            return session.get(RunRecord, run_id)

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        with Session(self.engine) as session:
            query = select(RunRecord).order_by(RunRecord.id.desc())
            if limit:
                query = query.limit(limit)
            return list(session.exec(query))

    def mark_orphans_interrupted(self) -> list[int]:
        """Runs left 'running' by a process on this host that no longer exists become
        'interrupted' (a kill -9 or a power loss never leaves a run 'running' forever)."""
        host = socket.gethostname()
        changed = []
        with Session(self.engine) as session:
            query = select(RunRecord).where(RunRecord.status.in_(("queued", "running")))
            for record in session.exec(query):
                if record.host == host and record.pid and not _pid_alive(record.pid):
                    record.status = "interrupted"
                    record.finished_at = record.finished_at or now()
                    record.error = record.error or "the process running it ended unexpectedly"
                    session.add(record)
                    changed.append(record.id)
            session.commit()
        return changed

    # ------------------------------------------------------------ metrics and artifacts

    def add_metric_points(self, run_id: int, points: Iterable[dict[str, Any]]) -> None:
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
            return list(session.exec(query.order_by(MetricPoint.id)))

    def add_artifact(self, run_id: int, exporter: str, path: str, size: int, sha256: str) -> None:
        with Session(self.engine) as session:
            session.add(ArtifactRecord(run_id=run_id, exporter=exporter, path=path, bytes=size,
                                       sha256=sha256))
            session.commit()

    def artifacts(self, run_id: int) -> list[ArtifactRecord]:
        with Session(self.engine) as session:
            query = select(ArtifactRecord).where(ArtifactRecord.run_id == run_id)
            return list(session.exec(query.order_by(ArtifactRecord.id)))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
