"""Valuation on worked examples: each item's rule, the totals, the threshold version chosen by date, and the
referral-candidate flag with its inputs and caveats."""

from __future__ import annotations

import pytest
from cases_helpers import shop_lead

from cases.thresholds import ThresholdError, parse_versions, version_for, versions
from cases.valuation import UNCHECKED, value_case


def _tests(valuation):
    return {(t.offence, t.tier, t.measure): t for t in valuation.tests}


def test_worked_example_sold_and_stock_under_2025() -> None:
    # ¥299 × 120 sold = ¥35,880 (销售金额); 500 in stock × ¥299 = ¥149,500 (货值); 非法经营数额 ¥185,380
    lead = shop_lead("taobao", "a", 1, price=299.0, sales=120, stock=500)
    same_listing = shop_lead("taobao", "a", 1, price=299.0, sales=120, stock=500, entry="tm-other")
    v = value_case([lead, same_listing], as_of="2026-01-01")
    assert v.version.version == "2025" and len(v.items) == 1 and v.marks == 2
    (item,) = v.items
    assert (item.sold_value, item.unsold_value) == (35880.0, 149500.0)
    assert (
        "已售 120 件 × 标价 ¥299.00 = ¥35,880.00" in item.rule
        and "库存 500 件 × 标价 ¥299.00 = ¥149,500.00" in item.rule
    )
    assert (v.sales, v.unsold_value, v.business_volume) == (35880.0, 149500.0, 185380.0)
    tests = _tests(v)
    assert not tests[("art_214", "serious", "sales")].met  # 35,880 < 50,000
    assert not tests[("art_214", "attempt", "unsold_value")].met  # 149,500 < 150,000
    assert tests[("art_214", "attempt", "combined_value")].met  # 185,380 ≥ 150,000 with sales under 50,000
    assert tests[("art_213", "serious", "business_volume")].met
    assert v.referral_candidate
    assert any("刷单" in c for c in v.caveats) and UNCHECKED in v.caveats
    assert v.inputs()["thresholds"] == "2025"


def test_exactly_at_the_threshold_counts_and_gains_only_from_2025() -> None:
    lead = shop_lead("jd", "b", 1, price=250.0, sales=200)  # ¥50,000 sold exactly
    v = value_case([lead], as_of="2025-05-01")
    assert _tests(v)[("art_214", "serious", "sales")].met and v.referral_candidate
    assert ("art_214", "attempt", "combined_value") not in _tests(v)  # sales alone reach it: no attempt
    small = shop_lead("jd", "c", 1, price=10.0, sales=3)
    assert not value_case([small], as_of="2025-05-01").referral_candidate
    with_gains = value_case([small], as_of="2025-05-01", gains=30000)
    assert _tests(with_gains)[("art_214", "serious", "gains")].met and with_gains.referral_candidate
    before = value_case([small], as_of="2024-05-01", gains=30000)
    assert before.version.version == "2021" and ("art_214", "serious", "gains") not in _tests(before)
    assert _tests(before)[("art_213", "serious", "gains")].met  # 违法所得 3万 was art. 213's figure already


def test_versions_by_date() -> None:
    assert [v.version for v in versions()] == ["2004", "2011", "2021", "2025"]
    assert version_for("2025-04-25").version == "2021" and version_for("2025-04-26").version == "2025"
    assert version_for("2011-01-09").version == "2004" and version_for("2011-01-10").version == "2011"
    old = value_case([shop_lead("jd", "b", 1, price=100.0, sales=10, stock=2000)], as_of="2008-01-01")
    assert old.version.version == "2004" and not any(t.tier == "attempt" for t in old.tests)  # no attempt rule yet
    assert version_for("2011-01-10").figure("art_214", "attempt", "unsold_value") == 150000
    assert version_for("2025-04-26").figure("art_214", "very_serious", "sales") is None  # not taken: check the text
    with pytest.raises(ThresholdError):
        version_for("2000-01-01")
    assert all(not v.checked and v.source and v.taken_from for v in versions())


def test_missing_price_foreign_currency_and_parcels() -> None:
    no_price = shop_lead("pdd", "a", 1, price=None, sales=100)
    usd = shop_lead("ebay", "u", 1, price=50.0, sales=1000, currency="USD")
    parcel = shop_lead("parcel:sf", "p", 1, price=10.0, sales=10)
    v = value_case([no_price, usd, parcel], as_of="2026-01-01")
    assert v.left_out == 1 and v.business_volume == 0.0
    problems = {i.listing_id: i.problems for i in v.items}
    assert any("no price" in p for p in problems["a-1"]) and any("USD" in p for p in problems["u-1"])
    priced = value_case([no_price], as_of="2026-01-01", market_prices={"tm-nike": 800.0})
    (item,) = priced.items
    assert item.price_basis == "market" and item.sold_value == 80000.0 and "市场中间价格" in item.rule
    assert priced.referral_candidate


def test_malformed_threshold_files_are_refused() -> None:
    good = {
        "version": "x",
        "effective": "2020-01-01",
        "source": "s",
        "offences": {"art_214": {"serious": {"sales": 1}}},
    }
    assert parse_versions({"schema": 1, "versions": [good]})[0].figure("art_214", "serious", "sales") == 1.0
    for bad, message in (
        ({**good, "effective": "soon"}, "effective"),
        ({**good, "offences": {"art_999": {}}}, "unknown offence"),
        ({**good, "offences": {"art_214": {"serious": {"sales": -5}}}}, "positive number"),
        ({**good, "offences": {"art_214": {"serious": {"price": 5}}}}, "unknown measure"),
        ({**good, "inherits": "nothing"}, "inherits"),
        ({**good, "source": ""}, "legal source"),
    ):
        with pytest.raises(ThresholdError, match=message):
            parse_versions({"schema": 1, "versions": [bad]})
