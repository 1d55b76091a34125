"""OpenSearch through configuration: `store.engine = "opensearch"` opens the OpenSearch store (opensearch-py)
against an osmem-server process on 127.0.0.1, and the requests that differ from Elasticsearch's go to
OpenSearch's endpoints. The shared suite (test_store_contract.py) runs on the same server."""

from __future__ import annotations

import uuid

import pytest
from elasticsearch import NotFoundError

from leads.store import open_store_from_config
from leads.store.base import LeadQuery, StoreError
from leads.store.opensearch import OpenSearchLeadStore
from netsword.config import ConfigError, load_config
from tests.store.lead_factory import make_lead

pytestmark = pytest.mark.osmem


def test_engine_opensearch_opens_the_opensearch_store(osmem_url: str, tmp_path: object) -> None:
    prefix = f"nstest-{uuid.uuid4().hex[:10]}"
    cfg = load_config(env={"NETSWORD_STORE_URL": osmem_url, "NETSWORD_STORE_ENGINE": "opensearch",
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


def test_opensearch_engine_refuses_an_api_key_and_unknown_engines(osmem_url: str) -> None:
    cfg = load_config(env={"NETSWORD_STORE_URL": osmem_url, "NETSWORD_STORE_ENGINE": "opensearch",
                           "NETSWORD_STORE_ES_API_KEY": "abc"})  # fmt: skip
    with pytest.raises(ConfigError, match="OpenSearch takes basic auth"):
        open_store_from_config(cfg)
    with pytest.raises(ConfigError, match="store.engine: must be elasticsearch or opensearch"):
        load_config(env={"NETSWORD_STORE_URL": osmem_url, "NETSWORD_STORE_ENGINE": "solr"})


def test_unreachable_opensearch_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="OpenSearch at http://127.0.0.1:9: cannot prepare index"):
        OpenSearchLeadStore("http://127.0.0.1:9", index_prefix="nstest-none")
