"""netsword.sqlite_migrations: versioned in a named table, idempotent, refuses newer, safe for concurrent openers."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from netsword.sqlite_migrations import migrate

STEPS = [
    "CREATE TABLE a (x INTEGER);\nCREATE TRIGGER a_t AFTER INSERT ON a BEGIN\n  SELECT 1;\nEND;",
    "CREATE TABLE b (y TEXT);",
]


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)


def test_migrates_once_and_leaves_user_version_alone(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "x.db")
    assert migrate(conn, STEPS, version_table="x_schema", label="x") == 2
    assert migrate(conn, STEPS, version_table="x_schema", label="x") == 2
    assert conn.execute("SELECT max(version) FROM x_schema").fetchone()[0] == 2
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} >= {"a", "b"}


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "x.db")
    migrate(conn, STEPS, version_table="x_schema", label="x")
    with pytest.raises(RuntimeError, match="x schema 2 is newer than this NetSword"):
        migrate(conn, STEPS[:1], version_table="x_schema", label="x")


def test_concurrent_openers_of_a_new_file_both_succeed(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_and_migrate() -> None:
        conn = _connect(tmp_path / "shared.db")
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
    conn = _connect(tmp_path / "shared.db")
    assert [r[0] for r in conn.execute("SELECT version FROM x_schema ORDER BY version")] == [1, 2]
