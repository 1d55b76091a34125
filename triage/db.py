"""The triage UI's own SQLite file `<var_dir>/triage.db`: users, sessions, login failures, audit log, referrals.

Versioned in its `triage_schema` table (netsword.sqlite_migrations); opened by netsword.sqlite_db.connect.
"""

from __future__ import annotations

from pathlib import Path

from netsword.sqlite_db import SharedDatabase

MIGRATIONS: list[str] = [
    # 1: accounts, sessions, login throttling, the hash-chained audit log and referral packages
    """
    CREATE TABLE users (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        scope_owners TEXT NOT NULL DEFAULT '[]',
        scope_entries TEXT NOT NULL DEFAULT '[]',
        display_name TEXT NOT NULL DEFAULT '',
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users(username),
        csrf_token TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE INDEX sessions_user ON sessions(username);
    CREATE TABLE login_failures (
        id INTEGER PRIMARY KEY,
        subject TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX login_failures_subject ON login_failures(subject, at);
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_log_target ON audit_log(target);
    CREATE TABLE referrals (
        referral_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        title TEXT NOT NULL,
        lead_ids TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL DEFAULT '',
        package_sha256 TEXT NOT NULL DEFAULT ''
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class TriageDB(SharedDatabase):
    """One connection to triage.db shared by the app's threads, guarded by a lock; writers queue up in
    `transaction()` instead of reading a stale audit-chain head. Created 0600 (netsword.sqlite_db.connect)."""

    MIGRATIONS = MIGRATIONS
    VERSION_TABLE = "triage_schema"
    LABEL = "triage.db"



def triage_db_path(var_dir: str | Path) -> Path:
    return Path(var_dir) / "triage.db"
