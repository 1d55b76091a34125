"""`create_app(config)`: the triage web UI as an ASGI app (Starlette, Jinja2 templates, vendored static files).

Settings: the [triage] section (secret_key, session_hours, language, page_size, secure_cookies, login_max_failures,
login_max_delay, trusted_proxies, min_password_score, four_eyes), store.url for leads, paths.evidence_dir for
evidence, paths.var_dir for triage.db, [keys] for the audit and session keys (netsword.keys).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from cases.db import CasesDB, cases_db_path
from evidence.store import EvidenceStore
from leads.store import LeadStore, open_store_from_config
from netsword.config import Config
from netsword.keys import TRIAGE_SESSION, load_key
from triage import (
    views_actors,
    views_admin,
    views_auth,
    views_cases,
    views_lead,
    views_queue,
    views_referrals,
    views_runs,
)
from triage.aggregates import DashboardCache
from triage.audit import open_audit
from triage.db import TriageDB, triage_db_path
from triage.referrals import ReferralStore
from triage.sessions import Sessions
from triage.throttle import LoginThrottle, parse_networks
from triage.users import UserStore
from triage.web import SecurityHeaders, TriageState

PACKAGE = Path(__file__).parent
# Routes open without a session; every other route is wrapped in web.guarded (a test checks this list).
PUBLIC_ROUTES = ("/login", "/lang/{lang}", "/static")

ROUTES = [
    Route("/login", views_auth.login_form, methods=["GET"]),
    Route("/login", views_auth.login_submit, methods=["POST"]),
    Route("/logout", views_auth.logout, methods=["POST"]),
    Route("/lang/{lang}", views_auth.set_language, methods=["GET"]),
    Route("/", views_queue.queue_page, methods=["GET"]),
    Route("/leads/bulk", views_queue.bulk_action, methods=["POST"]),
    Route("/leads/{lead_id}", views_lead.lead_page, methods=["GET"]),
    Route("/leads/{lead_id}/status", views_lead.set_status, methods=["POST"]),
    Route("/leads/{lead_id}/assign", views_lead.set_assignee, methods=["POST"]),
    Route("/leads/{lead_id}/evidence/{sha256}", views_lead.evidence_image, methods=["GET"]),
    Route("/leads/{lead_id}/archive/{sha256}", views_lead.archived_page, methods=["GET"]),
    Route("/dashboard", views_admin.dashboard_page, methods=["GET"]),
    Route("/audit", views_admin.audit_page, methods=["GET"]),
    Route("/users", views_admin.users_page, methods=["GET"]),
    Route("/users", views_admin.add_user, methods=["POST"]),
    Route("/users/{username}/disable", views_admin.disable_user, methods=["POST"]),
    Route("/referrals", views_referrals.referrals_page, methods=["GET"]),
    Route("/referrals", views_referrals.create_referral, methods=["POST"]),
    Route("/referrals/{referral_id}/decide", views_referrals.decide_referral, methods=["POST"]),
    Route("/referrals/{referral_id}/package", views_referrals.download_package, methods=["GET"]),
    Route("/runs", views_runs.runs_page, methods=["GET"]),
    Route("/cases", views_cases.cases_page, methods=["GET"]),
    Route("/cases", views_cases.create_case, methods=["POST"]),
    Route("/cases/{case_id}", views_cases.case_page, methods=["GET"]),
    Route("/cases/{case_id}/package", views_cases.case_package, methods=["GET"]),
    Route("/cases/{case_id}/takedown", views_cases.case_takedown, methods=["POST"]),
    Route("/cases/{case_id}/public", views_cases.case_public, methods=["GET"]),
    Route("/notices/{notice_id}/{status}", views_cases.notice_action, methods=["POST"]),
    Route("/takedown", views_cases.leads_takedown, methods=["POST"]),
    Route("/cases/{case_id}/{action}", views_cases.case_action, methods=["POST"]),
    Route("/actors", views_actors.actors_page, methods=["GET"]),
    Route("/actors/{actor_id}", views_actors.actor_page, methods=["GET"]),
    Route("/actors/{actor_id}/case", views_actors.case_from_actor, methods=["POST"]),
]


def build_state(config: Config, store: LeadStore | None = None) -> TriageState:
    db = TriageDB(triage_db_path(config.var_dir))
    audit = open_audit(config, db)  # before the store: a missing audit key stops start-up with its one-line fix
    secret = load_key(config, TRIAGE_SESSION, create=True).decode("utf-8")
    store = store or open_store_from_config(config)
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    return TriageState(
        config=config,
        store=store,
        db=db,
        users=UserStore(db, min_score=config.triage.min_password_score),
        sessions=Sessions(db, secret, config.triage.session_hours),
        throttle=LoginThrottle(db, config.triage.login_max_failures, config.triage.login_max_delay),
        audit=audit,
        referrals=ReferralStore(db),
        evidence=EvidenceStore.for_config(config, create_key=False),  # keyed: exports go to the chain of custody
        dashboards=DashboardCache(store),
        templates=templates,
        trusted_proxies=parse_networks(config.triage.trusted_proxies),
        cases=CasesDB(cases_db_path(config.var_dir)),
    )


def create_app(config: Config, *, store: LeadStore | None = None,
               run_history: Callable[[int], list[Any]] | None = None) -> Starlette:  # fmt: skip
    """The ASGI app. Pass `store` to share an open lead store (tests, the demo); else store.url is opened.
    `run_history(limit)` gives the scheduler's latest runs for the runs page (netsword serve passes it)."""
    st = build_state(config, store)
    st.run_history = run_history
    owns_store = store is None

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        st.db.close()
        if st.cases is not None:
            st.cases.close()
        if owns_store:
            st.store.close()

    app = Starlette(
        routes=[*ROUTES, Mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")],
        lifespan=lifespan,
    )
    app.state.triage = st
    app.add_middleware(SecurityHeaders)
    return app
