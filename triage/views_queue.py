"""The lead queue (filters, search, bounded paging, keyboard triage) and its bulk actions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from netsword.models import LEAD_KINDS, LEAD_STATUSES
from triage.actions import ActionError, assign, change_status
from triage.i18n import DISMISS_REASONS
from triage.queue import MAX_PAGES, next_after, parse_filters, to_query
from triage.users import INVESTIGATOR, SUPERVISOR
from triage.web import error_page, guarded, render, safe_next, state, user_of

BULK_LIMIT = 200


@guarded()
async def queue_page(request: Request) -> Response:
    st, user = state(request), user_of(request)
    filters = parse_filters(request.query_params, user)
    query = to_query(filters, user, st.page_size)
    leads = st.store.search(query) if query else []
    has_next = len(leads) > st.page_size  # the next link pages by key: any depth
    at = request.query_params.get("at", "0")
    assignees = [u.username for u in st.users.list() if u.can_triage and not u.disabled] if user.is_supervisor else []
    return render(request, "queue.html", {
        "filters": filters, "leads": leads[: st.page_size], "has_next": has_next, "max_pages": MAX_PAGES,
        "next_after": next_after(leads[st.page_size - 1]) if has_next else "",
        "statuses": LEAD_STATUSES, "kinds": LEAD_KINDS, "dismiss_reasons": DISMISS_REASONS,
        "at": int(at) if at.isdigit() else 0, "assignees": assignees,
    })  # fmt: skip


@guarded(INVESTIGATOR, SUPERVISOR)
async def bulk_action(request: Request) -> Response:
    """Apply one decision to the ticked leads; leads the user may not see are skipped, never revealed."""
    st, user, form = state(request), user_of(request), request.state.form
    lead_ids = [str(v) for v in form.getlist("lead_id")][:BULK_LIMIT]
    action = str(form.get("action", ""))
    try:
        for lead_id in lead_ids:
            lead = st.store.get(lead_id)
            if lead is None:
                continue
            if action in ("triaged", "confirmed", "dismissed", "new"):
                change_status(st, user, lead, action, reason=str(form.get("reason", "")))
            elif action == "assign_me":
                assign(st, user, lead, user.username)
            elif action.startswith("assign:"):
                assign(st, user, lead, action.removeprefix("assign:"))
            else:
                return error_page(request, 400, "bad_request")
    except ActionError as exc:
        return error_page(request, 403 if str(exc) == "forbidden" else 400, str(exc))
    st.dashboards.clear()
    return RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)
