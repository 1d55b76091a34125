"""The chain of custody: every event in an evidence item's life, appended to a keyed hash chain, never changed.

Events: `captured` (a capture written), `timestamped` (an RFC 3161 token received and verified), `packaged` (put in
a WACZ or other package), `exported` (a referral package or a leads export handed out), `deleted` (removed by
retention). Each entry: number, UTC time, event, subject (a capture id, case id or "leads"), actor, details (JSON),
the previous entry's hash and its own: HMAC-SHA256 under a sub-key of the evidence key (netsword.hash_chain, the
same link as the triage audit trail). Removing, editing, inserting or reordering an entry breaks the chain;
`anchor()` (`netsword evidence anchor`) gives the head's number, hash and time to keep off the machine, which also
catches a cut tail or a replaced log (`netsword evidence verify --anchor LINE`).

The log is the table `custody_log` in the evidence ledger's file (`ledger.db`, its own schema version table).
The ledger writes `captured` as each capture is written (evidence.ledger.Ledger.end). `sync(store)` appends the
`captured` and `deleted` events of captures the ledger holds and the log does not (written before the log existed,
or when appending to it failed): those carry the ledger's time of the capture and are marked `"from_ledger": true`.
"""

from __future__ import annotations

import hmac
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.ledger import LEDGER_FILE, REMOVED, WRITTEN
from netsword.hash_chain import GENESIS, Head, Link, anchor_problems, check_links, link_hash, plain_hash, sub_key
from netsword.models import utc_now
from netsword.sqlite_db import OpenedOnUse, SharedDatabase, has_table

if TYPE_CHECKING:
    from evidence.store import EvidenceStore

CAPTURED, TIMESTAMPED, PACKAGED, EXPORTED, DELETED = "captured", "timestamped", "packaged", "exported", "deleted"
EVENTS = (CAPTURED, TIMESTAMPED, PACKAGED, EXPORTED, DELETED)
ANCHOR_PREFIX = "evidence-custody:1:"
_ANCHOR = re.compile(r"^evidence-custody:1:(\d+):([0-9a-f]{64}):(\S+)$")
_PURPOSE = b"netsword/evidence/custody-chain"

_MIGRATIONS = (
    """
    CREATE TABLE custody_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        subject TEXT NOT NULL,
        actor TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX custody_subject ON custody_log(subject, event);
    """,
    # The captures an event names in its details (a package's, an export's `captures`), so a capture's history
    # has the events filed under a case, lead or referral too; outside the chain (the hashed entries are unchanged).
    """
    CREATE TABLE custody_captures (
        capture_id TEXT NOT NULL,
        seq INTEGER NOT NULL REFERENCES custody_log(seq),
        PRIMARY KEY (capture_id, seq)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO custody_captures (capture_id, seq)
        SELECT item.value, log.seq FROM custody_log AS log, json_each(log.detail, '$.captures') AS item
        WHERE json_valid(log.detail) AND json_type(log.detail, '$.captures') = 'array' AND item.type = 'text';
    """,
)


@dataclass(frozen=True)
class CustodyEvent:
    seq: int
    at: str
    event: str
    subject: str
    actor: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class CustodyAnchor:
    """The log's head at one moment: how many events (the newest number), its hash, and when it was taken."""

    seq: int
    hash: str
    at: str

    def text(self) -> str:
        return f"{ANCHOR_PREFIX}{self.seq}:{self.hash}:{self.at}"

    @classmethod
    def parse(cls, text: str) -> CustodyAnchor:
        found = _ANCHOR.match(text.strip())
        if not found:
            raise ValueError(f"not a custody anchor ({ANCHOR_PREFIX}COUNT:HASH:TIME): {text.strip()[:80]!r}")
        return cls(int(found.group(1)), found.group(2), found.group(3))


def _dump(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class _CustodyDB(SharedDatabase):
    MIGRATIONS = _MIGRATIONS
    VERSION_TABLE = "custody_schema"
    LABEL = "evidence custody log"


class CustodyLog:
    """The custody log of one evidence directory; `key`: the evidence key (None: plain SHA-256 links, which a
    check with the key reports). The database is opened on first use."""

    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self.path = Path(root) / LEDGER_FILE
        self.key = sub_key(key, _PURPOSE) if key is not None else None
        self._opened = OpenedOnUse(_CustodyDB, self.path)

    def _db(self) -> _CustodyDB:
        return self._opened.get()

    def close(self) -> None:
        self._opened.close()

    def _hash(self, prev: str, fields: tuple[Any, ...]) -> str:
        return link_hash(self.key, prev, fields) if self.key is not None else plain_hash(prev, fields)

    def append(self, event: str, subject: str, detail: Mapping[str, Any] | None = None, *,
               actor: str = "netsword") -> CustodyEvent:  # fmt: skip
        return self.append_many(event, [(subject, detail or {})], actor=actor)[0]

    def append_many(self, event: str, items: Iterable[tuple[str, Mapping[str, Any]]], *,
                    actor: str = "netsword") -> list[CustodyEvent]:  # fmt: skip
        """Append one event per (subject, details), in one transaction."""
        if event not in EVENTS:
            raise ValueError(f"unknown custody event {event!r} (known: {', '.join(EVENTS)})")
        written: list[CustodyEvent] = []
        with self._db().transaction() as db:
            last = db.execute("SELECT seq, hash FROM custody_log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last["seq"], last["hash"]) if last else (0, GENESIS)
            for subject, detail in items:
                seq, at, body = seq + 1, utc_now(), _dump(detail)
                digest = self._hash(prev, (seq, at, event, subject, actor, body))
                db.execute("INSERT INTO custody_log (seq, at, event, subject, actor, detail, prev_hash, hash) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (seq, at, event, subject, actor, body, prev, digest))  # fmt: skip
                db.executemany("INSERT OR IGNORE INTO custody_captures (capture_id, seq) VALUES (?, ?)",
                               [(capture_id, seq) for capture_id in _named_captures(detail)])  # fmt: skip
                written.append(CustodyEvent(seq, at, event, subject, actor, dict(detail), prev, digest))
                prev = digest
        return written

    def events(self, subject: str | None = None) -> list[CustodyEvent]:
        """Every event (`subject` None), or those of `subject`: filed under it, or naming it among their `captures`
        (a capture's `packaged` and `exported` events are filed under the case, lead set or referral)."""
        if not has_table(self.path, "custody_log"):
            return []
        if subject is None:
            rows = self._db().query("SELECT * FROM custody_log ORDER BY seq")
        else:
            rows = self._db().query(
                "SELECT * FROM custody_log WHERE subject = ? OR seq IN "
                "(SELECT seq FROM custody_captures WHERE capture_id = ?) ORDER BY seq",
                (subject, subject),
            )
        return [_event(r) for r in rows]

    def subjects(self, event: str) -> set[str]:
        if not self.path.exists():
            return set()
        return {r[0] for r in self._db().query("SELECT DISTINCT subject FROM custody_log WHERE event = ?", (event,))}

    def anchor(self) -> CustodyAnchor:
        """The head now (seq 0 and GENESIS for an empty log)."""
        found = self._db().query("SELECT seq, hash FROM custody_log ORDER BY seq DESC LIMIT 1")
        row = found[0] if found else None
        return CustodyAnchor(row["seq"], row["hash"], utc_now()) if row else CustodyAnchor(0, GENESIS, utc_now())

    def verify(self, anchor: CustodyAnchor | None = None) -> tuple[int, list[str]]:
        """Check every link (and the anchor, when given); (events checked, problems: one line each)."""
        if not has_table(self.path, "custody_log"):  # read-only: verify writes nothing, not even the empty table
            gone = anchor is not None and anchor.seq > 0
            return 0, [f"{self.path}: no custody log, but the anchor counted {anchor.seq} events"] if gone else []  # type: ignore[union-attr]
        rows = self._db().query("SELECT * FROM custody_log ORDER BY seq")
        links = [Link(r["seq"], r["prev_hash"], r["hash"], (r["seq"], r["at"], r["event"], r["subject"], r["actor"],
                                                             r["detail"])) for r in rows]  # fmt: skip
        # Without the evidence key a keyed log's entries cannot be recomputed: its numbers and links are still
        # checked (a removed or reordered entry shows), its contents only by a check with the key.
        keyed_unreadable = self.key is None and bool(links) and not hmac.compare_digest(
            plain_hash(links[0].prev_hash, links[0].fields), links[0].hash)  # fmt: skip
        problems, head = check_links(links, self.key, content=not keyed_unreadable)
        problems = [f"custody log: {p}" for p in problems]
        if anchor is not None and anchor.seq > 0:
            found = anchor_problems(head, Head(anchor.seq, anchor.hash), {r["seq"]: r["hash"] for r in rows})
            problems += [f"custody log: {p} (anchor taken {anchor.at})" for p in found]
        return len(rows), problems


def _named_captures(detail: Mapping[str, Any]) -> list[str]:
    named = detail.get("captures")
    return [c for c in named if isinstance(c, str)] if isinstance(named, list) else []


def _event(row: sqlite3.Row) -> CustodyEvent:
    return CustodyEvent(row["seq"], row["at"], row["event"], row["subject"], row["actor"], json.loads(row["detail"]),
                        row["prev_hash"], row["hash"])  # fmt: skip


def custody_of(store: EvidenceStore) -> CustodyLog:
    """The custody log beside a store's ledger, keyed like it."""
    return CustodyLog(store.root, store.ledger.key)


def sync(store: EvidenceStore, log: CustodyLog, *, actor: str = "netsword") -> int:
    """Append `captured` (and `deleted`) events for ledger captures the log does not have yet; returns how many."""
    have_captured, have_deleted = log.subjects(CAPTURED), log.subjects(DELETED)
    captured, deleted = [], []
    for row in store.ledger.captures():
        if row.state not in (WRITTEN, REMOVED):
            continue
        if row.capture_id not in have_captured:
            captured.append((row.capture_id, {"platform": row.platform, "listing_id": row.listing_id,
                                              "origin": row.origin, "manifest_sha256": row.manifest_sha256,
                                              "captured_at": row.begun_at, "from_ledger": True}))  # fmt: skip
        if row.state == REMOVED and row.capture_id not in have_deleted:
            deleted.append((row.capture_id, {"reason": row.note, "removed_at": row.ended_at, "from_ledger": True}))
    if captured:
        log.append_many(CAPTURED, captured, actor=actor)
    if deleted:
        log.append_many(DELETED, deleted, actor=actor)
    return len(captured) + len(deleted)


def record_captured(store: EvidenceStore, capture_id: str, manifest_sha256: str, *, platform: str, listing_id: str,
                    origin: str, captured_at: str, actor: str = "netsword") -> None:  # fmt: skip
    """The `captured` event of a capture just written (for EvidenceStore to call once its ledger row is written)."""
    log = custody_of(store)
    try:
        log.append(CAPTURED, capture_id, {"platform": platform, "listing_id": listing_id, "origin": origin,
                                          "manifest_sha256": manifest_sha256, "captured_at": captured_at},
                   actor=actor)  # fmt: skip
    finally:
        log.close()


def record_export(store: EvidenceStore, subject: str, detail: Mapping[str, Any], *, actor: str,
                  event: str = EXPORTED) -> None:  # fmt: skip
    """An `exported` (or `packaged`) event: what left the store, for whom, with the SHA-256 of what was handed out.
    Nothing is written for a store with no ledger yet (no evidence was ever captured there)."""
    if not store.ledger.exists():
        return
    log = custody_of(store)
    try:
        sync(store, log)
        log.append(event, subject, detail, actor=actor)
    finally:
        log.close()
