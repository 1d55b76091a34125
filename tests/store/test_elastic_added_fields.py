"""Adapter test (no Elasticsearch here): an index made before `last_run` refuses a crawl's sighting (strict mapping);
the store adds the field to the index's mapping once and writes the sighting again, nothing lost."""

from __future__ import annotations

from typing import Any

from leads.store.elastic import ElasticLeadStore
from leads.store.elastic_bulk import BulkSettings
from leads.store.elastic_client import ClientSettings
from tests.store.es_responder import (
    EsResponder,
    Recorded,
    acknowledged,
    bulk_actions,
    bulk_item,
    bulk_response,
    none_found,
)
from tests.store.lead_factory import make_lead

INDEX = "netsword-leads-v1"
FAST = BulkSettings(chunk_size=500, max_retries=1, initial_backoff=0.001, max_backoff=0.01)


def test_an_older_index_gets_last_run_added_and_the_write_made_again(ready: EsResponder) -> None:
    mapped: list[str] = []

    def bulk(request: Recorded) -> tuple[int, Any]:
        items = []
        for op, meta, source in bulk_actions(request):
            assert source is not None
            if "last_run" in source and not mapped:
                reason = (
                    "[1:910] mapping set to strict, dynamic introduction of [last_run] within [_doc] is not allowed"
                )
                error = {"type": "strict_dynamic_mapping_exception", "reason": reason}
                items.append(bulk_item(op, INDEX, meta["_id"], 400, error))
            else:
                items.append(bulk_item(op, INDEX, meta["_id"]))
        return 200, bulk_response(items)

    def put_mapping(request: Recorded) -> tuple[int, Any]:
        mapped.append(request.json["properties"]["last_run"]["type"])
        return acknowledged()

    ready.on("POST", "/netsword-leads/_mget", none_found)
    ready.on("PUT", "/_bulk", bulk)
    ready.on("PUT", "/netsword-leads/_mapping", put_mapping)
    leads = [make_lead("L1").with_changes(last_run="run-a"), make_lead("L2").with_changes(last_run="run-a")]
    with ElasticLeadStore(ready.url, bulk=FAST, client_settings=ClientSettings(retry_backoff=0.001)) as store:
        report = store.upsert_many(leads)
        assert report.as_dict() == {"created": 2, "updated": 0, "unchanged": 0, "failed": 0}, report.errors
        assert mapped == ["keyword"]
        store.upsert_many([make_lead("L3").with_changes(last_run="run-a")])
    assert mapped == ["keyword"]  # once: later writes go straight through
    assert len(ready.sent("PUT", "/_bulk")) == 3


def test_a_lead_from_no_crawl_run_carries_no_last_run(ready: EsResponder) -> None:
    ready.on("POST", "/netsword-leads/_mget", none_found)
    ready.on(
        "PUT", "/_bulk", lambda request: (200, bulk_response([bulk_item("create", INDEX, make_lead("L1").lead_id)]))
    )
    with ElasticLeadStore(ready.url, bulk=FAST, client_settings=ClientSettings(retry_backoff=0.001)) as store:
        store.upsert_many([make_lead("L1")])
    ((_, _, source),) = bulk_actions(ready.sent("PUT", "/_bulk")[0])
    assert source is not None and "last_run" not in source  # an index made before the field takes it as before
