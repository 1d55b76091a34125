"""Linking several phones, names and addresses of one party (with hubs suppressed), leads that grow with a ring that
keeps sending, and authorised shippers left out of pattern detection — on parcels written for each case."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from leads.sink import LeadSink
from leads.store import LeadQuery, open_store
from matchers import compile_index
from matchers.configured import build_index
from netsword.config import load_config
from parcels.authorised import load_register
from parcels.db import ParcelDB
from parcels.importer import import_manifest
from parcels.mapping import find_mapping
from parcels.normalize import name_pinyin, normalize_address, normalize_name, normalize_phone
from parcels.patterns import PatternSettings, detect_patterns
from parcels.pii import PiiVault
from parcels.shippers import Hubs, Sender, compare, explain, find_hubs, resolve_shippers
from parcels.synthetic import COLUMNS, Generator, Person

START = datetime(2024, 3, 1, 9, 0, 0)


def sender(vault: PiiVault, name: str, phone: str, address: str, receivers: tuple[str, ...] = ()) -> Sender:
    return Sender(key=name + phone + address, phone_key=vault.keyed("phone", normalize_phone(phone)),
                  name=normalize_name(name), pinyin=name_pinyin(name), address=normalize_address(address),
                  receivers=frozenset(receivers))  # fmt: skip


def test_two_phones_of_one_party_link_through_name_and_address(vault: PiiVault) -> None:
    a = sender(vault, "陈静", "13800138000", "浙江省义乌市稠城街道工业路18号3栋502室")
    b = sender(vault, "陈靖女士", "13912345678", "义乌稠城街道工业路18号3栋502")
    score, evidence = compare(a, b)
    assert score < 85  # the weighted similarity alone would not link them
    assert evidence["via"] == ["name+address"]
    assert explain(evidence).endswith("linked by name + address")
    assert "phone differs" in explain(evidence)


def test_namesakes_in_one_building_are_not_one_party(vault: PiiVault) -> None:
    a = sender(vault, "王伟", "13800138000", "广东省深圳市南山区科技路10号2栋301室")
    b = sender(vault, "王伟", "13912345678", "广东省深圳市南山区科技路10号2栋302室")
    assert "via" not in compare(a, b)[1]


def test_receiver_overlap_links_two_identities_of_one_ring(vault: PiiVault) -> None:
    customers = tuple(f"r{n}" for n in range(10))
    a = sender(vault, "刘强", "13800138000", "福建省莆田市荔城区人民路1号", customers[:8])
    b = sender(vault, "周敏", "13912345678", "福建省莆田市城厢区建设路9号", customers[3:])
    hubs = Hubs(all_receivers=5000)
    score, evidence = compare(a, b, hubs, min_shared_receivers=3)
    assert evidence["via"] == ["receivers"] and evidence["receivers"] == 5
    assert "5 receivers in common" in explain(evidence)
    # two big shops share a few customers by chance: that says nothing
    shop_a = sender(vault, "刘强", "13800138000", "x", tuple(f"r{n}" for n in range(300)))
    shop_b = sender(vault, "周敏", "13912345678", "y", tuple(f"r{n}" for n in range(290, 600)))
    assert "via" not in compare(shop_a, shop_b, Hubs(all_receivers=1500), min_shared_receivers=3)[1]


def test_hubs_link_nobody(vault: PiiVault) -> None:
    outlet = "13800138000"  # a courier outlet writes its own phone for every customer
    senders = [sender(vault, name, outlet, f"湖北省武汉市洪山区珞喻路{n}号") for n, name in
               enumerate(["张伟", "李娜", "王芳", "刘洋", "陈杰", "杨磊", "赵敏", "黄涛"])]  # fmt: skip
    hubs = find_hubs(senders, hub_size=8)
    assert hubs.phones == {senders[0].phone_key}
    score, evidence = compare(senders[0], senders[1], hubs)
    assert evidence["phone"] == "hub" and "via" not in evidence and score < 85
    assert explain(evidence).startswith("phone is a hub (written with many names), not counted")
    locker_a = sender(vault, "孙丽", "13912345678", "四川省成都市武侯区丰巢快递柜人民南路店")
    locker_b = sender(vault, "孙莉", "13712345678", "四川省成都市武侯区丰巢快递柜人民南路店")
    hubs = find_hubs([locker_a, locker_b], hub_size=8)
    assert locker_a.address in hubs.addresses  # a locker by its name, whoever uses it
    assert "via" not in compare(locker_a, locker_b, hubs)[1]


def write(rows: list[dict[str, object]], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def ring_rows(gen: Generator, party: list[Person], days: int, per_day: int, contents: str,
              value: float = 120.0) -> list[dict[str, object]]:  # fmt: skip
    """A party sending `per_day` parcels a day for `days` days, turn by turn under each of its written forms."""
    rows = []
    for day in range(days):
        for n in range(per_day):
            form = party[(day * per_day + n) % len(party)]
            when = (START + timedelta(days=day, hours=n)).strftime("%Y-%m-%d %H:%M:%S")
            rows.append(gen.row(form, gen.person(), contents, value, when))
    return rows


@pytest.fixture()
def env(tmp_path: Path, vault: PiiVault):  # type: ignore[no-untyped-def]
    db = ParcelDB(tmp_path / "p.db")
    store = open_store(str(tmp_path / "leads.db"))
    yield tmp_path, db, store
    store.close()
    db.close()


def test_a_ring_that_keeps_sending_is_one_lead_that_grows(env, vault: PiiVault, index) -> None:  # type: ignore[no-untyped-def]
    tmp, db, store = env
    gen = Generator(3, START, 60)
    base = gen.person()
    two_phones = [base, Person(base.name, gen.phone(), base.address)]  # the same party with a second phone
    rows = ring_rows(gen, two_phones, days=28, per_day=2, contents="耐克鞋")  # 2 a day for four weeks
    first, later = rows[:28], rows[28:]
    write(first, tmp / "week1-2.csv")
    write(later, tmp / "week3-4.csv")
    sink = LeadSink(store)
    import_manifest(tmp / "week1-2.csv", find_mapping("generic"), db, vault, index=index)
    resolve_shippers(db, vault)
    early = detect_patterns(db, PatternSettings(), watchlist=index.watchlist, sink=sink)
    assert [p.kind for p in early.patterns] == ["fanout"] and len(early.patterns[0].shipments) == 28
    import_manifest(tmp / "week3-4.csv", find_mapping("generic"), db, vault, index=index)
    report = resolve_shippers(db, vault)
    assert report.by_via.get("name+address")
    grown = detect_patterns(db, PatternSettings(), watchlist=index.watchlist, sink=sink)
    assert grown.stored.as_dict()["updated"] == 1 and grown.stored.as_dict()["created"] == 0  # the same lead
    (lead,) = store.search(LeadQuery(kind=("parcel_pattern",)))
    assert lead.lead_id == early.leads[0].lead_id
    snap = lead.listing
    assert snap["parcel_count"] == 56 and len(snap["waybills"]) == 56  # all of them, not the densest week
    assert snap["span_days"] == pytest.approx(27, abs=0.1) and snap["per_week"] == pytest.approx(14.5, abs=0.1)
    assert snap["peak"]["parcels"] >= 12 and snap["sender_forms"] == 2
    assert "over 27 days" in lead.reasons[0].detail and "linked by name + address" in str(snap["links"])


def test_authorised_shippers_are_left_out_of_patterns(env, vault: PiiVault) -> None:  # type: ignore[no-untyped-def]
    tmp, db, store = env
    gen = Generator(5, START, 30)
    official = Person("耐克体育(中国)有限公司", "021-68881234", "上海市闵行区申长路888号")
    second_line = Person("耐克体育(中国)有限公司", gen.phone(), "上海市闵行区申长路888号")  # not in the register
    store_rows = ring_rows(gen, [official, second_line], days=14, per_day=4, contents="NIKE运动鞋", value=199)
    ring = ring_rows(gen, [gen.person()], days=10, per_day=2, contents="耐克鞋")
    write(store_rows + ring, tmp / "m.csv")
    (tmp / "shippers.yaml").write_text(
        "version: 1\nshippers:\n  - id: nike-sh\n    label: Nike 上海仓\n    owners: [Nike Innovate C.V.]\n"
        "    phones: ['021-6888 1234']\n",
        encoding="utf-8",
    )
    register = load_register(tmp / "shippers.yaml", vault)
    base = build_index(load_config(None, env={}))
    index = compile_index(register.authorise(base.watchlist), base.settings)
    sink = LeadSink(store)
    report = import_manifest(tmp / "m.csv", find_mapping("generic"), db, vault, index=index, sink=sink,
                             register=register)  # fmt: skip
    assert report.imported == 76
    resolved = resolve_shippers(db, vault, register=register)
    assert resolved.authorised == 2  # the registered phone, and the second line linked to it by name and address
    detected = detect_patterns(db, PatternSettings(), watchlist=index.watchlist, sink=sink, register=register)
    assert [(p.kind, len(p.shipments)) for p in detected.patterns] == [("fanout", 20)]  # only the ring
    assert detected.authorised_parcels == 56
    without = detect_patterns(db, PatternSettings(), watchlist=index.watchlist)
    assert len(without.patterns) == 2  # what the register prevents: the brand's own store as ant moving
    # declared at 199 against a lowest genuine price of 499: a price signal, so these are leads, as an authorised
    # seller's listing at that price would be, and they say the shipper is authorised
    official_leads = [lead for lead in store.search(LeadQuery(kind=("trademark",), limit=1000))
                      if lead.listing["seller"]["name"] == "Nike 上海仓"]  # fmt: skip
    assert official_leads and all("authorized_seller" in {r.code for r in lead.reasons} for lead in official_leads)
    write(ring_rows(gen, [official], days=1, per_day=1, contents="NIKE运动鞋", value=699), tmp / "honest.csv")
    honest = import_manifest(tmp / "honest.csv", find_mapping("generic"), db, vault, index=index, sink=sink,
                             register=register)  # fmt: skip
    assert honest.imported == 1 and honest.matched_parcels == 0  # at a genuine price: no hit
    write(ring_rows(gen, [second_line], days=1, per_day=1, contents="NIKE运动鞋", value=699), tmp / "next.csv")
    again = import_manifest(tmp / "next.csv", find_mapping("generic"), db, vault, index=index, sink=sink,
                            register=register)  # fmt: skip
    # the unregistered line is known as authorised through resolution (linked by name and address)
    assert again.imported == 1 and again.matched_parcels == 0
