"""Numbered SQLite migrations versioned in a named table, safe when two processes open a new database at once.

Used by the outbox, triage, parcel tables; the lead store keeps PRAGMA user_version (leads/store/sqlite_schema.py),
which is why everyone else versions in a table of their own when they share its file.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def migrate(conn: sqlite3.Connection, migrations: Sequence[str], *, version_table: str, label: str) -> int:
    """Apply every migration newer than the version recorded in `version_table`; returns the resulting version.

    Each step runs under BEGIN IMMEDIATE and re-reads the version inside the transaction, so of two processes
    migrating at once only one applies a step and the other sees it done. `label` names the database in errors.
    """
    if not _TABLE_NAME.match(version_table):
        raise ValueError(f"bad version table name {version_table!r}")
    newest = len(migrations)
    conn.execute(f"CREATE TABLE IF NOT EXISTS {version_table} (version INTEGER NOT NULL)")
    while True:
        version = _version(conn, version_table)
        if version > newest:
            raise RuntimeError(f"{label} schema {version} is newer than this NetSword ({newest}); upgrade NetSword")
        if version == newest:
            return newest
        conn.execute("BEGIN IMMEDIATE")
        try:
            if _version(conn, version_table) == version:
                for statement in split_statements(migrations[version]):
                    conn.execute(statement)
                # The table name was checked above; only the number is data.
                conn.execute(f"INSERT INTO {version_table}(version) VALUES (?)", (version + 1,))  # noqa: S608
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


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
