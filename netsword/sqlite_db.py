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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from netsword.private_files import private_dir

BUSY_TIMEOUT_S = 30.0


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
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    if not read_only:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
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
