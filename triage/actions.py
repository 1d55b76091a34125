"""Triage decisions on leads (status, dismissal reason, assignment), each written to the audit trail."""

from __future__ import annotations

from leads.store import StoreError
from netsword.models import Lead
from triage.i18n import DISMISS_REASONS
from triage.users import User
from triage.web import TriageState

TRIAGE_STATUSES = ("new", "triaged", "confirmed", "dismissed")  # `referred` comes only from an approved referral


class ActionError(ValueError):
    """A decision that is not allowed or not well-formed; the message is an i18n key."""


def change_status(st: TriageState, user: User, lead: Lead, status: str, reason: str = "", note: str = "") -> Lead:
    if not user.can_triage:
        raise ActionError("forbidden")
    if status not in TRIAGE_STATUSES:
        raise ActionError("bad_request")
    if status == "dismissed" and reason not in DISMISS_REASONS:
        raise ActionError("reason")
    before = {"status": lead.status, "assignee": lead.assignee}
    try:
        updated = st.store.set_status(lead.lead_id, status)
    except StoreError as exc:
        raise ActionError("not_found") from exc
    after: dict[str, str] = {"status": status, "assignee": updated.assignee}
    if status == "dismissed":
        after["reason"] = reason
    if note.strip():
        after["note"] = note.strip()[:500]
    st.audit.append(user.username, "lead.status", lead.lead_id, before, after)
    return updated


def assign(st: TriageState, user: User, lead: Lead, assignee: str) -> Lead:
    """Investigators take leads for themselves; supervisors hand them to any active investigator or supervisor."""
    if not user.can_triage:
        raise ActionError("forbidden")
    if assignee != user.username and not user.is_supervisor:
        raise ActionError("forbidden")
    if assignee:
        target = st.users.get(assignee)
        if target is None or target.disabled or not target.can_triage:
            raise ActionError("bad_request")
    before = {"status": lead.status, "assignee": lead.assignee}
    updated = st.store.set_status(lead.lead_id, lead.status, assignee=assignee)
    st.audit.append(user.username, "lead.assign", lead.lead_id, before, {"status": lead.status, "assignee": assignee})
    return updated
