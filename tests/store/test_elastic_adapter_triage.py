"""Adapter tests (no Elasticsearch here): what the triage UI asks of the Elasticsearch store — the dashboard's
aggregations, the status log, reading by ids, related leads and take-downs — as requests the real client sends to a
loopback responder, and answers shaped as the Elasticsearch REST API documents them."""

from __future__ import annotations

from typing import Any

import pytest

from leads.store.aggregations import DashboardQuery
from leads.store.base import TAKEN_DOWN, LeadQuery, StoreError
from leads.store.elastic import ElasticLeadStore
from leads.store.elastic_mappings import STATUS_LOG_MAPPING, doc_of
from leads.store.scope import Scope
from tests.store.es_responder import EsResponder, Recorded, error_body
from tests.store.lead_factory import make_lead

INDEX = "netsword-leads-v1"
NESTED_LOG = {INDEX: {"mappings": {"dynamic": "strict", "properties": {"status_history": STATUS_LOG_MAPPING}}}}
OLD_LOG = {INDEX: {"mappings": {"properties": {"status_history": {"type": "object", "enabled": False}}}}}
SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


def _terms(*pairs: tuple[str, int]) -> dict[str, Any]:
    return {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
            "buckets": [{"key": k, "doc_count": n} for k, n in pairs]}  # fmt: skip


def _day(day: str, **subs: Any) -> dict[str, Any]:
    return {"key_as_string": day, "key": 0, "doc_count": 1, **subs}


DASHBOARD_ANSWER = {
    "took": 4, "timed_out": False, "_shards": SHARDS,
    "hits": {"total": {"value": 0, "relation": "gte"}, "max_score": None, "hits": []},
    "aggregations": {
        "new": {"doc_count": 3, "per_day": {"buckets": [
            _day("2024-05-03", platforms=_terms(("taobao", 1))),
            _day("2024-05-02", platforms=_terms(("taobao", 1), ("jd", 1))),
        ]}},
        "top_entries": _terms(("tm-nike", 3), ("pat-fan", 1), ("tm-lv", 1)),
        "top_sellers": _terms(("鞋王", 2), ("风扇店", 1)),
        "by_status": _terms(("new", 2), ("confirmed", 1), ("triaged", 1)),
        "by_kind": _terms(("trademark", 3), ("copyright", 1)),
        "decisions": {"doc_count": 6, "since": {"doc_count": 5, "per_day": {"buckets": [
            _day("2024-06-02", after={**_terms(("triaged", 2)), "buckets": [
                {"key": "triaged", "doc_count": 2, "before": _terms(("new", 1), ("triaged", 1))}]}),
            _day("2024-06-01", after={**_terms(("confirmed", 1), ("new", 1)), "buckets": [
                {"key": "confirmed", "doc_count": 1, "before": _terms(("triaged", 1))},
                {"key": "new", "doc_count": 1, "before": _terms(("new", 1))}]}),
        ]}}},
    },
}  # fmt: skip


def test_dashboard_request_and_answer(ready: EsResponder) -> None:
    ready.on("GET", "/netsword-leads/_mapping", NESTED_LOG)
    ready.on("POST", "/netsword-leads/_search", DASHBOARD_ANSWER)
    scope = Scope(owners=("Nike Innovate C.V.",), entry_ids=("tm-nike",), exclude_parcels=True)
    with ElasticLeadStore(ready.url) as store:
        figures = store.dashboard(DashboardQuery(since="2024-05-02", scope=scope, top=5))
        store.dashboard(DashboardQuery(since="2024-05-02"))
    assert len(ready.sent("GET", "/netsword-leads/_mapping")) == 1  # the mapping is checked once per store
    assert [(b.day, b.platform, b.count) for b in figures.new_per_day] == [
        ("2024-05-02", "jd", 1), ("2024-05-02", "taobao", 1), ("2024-05-03", "taobao", 1),
    ]  # fmt: skip
    assert [(b.key, b.count) for b in figures.top_entries] == [("tm-nike", 3), ("pat-fan", 1), ("tm-lv", 1)]
    assert [(b.key, b.count) for b in figures.top_sellers] == [("鞋王", 2), ("风扇店", 1)]
    assert [(b.key, b.count) for b in figures.by_status] == [("new", 2), ("confirmed", 1), ("triaged", 1)]
    assert [(b.key, b.count) for b in figures.by_kind] == [("trademark", 3), ("copyright", 1)]
    # triaged → triaged and new → new kept the status (assignments): not decisions
    assert [(b.day, b.status, b.count) for b in figures.decisions_per_day] == [
        ("2024-06-01", "confirmed", 1), ("2024-06-02", "triaged", 1),
    ]  # fmt: skip
    body = ready.sent("POST", "/netsword-leads/_search")[0].json
    histogram = {"calendar_interval": "day", "format": "yyyy-MM-dd", "time_zone": "UTC", "min_doc_count": 1}
    assert body == {
        "query": {"bool": {
            "filter": [{"terms": {"entry_id": ["tm-nike"]}}, {"terms": {"owner": ["Nike Innovate C.V."]}}],
            "must": [],
            "must_not": [{"term": {"kind": "parcel_pattern"}}, {"term": {"platform": "parcels"}},
                         {"prefix": {"platform": "parcel:"}}],
        }},
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "new": {
                "filter": {"range": {"first_seen": {"gte": "2024-05-02"}}},
                "aggs": {"per_day": {
                    "date_histogram": {"field": "first_seen", **histogram},
                    "aggs": {"platforms": {"terms": {"field": "platform", "size": 1000, "order": {"_key": "asc"}}}},
                }},
            },
            "top_entries": {"terms": {"field": "entry_id", "size": 5}},
            "top_sellers": {"terms": {"field": "seller", "size": 5, "exclude": [""]}},
            "by_status": {"terms": {"field": "status", "size": 20}},
            "by_kind": {"terms": {"field": "kind", "size": 50}},
            "decisions": {
                "nested": {"path": "status_history"},
                "aggs": {"since": {
                    "filter": {"range": {"status_history.at": {"gte": "2024-05-02"}}},
                    "aggs": {"per_day": {
                        "date_histogram": {"field": "status_history.at", **histogram},
                        "aggs": {"after": {
                            "terms": {"field": "status_history.after", "size": 20},
                            "aggs": {"before": {"terms": {"field": "status_history.before", "size": 20}}},
                        }},
                    }},
                }},
            },
        },
    }  # fmt: skip
    unscoped = ready.sent("POST", "/netsword-leads/_search")[1].json
    assert unscoped["query"] == {"match_all": {}}


def test_dashboard_on_an_index_from_before_the_status_log_was_indexed(ready: EsResponder) -> None:
    ready.on("GET", "/netsword-leads/_mapping", OLD_LOG)
    with ElasticLeadStore(ready.url) as store, pytest.raises(StoreError, match="netsword leads reindex"):
        store.dashboard(DashboardQuery(since="2024-05-02"))
    assert not ready.sent("POST", "/netsword-leads/_search")


def test_status_log_is_read_from_the_document(ready: EsResponder) -> None:
    lead = make_lead("L1")
    changes = [{"at": "2024-05-02T00:00:00Z", "before": "new", "after": "triaged", "assignee": "li"}]
    ready.on("GET", f"/netsword-leads/_doc/{lead.lead_id}",
             {"_index": INDEX, "_id": lead.lead_id, "found": True, "_source": {"status_history": changes}})  # fmt: skip
    ready.on("GET", "/netsword-leads/_doc/ld-missing", {"_index": INDEX, "_id": "ld-missing", "found": False},
             status=404)  # fmt: skip
    with ElasticLeadStore(ready.url) as store:
        assert store.status_history(lead.lead_id) == changes
        assert store.status_history("ld-missing") == []
    assert ready.sent("GET", f"/netsword-leads/_doc/{lead.lead_id}")[0].params == {"_source_includes": "status_history"}


def test_get_many_is_one_mget_per_thousand_ids(ready: EsResponder) -> None:
    leads = {lead.lead_id: lead for lead in (make_lead(f"L{i:04d}") for i in range(1001))}

    def mget(request: Recorded) -> tuple[int, Any]:
        docs = [{"_index": INDEX, "_id": i, "_version": 1, "_seq_no": 0, "_primary_term": 1, "found": True,
                 "_source": doc_of(leads[i])} if i in leads else {"_index": INDEX, "_id": i, "found": False}
                for i in request.json["ids"]]  # fmt: skip
        return 200, {"docs": docs}

    ready.on("POST", "/netsword-leads/_mget", mget)
    wanted = ["ld-missing", *reversed(leads), "ld-missing"]
    with ElasticLeadStore(ready.url) as store:
        found = store.get_many(wanted)
        assert store.get_many([]) == []
    assert found == [leads[i] for i in reversed(leads)]
    assert [len(r.json["ids"]) for r in ready.sent("POST", "/netsword-leads/_mget")] == [1000, 2]


def test_get_many_refuses_to_leave_out_what_a_failed_shard_holds(ready: EsResponder) -> None:
    error = {"type": "no_shard_available_action_exception", "reason": "No shard available"}
    ready.on("POST", "/netsword-leads/_mget", {"docs": [{"_index": INDEX, "_id": "ld-1", "error": error}]})
    with ElasticLeadStore(ready.url) as store, pytest.raises(StoreError, match="no_shard_available"):
        store.get_many(["ld-1"])


def _hits(*leads: Any) -> dict[str, Any]:
    hits = [{"_index": INDEX, "_id": x.lead_id, "_score": None, "_source": doc_of(x)} for x in leads]
    return {"took": 1, "timed_out": False, "_shards": SHARDS, "hits": {"max_score": None, "hits": hits}}


def test_related_leads_queries(ready: EsResponder) -> None:
    lead = make_lead("A", seller="鞋王")
    other_mark = make_lead("A", seller="鞋王", entry="tm-lv")
    ready.on("POST", "/netsword-leads/_search", _hits(lead, other_mark))
    with ElasticLeadStore(ready.url) as store:
        assert store.same_seller(lead, limit=5) == [other_mark]
        assert store.same_listing(lead, scope=Scope(owners=("Nike Innovate C.V.",)), limit=3) == [other_mark]
        assert store.same_seller(make_lead("B", seller="")) == []
    seller, listing = (r.json for r in ready.sent("POST", "/netsword-leads/_search"))
    assert seller["query"] == {"bool": {"filter": [{"terms": {"platform": ["taobao"]}}, {"term": {"seller": "鞋王"}}],
                                        "must": []}}  # fmt: skip
    assert (seller["size"], seller["sort"]) == (6, [{"score": "desc"}, {"lead_id": "asc"}])
    assert listing["query"] == {"bool": {"filter": [
        {"terms": {"platform": ["taobao"]}}, {"terms": {"owner": ["Nike Innovate C.V."]}}, {"terms": {"listing_id": ["A"]}},
    ], "must": []}}  # fmt: skip
    assert listing["size"] == 4


def test_mark_taken_down_is_a_conditional_partial_update(ready: EsResponder) -> None:
    lead = make_lead("L1").with_changes(status="referred")
    changes = [{"at": "2024-05-02T00:00:00Z", "before": "new", "after": "referred", "assignee": ""}]
    found = {"_index": INDEX, "_id": lead.lead_id, "_version": 3, "_seq_no": 12, "_primary_term": 2, "found": True,
             "_source": doc_of(lead, status_history=changes)}  # fmt: skip
    ready.on("GET", f"/netsword-leads/_doc/{lead.lead_id}", found)
    ready.on("POST", f"/{INDEX}/_update/{lead.lead_id}", {"_index": INDEX, "_id": lead.lead_id, "result": "updated"})
    conflict = error_body("version_conflict_engine_exception", "version conflict, required seqNo [12]", 409)
    ready.on("POST", f"/{INDEX}/_update/{lead.lead_id}", conflict, status=409, times=1)
    with ElasticLeadStore(ready.url) as store:
        marked = store.mark_taken_down(lead.lead_id, reason="http 404", at="2024-06-01T00:00:00Z")
    assert (marked.status, marked.listing["availability"]) == ("referred", TAKEN_DOWN)
    first, second = ready.sent("POST", f"/{INDEX}/_update/.*")
    assert first.params == second.params == {"if_seq_no": "12", "if_primary_term": "2", "refresh": "wait_for"}
    # only the listing snapshot is sent, so the status log and status in the document are left as they are
    assert second.json == {"doc": {"listing": dict(marked.listing)}}
    assert len(ready.sent("GET", f"/netsword-leads/_doc/{lead.lead_id}")) == 2  # the conflict read it again


def test_mark_taken_down_twice_writes_once(ready: EsResponder) -> None:
    lead = make_lead("L1", availability=TAKEN_DOWN, taken_down_at="2024-06-01T00:00:00Z", taken_down_reason="x")
    ready.on("GET", f"/netsword-leads/_doc/{lead.lead_id}", {"_index": INDEX, "_id": lead.lead_id, "_seq_no": 1,
                                                            "_primary_term": 1, "found": True, "_source": doc_of(lead)})  # fmt: skip
    ready.on("GET", "/netsword-leads/_doc/ld-missing", {"_index": INDEX, "_id": "ld-missing", "found": False},
             status=404)  # fmt: skip
    with ElasticLeadStore(ready.url) as store:
        assert store.mark_taken_down(lead.lead_id, reason="again", at="2024-07-01T00:00:00Z") == lead
        with pytest.raises(StoreError, match="no lead"):
            store.mark_taken_down("ld-missing", reason="x", at="2024-07-01T00:00:00Z")
    assert not ready.sent("POST", f"/{INDEX}/_update/.*")


def test_listing_filter_in_search(ready: EsResponder) -> None:
    ready.on("POST", "/netsword-leads/_search", _hits())
    with ElasticLeadStore(ready.url) as store:
        assert store.search(LeadQuery(listing_id=("A", "B"))) == []
    assert ready.sent("POST", "/netsword-leads/_search")[0].json["query"] == {
        "bool": {"filter": [{"terms": {"listing_id": ["A", "B"]}}], "must": []}
    }


@pytest.mark.parametrize(("status", "problems"), [("green", 0), ("yellow", 0), ("red", 1)])
def test_integrity_is_the_leads_index_health(ready: EsResponder, status: str, problems: int) -> None:
    """`netsword doctor` asks the cluster about the leads index; only red (primary shards missing) is a problem —
    yellow is a single-node cluster's normal state (replicas unassigned)."""
    health = {"cluster_name": "c", "status": status, "timed_out": False, "number_of_nodes": 1,
              "active_primary_shards": 1, "unassigned_shards": 1 if status != "green" else 0}  # fmt: skip
    ready.on("GET", "/_cluster/health/netsword-leads", health)
    with ElasticLeadStore(ready.url) as store:
        found = store.integrity_problems()
    assert len(found) == problems and all("red" in p for p in found)
    assert ready.requests[-1].params.get("timeout") == "5s"
