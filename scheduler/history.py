"""Run history: one row per job run (start, end, outcome, figures) in the job store's SQLite file.

`recent_runs(config, limit)` is what `netsword schedule status` and the triage UI read. The table sits next to
APScheduler's job table (`scheduler.jobstore_url`) and is versioned in `job_runs_schema` (netsword.sqlite_migrations).
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from netsword.config import Config
from netsword.sqlite_db import connect
from netsword.sqlite_migrations import migrate

RUNNING, OK, FAILED, TIMEOUT, INTERRUPTED = "running", "ok", "failed", "timeout", "interrupted"
PARTIAL = "partial"  # finished, but something was lost (a crawl that gave pages up): the message says what
BLOCKED = "blocked"  # a crawl stopped because the platform answered with captcha, login or access-denied pages
OUTCOMES = (RUNNING, OK, PARTIAL, FAILED, TIMEOUT, INTERRUPTED, BLOCKED)

MIGRATIONS: list[str] = [
    # 1: the runs table and indexes under the names SQLAlchemy gave them, so a file it created is taken over as is
    """
    CREATE TABLE IF NOT EXISTS netsword_job_runs (
        run_id VARCHAR(40) NOT NULL PRIMARY KEY,
        job_id VARCHAR(64) NOT NULL,
        kind VARCHAR(32) NOT NULL,
        "trigger" VARCHAR(16) NOT NULL,
        started_at VARCHAR(32) NOT NULL,
        ended_at VARCHAR(32),
        outcome VARCHAR(16) NOT NULL,
        pages INTEGER NOT NULL DEFAULT 0,
        listings INTEGER NOT NULL DEFAULT 0,
        new_leads INTEGER NOT NULL DEFAULT 0,
        updated_leads INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        pid INTEGER,
        message TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX IF NOT EXISTS ix_netsword_job_runs_job_id ON netsword_job_runs(job_id);
    CREATE INDEX IF NOT EXISTS ix_netsword_job_runs_started_at ON netsword_job_runs(started_at);
    """,
]


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


def history_path(url: str) -> Path:
    """The SQLite file of a `sqlite:///` job store URL; the run history is kept in SQLite only."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"scheduler.jobstore_url: the run history needs a sqlite:/// URL, not {url.split(':')[0]!r}")
    return Path(url.removeprefix("sqlite:///"))


class RunHistory:
    """Reads and writes the run history table; creates it on first use. One connection, shared under a lock."""

    def __init__(self, url: str) -> None:
        self.lock = threading.Lock()
        self.conn = connect(history_path(url))
        self.schema_version = migrate(self.conn, MIGRATIONS, version_table="job_runs_schema", label="run history")

    @classmethod
    def for_config(cls, config: Config) -> RunHistory:
        """Next to the job store when it is SQLite; with any other job store, in `<var_dir>/scheduler.db`."""
        url = config.scheduler_jobstore_url
        return cls(url if url.startswith("sqlite:///") else f"sqlite:///{config.var_dir / 'scheduler.db'}")

    def start(self, job_id: str, kind: str, *, trigger: str = "schedule", pid: int | None = None) -> str:
        run_id = "run-" + uuid.uuid4().hex[:20]
        with self.lock:
            self.conn.execute(
                'INSERT INTO netsword_job_runs (run_id, job_id, kind, "trigger", started_at, outcome, pages, listings, '
                "new_leads, updated_leads, errors, pid, message) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?, '')",
                (run_id, job_id, kind, trigger, _now_precise(), RUNNING, pid),
            )
        return run_id

    def finish(self, run_id: str, outcome: str, figures: RunFigures, message: str = "") -> None:
        with self.lock:
            self.conn.execute(
                "UPDATE netsword_job_runs SET ended_at = ?, outcome = ?, pages = ?, listings = ?, new_leads = ?, "
                "updated_leads = ?, errors = ?, message = ? WHERE run_id = ?",
                (_now_precise(), outcome, figures.pages, figures.listings, figures.new_leads, figures.updated_leads,
                 figures.errors, (message or figures.summary())[:2000], run_id),
            )  # fmt: skip

    def progress(self, run_id: str, figures: RunFigures) -> None:
        """Record a running run's figures so far, so a daemon killed in the middle leaves what its run had reached."""
        with self.lock:
            self.conn.execute(
                "UPDATE netsword_job_runs SET pages = ?, listings = ?, new_leads = ?, updated_leads = ?, errors = ?, "
                "message = ? WHERE run_id = ? AND outcome = ?",
                (figures.pages, figures.listings, figures.new_leads, figures.updated_leads, figures.errors,
                 figures.summary(), run_id, RUNNING),
            )  # fmt: skip

    def interrupt_running(self, reason: str) -> int:
        """Close runs a dead daemon left `running` (it was killed, or the machine stopped); their figures are the last
        `progress` recorded, and what they reached is kept in the message after the reason."""
        with self.lock:
            cursor = self.conn.execute(
                "UPDATE netsword_job_runs SET outcome = ?, ended_at = ?, "
                "message = substr(? || CASE WHEN message != '' THEN '; so far: ' || message ELSE '' END, 1, 2000) "
                "WHERE outcome = ?",
                (INTERRUPTED, _now_precise(), reason, RUNNING),
            )
        return cursor.rowcount

    def get(self, run_id: str) -> RunRecord:
        """The record of one run (the run a caller started: `recent` could name another that started the same
        millisecond)."""
        with self.lock:
            row = self.conn.execute("SELECT * FROM netsword_job_runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(run_id)
        return _record(row)

    def recent(self, limit: int = 20, job_id: str | None = None) -> list[RunRecord]:
        with self.lock:
            rows = self.conn.execute(  # runs started in the same millisecond: the one recorded later first
                "SELECT * FROM netsword_job_runs WHERE ? IS NULL OR job_id = ? "
                "ORDER BY started_at DESC, rowid DESC LIMIT ?",
                (job_id or None, job_id, limit),
            ).fetchall()
        return [_record(row) for row in rows]

    def last_per_job(self) -> dict[str, RunRecord]:
        with self.lock:
            rows = self.conn.execute("SELECT * FROM netsword_job_runs ORDER BY started_at, rowid").fetchall()
        return {record.job_id: record for record in map(_record, rows)}

    def prune(self, older_than_days: float) -> int:
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).strftime("%Y-%m-%dT%H:%M:%S")
        with self.lock:
            cursor = self.conn.execute(
                "DELETE FROM netsword_job_runs WHERE started_at < ? AND outcome != ?", (cutoff, RUNNING)
            )
        return cursor.rowcount

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _record(row: sqlite3.Row) -> RunRecord:
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
    history = RunHistory.for_config(config)
    try:
        return history.recent(limit, job_id)
    finally:
        history.close()
