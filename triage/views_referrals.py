"""Referral packages: investigators propose confirmed leads, a supervisor approves (with `triage.four_eyes`, never
the one who created the referral), the ZIP is downloaded."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from evidence.custody import record_export
from leads.store import LeadQuery
from netsword.models import Lead
from triage.referrals import ReferralError, SelfApproval, build_package
from triage.users import INVESTIGATOR, SUPERVISOR
from triage.web import error_page, guarded, render, state, user_of, zip_download

MAX_LEADS = 1000


def _page(request: Request, problem: str = "", status: int = 200) -> Response:
    st = state(request)
    confirmed = st.store.count(LeadQuery(status=("confirmed",)))
    return render(request, "referrals.html", {"referrals": st.referrals.list(), "confirmed": confirmed,
                                              "problem": problem, "four_eyes": st.config.triage.four_eyes},
                  status)  # fmt: skip


@guarded(INVESTIGATOR, SUPERVISOR)
async def referrals_page(request: Request) -> Response:
    return _page(request)


@guarded(INVESTIGATOR, SUPERVISOR)
async def create_referral(request: Request) -> Response:
    st, form, user = state(request), request.state.form, user_of(request)
    wanted = [v.strip() for v in str(form.get("lead_ids", "")).split() if v.strip()][:MAX_LEADS]
    if wanted:
        leads = st.store.get_many(wanted)
    else:
        leads = st.store.search(LeadQuery(status=("confirmed",), limit=MAX_LEADS))
    lead_ids = [lead.lead_id for lead in leads if lead.status == "confirmed"]
    title = str(form.get("title", "")).strip() or "referral"
    try:
        referral = st.referrals.create(title, lead_ids, user.username)
    except ReferralError as exc:
        return _page(request, str(exc), 400)
    st.audit.append(user.username, "referral.create", referral.referral_id, None,
                    {"title": referral.title, "leads": lead_ids})  # fmt: skip
    return RedirectResponse("/referrals", status_code=303)


@guarded(SUPERVISOR)
async def decide_referral(request: Request) -> Response:
    """Approval marks the leads `referred` (each change audited); rejection only records the decision."""
    st, form, user = state(request), request.state.form, user_of(request)
    referral_id = request.path_params["referral_id"]
    approve = form.get("decision") == "approve"
    try:
        referral = st.referrals.decide(referral_id, approve, user.username, four_eyes=st.config.triage.four_eyes)
    except SelfApproval:
        st.audit.append(user.username, "referral.approve.refused", referral_id, None, {"why": "four_eyes"})
        return error_page(request, 403, "four_eyes")
    except ReferralError:
        return error_page(request, 404, "not_found")
    st.audit.append(user.username, "referral.approve" if approve else "referral.reject", referral_id,
                    {"status": "pending"}, {"status": referral.status})  # fmt: skip
    if approve:
        for lead_id in referral.lead_ids:
            lead = st.store.get(lead_id)
            if lead is not None and lead.status == "confirmed":
                st.store.set_status(lead_id, "referred")
                st.audit.append(user.username, "lead.status", lead_id, {"status": lead.status, "assignee": lead.assignee},
                                {"status": "referred", "assignee": lead.assignee, "referral": referral_id})  # fmt: skip
        st.dashboards.clear()
    return RedirectResponse("/referrals", status_code=303)


@guarded(INVESTIGATOR, SUPERVISOR)
async def download_package(request: Request) -> Response:
    st, user = state(request), user_of(request)
    referral = st.referrals.get(request.path_params["referral_id"])
    if referral is None or referral.status != "approved":
        return error_page(request, 404, "not_found")
    leads: list[Lead] = st.store.get_many(referral.lead_ids)
    history = {lead.lead_id: st.store.status_history(lead.lead_id) for lead in leads}
    data = build_package(referral, leads, st.evidence, history)
    digest, response = zip_download(request, data, f"{referral.referral_id}.zip", "referral.download",
                                    referral.referral_id)  # fmt: skip
    st.referrals.record_package(referral.referral_id, digest)
    captures = sorted({c.capture_id for lead in leads for c in st.evidence.captures_for(lead.platform, lead.listing_id)})
    record_export(st.evidence, referral.referral_id, {"what": "referral ZIP with evidence files", "sha256": digest,
                                                       "captures": captures, "via": "web"}, actor=user.username)  # fmt: skip
    return response
