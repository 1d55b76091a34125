"""Stored networks: a build from the lead store replaces the last one, keeps evidence with the capture that showed
it, and shows a reader only what their scope allows (no parcel links for viewers, no other owners' shops)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cases_helpers import DYSON, NIKE, shop_lead

from cases.actors import ActorStore
from cases.build import network_of, rebuild_networks
from cases.db import CasesDB, cases_db_path
from cases.network import NetworkSettings
from cases.sources import LeadRef
from evidence.store import EvidenceStore
from leads.store.sqlite import SqliteLeadStore
from netsword.config import Config, KeysConfig, PathsConfig, StoreConfig


def _config(tmp: Path) -> Config:
    var = tmp / "var"
    return Config(paths=PathsConfig(var_dir=str(var)), store=StoreConfig(url=f"sqlite:///{var / 'netsword.db'}"),
                  keys=KeysConfig(dir=str(tmp / "keys")))  # fmt: skip


def _leads():
    return [shop_lead("taobao", "a", 1, contact="电话 13800138000"),
            shop_lead("jd", "b", 1, description="13800138000 微信 ring_boss"),
            shop_lead("jd", "b", 2, description="微信 ring_boss", owner=DYSON, entry="pat-fan"),
            shop_lead("pinduoduo", "c", 1, description="加V信：ring_boss", owner=DYSON, entry="pat-fan"),
            shop_lead("xianyu", "d", 1, contact="电话 13912345678")]  # fmt: skip


def test_rebuild_from_the_store_with_captures(tmp_path: Path) -> None:
    config = _config(tmp_path)
    leads = _leads()
    with SqliteLeadStore(config.store_url.removeprefix("sqlite:///")) as store:
        store.upsert_many(leads)
        evidence = EvidenceStore(config.evidence_dir)
        page = evidence.put_bytes(b"<html>13800138000</html>", role="page", media_type="text/html")
        capture = evidence.record(platform="taobao", listing_id="a-1", url=leads[0].url, profile="html", files=[page])
        report = rebuild_networks(config, store)
        assert (report.leads, report.shops, report.actors, report.linked_shops, report.parcel_links) == (5, 4, 1, 3, 0)
        again = rebuild_networks(config, store)
        assert again.actors == 1  # replaced, not added
    path = cases_db_path(config.var_dir)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with CasesDB(path) as db:
        actors = ActorStore(db)
        (summary,) = actors.ranked()
        assert summary.shops == 3 and summary.leads == 4 and summary.platforms == ("jd", "pinduoduo", "taobao")
        actor = actors.get(summary.actor_id)
        assert actor is not None and actors.get("ac-missing") is None
        link = next(lk for lk in actor.links if lk.shop == "taobao:a")
        (shown,) = link.evidence
        assert shown["capture_id"] == capture.capture_id and shown["page_sha256"] == page.sha256
        assert actors.actors_of_leads([leads[0].lead_id, leads[4].lead_id]) == {leads[0].lead_id: summary.actor_id}
        assert actors.last_build()["actors"] == 1


def test_a_viewer_sees_only_their_shops_and_links_no_parcels(tmp_path: Path) -> None:
    leads = _leads()
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        store.upsert_many(leads)
        shippers = {("xianyu", "d"): [{"shipper_id": "sh-00000000000000aa", "parcels": 4}],
                    ("taobao", "a"): [{"shipper_id": "sh-00000000000000aa", "parcels": 9}]}  # fmt: skip
        network, index, parcel = network_of(store, NetworkSettings(), lambda p, s: shippers.get((p, s), []))
    assert parcel == 2
    with CasesDB(tmp_path / "cases.db") as db:
        actors = ActorStore(db)
        actors.replace_network(network, index.leads)
        (summary,) = actors.ranked()
        actor = actors.get(summary.actor_id)
    assert summary.shops == 4 and summary.via_parcels
    nike = actor.seen_by(lambda ref: ref.owner == NIKE, parcels=False)
    assert nike is not None
    assert [s.key for s in nike.shops] == ["jd:b", "taobao:a"]  # xianyu:d is linked only through parcels
    assert {lk.ident for lk in nike.links} == {"phone:+8613800138000"}
    assert all(e["lead_id"] in {leads[0].lead_id, leads[1].lead_id} for lk in nike.links for e in lk.evidence)
    assert nike.hidden == 2 and not nike.summary.via_parcels
    staff = actor.seen_by(lambda ref: True, parcels=True)
    assert staff is not None and len(staff.shops) == 4 and staff.summary.via_parcels
    assert actor.seen_by(lambda ref: ref.owner == "Nobody", parcels=False) is None
    only_dyson = actor.seen_by(lambda ref: ref.owner == DYSON, parcels=False)
    assert only_dyson is not None and [s.key for s in only_dyson.shops] == ["jd:b", "pinduoduo:c"]
    assert isinstance(next(iter(only_dyson.leads["jd:b"])), LeadRef)
