"""Cases (案件): the list, a case's page (status flow, assignment, deadline, notes, leads, actors, history) and its
changes, each audited by cases.store. Viewers see a case only when every lead in it is in their scope, and then
not its working notes, names, deadline or history (as a lead's page hides the team's notes)."""

from __future__ import annotations

from datetime import UTC, datetime

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from cases.actors import ActorStore, StoredActor
from cases.model import STATUSES, Case, CaseError, next_statuses
from cases.notices import NOTICE_MOVES, NoticeStore, outcome
from cases.package import TEMPLATES as CASE_TEMPLATES
from cases.package import build_case_package, record_package_export
from cases.pdf import pdfs_of
from cases.publication import public_summary, publishable
from cases.store import CaseStore
from cases.takedown import build_notices, bundle_zip
from cases.thresholds import ThresholdError
from cases.valuation import Valuation, value_case
from netsword.models import Lead, utc_now
from triage.users import INVESTIGATOR, SUPERVISOR, User
from triage.web import error_page, guarded, render, state, user_of, zip_download
from watchlists.configured import load_configured

ACTIONS = ("status", "assign", "deadline", "note", "leads", "remove-lead")
MAX_FORM_LEADS = 1000


def case_store(request: Request) -> CaseStore:
    st = state(request)
    assert st.cases is not None
    return CaseStore(st.cases, st.audit)


def _leads_seen(request: Request, case: Case) -> tuple[list[Lead], bool]:
    """The case's leads the user may see, and whether they may see the case at all."""
    user = user_of(request)
    leads = state(request).store.get_many(case.lead_ids)
    visible = [lead for lead in leads if user.may_see_lead(lead)]
    if not user.is_viewer:
        return visible, True
    return visible, bool(leads) and len(visible) == len(leads) == len(case.lead_ids)


def visible_case(request: Request, case_id: str) -> tuple[Case, list[Lead]] | None:
    case = case_store(request).get(case_id)
    if case is None:
        return None
    leads, allowed = _leads_seen(request, case)
    return (case, leads) if allowed else None


def actors_seen(request: Request, actor_ids: list[str]) -> list[StoredActor]:
    st, user = state(request), user_of(request)
    assert st.cases is not None
    store = ActorStore(st.cases)
    out = []
    for actor_id in actor_ids:
        actor = store.get(actor_id)
        seen = actor.seen_by(lambda ref: user.may_see(ref.owner, ref.entry_id), user.may_see_parcels) if actor else None
        if seen is not None:
            out.append(seen)
    return out


@guarded()
async def cases_page(request: Request) -> Response:
    user = user_of(request)
    status = request.query_params.get("status") or None
    status = status if status in STATUSES else None
    mine = request.query_params.get("assignee") == "me"
    found = case_store(request).ranked(status=status, assignee=user.username if mine else None, limit=200)
    if user.is_viewer:
        found = [case for case in found if _leads_seen(request, case)[1]]
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return render(request, "cases.html", {"cases": found, "statuses": STATUSES, "status": status, "mine": mine,
                                          "today": today, "counts": case_store(request).counts()})  # fmt: skip


@guarded(INVESTIGATOR, SUPERVISOR)
async def create_case(request: Request) -> Response:
    form, user = request.state.form, user_of(request)
    lead_ids = [v.strip() for v in str(form.get("lead_ids", "")).split() if v.strip()][:MAX_FORM_LEADS]
    known = [lead.lead_id for lead in state(request).store.get_many(lead_ids) if user.may_see_lead(lead)]
    try:
        case = case_store(request).create(str(form.get("title", "")), user.username, user.role, lead_ids=known,
                                          summary=str(form.get("summary", "")))  # fmt: skip
    except CaseError as exc:
        return error_page(request, 400, exc.key)
    return RedirectResponse(f"/cases/{case.case_id}", status_code=303)


@guarded()
async def case_page(request: Request) -> Response:
    user = user_of(request)
    found = visible_case(request, request.path_params["case_id"])
    if found is None:
        return error_page(request, 404, "not_found")
    case, leads = found
    actors = actors_seen(request, [a.actor_id for a in case.actors])
    audit = [] if user.is_viewer else state(request).audit.entries(target="case:" + case.case_id, limit=100)
    notices = [] if user.is_viewer else _notices(request, case.case_id, leads)
    valuation: Valuation | None = None
    if not user.is_viewer:  # the team's assessment, like its notes
        try:
            valuation = value_case(leads, as_of=request.query_params.get("as_of") or None)
        except (ThresholdError, ValueError):
            return error_page(request, 400, "bad_date")
    return render(request, "case.html", {
        "case": case, "leads": leads, "actors": actors, "audit": audit, "next_statuses": next_statuses(
            case.status, user.role), "today": datetime.now(UTC).strftime("%Y-%m-%d"), "valuation": valuation,
        "notices": notices, "notice_moves": NOTICE_MOVES, "publishable": not publishable(case),
    })  # fmt: skip


def _notices(request: Request, case_id: str, leads: list[Lead]) -> list[dict[str, object]]:
    """The case's takedown notices, each with its listings' outcomes from re-checks (removed / online / pending)."""
    st = state(request)
    assert st.cases is not None
    by_id = {lead.lead_id: lead for lead in leads}
    out = []
    for notice in NoticeStore(st.cases, st.audit).listed(case_id=case_id):
        outcomes: dict[str, int] = {}
        for row in notice.leads:
            key = outcome(by_id.get(row["lead_id"]), notice.sent_at)
            outcomes[key] = outcomes.get(key, 0) + 1
        out.append({"notice": notice, "outcomes": sorted(outcomes.items())})
    return out


def _assignee_ok(request: Request, user: User, assignee: str) -> bool:
    if not assignee:
        return user.is_supervisor
    target = state(request).users.get(assignee)
    return target is not None and not target.disabled and target.can_triage


@guarded(INVESTIGATOR, SUPERVISOR)
async def case_action(request: Request) -> Response:
    form, user = request.state.form, user_of(request)
    case_id, action = request.path_params["case_id"], request.path_params["action"]
    if action not in ACTIONS or visible_case(request, case_id) is None:
        return error_page(request, 404, "not_found")
    store = case_store(request)
    try:
        if action == "status":
            store.move(case_id, str(form.get("status", "")), user.username, user.role, str(form.get("note", "")))
        elif action == "assign":
            assignee = str(form.get("assignee", user.username)).strip()
            if not _assignee_ok(request, user, assignee):
                return error_page(request, 400, "bad_request")
            store.assign(case_id, assignee, user.username, user.role)
        elif action == "deadline":
            store.set_deadline(case_id, str(form.get("deadline", "")), user.username, user.role)
        elif action == "note":
            store.add_note(case_id, str(form.get("note", "")), user.username, user.role)
        elif action == "leads":
            wanted = [v.strip() for v in str(form.get("lead_ids", "")).split() if v.strip()][:MAX_FORM_LEADS]
            known = [lead.lead_id for lead in state(request).store.get_many(wanted) if user.may_see_lead(lead)]
            store.add_leads(case_id, known, user.username, user.role)
        else:
            store.remove_lead(case_id, str(form.get("lead_id", "")), user.username, user.role)
    except CaseError as exc:
        return error_page(request, 403 if exc.key == "forbidden" else 400, exc.key)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@guarded(INVESTIGATOR, SUPERVISOR)
async def case_package(request: Request) -> Response:
    """The case's referral package (transfer letter draft, report, JSON, SHA256SUMS); the download is audited."""
    st, user = state(request), user_of(request)
    found = visible_case(request, request.path_params["case_id"])
    if found is None:
        return error_page(request, 404, "not_found")
    case, leads = found
    actors = actors_seen(request, [a.actor_id for a in case.actors])
    pdfs = None
    if request.query_params.get("pdf") == "1":  # printable PDFs too, rendered by Chromium (cases.pdf)
        pdfs = lambda pages: pdfs_of(pages, st.config)  # noqa: E731
    data = await run_in_threadpool(build_case_package, case, leads, actors, value_case(leads), st.evidence,
                                   utc_now(), pdfs)  # fmt: skip
    digest, response = zip_download(request, data, f"{case.case_id}.zip", "case.package", "case:" + case.case_id)
    record_package_export(case, leads, st.evidence, digest, actor=user.username, via="web")
    return response


async def _takedown(request: Request, leads: list[Lead], case_id: str, action: str, target: str) -> Response:
    """Takedown notices for `leads` as a ZIP (`<case id or takedown>.zip`), logged as drafted, the download audited."""
    st, user = state(request), user_of(request)
    assert st.cases is not None
    watchlist = await run_in_threadpool(load_configured, None, st.config)  # registration numbers, rights holders
    bundle = build_notices(leads, watchlist, st.evidence, case_id=case_id)
    if not bundle.notices:
        return error_page(request, 400, "no_notices")
    bundle.generated_at = utc_now()
    data = bundle_zip(bundle, case_id or "takedown")
    try:
        NoticeStore(st.cases, st.audit).record(bundle.notices, user.username, user.role)
    except CaseError as exc:
        return error_page(request, 403, exc.key)
    filename = f"{case_id}-takedown.zip" if case_id else "takedown.zip"
    notices = [n.notice_id for n in bundle.notices]
    return zip_download(request, data, filename, action, target, {"notices": notices})[1]


@guarded(INVESTIGATOR, SUPERVISOR)
async def case_takedown(request: Request) -> Response:
    """Takedown notices for the case's leads (ZIP: Chinese and English text and HTML, JSON), logged as drafted."""
    found = visible_case(request, request.path_params["case_id"])
    if found is None:
        return error_page(request, 404, "not_found")
    case, leads = found
    return await _takedown(request, leads, case.case_id, "case.takedown", "case:" + case.case_id)


@guarded(INVESTIGATOR, SUPERVISOR)
async def leads_takedown(request: Request) -> Response:
    """Takedown notices for the leads ticked in the queue (the ones the user may see), logged as drafted, audited."""
    st, user = state(request), user_of(request)
    wanted = [str(v) for v in request.state.form.getlist("lead_id")][:MAX_FORM_LEADS]
    leads = [lead for lead in st.store.get_many(wanted) if user.may_see_lead(lead)]
    return await _takedown(request, leads, "", "leads.takedown", "leads")


@guarded(INVESTIGATOR, SUPERVISOR)
async def notice_action(request: Request) -> Response:
    """Record what became of a notice: sent (with the platform's ticket id), rejected (a note), withdrawn."""
    st, user, form = state(request), user_of(request), request.state.form
    assert st.cases is not None
    store = NoticeStore(st.cases, st.audit)
    notice = store.get(request.path_params["notice_id"])
    if notice is None or (notice.case_id and visible_case(request, notice.case_id) is None):
        return error_page(request, 404, "not_found")
    try:
        store.move(notice.notice_id, request.path_params["status"], user.username, user.role,
                   ticket=str(form.get("ticket", "")), note=str(form.get("note", "")))  # fmt: skip
    except CaseError as exc:
        return error_page(request, 403 if exc.key == "forbidden" else 400, exc.key)
    back = (
        f"/cases/{notice.case_id}#case-notices"
        if notice.case_id
        else f"/leads/{notice.leads[0]['lead_id']}#lead-notices"
    )
    return RedirectResponse(back, status_code=303)


@guarded(INVESTIGATOR, SUPERVISOR)
async def case_public(request: Request) -> Response:
    """A closed penalty case's public summary (personal data withheld), as printable HTML; 400 for other cases."""
    st = state(request)
    found = visible_case(request, request.path_params["case_id"])
    if found is None:
        return error_page(request, 404, "not_found")
    case, leads = found
    if publishable(case):
        return error_page(request, 400, "not_publishable")
    watchlist = await run_in_threadpool(load_configured, None, st.config)
    owners = {lead.entry_id: watchlist.owner_of(lead.entry_id) for lead in leads}
    summary = public_summary(case, leads, actors_seen(request, [a.actor_id for a in case.actors]), owners)
    env = Environment(loader=FileSystemLoader(CASE_TEMPLATES), autoescape=select_autoescape(default=True))
    body = env.get_template("public_summary.html").render(s=summary)
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})
