"""The one way NetSword opens and writes its SQLite databases (leads, outbox, triage, parcels, run history).

`connect(path)` opens in autocommit mode (a new file 0600 in a 0700 directory) with WAL, `synchronous=NORMAL` (a killed process loses nothing that was
committed; only a power cut may lose the last commits), foreign keys on and a 30 s busy timeout, so a second process
waits for the lock instead of failing. `transaction(conn)` is BEGIN IMMEDIATE … COMMIT: a writer takes the write lock
before it reads what it is about to change, so two processes never both act on a stale read.
Migrations: `netsword.sqlite_migrations.migrate`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from netsword.private_files import private_dir

BUSY_TIMEOUT_S = 30.0
RECOVER = "restore it from a backup or move it away (docs/operations.md); netsword doctor checks every database"


class DatabaseUnusable(RuntimeError):
    """A database file NetSword cannot use (damaged, truncated, not SQLite, or from a newer NetSword): one line
    naming the file and what to do."""


def file_of(conn: sqlite3.Connection) -> str:
    """The file behind a connection ('' for an in-memory database)."""
    try:
        return str(conn.execute("PRAGMA database_list").fetchone()[2] or "")
    except sqlite3.Error:
        return ""


def connect(path: str | Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection for one thread or guarded by the caller's lock; rows as sqlite3.Row; explicit transactions."""
    target = str(path)
    if read_only:
        uri = Path(target).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    else:
        if target != ":memory:":
            private_dir(Path(target).parent)
            # a new database is its owner's only (SQLite gives its -wal and -shm files the same mode)
            os.close(os.open(target, os.O_CREAT | os.O_RDWR, 0o600))
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        if not read_only:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the schema: a damaged header fails here
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            conn.close()
            raise
        conn.close()
        raise DatabaseUnusable(f"{target}: cannot open the database ({exc}); {RECOVER}") from None
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseUnusable(f"{target}: damaged or not a database ({exc}); {RECOVER}") from None
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (the exception goes on)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def has_table(path: str | Path, name: str) -> bool:
    """Whether the database file exists and holds table `name`, read-only (a check that must not write, e.g. on a
    full disk, and must not create the tables it looks for)."""
    if not Path(path).exists():
        return False
    try:
        conn = connect(path, read_only=True)
    except (DatabaseUnusable, sqlite3.Error):
        return False
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None
    finally:
        conn.close()


def integrity_problems(path: str | Path, *, limit: int = 5) -> list[str]:
    """What SQLite's own check (PRAGMA quick_check) finds wrong with a database file, read-only; [] when sound."""
    try:
        conn = connect(path, read_only=True)
    except DatabaseUnusable as exc:
        return [str(exc)]
    try:
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA quick_check({int(limit)})").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [f"{path}: {exc}"]
    finally:
        conn.close()
    return [] if rows == ["ok"] else [f"{path}: {row}" for row in rows]


class SharedDatabase:
    """One connection to a database of NetSword's own, shared by a process's threads under a lock, migrated on open:
    the triage, cases and parcel databases are this with their migrations (`MIGRATIONS`, `VERSION_TABLE`, `LABEL`)."""

    MIGRATIONS: Sequence[str] = ()
    VERSION_TABLE = ""
    LABEL = ""

    def __init__(self, path: str | Path) -> None:
        from netsword.sqlite_migrations import migrate

        self.path = Path(path)
        self.lock = threading.RLock()
        self.conn = connect(self.path)
        self.schema_version = migrate(self.conn, self.MIGRATIONS, version_table=self.VERSION_TABLE, label=self.LABEL)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT under the lock (the connection is in autocommit mode outside it)."""
        with self.lock, transaction(self.conn) as conn:
            yield conn

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
