"""OpenSearch through configuration: `store.engine = "opensearch"` opens the OpenSearch store (opensearch-py)
against an osmem-server process on 127.0.0.1; and, against the loopback responder, the requests that differ from
Elasticsearch's go to OpenSearch's documented endpoints with plain JSON headers. The shared suite
(test_store_contract.py) runs on the same osmem server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from elasticsearch import NotFoundError

import leads.store.elastic as elastic
from leads.store import open_store_from_config
from leads.store.base import LeadQuery, StoreError
from leads.store.elastic_mappings import doc_of
from leads.store.opensearch import OpenSearchLeadStore
from netsword.config import ConfigError, load_config
from tests.store.es_responder import OPENSEARCH_HEADERS, EsResponder, Recorded
from tests.store.lead_factory import make_lead


@pytest.mark.osmem
def test_engine_opensearch_opens_the_opensearch_store(osmem_base_url: str, tmp_path: object) -> None:
    prefix = f"nstest-{uuid.uuid4().hex[:10]}"
    cfg = load_config(env={"NETSWORD_STORE_URL": osmem_base_url, "NETSWORD_STORE_ENGINE": "opensearch",
                           "NETSWORD_STORE_INDEX_PREFIX": prefix})  # fmt: skip
    with open_store_from_config(cfg) as store:
        assert isinstance(store, OpenSearchLeadStore)
        assert store.upsert_many([make_lead(f"L{i}") for i in range(3)]).created == 3
        store.refresh()
        # an export opens and closes an OpenSearch point in time (POST <index>/_search/point_in_time)
        assert sorted(lead.lead_id for lead in store.iter_leads(LeadQuery())) == sorted(
            make_lead(f"L{i}").lead_id for i in range(3)
        )
        # the engine's errors reach the store as the ones it handles: a missing document is None, not a crash
        assert store.get("ld-missing") is None
        with pytest.raises(NotFoundError):
            store.client.indices.get_mapping(index=f"{prefix}-nothing")


@pytest.mark.osmem
def test_opensearch_engine_refuses_an_api_key_and_unknown_engines(osmem_base_url: str) -> None:
    cfg = load_config(env={"NETSWORD_STORE_URL": osmem_base_url, "NETSWORD_STORE_ENGINE": "opensearch",
                           "NETSWORD_STORE_ES_API_KEY": "abc"})  # fmt: skip
    with pytest.raises(ConfigError, match="OpenSearch takes basic auth"):
        open_store_from_config(cfg)
    with pytest.raises(ConfigError, match="store.engine: must be elasticsearch or opensearch"):
        load_config(env={"NETSWORD_STORE_URL": osmem_base_url, "NETSWORD_STORE_ENGINE": "solr"})


def test_unreachable_opensearch_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="OpenSearch at http://127.0.0.1:9: cannot prepare index"):
        OpenSearchLeadStore("http://127.0.0.1:9", index_prefix="nstest-none")


def test_requests_use_opensearch_endpoints_and_plain_json(ready: EsResponder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point in time is `_search/point_in_time` (answer `pit_id`, closed by a `pit_id` list), never Elasticsearch's
    `_pit`; bodies go as application/json and bulk as application/x-ndjson, never `compatible-with` media
    types (OpenSearch answers those with 406); a bulk write is NDJSON."""
    ready.headers = dict(OPENSEARCH_HEADERS)
    monkeypatch.setattr(elastic, "PAGE", 2)
    leads = [make_lead(f"L{i}", score=90 - i) for i in range(3)]
    pages = [leads[0:2], leads[2:3]]
    ready.on("POST", "/netsword-leads/_search/point_in_time", {"pit_id": "pit-1", "_shards": {}, "creation_time": 1})

    def page(request: Recorded) -> tuple[int, Any]:
        number = len(ready.sent("POST", "/_search")) - 1
        hits = [{"_id": lead.lead_id, "_source": doc_of(lead), "sort": [lead.score, lead.lead_id]}
                for lead in pages[number]]  # fmt: skip
        return 200, {"pit_id": f"pit-{number + 2}", "hits": {"hits": hits}}

    ready.on("POST", "/_search", page)
    ready.on("DELETE", "/_search/point_in_time", {"pits": [{"pit_id": "pit-3", "successful": True}]})
    ready.on(
        "POST", "/netsword-leads/_mget", lambda r: (200, {"docs": [{"_id": i, "found": False} for i in r.json["ids"]]})
    )
    ready.on("POST", "/_bulk", lambda r: (200, {"errors": False, "items": [
        {"create": {"_id": a["create"]["_id"], "status": 201, "result": "created"}} for a in r.ndjson[::2]]}))  # fmt: skip
    with OpenSearchLeadStore(ready.url) as store:
        assert store.upsert_many(leads[:1]).created == 1
        assert list(store.iter_leads(LeadQuery())) == leads
    assert ready.sent("POST", "/netsword-leads/_search/point_in_time")[0].params == {"keep_alive": "2m"}
    assert [r.json["pit"] for r in ready.sent("POST", "/_search")] == [{"id": "pit-1", "keep_alive": "2m"},
                                                                       {"id": "pit-2", "keep_alive": "2m"}]  # fmt: skip
    assert ready.sent("DELETE", "/_search/point_in_time")[0].json == {"pit_id": ["pit-3"]}
    assert not ready.sent("POST", "/netsword-leads/_pit")
    for request in ready.requests:
        media = {k.lower(): v for k, v in request.headers.items()}
        assert "compatible-with" not in media.get("accept", "") + media.get("content-type", "")
        if request.body:  # opensearch-py sends _bulk's NDJSON as application/json too, which OpenSearch accepts
            assert media["content-type"].startswith(("application/json", "application/x-ndjson")), request.path
    assert [line.get("create", {}).get("_id") for line in ready.sent("POST", "/_bulk")[0].ndjson[::2]] == [
        leads[0].lead_id
    ]


@pytest.mark.osmem
def test_reindex_on_opensearch_moves_the_alias_and_keeps_every_lead(osmem_base_url: str) -> None:
    """`netsword leads reindex` on OpenSearch: `_reindex` with external versions, the write block, the alias swap."""
    from leads.store.elastic_bulk import BulkSettings

    prefix = f"nstest-{uuid.uuid4().hex[:10]}"
    store = OpenSearchLeadStore(osmem_base_url, index_prefix=prefix, bulk=BulkSettings(refresh="wait_for"), replicas=0)
    try:
        store.upsert_many([make_lead(f"L{i}") for i in range(30)])
        store.set_status(make_lead("L1").lead_id, "confirmed")
        report = store.reindex(delete_old=True)
        assert (report.old_index, report.new_index, report.documents) == (
            f"{prefix}-leads-v1",
            f"{prefix}-leads-v2",
            30,
        )
        assert store.upsert_many([make_lead("L99")]).created == 1  # written through the moved alias, not blocked
        store.refresh()
        assert store.count(LeadQuery()) == 31
        confirmed = store.get(make_lead("L1").lead_id)
        assert confirmed is not None and confirmed.status == "confirmed"
        assert [c["after"] for c in store.status_history(make_lead("L1").lead_id)] == ["confirmed"]
        assert set(store.client.indices.get(index=f"{prefix}-leads-v*").body) == {f"{prefix}-leads-v2"}
    finally:
        store.client.indices.delete(index=f"{prefix}-leads-v*", allow_no_indices=True)
        store.client.indices.delete_index_template(name=f"{prefix}-leads")
        store.close()
