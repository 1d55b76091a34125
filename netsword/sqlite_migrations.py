"""The one migration runner of NetSword's SQLite databases: numbered steps versioned in a named table per database.

Every database that can share a file names its own table (`leads_schema`, `alert_schema`, `parcels_schema_version`,
`triage_schema`, `scheduler_schema`), so the lead store, outbox and parcel tables live side by side in one file.
The lead store was versioned by `PRAGMA user_version` before: `legacy_user_version=True` adopts that number the
first time and keeps it equal to the version, so a NetSword from before the table still refuses a newer file.
Connections: `netsword.sqlite_db.connect`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from netsword.sqlite_db import DatabaseUnusable, file_of, transaction

_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def migrate(
    conn: sqlite3.Connection,
    migrations: Sequence[str],
    *,
    version_table: str,
    label: str,
    legacy_user_version: bool = False,
) -> int:
    """Apply every migration newer than the version recorded in `version_table`; returns the resulting version.

    Each step runs under BEGIN IMMEDIATE and re-reads the version inside the transaction, so of two processes
    migrating at once only one applies a step and the other sees it done. `label` names the database in errors.
    `conn` must be in autocommit mode (`netsword.sqlite_db.connect`).
    """
    if not _TABLE_NAME.match(version_table):
        raise ValueError(f"bad version table name {version_table!r}")
    newest = len(migrations)
    conn.execute(f"CREATE TABLE IF NOT EXISTS {version_table} (version INTEGER NOT NULL)")
    if legacy_user_version:
        _adopt_user_version(conn, version_table, label, newest)
    while True:
        version = _version(conn, version_table)
        if version > newest:
            raise DatabaseUnusable(f"{_where(conn)}{label} schema {version} is newer than this NetSword ({newest}); "
                                   "upgrade NetSword, or restore a backup made by this version")  # fmt: skip
        if version == newest:
            return newest
        with transaction(conn):
            if _version(conn, version_table) == version:
                for statement in split_statements(migrations[version]):
                    conn.execute(statement)
                _record(conn, version_table, version + 1, legacy_user_version)


def _where(conn: sqlite3.Connection) -> str:
    path = file_of(conn)
    return f"{path}: " if path else ""


def _adopt_user_version(conn: sqlite3.Connection, version_table: str, label: str, newest: int) -> None:
    """A file versioned by `PRAGMA user_version` alone starts at that version (once, under the write lock)."""
    if _version(conn, version_table):
        return
    with transaction(conn):
        if _version(conn, version_table):
            return  # another process adopted it first
        legacy = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if legacy > newest:
            raise DatabaseUnusable(f"{_where(conn)}{label} schema {legacy} is newer than this NetSword ({newest}); "
                                   "upgrade NetSword, or restore a backup made by this version")  # fmt: skip
        if legacy:
            _record(conn, version_table, legacy, mirror=False)


def _record(conn: sqlite3.Connection, version_table: str, version: int, mirror: bool) -> None:
    # The table name was checked by migrate; only the number is data.
    conn.execute(f"INSERT INTO {version_table}(version) VALUES (?)", (version,))  # noqa: S608
    if mirror:
        # Older NetSword releases read user_version only: keep it equal, so they refuse a file they do not know.
        conn.execute(f"PRAGMA user_version = {int(version)}")


def _version(conn: sqlite3.Connection, version_table: str) -> int:
    row = conn.execute(f"SELECT max(version) FROM {version_table}").fetchone()  # noqa: S608 (checked name)
    return int(row[0] or 0)


def split_statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (which contain semicolons) whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
