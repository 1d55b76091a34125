"""Adapter tests (no Elasticsearch here): the queries the real client sends for LeadQuery filters, text, sort and
paging, point-in-time exports with search_after, counts, aggregations and status changes."""

from __future__ import annotations

from typing import Any

import pytest

import leads.store.elastic as elastic
from leads.store.base import LeadQuery, StoreError
from leads.store.elastic import ElasticLeadStore
from leads.store.elastic_mappings import doc_of
from tests.store.es_responder import EsResponder, Recorded, error_body
from tests.store.lead_factory import make_lead

INDEX = "netsword-leads-v1"


def _hits(leads: list[Any], sort_of: Any = None) -> dict[str, Any]:
    hits = []
    for lead in leads:
        hit = {"_index": INDEX, "_id": lead.lead_id, "_score": None, "_source": doc_of(lead)}
        if sort_of:
            hit["sort"] = sort_of(lead)
        hits.append(hit)
    return {"took": 2, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"max_score": None, "hits": hits}}  # fmt: skip


def test_search_sends_filters_text_sort_and_paging(ready: EsResponder) -> None:
    lead = make_lead("L1")
    ready.on("POST", "/netsword-leads/_search", _hits([lead]))
    query = LeadQuery(status=("new", "triaged"), kind=("trademark",), platform=("taobao",), entry_id=("tm-nike",),
                      owner=("Nike Innovate C.V.",), assignee="wang", seller="潮鞋小铺", min_score=60, max_score=90,
                      since="2024-05-01T00:00:00Z", until="2024-06-01T00:00:00Z", text=" 耐克 Air ", sort="last_seen",
                      limit=20, offset=40)  # fmt: skip
    with ElasticLeadStore(ready.url) as store:
        assert store.search(query) == [lead]
    body = ready.sent("POST", "/netsword-leads/_search")[0].json
    assert body == {
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"status": ["new", "triaged"]}},
                    {"terms": {"kind": ["trademark"]}},
                    {"terms": {"platform": ["taobao"]}},
                    {"terms": {"entry_id": ["tm-nike"]}},
                    {"terms": {"owner": ["Nike Innovate C.V."]}},
                    {"term": {"assignee": "wang"}},
                    {"term": {"seller": "潮鞋小铺"}},
                    {"range": {"score": {"gte": 60, "lte": 90}}},
                    {"range": {"last_seen": {"gte": "2024-05-01T00:00:00Z", "lt": "2024-06-01T00:00:00Z"}}},
                ],
                "must": [
                    {
                        "multi_match": {
                            "query": "耐克 Air",
                            "type": "phrase",
                            "fields": ["title", "title.bigram", "matched", "matched.bigram"],
                        }
                    }
                ],
            }
        },
        "sort": [{"last_seen": {"order": "desc", "missing": "_last"}}, {"lead_id": "asc"}],
        "from": 40,
        "size": 20,
        "track_total_hits": False,
    }


def test_empty_query_matches_all_and_count_uses_count_api(ready: EsResponder) -> None:
    ready.on(
        "POST",
        "/netsword-leads/_count",
        {"count": 1234, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}},
    )
    with ElasticLeadStore(ready.url) as store:
        assert store.count(LeadQuery(sort="first_seen")) == 1234
        with pytest.raises(StoreError, match="sort must be one of"):
            store.search(LeadQuery(sort="price"))
        with pytest.raises(StoreError, match="offset \\+ limit may be at most 10000"):
            store.search(LeadQuery(offset=9_990, limit=20))
    assert ready.sent("POST", "/netsword-leads/_count")[0].json == {"query": {"match_all": {}}}


def test_iter_leads_uses_point_in_time_and_search_after(ready: EsResponder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(elastic, "PAGE", 2)
    leads = [make_lead(f"L{i}", score=90 - i) for i in range(5)]
    pages = [leads[0:2], leads[2:4], leads[4:5]]
    ready.on("POST", "/netsword-leads/_pit", {"id": "pit-1"})

    def page(request: Recorded) -> tuple[int, Any]:
        number = len(ready.sent("POST", "/_search")) - 1
        body = _hits(pages[number], sort_of=lambda lead: [lead.score, lead.lead_id])
        body["pit_id"] = f"pit-{number + 2}"  # the cluster may hand a new id back with each page
        return 200, body

    ready.on("POST", "/_search", page)
    ready.on("DELETE", "/_pit", {"succeeded": True, "num_freed": 1})
    with ElasticLeadStore(ready.url) as store:
        assert list(store.iter_leads(LeadQuery(platform=("taobao",), limit=1))) == leads
    assert ready.sent("POST", "/netsword-leads/_pit")[0].params == {"keep_alive": "2m"}
    searches = [r.json for r in ready.sent("POST", "/_search")]
    assert [s["pit"] for s in searches] == [{"id": "pit-1", "keep_alive": "2m"}, {"id": "pit-2", "keep_alive": "2m"},
                                            {"id": "pit-3", "keep_alive": "2m"}]  # fmt: skip
    assert [s.get("search_after") for s in searches] == [None, [89, leads[1].lead_id], [87, leads[3].lead_id]]
    assert all(s["size"] == 2 and s["sort"] == [{"score": "desc"}, {"lead_id": "asc"}] for s in searches)
    assert searches[0]["query"] == {"bool": {"filter": [{"terms": {"platform": ["taobao"]}}], "must": []}}
    assert ready.sent("DELETE", "/_pit")[0].json == {"id": "pit-4"}


def test_point_in_time_is_closed_when_the_export_stops_early(
    ready: EsResponder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(elastic, "PAGE", 1)
    ready.on("POST", "/netsword-leads/_pit", {"id": "pit-1"})
    ready.on("POST", "/_search", _hits([make_lead("L1")], sort_of=lambda lead: [lead.score, lead.lead_id]))
    ready.on("DELETE", "/_pit", {"succeeded": True, "num_freed": 1})
    with ElasticLeadStore(ready.url) as store:
        export = store.iter_leads(LeadQuery())
        next(export)
        export.close()
    assert len(ready.sent("DELETE", "/_pit")) == 1


def test_aggregations_request_and_answer(ready: EsResponder) -> None:
    answer = {
        "took": 5, "timed_out": False, "hits": {"total": {"value": 7, "relation": "eq"}, "max_score": None, "hits": []},
        "aggregations": {
            "per_day": {"buckets": [
                {"key_as_string": "2024-05-01", "key": 1714521600000, "doc_count": 3, "platforms": {
                    "doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                    "buckets": [{"key": "jd", "doc_count": 1}, {"key": "taobao", "doc_count": 2}]}},
                {"key_as_string": "2024-05-02", "key": 1714608000000, "doc_count": 4, "platforms": {
                    "doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": [{"key": "pdd", "doc_count": 4}]}},
            ]},
            "top_entries": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                            "buckets": [{"key": "tm-nike", "doc_count": 5}, {"key": "tm-lv", "doc_count": 2}]},
            "top_sellers": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 3, "buckets": [{"key": "鞋王", "doc_count": 4}]},
            "top_platforms": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                              "buckets": [{"key": "pdd", "doc_count": 4}, {"key": "taobao", "doc_count": 2}, {"key": "jd", "doc_count": 1}]},
        },
    }  # fmt: skip
    ready.on("POST", "/netsword-leads/_search", answer)
    with ElasticLeadStore(ready.url) as store:
        stats = store.aggregate(LeadQuery(kind=("trademark",)), top=5)
    assert stats.as_dict() == {
        "total": 7,
        "per_day": [{"day": "2024-05-01", "platform": "jd", "count": 1}, {"day": "2024-05-01", "platform": "taobao", "count": 2},
                    {"day": "2024-05-02", "platform": "pdd", "count": 4}],
        "top_entries": [{"key": "tm-nike", "count": 5}, {"key": "tm-lv", "count": 2}],
        "top_sellers": [{"key": "鞋王", "count": 4}],
        "top_platforms": [{"key": "pdd", "count": 4}, {"key": "taobao", "count": 2}, {"key": "jd", "count": 1}],
    }  # fmt: skip
    body = ready.sent("POST", "/netsword-leads/_search")[0].json
    assert body["size"] == 0 and body["track_total_hits"] is True
    assert body["query"] == {"bool": {"filter": [{"terms": {"kind": ["trademark"]}}], "must": []}}
    assert body["aggs"]["per_day"]["date_histogram"]["field"] == "first_seen"
    assert body["aggs"]["per_day"]["date_histogram"]["calendar_interval"] == "day"
    assert body["aggs"]["top_sellers"]["terms"] == {"field": "seller", "size": 5, "exclude": [""]}


def test_get_and_set_status_with_optimistic_concurrency(ready: EsResponder) -> None:
    lead = make_lead("L1")
    found = {"_index": INDEX, "_id": lead.lead_id, "_version": 3, "_seq_no": 12, "_primary_term": 2, "found": True,
             "_source": doc_of(lead, status_history=[])}  # fmt: skip
    ready.on("GET", f"/netsword-leads/_doc/{lead.lead_id}", found)
    ready.on(
        "GET", "/netsword-leads/_doc/ld-missing", {"_index": INDEX, "_id": "ld-missing", "found": False}, status=404
    )
    conflict = error_body("version_conflict_engine_exception", "version conflict, required seqNo [12]", 409)
    ready.on("POST", f"/{INDEX}/_update/{lead.lead_id}", {"_index": INDEX, "_id": lead.lead_id, "result": "updated"})
    ready.on("POST", f"/{INDEX}/_update/{lead.lead_id}", conflict, status=409, times=1)
    with ElasticLeadStore(ready.url) as store:
        assert store.get(lead.lead_id) == lead
        assert store.get("ld-missing") is None
        changed = store.set_status(lead.lead_id, "triaged", assignee="li")
        with pytest.raises(StoreError, match="no lead"):
            store.set_status("ld-missing", "triaged")
    assert (changed.status, changed.assignee) == ("triaged", "li")
    first, second = ready.sent("POST", f"/{INDEX}/_update/.*")
    assert first.params == {"if_seq_no": "12", "if_primary_term": "2", "refresh": "wait_for"}
    assert second.params == first.params  # the conflict made it read the lead again before writing
    doc = second.json["doc"]
    assert (doc["status"], doc["assignee"]) == ("triaged", "li")
    assert [(c["before"], c["after"], c["assignee"]) for c in doc["status_history"]] == [("new", "triaged", "li")]
