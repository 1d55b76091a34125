"""The one store suite: every LeadStore (SQLite always, Elasticsearch live when NETSWORD_TEST_ES_URL is set)
must keep the same contract: idempotent upserts, history rules, filters, search, sort, paging, exports, counts,
the status log, take-downs, reading by ids, related leads and the dashboard's figures.

A test here checks every method of `LeadStore`: test_every_interface_method_is_covered fails when one is added
without a test that calls it.
"""

from __future__ import annotations

import ast
import inspect
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from leads.store.aggregations import DashboardQuery
from leads.store.base import TAKEN_DOWN, LeadQuery, LeadStore, StoreError, page_after
from leads.store.listings import KeptListing, ListingQuery, sighting
from leads.store.scope import Scope
from netsword.models import Listing
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


def test_a_crawl_run_counts_its_sighting_once(store: LeadStore) -> None:
    """A crawl restarted after a crash sees its listings again under the same run id: one sighting per run."""
    run_a = make_lead("L1", seen="2024-05-01T00:00:00Z").with_changes(last_run="run-a")
    assert upsert_one(store, run_a) == "created"
    again = make_lead("L1", seen="2024-05-01T00:05:00Z").with_changes(last_run="run-a")
    assert upsert_one(store, again) == "unchanged"  # the restarted run, same listing: not another sighting
    stored = store.get(run_a.lead_id)
    assert stored is not None
    assert (stored.times_seen, stored.last_run, stored.last_seen) == (1, "run-a", "2024-05-01T00:05:00Z")
    assert upsert_one(store, make_lead("L1", seen="2024-05-02T00:00:00Z").with_changes(last_run="run-b")) == "unchanged"
    assert upsert_one(store, make_lead("L1", seen="2024-05-03T00:00:00Z").with_changes(last_run="run-b")) == "unchanged"
    stored = store.get(run_a.lead_id)
    assert stored is not None and (stored.times_seen, stored.last_run) == (2, "run-b")
    # a sighting from no crawl run (a re-check, `netsword match --store`) counts, and keeps the run that saw it last
    upsert_one(store, make_lead("L1", seen="2024-05-04T00:00:00Z"))
    stored = store.get(run_a.lead_id)
    assert stored is not None and (stored.times_seen, stored.last_run) == (3, "run-b")
    upsert_one(store, make_lead("L1", seen="2024-05-05T00:00:00Z").with_changes(last_run="run-b"))
    stored = store.get(run_a.lead_id)
    assert stored is not None and stored.times_seen == 3


def test_same_run_sightings_in_one_batch_count_once(store: LeadStore) -> None:
    leads = [make_lead("L1", seen=f"2024-05-0{day}T00:00:00Z").with_changes(last_run="run-a") for day in (1, 2, 3)]
    report = store.upsert_many(leads)
    assert (report.created, report.unchanged) == (1, 2)
    stored = store.get(leads[0].lead_id)
    assert stored is not None and (stored.times_seen, stored.last_run) == (1, "run-a")


def test_a_same_run_sighting_still_records_a_price_change(store: LeadStore) -> None:
    upsert_one(store, make_lead("L1", seen="2024-05-01T00:00:00Z", price=100).with_changes(last_run="run-a"))
    assert upsert_one(store, make_lead("L1", seen="2024-05-01T01:00:00Z", price=80).with_changes(last_run="run-a")) == (
        "updated"
    )
    stored = store.get(make_lead("L1").lead_id)
    assert stored is not None and stored.times_seen == 1
    assert [p["price"] for p in stored.price_history] == [100, 80]


def test_last_run_round_trips_through_reads_and_copies(store: LeadStore) -> None:
    lead = make_lead("L1").with_changes(last_run="run-a", times_seen=4)
    assert store.put_raw([lead, make_lead("L2")]) == 2
    assert [found.last_run for found in store.get_many([lead.lead_id, make_lead("L2").lead_id])] == ["run-a", ""]
    (exported,) = [found for found in store.iter_leads(LeadQuery()) if found.lead_id == lead.lead_id]
    assert (exported.last_run, exported.times_seen) == ("run-a", 4)
    assert store.search(LeadQuery(listing_id=("L1",)))[0].last_run == "run-a"


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
    assert ids(LeadQuery(listing_id=("C", "D", "nope"))) == ["C", "D"]
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


def test_put_raw_replacement_reindexes_the_text(store: LeadStore) -> None:
    lead = make_lead("L1", title="耐克 Air Max 运动鞋")
    upsert_one(store, lead)
    store.put_raw([lead.with_changes(listing={**lead.listing, "title": "阿迪达斯 Superstar 板鞋"})])
    assert [x.listing_id for x in store.search(LeadQuery(text="Superstar"))] == ["L1"]
    assert store.search(LeadQuery(text="Air Max")) == []


def test_status_log_records_every_change_in_order(store: LeadStore) -> None:
    lead, other = make_lead("L1"), make_lead("L2")
    store.upsert_many([lead, other])
    assert store.status_history(lead.lead_id) == []
    store.set_status(lead.lead_id, "triaged")
    store.set_status(lead.lead_id, "triaged", assignee="wang")  # an assignment: logged, status unchanged
    store.set_status(lead.lead_id, "confirmed")
    log = store.status_history(lead.lead_id)
    assert [(c["before"], c["after"], c["assignee"]) for c in log] == [
        ("new", "triaged", ""), ("triaged", "triaged", "wang"), ("triaged", "confirmed", "wang"),
    ]  # fmt: skip
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["at"]) for c in log)
    assert [c["at"] for c in log] == sorted(c["at"] for c in log)
    assert store.status_history(other.lead_id) == [] and store.status_history("ld-missing") == []


def test_status_log_survives_sightings_take_downs_and_raw_writes(store: LeadStore) -> None:
    lead = make_lead("L1")
    upsert_one(store, lead)
    store.set_status(lead.lead_id, "dismissed")
    upsert_one(store, make_lead("L1", seen="2024-06-01T00:00:00Z", price=50))
    store.mark_taken_down(lead.lead_id, reason="http 404", at="2024-06-02T00:00:00Z")
    stored = store.get(lead.lead_id)
    assert stored is not None
    store.put_raw([stored.with_changes(score=12)])
    assert [(c["before"], c["after"]) for c in store.status_history(lead.lead_id)] == [("new", "dismissed")]


def test_mark_taken_down_keeps_status_and_sightings_and_is_kept(store: LeadStore) -> None:
    lead = make_lead("L1")
    upsert_one(store, lead)
    upsert_one(store, make_lead("L1", seen="2024-05-02T00:00:00Z"))
    store.set_status(lead.lead_id, "referred", assignee="zhao")
    marked = store.mark_taken_down(lead.lead_id, reason="http 410", at="2024-06-01T00:00:00Z")
    assert (marked.listing["availability"], marked.listing["taken_down_at"], marked.listing["taken_down_reason"]) == (
        TAKEN_DOWN, "2024-06-01T00:00:00Z", "http 410",
    )  # fmt: skip
    assert store.get(lead.lead_id) == marked
    assert (marked.status, marked.assignee, marked.times_seen) == ("referred", "zhao", 2)
    # a second call keeps the first record
    assert store.mark_taken_down(lead.lead_id, reason="notice", at="2024-07-01T00:00:00Z") == marked
    # seen online again: the new snapshot replaces the marked one
    upsert_one(store, make_lead("L1", seen="2024-08-01T00:00:00Z"))
    again = store.get(lead.lead_id)
    assert again is not None and "availability" not in again.listing and again.times_seen == 3
    with pytest.raises(StoreError, match="no lead"):
        store.mark_taken_down("ld-missing", reason="x", at="2024-06-01T00:00:00Z")


def test_get_many_in_the_order_asked_each_once(store: LeadStore) -> None:
    leads = [make_lead(f"L{i}") for i in range(3)]
    store.upsert_many(leads)
    asked = [leads[2].lead_id, "ld-missing", leads[0].lead_id, leads[2].lead_id]
    assert store.get_many(asked) == [store.get(leads[2].lead_id), store.get(leads[0].lead_id)]
    assert store.get_many([]) == [] and store.get_many(["ld-missing"]) == []
    many = [make_lead(f"M{i:04d}") for i in range(1205)]  # more than one read of any backend
    store.upsert_many(many)
    assert [lead.lead_id for lead in store.get_many(lead.lead_id for lead in reversed(many))] == [
        lead.lead_id for lead in reversed(many)
    ]


def _related(store: LeadStore) -> None:
    store.upsert_many([
        make_lead("A", seller="鞋王", score=90),
        make_lead("B", seller="鞋王", score=70),
        make_lead("C", seller="鞋王", score=80, entry="tm-lv", owner="Louis Vuitton"),
        make_lead("D", seller="鞋王", platform="jd"),  # a namesake shop on another platform
        make_lead("E", seller="风扇店"),
        make_lead("A", entry="tm-lv", owner="Louis Vuitton", seller="鞋王", score=60),  # same listing, other mark
        make_lead("A", platform="jd", seller="鞋王"),  # same listing id on another platform: another listing
    ])  # fmt: skip


def test_same_seller(store: LeadStore) -> None:
    _related(store)
    lead = store.search(LeadQuery(listing_id=("A",), platform=("taobao",), entry_id=("tm-nike",)))[0]
    found = store.same_seller(lead)
    # the seller's other leads on taobao, highest score first: not the lead itself, not the jd namesake
    assert [(x.listing_id, x.entry_id, x.score) for x in found] == [
        ("C", "tm-lv", 80), ("B", "tm-nike", 70), ("A", "tm-lv", 60),
    ]  # fmt: skip
    assert [x.listing_id for x in store.same_seller(lead, limit=1)] == ["C"]
    nike_only = store.same_seller(lead, scope=Scope(owners=("Nike Innovate C.V.",)))
    assert [x.listing_id for x in nike_only] == ["B"]
    assert store.same_seller(make_lead("Z", seller="")) == []


def test_same_listing(store: LeadStore) -> None:
    _related(store)
    lead = store.search(LeadQuery(listing_id=("A",), platform=("taobao",), entry_id=("tm-nike",)))[0]
    assert [(x.platform, x.listing_id, x.entry_id) for x in store.same_listing(lead)] == [("taobao", "A", "tm-lv")]
    assert store.same_listing(lead, scope=Scope(entry_ids=("tm-nike",))) == []
    assert store.same_listing(make_lead("E")) == []


def _dashboard_leads(store: LeadStore) -> dict[str, str]:
    leads = {
        "A": make_lead("A", platform="taobao", seen="2024-05-01T09:00:00Z", seller="鞋王"),
        "B": make_lead("B", platform="taobao", seen="2024-05-02T09:00:00Z", seller="鞋王"),
        "C": make_lead("C", platform="jd", seen="2024-05-02T23:59:59Z", seller="风扇店", entry="pat-fan",
                       kind="patent", owner="Dyson"),
        "D": make_lead("D", platform="jd", seen="2024-05-03T00:00:00Z", seller="", entry="tm-lv",
                       owner="Louis Vuitton"),
        "P": make_lead("P", platform="parcels", kind="parcel_pattern", seen="2024-05-03T01:00:00Z", seller=""),
    }  # fmt: skip
    store.upsert_many(leads.values())
    return {name: lead.lead_id for name, lead in leads.items()}


def test_dashboard_figures(store: LeadStore, utc_today: str) -> None:
    ids = _dashboard_leads(store)
    store.set_status(ids["A"], "triaged")
    store.set_status(ids["A"], "confirmed")
    store.set_status(ids["B"], "dismissed")
    store.set_status(ids["C"], "new", assignee="li")  # an assignment, not a decision
    store.set_status(ids["D"], "triaged", assignee="li")
    figures = store.dashboard(DashboardQuery(since="2024-05-02"))
    assert [(b.day, b.platform, b.count) for b in figures.new_per_day] == [
        ("2024-05-02", "jd", 1), ("2024-05-02", "taobao", 1), ("2024-05-03", "jd", 1), ("2024-05-03", "parcels", 1),
    ]  # fmt: skip
    assert [(b.key, b.count) for b in figures.top_entries] == [("tm-nike", 3), ("pat-fan", 1), ("tm-lv", 1)]
    assert [(b.key, b.count) for b in figures.top_sellers] == [("鞋王", 2), ("风扇店", 1)]
    assert [(b.key, b.count) for b in figures.by_status] == [("new", 2), ("confirmed", 1), ("dismissed", 1),
                                                             ("triaged", 1)]  # fmt: skip
    assert sum(b.count for b in figures.by_kind) == 5 and figures.by_kind == tuple(
        sorted(figures.by_kind, key=lambda b: (-b.count, b.key)))  # leads per kind, ranked like every top list
    # every change was made today; the assignment of C (new → new) is not a decision
    assert [(b.day, b.status, b.count) for b in figures.decisions_per_day] == [
        (utc_today, "confirmed", 1), (utc_today, "dismissed", 1), (utc_today, "triaged", 2),
    ]  # fmt: skip
    assert [(b.key, b.count) for b in store.dashboard(DashboardQuery(since="2024-05-02", top=1)).top_entries] == [
        ("tm-nike", 3)
    ]
    tomorrow = (datetime.fromisoformat(utc_today) + timedelta(days=1)).strftime("%Y-%m-%d")
    later = store.dashboard(DashboardQuery(since=tomorrow))
    assert later.new_per_day == () and later.decisions_per_day == () and later.by_status == figures.by_status


def test_dashboard_counts_only_the_scope(store: LeadStore, utc_today: str) -> None:
    ids = _dashboard_leads(store)
    store.set_status(ids["A"], "confirmed")
    store.set_status(ids["C"], "dismissed")
    nike = store.dashboard(DashboardQuery(since="2024-05-01", scope=Scope(owners=("Nike Innovate C.V.",))))
    assert [(b.day, b.platform) for b in nike.new_per_day] == [
        ("2024-05-01", "taobao"), ("2024-05-02", "taobao"), ("2024-05-03", "parcels"),
    ]  # fmt: skip
    assert [b.key for b in nike.top_entries] == ["tm-nike"] and [b.key for b in nike.top_sellers] == ["鞋王"]
    assert [(b.day, b.status) for b in nike.decisions_per_day] == [(utc_today, "confirmed")]
    no_parcels = Scope(owners=("Nike Innovate C.V.",), exclude_parcels=True)
    hidden = store.dashboard(DashboardQuery(since="2024-05-01", scope=no_parcels))
    assert [b.platform for b in hidden.new_per_day] == ["taobao", "taobao"]
    assert sum(b.count for b in hidden.by_status) == 2
    fan = store.dashboard(DashboardQuery(since="2024-05-01", scope=Scope(entry_ids=("pat-fan", "tm-lv"))))
    assert [(b.key, b.count) for b in fan.by_status] == [("dismissed", 1), ("new", 1)]
    assert [(b.day, b.status) for b in fan.decisions_per_day] == [(utc_today, "dismissed")]
    nobody = store.dashboard(DashboardQuery(since="2024-05-01", scope=Scope(owners=("nobody",))))
    assert (nobody.new_per_day, nobody.top_entries, nobody.by_status, nobody.decisions_per_day) == ((), (), (), ())


def test_dashboard_query_is_checked() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        DashboardQuery(since="2024-05-01T00:00:00Z")
    with pytest.raises(ValueError, match="top"):
        DashboardQuery(since="2024-05-01", top=0)


def test_keyset_paging_continues_after_a_lead_in_every_sort(store: LeadStore) -> None:
    """`after` (the triage queue past 10,000 results; search_after on Elasticsearch) gives the same order as offsets."""
    days = [f"2024-05-{d:02d}T00:00:00Z" for d in (1, 2, 2, 3, 3, 3)]
    store.upsert_many([make_lead(f"K{i}", score=(70, 80, 80, 60, 90, 80)[i], seen=day) for i, day in enumerate(days)])
    for sort in ("score", "last_seen", "first_seen"):
        everything = store.search(LeadQuery(sort=sort, limit=50))
        pages, after = [], None
        while True:
            page = store.search(LeadQuery(sort=sort, limit=2, after=after))
            if not page:
                break
            pages.extend(page)
            after = page_after(page[-1], sort)
        assert [lead.lead_id for lead in pages] == [lead.lead_id for lead in everything], sort
    first = store.search(LeadQuery(limit=1))[0]
    narrowed = store.search(LeadQuery(min_score=80, limit=10, after=page_after(first, "score")))
    assert [lead.score for lead in narrowed] == [80, 80, 80]
    with pytest.raises(StoreError, match="offset 0"):
        store.search(LeadQuery(after=page_after(first, "score"), offset=5))


def test_copies_carry_status_logs(store: LeadStore) -> None:
    lead, other = make_lead("S1"), make_lead("S2")
    store.upsert_many([lead, other])
    store.set_status(lead.lead_id, "triaged", assignee="li")
    store.set_status(lead.lead_id, "confirmed")
    logs = store.status_logs([lead.lead_id, other.lead_id, "ld-missing"])
    assert list(logs) == [lead.lead_id]
    assert [(c["before"], c["after"], c["assignee"]) for c in logs[lead.lead_id]] == [
        ("new", "triaged", "li"), ("triaged", "confirmed", "li"),
    ]  # fmt: skip
    copied = make_lead("S3").with_changes(status="referred")
    given = [{"at": "2024-05-02T00:00:00Z", "before": "new", "after": "referred", "assignee": "zhao"}]
    assert store.put_raw([copied, store.get(lead.lead_id) or lead], status_logs={copied.lead_id: given}) == 2  # type: ignore[dict-item]
    assert store.status_history(copied.lead_id) == given
    assert len(store.status_history(lead.lead_id)) == 2  # not in status_logs: its own log stays
    store.put_raw([copied], status_logs={copied.lead_id: []})  # type: ignore[dict-item]
    assert store.status_history(copied.lead_id) == []


def _seen(listing_id: str, at: str, *, platform: str = "taobao", run: str = "", **fields: object) -> KeptListing:
    data = {"id": listing_id, "platform": platform, "url": f"https://{platform}.example/{listing_id}",
            "title": "运动鞋", "crawled_at": at, **fields}  # fmt: skip
    return sighting(Listing.from_dict(data), run=run)


def test_kept_listings_are_stored_once_with_first_and_last_seen_and_latest_content(store: LeadStore) -> None:
    report = store.keep_listings([_seen("A", "2024-05-01T00:00:00Z"), _seen("B", "2024-05-01T00:00:00Z", price=10)])
    assert (report.as_dict(), report.problems) == ({"kept": 2, "refreshed": 0, "changed": 0, "failed": 0}, ["", ""])
    again = store.keep_listings([
        _seen("A", "2024-05-03T00:00:00Z"),  # same content, later: refreshed
        _seen("B", "2024-05-02T00:00:00Z", price=8),  # new price: changed
        _seen("B", "2024-04-20T00:00:00Z", price=12),  # an older sighting arriving late: counted, content stays
    ])  # fmt: skip
    assert again.as_dict() == {"kept": 0, "refreshed": 2, "changed": 1, "failed": 0}
    b = store.get_listing("taobao", "B")
    assert b is not None
    assert (b.first_seen, b.last_seen, b.times_seen, b.listing["price"]) == (
        "2024-04-20T00:00:00Z", "2024-05-02T00:00:00Z", 3, 8.0,
    )  # fmt: skip
    assert b.to_listing().price == 8.0
    assert store.get_listing("taobao", "nope") is None and store.get_listing("jd", "A") is None
    assert store.count_listings(ListingQuery()) == 2


def test_a_crawl_run_counts_a_listing_once(store: LeadStore) -> None:
    store.keep_listings([_seen("R", "2024-05-01T00:00:00Z", run="run-a")])
    store.keep_listings([_seen("R", "2024-05-01T00:05:00Z", run="run-a")])  # the restarted run fetches it again
    kept = store.get_listing("taobao", "R")
    assert kept is not None and (kept.times_seen, kept.last_run, kept.last_seen) == (1, "run-a", "2024-05-01T00:05:00Z")


def test_put_listings_writes_exactly_and_replaces(store: LeadStore) -> None:
    """Copies (`netsword leads copy`): written as given, not merged as sightings; copying again changes nothing."""
    store.keep_listings([_seen("C1", "2024-05-01T00:00:00Z", run="run-a"), _seen("C9", "2024-05-01T00:00:00Z")])
    copied = [
        KeptListing("taobao", "C1", _seen("C1", "2024-06-02T00:00:00Z", price=7).listing, "2024-03-01T00:00:00Z",
                    "2024-06-02T00:00:00Z", 5, "run-z"),
        KeptListing("jd", "C2", _seen("C2", "2024-06-01T00:00:00Z", platform="jd").listing, "2024-06-01T00:00:00Z",
                    "2024-06-01T00:00:00Z", 2, ""),
    ]  # fmt: skip
    assert store.put_listings(copied) == 2
    assert store.put_listings(copied) == 2  # again: replaced, not another sighting
    assert store.put_listings([]) == 0
    assert [store.get_listing(k.platform, k.listing_id) for k in copied] == copied
    assert store.count_listings(ListingQuery()) == 3  # C9 untouched
    assert store.keep_listings([_seen("C2", "2024-06-03T00:00:00Z", platform="jd")]).refreshed == 1  # merges on


def test_kept_listings_by_age_and_platform_in_key_order_and_dropped_by_retention(store: LeadStore) -> None:
    # more than one page (1000) on every store
    batch = [_seen(f"L{i:04d}", f"2024-05-{1 + i % 9:02d}T00:00:00Z", platform=("taobao", "jd")[i % 2])
             for i in range(2345)]  # fmt: skip
    assert store.keep_listings(batch).kept == 2345
    listed = list(store.iter_listings(ListingQuery()))
    assert [(k.platform, k.listing_id) for k in listed] == sorted((k.platform, k.listing_id) for k in batch)
    recent = ListingQuery(since="2024-05-08T00:00:00Z", platform=("jd",))
    expected = {k.listing_id for k in batch if k.platform == "jd" and k.last_seen >= "2024-05-08"}
    assert {k.listing_id for k in store.iter_listings(recent)} == expected
    assert store.count_listings(recent) == len(expected)
    assert store.count_listings(ListingQuery(until="2024-05-02T00:00:00Z")) == 261
    assert store.drop_listings(last_seen_before="2024-05-02T00:00:00Z") == 261
    assert store.count_listings(ListingQuery()) == 2345 - 261
    assert store.count(LeadQuery()) == 0  # retention of listings never touches leads


def test_every_interface_method_is_covered() -> None:
    """Each public method of LeadStore is called by some test in this file: the suite covers the whole contract."""
    methods = {
        name for name, member in inspect.getmembers(LeadStore, inspect.isfunction)
        if not name.startswith("_") and name != "close"
    }  # fmt: skip
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    called = {
        node.func.attr for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "store"
    }  # fmt: skip
    assert methods - called == set(), f"LeadStore methods no contract test calls: {sorted(methods - called)}"


def test_a_sound_store_reports_no_integrity_problems(store: LeadStore) -> None:
    store.upsert_many([make_lead("integrity-1")])
    assert store.integrity_problems() == []
