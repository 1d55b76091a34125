"""What every route shares: the app's state, the login/role/CSRF guard, page rendering, audited ZIP downloads and
security headers.

Every route but /login, /lang and /static is wrapped in `guarded(roles)`, which finds the session, loads the user,
checks the role and, for POST, the CSRF token; a test walks the route table to hold every route to that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cases.db import CasesDB
from evidence.store import EvidenceStore
from leads.store import LeadStore
from netsword.config import Config
from netsword.models import Lead
from triage.aggregates import DashboardCache
from triage.audit import AuditLog
from triage.db import TriageDB
from triage.i18n import LANGUAGES, translator
from triage.reason_texts import reason_label
from triage.referrals import ReferralStore
from triage.sessions import COOKIE, Sessions, csrf_ok
from triage.throttle import LoginThrottle
from triage.users import User, UserStore

LANG_COOKIE = "ns_lang"
# No inline script or style anywhere; evidence pages get their own, stricter policy (see views_lead.archived_page).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'; font-src 'self'"
)
Endpoint = Callable[[Request], Awaitable[Response]]
IPNetwork = IPv4Network | IPv6Network


@dataclass
class TriageState:
    config: Config
    store: LeadStore
    db: TriageDB
    users: UserStore
    sessions: Sessions
    throttle: LoginThrottle
    audit: AuditLog
    referrals: ReferralStore
    evidence: EvidenceStore
    dashboards: DashboardCache
    templates: Jinja2Templates
    trusted_proxies: tuple[IPNetwork, ...] = ()
    cases: CasesDB | None = None  # <var_dir>/cases.db: actor networks and cases (docs/cases.md)
    # the scheduler's latest runs (limit → RunRecord-like rows), handed in by the command line: scheduler sits above
    run_history: Callable[[int], list[Any]] | None = None

    @property
    def page_size(self) -> int:
        return self.config.triage.page_size


def state(request: Request) -> TriageState:
    return request.app.state.triage  # type: ignore[no-any-return]


def user_of(request: Request) -> User:
    return request.state.user  # type: ignore[no-any-return]


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in LANGUAGES else state(request).config.triage.language


def render(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> Response:
    lang = language(request)
    ctx = {
        "t": translator(lang),
        "reason_label": lambda code: reason_label(code, lang),  # reason codes in the UI's language
        "lang": lang,
        "user": getattr(request.state, "user", None),
        "csrf": getattr(request.state, "csrf", ""),
        "path": request.url.path,
        "here": request.url.path + (("?" + request.url.query) if request.url.query else ""),
    }
    ctx.update(context or {})
    response = state(request).templates.TemplateResponse(request, name, ctx, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, status: int, key: str) -> Response:
    return render(request, "error.html", {"status": status, "message_key": key}, status=status)


def zip_download(request: Request, data: bytes, filename: str, action: str, target: str,
                 details: Mapping[str, Any] | None = None) -> tuple[str, Response]:  # fmt: skip
    """A ZIP the user downloads: its SHA-256 in the audit trail (`action` on `target`, with `details`), and the
    response (an attachment, never cached). Returns the SHA-256 for the caller's own records too."""
    digest = hashlib.sha256(data).hexdigest()
    state(request).audit.append(user_of(request).username, action, target, None, {"sha256": digest, **(details or {})})
    return digest, Response(data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
    })  # fmt: skip


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths: an open redirect would let a link send investigators anywhere.

    No control character at all: browsers drop tab, CR and LF from URLs, so "/<TAB>/evil.example" is "//evil.example".
    """
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def guarded(*roles: str) -> Callable[[Endpoint], Endpoint]:
    """Require a live session (and one of `roles` when given); POSTs must carry the session's CSRF token."""

    def wrap(handler: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            st = state(request)
            found = st.sessions.lookup(request.cookies.get(COOKIE))
            user = st.users.get(found[1]) if found else None
            if found is None or user is None or user.disabled:
                if request.method == "GET":
                    here = request.url.path + (("?" + request.url.query) if request.url.query else "")
                    return RedirectResponse("/login?next=" + quote(here, safe=""), status_code=303)
                return error_page(request, 401, "login")
            request.state.user, request.state.session_id, request.state.csrf = user, found[0], found[2]
            if roles and user.role not in roles:
                return error_page(request, 403, "forbidden")
            if request.method == "POST":
                form = await request.form()
                token = form.get("csrf")
                if not csrf_ok(found[2], token if isinstance(token, str) else None):
                    return error_page(request, 403, "forbidden")
                request.state.form = form
            return await handler(request)

        endpoint.guarded_roles = roles  # type: ignore[attr-defined]
        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint

    return wrap


def visible_lead(request: Request, lead_id: str) -> Lead | None:
    """The lead when it exists and the user may see it: a viewer guessing another owner's id gets None (404)."""
    lead = state(request).store.get(lead_id)
    if lead is None or not user_of(request).may_see_lead(lead):
        return None
    return lead


class SecurityHeaders:
    """Adds the strict CSP and friends to every response that did not set its own (evidence pages do)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                defaults = {
                    b"content-security-policy": CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                    b"x-frame-options": b"DENY",
                    b"cross-origin-opener-policy": b"same-origin",
                }
                headers.extend((k, v) for k, v in defaults.items() if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
