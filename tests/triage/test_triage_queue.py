"""The queue's filters, search, paging and bulk actions; viewer scoping; the lead page's content."""

from __future__ import annotations

import re

import pytest
from triage_helpers import DYSON, NIKE, client_for, csrf_of, login

pytestmark = pytest.mark.anyio


def lead_ids(html: str) -> list[str]:
    return re.findall(r'data-lead-id="(ld-[0-9a-f]+)" data-index', html)


async def test_queue_is_sorted_by_score_and_filters_combine(app, leads) -> None:
    by_id = {lead.lead_id: lead for lead in leads}
    async with client_for(app) as client:
        await login(client, "investigator")
        shown = lead_ids((await client.get("/")).text)
        scores = [by_id[i].score for i in shown]
        assert scores == sorted(scores, reverse=True) and len(shown) == 32
        shown = lead_ids((await client.get("/", params={"platform": "taobao", "min_score": 70, "max_score": 75})).text)
        assert shown and all(by_id[i].platform == "taobao" and 70 <= by_id[i].score <= 75 for i in shown)
        shown = lead_ids((await client.get("/", params={"entry": "pat-bladeless-fan"})).text)
        assert [by_id[i].owner for i in shown] == [DYSON]
        shown = lead_ids((await client.get("/", params={"q": "无叶风扇"})).text)
        assert [by_id[i].entry_id for i in shown] == ["pat-bladeless-fan"]
        assert lead_ids((await client.get("/", params={"since": "2026-11-21"})).text) == []
        assert len(lead_ids((await client.get("/", params={"until": "2026-11-20"})).text)) == 32


async def test_hostile_filter_values_are_data_not_sql(app) -> None:
    async with client_for(app) as client:
        await login(client, "investigator")
        for value in ("' OR 1=1 --", '" OR ""="', "x') UNION SELECT * FROM users --"):
            page = await client.get("/", params={"q": value, "platform": value, "owner": value})
            assert page.status_code == 200 and lead_ids(page.text) == []
        bad = await client.get("/", params={"min_score": "1; DROP TABLE leads", "since": "yesterday"})
        assert bad.status_code == 200 and "min_score" in bad.text and len(lead_ids(bad.text)) == 32


async def test_paging_is_bounded(app, config) -> None:
    app.state.triage.config = type(config)(**{**config.__dict__, "triage": type(config.triage)(page_size=10)})
    async with client_for(app) as client:
        await login(client, "investigator")
        first = await client.get("/")
        assert len(lead_ids(first.text)) == 10 and 'id="next-page"' in first.text
        last = await client.get("/", params={"page": 4})
        assert len(lead_ids(last.text)) == 2 and 'id="next-page"' not in last.text
        deep = await client.get("/", params={"page": 10**9})
        assert deep.status_code == 200 and lead_ids(deep.text) == []


async def test_viewer_sees_only_own_owner_and_gets_404_for_others(app, leads) -> None:
    dyson = next(lead for lead in leads if lead.owner == DYSON)
    nike = next(lead for lead in leads if lead.owner == NIKE)
    async with client_for(app) as client:
        await login(client, "viewer")
        shown = lead_ids((await client.get("/")).text)
        assert dyson.lead_id not in shown and nike.lead_id in shown
        assert lead_ids((await client.get("/", params={"owner": DYSON})).text) == []
        assert lead_ids((await client.get("/", params={"entry": "pat-bladeless-fan"})).text) == []
        assert (await client.get(f"/leads/{dyson.lead_id}")).status_code == 404
        assert (await client.get("/leads/ld-00000000000000000000")).status_code == 404
        assert (await client.get(f"/leads/{dyson.lead_id}/evidence/{'0' * 64}")).status_code == 404
        page = await client.get(f"/leads/{nike.lead_id}")
        assert page.status_code == 200 and 'id="btn-confirm"' not in page.text
        assert DYSON not in (await client.get("/dashboard")).text


async def test_bulk_actions_and_dismissal_reason_are_audited(app, leads) -> None:
    st = app.state.triage
    picked = [leads[0].lead_id, leads[1].lead_id]
    async with client_for(app) as client:
        await login(client, "investigator")
        token = csrf_of((await client.get("/")).text)
        response = await client.post("/leads/bulk", data={"csrf": token, "action": "dismissed",
                                                          "reason": "dismiss_duplicate", "lead_id": picked})  # fmt: skip
        assert response.status_code == 303
        no_reason = await client.post(f"/leads/{leads[2].lead_id}/status", data={"csrf": token, "status": "dismissed"})
        assert no_reason.status_code == 400
        await client.post("/leads/bulk", data={"csrf": token, "action": "assign_me", "lead_id": picked})
    for lead_id in picked:
        lead = st.store.get(lead_id)
        assert lead.status == "dismissed" and lead.assignee == "investigator"
        actions = st.audit.entries(target=lead_id)
        status_change = next(e for e in actions if e.action == "lead.status")
        assert status_change.actor == "investigator"
        assert status_change.before["status"] == "new" and status_change.after == {
            "status": "dismissed", "assignee": "", "reason": "dismiss_duplicate"}  # fmt: skip
    assert st.audit.verify().ok


async def test_lead_page_shows_reasons_histories_and_same_seller(app, leads) -> None:
    lead = leads[2]  # seller 潮鞋工厂店, shared with every third lead
    async with client_for(app) as client:
        await login(client, "investigator")
        token = csrf_of((await client.get("/")).text)
        await client.post(f"/leads/{lead.lead_id}/status", data={"csrf": token, "status": "triaged"})
        page = (await client.get(f"/leads/{lead.lead_id}")).text
    assert "含“高仿”等仿冒用语" in page
    assert "<mark>耐克</mark>" in page
    assert "新线索 → 已研判" in page  # status history
    assert str(lead.price) in page  # price history
    assert "同一卖家的其他线索" in page and leads[5].lead_id in page


async def test_next_links_page_by_key_past_the_offset_limit(app, config) -> None:
    """Each "next" link carries the last lead shown (search_after on Elasticsearch): following them walks every lead
    once, in order, however deep — no offset, so no 10,000-result window."""
    import re

    app.state.triage.config = type(config)(**{**config.__dict__, "triage": type(config.triage)(page_size=5)})
    async with client_for(app) as client:
        await login(client, "investigator")
        seen: list[str] = []
        url = "/"
        while True:
            page = await client.get(url)
            assert page.status_code == 200
            seen.extend(lead_ids(page.text))
            link = re.search(r'href="(/\?[^"]*)" id="next-page"', page.text)
            if link is None:
                break
            url = link.group(1).replace("&amp;", "&")
            assert "after=" in url
        everything = lead_ids((await client.get("/", params={"page": 1})).text)
        assert len(seen) == len(set(seen)) == 32 and seen[:5] == everything[:5]
        deep = await client.get("/", params={"page": 500, "after": "0,ld-00000000000000000000"})
        assert deep.status_code == 200 and lead_ids(deep.text) == [] and 'id="first-page"' in deep.text
