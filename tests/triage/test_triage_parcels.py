"""Parcel data in the UI: rights-holder viewers never see parcel leads; investigators see linked shippers masked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from triage_helpers import client_for, login, make_lead

from leads.store.sqlite import SqliteLeadStore
from netsword.cli import main as netsword

pytestmark = pytest.mark.anyio

PHONE = "13812345678"


@pytest.fixture
def parcel_leads(store: SqliteLeadStore) -> list:
    pattern = make_lead(500, platform="parcels", score=90, title="蚂蚁搬家：耐克鞋 42 件 分寄 17 个收件人")
    pattern = pattern.with_changes(kind="parcel_pattern")
    declared = make_lead(501, platform="parcel:sf", score=75, title="耐克鞋 1双")
    store.upsert_many([pattern, declared])
    return [pattern, declared]


async def test_viewer_never_sees_parcel_leads(app, parcel_leads) -> None:
    async with client_for(app) as client:
        await login(client, "viewer")
        queue = await client.get("/", params={"q": "耐克鞋"})
        assert queue.status_code == 200
        assert "蚂蚁搬家" not in queue.text and "1双" not in queue.text
        for lead in parcel_leads:
            assert (await client.get(f"/leads/{lead.lead_id}")).status_code == 404
    async with client_for(app) as client:
        await login(client, "investigator")
        assert "蚂蚁搬家" in (await client.get("/", params={"q": "蚂蚁搬家"})).text
        assert (await client.get(f"/leads/{parcel_leads[0].lead_id}")).status_code == 200


async def test_investigator_sees_linked_shippers_masked(app, config, leads, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", config.paths.var_dir)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "waybill,shipped_at,declared_contents,declared_value,sender_name,sender_phone,sender_address,"
        "receiver_name,receiver_phone,receiver_address,origin,destination\n"
        "SF100001,2026-11-20T10:00:00Z,运动鞋,80,张伟,+86 138-1234-5678,广东省莆田市荔城区某路1号,"
        "李娜,13900001111,浙江省杭州市西湖区某路2号,莆田,杭州\n",
        encoding="utf-8",
    )
    assert netsword(["parcels", "import", str(manifest), "--courier", "generic", "--no-match"]) == 0
    seller_lead = next(lead for lead in leads if lead.seller_name == "潮鞋工厂店")
    listing = {**seller_lead.listing, "seller": {**seller_lead.listing["seller"], "contact": PHONE}}
    listings = tmp_path / "listings.jsonl"
    listings.write_text(json.dumps(listing, ensure_ascii=False) + "\n", encoding="utf-8")
    assert netsword(["parcels", "link-sellers", "--listings", str(listings)]) == 0
    async with client_for(app) as client:
        await login(client, "investigator")
        page = (await client.get(f"/leads/{seller_lead.lead_id}")).text
        assert "关联寄件人" in page
        assert PHONE not in page and "5678" in page  # masked, never in the clear
    async with client_for(app) as client:
        await login(client, "viewer")
        page = (await client.get(f"/leads/{seller_lead.lead_id}")).text
        assert "关联寄件人" not in page
