"""Issue 15 through HTTP: redirects with control characters, password strength, four-eyes approval of referrals,
what a rights-holder viewer may read on a lead page, and the /audit page's chain check."""

from __future__ import annotations

import io
import re

import pytest
from triage_helpers import PASSWORD, client_for, config_for, csrf_of, login

import triage.audit
from leads.store import LeadQuery
from netsword.cli import main
from triage.app import create_app
from triage.web import safe_next

pytestmark = pytest.mark.anyio
ESCAPES = ["/\t/evil.example/", "/\r/evil.example/", "/\n/evil.example/", "/\\/evil.example/", "\t//evil.example/",
           "https://evil.example/", "/%09/ok"]  # fmt: skip


@pytest.mark.parametrize("target", ESCAPES)
def test_safe_next_refuses_what_a_browser_would_read_as_another_site(target: str) -> None:
    expected = target if target == "/%09/ok" else "/"  # percent-escapes stay a path on this site
    assert safe_next(target) == expected


async def test_lead_page_back_link_and_redirect_never_leave_the_site(app, leads) -> None:
    """Before: `next=/<TAB>/evil.example` passed, and browsers drop the tab: `//evil.example`."""
    lead = leads[0]
    async with client_for(app) as client:
        await login(client, "investigator")
        page = await client.get(f"/leads/{lead.lead_id}", params={"next": "/\t/evil.example/"})
        back = re.search(r'<p><a href="([^"]*)">←', page.text)
        assert back and back.group(1) == "/"  # the back link; the page's own URL appears only escaped
        token = csrf_of(page.text)
        for target in ("/\t/evil.example/", "/\r\n/evil.example/"):
            moved = await client.post(f"/leads/{lead.lead_id}/status",
                                      data={"csrf": token, "status": "triaged", "next": target})  # fmt: skip
            assert moved.status_code == 303 and moved.headers["location"] == f"/leads/{lead.lead_id}"
    async with client_for(app) as client:
        page = await client.get("/login")
        login_token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        response = await client.post("/login", data={"username": "investigator", "password": PASSWORD,
                                                      "login_token": login_token, "next": "/\t/evil.example/"})  # fmt: skip
        assert response.headers["location"] == "/"


WEAK = ["Password123!", "investigator1", "qwertyuiop12", "iloveyou2024", "netsword2026!"]


@pytest.mark.parametrize("weak", WEAK)
async def test_weak_passwords_are_refused_in_the_ui(app, weak: str) -> None:
    """Before: any 10 characters were enough."""
    async with client_for(app) as client:
        await login(client, "supervisor")
        token = csrf_of((await client.get("/users")).text)
        response = await client.post("/users", data={"csrf": token, "username": "wang", "password": weak,
                                                     "role": "investigator"})  # fmt: skip
        assert response.status_code == 400 and "too easy to guess" in response.text
    assert app.state.triage.users.get("wang") is None


def test_weak_passwords_are_refused_on_the_command_line(config, monkeypatch, capsys) -> None:
    monkeypatch.delenv("NETSWORD_CONFIG", raising=False)
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(config.var_dir))
    monkeypatch.setenv("NETSWORD_KEYS_DIR", config.keys.dir)
    monkeypatch.setattr("sys.stdin", io.StringIO("Password123!\n"))
    assert main(["users", "add", "wang", "--role", "investigator", "--password-stdin"]) == 2
    assert "too easy to guess" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("kettle cobalt meadow 42\n"))
    assert main(["users", "add", "wang", "--role", "investigator", "--password-stdin"]) == 0


async def _create_referral(app, username: str) -> str:
    st = app.state.triage
    lead = st.store.search(LeadQuery(limit=1))[0]
    st.store.set_status(lead.lead_id, "confirmed")
    async with client_for(app) as client:
        await login(client, username)
        token = csrf_of((await client.get("/referrals")).text)
        assert (await client.post("/referrals", data={"csrf": token, "title": "case", "lead_ids": lead.lead_id})
                ).status_code == 303  # fmt: skip
    return st.referrals.list()[0].referral_id


async def _decide(app, username: str, referral_id: str, password: str = PASSWORD) -> int:
    async with client_for(app) as client:
        await login(client, username, password)
        token = csrf_of((await client.get("/referrals")).text)
        response = await client.post(f"/referrals/{referral_id}/decide", data={"csrf": token, "decision": "approve"})
        return response.status_code


async def test_a_supervisor_cannot_approve_their_own_referral(app) -> None:
    """Before: one supervisor could create and approve the same referral."""
    st = app.state.triage
    st.users.add("li", "kettle cobalt meadow 42", "supervisor")
    referral_id = await _create_referral(app, "supervisor")
    async with client_for(app) as client:
        await login(client, "supervisor")
        page = (await client.get("/referrals")).text
        assert 'class="approve"' not in page
    assert await _decide(app, "supervisor", referral_id) == 403
    assert st.referrals.get(referral_id).status == "pending"
    assert st.audit.entries(target=referral_id)[0].action == "referral.approve.refused"
    assert await _decide(app, "li", referral_id, "kettle cobalt meadow 42") == 303
    referral = st.referrals.get(referral_id)
    assert referral.status == "approved" and referral.decided_by == "li"


async def test_four_eyes_can_be_switched_off(tmp_path, store) -> None:
    from triage import seed_demo_users

    config = config_for(tmp_path, four_eyes=False)
    seed_demo_users(config, password=PASSWORD)
    app = create_app(config, store=store)
    referral_id = await _create_referral(app, "supervisor")
    assert await _decide(app, "supervisor", referral_id) == 303
    app.state.triage.db.close()


async def test_a_viewer_does_not_see_the_investigators_notes(app, leads) -> None:
    """Before: the lead page showed rights holders the team's notes, names and reasons from the audit trail."""
    lead = leads[0]  # Nike: within the demo viewer's scope
    note = "informant says the shop belongs to the regional distributor"
    async with client_for(app) as client:
        await login(client, "investigator")
        token = csrf_of((await client.get("/")).text)
        await client.post(f"/leads/{lead.lead_id}/status", data={"csrf": token, "status": "triaged", "note": note})
        assert note in (await client.get(f"/leads/{lead.lead_id}")).text
    async with client_for(app) as client:
        await login(client, "viewer")
        page = await client.get(f"/leads/{lead.lead_id}")
    assert page.status_code == 200 and lead.lead_id in page.text
    assert note not in page.text and "lead.status" not in page.text


async def test_audit_page_checks_only_new_entries_between_full_checks(app, monkeypatch) -> None:
    """Before: every view of /audit recomputed every hash of the chain."""
    st = app.state.triage
    for n in range(40):
        st.audit.append("investigator", "lead.status", f"ld-{n}", {"status": "new"}, {"status": "triaged"})
    calls = []
    real = triage.audit.keyed_hash
    monkeypatch.setattr(triage.audit, "keyed_hash", lambda *a: calls.append(1) or real(*a))
    async with client_for(app) as client:
        await login(client, "supervisor")
        before = len(calls)
        assert (await client.get("/audit")).status_code == 200  # the first view checks the whole chain
        assert len(calls) - before >= 40
        for n in range(3):
            st.audit.append("investigator", "lead.status", f"ld-new-{n}", {"status": "new"}, {"status": "triaged"})
            before = len(calls)
            page = await client.get("/audit")
            assert page.status_code == 200 and "chain-state" in page.text and "ok" in page.text
            assert len(calls) - before <= 2  # the new entry, not the 40 before it
