"""A case (案件): leads and actors worked together, and its status flow 线索 → 立案 → 调查 → 处罚 / 移送 → 结案.

Who may move a case: filing, penalty, transfer and closing are a supervisor's decision (the agency head approves
them); investigators open cases, take them into investigation, add leads, actors and notes, and assign cases to
themselves. Closing a case that was neither penalised nor transferred (不予立案, 撤销) needs a note saying why.
Roles are the triage roles, named here as strings (this package sits below triage).
"""

from __future__ import annotations

from dataclasses import dataclass, field

INVESTIGATOR, SUPERVISOR, VIEWER = "investigator", "supervisor", "rights_holder_viewer"
STAFF = frozenset({INVESTIGATOR, SUPERVISOR})
STATUSES = ("clue", "filed", "investigating", "penalised", "transferred", "closed")
STATUS_ZH = {"clue": "线索", "filed": "立案", "investigating": "调查", "penalised": "处罚", "transferred": "移送",
             "closed": "结案"}  # fmt: skip
OPEN_STATUSES = STATUSES[:5]
# before → {after: roles allowed}
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "clue": {"filed": frozenset({SUPERVISOR}), "closed": frozenset({SUPERVISOR})},
    "filed": {"investigating": STAFF, "closed": frozenset({SUPERVISOR})},
    "investigating": {"penalised": frozenset({SUPERVISOR}), "transferred": frozenset({SUPERVISOR}),
                      "closed": frozenset({SUPERVISOR})},
    "penalised": {"closed": frozenset({SUPERVISOR})},
    "transferred": {"closed": frozenset({SUPERVISOR})},
    "closed": {},
}  # fmt: skip
NOTE_REQUIRED = frozenset({("clue", "closed"), ("filed", "closed"), ("investigating", "closed")})
TITLE_MAX, NOTE_MAX = 200, 4000


class CaseError(ValueError):
    """A case change that is not allowed or not well-formed. `key` is the UI's message key; str() is one line."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def next_statuses(status: str, role: str) -> tuple[str, ...]:
    """The statuses `role` may move a case in `status` to, in flow order."""
    allowed = TRANSITIONS.get(status, {})
    return tuple(s for s in STATUSES if s in allowed and role in allowed[s])


def check_move(before: str, after: str, role: str, note: str) -> None:
    if after not in STATUSES:
        raise CaseError("bad_request", f"status must be one of {', '.join(STATUSES)}, got {after!r}")
    if after not in TRANSITIONS.get(before, {}):
        raise CaseError("case_bad_move", f"a case cannot go from {before} ({STATUS_ZH.get(before, '?')}) to {after}")
    if role not in TRANSITIONS[before][after]:
        raise CaseError("forbidden", f"moving a case from {before} to {after} is a supervisor's decision")
    if (before, after) in NOTE_REQUIRED and not note.strip():
        raise CaseError("case_note_required", f"closing a case from {before} needs a note saying why")


@dataclass(frozen=True)
class CaseActor:
    """An actor network added to a case, with the shops it had then (a later build may change the network)."""

    actor_id: str
    label: str
    shops: tuple[str, ...]
    added_at: str
    added_by: str


@dataclass(frozen=True)
class CaseNote:
    at: str
    author: str
    text: str


@dataclass(frozen=True)
class StatusChange:
    at: str
    actor: str
    before: str
    after: str
    note: str


@dataclass(frozen=True)
class Case:
    case_id: str
    title: str
    status: str
    created_at: str
    created_by: str
    updated_at: str
    assignee: str = ""
    deadline: str = ""  # YYYY-MM-DD, "" for none
    summary: str = ""
    lead_ids: tuple[str, ...] = ()
    actors: tuple[CaseActor, ...] = ()
    notes: tuple[CaseNote, ...] = field(default=())
    history: tuple[StatusChange, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.status != "closed"

    def overdue(self, today: str) -> bool:
        """An open case whose deadline (YYYY-MM-DD) is before `today`."""
        return self.is_open and bool(self.deadline) and self.deadline < today
