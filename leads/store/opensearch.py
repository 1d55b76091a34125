"""Leads in OpenSearch: the Elasticsearch store's logic (leads/store/elastic*.py) over the OpenSearch client.

Everything the two engines do differently is in leads/store/opensearch_client.py; see docs/elasticsearch.md.
"""

from __future__ import annotations

from elasticsearch import Elasticsearch

from leads.store.elastic import ElasticLeadStore
from leads.store.elastic_client import ClientSettings
from leads.store.opensearch_client import as_store_client, make_opensearch_client


class OpenSearchLeadStore(ElasticLeadStore):
    """Leads in an OpenSearch index behind a write alias (OpenSearch 2.4+: point in time in `_search`)."""

    engine = "OpenSearch"

    def connect(self, url: str, settings: ClientSettings) -> Elasticsearch:
        client: Elasticsearch = as_store_client(make_opensearch_client(url, settings))
        return client
