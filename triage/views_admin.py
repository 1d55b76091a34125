"""The dashboard, the audit trail and user management."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cases.summary import case_figures
from triage.aggregates import DECISIONS, Dashboard, day_range
from triage.charts import horizontal_bars, stacked_days
from triage.users import ROLES, SUPERVISOR, VIEWER, UserError
from triage.web import error_page, guarded, render, state, user_of


@guarded()
async def dashboard_page(request: Request) -> Response:
    st, user = state(request), user_of(request)
    scope = user.lead_scope()
    board = st.dashboards.get(scope) if scope is not None else Dashboard(days=day_range(st.dashboards.days))
    decisions = {k: v for k, v in board.decisions.items() if k in DECISIONS}
    takedowns = {k: v for k, v in board.decisions.items() if k == "referred"}
    figures = None
    if not user.is_viewer and st.cases is not None:  # the team's cases, as the cases pages show them to staff
        figures = await run_in_threadpool(case_figures, st.cases, st.store.get_many)
    return render(request, "dashboard.html", {
        "board": board, "figures": figures,
        "per_day": stacked_days(board.per_day, board.days),
        "decisions": stacked_days(decisions, board.days),
        "takedowns": stacked_days(takedowns, board.days),
        "entries": horizontal_bars(board.top_entries),
        "sellers": horizontal_bars(board.top_sellers),
        "statuses": horizontal_bars(sorted(board.by_status.items(), key=lambda kv: -kv[1])),
        "kinds": horizontal_bars(sorted(board.by_kind.items(), key=lambda kv: -kv[1])),
    })  # fmt: skip


@guarded(SUPERVISOR)
async def audit_page(request: Request) -> Response:
    st = state(request)
    before = request.query_params.get("before", "")
    target = request.query_params.get("target") or None
    entries = st.audit.entries(target=target, limit=100, before_seq=int(before) if before.isdigit() else None)
    report = st.audit.verify_recent()  # not the whole chain on every view: see AuditLog.verify_recent
    return render(request, "audit.html", {"entries": entries, "report": report, "target": target or ""})


@guarded(SUPERVISOR)
async def users_page(request: Request, problem: str = "", status: int = 200) -> Response:
    return render(
        request, "users.html", {"users": state(request).users.list(), "roles": ROLES, "problem": problem}, status
    )


def _lines(raw: object) -> tuple[str, ...]:
    return tuple(v.strip() for v in str(raw or "").replace(",", "\n").splitlines() if v.strip())


@guarded(SUPERVISOR)
async def add_user(request: Request) -> Response:
    st, form, actor = state(request), request.state.form, user_of(request).username
    username, role = str(form.get("username", "")).strip(), str(form.get("role", ""))
    owners, entries = _lines(form.get("owners")), _lines(form.get("entries"))
    try:  # argon2 and zxcvbn in a worker thread: the server goes on answering meanwhile
        await run_in_threadpool(st.users.add, username, str(form.get("password", "")), role,
                                owners=owners if role == VIEWER else (), entries=entries if role == VIEWER else ())  # fmt: skip
    except UserError as exc:
        return render(request, "users.html", {"users": st.users.list(), "roles": ROLES, "problem": str(exc)}, 400)
    st.audit.append(actor, "user.add", "user:" + username, None, {"role": role, "owners": owners, "entries": entries})
    return RedirectResponse("/users", status_code=303)


@guarded(SUPERVISOR)
async def disable_user(request: Request) -> Response:
    st, actor = state(request), user_of(request).username
    username = request.path_params["username"]
    target = st.users.get(username)
    if target is None:
        return error_page(request, 404, "not_found")
    if username == actor:
        return error_page(request, 400, "bad_request")
    st.users.set_disabled(username, True)
    st.audit.append(actor, "user.disable", "user:" + username, {"disabled": target.disabled}, {"disabled": True})
    return RedirectResponse("/users", status_code=303)
