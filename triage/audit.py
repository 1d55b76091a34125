"""The keyed, hash-chained audit trail: every action (who, when, what, before → after) appended, never changed.

Each entry's hash is HMAC-SHA256, under the audit key (netsword.keys, kept outside var/), over the previous hash and
the entry's canonical JSON: editing, deleting or re-hashing entries breaks the chain unless one holds the key.
An anchor (`netsword audit anchor`: the newest entry's number and hash, one printable line kept elsewhere) catches
what no chain can see from inside: a cut tail, a deleted database. A head file (`<var_dir>/triage-audit.head`)
still catches accidental truncation. Entries written before the chain was keyed (plain SHA-256) are accepted only
before the first keyed entry, which seals them.
"""

from __future__ import annotations

import hmac
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netsword.config import Config
from netsword.hash_chain import GENESIS, link_hash, plain_hash, sub_key
from netsword.keys import AUDIT, KeyRing, KeyStoreError
from netsword.models import utc_now
from netsword.private_files import touch_private
from triage.db import TriageDB

ANCHOR_PREFIX = "ns-audit-anchor:1:"
_ANCHOR = re.compile(r"^ns-audit-anchor:1:(\d+):([0-9a-f]{64})$")
REVERIFY_SECONDS = 300.0  # /audit re-reads the whole chain at most this often; newer entries are checked each view


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Anchor:
    """The newest entry's number and hash at some moment, kept off this machine."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{ANCHOR_PREFIX}{self.seq}:{self.hash}"


def parse_anchor(text: str) -> Anchor:
    found = _ANCHOR.match(text.strip())
    if not found:
        raise ValueError(f"not an audit anchor (expected {ANCHOR_PREFIX}<number>:<64 hex digits>): {text.strip()[:80]!r}")
    return Anchor(int(found.group(1)), found.group(2))


@dataclass
class ChainReport:
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    last: Anchor | None = None  # the newest entry checked

    @property
    def ok(self) -> bool:
        return not self.problems


def chain_key(master: bytes) -> bytes:
    """The audit key's sub-key for the chain, so the same master key can never MAC anything else alike."""
    return sub_key(master, b"netsword/triage/audit-chain")


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, target: str, before: str, after: str) -> str:
    """The unkeyed hash of entries written before the chain was keyed."""
    return plain_hash(prev_hash, (seq, at, actor, action, target, before, after))


def keyed_hash(key: bytes, prev_hash: str, seq: int, at: str, actor: str, action: str, target: str, before: str,
               after: str) -> str:  # fmt: skip
    """The keyed link (netsword.hash_chain.link_hash) over the entry's fields."""
    return link_hash(key, prev_hash, (seq, at, actor, action, target, before, after))


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def head_file_of(db_path: Path) -> Path:
    return db_path.parent / "triage-audit.head"


class AuditLog:
    """Appends to, reads and checks the audit_log table of triage.db, keyed by `key` (see open_audit)."""

    def __init__(self, db: TriageDB, key: bytes, head_file: str | Path | None = None) -> None:
        self.db = db
        self.key = chain_key(key)
        self.head_file = Path(head_file) if head_file else head_file_of(db.path)
        self._checked: tuple[ChainReport, float] | None = None  # the last clean full check and when it ran

    def append(self, actor: str, action: str, target: str, before: Any = None, after: Any = None) -> AuditEntry:
        at = utc_now()
        before_s, after_s = _dump(before), _dump(after)
        with self.db.transaction() as conn:
            last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
            digest = keyed_hash(self.key, prev, seq, at, actor, action, target, before_s, after_s)
            conn.execute(
                "INSERT INTO audit_log(seq, at, actor, action, target, before, after, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, at, actor, action, target, before_s, after_s, prev, digest),
            )
            # written inside the transaction so the head never runs ahead of a rolled-back entry
            touch_private(self.head_file).write_text(f"{seq} {digest}\n", encoding="utf-8")
        return AuditEntry(seq, at, actor, action, target, before, after, prev, digest)

    def entries(
        self, *, target: str | None = None, limit: int = 200, before_seq: int | None = None
    ) -> list[AuditEntry]:
        # one fixed statement: a NULL parameter switches its filter off
        rows = self.db.query(
            "SELECT * FROM audit_log WHERE (? IS NULL OR target = ?) AND (? IS NULL OR seq < ?) ORDER BY seq DESC LIMIT ?",
            (target, target, before_seq, before_seq, limit),
        )
        return [_entry_of(r) for r in rows]

    def seal(self, actor: str) -> int:
        """Key a trail written before keyed audit: append the `audit.keyed` entry that counts the entries before it.
        Returns that count (0, and nothing written, unless every entry is an intact unkeyed one)."""
        with self.db.lock:
            count = self.db.query("SELECT count(*) FROM audit_log")[0][0]
            if not count or not _all_unkeyed(self.db):
                return 0
            self.append(actor, "audit.keyed", "audit", None, {"unkeyed_entries": count})
        return int(count)

    def anchor(self, actor: str) -> Anchor:
        """Record that an anchor was taken (who, when) and return that entry's anchor."""
        entry = self.append(actor, "audit.anchor", "audit")
        return Anchor(entry.seq, entry.hash)

    def verify(self, anchor: Anchor | None = None) -> ChainReport:
        return verify_chain(self.db, self.key, self.head_file, anchor=anchor)

    def verify_recent(self, max_age: float = REVERIFY_SECONDS) -> ChainReport:
        """For each view of /audit: the whole chain at most every `max_age` seconds, else only what is new since."""
        now, cached = time.monotonic(), self._checked
        if cached is not None and now - cached[1] < max_age:
            report, checked_at = verify_chain(self.db, self.key, self.head_file, since=cached[0]), cached[1]
        else:
            report, checked_at = verify_chain(self.db, self.key, self.head_file), now
        self._checked = (report, checked_at) if report.ok else None
        return report


def _entry_of(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row["seq"], at=row["at"], actor=row["actor"], action=row["action"], target=row["target"],
        before=json.loads(row["before"]), after=json.loads(row["after"]), prev_hash=row["prev_hash"], hash=row["hash"],
    )  # fmt: skip


def verify_chain(
    db: TriageDB,
    key: bytes,
    head_file: Path | None = None,
    *,
    anchor: Anchor | None = None,
    since: ChainReport | None = None,
) -> ChainReport:
    """Recompute every keyed hash in order; report gaps, edits, broken links, and a log shorter than its head file
    or than `anchor`. With `since` (an earlier clean report) only newer entries are read, after checking that the
    entry it ended at is unchanged."""
    report = ChainReport()
    prev, expected_seq, keyed_seen, unkeyed = GENESIS, 1, False, 0
    with db.lock:
        if since is not None and since.last is not None:
            row = db.conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (since.last.seq,)).fetchone()
            if row is None or row["hash"] != since.last.hash:
                return verify_chain(db, key, head_file, anchor=anchor)
            prev, expected_seq, keyed_seen = since.last.hash, since.last.seq + 1, True
            report.entries = since.entries
        cursor = db.conn.execute("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq", (expected_seq,))
        for row in cursor:
            report.entries += 1
            seq = row["seq"]
            if seq != expected_seq:
                report.problems.append(f"entry {seq}: entries {expected_seq}–{seq - 1} are missing (deleted)")
            if row["prev_hash"] != prev:
                report.problems.append(f"entry {seq}: does not link to the entry before it")
            fields_ = (row["prev_hash"], seq, row["at"], row["actor"], row["action"], row["target"], row["before"],
                       row["after"])  # fmt: skip
            if hmac.compare_digest(keyed_hash(key, *fields_), row["hash"]):
                if not keyed_seen and unkeyed and not _seals(row, unkeyed):
                    report.problems.append(
                        f"entries 1–{unkeyed}: not keyed and not sealed by an audit.keyed entry (rewritten?)"
                    )
                keyed_seen = True
            elif keyed_seen or entry_hash(*fields_) != row["hash"]:
                report.problems.append(f"entry {seq}: content was changed after it was written")
            else:
                unkeyed += 1
            prev, expected_seq = row["hash"], seq + 1
    last_seq = expected_seq - 1
    report.last = Anchor(last_seq, prev) if last_seq else None
    if report.entries and not keyed_seen:
        report.problems.append(
            f"entries 1–{last_seq}: none is keyed: the chain was written or rewritten without the audit key "
            "(a trail from before keyed audit: netsword audit seal)"
        )
    if head_file is not None and head_file.exists():
        parts = head_file.read_text(encoding="utf-8").split()
        if len(parts) == 2 and parts[0].isdigit():
            head_seq, head_hash = int(parts[0]), parts[1]
            if head_seq > last_seq:
                report.problems.append(f"log ends at entry {last_seq} but entry {head_seq} was written (deleted)")
            elif head_seq == last_seq and head_hash != prev:
                report.problems.append(f"entry {head_seq}: differs from the recorded head hash")
        else:
            report.problems.append(f"{head_file}: unreadable head record")
    if anchor is not None:
        report.problems.extend(anchor_problems(db, anchor, last_seq))
    return report


def _seals(row: Any, unkeyed: int) -> bool:
    """The first keyed entry after `unkeyed` older entries must be the seal that counted them."""
    try:
        after = json.loads(row["after"])
    except ValueError:
        return False
    return row["action"] == "audit.keyed" and isinstance(after, dict) and after.get("unkeyed_entries") == unkeyed


def anchor_problems(db: TriageDB, anchor: Anchor, last_seq: int) -> list[str]:
    if anchor.seq > last_seq:
        return [f"log ends at entry {last_seq} but the anchor names entry {anchor.seq} (entries were cut off)"]
    rows = db.query("SELECT hash FROM audit_log WHERE seq = ?", (anchor.seq,))
    if not rows or rows[0]["hash"] != anchor.hash:
        return [f"entry {anchor.seq}: differs from the anchor (the chain was rewritten)"]
    return []


def _all_unkeyed(db: TriageDB) -> bool:
    """True when every entry verifies as written before keying (or there is none)."""
    prev = GENESIS
    for row in db.query("SELECT * FROM audit_log ORDER BY seq"):
        digest = entry_hash(row["prev_hash"], row["seq"], row["at"], row["actor"], row["action"], row["target"],
                            row["before"], row["after"])  # fmt: skip
        if row["prev_hash"] != prev or digest != row["hash"]:
            return False
        prev = row["hash"]
    return True


def open_audit(cfg: Config, db: TriageDB) -> AuditLog:
    """The audit log keyed by the audit key. A key is made only for a chain that has never been keyed; entries
    written before keys existed are then sealed by an `audit.keyed` entry, the first keyed one. (With a key that
    exists already, sealing is `netsword audit seal`: never automatic, or rewriting the chain without the key and
    waiting for the next start would be enough to have it sealed.)"""
    ring = KeyRing(cfg)
    if ring.has(AUDIT):
        return AuditLog(db, ring.load(AUDIT))
    if not _all_unkeyed(db):  # a new key would disown the keyed chain
        raise KeyStoreError(
            f"{ring.files.where(AUDIT)}: no such key, but the audit trail in {db.path} was keyed with one: restore "
            "it from your key backup, or set NETSWORD_KEYS_AUDIT"
        )
    log = AuditLog(db, ring.load(AUDIT, create=True))
    log.seal("netsword")
    return log

