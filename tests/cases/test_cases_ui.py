"""The case and actor pages in the triage UI: roles, viewer scope (no other owners' shops, no parcel links), hostile
text escaped, the strict CSP, the network drawn as inline SVG, a case opened from a network and moved along."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cases_helpers import DYSON, NIKE, shop_lead
from triage_helpers import PASSWORD, client_for, config_for, csrf_of, login

from cases.actors import ActorStore
from cases.db import CasesDB, cases_db_path
from cases.network import build_network
from cases.sources import ShopIndex, shipper_sightings
from leads.store.sqlite import SqliteLeadStore

pytestmark = pytest.mark.anyio
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def world(tmp_path: Path):
    from triage import seed_demo_users
    from triage.app import create_app

    config = config_for(tmp_path)
    leads = [shop_lead("taobao", "a", 1, contact="电话 13800138000", name=HOSTILE),
             shop_lead("jd", "b", 1, description="13800138000 微信 ring_boss</td><script>x</script>"),
             shop_lead("pinduoduo", "c", 1, description="加V信：ring_boss", owner=DYSON, entry="pat-fan"),
             shop_lead("xianyu", "d", 1, contact="电话 13912345678")]  # fmt: skip
    store = SqliteLeadStore(config.store_url.removeprefix("sqlite:///"))
    store.upsert_many(leads)
    index = ShopIndex().add_leads(leads)
    linked = {("xianyu", "d"): [{"shipper_id": "sh-00000000000000aa", "parcels": 4}],
              ("taobao", "a"): [{"shipper_id": "sh-00000000000000aa", "parcels": 9}]}  # fmt: skip
    parcel = shipper_sightings(index.shops.values(), lambda p, s: linked.get((p, s), []))
    with CasesDB(cases_db_path(config.var_dir)) as db:
        ActorStore(db).replace_network(build_network(index.shops, [*index.sightings, *parcel]), index.leads)
        (summary,) = ActorStore(db).ranked()
    seed_demo_users(config, password=PASSWORD, owners=(NIKE,))
    app = create_app(config, store=store)
    yield app, leads, summary.actor_id
    app.state.triage.db.close()
    store.close()


async def test_staff_see_the_whole_network_as_svg_with_evidence(world) -> None:
    app, leads, actor_id = world
    async with client_for(app) as client:
        await login(client, "investigator")
        listing = await client.get("/actors")
        assert listing.status_code == 200 and actor_id in listing.text
        page = await client.get(f"/actors/{actor_id}")
        assert page.status_code == 200
        assert '<svg class="network" id="network-graph"' in page.text
        assert page.text.count('class="node node-shop"') == 4
        assert "sh-00000000000000aa" in page.text and "phone:+8613800138000" in page.text
        assert leads[0].lead_id in page.text  # the evidence behind the edge names its lead
        assert HOSTILE not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
        assert "<script>x</script>" not in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp


async def test_a_viewer_sees_only_their_shops_and_no_parcel_links(world) -> None:
    app, leads, actor_id = world
    async with client_for(app) as client:
        await login(client, "viewer")
        page = await client.get(f"/actors/{actor_id}")
        assert page.status_code == 200
        assert page.text.count('class="node node-shop"') == 2  # taobao:a and jd:b share a phone the viewer sees
        assert "sh-00000000000000aa" not in page.text and "pinduoduo" not in page.text
        assert leads[2].lead_id not in page.text and leads[3].lead_id not in page.text
        forbidden = await client.post(f"/actors/{actor_id}/case", data={"csrf": csrf_of(page.text)})
        assert forbidden.status_code == 403
        assert (await client.get("/actors/ac-000000000000")).status_code == 404


async def test_open_a_case_from_a_network_and_move_it(world) -> None:
    app, leads, actor_id = world
    async with client_for(app) as client:
        await login(client, "investigator")
        page = await client.get(f"/actors/{actor_id}")
        opened = await client.post(f"/actors/{actor_id}/case", data={"csrf": csrf_of(page.text), "title": HOSTILE})
        assert opened.status_code == 303
        case_url = opened.headers["location"]
        case_page = await client.get(case_url)
        assert case_page.status_code == 200 and "&lt;img src=x" in case_page.text and HOSTILE not in case_page.text
        assert 'id="move-filed"' not in case_page.text  # filing is a supervisor's decision
        token = csrf_of(case_page.text)
        refused = await client.post(case_url + "/status", data={"csrf": token, "status": "filed"})
        assert refused.status_code == 403
        await client.post(case_url + "/note", data={"csrf": token, "note": "嫌疑人同一手机号 <b>x</b>"})
        await client.post(case_url + "/deadline", data={"csrf": token, "deadline": "2026-12-31"})
        bad = await client.post(case_url + "/deadline", data={"csrf": token, "deadline": "tomorrow"})
        assert bad.status_code == 400
        assert (await client.post(case_url + "/explode", data={"csrf": token})).status_code == 404
        assert (await client.post(case_url + "/note", data={"note": "no token"})).status_code == 403
    async with client_for(app) as client:
        await login(client, "supervisor")
        page = await client.get(case_url)
        assert 'id="move-filed"' in page.text
        moved = await client.post(case_url + "/status", data={"csrf": csrf_of(page.text), "status": "filed"})
        assert moved.status_code == 303
        page = await client.get(case_url)
        assert re.search(r'id="case-status">立案<', page.text) and "&lt;b&gt;x&lt;/b&gt;" in page.text
        assert "case.status" in page.text and "2026-12-31" in page.text
        listing = await client.get("/cases", params={"status": "filed"})
        assert case_url.rsplit("/", 1)[1] in listing.text
        assert app.state.triage.audit.verify().ok
    async with client_for(app) as client:
        await login(client, "viewer")
        # the case holds a Dyson lead and a parcel-linked shop's lead: outside the viewer's scope, so not found
        assert (await client.get(case_url)).status_code == 404
        assert case_url.rsplit("/", 1)[1] not in (await client.get("/cases")).text


async def test_a_viewer_sees_an_in_scope_case_without_working_notes(world) -> None:
    app, leads, _ = world
    async with client_for(app) as client:
        await login(client, "investigator")
        page = await client.get("/cases")
        made = await client.post("/cases", data={"csrf": csrf_of(page.text), "title": "耐克 两店",
                                                 "lead_ids": f"{leads[0].lead_id}\n{leads[1].lead_id}\nld-unknown"})  # fmt: skip
        case_url = made.headers["location"]
        page = await client.get(case_url)
        await client.post(case_url + "/note", data={"csrf": csrf_of(page.text), "note": "内部研判意见"})
    async with client_for(app) as client:
        await login(client, "viewer")
        page = await client.get(case_url)
        assert page.status_code == 200 and "耐克 两店" in page.text
        assert "内部研判意见" not in page.text and "investigator" not in page.text.split("<main>")[1]
        assert 'action="/cases/' not in page.text


async def test_the_case_page_values_the_case_for_staff_only(world) -> None:
    app, leads, _ = world
    big = shop_lead("taobao", "a", 9, price=299.0, sales=200, stock=10)  # ¥59,800 sold: over ¥50,000
    app.state.triage.store.upsert_many([big])
    async with client_for(app) as client:
        await login(client, "investigator")
        page = await client.get("/cases")
        made = await client.post("/cases", data={"csrf": csrf_of(page.text), "title": "valued",
                                                 "lead_ids": f"{big.lead_id}\n{leads[0].lead_id}"})  # fmt: skip
        case_url = made.headers["location"]
        page = await client.get(case_url)
        assert 'id="referral-candidate"' in page.text and "¥62,790.00" in page.text  # (200 + 10) × 299
        assert "已售 200 件 × 标价 ¥299.00 = ¥59,800.00" in page.text and "刷单" in page.text
        # Today the 2025 interpretation applies: its source, that it was checked (when, by whom), the copies read
        # and the article behind each figure are on the page.
        assert "法释〔2025〕5号" in page.text and 'id="thresholds-checked"' in page.text
        assert "数额标准已对照官方文本的第三方副本核对 2026-11-30" in page.text and "数额标准未经" not in page.text
        assert "github.com/Theonefkguy/Chinese-Laws" in page.text and "第五条第一款" in page.text
        older = await client.get(case_url, params={"as_of": "2020-01-01"})
        assert "法发〔2011〕3号" in older.text and 'id="thresholds-checked"' in older.text
        amended = await client.get(case_url, params={"as_of": "2024-01-01"})  # Amendment XI, no figures of its own
        assert 'id="thresholds-unchecked"' in amended.text and "no official text gave figures" in amended.text
        assert (await client.get(case_url, params={"as_of": "1999-01-01"})).status_code == 400
    async with client_for(app) as client:
        await login(client, "viewer")
        page = await client.get(case_url)
        assert page.status_code == 200 and 'id="case-valuation"' not in page.text


async def test_the_referral_package_downloads_for_staff_and_is_audited(world) -> None:
    import io
    import zipfile

    app, leads, _ = world
    async with client_for(app) as client:
        await login(client, "investigator")
        page = await client.get("/cases")
        made = await client.post("/cases", data={"csrf": csrf_of(page.text), "title": "pkg",
                                                 "lead_ids": leads[0].lead_id})  # fmt: skip
        case_url = made.headers["location"]
        package = await client.get(case_url + "/package")
        assert package.status_code == 200 and package.headers["content-type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(package.content)) as zf:
            assert any(n.endswith("/transfer_letter.html") for n in zf.namelist())
        case_id = case_url.rsplit("/", 1)[1]
        (entry,) = [e for e in app.state.triage.audit.entries(target="case:" + case_id) if e.action == "case.package"]
        assert len(entry.after["sha256"]) == 64
    async with client_for(app) as client:
        await login(client, "viewer")
        assert (await client.get(case_url + "/package")).status_code == 403
