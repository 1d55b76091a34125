"""Triage decisions on leads (status, dismissal reason, assignment), each written to the audit trail.

A dismissal as authorised seller, accessory, resale or other brand also records what it teaches about the lead's
watchlist entry (matchers/adjustments.py, <var_dir>/adjustments.jsonl), each adjustment with its own audit entry.
"""

from __future__ import annotations

import re

from leads.store import StoreError
from matchers import adjustments
from matchers.learned import cue_terms
from netsword.models import Lead
from triage.i18n import DISMISS_REASONS
from triage.users import User
from triage.web import TriageState

TRIAGE_STATUSES = ("new", "triaged", "confirmed", "dismissed")  # `referred` comes only from an approved referral


class ActionError(ValueError):
    """A decision that is not allowed or not well-formed; the message is an i18n key."""


# dismissal reason → the adjustment it records (matchers.adjustments.KINDS)
ADJUSTING_REASONS = {"dismiss_authorised_seller": "authorised_seller", "dismiss_accessory": "accessory_term",
                     "dismiss_resale": "resale_term", "dismiss_other_brand": "not_this_mark"}  # fmt: skip


def change_status(st: TriageState, user: User, lead: Lead, status: str, reason: str = "", note: str = "",
                  terms: str = "") -> Lead:  # fmt: skip
    """`terms`: for an accessory or resale dismissal, the wording that says so (comma or line separated); empty:
    the counterfeit cue terms the lead named."""
    if not user.can_triage:
        raise ActionError("forbidden")
    if status not in TRIAGE_STATUSES:
        raise ActionError("bad_request")
    if status == "dismissed" and reason not in DISMISS_REASONS:
        raise ActionError("reason")
    if status == "dismissed" and reason in ADJUSTING_REASONS:
        try:  # a damaged adjustments file refuses the decision before anything changes, never half of it
            adjustments.listed(adjustments.path_in(st.config.var_dir))
        except adjustments.AdjustmentError as exc:
            raise ActionError("adjustments_unreadable") from exc
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
    if status == "dismissed" and reason in ADJUSTING_REASONS:
        record_adjustments(st, user, lead, ADJUSTING_REASONS[reason], terms)
    return updated


def adjustment_values(lead: Lead, kind: str, terms: str = "") -> list[str]:
    """What a dismissal of `kind` records for the lead: its seller, the wording given (else its cue terms), or the
    form it matched."""
    if kind == "authorised_seller":
        seller = lead.listing.get("seller") or {}
        return [v for v in (lead.seller_name, str(seller.get("id", "")) if isinstance(seller, dict) else "") if v][:1]
    if kind == "not_this_mark":
        return [lead.matched] if lead.matched else []
    given = [t.strip() for t in re.split(r"[,，、;；\n]", terms) if t.strip()]
    if given:
        return given[:10]
    return sorted(frozenset().union(*(cue_terms(r.detail) for r in lead.reasons if r.code == "cue_word")))


def record_adjustments(st: TriageState, user: User, lead: Lead, kind: str, terms: str = "") -> None:
    made = adjustments.add(adjustments.path_in(st.config.var_dir), kind, lead.entry_id,
                           adjustment_values(lead, kind, terms), lead_id=lead.lead_id, actor=user.username)  # fmt: skip
    for a in made:
        st.audit.append(user.username, "adjustment.add", lead.lead_id, None,
                        {"id": a.id, "kind": a.kind, "entry_id": a.entry_id, "value": a.value})  # fmt: skip


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
