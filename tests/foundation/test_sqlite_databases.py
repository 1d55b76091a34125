"""Every SQLite database opens through netsword.sqlite_db and migrates through netsword.sqlite_migrations."""

from __future__ import annotations

import ast
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from alerts.outbox import Outbox
from leads.store.sqlite import SqliteLeadStore
from netsword.config import Config, PathsConfig, SchedulerConfig
from netsword.sqlite_db import BUSY_TIMEOUT_S
from parcels.db import ParcelDB
from scheduler.history import OK, RunFigures, RunHistory, recent_runs
from triage.db import TriageDB

REPO = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = ["netsword", "matchers", "watchlists", "leads", "crawler", "alerts", "triage", "demo", "parcels",
                    "evidence", "scheduler"]  # fmt: skip
# Modules opening SQLite themselves, each with the reason.
OWN_CONNECTIONS = {
    "netsword/sqlite_db.py": "the helper itself",
}


def _connections(tmp_path: Path) -> Iterator[tuple[str, sqlite3.Connection]]:
    shared = tmp_path / "netsword.db"  # the lead store, outbox and parcel tables share the store's file
    with ExitStack() as stack:
        yield "leads", stack.enter_context(SqliteLeadStore(shared)).conn
        yield "outbox", stack.enter_context(Outbox(shared)).conn
        yield "parcels", stack.enter_context(ParcelDB(shared)).conn
        triage = TriageDB(tmp_path / "triage.db")
        stack.callback(triage.close)
        yield "triage", triage.conn
        history = RunHistory(f"sqlite:///{tmp_path / 'scheduler.db'}")
        stack.callback(history.close)
        yield "run history", history.conn


def test_every_database_has_the_same_connection_settings(tmp_path: Path) -> None:
    for name, conn in _connections(tmp_path):
        settings = {
            "journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0],
            "synchronous": conn.execute("PRAGMA synchronous").fetchone()[0],
            "foreign_keys": conn.execute("PRAGMA foreign_keys").fetchone()[0],
            "busy_timeout": conn.execute("PRAGMA busy_timeout").fetchone()[0],
            "autocommit": conn.isolation_level is None,
        }
        expected = {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1,
                    "busy_timeout": int(BUSY_TIMEOUT_S * 1000), "autocommit": True}  # fmt: skip
        assert settings == expected, name


def test_databases_sharing_a_file_keep_their_own_versions(tmp_path: Path) -> None:
    list(_connections(tmp_path))
    conn = sqlite3.connect(tmp_path / "netsword.db")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"leads_schema", "alert_schema", "parcels_schema_version"} <= tables
    for table in ("leads_schema", "alert_schema", "parcels_schema_version"):
        assert conn.execute(f"SELECT max(version) FROM {table}").fetchone()[0] >= 1, table


def test_no_module_opens_sqlite_but_the_helper() -> None:
    found: set[str] = set()
    for package in RUNTIME_PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "connect"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "sqlite3"
                ):
                    found.add(path.relative_to(REPO).as_posix())
    assert found <= set(OWN_CONNECTIONS), sorted(found - set(OWN_CONNECTIONS))


def test_parcel_writes_are_one_transaction(tmp_path: Path) -> None:
    with ParcelDB(tmp_path / "parcels.db") as db:
        with pytest.raises(RuntimeError), db.transaction() as conn:
            conn.execute("INSERT INTO parcel_shippers(sender_key, shipper_id) VALUES ('k1', 'sh-1')")
            raise RuntimeError("interrupted half-way")
        assert db.conn.execute("SELECT count(*) FROM parcel_shippers").fetchone()[0] == 0
        assert not db.conn.in_transaction


# The table as SQLAlchemy created it before the run history moved to netsword.sqlite_db (printed by CreateTable).
SQLALCHEMY_RUNS_TABLE = """
CREATE TABLE netsword_job_runs (
    run_id VARCHAR(40) NOT NULL, job_id VARCHAR(64) NOT NULL, kind VARCHAR(32) NOT NULL,
    "trigger" VARCHAR(16) NOT NULL, started_at VARCHAR(32) NOT NULL, ended_at VARCHAR(32),
    outcome VARCHAR(16) NOT NULL, pages INTEGER NOT NULL, listings INTEGER NOT NULL, new_leads INTEGER NOT NULL,
    updated_leads INTEGER NOT NULL, errors INTEGER NOT NULL, pid INTEGER, message TEXT NOT NULL,
    PRIMARY KEY (run_id)
);
CREATE INDEX ix_netsword_job_runs_job_id ON netsword_job_runs (job_id);
CREATE INDEX ix_netsword_job_runs_started_at ON netsword_job_runs (started_at);
CREATE TABLE netsword_apscheduler_jobs (id VARCHAR(191) NOT NULL, next_run_time FLOAT, job_state BLOB NOT NULL,
    PRIMARY KEY (id));
"""


def test_run_history_takes_over_a_file_sqlalchemy_made(tmp_path: Path) -> None:
    path = tmp_path / "scheduler.db"
    conn = sqlite3.connect(path)
    conn.executescript(SQLALCHEMY_RUNS_TABLE)
    conn.execute(
        "INSERT INTO netsword_job_runs VALUES ('run-1', 'crawl', 'crawl', 'schedule', '2026-11-01T00:00:00.000Z',"
        " '2026-11-01T00:01:00.000Z', 'ok', 3, 20, 2, 1, 0, 4242, 'fine')"
    )
    conn.commit()
    conn.close()
    history = RunHistory(f"sqlite:///{path}")
    try:
        (old,) = history.recent()
        assert (old.run_id, old.outcome, old.pages, old.pid, old.message) == ("run-1", OK, 3, 4242, "fine")
        run_id = history.start("crawl", "crawl", trigger="run-now")
        history.finish(run_id, OK, RunFigures(pages=1, notes=["again"]))
        assert [run.run_id for run in history.recent()] == [run_id, "run-1"]
        assert history.last_per_job()["crawl"].message == "again"
        indexes = {r[0] for r in history.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_netsword_job_runs_job_id", "ix_netsword_job_runs_started_at"} <= indexes
        assert history.conn.execute("SELECT max(version) FROM job_runs_schema").fetchone()[0] == 1
    finally:
        history.close()


def test_run_history_names_the_setting_for_a_url_it_cannot_use() -> None:
    with pytest.raises(ValueError, match=r"^scheduler.jobstore_url: the run history needs a sqlite:/// URL"):
        RunHistory("postgresql://scheduler@db/netsword")


def test_run_history_of_a_config_with_another_job_store_stays_in_var(tmp_path: Path) -> None:
    config = Config(paths=PathsConfig(var_dir=str(tmp_path / "var")),
                    scheduler=SchedulerConfig(jobstore_url="postgresql://scheduler@db/netsword"))  # fmt: skip
    history = RunHistory.for_config(config)
    try:
        history.start("crawl", "crawl")
    finally:
        history.close()
    assert [run.job_id for run in recent_runs(config)] == ["crawl"]
    assert (tmp_path / "var" / "scheduler.db").is_file()
