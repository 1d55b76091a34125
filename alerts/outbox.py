"""The durable alert outbox in SQLite: decided alerts (items), rendered messages and their delivery state.

It lives in the lead store's SQLite file when the store is SQLite (`store.url`), else in `<var_dir>/alerts.db`.
Every change is one short transaction, so a process killed at any point leaves a consistent outbox behind.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.outbox_schema import migrate
from netsword.config import Config
from netsword.models import Lead
from netsword.sqlite_db import connect, transaction

PENDING, SENT, FAILED = "pending", "sent", "failed"
MAX_BACKOFF = timedelta(hours=6)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def item_key(lead_id: str, rule_id: str, recipient: str, event: str) -> str:
    """The idempotency key of one alert: the same lead, rule, recipient and event always give the same key."""
    return hashlib.sha256(f"{lead_id}\x1f{rule_id}\x1f{recipient.lower()}\x1f{event}".encode()).hexdigest()[:32]


def outbox_path(config: Config) -> Path:
    url = config.store_url
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    return config.var_dir / "alerts.db"


@dataclass(frozen=True)
class Item:
    """One decided alert: this lead, by this rule, to this recipient, for this event."""

    key: str
    lead_id: str
    rule_id: str
    recipient: str
    event: str
    delivery: str  # immediate | digest
    period: str  # "" for immediate; hourly | daily | overflow (capped immediate alerts) for digests
    at_time: str
    language: str
    hourly_cap: int
    label: str  # the watchlist entry's name, e.g. NIKE
    lead: Lead
    queued_at: str = ""

    @property
    def score(self) -> int:
        return self.lead.score


@dataclass(frozen=True)
class Message:
    message_id: str
    recipient: str
    language: str
    kind: str
    subject: str
    raw: bytes
    items: int
    state: str
    attempts: int
    next_attempt_at: str
    last_error: str
    created_at: str
    sent_at: str | None


class Outbox:
    """The outbox tables of one SQLite file. One connection; use one Outbox per thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.conn = connect(self.path)
        self.schema_version = migrate(self.conn)

    @classmethod
    def for_config(cls, config: Config) -> Outbox:
        return cls(outbox_path(config))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT on the outbox's connection (netsword.sqlite_db.transaction)."""
        return transaction(self.conn)

    # -- items ---------------------------------------------------------------------------------------------------
    def alerted_band(self, lead_id: str, rule_id: str, recipient: str) -> int | None:
        row = self.conn.execute(
            "SELECT band FROM alert_bands WHERE lead_id = ? AND rule_id = ? AND recipient = ?",
            (lead_id, rule_id, recipient.lower()),
        ).fetchone()
        return None if row is None else int(row[0])

    def queue(self, items: Iterable[Item], bands: Iterable[tuple[str, str, str, int]], now: datetime) -> int:
        """Record decided alerts (ignoring any already recorded) and the bands told; returns how many were new."""
        added = 0
        with self.transaction() as conn:
            for item in items:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO alert_items (key, lead_id, rule_id, recipient, event, delivery, period, "
                    "at_time, language, hourly_cap, label, score, lead, queued_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (item.key, item.lead_id, item.rule_id, item.recipient.lower(), item.event, item.delivery,
                     item.period, item.at_time, item.language, item.hourly_cap, item.label, item.score,
                     json.dumps(item.lead.to_dict(), ensure_ascii=False), iso(now)),
                )  # fmt: skip
                added += cursor.rowcount
            for lead_id, rule_id, recipient, band in bands:
                conn.execute(
                    "INSERT INTO alert_bands (lead_id, rule_id, recipient, band) VALUES (?,?,?,?) "
                    "ON CONFLICT(lead_id, rule_id, recipient) DO UPDATE SET band = max(band, excluded.band)",
                    (lead_id, rule_id, recipient.lower(), band),
                )
        return added

    def waiting(self, delivery: str, periods: tuple[str, ...] = ()) -> list[Item]:
        """Items not yet in a message, oldest first."""
        sql = "SELECT * FROM alert_items WHERE message_id IS NULL AND delivery = ?"
        params: list[str] = [delivery]
        if periods:
            sql += f" AND period IN ({','.join('?' * len(periods))})"
            params.extend(periods)
        rows = self.conn.execute(sql + " ORDER BY queued_at, key", params).fetchall()
        return [_item_of(row) for row in rows]

    def roll_over(self, keys: Iterable[str]) -> None:
        """Capped immediate alerts wait for the recipient's next digest, whichever period runs first."""
        self.conn.executemany(
            "UPDATE alert_items SET delivery = 'digest', period = 'overflow' WHERE key = ? AND message_id IS NULL",
            [(k,) for k in keys],
        )

    # -- messages ------------------------------------------------------------------------------------------------
    def messages_since(self, recipient: str, kind: str, since: datetime) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM alert_messages WHERE recipient = ? AND kind = ? AND created_at >= ?",
            (recipient.lower(), kind, iso(since)),
        ).fetchone()
        return int(row[0])

    def add_message(
        self, message_id: str, recipient: str, language: str, kind: str, subject: str, raw: bytes,
        item_keys: list[str], now: datetime,
    ) -> bool:  # fmt: skip
        """Store a rendered message and tie its items to it (call inside a transaction); False if already stored."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO alert_messages (message_id, recipient, language, kind, subject, raw, items, "
            "next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (message_id, recipient.lower(), language, kind, subject, raw, len(item_keys), iso(now), iso(now)),
        )
        self.conn.executemany(
            "UPDATE alert_items SET message_id = ? WHERE key = ? AND message_id IS NULL",
            [(message_id, k) for k in item_keys],
        )
        return cursor.rowcount == 1

    def due(self, now: datetime, *, ignore_backoff: bool = False) -> list[Message]:
        """Pending messages whose next attempt is due (a sender still has to `claim` each before sending it)."""
        sql = "SELECT * FROM alert_messages WHERE state = 'pending'"
        params: list[str] = []
        if not ignore_backoff:
            sql += " AND next_attempt_at <= ?"
            params.append(iso(now))
        rows = self.conn.execute(sql + " ORDER BY created_at, message_id", params).fetchall()
        return [_message_of(row) for row in rows]

    def get_message(self, message_id: str) -> Message | None:
        row = self.conn.execute("SELECT * FROM alert_messages WHERE message_id = ?", (message_id,)).fetchone()
        return _message_of(row) if row else None

    def messages(self, state: str | None = None, limit: int = 1000) -> list[Message]:
        rows = self.conn.execute(
            "SELECT * FROM alert_messages WHERE ? IS NULL OR state = ? ORDER BY created_at DESC LIMIT ?",
            (state, state, limit),
        ).fetchall()
        return [_message_of(row) for row in rows]

    def claim(self, message_id: str, owner: str, now: datetime, lease: timedelta) -> bool:
        """Take a pending message for sending until `now + lease`; False when it was sent, failed or is claimed.

        Any number of senders may run at once: only the one whose claim succeeds sends. A sender that dies while
        holding a claim leaves the message to whoever comes after the lease expires.
        """
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE alert_messages SET lease_owner = ?, lease_until = ? "
                "WHERE message_id = ? AND state = 'pending' AND lease_until <= ?",
                (owner, iso(now + lease), message_id, iso(now)),
            )
        return cursor.rowcount == 1

    def record_sent(self, message_id: str, now: datetime) -> None:
        self.conn.execute(
            "UPDATE alert_messages SET state = 'sent', attempts = attempts + 1, sent_at = ?, last_error = '', "
            "lease_owner = '', lease_until = '' WHERE message_id = ? AND state = 'pending'",
            (iso(now), message_id),
        )

    def record_failure(
        self, message_id: str, error: str, *, permanent: bool, now: datetime, retry_seconds: float, max_attempts: int
    ) -> str:
        """Count a failed attempt; returns the new state (failed when permanent or out of attempts)."""
        row = self.conn.execute("SELECT attempts FROM alert_messages WHERE message_id = ?", (message_id,)).fetchone()
        attempts = (row[0] if row else 0) + 1
        state = FAILED if permanent or attempts >= max_attempts else PENDING
        delay = min(timedelta(seconds=retry_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)
        self.conn.execute(
            "UPDATE alert_messages SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, "
            "lease_owner = '', lease_until = '' WHERE message_id = ? AND state = 'pending'",
            (state, attempts, iso(now + delay), error[:1000], message_id),
        )
        return state

    def counts(self) -> dict[str, int]:
        out = {PENDING: 0, SENT: 0, FAILED: 0}
        for state, number in self.conn.execute("SELECT state, count(*) FROM alert_messages GROUP BY state"):
            out[state] = number
        return out

    def waiting_counts(self) -> dict[str, int]:
        """Items not yet in a message, by delivery: immediate, digest:hourly, digest:daily, digest:overflow."""
        rows = self.conn.execute(
            "SELECT delivery, period, count(*) FROM alert_items WHERE message_id IS NULL GROUP BY delivery, period"
        )
        return {(f"{d}:{p}" if p else d): n for d, p, n in rows}


def _item_of(row: sqlite3.Row) -> Item:
    return Item(
        key=row["key"], lead_id=row["lead_id"], rule_id=row["rule_id"], recipient=row["recipient"],
        event=row["event"], delivery=row["delivery"], period=row["period"], at_time=row["at_time"],
        language=row["language"], hourly_cap=row["hourly_cap"], label=row["label"],
        lead=Lead.from_dict(json.loads(row["lead"])), queued_at=row["queued_at"],
    )  # fmt: skip


def _message_of(row: sqlite3.Row) -> Message:
    return Message(**{name: row[name] for name in Message.__dataclass_fields__})
