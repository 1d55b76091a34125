"""Valuation on worked examples: each item's rule, the totals, the threshold version chosen by date, and the
referral-candidate flag with its inputs and caveats.

The figures asserted here are the legal ones, as the texts state them (checked 2026-11-30 against third-party copies
listed in cases/data/thresholds.yaml): 法释〔2025〕5号 arts. 3, 5, 6; 法释〔2004〕19号 arts. 1–3; 法发〔2011〕3号 art. 8.
Each worked example says which article it exercises."""

from __future__ import annotations

import pytest
from cases_helpers import DYSON, NIKE, shop_lead

from cases.thresholds import ThresholdError, parse_versions, version_for, versions
from cases.valuation import UNCHECKED, checked_caveat, value_case


def _tests(valuation):
    return {(t.offence, t.tier, t.measure): t for t in valuation.tests}


def test_worked_example_sold_and_stock_under_2025() -> None:
    # A Taobao listing matched by watch entries of two rights holders (two marks of different sources), valued on
    # 2026-01-01 under 法释〔2025〕5号: ¥299 × 120 sold = ¥35,880 (销售金额); 500 in stock × ¥299 = ¥149,500 (货值金额);
    # 非法经营数额 ¥185,380. Art. 214 (第五条第一款第（一）项): sales under ¥50,000; attempt (第五条第一款第（三）项):
    # unsold under 3 × ¥50,000 = ¥150,000, but sold + unsold ≥ ¥150,000 while sales stay under ¥50,000 → met.
    # Art. 213 with two marks (第三条第一款第（二）项): 非法经营数额 ≥ ¥30,000 → met.
    lead = shop_lead("taobao", "a", 1, price=299.0, sales=120, stock=500)
    same_listing = shop_lead("taobao", "a", 1, price=299.0, sales=120, stock=500, entry="tm-other", owner=DYSON)
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
    two = tests[("art_213", "serious_two_marks", "business_volume")]
    assert two.met and two.threshold == 30000 and "第三条" in two.article
    assert not tests[("art_214", "very_serious", "combined_value")].met  # 10 × ¥150,000 (第五条第二款)
    assert tests[("art_214", "very_serious", "combined_value")].threshold == 1500000
    assert v.referral_candidate
    assert any("刷单" in c for c in v.caveats) and UNCHECKED not in v.caveats
    assert checked_caveat(v.version) in v.caveats and "2026-11-30" in checked_caveat(v.version)
    assert any("二年内" in c for c in v.caveats)  # the repeat-offender figures of arts. 3, 5, 6 are named
    assert v.inputs()["thresholds"] == "2025"


def test_marks_of_one_source_count_once() -> None:
    # 法释〔2025〕5号 art. 7: two registered marks of one rights holder on the same goods point to one source, so the
    # two-mark figures of art. 3 (非法经营数额 ¥30,000) do not apply: ¥200 × 200 = ¥40,000 stays under ¥50,000.
    word = shop_lead("taobao", "k", 1, price=200.0, sales=200, owner=NIKE)
    logo = shop_lead("taobao", "k", 1, price=200.0, sales=200, owner=NIKE, entry="tm-nike-logo")
    one = value_case([word, logo], as_of="2026-01-01")
    assert one.marks == 1 and not _tests(one)[("art_213", "serious", "business_volume")].met
    assert not one.referral_candidate
    other = shop_lead("taobao", "k", 1, price=200.0, sales=200, owner=DYSON, entry="tm-dyson")
    two = value_case([word, other], as_of="2026-01-01")
    assert two.marks == 2 and _tests(two)[("art_213", "serious_two_marks", "business_volume")].met


def test_worked_example_one_mark_art_213_under_2025() -> None:
    # One mark (one watch entry), ¥200 × 200 sold + 40 in stock = 非法经营数额 ¥48,000: under art. 213's ¥50,000
    # (第三条第一款第（一）项) and art. 214's sales ¥50,000 (第五条第一款第（一）项) → not a candidate. The same goods
    # with ¥30,000 illegal gains found by investigation meet both (违法所得 ¥30,000: 第三条第一款第（一）项 and
    # 第五条第一款 违法所得数额较大).
    lead = shop_lead("taobao", "m", 1, price=200.0, sales=200, stock=40)
    v = value_case([lead], as_of="2025-06-01")
    tests = _tests(v)
    assert v.marks == 1 and v.business_volume == 48000.0 and not v.referral_candidate
    assert tests[("art_213", "serious", "business_volume")].threshold == 50000
    assert ("art_213", "serious_two_marks", "business_volume") not in tests
    gains = _tests(value_case([lead], as_of="2025-06-01", gains=30000))
    assert gains[("art_213", "serious", "gains")].met and gains[("art_214", "serious", "gains")].met


def test_worked_example_very_serious_and_unsold_only_under_2025() -> None:
    # Art. 214 very serious (第五条第二款, ten times 第五条第一款): ¥500 × 1,000 sold = 销售金额 ¥500,000 exactly → met
    # (shown for information; the entry tier makes the candidate). Art. 213 very serious: 非法经营数额 ≥ 10 × ¥50,000.
    big = value_case([shop_lead("jd", "v", 1, price=500.0, sales=1000)], as_of="2026-03-01")
    tests = _tests(big)
    assert (
        tests[("art_214", "very_serious", "sales")].met
        and tests[("art_214", "very_serious", "sales")].threshold == 500000
    )
    assert not tests[("art_214", "very_serious", "sales")].counts and tests[("art_214", "serious", "sales")].met
    assert tests[("art_213", "very_serious", "business_volume")].met
    assert tests[("art_213", "very_serious", "gains")].threshold == 300000
    # Nothing sold, 500 in stock × ¥300 = 货值金额 ¥150,000 exactly: the attempt (第五条第一款第（三）项, three times
    # the ¥50,000 sales figure) → a candidate on unsold goods alone.
    unsold = value_case([shop_lead("jd", "w", 1, price=300.0, sales=0, stock=500)], as_of="2026-03-01")
    assert _tests(unsold)[("art_214", "attempt", "unsold_value")].met and unsold.referral_candidate


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
    assert [v.version for v in versions()] == ["2004", "2007", "2011", "2020", "2021", "2025"]
    assert version_for("2025-04-25").version == "2021" and version_for("2025-04-26").version == "2025"
    assert version_for("2011-01-09").version == "2007" and version_for("2011-01-10").version == "2011"
    assert version_for("2007-04-04").version == "2004" and version_for("2020-09-14").version == "2020"
    # 2008: 法释〔2004〕19号 第二条 (销售金额 ¥50,000 数额较大, ¥250,000 数额巨大); no attempt rule before 2011.
    old = value_case([shop_lead("jd", "b", 1, price=100.0, sales=600, stock=2000)], as_of="2008-01-01")
    assert old.version.version == "2007" and not any(t.tier == "attempt" for t in old.tests)
    assert (
        _tests(old)[("art_214", "serious", "sales")].met and not _tests(old)[("art_214", "very_serious", "sales")].met
    )
    # 2012: unsold goods of ¥250,000 take art. 214's second range (法发〔2011〕3号 第八条第二款).
    unsold = value_case([shop_lead("jd", "b", 2, price=100.0, sales=0, stock=2500)], as_of="2012-01-01")
    assert _tests(unsold)[("art_214", "very_serious", "unsold_value")].met
    assert _tests(unsold)[("art_214", "attempt", "unsold_value")].met and unsold.referral_candidate
    with pytest.raises(ThresholdError):
        version_for("2000-01-01")
    for v in versions():  # every version names its source; a checked one says when and against which copies
        assert v.source and v.checked_against and all(c.url and c.title for c in v.checked_against)
        assert (v.checked and v.checked_on == "2026-11-30" and len(v.checked_against) >= 2) or v.unchecked_reason
    assert [v.version for v in versions() if not v.checked] == ["2021"]  # no text gave figures for the new art. 214
    assert "第三方副本" in checked_caveat(version_for("2026-01-01"))
    assert checked_caveat(version_for("2024-01-01")).startswith(UNCHECKED) and "2025" in checked_caveat(
        version_for("2024-01-01")
    )


# The figures as the texts state them: (version, offence, tier) -> {measure: figure}. 2025: 第三条 (art. 213, ten
# times for 情节特别严重 in its fourth paragraph), 第五条 (art. 214; attempt three times, very serious ten times), 第六条
# (art. 215, very serious five times). 2004: 第一条至第三条. 2011: 第八条.
LEGAL = {
    ("2025", "art_213", "serious"): {"gains": 30000, "business_volume": 50000},
    ("2025", "art_213", "serious_two_marks"): {"gains": 20000, "business_volume": 30000},
    ("2025", "art_213", "very_serious"): {"gains": 300000, "business_volume": 500000},
    ("2025", "art_213", "very_serious_two_marks"): {"gains": 200000, "business_volume": 300000},
    ("2025", "art_214", "serious"): {"gains": 30000, "sales": 50000},
    ("2025", "art_214", "attempt"): {"unsold_value": 150000, "combined_value": 150000},
    ("2025", "art_214", "very_serious"): {
        "gains": 300000,
        "sales": 500000,
        "unsold_value": 1500000,
        "combined_value": 1500000,
    },
    ("2025", "art_215", "serious"): {"labels": 10000, "gains": 20000, "business_volume": 30000},
    ("2025", "art_215", "serious_two_marks"): {"labels": 5000, "gains": 10000, "business_volume": 20000},
    ("2025", "art_215", "very_serious"): {"labels": 50000, "gains": 100000, "business_volume": 150000},
    ("2025", "art_215", "very_serious_two_marks"): {"labels": 25000, "gains": 50000, "business_volume": 100000},
    ("2004", "art_213", "serious"): {"business_volume": 50000, "gains": 30000},
    ("2004", "art_213", "serious_two_marks"): {"business_volume": 30000, "gains": 20000},
    ("2004", "art_213", "very_serious"): {"business_volume": 250000, "gains": 150000},
    ("2004", "art_213", "very_serious_two_marks"): {"business_volume": 150000, "gains": 100000},
    ("2004", "art_214", "serious"): {"sales": 50000},
    ("2004", "art_214", "very_serious"): {"sales": 250000},
    ("2004", "art_215", "serious"): {"labels": 20000, "business_volume": 50000, "gains": 30000},
    ("2004", "art_215", "serious_two_marks"): {"labels": 10000, "business_volume": 30000, "gains": 20000},
    ("2004", "art_215", "very_serious"): {"labels": 100000, "business_volume": 250000, "gains": 150000},
    ("2004", "art_215", "very_serious_two_marks"): {"labels": 50000, "business_volume": 150000, "gains": 100000},
    ("2011", "art_214", "attempt"): {"unsold_value": 150000, "combined_value": 150000},
    ("2011", "art_214", "very_serious"): {"sales": 250000, "unsold_value": 250000},
}


def test_the_data_file_holds_the_legal_figures() -> None:
    by_name = {v.version: v for v in versions()}
    for (name, offence, tier), figures in LEGAL.items():
        assert dict(by_name[name].offences[offence][tier]) == figures, (name, offence, tier)
    assert set(by_name["2025"].offences) == {"art_213", "art_214", "art_215"}  # nothing left empty
    assert not any(x is None for tiers in by_name["2025"].offences.values() for m in tiers.values() for x in m.values())
    assert by_name["2007"].offences == by_name["2004"].offences and by_name["2020"].offences == by_name["2011"].offences
    for offence, article in (("art_213", "第三条"), ("art_214", "第五条"), ("art_215", "第六条")):
        assert article in by_name["2025"].articles[offence]
    assert "第二十八条" in by_name["2025"].valuation_rule and "第十二条" in by_name["2004"].valuation_rule
    assert any("第十五条" in c for c in by_name["2004"].caveats) and not by_name["2007"].caveats  # units: 3× until 2007
    provenance = by_name["2025"].provenance()
    assert provenance["checked"] and provenance["copies"].startswith("third-party copies")
    assert all("github.com" in c["url"] for c in provenance["checked_against"][:2])


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
        ({**good, "checked": True}, "at least two copies"),
        (
            {**good, "checked": True, "checked_on": "2026-11-30", "checked_against": [{"url": "u", "title": "t"}]},
            "at least two copies",
        ),
        ({**good, "checked_on": "yesterday"}, "checked_on"),
        ({**good, "checked_against": [{"url": "u"}]}, "url and title"),
        ({**good, "articles": {"art_999": "x"}}, "articles"),
    ):
        with pytest.raises(ThresholdError, match=message):
            parse_versions({"schema": 1, "versions": [bad]})
