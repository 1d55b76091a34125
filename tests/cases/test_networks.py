"""Actor networks: shared identifiers link shops across platforms; hubs and service numbers do not; names only
support; every edge keeps its evidence; pairwise precision and recall on the synthetic ground truth."""

from __future__ import annotations

from cases_helpers import shop_lead

from cases.network import NetworkSettings, Shop, Sighting, build_network, normalize_shop_name, pairwise_scores
from cases.sources import ShopIndex, shipper_sightings
from cases.synthetic import generate


def _network(leads, **settings):
    index = ShopIndex().add_leads(leads)
    return build_network(index.shops, index.sightings, NetworkSettings(**settings)), index


def test_a_phone_links_shops_across_platforms_with_evidence() -> None:
    leads = [shop_lead("taobao", "a", 1, contact="电话 138 0013 8000"),
             shop_lead("jd", "b", 1, description="联系 +86-138-0013-8000 微信 ring_boss"),
             shop_lead("pinduoduo", "c", 1, description="加V信：ring_boss"),
             shop_lead("xianyu", "d", 1, contact="电话 13912345678")]  # fmt: skip
    network, _ = _network(leads)
    assert len(network.actors) == 1
    actor = network.actors[0]
    assert actor.shops == ("jd:b", "pinduoduo:c", "taobao:a")
    assert set(actor.identifiers) == {"phone:+8613800138000", "wechat:ring_boss"}
    link = next(lk for lk in actor.links if lk.shop == "taobao:a")
    (evidence,) = link.evidence
    assert evidence["lead_id"] == leads[0].lead_id and evidence["field"] == "seller.contact"
    assert evidence["listing_id"] == "a-1" and evidence["url"] == leads[0].url


def test_hubs_and_service_numbers_link_nobody() -> None:
    leads = [shop_lead("taobao", f"s{i}", 1, contact="客服 400-800-1688 快递点 13800138000") for i in range(25)]
    network, _ = _network(leads, hub_shops=20)
    assert network.actors == []
    assert network.hubs == {"phone:+8613800138000": 25}  # the 400 number never links, so it is no hub either
    network, _ = _network(leads, hub_shops=30)
    assert len(network.actors) == 1 and len(network.actors[0].shops) == 25


def test_listings_without_a_seller_do_not_count_toward_the_hub_threshold() -> None:
    anonymous = [shop_lead("xianyu", "x", i, description="电话 13800138000") for i in range(30)]
    for lead in anonymous:
        del lead.listing["seller"]  # a listing page that names no seller
    named = [shop_lead("taobao", f"s{i}", 1, contact="13800138000") for i in range(3)]
    network, index = _network([*anonymous, *named], hub_shops=5)
    assert sum(1 for key in index.shops if ":listing:" in key) == 30  # each its own shop
    assert network.hubs == {} and len(network.actors) == 1 and len(network.actors[0].shops) == 33
    more_named = [shop_lead("taobao", f"t{i}", 1, contact="13800138000") for i in range(3)]
    network, _ = _network([*anonymous, *named, *more_named], hub_shops=5)
    assert network.hubs == {"phone:+8613800138000": 6} and network.actors == []


def test_similar_names_only_support() -> None:
    leads = [shop_lead("taobao", "a", 1, name="耐克潮鞋工厂店", contact="13800138000"),
             shop_lead("jd", "b", 1, name="耐克潮鞋工厂", contact="13800138000"),
             shop_lead("pinduoduo", "c", 1, name="耐克潮鞋工厂店", contact="13912345678")]  # fmt: skip
    network, _ = _network(leads)
    (actor,) = network.actors
    assert actor.shops == ("jd:b", "taobao:a")  # pinduoduo:c has the same name but no shared identifier
    assert [(s.a, s.b, s.kind) for s in actor.support] == [("jd:b", "taobao:a", "similar_name")]
    assert normalize_shop_name("Nike 官方旗舰店 ") == normalize_shop_name("nike官方店")


def test_a_listing_seen_by_several_leads_is_read_once_and_parcel_leads_are_left_out() -> None:
    lead = shop_lead("taobao", "a", 1, contact="13800138000")
    other_entry = shop_lead("taobao", "a", 1, contact="13800138000", entry="tm-other")
    parcel = shop_lead("parcel:sf", "p", 1, contact="13800138000")
    index = ShopIndex().add_leads([lead, other_entry, parcel])
    assert len(index.sightings) == 1 and list(index.shops) == ["taobao:a"]
    assert [ref.lead_id for ref in index.leads["taobao:a"]] == [lead.lead_id, other_entry.lead_id]
    assert index.leads_read == 3


def test_shipper_links_join_shops_by_keyed_id_only() -> None:
    shops = [Shop("taobao:a", "taobao", "a", "A"), Shop("jd:b", "jd", "b", "B"), Shop("jd:listing:9", "jd", "", "")]
    linked = {("taobao", "a"): [{"shipper_id": "sh-0123456789abcdef", "parcels": 12, "linked_at": "2026-11-01",
                                 "sender_name": "张*", "sender_phone": "138****8000"}],
              ("jd", "b"): [{"shipper_id": "sh-0123456789abcdef", "parcels": 3}]}  # fmt: skip
    sightings = shipper_sightings(shops, lambda p, s: linked.get((p, s), []))
    network = build_network({s.key: s for s in shops}, sightings)
    (actor,) = network.actors
    assert actor.identifiers == ("shipper:sh-0123456789abcdef",)
    for link in actor.links:
        (evidence,) = link.evidence
        assert set(evidence) == {"source", "linked_by", "linked_at", "parcels"}  # no masked name or phone


def test_pairwise_scores() -> None:
    truth = {"a": "1", "b": "1", "c": "1", "d": "2", "e": "3"}
    assert pairwise_scores({"a": "x", "b": "x", "c": "x"}, truth)[:2] == (1.0, 1.0)
    precision, recall, found, predicted, true_pairs = pairwise_scores({"a": "x", "b": "x", "d": "x"}, truth)
    assert (found, predicted, true_pairs) == (1, 3, 3) and round(precision, 3) == 0.333 and round(recall, 3) == 0.333
    assert pairwise_scores({}, {"a": "1", "b": "2"})[:2] == (1.0, 1.0)


def test_synthetic_rings_are_found_and_decoys_kept_apart() -> None:
    syn = generate(4000, seed=3)
    index = ShopIndex().add_leads(syn.leads)
    sightings = [*index.sightings, *shipper_sightings(index.shops.values(), syn.shipper_lookup)]
    network = build_network(index.shops, sightings)
    precision, recall, *_ = pairwise_scores(network.actor_of(), syn.truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    assert network.hubs, "the generator's hub numbers are suppressed"
    assert set(index.shops) == set(syn.truth)


def test_sightings_keep_at_most_max_evidence() -> None:
    sightings = [Sighting("t:a", "phone:+8613800138000", {"lead_id": str(i)}) for i in range(9)]
    sightings.append(Sighting("t:b", "phone:+8613800138000", {"lead_id": "b"}))
    shops = {k: Shop(k, "t", k[2:], "") for k in ("t:a", "t:b")}
    (actor,) = build_network(shops, sightings, NetworkSettings(max_evidence=3)).actors
    assert [len(lk.evidence) for lk in actor.links] == [3, 1]
