"""Adapter tests (no Elasticsearch here): bulk upserts through the real client against a loopback responder —
the NDJSON bodies sent, history kept, optimistic concurrency, 429 retries and per-document failure reporting."""

from __future__ import annotations

from typing import Any

import pytest

from leads.store.base import StoreError
from leads.store.elastic import ElasticLeadStore
from leads.store.elastic_bulk import BulkSettings
from leads.store.elastic_client import ClientSettings
from leads.store.elastic_mappings import doc_of
from tests.store.es_responder import EsResponder, Recorded, bulk_actions, bulk_item, bulk_response
from tests.store.lead_factory import make_lead, upsert_one

INDEX = "netsword-leads-v1"
FAST = BulkSettings(chunk_size=500, max_retries=3, initial_backoff=0.001, max_backoff=0.01)


class Cluster:
    """What the responder answers mget with: documents by id with their sequence numbers."""

    def __init__(self, es: EsResponder) -> None:
        self.docs: dict[str, tuple[dict[str, Any], int]] = {}
        self.item_errors: list[dict[str, tuple[int, dict[str, Any]]]] = []  # per bulk request: id → (status, error)
        es.on("POST", "/netsword-leads/_mget", self.mget)
        es.on("PUT", "/_bulk", self.bulk)

    def mget(self, request: Recorded) -> tuple[int, Any]:
        docs = []
        for doc_id in request.json["ids"]:
            if doc_id in self.docs:
                source, seq = self.docs[doc_id]
                docs.append({"_index": INDEX, "_id": doc_id, "_version": seq + 1, "_seq_no": seq, "_primary_term": 1,
                             "found": True, "_source": source})  # fmt: skip
            else:
                docs.append({"_index": INDEX, "_id": doc_id, "found": False})
        return 200, {"docs": docs}

    def bulk(self, request: Recorded) -> tuple[int, Any]:
        errors = self.item_errors.pop(0) if self.item_errors else {}
        items = []
        for op, meta, source in bulk_actions(request):
            if meta["_id"] in errors:
                status, error = errors[meta["_id"]]
                items.append(bulk_item(op, INDEX, meta["_id"], status, error))
                continue
            seq = self.docs[meta["_id"]][1] + 1 if meta["_id"] in self.docs else 0
            assert source is not None
            self.docs[meta["_id"]] = (source, seq)
            items.append(bulk_item(op, INDEX, meta["_id"]))
        return 200, bulk_response(items)


def _store(es: EsResponder, bulk: BulkSettings = FAST) -> ElasticLeadStore:
    return ElasticLeadStore(es.url, bulk=bulk, client_settings=ClientSettings(retry_backoff=0.001))


def test_new_leads_are_created_with_create_actions(ready: EsResponder) -> None:
    cluster = Cluster(ready)
    leads = [make_lead("L1"), make_lead("L2", title="LV 手提包", price=None)]
    with _store(ready) as store:
        report = store.upsert_many(leads)
    assert report.as_dict() == {"created": 2, "updated": 0, "unchanged": 0, "failed": 0}
    mget = ready.sent("POST", "/netsword-leads/_mget")[0]
    assert mget.json == {"ids": [leads[0].lead_id, leads[1].lead_id]}
    bulk = ready.sent("PUT", "/_bulk")[0]
    assert bulk.headers["content-type"] == "application/vnd.elasticsearch+x-ndjson; compatible-with=8"
    actions = bulk_actions(bulk)
    assert [(op, meta) for op, meta, _ in actions] == [
        ("create", {"_index": "netsword-leads", "_id": leads[0].lead_id}),
        ("create", {"_index": "netsword-leads", "_id": leads[1].lead_id}),
    ]
    first = actions[0][2]
    assert first is not None
    assert (first["times_seen"], first["status"], first["title"], first["seller"], first["price"]) == (
        1,
        "new",
        "耐克 Air Max 运动鞋 高仿",
        "潮鞋小铺",
        99.0,
    )
    assert first["price_history"] == [{"at": "2024-05-01T08:00:00Z", "price": 99.0, "currency": "CNY"}]
    assert actions[1][2] is not None and actions[1][2]["price_history"] == []
    assert cluster.docs[leads[0].lead_id][0] == first


def test_seen_again_keeps_history_and_uses_sequence_numbers(ready: EsResponder) -> None:
    cluster = Cluster(ready)
    old = make_lead("L1", seen="2024-05-01T00:00:00Z", price=100).with_changes(
        status="confirmed", assignee="wang", times_seen=3,
        price_history=({"at": "2024-05-01T00:00:00Z", "price": 100.0, "currency": "CNY"},),
    )  # fmt: skip
    changes = [{"at": "2024-05-02T00:00:00Z", "before": "new", "after": "confirmed", "assignee": "wang"}]
    cluster.docs[old.lead_id] = (doc_of(old, status_history=changes), 41)
    with _store(ready) as store:
        assert upsert_one(store, make_lead("L1", seen="2024-06-01T00:00:00Z", price=80)) == "updated"
        assert upsert_one(store, make_lead("L1", seen="2024-06-02T00:00:00Z", price=80)) == "unchanged"
    first, second = (bulk_actions(r)[0] for r in ready.sent("PUT", "/_bulk"))
    assert first[0] == "index"
    assert first[1] == {"_index": "netsword-leads", "_id": old.lead_id, "if_seq_no": 41, "if_primary_term": 1}
    assert second[1]["if_seq_no"] == 42
    body = second[2]
    assert body is not None
    assert (body["status"], body["assignee"], body["first_seen"], body["last_seen"], body["times_seen"]) == (
        "confirmed", "wang", "2024-05-01T00:00:00Z", "2024-06-02T00:00:00Z", 5,
    )  # fmt: skip
    assert [p["price"] for p in body["price_history"]] == [100.0, 80.0]
    assert body["status_history"] == changes


def test_item_rejected_with_429_is_retried_with_only_that_item(ready: EsResponder) -> None:
    cluster = Cluster(ready)
    leads = [make_lead("L1"), make_lead("L2"), make_lead("L3")]
    busy = {"type": "es_rejected_execution_exception", "reason": "rejected execution of coordinating operation"}
    cluster.item_errors = [{leads[1].lead_id: (429, busy)}, {leads[1].lead_id: (429, busy)}]
    with _store(ready) as store:
        report = store.upsert_many(leads)
    assert report.as_dict() == {"created": 3, "updated": 0, "unchanged": 0, "failed": 0}
    sent = [[meta["_id"] for _, meta, _ in bulk_actions(r)] for r in ready.sent("PUT", "/_bulk")]
    assert sent == [[lead.lead_id for lead in leads], [leads[1].lead_id], [leads[1].lead_id]]


def test_429_past_the_retry_limit_is_reported_not_dropped(ready: EsResponder) -> None:
    cluster = Cluster(ready)
    lead = make_lead("L1")
    busy = {"type": "es_rejected_execution_exception", "reason": "queue full"}
    cluster.item_errors = [{lead.lead_id: (429, busy)}] * 4
    with _store(ready) as store:
        report = store.upsert_many([lead, make_lead("L2")])
    assert (report.created, report.failed) == (1, 1)
    assert report.errors == [f"{lead.lead_id}: 429 es_rejected_execution_exception: queue full"]
    assert len(ready.sent("PUT", "/_bulk")) == 4  # the first try and three retries


def test_every_per_document_failure_is_reported(ready: EsResponder) -> None:
    cluster = Cluster(ready)
    leads = [make_lead(f"L{i}") for i in range(4)]
    bad = {"type": "document_parsing_exception", "reason": "[1:120] failed to parse field [score] of type [integer]"}
    cluster.item_errors = [{leads[1].lead_id: (400, bad), leads[3].lead_id: (400, bad)}]
    with _store(ready) as store:
        report = store.upsert_many(leads)
    assert report.as_dict() == {"created": 2, "updated": 0, "unchanged": 0, "failed": 2}
    assert report.errors == [f"{leads[i].lead_id}: 400 document_parsing_exception: {bad['reason']}" for i in (1, 3)]
    cluster.item_errors = [{leads[1].lead_id: (400, bad)}]
    with _store(ready) as store:
        single = store.upsert_many([leads[1]])
    assert (single.failed, single.stored) == (1, [None]) and "failed to parse field" in single.errors[0]


def test_version_conflict_reads_again_and_merges_again(ready: EsResponder) -> None:
    cluster = Cluster(ready)
    lead = make_lead("L1", price=100)
    conflict = {
        "type": "version_conflict_engine_exception",
        "reason": f"[{lead.lead_id}]: version conflict, document already exists",
    }
    # another crawler creates the lead between our mget and our create
    other = make_lead("L1", seen="2024-04-01T00:00:00Z", price=120)

    def racing_bulk(request: Recorded) -> tuple[int, Any]:
        from leads.store.base import first_sighting

        cluster.docs[lead.lead_id] = (doc_of(first_sighting(other)), 7)
        return 200, bulk_response([bulk_item("create", INDEX, lead.lead_id, 409, conflict)])

    ready.on("PUT", "/_bulk", racing_bulk, times=1)
    with _store(ready) as store:
        assert upsert_one(store, lead) == "updated"  # merged into the other writer's lead: price changed 120 → 100
    retry = bulk_actions(ready.sent("PUT", "/_bulk")[1])[0]
    assert retry[0] == "index" and retry[1]["if_seq_no"] == 7
    assert retry[2] is not None and retry[2]["times_seen"] == 2 and retry[2]["first_seen"] == "2024-04-01T00:00:00Z"


def test_same_lead_twice_in_a_chunk_is_written_once(ready: EsResponder) -> None:
    Cluster(ready)
    with _store(ready) as store:
        report = store.upsert_many([make_lead("L1", price=10), make_lead("L1", price=12, seen="2024-05-02T00:00:00Z")])
    assert (report.created, report.updated) == (1, 1)
    (action,) = bulk_actions(ready.sent("PUT", "/_bulk")[0])
    assert action[2] is not None and action[2]["times_seen"] == 2


def test_leads_stream_in_chunks(ready: EsResponder) -> None:
    Cluster(ready)
    with _store(ready, BulkSettings(chunk_size=2, initial_backoff=0.001)) as store:
        report = store.upsert_many(make_lead(f"L{i}") for i in range(5))
    assert report.created == 5
    assert [len(bulk_actions(r)) for r in ready.sent("PUT", "/_bulk")] == [2, 2, 1]
    assert len(ready.sent("POST", "/netsword-leads/_mget")) == 3


def test_shard_failure_in_mget_is_reported(ready: EsResponder) -> None:
    lead = make_lead("L1")
    error = {"type": "no_shard_available_action_exception", "reason": "No shard available"}
    ready.on("POST", "/netsword-leads/_mget", {"docs": [{"_index": INDEX, "_id": lead.lead_id, "error": error}]})
    with _store(ready) as store:
        report = store.upsert_many([lead])
    assert report.failed == 1 and "no_shard_available_action_exception" in report.errors[0]
    assert not ready.sent("PUT", "/_bulk")


def test_whole_bulk_request_refused_is_reported_for_every_lead_in_it(ready: EsResponder) -> None:
    Cluster(ready)
    ready.on(
        "PUT",
        "/_bulk",
        {
            "error": {"type": "security_exception", "reason": "action [indices:data/write/bulk] is unauthorized"},
            "status": 403,
        },
        status=403,
    )
    with _store(ready) as store:
        report = store.upsert_many([make_lead("L1")])
    assert report.failed == 1 and "403" in report.errors[0]


def test_put_raw_writes_as_given_keeps_the_status_log_and_raises_on_failures(ready: EsResponder) -> None:
    cluster = Cluster(ready)
    lead = make_lead("L1").with_changes(status="dismissed", times_seen=9)
    changes = [{"at": "2024-05-02T00:00:00Z", "before": "new", "after": "dismissed", "assignee": ""}]
    with _store(ready) as store:
        assert store.put_raw([lead]) == 1
        op, meta, source = bulk_actions(ready.sent("PUT", "/_bulk")[0])[0]
        assert (op, meta) == ("create", {"_index": "netsword-leads", "_id": lead.lead_id})
        assert source == doc_of(lead)
        # replacing a stored lead: conditional on what was read, the status log carried over
        cluster.docs[lead.lead_id] = (doc_of(lead, status_history=changes), 17)
        copy = lead.with_changes(status="confirmed", times_seen=12)
        assert store.put_raw([copy]) == 1
        op, meta, source = bulk_actions(ready.sent("PUT", "/_bulk")[1])[0]
        assert (op, meta) == ("index", {"_index": "netsword-leads", "_id": lead.lead_id, "if_seq_no": 17,
                                        "if_primary_term": 1})  # fmt: skip
        assert source == doc_of(copy, status_history=changes)
        cluster.item_errors = [{lead.lead_id: (400, {"type": "strict_dynamic_mapping_exception", "reason": "no"})}]
        with pytest.raises(StoreError, match="1 leads not written"):
            store.put_raw([lead, make_lead("L2")])
