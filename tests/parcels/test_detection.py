"""Shipper resolution and ant-moving detection on synthetic manifests with planted patterns and ground truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from leads.sink import LeadSink
from leads.store import LeadQuery, open_store
from matchers import compile_index
from netsword.models import make_lead_id
from parcels.authorised import load_register
from parcels.db import ParcelDB
from parcels.importer import import_manifest
from parcels.mapping import find_mapping
from parcels.normalize import name_pinyin, normalize_address, normalize_name
from parcels.patterns import PatternSettings, detect_patterns
from parcels.pii import PiiVault
from parcels.shippers import Sender, compare, explain, resolve_shippers
from parcels.synthetic import (
    Generator,
    Person,
    decoys_flagged,
    generate,
    synthetic_watchlist,
    write_manifest,
    write_register,
)


def sender(vault: PiiVault, name: str, phone: str, address: str) -> Sender:
    from parcels.normalize import normalize_phone

    return Sender(key=name + phone, phone_key=vault.keyed("phone", normalize_phone(phone)), name=normalize_name(name),
                  pinyin=name_pinyin(name), address=normalize_address(address))  # fmt: skip


def test_variants_of_one_party_link_with_explanation(vault: PiiVault) -> None:
    a = sender(vault, "张伟", "13800138000", "广东省深圳市南山区科技路10号2栋301室")
    b = sender(vault, "张 玮", "+86 138-0013-8000", "广东深圳南山科技路10 2栋301")
    score, evidence = compare(a, b)
    assert score == 100.0
    assert evidence["phone"] == 100 and evidence["name"] == 100 and evidence["name_via"] == "pinyin"
    assert (
        explain(evidence)
        == "phone identical after normalisation; name 100 (same pinyin, written differently); address 100 (same after "
        "normalisation) → 100.0; linked by phone, name + address"
    )


def test_namesakes_are_not_linked(vault: PiiVault) -> None:
    a = sender(vault, "王伟", "13800138000", "广东省深圳市南山区科技路10号")
    b = sender(vault, "王伟", "13900139000", "四川省成都市武侯区人民路88号")
    score, evidence = compare(a, b)
    assert evidence["name"] == 100 and evidence["phone"] == 0
    assert score < 85


def test_name_alone_is_never_enough(vault: PiiVault) -> None:
    assert compare(sender(vault, "李娜", "", ""), sender(vault, "李娜", "", ""))[0] == 0.0


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory, index):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("planted")
    rows, plan = generate(6000, seed=11, n_fanout=4, n_consolidation=3)
    write_manifest(rows, tmp / "m.csv")
    vault = PiiVault(b"test-key-0123456789abcdef")
    write_register(plan, tmp / "shippers.yaml")
    register = load_register(tmp / "shippers.yaml", vault)
    index = compile_index(register.authorise(synthetic_watchlist(index.watchlist)), index.settings)
    db = ParcelDB(tmp / "p.db")
    store = open_store(str(tmp / "leads.db"))
    report = import_manifest(tmp / "m.csv", find_mapping("generic"), db, vault, index=index, sink=LeadSink(store),
                             register=register)  # fmt: skip
    assert report.bad == 0 and report.imported == 6000
    resolve_shippers(db, vault, register=register)
    detected = detect_patterns(db, PatternSettings(), watchlist=index.watchlist, sink=LeadSink(store),
                               register=register)  # fmt: skip
    yield tmp, plan, db, vault, store, detected, register
    store.close()
    db.close()


def test_every_planted_pattern_is_found_and_nothing_else(planted) -> None:  # type: ignore[no-untyped-def]
    _, plan, _, _, _, detected, register = planted
    assert len(plan.patterns) == 10  # 4 week-long parties, 3 warehouses, 2 month-long rings, 1 on two identities
    assert {d["kind"] for d in plan.decoys} == {"authorised", "slow_sender", "namesake"}
    assert not decoys_flagged([(p.kind, p.entry_id, p.waybills) for p in detected.patterns], plan)
    matched = set()
    for pattern in detected.patterns:
        overlaps = [(len(set(pattern.waybills) & set(t["waybills"])), n) for n, t in enumerate(plan.patterns)]
        best, n = max(overlaps)
        truth = plan.patterns[n]
        assert best >= 0.8 * len(truth["waybills"]), (pattern.kind, pattern.entry_id)  # no false pattern
        assert (pattern.kind, pattern.entry_id) == (truth["kind"], truth["entry_id"])
        matched.add(n)
    assert matched == set(range(len(plan.patterns)))  # every planted pattern found


def test_fanout_needs_shipper_resolution(planted) -> None:  # type: ignore[no-untyped-def]
    _, plan, db, _, _, _, register = planted
    db.conn.execute("DELETE FROM parcel_shippers")  # without links each written form stays under the thresholds
    alone = detect_patterns(db, PatternSettings())
    parties = [t for t in plan.patterns if t["kind"] == "fanout" and "days" not in t]  # the week-long ones
    for truth in parties:
        assert not any(len(set(p.waybills) & set(truth["waybills"])) >= 0.8 * len(truth["waybills"])
                       for p in alone.patterns)  # fmt: skip
    resolve_shippers(db, PiiVault(b"test-key-0123456789abcdef"), register=register)


def test_pattern_leads_carry_the_evidence_and_rerun_changes_nothing(planted, index) -> None:  # type: ignore[no-untyped-def]
    _, plan, db, _, store, detected, register = planted
    leads = store.search(LeadQuery(kind=("parcel_pattern",), limit=100))
    assert len(leads) == len(plan.patterns) == detected.stored.created
    fanout = next(lead for lead in leads if lead.listing["pattern"] == "fanout")
    assert fanout.lead_id == make_lead_id("parcels", fanout.listing_id, fanout.entry_id)
    assert fanout.platform == "parcels" and 50 <= fanout.score <= 100
    codes = {r.code for r in fanout.reasons}
    assert {"ant_moving_fanout", "shipper_disguised", "shipper_links"} <= codes
    snapshot = fanout.listing
    assert snapshot["parcel_count"] == len(snapshot["waybills"]) >= 12
    assert snapshot["links"] and "phone identical" in snapshot["links"][0]["explain"]
    assert snapshot["total_value"] == pytest.approx(sum(w["declared_value"] for w in snapshot["waybills"]), abs=0.05)
    again = detect_patterns(db, PatternSettings(), watchlist=index.watchlist, sink=LeadSink(store), register=register)
    assert again.stored.as_dict() == {"created": 0, "updated": 0, "unchanged": len(leads), "failed": 0}
    assert store.get(fanout.lead_id) == fanout


def test_declared_contents_become_trademark_leads(planted) -> None:  # type: ignore[no-untyped-def]
    _, _, _, _, store, _, register = planted
    leads = store.search(LeadQuery(kind=("trademark",), entry_id=("tm-nike",), limit=5))
    assert leads and all(lead.platform == "parcel:generic" for lead in leads)
    lead = leads[0]
    assert lead.listing["id"] == lead.listing_id and lead.listing["url"].startswith("parcel://generic/")
    assert "*" in lead.listing["seller"]["name"]  # masked sender, never the raw name


def test_window_and_value_thresholds_are_settings(planted) -> None:  # type: ignore[no-untyped-def]
    _, plan, db, _, _, _, register = planted
    assert not detect_patterns(db, PatternSettings(min_parcels=500)).patterns
    assert not detect_patterns(db, PatternSettings(low_value=50)).patterns
    # a slow sender ships a watched parcel every 6 days for 90 days: only a long window catches it
    long = detect_patterns(db, PatternSettings(window_days=90, min_receivers=8)).patterns
    assert "slow_sender" in decoys_flagged([(p.kind, p.entry_id, p.waybills) for p in long], plan)


def test_generator_is_deterministic() -> None:
    assert generate(500, seed=3) == generate(500, seed=3)
    assert generate(500, seed=3)[0] != generate(500, seed=4)[0]
    gen = Generator(1, __import__("datetime").datetime(2024, 1, 1), 30)
    base = Person("张伟", "13800138000", "广东省深圳市南山区科技路10号2栋301室")
    forms = [gen.variant(base, n) for n in range(4)]
    assert len({(normalize_name(f.name), normalize_address(f.address)) for f in forms}) == 4  # all distinct
    assert {name_pinyin(f.name) for f in forms} == {"zhangwei"}


def test_cli_detect(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from netsword.cli import main

    monkeypatch.chdir(tmp_path)  # no stray ./netsword.toml
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NETSWORD_PARCELS_PII_KEY", "another-key-0123456789")
    rows, plan = generate(1500, seed=5, n_fanout=1, n_consolidation=1, n_long=0, n_shared=0, n_authorised=1)
    write_manifest(rows, tmp_path / "m.csv")
    write_register(plan, tmp_path / "shippers.yaml")
    monkeypatch.setenv("NETSWORD_PARCELS_SHIPPERS_FILE", str(tmp_path / "shippers.yaml"))
    assert main(["parcels", "import", str(tmp_path / "m.csv"), "--courier", "generic", "--detect"]) == 0
    out = capsys.readouterr().out
    assert "1500 imported" in out and "2 patterns (2 new leads" in out
    assert "2 senders are authorised shippers" in out and " 0 parcels of authorised shippers" not in out
    assert main(["parcels", "detect"]) == 0
    assert "2 patterns (0 new leads, 0 updated, 2 unchanged)" in capsys.readouterr().out


def test_the_authorised_warehouse_is_a_hard_decoy(planted) -> None:  # type: ignore[no-untyped-def]
    """Without the register the brand's own warehouse looks like ant moving; with it, it is left out."""
    _, plan, db, _, _, _, register = planted
    without = detect_patterns(db, PatternSettings())
    assert "authorised" in decoys_flagged([(p.kind, p.entry_id, p.waybills) for p in without.patterns], plan)
    with_register = detect_patterns(db, PatternSettings(), register=register)
    assert with_register.authorised_parcels > 0
    assert not decoys_flagged([(p.kind, p.entry_id, p.waybills) for p in with_register.patterns], plan)
