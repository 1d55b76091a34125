"""One lead: snapshot with highlighted match, reasons, evidence, histories, related leads; its decisions.

Evidence bytes are served only through routes that first check the user may see the lead, and only files that
belong to one of that listing's captures. Archived pages never run: the detail page shows them as escaped source,
and the framed preview is served with `Content-Security-Policy: sandbox` and no script allowed.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cases.notices import NOTICE_MOVES, NoticeStore, outcome
from evidence.store import Capture, EvidenceFile
from netsword.models import Lead
from triage.actions import ActionError, assign, change_status
from triage.extensions import related_sources
from triage.highlight import segments
from triage.i18n import DISMISS_REASONS
from triage.shipper_links import linked_shippers
from triage.users import INVESTIGATOR, SUPERVISOR
from triage.web import error_page, guarded, render, safe_next, state, user_of, visible_lead

SOURCE_LIMIT = 200_000  # characters of archived HTML shown as source
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
ARCHIVE_CSP = "sandbox; default-src 'none'; script-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _evidence_file(request: Request, lead: Lead) -> tuple[Capture, EvidenceFile] | None:
    sha = request.path_params["sha256"]
    for capture in state(request).evidence.captures_for(lead.platform, lead.listing_id):
        for item in capture.files:
            if item.sha256 == sha:
                return capture, item
    return None


@guarded()
async def lead_page(request: Request) -> Response:
    st, user = state(request), user_of(request)
    lead = visible_lead(request, request.path_params["lead_id"])
    if lead is None:
        return error_page(request, 404, "not_found")
    needles = [lead.matched, lead.cited_number]
    captures = st.evidence.captures_for(lead.platform, lead.listing_id)
    sources: list[dict[str, object]] = []
    for capture in captures[:3]:
        page = capture.file("page")
        if page is not None and page.media_type.startswith("text/"):
            try:
                text = st.evidence.read(page.sha256).decode("utf-8", errors="replace")
            except OSError:
                continue
            sources.append({"capture": capture, "file": page, "text": text[:SOURCE_LIMIT],
                            "truncated": len(text) > SOURCE_LIMIT})  # fmt: skip
    related = []
    for source in related_sources():
        found = [other for other in source.provider(lead, st.store) if user.may_see_lead(other)]
        if found:
            related.append((source, found))
    # rights holders see the case, not the team's working notes, names and reasons in the audit trail
    actions = [] if user.is_viewer else st.audit.entries(target=lead.lead_id, limit=50)
    shippers = linked_shippers(st.config, lead, user.role)
    notices = (
        []
        if user.is_viewer or st.cases is None
        else [  # the takedown notice log of this lead (docs/cases.md)
            (n, outcome(lead, n.sent_at)) for n in NoticeStore(st.cases, st.audit).listed(lead_id=lead.lead_id)
        ]
    )
    return render(request, "lead.html", {
        "lead": lead,
        "title_segments": segments(lead.title, needles),
        "description_segments": segments(str(lead.listing.get("description", "")), needles),
        "captures": captures, "sources": sources, "image_types": IMAGE_TYPES,
        "status_history": st.store.status_history(lead.lead_id), "related": related, "actions": actions,
        "shippers": shippers, "notices": notices, "notice_moves": NOTICE_MOVES,
        "dismiss_reasons": DISMISS_REASONS,
        "next": safe_next(request.query_params.get("next"), f"/leads/{lead.lead_id}"),
    })  # fmt: skip


async def _decide(request: Request, apply: str) -> Response:
    st, user, form = state(request), user_of(request), request.state.form
    lead = visible_lead(request, request.path_params["lead_id"])
    if lead is None:
        return error_page(request, 404, "not_found")
    try:
        if apply == "status":
            change_status(st, user, lead, str(form.get("status", "")), str(form.get("reason", "")),
                          str(form.get("note", "")), str(form.get("terms", "")))  # fmt: skip
        else:
            assignee = str(form.get("assignee", user.username)).strip()
            assign(st, user, lead, assignee)
    except ActionError as exc:
        return error_page(request, 403 if str(exc) == "forbidden" else 400, str(exc))
    st.dashboards.clear()
    return RedirectResponse(safe_next(str(form.get("next", "")), f"/leads/{lead.lead_id}"), status_code=303)


@guarded(INVESTIGATOR, SUPERVISOR)
async def set_status(request: Request) -> Response:
    return await _decide(request, "status")


@guarded(INVESTIGATOR, SUPERVISOR)
async def set_assignee(request: Request) -> Response:
    return await _decide(request, "assign")


@guarded()
async def evidence_image(request: Request) -> Response:
    """A screenshot (or other image) of a lead's listing; anything else is offered as a download, never rendered."""
    lead = visible_lead(request, request.path_params["lead_id"])
    found = _evidence_file(request, lead) if lead else None
    if found is None:
        return error_page(request, 404, "not_found")
    _, item = found
    try:
        data = state(request).evidence.read(item.sha256)
    except OSError:
        return error_page(request, 404, "not_found")
    if item.media_type in IMAGE_TYPES:
        return Response(data, media_type=item.media_type, headers={"Cache-Control": "private, max-age=3600"})
    return Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{item.sha256}"', "Content-Security-Policy": ARCHIVE_CSP,
    })  # fmt: skip


@guarded()
async def archived_page(request: Request) -> Response:
    """The archived HTML for the sandboxed frame: its own CSP makes it an opaque origin with scripts off."""
    lead = visible_lead(request, request.path_params["lead_id"])
    found = _evidence_file(request, lead) if lead else None
    if found is None or not found[1].media_type.startswith("text/"):
        return error_page(request, 404, "not_found")
    try:
        data = state(request).evidence.read(found[1].sha256)
    except OSError:
        return error_page(request, 404, "not_found")
    return Response(data, media_type="text/html; charset=utf-8", headers={
        "Content-Security-Policy": ARCHIVE_CSP, "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "no-store",
    })  # fmt: skip
