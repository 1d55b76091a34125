"""The one way NetSword opens and writes its SQLite databases (leads, outbox, triage, parcels, run history).

`connect(path)` opens in autocommit mode (a new file 0600 in a 0700 directory) with WAL, `synchronous=NORMAL` (a killed process loses nothing that was
committed; only a power cut may lose the last commits), foreign keys on and a 30 s busy timeout, so a second process
waits for the lock instead of failing. `transaction(conn)` is BEGIN IMMEDIATE … COMMIT: a writer takes the write lock
before it reads what it is about to change, so two processes never both act on a stale read.
Migrations: `netsword.sqlite_migrations.migrate`.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, Self, TypeVar

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
            create_whole(Path(target))
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
        if _disk_full(target):  # SQLite says "disk I/O error" when it cannot make the -shm/-wal files: not damage
            raise DatabaseUnusable(f"{target}: cannot open the database ({exc}): the disk holding it is full; "
                                   "free disk space and run again (the database itself is not damaged)") from None  # fmt: skip
        raise DatabaseUnusable(f"{target}: cannot open the database ({exc}); {RECOVER}") from None
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseUnusable(f"{target}: damaged or not a database ({exc}); {RECOVER}") from None
    return conn


def _disk_full(target: str) -> bool:
    """Whether the file system holding `target` has no block left for ordinary users (when root has filled it too,
    the kernel counts none available either)."""
    try:
        return os.statvfs(Path(target).resolve().parent).f_bavail == 0
    except OSError:
        return False


def create_whole(path: Path) -> None:
    """Make sure `path` holds a database already in WAL mode before any connection uses it; any number of processes
    may call this at once.

    Two processes that both set WAL mode on a new, empty file race inside SQLite: one of them can go on writing to a
    journal the other no longer reads, and every row it then commits is lost without an error (two crawl workers
    starting on one new evidence directory lost 4-11 of 50 ledger rows, in about half of the attempts; plain sqlite3
    loses all of one process's rows). So the file is made elsewhere — a 0600 temporary file next to it, WAL mode
    set, closed — and moved into place under an exclusive lock on its directory: the name only ever shows a whole
    database whose header already says WAL, and `PRAGMA journal_mode=WAL` in `connect` is then a no-op for every
    process. An empty file (left by an older NetSword) is replaced the same way. Nothing here opens the database file
    itself: closing a descriptor of a file drops every POSIX lock this process holds on it, SQLite's included.
    """
    if _is_database(path):
        return
    folder = private_dir(path.parent)
    lock_fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
        except OSError:
            pass  # a file system without flock: the move below still never shows a half-made file
        if _is_database(path):
            return  # another process made it while this one waited
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.new-")  # 0600: SQLite's -wal/-shm follow
        os.close(fd)
        try:
            fresh = sqlite3.connect(tmp, isolation_level=None)
            try:
                fresh.execute("PRAGMA journal_mode=WAL")  # on an empty file this writes the header at once
            finally:
                fresh.close()
            os.replace(tmp, path)
        except sqlite3.Error as exc:  # a full disk, as connect() reports it
            raise DatabaseUnusable(f"{path}: cannot create the database ({exc}); free disk space or check the "
                                   "directory's permissions") from None  # fmt: skip
        finally:
            for leftover in (tmp, f"{tmp}-wal", f"{tmp}-shm"):
                Path(leftover).unlink(missing_ok=True)
    finally:
        os.close(lock_fd)  # releases the flock


def _is_database(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


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


DB = TypeVar("DB", bound=SharedDatabase)


class OpenedOnUse(Generic[DB]):
    """A SharedDatabase of kind `kind` at `path`, opened (and migrated) on first use, so a reader that never needs it
    creates nothing; closed on demand, opened again by the next use."""

    def __init__(self, kind: type[DB], path: str | Path) -> None:
        self.kind, self.path = kind, Path(path)
        self._db: DB | None = None
        self._lock = threading.Lock()

    def get(self) -> DB:
        with self._lock:
            if self._db is None:
                self._db = self.kind(self.path)
            return self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
