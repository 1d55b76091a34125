"""The takedown notice log in cases.db: which notices were drafted, sent (with the platform's ticket id), rejected or
withdrawn, for which leads; the outcome per listing comes from re-checks (`netsword recheck` marks a removed
listing `availability: taken_down`), so removal is confirmed by looking again, never assumed from a notice.

Every change is an audit entry (`takedown.draft`, `takedown.sent`, `takedown.rejected`, `takedown.withdrawn`, target
`notice:<id>`), written after it is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cases.db import CasesDB
from cases.model import STAFF, CaseError
from cases.store import AuditWriter
from cases.takedown import Notice
from leads.store.base import TAKEN_DOWN
from netsword.models import Lead, utc_now

NOTICE_STATUSES = ("drafted", "sent", "rejected", "withdrawn")
# before → the statuses a notice may move to
NOTICE_MOVES = {"drafted": ("sent", "withdrawn"), "sent": ("rejected", "withdrawn"), "rejected": ("sent",),
                "withdrawn": ()}  # fmt: skip
TICKET_MAX, NOTE_MAX = 200, 2000


@dataclass(frozen=True)
class LoggedNotice:
    notice_id: str
    case_id: str
    channel: str
    platform: str
    rights_holder: str
    right_kind: str
    created_at: str
    created_by: str
    status: str
    sent_at: str
    ticket: str
    note: str
    updated_at: str
    leads: tuple[Mapping[str, str], ...]  # lead_id, platform, listing_id, url


def outcome(lead: Lead | None, sent_at: str) -> str:
    """What re-checks say of a noticed listing: removed, online (seen since the notice was sent), or pending."""
    if lead is None:
        return "unknown"
    if lead.listing.get("availability") == TAKEN_DOWN:
        return "removed"
    if sent_at and lead.last_seen and lead.last_seen > sent_at:
        return "online"
    return "pending"


class NoticeStore:
    def __init__(self, db: CasesDB, audit: AuditWriter) -> None:
        self.db = db
        self.audit = audit

    def record(self, notices: Iterable[Notice], by: str, role: str) -> list[str]:
        """Log drafted notices (a notice id already logged is kept as it is: the same bundle twice is one notice)."""
        if role not in STAFF:
            raise CaseError("forbidden", "only investigators and supervisors send takedown notices")
        new: list[str] = []
        now = utc_now()
        with self.db.transaction() as conn:
            for n in notices:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO takedown_notices(notice_id, case_id, channel, platform, rights_holder,"
                    " right_kind, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (n.notice_id, n.case_id, n.channel.key, n.platform, n.rights_holder, n.kind, now, by, now),
                )
                if cur.rowcount:
                    new.append(n.notice_id)
                    conn.executemany(
                        "INSERT OR IGNORE INTO takedown_notice_leads(notice_id, lead_id, platform, listing_id, url)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [(n.notice_id, x.lead_id, x.platform, x.listing_id, x.url) for x in n.listings],
                    )
        for notice_id in new:
            self.audit.append(by, "takedown.draft", "notice:" + notice_id, None, {"status": "drafted"})
        return new

    def get(self, notice_id: str) -> LoggedNotice | None:
        rows = self.db.query("SELECT * FROM takedown_notices WHERE notice_id = ?", (notice_id,))
        return self._of(rows[0]) if rows else None

    def listed(self, *, case_id: str | None = None, lead_id: str | None = None, limit: int = 200) -> list[LoggedNotice]:
        """Notices newest change first, of a case or of a lead when asked (a NULL filter is off)."""
        rows = self.db.query(
            "SELECT * FROM takedown_notices WHERE (? IS NULL OR case_id = ?) AND (? IS NULL OR notice_id IN"
            " (SELECT notice_id FROM takedown_notice_leads WHERE lead_id = ?)) ORDER BY updated_at DESC, notice_id"
            " LIMIT ?",
            (case_id, case_id, lead_id, lead_id, limit),
        )
        return [self._of(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Notices per status (every status present), and `listings` noticed."""
        found = {r["status"]: r["n"] for r in self.db.query(
            "SELECT status, count(*) AS n FROM takedown_notices GROUP BY status")}  # fmt: skip
        out = {s: int(found.get(s, 0)) for s in NOTICE_STATUSES}
        out["listings"] = int(self.db.query(
            "SELECT count(DISTINCT platform || char(31) || listing_id) AS n FROM takedown_notice_leads")[0]["n"])  # fmt: skip
        return out

    def noticed_leads(self, statuses: tuple[str, ...] = ("sent",)) -> dict[str, str]:
        """lead id → when its newest notice in `statuses` was sent (for the dashboard's confirmed removals)."""
        marks = ",".join("?" for _ in statuses)
        rows = self.db.query(
            f"SELECT l.lead_id, max(n.sent_at) AS sent_at FROM takedown_notice_leads l JOIN takedown_notices n"  # noqa: S608 - placeholders only
            f" USING (notice_id) WHERE n.status IN ({marks}) GROUP BY l.lead_id",
            tuple(statuses),
        )
        return {r["lead_id"]: r["sent_at"] for r in rows}

    def move(
        self, notice_id: str, status: str, by: str, role: str, *, ticket: str = "", note: str = ""
    ) -> LoggedNotice:
        """drafted → sent (with the platform's ticket id) → rejected (a note says why) …; withdrawn ends it."""
        if role not in STAFF:
            raise CaseError("forbidden", "only investigators and supervisors send takedown notices")
        notice = self.get(notice_id)
        if notice is None:
            raise CaseError("not_found", f"{notice_id}: no such takedown notice")
        if status not in NOTICE_MOVES.get(notice.status, ()):
            raise CaseError("bad_request", f"a notice cannot go from {notice.status} to {status}")
        ticket, note = " ".join(ticket.split())[:TICKET_MAX], note.strip()[:NOTE_MAX]
        if status == "rejected" and not note:
            raise CaseError("case_note_required", "a rejected notice needs a note saying why")
        now = utc_now()
        with self.db.transaction() as conn:
            cur = conn.execute(
                "UPDATE takedown_notices SET status = ?, updated_at = ?, ticket = CASE WHEN ? = '' THEN ticket ELSE ?"
                " END, note = CASE WHEN ? = '' THEN note ELSE ? END, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE"
                " sent_at END WHERE notice_id = ? AND status = ?",
                (status, now, ticket, ticket, note, note, status, now, notice_id, notice.status),
            )
            if cur.rowcount == 0:
                raise CaseError("case_changed", f"{notice_id} was changed meanwhile; reload it")
        after: dict[str, Any] = {"status": status, **({"ticket": ticket} if ticket else {}),
                                 **({"note": note} if note else {})}  # fmt: skip
        self.audit.append(by, "takedown." + status, "notice:" + notice_id, {"status": notice.status}, after)
        found = self.get(notice_id)
        assert found is not None
        return found

    def _of(self, row: Any) -> LoggedNotice:
        leads = tuple(dict(r) for r in self.db.query(
            "SELECT lead_id, platform, listing_id, url FROM takedown_notice_leads WHERE notice_id = ?"
            " ORDER BY listing_id, lead_id", (row["notice_id"],)))  # fmt: skip
        fields = ("notice_id", "case_id", "channel", "platform", "rights_holder", "right_kind", "created_at",
                  "created_by", "status", "sent_at", "ticket", "note", "updated_at")  # fmt: skip
        return LoggedNotice(**{k: str(row[k]) for k in fields}, leads=leads)
