"""Adapter tests (no Elasticsearch here) with the real client against tests/store/fake_cluster.py: kept listings on
Elasticsearch, the queue's keyset paging (search_after past 10,000), and a reindex that loses no write made while it
runs — writes during the copy are carried by the catch-up pass, writes during the last pass wait for the alias."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import leads.store.elastic_index as elastic_index
from leads.store.base import LeadQuery, page_after
from leads.store.elastic import ElasticLeadStore
from leads.store.elastic_bulk import BulkSettings
from leads.store.elastic_mappings import doc_of
from leads.store.listings import ListingQuery, sighting
from netsword.models import Listing
from tests.store.es_responder import EsResponder, Recorded
from tests.store.fake_cluster import FakeCluster, Index
from tests.store.lead_factory import make_lead


@pytest.fixture
def cluster(responder: EsResponder, monkeypatch: pytest.MonkeyPatch) -> FakeCluster:
    monkeypatch.setattr(elastic_index, "REINDEX_BACKOFF", (0.02, 0.1))
    fake = FakeCluster(responder).install()
    fake.indices["netsword-leads-v1"] = Index()
    fake.aliases["netsword-leads"] = "netsword-leads-v1"
    return fake


def _listing(listing_id: str, at: str, platform: str = "taobao", **fields: Any) -> Listing:
    return Listing.from_dict({"id": listing_id, "platform": platform, "url": f"https://{platform}.example/{listing_id}",
                              "title": "运动鞋", "crawled_at": at, **fields})  # fmt: skip


def test_kept_listings_on_elasticsearch(cluster: FakeCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    import leads.store.elastic_listings as elastic_listings

    monkeypatch.setattr(elastic_listings, "PAGE", 2)
    store = ElasticLeadStore(cluster.es.url, replicas=0)
    assert "netsword-listings-v1" not in cluster.indices  # made on first use only
    first = [_listing(f"L{i}", f"2024-05-0{1 + i}T00:00:00Z", platform=("taobao", "jd")[i % 2]) for i in range(5)]
    report = store.keep_listings([sighting(listing, run="run-a") for listing in first])
    assert report.as_dict() == {"kept": 5, "refreshed": 0, "changed": 0, "failed": 0}
    created = cluster.es.sent("PUT", "/netsword-listings-v1")[0].json
    assert created["aliases"] == {"netsword-listings": {"is_write_index": True}}
    assert (
        created["mappings"]["dynamic"] == "strict" and created["mappings"]["properties"]["listing"]["enabled"] is False
    )
    again = store.keep_listings([
        sighting(_listing("L0", "2024-05-09T00:00:00Z", price=5), run="run-b"),  # changed
        sighting(_listing("L1", "2024-05-09T00:00:00Z", platform="jd"), run="run-a"),  # same run: not another sighting
        sighting(_listing("L0", "2024-04-01T00:00:00Z"), run="run-c"),  # older, late: counted, content stays
    ])  # fmt: skip
    assert again.as_dict() == {"kept": 0, "refreshed": 2, "changed": 1, "failed": 0}
    l0, l1 = store.get_listing("taobao", "L0"), store.get_listing("jd", "L1")
    assert l0 is not None and l1 is not None
    assert (l0.first_seen, l0.last_seen, l0.times_seen, l0.listing["price"], l0.last_run) == (
        "2024-04-01T00:00:00Z", "2024-05-09T00:00:00Z", 3, 5.0, "run-b",
    )  # fmt: skip
    assert (l1.times_seen, l1.last_seen) == (1, "2024-05-09T00:00:00Z")
    listed = [(k.platform, k.listing_id) for k in store.iter_listings(ListingQuery())]  # pages of 2, search_after
    assert listed == sorted(listed) and len(listed) == 5
    assert [k.listing_id for k in store.iter_listings(ListingQuery(platform=("taobao",), since="2024-05-03"))] == [
        "L0", "L2", "L4",
    ]  # fmt: skip
    assert store.count_listings(ListingQuery(platform=("jd",))) == 2
    assert store.drop_listings(last_seen_before="2024-05-04T00:00:00Z") == 1  # L2 (seen 05-03) only
    assert store.count_listings(ListingQuery()) == 4
    assert cluster.indices["netsword-leads-v1"].docs == {}  # leads untouched
    store.close()


def test_a_listing_the_cluster_refuses_is_counted_with_its_reason(cluster: FakeCluster) -> None:
    store = ElasticLeadStore(cluster.es.url)
    store.keep_listings([sighting(_listing("A", "2024-05-01T00:00:00Z"))])
    cluster.indices["netsword-listings-v1"].blocked = True  # an operator's block, not a reindex: no waiting
    report = store.keep_listings([sighting(_listing("A", "2024-05-02T00:00:00Z"))])
    assert report.failed == 1 and "cluster_block_exception" in report.problems[0] and "taobao/A" in report.problems[0]
    store.close()


def test_the_queue_pages_past_ten_thousand_with_search_after(ready: EsResponder) -> None:
    leads = [make_lead(f"Q{i}", score=70, seen="2024-05-03T00:00:00Z") for i in range(2)]

    def page(request: Recorded) -> tuple[int, Any]:
        return 200, {
            "hits": {"hits": [{"_source": doc_of(lead), "sort": [lead.score, lead.lead_id]} for lead in leads]}
        }

    ready.on("POST", "/netsword-leads/_search", page)
    store = ElasticLeadStore(ready.url)
    deep = make_lead("P", score=71, seen="2024-05-04T00:00:00Z")
    assert store.search(LeadQuery(limit=2, after=page_after(deep, "score"))) == leads
    store.search(LeadQuery(limit=2, sort="last_seen", after=page_after(deep, "last_seen")))
    by_score, by_date = (r.json for r in ready.sent("POST", "/netsword-leads/_search"))
    assert by_score["search_after"] == [71, deep.lead_id] and "from" not in by_score and by_score["size"] == 2
    assert by_date["search_after"] == [1714780800000, deep.lead_id]  # 2024-05-04T00:00:00Z as the sort's millis
    with pytest.raises(Exception, match="at most 10000"):
        store.search(LeadQuery(limit=50, offset=9_990))  # offsets stop at the window; `after` goes on
    store.close()


def test_reindex_loses_no_write_made_while_it_runs(cluster: FakeCluster) -> None:
    store = ElasticLeadStore(cluster.es.url)
    writer = ElasticLeadStore(cluster.es.url, bulk=BulkSettings())  # another process writing meanwhile
    base = [make_lead(f"R{i}", price=100, seen="2024-05-01T00:00:00Z") for i in range(4)]
    assert store.upsert_many(base).created == 4
    late: list[Any] = []

    def during(pass_number: int) -> None:
        if pass_number == 1:  # while the first copy runs (after it read these): a new price, a new lead, a decision
            assert writer.upsert_many([make_lead("R0", price=80, seen="2024-05-02T00:00:00Z"),
                                       make_lead("R9", seen="2024-05-02T00:00:00Z")]).failed == 0  # fmt: skip
            writer.set_status(base[1].lead_id, "confirmed", assignee="li")
        if pass_number == 3:  # the old index is read-only now: these wait for the alias to move, then land
            threads = [
                threading.Thread(target=lambda: late.append(writer.upsert_many(
                    [make_lead("R2", price=70, seen="2024-05-03T00:00:00Z")]))),
                threading.Thread(target=lambda: late.append(writer.set_status(base[3].lead_id, "dismissed"))),
            ]  # fmt: skip
            for thread in threads:
                thread.start()
            cluster.wait_for_blocked_writes(2)
            late.append(threads)

    cluster.on_reindex = during
    report = store.reindex()
    for thread in late.pop(0):
        thread.join(timeout=10)
    assert cluster.blocked_writes >= 2  # both writes met the block before the swap …
    reports = [item for item in late if hasattr(item, "failed")]
    assert len(late) == 2 and [r.failed for r in reports] == [0]  # … and then were written, none failed
    assert (report.old_index, report.new_index) == ("netsword-leads-v1", "netsword-leads-v2")
    assert cluster.aliases["netsword-leads"] == "netsword-leads-v2" and cluster.indices["netsword-leads-v1"].blocked
    ids = [make_lead(name).lead_id for name in ("R0", "R1", "R2", "R3", "R9")]
    stored = {lead.listing_id: lead for lead in store.get_many(ids)}
    assert set(stored) == {"R0", "R1", "R2", "R3", "R9"}  # the lead created during the copy is there
    assert [p["price"] for p in stored["R0"].price_history] == [100, 80]  # the sighting during the copy
    assert [p["price"] for p in stored["R2"].price_history] == [100, 70]  # the sighting during the last pass
    assert stored["R1"].status == "confirmed" and stored["R3"].status == "dismissed"
    assert [c["after"] for c in store.status_history(base[1].lead_id)] == ["confirmed"]
    assert report.documents == 5
    store.close()
    writer.close()


def test_a_status_change_read_from_an_index_deleted_since_is_made_again_through_the_alias(ready: EsResponder) -> None:
    """`leads reindex --delete-old` may delete the index a decision was read from before it is written."""
    from tests.store.es_responder import error_body

    lead = make_lead("D1")
    homes = iter(["netsword-leads-v1", "netsword-leads-v2"])  # read before the swap, then through the moved alias

    def get(_request: Recorded) -> tuple[int, Any]:
        return 200, {"_index": next(homes), "_id": lead.lead_id, "_seq_no": 3, "_primary_term": 1, "found": True,
                     "_source": doc_of(lead)}  # fmt: skip

    ready.on("GET", f"/netsword-leads/_doc/{lead.lead_id}", get)
    gone = error_body("index_not_found_exception", "no such index [netsword-leads-v1]", 404)
    ready.on("POST", f"/netsword-leads-v1/_update/{lead.lead_id}", gone, status=404)
    ready.on("POST", f"/netsword-leads-v2/_update/{lead.lead_id}", {"result": "updated"})
    store = ElasticLeadStore(ready.url)
    assert store.set_status(lead.lead_id, "confirmed").status == "confirmed"
    assert len(ready.sent("POST", f"/netsword-leads-v2/_update/{lead.lead_id}")) == 1
    store.close()
