"""netsword.sqlite_migrations: versioned in a named table, idempotent, refuses newer, safe for concurrent openers.

The lead store moved from PRAGMA user_version to its `leads_schema` table: files made by the old runner are picked
up at their version, and an older release still refuses a file this one migrated.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from leads.store import LeadQuery
from leads.store.sqlite import SqliteLeadStore
from leads.store.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from netsword.models import Lead, Reason
from netsword.sqlite_db import connect
from netsword.sqlite_migrations import migrate, split_statements

REPO = Path(__file__).resolve().parents[2]
STEPS = [
    "CREATE TABLE a (x INTEGER);\nCREATE TRIGGER a_t AFTER INSERT ON a BEGIN\n  SELECT 1;\nEND;",
    "CREATE TABLE b (y TEXT);",
]


def test_migrates_once_and_leaves_user_version_alone(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    assert migrate(conn, STEPS, version_table="x_schema", label="x") == 2
    assert migrate(conn, STEPS, version_table="x_schema", label="x") == 2
    assert conn.execute("SELECT max(version) FROM x_schema").fetchone()[0] == 2
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} >= {"a", "b"}


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    migrate(conn, STEPS, version_table="x_schema", label="x")
    with pytest.raises(RuntimeError, match="x schema 2 is newer than this NetSword"):
        migrate(conn, STEPS[:1], version_table="x_schema", label="x")


def test_a_failed_step_leaves_the_version_where_it_was(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, [*STEPS, "CREATE TABLE c (z);\nCREATE TABLE a (again);"], version_table="x_schema", label="x")
    assert conn.execute("SELECT max(version) FROM x_schema").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'c'").fetchone()[0] == 0


def test_concurrent_openers_of_a_new_file_both_succeed(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_and_migrate() -> None:
        conn = connect(tmp_path / "shared.db")
        start.wait()
        try:
            migrate(conn, STEPS, version_table="x_schema", label="x")
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=open_and_migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    conn = connect(tmp_path / "shared.db")
    assert [r[0] for r in conn.execute("SELECT version FROM x_schema ORDER BY version")] == [1, 2]


# -- the lead store's move from PRAGMA user_version ------------------------------------------------------------------


def _old_release_migrate(conn: sqlite3.Connection, migrations: list[str]) -> int:
    """The lead store's runner before `leads_schema` (verbatim but for names): what older releases run on open."""
    while True:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            raise RuntimeError(
                f"database schema {version} is newer than this NetSword ({len(migrations)}); upgrade NetSword"
            )
        if version == len(migrations):
            return len(migrations)
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current == version:
                for statement in split_statements(migrations[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _a_lead_row(tmp_path: Path) -> tuple[Lead, tuple[object, ...], list[str]]:
    """One stored lead as a raw row in the columns of schema 1 (step 5 added `last_run`, empty for this lead)."""
    lead = Lead(
        lead_id="lead-old-1", listing_id="L1", platform="jd", url="https://item.jd.com/1.html", entry_id="tm-nike",
        kind="trademark", score=88, matched="耐克", reasons=(Reason("brand", "brand in title"),),
        listing={"id": "L1", "platform": "jd", "url": "https://item.jd.com/1.html", "title": "耐克 复刻 跑鞋 旧库"},
        first_seen="2026-01-02T03:04:05Z", last_seen="2026-01-02T03:04:05Z",
    )  # fmt: skip
    with SqliteLeadStore(tmp_path / "scratch.db") as store:
        store.put_raw([lead])
        stored = store.get(lead.lead_id)
        cursor = store.conn.execute("SELECT * FROM leads")
        row = cursor.fetchone()
        columns = [d[0] for d in cursor.description]
    assert stored is not None
    kept = [i for i, name in enumerate(columns) if name != "last_run"]
    return stored, tuple(row[i] for i in kept), [columns[i] for i in kept]


def _old_style_file(path: Path, version: int, row: tuple[object, ...], columns: list[str]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    assert _old_release_migrate(conn, MIGRATIONS[:version]) == version
    marks = ",".join("?" * len(columns))
    conn.execute(f"INSERT INTO leads ({','.join(columns)}) VALUES ({marks})", row)
    conn.close()


def _versions(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT version FROM leads_schema ORDER BY version")]
    finally:
        conn.close()


@pytest.mark.parametrize("old_version", [1, 2, SCHEMA_VERSION])
def test_a_user_version_file_is_picked_up_at_its_version(tmp_path: Path, old_version: int) -> None:
    lead, row, columns = _a_lead_row(tmp_path)
    path = tmp_path / "old.db"
    _old_style_file(path, old_version, row, columns)
    with SqliteLeadStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.get(lead.lead_id) == lead
        assert [found.lead_id for found in store.search(LeadQuery(text="复刻"))] == [lead.lead_id]
        store.set_status(lead.lead_id, "confirmed")  # lead_status_history, from step 2, is there
    # Adopted at its version, then only the newer steps ran (re-running step 1 would have failed on `leads`).
    assert _versions(path) == list(range(old_version, SCHEMA_VERSION + 1))
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_older_release_refuses_a_file_this_one_migrated(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SqliteLeadStore(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    assert _old_release_migrate(conn, MIGRATIONS) == SCHEMA_VERSION  # same schema: it opens, and changes nothing
    with pytest.raises(RuntimeError, match=f"schema {SCHEMA_VERSION} is newer than this NetSword"):
        _old_release_migrate(conn, MIGRATIONS[:-1])


def test_a_user_version_newer_than_this_release_is_refused_and_not_adopted(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path, isolation_level=None)
    _old_release_migrate(conn, MIGRATIONS)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match=f"lead store schema {SCHEMA_VERSION + 1} is newer than this NetSword"):
        SqliteLeadStore(path)
    assert _versions(path) == []


def test_processes_opening_an_old_style_file_at_once_adopt_it_once(tmp_path: Path) -> None:
    _, row, columns = _a_lead_row(tmp_path)
    path = tmp_path / "old.db"
    _old_style_file(path, 2, row, columns)
    code = "import sys; from leads.store.sqlite import SqliteLeadStore; SqliteLeadStore(sys.argv[1]).close()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=REPO, stderr=subprocess.PIPE) for _ in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    assert _versions(path) == list(range(2, SCHEMA_VERSION + 1))
