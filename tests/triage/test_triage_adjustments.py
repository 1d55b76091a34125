"""Dismissals that teach matching (matchers/adjustments.py): authorised seller, accessory, resale and other brand
dismissals in the triage UI record an adjustment for the lead's entry, with an audit entry; the next matching applies
it; `netsword scorer adjustments` lists it and `… undo ID` takes it back, audited too."""

from __future__ import annotations

from pathlib import Path

import pytest
from triage_helpers import client_for, csrf_of, login

from matchers import adjustments
from matchers.configured import build_index
from netsword.cli import main
from netsword.config import Config
from netsword.models import Lead, Listing, make_lead_id

pytestmark = pytest.mark.anyio


def _listing(n: int, title: str, seller: str, price: float = 599.0) -> Listing:
    return Listing.from_dict({"id": f"x{n}", "platform": "taobao", "url": f"https://taobao.example.com/{n}",
                              "title": title, "price": price, "currency": "CNY",
                              "seller": {"id": f"id-{seller}", "name": seller},
                              "crawled_at": "2026-11-30T00:00:00Z"})  # fmt: skip


def _hit_for(cfg: Config, listing: Listing, entry: str = "tm-nike"):  # type: ignore[no-untyped-def]
    return {h.entry_id: h for h in build_index(cfg).match(listing)}.get(entry)


def _lead_of(listing: Listing, hit) -> Lead:  # type: ignore[no-untyped-def]
    return Lead(lead_id=make_lead_id(listing.platform, listing.id, hit.entry_id), listing_id=listing.id,
                platform=listing.platform, url=listing.url, entry_id=hit.entry_id, kind=hit.kind,
                score=int(hit.score), matched=hit.matched, reasons=hit.reasons, listing=listing.to_dict(),
                first_seen="2026-11-30T00:00:00Z", last_seen="2026-11-30T00:00:00Z", owner="Nike Innovate C.V.")  # fmt: skip


async def _dismiss(app, lead: Lead, reason: str, terms: str = "") -> None:  # type: ignore[no-untyped-def]
    app.state.triage.store.upsert_many([lead])
    async with client_for(app) as client:
        await login(client, "investigator")
        token = csrf_of((await client.get(f"/leads/{lead.lead_id}")).text)
        response = await client.post(f"/leads/{lead.lead_id}/status", data={
            "csrf": token, "status": "dismissed", "reason": reason, "terms": terms})  # fmt: skip
        assert response.status_code == 303, response.text


async def test_an_authorised_seller_dismissal_stops_that_sellers_next_listing_being_a_lead(
    app, config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _listing(1, "耐克 Air Max 90 男子运动鞋", "城南运动专营店")
    hit = _hit_for(config, first)
    assert hit is not None and "unauthorized_seller" in {r.code for r in hit.reasons}
    await _dismiss(app, _lead_of(first, hit), "dismiss_authorised_seller")

    st = app.state.triage
    (added,) = [e for e in st.audit.entries(target=make_lead_id("taobao", "x1", "tm-nike"))
                if e.action == "adjustment.add"]  # fmt: skip
    assert added.actor == "investigator" and added.after == {
        "id": 1, "kind": "authorised_seller", "entry_id": "tm-nike", "value": "城南运动专营店"}  # fmt: skip
    assert st.audit.verify().ok

    nxt = _listing(2, "耐克 运动鞋 板鞋 白色", "城南运动专营店")
    assert _hit_for(config, nxt) is None  # the same seller's next listing of that mark is no lead
    other = _listing(3, "耐克 运动鞋 板鞋 白色", "另一家鞋店")
    assert _hit_for(config, other) is not None  # other sellers are not touched
    doubtful = _listing(4, "耐克 运动鞋 高仿 莆田", "城南运动专营店", price=89.0)
    kept = _hit_for(config, doubtful)  # counterfeit signals still count against an authorised seller
    assert kept is not None and any("adjustment 1" in r.detail for r in kept.reasons)

    toml = tmp_path / "netsword.toml"
    toml.write_text(f'[paths]\nvar_dir = "{config.var_dir}"\n[keys]\ndir = "{config.keys.dir}"\n'
                    f'[store]\nurl = "{config.store_url}"\n')  # fmt: skip
    assert main(["--config", str(toml), "scorer", "adjustments"]) == 0
    listed = capsys.readouterr().out
    assert "authorised_seller" in listed and "城南运动专营店" in listed and "investigator" in listed
    assert main(["--config", str(toml), "scorer", "adjustments", "undo", "1", "--user", "supervisor"]) == 0
    assert _hit_for(config, nxt) is not None  # undone: the listing is a lead again
    undo_entry = [e for e in st.audit.entries(target=make_lead_id("taobao", "x1", "tm-nike"))
                  if e.action == "adjustment.undo"]  # fmt: skip
    assert len(undo_entry) == 1 and undo_entry[0].actor == "supervisor" and undo_entry[0].before["id"] == 1
    assert st.audit.verify().ok
    capsys.readouterr()
    assert main(["--config", str(toml), "scorer", "adjustments", "undo", "1"]) == 2
    assert "already undone by supervisor" in capsys.readouterr().err
    assert main(["--config", str(toml), "scorer", "adjustments", "--all"]) == 0
    assert "undone by supervisor" in capsys.readouterr().out
    assert main(["--config", str(toml), "scorer", "report"]) == 0
    report = capsys.readouterr().out
    assert "1 dismissed leads by reason" in report
    assert "dismiss_authorised_seller" in report and "授权卖家 / Authorised seller" in report


async def test_accessory_resale_and_other_brand_dismissals_adjust_their_entry(app, config: Config) -> None:
    accessory = _listing(10, "耐克 运动鞋 改色贴 高仿", "配件店", price=19.0)
    hit = _hit_for(config, accessory)
    assert hit is not None
    await _dismiss(app, _lead_of(accessory, hit), "dismiss_accessory", terms="改色贴")
    later = _hit_for(config, _listing(11, "耐克 运动鞋 改色贴 高仿 大号", "别的店", price=19.0))
    plain = _hit_for(config, _listing(12, "耐克 运动鞋 高仿 大号", "别的店", price=19.0))
    assert plain is not None and (later is None or later.score <= plain.score - adjustments.PENALTY["accessory_term"])
    if later is not None:
        assert any(r.code == "nominative_use" and "改色贴" in r.detail for r in later.reasons)

    resale = _listing(20, "耐克 运动鞋 自用闲置 高仿", "个人", price=200.0)
    hit = _hit_for(config, resale)
    assert hit is not None
    await _dismiss(app, _lead_of(resale, hit), "dismiss_resale")  # no wording given: the lead's cue terms
    recorded = adjustments.load(adjustments.path_in(config.var_dir)).items
    assert {(a.kind, a.value) for a in recorded} >= {("accessory_term", "改色贴"), ("resale_term", "高仿")}

    other = _listing(30, "Nlke 运动鞋 跑步", "鞋店")
    hit = _hit_for(config, other)
    assert hit is not None and hit.matched == "Nlke"
    await _dismiss(app, _lead_of(other, hit), "dismiss_other_brand")  # the form it matched: not this mark
    assert _hit_for(config, _listing(31, "Nlke 运动鞋 大号", "鞋店")) is None
    assert _hit_for(config, _listing(32, "NIKE 运动鞋 大号", "鞋店")) is not None  # the mark itself still counts
    st = app.state.triage
    kinds = [e.after["kind"] for e in st.audit.entries() if e.action == "adjustment.add"]
    assert "accessory_term" in kinds and "resale_term" in kinds
    assert st.audit.verify().ok


async def test_the_dismiss_dialog_offers_the_new_reasons_in_both_languages(app, leads) -> None:
    async with client_for(app) as client:
        await login(client, "investigator")
        page = (await client.get(f"/leads/{leads[0].lead_id}")).text
        for zh in ("授权卖家", "配件/兼容", "转卖/二手", "其他品牌"):
            assert zh in page
        assert 'name="terms"' in page


async def test_a_damaged_adjustments_file_refuses_the_dismissal_before_anything_changes(app, config: Config) -> None:
    listing = _listing(40, "耐克 运动鞋 板鞋", "某店")
    lead = _lead_of(listing, _hit_for(config, listing))
    app.state.triage.store.upsert_many([lead])
    path = adjustments.path_in(config.var_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not json\n")
    async with client_for(app) as client:
        await login(client, "investigator")
        token = csrf_of((await client.get(f"/leads/{lead.lead_id}")).text)
        response = await client.post(f"/leads/{lead.lead_id}/status", data={
            "csrf": token, "status": "dismissed", "reason": "dismiss_authorised_seller"})  # fmt: skip
        assert response.status_code == 400 and "调整记录文件损坏" in response.text
    assert app.state.triage.store.get(lead.lead_id).status == "new"
    assert path.read_text() == "not json\n"
