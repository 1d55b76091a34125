"""Cases in cases.db: create (by hand or from an actor network), add leads and actors, move through the status
flow, assign, set deadlines, write notes. Every change is written to the audit trail the caller passes (the triage
audit chain: `triage.audit.AuditLog.append` fits `AuditWriter`), after it is stored, as triage decisions are.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from cases.actors import StoredActor
from cases.db import CasesDB
from cases.model import (
    NOTE_MAX,
    STAFF,
    STATUSES,
    SUPERVISOR,
    TITLE_MAX,
    Case,
    CaseActor,
    CaseError,
    CaseNote,
    StatusChange,
    check_move,
)
from netsword.models import utc_now

MAX_LEADS = 5000  # leads per case
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AuditWriter(Protocol):
    def append(self, actor: str, action: str, target: str, before: Any = None, after: Any = None) -> object: ...


def _target(case_id: str) -> str:
    return "case:" + case_id


def _staff(role: str) -> None:
    if role not in STAFF:
        raise CaseError("forbidden", "only investigators and supervisors work on cases")


class CaseStore:
    def __init__(self, db: CasesDB, audit: AuditWriter) -> None:
        self.db = db
        self.audit = audit

    # --- reading --------------------------------------------------------------------------------------------------
    def get(self, case_id: str) -> Case | None:
        rows = self.db.query("SELECT * FROM cases WHERE case_id = ?", (case_id,))
        if not rows:
            return None
        row = rows[0]
        leads = tuple(r["lead_id"] for r in self.db.query(
            "SELECT lead_id FROM case_leads WHERE case_id = ? ORDER BY added_at, lead_id", (case_id,)))  # fmt: skip
        actors = tuple(CaseActor(r["actor_id"], r["label"], tuple(json.loads(r["shops"])), r["added_at"],
                                 r["added_by"]) for r in self.db.query(
            "SELECT * FROM case_actors WHERE case_id = ? ORDER BY added_at, actor_id", (case_id,)))  # fmt: skip
        notes = tuple(CaseNote(r["at"], r["author"], r["text"]) for r in self.db.query(
            "SELECT * FROM case_notes WHERE case_id = ? ORDER BY id", (case_id,)))  # fmt: skip
        history = tuple(StatusChange(r["at"], r["actor"], r["before"], r["after"], r["note"]) for r in self.db.query(
            "SELECT * FROM case_status_log WHERE case_id = ? ORDER BY id", (case_id,)))  # fmt: skip
        return Case(case_id=row["case_id"], title=row["title"], status=row["status"], created_at=row["created_at"],
                    created_by=row["created_by"], updated_at=row["updated_at"], assignee=row["assignee"],
                    deadline=row["deadline"], summary=row["summary"], lead_ids=leads, actors=actors, notes=notes,
                    history=history)  # fmt: skip

    def ranked(self, *, status: str | None = None, assignee: str | None = None, limit: int = 100,
               offset: int = 0) -> list[Case]:  # fmt: skip
        """Cases newest change first; a NULL filter is off (one fixed statement)."""
        rows = self.db.query(
            "SELECT case_id FROM cases WHERE (? IS NULL OR status = ?) AND (? IS NULL OR assignee = ?)"
            " ORDER BY updated_at DESC, case_id LIMIT ? OFFSET ?",
            (status, status, assignee, assignee, limit, offset),
        )
        return [c for c in (self.get(r["case_id"]) for r in rows) if c is not None]

    def counts(self) -> dict[str, int]:
        """Cases per status (every status present, 0 when none)."""
        found = {r["status"]: r["n"] for r in self.db.query("SELECT status, count(*) AS n FROM cases GROUP BY status")}
        return {s: int(found.get(s, 0)) for s in STATUSES}

    def cases_of_lead(self, lead_id: str) -> list[str]:
        return [r["case_id"] for r in self.db.query("SELECT case_id FROM case_leads WHERE lead_id = ?", (lead_id,))]

    # --- changing -------------------------------------------------------------------------------------------------
    def create(self, title: str, by: str, role: str, *, lead_ids: Iterable[str] = (), summary: str = "",
               actors: Iterable[StoredActor] = ()) -> Case:  # fmt: skip
        """A new case in `clue` (线索), by hand or from actor networks (their leads are added with them)."""
        _staff(role)
        title = " ".join(title.split())[:TITLE_MAX]
        if not title:
            raise CaseError("case_title_required", "a case needs a title")
        actors = list(actors)
        leads = list(dict.fromkeys([*lead_ids, *(lid for a in actors for lid in a.lead_ids())]))[:MAX_LEADS]
        case_id = "case-" + secrets.token_hex(6)
        now = utc_now()
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO cases(case_id, title, status, created_at, created_by, updated_at, summary)"
                         " VALUES (?, ?, 'clue', ?, ?, ?, ?)", (case_id, title, now, by, now, summary[:NOTE_MAX]))  # fmt: skip
            conn.executemany("INSERT OR IGNORE INTO case_leads(case_id, lead_id, added_at, added_by) VALUES (?, ?, ?, ?)",
                             [(case_id, lid, now, by) for lid in leads])  # fmt: skip
            for actor in actors:
                self._insert_actor(conn, case_id, actor, now, by)
        self.audit.append(by, "case.create", _target(case_id), None, {
            "title": title, "leads": leads, "actors": [a.actor_id for a in actors]})  # fmt: skip
        return self._must(case_id)

    def add_leads(self, case_id: str, lead_ids: Iterable[str], by: str, role: str) -> Case:
        _staff(role)
        case = self._must(case_id)
        new = [lid for lid in dict.fromkeys(lead_ids) if lid and lid not in case.lead_ids]
        if len(case.lead_ids) + len(new) > MAX_LEADS:
            raise CaseError("bad_request", f"a case holds at most {MAX_LEADS} leads")
        if new:
            now = utc_now()
            with self.db.transaction() as conn:
                conn.executemany("INSERT OR IGNORE INTO case_leads(case_id, lead_id, added_at, added_by) "
                                 "VALUES (?, ?, ?, ?)", [(case_id, lid, now, by) for lid in new])  # fmt: skip
                self._touch(conn, case_id, now)
            self.audit.append(by, "case.leads.add", _target(case_id), None, {"leads": new})
        return self._must(case_id)

    def remove_lead(self, case_id: str, lead_id: str, by: str, role: str) -> Case:
        _staff(role)
        self._must(case_id)
        with self.db.transaction() as conn:
            cur = conn.execute("DELETE FROM case_leads WHERE case_id = ? AND lead_id = ?", (case_id, lead_id))
            self._touch(conn, case_id, utc_now())
        if cur.rowcount:
            self.audit.append(by, "case.leads.remove", _target(case_id), {"leads": [lead_id]}, None)
        return self._must(case_id)

    def add_actor(self, case_id: str, actor: StoredActor, by: str, role: str) -> Case:
        """Add an actor network and its leads (as it is now: its shops are kept with the case)."""
        _staff(role)
        case = self._must(case_id)
        now = utc_now()
        with self.db.transaction() as conn:
            self._insert_actor(conn, case_id, actor, now, by)
            self._touch(conn, case_id, now)
        self.audit.append(by, "case.actor.add", _target(case_id), None,
                          {"actor": actor.actor_id, "shops": [s.key for s in actor.shops]})  # fmt: skip
        new = [lid for lid in actor.lead_ids() if lid not in case.lead_ids]
        return self.add_leads(case_id, new, by, role) if new else self._must(case_id)

    def move(self, case_id: str, status: str, by: str, role: str, note: str = "") -> Case:
        """Move the case along its flow (cases.model.TRANSITIONS); the change and its note go to the status log."""
        _staff(role)
        case = self._must(case_id)
        check_move(case.status, status, role, note)
        now, note = utc_now(), note.strip()[:NOTE_MAX]
        with self.db.transaction() as conn:
            cur = conn.execute("UPDATE cases SET status = ?, updated_at = ? WHERE case_id = ? AND status = ?",
                               (status, now, case_id, case.status))  # fmt: skip
            if cur.rowcount == 0:  # someone else moved it since it was read
                raise CaseError("case_changed", f"{case_id} was changed meanwhile; reload it")
            conn.execute("INSERT INTO case_status_log(case_id, at, actor, before, after, note) VALUES (?, ?, ?, ?, ?, ?)",
                         (case_id, now, by, case.status, status, note))  # fmt: skip
        after = {"status": status, **({"note": note} if note else {})}
        self.audit.append(by, "case.status", _target(case_id), {"status": case.status}, after)
        return self._must(case_id)

    def assign(self, case_id: str, assignee: str, by: str, role: str) -> Case:
        """Investigators take cases for themselves; supervisors assign anyone (the caller checks the account)."""
        _staff(role)
        if assignee != by and role != SUPERVISOR:
            raise CaseError("forbidden", "investigators assign cases only to themselves")
        case = self._must(case_id)
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE cases SET assignee = ?, updated_at = ? WHERE case_id = ?", (assignee, utc_now(), case_id)
            )
        self.audit.append(by, "case.assign", _target(case_id), {"assignee": case.assignee}, {"assignee": assignee})
        return self._must(case_id)

    def set_deadline(self, case_id: str, deadline: str, by: str, role: str) -> Case:
        _staff(role)
        deadline = deadline.strip()
        if deadline:
            try:
                if not _DATE.match(deadline):
                    raise ValueError(deadline)
                date.fromisoformat(deadline)
            except ValueError:
                raise CaseError("bad_date", "deadline: must be a date YYYY-MM-DD") from None
        case = self._must(case_id)
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE cases SET deadline = ?, updated_at = ? WHERE case_id = ?", (deadline, utc_now(), case_id)
            )
        self.audit.append(by, "case.deadline", _target(case_id), {"deadline": case.deadline}, {"deadline": deadline})
        return self._must(case_id)

    def add_note(self, case_id: str, text: str, by: str, role: str) -> Case:
        _staff(role)
        text = text.strip()[:NOTE_MAX]
        if not text:
            raise CaseError("bad_request", "a note needs text")
        self._must(case_id)
        now = utc_now()
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO case_notes(case_id, at, author, text) VALUES (?, ?, ?, ?)", (case_id, now, by, text)
            )
            self._touch(conn, case_id, now)
        self.audit.append(by, "case.note", _target(case_id), None, {"note": text})
        return self._must(case_id)

    # --- helpers --------------------------------------------------------------------------------------------------
    def _must(self, case_id: str) -> Case:
        case = self.get(case_id)
        if case is None:
            raise CaseError("not_found", f"{case_id}: no such case")
        return case

    @staticmethod
    def _touch(conn: Any, case_id: str, now: str) -> None:
        conn.execute("UPDATE cases SET updated_at = ? WHERE case_id = ?", (now, case_id))

    @staticmethod
    def _insert_actor(conn: Any, case_id: str, actor: StoredActor, now: str, by: str) -> None:
        conn.execute("INSERT OR REPLACE INTO case_actors(case_id, actor_id, label, shops, added_at, added_by)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     (case_id, actor.actor_id, actor.summary.label, json.dumps([s.key for s in actor.shops]), now, by))  # fmt: skip
