"""The evidence ledger: every capture as it is written, each manifest's hash, and why a listing has no capture.

`<evidence_dir>/ledger.db` (SQLite, netsword.sqlite_db), next to the files it describes:
  captures       one row per capture, inserted BEFORE any of its files is written (state `pending`, with the SHA-256
                 of its manifest and the files it names), then `written`; `abandoned` when its write failed or its
                 process died (leftovers removed by `EvidenceStore.recover`); `removed` by retention
  capture_files  the files each capture names, so an interrupted capture's leftovers are known, never guessed
  no_capture     append-only: a listing's leads, a reason they have no capture, whether it is final, and when
Rows are sealed with HMAC-SHA256 under the evidence key (netsword.keys, key "evidence", outside var/), so a manifest
edited together with its ledger row is still found out; a store opened without a key seals nothing and the
manifests are checked against their plain SHA-256 only (a check against accidents, not against someone who can
write the ledger).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from netsword.keys import EVIDENCE
from netsword.models import utc_now
from netsword.sqlite_db import DatabaseUnusable, connect, transaction
from netsword.sqlite_migrations import migrate

if TYPE_CHECKING:
    from evidence.custody import CustodyLog

KEY_NAME = EVIDENCE  # netsword.keys: <keys dir>/evidence.key, or NETSWORD_KEYS_EVIDENCE
LEDGER_FILE = "ledger.db"
PENDING, WRITTEN, ABANDONED, REMOVED = "pending", "written", "abandoned", "removed"
STALE_AFTER_S = 24 * 3600  # a pending capture this old is interrupted even if its process id is alive again

_MIGRATIONS = (
    """
    CREATE TABLE captures (
        capture_id TEXT PRIMARY KEY,
        platform TEXT NOT NULL,
        listing_id TEXT NOT NULL,
        origin TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        seal TEXT NOT NULL,
        state TEXT NOT NULL,
        begun_at TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        ended_at TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX captures_listing ON captures(platform, listing_id);
    CREATE INDEX captures_state ON captures(state);
    CREATE TABLE capture_files (capture_id TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (capture_id, sha256));
    CREATE INDEX capture_files_sha ON capture_files(sha256);
    CREATE TABLE no_capture (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        platform TEXT NOT NULL,
        listing_id TEXT NOT NULL,
        lead_ids TEXT NOT NULL,
        reason TEXT NOT NULL,
        final INTEGER NOT NULL,
        at TEXT NOT NULL,
        seal TEXT NOT NULL
    );
    CREATE INDEX no_capture_listing ON no_capture(platform, listing_id, seq);
    """,
)


@dataclass(frozen=True)
class LedgerCapture:
    capture_id: str
    platform: str
    listing_id: str
    origin: str  # crawl | backfill | manual | sealed (a manifest adopted by `netsword evidence seal`)
    manifest_sha256: str
    seal: str
    state: str
    begun_at: str
    host: str
    pid: int
    ended_at: str
    note: str


@dataclass(frozen=True)
class NoCapture:
    """Why a listing's leads have no capture: `final` reasons (robots.txt, no profile, gone) are not retried."""

    platform: str
    listing_id: str
    lead_ids: tuple[str, ...]
    reason: str
    final: bool
    at: str
    seal: str = ""


@dataclass(frozen=True)
class LedgerAnchor:
    """The ledger's extent at one moment, printable and kept off the machine: how many captures and reasons it held
    and a digest over what of them can never change (ids, listings, reasons, times) — keyed with the evidence key
    when there is one. `evidence verify --anchor` then catches rows cut off, deleted or rewritten, or a lost ledger."""

    captures: int
    reasons: int
    digest: str

    def text(self) -> str:
        return f"evidence-anchor:{self.captures}:{self.reasons}:{self.digest}"

    @classmethod
    def parse(cls, text: str) -> LedgerAnchor:
        parts = text.strip().split(":")
        if len(parts) != 4 or parts[0] != "evidence-anchor" or not (parts[1].isdigit() and parts[2].isdigit()):
            raise ValueError(f"not an evidence anchor (evidence-anchor:CAPTURES:REASONS:DIGEST): {text.strip()[:80]!r}")
        return cls(int(parts[1]), int(parts[2]), parts[3])


def _mac(key: bytes | None, *parts: str) -> str:
    if key is None:
        return ""
    return hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


class Ledger:
    """The ledger of one evidence directory. `key` None: nothing is sealed, seals are not checked."""

    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self.path = root / LEDGER_FILE
        self.key = key
        self._conn: sqlite3.Connection | None = None
        self._custody: CustodyLog | None = None  # evidence.custody, opened on the first capture written
        self._lock = threading.RLock()

    @property
    def keyed(self) -> bool:
        return self.key is not None

    def exists(self) -> bool:
        return self.path.exists()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = connect(self.path)
            try:
                migrate(conn, _MIGRATIONS, version_table="evidence_schema", label=str(self.path))
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._custody is not None:
                self._custody.close()
                self._custody = None
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # --- captures -------------------------------------------------------------------------------------------------

    def capture_seal(self, capture_id: str, platform: str, listing_id: str, origin: str, manifest_sha256: str) -> str:
        return _mac(self.key, "capture", capture_id, platform, listing_id, origin, manifest_sha256)

    def begin(self, capture_id: str, platform: str, listing_id: str, origin: str, manifest_sha256: str,
              files: Iterable[str]) -> bool:  # fmt: skip
        """Record a capture about to be written; False when that capture (same id) is already in the ledger."""
        seal = self.capture_seal(capture_id, platform, listing_id, origin, manifest_sha256)
        with self._lock, transaction(self._db()) as db:
            if db.execute("SELECT 1 FROM captures WHERE capture_id = ?", (capture_id,)).fetchone():
                return False
            db.execute(
                "INSERT INTO captures (capture_id, platform, listing_id, origin, manifest_sha256, seal, state, "
                "begun_at, host, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (capture_id, platform, listing_id, origin, manifest_sha256, seal, PENDING, utc_now(),
                 socket.gethostname(), os.getpid()),
            )  # fmt: skip
            db.executemany("INSERT OR IGNORE INTO capture_files (capture_id, sha256) VALUES (?, ?)",
                           [(capture_id, sha) for sha in dict.fromkeys(files)])  # fmt: skip
        return True

    def end(self, capture_id: str, state: str, note: str = "") -> None:
        with self._lock, transaction(self._db()) as db:
            db.execute("UPDATE captures SET state = ?, ended_at = ?, note = ? WHERE capture_id = ?",
                       (state, utc_now(), note[:500], capture_id))  # fmt: skip
        if state == WRITTEN:
            self._log_captured(capture_id)

    def _log_captured(self, capture_id: str) -> None:
        """The chain of custody's `captured` event, as the capture is written. The capture stands even when this
        fails (a full disk): `evidence.custody.sync` then copies the event from this ledger later."""
        from evidence.custody import CAPTURED, CustodyLog

        row = self.get(capture_id)
        if row is None:
            return
        try:
            if self._custody is None:
                self._custody = CustodyLog(self.path.parent, self.key)
            self._custody.append(CAPTURED, capture_id, {"platform": row.platform, "listing_id": row.listing_id,
                                                        "origin": row.origin, "manifest_sha256": row.manifest_sha256,
                                                        "captured_at": row.begun_at})  # fmt: skip
        except (OSError, sqlite3.Error, DatabaseUnusable):
            pass

    def reseal(self, capture_id: str) -> None:
        """Seal a row written without the key (`netsword evidence seal`, after checking its manifest)."""
        row = self.get(capture_id)
        if row is None or self.key is None:
            return
        seal = self.capture_seal(row.capture_id, row.platform, row.listing_id, row.origin, row.manifest_sha256)
        with self._lock, transaction(self._db()) as db:
            db.execute("UPDATE captures SET seal = ? WHERE capture_id = ?", (seal, capture_id))

    def get(self, capture_id: str) -> LedgerCapture | None:
        with self._lock:
            row = self._db().execute("SELECT * FROM captures WHERE capture_id = ?", (capture_id,)).fetchone()
        return LedgerCapture(**dict(row)) if row else None

    def captures(self) -> Iterator[LedgerCapture]:
        if not self.exists():
            return
        with self._lock:
            rows = self._db().execute("SELECT * FROM captures ORDER BY rowid").fetchall()
        for row in rows:
            yield LedgerCapture(**dict(row))

    def anchor(self) -> LedgerAnchor:
        """The ledger's extent now (`netsword evidence anchor`)."""
        captures, reasons = self._fixed_rows()
        return LedgerAnchor(len(captures), len(reasons), self._digest(captures, reasons))

    def anchor_problems(self, anchor: LedgerAnchor) -> list[str]:
        """What differs from an anchor taken earlier: fewer rows than it counted, or its rows changed."""
        captures, reasons = self._fixed_rows()
        where = f"{self.path}"
        if len(captures) < anchor.captures or len(reasons) < anchor.reasons:
            return [f"{where}: holds {len(captures)} captures and {len(reasons)} reasons, the anchor counted "
                    f"{anchor.captures} and {anchor.reasons}: records were cut off or the ledger replaced"]  # fmt: skip
        if self._digest(captures[: anchor.captures], reasons[: anchor.reasons]) != anchor.digest:
            return [f"{where}: the records the anchor covers were deleted, reordered or rewritten (or it was taken "
                    "with another evidence key)"]  # fmt: skip
        return []

    def _fixed_rows(self) -> tuple[list[str], list[str]]:
        if not self.exists():
            return [], []
        with self._lock:
            db = self._db()
            captures = ["\x1f".join(map(str, r)) for r in db.execute(
                "SELECT capture_id, platform, listing_id, origin, begun_at FROM captures ORDER BY rowid")]  # fmt: skip
            reasons = ["\x1f".join(map(str, r)) for r in db.execute(
                "SELECT seq, platform, listing_id, lead_ids, reason, final, at FROM no_capture ORDER BY seq")]  # fmt: skip
        return captures, reasons

    def _digest(self, captures: list[str], reasons: list[str]) -> str:
        text = "\x1e".join(["captures", *captures, "reasons", *reasons]).encode("utf-8")
        if self.key is not None:
            return hmac.new(self.key, text, hashlib.sha256).hexdigest()
        return hashlib.sha256(text).hexdigest()

    def files_of(self, capture_id: str) -> list[str]:
        with self._lock:
            rows = self._db().execute("SELECT sha256 FROM capture_files WHERE capture_id = ?", (capture_id,))
            return [r[0] for r in rows.fetchall()]

    def named_files(self) -> set[str]:
        """Every file a capture that is not abandoned or removed names (pending ones included: being written)."""
        if not self.exists():
            return set()
        with self._lock:
            rows = self._db().execute(
                "SELECT DISTINCT f.sha256 FROM capture_files f JOIN captures c USING (capture_id) "
                "WHERE c.state IN (?, ?)",
                (PENDING, WRITTEN),
            )
            return {r[0] for r in rows.fetchall()}

    def release_files(self, capture_id: str, delete: Callable[[str], bool]) -> int:
        """Under the write lock: delete (with `delete(sha256)`) each file of `capture_id` that no other live capture
        names, then mark the capture abandoned. A capture begun meanwhile waits for the lock, then finds its file
        gone and writes it again."""
        removed = 0
        with self._lock, transaction(self._db()) as db:
            for (sha,) in db.execute("SELECT sha256 FROM capture_files WHERE capture_id = ?", (capture_id,)).fetchall():
                other = db.execute(
                    "SELECT 1 FROM capture_files f JOIN captures c USING (capture_id) "
                    "WHERE f.sha256 = ? AND f.capture_id != ? AND c.state IN (?, ?) LIMIT 1",
                    (sha, capture_id, PENDING, WRITTEN),
                ).fetchone()
                if other is None and delete(sha):
                    removed += 1
            db.execute("UPDATE captures SET state = ?, ended_at = ? WHERE capture_id = ?",
                       (ABANDONED, utc_now(), capture_id))  # fmt: skip
        return removed

    def interrupted(self) -> list[LedgerCapture]:
        """Pending captures whose process is gone (this host) or that began more than a day ago."""
        here, now = socket.gethostname(), utc_now()
        found = []
        for row in self.captures():
            if row.state != PENDING:
                continue
            if (row.host == here and not _alive(row.pid)) or _age_s(row.begun_at, now) > STALE_AFTER_S:
                found.append(row)
        return found

    # --- no_capture -----------------------------------------------------------------------------------------------

    def no_capture_seal(self, item: NoCapture) -> str:
        return _mac(self.key, "no_capture", item.platform, item.listing_id, json.dumps(list(item.lead_ids)),
                    item.reason, "final" if item.final else "retry", item.at)  # fmt: skip

    def add_no_capture(self, platform: str, listing_id: str, lead_ids: Iterable[str], reason: str, *,
                       final: bool) -> NoCapture:  # fmt: skip
        item = NoCapture(platform, listing_id, tuple(lead_ids), " ".join(reason.split())[:300], final, utc_now())
        seal = self.no_capture_seal(item)
        with self._lock, transaction(self._db()) as db:
            db.execute(
                "INSERT INTO no_capture (platform, listing_id, lead_ids, reason, final, at, seal) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (platform, listing_id, json.dumps(list(item.lead_ids)), item.reason, int(final), item.at, seal),
            )
        return NoCapture(**{**item.__dict__, "seal": seal})

    def latest_no_capture(self, platform: str, listing_id: str) -> NoCapture | None:
        if not self.exists():
            return None
        with self._lock:
            row = (
                self._db()
                .execute(
                    "SELECT * FROM no_capture WHERE platform = ? AND listing_id = ? ORDER BY seq DESC LIMIT 1",
                    (platform, listing_id),
                )
                .fetchone()
            )
        return _no_capture(row) if row else None

    def no_captures(self) -> dict[tuple[str, str], NoCapture]:
        """The newest reason of each listing that has one."""
        if not self.exists():
            return {}
        with self._lock:
            rows = self._db().execute("SELECT * FROM no_capture ORDER BY seq").fetchall()
        return {(r["platform"], r["listing_id"]): _no_capture(r) for r in rows}


def _no_capture(row: sqlite3.Row) -> NoCapture:
    return NoCapture(row["platform"], row["listing_id"], tuple(json.loads(row["lead_ids"])), row["reason"],
                     bool(row["final"]), row["at"], row["seal"])  # fmt: skip


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _age_s(then: str, now: str) -> float:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    try:
        return (datetime.strptime(now, fmt) - datetime.strptime(then, fmt)).total_seconds()
    except ValueError:
        return float("inf")
