"""The outbox's SQLite tables as numbered migrations, versioned in `alert_schema` (netsword.sqlite_migrations).

`alert_items`: one decided alert per idempotency key (lead, rule, recipient, event), waiting to be put in a message.
`alert_messages`: rendered messages with their delivery state, attempts, next attempt and last error.
`alert_bands`: the highest score band each recipient was told about per lead and rule, to see a lead rise.
"""

from __future__ import annotations

import sqlite3

from netsword.sqlite_migrations import migrate as run_migrations

MIGRATIONS: list[str] = [
    # 1: items, messages, bands (IF NOT EXISTS: two processes may migrate a new file at the same moment)
    """
    CREATE TABLE IF NOT EXISTS alert_items (
        key TEXT PRIMARY KEY,
        lead_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        event TEXT NOT NULL,
        delivery TEXT NOT NULL,
        period TEXT NOT NULL DEFAULT '',
        at_time TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL,
        hourly_cap INTEGER NOT NULL,
        label TEXT NOT NULL,
        score INTEGER NOT NULL,
        lead TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        message_id TEXT
    );
    CREATE INDEX IF NOT EXISTS alert_items_waiting ON alert_items(message_id, delivery, period, recipient);
    CREATE TABLE IF NOT EXISTS alert_messages (
        message_id TEXT PRIMARY KEY,
        recipient TEXT NOT NULL,
        language TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        raw BLOB NOT NULL,
        items INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE INDEX IF NOT EXISTS alert_messages_due ON alert_messages(state, next_attempt_at);
    CREATE INDEX IF NOT EXISTS alert_messages_recipient ON alert_messages(recipient, kind, created_at);
    CREATE TABLE IF NOT EXISTS alert_bands (
        lead_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        band INTEGER NOT NULL,
        PRIMARY KEY (lead_id, rule_id, recipient)
    );
    """,
    # 2: a sender claims a message (a lease with expiry) before sending it, so two senders never send it twice
    """
    ALTER TABLE alert_messages ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
    ALTER TABLE alert_messages ADD COLUMN lease_until TEXT NOT NULL DEFAULT '';
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every outbox migration newer than the version in `alert_schema`; returns the resulting version."""
    return run_migrations(conn, MIGRATIONS, version_table="alert_schema", label="alert outbox")
