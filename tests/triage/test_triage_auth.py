"""Accounts, sessions, CSRF, expiry, and role checks on every route, through the ASGI client (login throttling:
test_triage_login_throttle.py)."""

from __future__ import annotations

import re

import pytest
from triage_helpers import PASSWORD, client_for, config_for, csrf_of, login, make_lead

from triage.app import PUBLIC_ROUTES, ROUTES, create_app

pytestmark = pytest.mark.anyio


async def test_login_sets_hardened_session_cookie(app) -> None:
    async with client_for(app) as client:
        response = await login(client, "investigator")
        assert response.status_code == 303 and response.headers["location"] == "/"
        cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "ns_session=" in v)
        assert "HttpOnly" in cookie and "Secure" in cookie and "samesite=lax" in cookie.lower()
        page = await client.get("/")
        assert page.status_code == 200 and "investigator" in page.text


async def test_wrong_password_and_unknown_user_are_refused_alike(app) -> None:
    async with client_for(app) as client:
        wrong = await login(client, "investigator", "not the password")
        unknown = await login(client, "nobody", "not the password")
        assert wrong.status_code == unknown.status_code == 401
        assert (await client.get("/")).status_code == 303


async def test_login_form_needs_its_signed_token(app) -> None:
    async with client_for(app) as client:
        response = await client.post("/login", data={"username": "supervisor", "password": PASSWORD})
        assert response.status_code == 403


async def test_post_without_csrf_token_is_refused(app, leads) -> None:
    lead = leads[0]
    async with client_for(app) as client:
        await login(client, "investigator")
        refused = await client.post(f"/leads/{lead.lead_id}/status", data={"status": "confirmed"})
        assert refused.status_code == 403
        forged = await client.post(f"/leads/{lead.lead_id}/status", data={"status": "confirmed", "csrf": "x" * 40})
        assert forged.status_code == 403
        assert app.state.triage.store.get(lead.lead_id).status == "new"
        token = csrf_of((await client.get("/")).text)
        ok = await client.post(f"/leads/{lead.lead_id}/status", data={"status": "confirmed", "csrf": token})
        assert ok.status_code == 303
        assert app.state.triage.store.get(lead.lead_id).status == "confirmed"


async def test_session_expires(tmp_path, store) -> None:
    from triage import seed_demo_users

    config = config_for(tmp_path, session_hours=0.0)
    seed_demo_users(config, password=PASSWORD)
    app = create_app(config, store=store)
    async with client_for(app) as client:
        assert (await login(client, "investigator")).status_code == 303
        assert (await client.get("/")).status_code == 303  # expired at once: back to the login page


async def test_logout_and_disable_end_sessions(app) -> None:
    async with client_for(app) as client, client_for(app) as other:
        await login(client, "investigator")
        token = csrf_of((await client.get("/")).text)
        assert (await client.post("/logout", data={"csrf": token})).status_code == 303
        assert (await client.get("/")).status_code == 303
        await login(other, "investigator")
        app.state.triage.users.set_disabled("investigator")
        assert (await other.get("/")).status_code == 303
        assert (await login(other, "investigator")).status_code == 401


def _sample_path(path: str, lead_id: str) -> str:
    return (path.replace("{lead_id}", lead_id).replace("{sha256}", "0" * 64).replace("{username}", "viewer")
            .replace("{referral_id}", "ref-0").replace("{lang}", "en"))  # fmt: skip


async def test_every_route_requires_a_session(app, leads) -> None:
    """Walks the route table: everything but the public routes redirects (GET) or refuses (POST) strangers."""
    async with client_for(app) as client:
        for route in ROUTES:
            if route.path in PUBLIC_ROUTES:
                continue
            path = _sample_path(route.path, leads[0].lead_id)
            for method in route.methods or ():
                if method == "HEAD":
                    continue
                response = await client.request(method, path)
                if method == "GET":
                    assert response.status_code == 303, path
                    assert response.headers["location"].startswith("/login"), path
                else:
                    assert response.status_code == 401, path
            assert getattr(route.endpoint, "guarded_roles", None) is not None, f"{route.path} is not guarded"


ROLE_CASES = [
    # (user, method, path, expected status)
    ("viewer", "GET", "/users", 403),
    ("viewer", "GET", "/audit", 403),
    ("viewer", "GET", "/referrals", 403),
    ("viewer", "POST", "/leads/{lead_id}/status", 403),
    ("viewer", "POST", "/leads/bulk", 403),
    ("investigator", "GET", "/users", 403),
    ("investigator", "GET", "/audit", 403),
    ("investigator", "POST", "/users", 403),
    ("investigator", "POST", "/referrals/ref-0/decide", 403),
    ("supervisor", "GET", "/users", 200),
    ("supervisor", "GET", "/audit", 200),
    ("investigator", "GET", "/referrals", 200),
    ("viewer", "GET", "/dashboard", 200),
]


@pytest.mark.parametrize(("username", "method", "path", "expected"), ROLE_CASES)
async def test_roles(app, leads, username: str, method: str, path: str, expected: int) -> None:
    async with client_for(app) as client:
        await login(client, username)
        token = csrf_of((await client.get("/dashboard")).text)
        path = _sample_path(path, leads[0].lead_id)
        data = {"csrf": token, "status": "confirmed"} if method == "POST" else None
        response = await client.request(method, path, data=data)
        assert response.status_code == expected


async def test_investigator_assigns_only_to_self_supervisor_to_others(app, leads) -> None:
    lead = leads[1]
    async with client_for(app) as client:
        await login(client, "investigator")
        token = csrf_of((await client.get("/")).text)
        refused = await client.post(f"/leads/{lead.lead_id}/assign", data={"csrf": token, "assignee": "supervisor"})
        assert refused.status_code == 403
        ok = await client.post(f"/leads/{lead.lead_id}/assign", data={"csrf": token, "assignee": "investigator"})
        assert ok.status_code == 303
    async with client_for(app) as client:
        await login(client, "supervisor")
        token = csrf_of((await client.get("/")).text)
        ok = await client.post(f"/leads/{lead.lead_id}/assign", data={"csrf": token, "assignee": "supervisor"})
        assert ok.status_code == 303
    assert app.state.triage.store.get(lead.lead_id).assignee == "supervisor"


async def test_language_switch(app) -> None:
    async with client_for(app) as client:
        await login(client, "investigator")
        assert "线索队列" in (await client.get("/")).text
        await client.get("/lang/en?next=/")
        page = (await client.get("/")).text
        assert "Lead queue" in page and re.search(r'<html lang="en">', page)


async def test_open_redirect_is_refused(app) -> None:
    async with client_for(app) as client:
        page = await client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        response = await client.post("/login", data={"username": "investigator", "password": PASSWORD,
                                                      "login_token": token, "next": "//evil.example/"})  # fmt: skip
        assert response.headers["location"] == "/"


def test_make_lead_helper_is_stable() -> None:
    assert make_lead(1).lead_id == make_lead(1).lead_id
