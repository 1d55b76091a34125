"""Run history: one row per job run (start, end, outcome, figures) in the scheduler database (`scheduler.jobstore_url`).

`recent_runs(config, limit)` is what `netsword schedule status` and the triage UI read.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from netsword.config import Config

RUNNING, OK, FAILED, TIMEOUT, INTERRUPTED = "running", "ok", "failed", "timeout", "interrupted"
OUTCOMES = (RUNNING, OK, FAILED, TIMEOUT, INTERRUPTED)

metadata = MetaData()
runs_table = Table(
    "netsword_job_runs",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("job_id", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("trigger", String(16), nullable=False),  # schedule | run-now
    Column("started_at", String(32), nullable=False, index=True),
    Column("ended_at", String(32)),
    Column("outcome", String(16), nullable=False),
    Column("pages", Integer, nullable=False, default=0),
    Column("listings", Integer, nullable=False, default=0),
    Column("new_leads", Integer, nullable=False, default=0),
    Column("updated_leads", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("pid", Integer),
    Column("message", Text, nullable=False, default=""),
)


@dataclass
class RunFigures:
    """What one run did; each job kind fills what applies to it."""

    pages: int = 0
    listings: int = 0
    new_leads: int = 0
    updated_leads: int = 0
    errors: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "; ".join(self.notes)[:2000]


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    job_id: str
    kind: str
    trigger: str
    started_at: str
    ended_at: str
    outcome: str
    pages: int
    listings: int
    new_leads: int
    updated_leads: int
    errors: int
    pid: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # Daemon threads and `schedule status` share the file; wait for a writer rather than fail at once.
        return create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    return create_engine(url, pool_pre_ping=True)


class RunHistory:
    """Reads and writes the run history table; creates it on first use."""

    def __init__(self, url: str) -> None:
        self.engine = _engine(url)
        try:
            metadata.create_all(self.engine)
        except OperationalError as exc:
            # create_all checks then creates: a second process creating a new database at the same moment can
            # lose that race; the table then exists, which is all we need
            if "already exists" not in str(exc):
                raise

    def start(self, job_id: str, kind: str, *, trigger: str = "schedule", pid: int | None = None) -> str:
        run_id = "run-" + uuid.uuid4().hex[:20]
        with self.engine.begin() as conn:
            conn.execute(
                runs_table.insert().values(
                    run_id=run_id, job_id=job_id, kind=kind, trigger=trigger, started_at=_now_precise(),
                    outcome=RUNNING, pages=0, listings=0, new_leads=0, updated_leads=0, errors=0, pid=pid, message="",
                )
            )  # fmt: skip
        return run_id

    def finish(self, run_id: str, outcome: str, figures: RunFigures, message: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(runs_table)
                .where(runs_table.c.run_id == run_id)
                .values(
                    ended_at=_now_precise(), outcome=outcome, pages=figures.pages, listings=figures.listings,
                    new_leads=figures.new_leads, updated_leads=figures.updated_leads, errors=figures.errors,
                    message=(message or figures.summary())[:2000],
                )
            )  # fmt: skip

    def interrupt_running(self, reason: str) -> int:
        """Close runs a dead daemon left `running` (it was killed, or the machine stopped)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(runs_table)
                .where(runs_table.c.outcome == RUNNING)
                .values(outcome=INTERRUPTED, ended_at=_now_precise(), message=reason)
            )
        return int(result.rowcount or 0)

    def recent(self, limit: int = 20, job_id: str | None = None) -> list[RunRecord]:
        query = select(runs_table).order_by(runs_table.c.started_at.desc(), runs_table.c.run_id).limit(limit)
        if job_id:
            query = query.where(runs_table.c.job_id == job_id)
        with self.engine.connect() as conn:
            return [_record(row._mapping) for row in conn.execute(query)]

    def last_per_job(self) -> dict[str, RunRecord]:
        out: dict[str, RunRecord] = {}
        query = select(runs_table).order_by(runs_table.c.started_at.asc())
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                record = _record(row._mapping)
                out[record.job_id] = record
        return out

    def prune(self, older_than_days: float) -> int:
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).strftime("%Y-%m-%dT%H:%M:%S")
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(runs_table).where(runs_table.c.started_at < cutoff, runs_table.c.outcome != RUNNING)
            )
        return int(result.rowcount or 0)

    def close(self) -> None:
        self.engine.dispose()


def _record(row: Any) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"], job_id=row["job_id"], kind=row["kind"], trigger=row["trigger"],
        started_at=row["started_at"], ended_at=row["ended_at"] or "", outcome=row["outcome"], pages=row["pages"],
        listings=row["listings"], new_leads=row["new_leads"], updated_leads=row["updated_leads"],
        errors=row["errors"], pid=row["pid"], message=row["message"] or "",
    )  # fmt: skip


def _now_precise() -> str:
    """UTC to the millisecond: second-scale test schedules need runs ordered and overlaps visible."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def recent_runs(config: Config, limit: int = 20, job_id: str | None = None) -> list[RunRecord]:
    """The latest runs, newest first: for `netsword schedule status` and the triage UI."""
    history = RunHistory(config.scheduler_jobstore_url)
    try:
        return history.recent(limit, job_id)
    finally:
        history.close()
