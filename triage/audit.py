"""The hash-chained audit trail: every action (who, when, what, before → after) appended, never changed.

Each entry's hash is SHA-256 over the previous hash and the entry's canonical JSON, so editing or deleting any
entry breaks the chain from there on. A head file (`<var_dir>/triage-audit.head`) records the newest sequence
number and hash, so cutting entries off the end is caught too. `netsword audit verify` runs `verify_chain`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netsword.models import utc_now
from triage.db import TriageDB

GENESIS = "0" * 64


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


@dataclass
class ChainReport:
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, target: str, before: str, after: str) -> str:
    body = json.dumps([seq, at, actor, action, target, before, after], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class AuditLog:
    """Appends to and reads the audit_log table of triage.db."""

    def __init__(self, db: TriageDB, head_file: str | Path | None = None) -> None:
        self.db = db
        self.head_file = Path(head_file) if head_file else db.path.parent / "triage-audit.head"

    def append(self, actor: str, action: str, target: str, before: Any = None, after: Any = None) -> AuditEntry:
        at = utc_now()
        before_s, after_s = _dump(before), _dump(after)
        with self.db.transaction() as conn:
            last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
            digest = entry_hash(prev, seq, at, actor, action, target, before_s, after_s)
            conn.execute(
                "INSERT INTO audit_log(seq, at, actor, action, target, before, after, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, at, actor, action, target, before_s, after_s, prev, digest),
            )
            # written inside the transaction so the head never runs ahead of a rolled-back entry
            self.head_file.write_text(f"{seq} {digest}\n", encoding="utf-8")
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

    def verify(self) -> ChainReport:
        return verify_chain(self.db, self.head_file)


def _entry_of(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row["seq"], at=row["at"], actor=row["actor"], action=row["action"], target=row["target"],
        before=json.loads(row["before"]), after=json.loads(row["after"]), prev_hash=row["prev_hash"], hash=row["hash"],
    )  # fmt: skip


def verify_chain(db: TriageDB, head_file: Path | None = None) -> ChainReport:
    """Recompute every hash in order; report gaps, edits, broken links and a log shorter than its head file."""
    report = ChainReport()
    prev, expected_seq = GENESIS, 1
    with db.lock:
        cursor = db.conn.execute("SELECT * FROM audit_log ORDER BY seq")
        for row in cursor:
            report.entries += 1
            seq = row["seq"]
            if seq != expected_seq:
                report.problems.append(f"entry {seq}: entries {expected_seq}–{seq - 1} are missing (deleted)")
            if row["prev_hash"] != prev:
                report.problems.append(f"entry {seq}: does not link to the entry before it")
            digest = entry_hash(
                row["prev_hash"],
                seq,
                row["at"],
                row["actor"],
                row["action"],
                row["target"],
                row["before"],
                row["after"],
            )
            if digest != row["hash"]:
                report.problems.append(f"entry {seq}: content was changed after it was written")
            prev, expected_seq = row["hash"], seq + 1
    if head_file is not None and head_file.exists():
        parts = head_file.read_text(encoding="utf-8").split()
        if len(parts) == 2 and parts[0].isdigit():
            head_seq, head_hash = int(parts[0]), parts[1]
            if head_seq > expected_seq - 1:
                report.problems.append(
                    f"log ends at entry {expected_seq - 1} but entry {head_seq} was written (deleted)"
                )
            elif head_seq == expected_seq - 1 and head_hash != prev:
                report.problems.append(f"entry {head_seq}: differs from the recorded head hash")
        else:
            report.problems.append(f"{head_file}: unreadable head record")
    return report
