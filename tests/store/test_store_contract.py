"""The one store suite: every LeadStore (SQLite always, Elasticsearch live when NETSWORD_TEST_ES_URL is set)
must keep the same contract: idempotent upserts, history rules, filters, search, sort, paging, exports, counts."""

from __future__ import annotations

import pytest

from leads.store.base import LeadQuery, LeadStore, StoreError
from tests.store.lead_factory import make_lead, upsert_one


def test_upsert_is_idempotent_and_reports_outcomes(store: LeadStore) -> None:
    leads = [make_lead(f"L{i}") for i in range(5)]
    assert store.upsert_many(leads).as_dict() == {"created": 5, "updated": 0, "unchanged": 0, "failed": 0}
    again = store.upsert_many(leads)
    assert again.as_dict() == {"created": 0, "updated": 0, "unchanged": 5, "failed": 0}
    assert store.count(LeadQuery()) == 5
    assert {lead.times_seen for lead in store.iter_leads(LeadQuery())} == {2}


def test_same_lead_twice_in_one_batch_is_merged_in_order(store: LeadStore) -> None:
    first = make_lead("L1", seen="2024-05-01T00:00:00Z", price=100)
    second = make_lead("L1", seen="2024-05-02T00:00:00Z", price=90, score=95)
    report = store.upsert_many([first, second])
    assert (report.created, report.updated) == (1, 1)
    stored = store.get(first.lead_id)
    assert stored is not None
    assert (stored.times_seen, stored.score, stored.first_seen, stored.last_seen) == (
        2, 95, "2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z",
    )  # fmt: skip
    assert [p["price"] for p in stored.price_history] == [100, 90]


def test_history_rules(store: LeadStore) -> None:
    lead = make_lead("L1", seen="2024-05-01T00:00:00Z", price=100)
    assert upsert_one(store, lead) == "created"
    # seen again at the same price, with only the crawl time changed: unchanged, no new price point
    assert upsert_one(store, make_lead("L1", seen="2024-05-02T00:00:00Z", price=100)) == "unchanged"
    # price changed: updated, one price point appended
    assert upsert_one(store, make_lead("L1", seen="2024-05-03T00:00:00Z", price=80)) == "updated"
    # an older sighting arriving late does not move last_seen backwards
    upsert_one(store, make_lead("L1", seen="2024-04-01T00:00:00Z", price=80))
    stored = store.get(lead.lead_id)
    assert stored is not None
    assert stored.first_seen == "2024-05-01T00:00:00Z"
    assert stored.last_seen == "2024-05-03T00:00:00Z"
    assert stored.times_seen == 4
    assert [(p["at"], p["price"]) for p in stored.price_history] == [
        ("2024-05-01T00:00:00Z", 100),
        ("2024-05-03T00:00:00Z", 80),
    ]


def test_status_and_assignee_survive_upserts(store: LeadStore) -> None:
    lead = make_lead("L1")
    upsert_one(store, lead)
    changed = store.set_status(lead.lead_id, "confirmed", assignee="wang")
    assert (changed.status, changed.assignee) == ("confirmed", "wang")
    upsert_one(store, make_lead("L1", seen="2024-06-01T00:00:00Z", score=99))
    stored = store.get(lead.lead_id)
    assert stored is not None
    assert (stored.status, stored.assignee, stored.score) == ("confirmed", "wang", 99)
    # the assignee stays when only the status is set
    assert store.set_status(lead.lead_id, "referred").assignee == "wang"


def test_set_status_refuses_unknown_lead_and_status(store: LeadStore) -> None:
    lead = make_lead("L1")
    upsert_one(store, lead)
    with pytest.raises(StoreError, match="status must be one of"):
        store.set_status(lead.lead_id, "burnt")
    with pytest.raises(StoreError, match="no lead"):
        store.set_status("ld-missing", "triaged")
    assert store.get("ld-missing") is None


def _fill(store: LeadStore) -> None:
    store.upsert_many(
        [
            make_lead("A", platform="taobao", entry="tm-nike", score=90, seen="2024-05-01T00:00:00Z", seller="鞋王"),
            make_lead("B", platform="jd", entry="tm-nike", score=70, seen="2024-05-02T00:00:00Z", seller="鞋王"),
            make_lead(
                "C",
                platform="taobao",
                entry="pat-fan",
                kind="patent",
                score=60,
                seen="2024-05-03T00:00:00Z",
                title="无叶风扇 bladeless fan 家用",
                seller="风扇店",
                owner="Dyson",
            ),  # fmt: skip
            make_lead(
                "D",
                platform="pdd",
                entry="tm-lv",
                score=55,
                seen="2024-05-03T12:00:00Z",
                title="LV Neverfull 手提包 原单",
                seller="",
                owner="Louis Vuitton",
            ),  # fmt: skip
        ]
    )


def test_filters(store: LeadStore) -> None:
    _fill(store)
    ids = lambda q: sorted(lead.listing_id for lead in store.search(q))  # noqa: E731
    assert ids(LeadQuery(platform=("taobao",))) == ["A", "C"]
    assert ids(LeadQuery(kind=("patent",))) == ["C"]
    assert ids(LeadQuery(entry_id=("tm-nike", "tm-lv"))) == ["A", "B", "D"]
    assert ids(LeadQuery(owner=("Dyson",))) == ["C"]
    assert ids(LeadQuery(min_score=60, max_score=80)) == ["B", "C"]
    assert ids(LeadQuery(since="2024-05-02T00:00:00Z", until="2024-05-03T06:00:00Z")) == ["B", "C"]
    assert ids(LeadQuery(seller="鞋王")) == ["A", "B"]
    assert ids(LeadQuery(status=("new",), platform=("jd", "pdd"))) == ["B", "D"]
    lead_b = store.search(LeadQuery(platform=("jd",)))[0]
    store.set_status(lead_b.lead_id, "triaged", assignee="li")
    assert ids(LeadQuery(assignee="li")) == ["B"]
    assert ids(LeadQuery(status=("new",))) == ["A", "C", "D"]
    assert store.count(LeadQuery(status=("new",))) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("耐克", ["A", "B"]),  # Chinese mark
        ("无叶风扇", ["C"]),  # Chinese phrase of four characters
        ("手提包", ["D"]),
        ("bladeless fan", ["C"]),  # Latin phrase
        ("NEVERFULL", ["D"]),  # Latin, any case
        ("fan bladeless", []),  # a phrase: word order matters
        ("不存在的词", []),
        ('"air" OR *', []),  # query syntax is text, never interpreted
    ],
)
def test_full_text_search(store: LeadStore, text: str, expected: list[str]) -> None:
    _fill(store)
    assert sorted(lead.listing_id for lead in store.search(LeadQuery(text=text))) == expected


def test_sort_and_pagination(store: LeadStore) -> None:
    _fill(store)
    order = lambda **kw: [lead.listing_id for lead in store.search(LeadQuery(**kw))]  # noqa: E731
    assert order(sort="score") == ["A", "B", "C", "D"]
    assert order(sort="last_seen") == ["D", "C", "B", "A"]
    assert order(sort="first_seen") == ["D", "C", "B", "A"]
    assert order(sort="score", limit=2) == ["A", "B"]
    assert order(sort="score", limit=2, offset=2) == ["C", "D"]
    assert order(sort="score", offset=4) == []
    with pytest.raises(StoreError, match="sort must be one of"):
        store.search(LeadQuery(sort="price"))


def test_iter_leads_pages_through_everything_in_order(store: LeadStore) -> None:
    # more than one page of every store (SQLite and Elasticsearch page by 1000), with score ties
    leads = [make_lead(f"L{i:04d}", score=50 + i % 7) for i in range(2345)]
    assert store.upsert_many(leads).created == 2345
    exported = list(store.iter_leads(LeadQuery(sort="score", limit=5)))
    assert len(exported) == 2345 and len({lead.lead_id for lead in exported}) == 2345
    keys = [(-lead.score, lead.lead_id) for lead in exported]
    assert keys == sorted(keys)
    assert sum(1 for _ in store.iter_leads(LeadQuery(min_score=56))) == store.count(LeadQuery(min_score=56))


def test_put_raw_replaces_exactly(store: LeadStore) -> None:
    lead = make_lead("L1").with_changes(
        status="dismissed", assignee="zhao", times_seen=7, first_seen="2023-01-01T00:00:00Z",
        price_history=({"at": "2023-01-01T00:00:00Z", "price": 120.0, "currency": "CNY"},),
    )  # fmt: skip
    upsert_one(store, make_lead("L1", score=10))
    assert store.put_raw([lead, make_lead("L2")]) == 2
    assert store.get(lead.lead_id) == lead
    assert store.count(LeadQuery()) == 2


def test_aggregations(store: LeadStore) -> None:
    _fill(store)
    stats = store.aggregate(LeadQuery())
    assert stats.total == 4
    assert [(b.day, b.platform, b.count) for b in stats.per_day] == [
        ("2024-05-01", "taobao", 1), ("2024-05-02", "jd", 1), ("2024-05-03", "pdd", 1), ("2024-05-03", "taobao", 1),
    ]  # fmt: skip
    assert [(b.key, b.count) for b in stats.top_entries] == [("tm-nike", 2), ("pat-fan", 1), ("tm-lv", 1)]
    assert [(b.key, b.count) for b in stats.top_sellers] == [("鞋王", 2), ("风扇店", 1)]
    assert [(b.key, b.count) for b in store.aggregate(LeadQuery(), top=1).top_platforms] == [("taobao", 2)]
    only_nike = store.aggregate(LeadQuery(entry_id=("tm-nike",)))
    assert only_nike.total == 2 and [b.key for b in only_nike.top_sellers] == ["鞋王"]


def test_exclude_parcels_leaves_out_manifest_leads(store: LeadStore) -> None:
    store.upsert_many([
        make_lead("m1"),
        make_lead("p1", platform="parcel:sf", title="耐克鞋 申报"),
        make_lead("p2", platform="parcels", kind="parcel_pattern", title="蚂蚁搬家 耐克鞋"),
    ])  # fmt: skip
    assert store.count(LeadQuery()) == 3
    assert [lead.listing_id for lead in store.search(LeadQuery(exclude_parcels=True))] == ["m1"]
