"""The dashboard: its figures are the store's (`LeadStore.dashboard`), narrowed to a viewer's scope, cached."""

from __future__ import annotations

import pytest
from triage_helpers import DYSON, NIKE, client_for, csrf_of, login

from leads.store import DashboardQuery, LeadQuery, Scope
from triage.aggregates import DashboardCache

pytestmark = pytest.mark.anyio


async def test_decisions_are_charted_and_assignments_are_not(app, leads, utc_today: str) -> None:
    async with client_for(app) as client:
        await login(client, "investigator")
        token = csrf_of((await client.get("/")).text)
        await client.post(f"/leads/{leads[0].lead_id}/status", data={"csrf": token, "status": "confirmed"})
        await client.post(f"/leads/{leads[1].lead_id}/status", data={"csrf": token, "status": "triaged"})
        await client.post(f"/leads/{leads[1].lead_id}/assign", data={"csrf": token, "assignee": "investigator"})
        page = (await client.get("/dashboard")).text
    assert f"<title>{utc_today} confirmed: 1</title>" in page
    assert f"<title>{utc_today} triaged: 1</title>" in page  # triaged → triaged (the assignment) is not counted
    assert "<title>new: 30</title>" in page and "<title>confirmed: 1</title>" in page


async def test_viewer_figures_count_only_their_owners_leads(app, leads) -> None:
    nike = sum(1 for lead in leads if lead.owner == NIKE)
    async with client_for(app) as client:
        await login(client, "viewer")
        viewer_page = (await client.get("/dashboard")).text
    async with client_for(app) as client:
        await login(client, "supervisor")
        supervisor_page = (await client.get("/dashboard")).text
    assert f"<title>new: {nike}</title>" in viewer_page and "pat-bladeless-fan" not in viewer_page
    assert f"<title>new: {len(leads)}</title>" in supervisor_page and "pat-bladeless-fan" in supervisor_page
    assert DYSON not in viewer_page


def test_cache_asks_the_store_once_per_scope_until_cleared(store, monkeypatch: pytest.MonkeyPatch,
                                                          utc_today: str) -> None:  # fmt: skip
    asked: list[DashboardQuery] = []
    real = store.dashboard
    monkeypatch.setattr(store, "dashboard", lambda query: asked.append(query) or real(query))
    cache = DashboardCache(store, days=7)
    viewer = Scope(owners=(NIKE,))
    first = cache.get(viewer)
    assert cache.get(viewer) is first and len(asked) == 1
    cache.get(Scope())
    cache.clear()
    cache.get(viewer)
    assert [q.scope for q in asked] == [viewer, Scope(), viewer]
    assert asked[0].since == first.days[0] and len(first.days) == 7 and first.days[-1] == utc_today
    assert first.by_status == {"new": store.count(LeadQuery.within(viewer))}


async def test_a_viewer_dashboard_shows_no_parcel_figures(app, store) -> None:
    """Issue 15 finding 2: parcel leads (and their masked senders) stay out of a rights holder's dashboard."""
    from dataclasses import replace

    from triage_helpers import make_lead

    parcels = [make_lead(900 + n, platform="parcel:sf", seller="张*（寄件人）", score=95) for n in range(5)]
    patterns = [replace(make_lead(950 + n, platform="parcels", seller="蚂蚁搬家发件人", score=90), kind="parcel_pattern")
                for n in range(4)]  # fmt: skip
    store.upsert_many([*parcels, *patterns])
    async with client_for(app) as client:
        await login(client, "viewer")
        viewer_page = (await client.get("/dashboard")).text
    async with client_for(app) as client:
        await login(client, "supervisor")
        supervisor_page = (await client.get("/dashboard")).text
    for shown in ("张*（寄件人）", "蚂蚁搬家发件人", "parcel:sf"):
        assert shown in supervisor_page and shown not in viewer_page
    nike_listings = sum(1 for lead in store.iter_leads(LeadQuery(owner=(NIKE,), exclude_parcels=True)))
    assert f"<title>new: {nike_listings}</title>" in viewer_page
