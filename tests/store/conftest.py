"""Fixtures for the store tests: the shared suite's `store` (SQLite always; OpenSearch through opensearch-py
against an `osmem-server` process on 127.0.0.1; Elasticsearch when NETSWORD_TEST_ES_URL is set, OpenSearch when
NETSWORD_TEST_OPENSEARCH_URL is set) and the adapter tests' loopback responder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from leads.store.base import LeadStore
from leads.store.sqlite import SqliteLeadStore
from tests.store.es_responder import EsResponder, alias_body

ES_URL = os.environ.get("NETSWORD_TEST_ES_URL", "")
LIVE_SKIP = "NETSWORD_TEST_ES_URL is not set: no live Elasticsearch cluster to run the shared suite against"
OS_URL = os.environ.get("NETSWORD_TEST_OPENSEARCH_URL", "")
OS_LIVE_SKIP = "NETSWORD_TEST_OPENSEARCH_URL is not set: no live OpenSearch cluster to run the shared suite against"


def _live_store() -> Iterator[LeadStore]:
    from leads.store.elastic import ElasticLeadStore
    from leads.store.elastic_bulk import BulkSettings
    from leads.store.elastic_client import ClientSettings

    settings = ClientSettings(
        api_key=os.environ.get("NETSWORD_TEST_ES_API_KEY", ""),
        username=os.environ.get("NETSWORD_TEST_ES_USERNAME", ""),
        password=os.environ.get("NETSWORD_TEST_ES_PASSWORD", ""),
        ca_certs=os.environ.get("NETSWORD_TEST_ES_CA_CERTS", ""),
        compat_version=int(os.environ.get("NETSWORD_TEST_ES_COMPAT", "8")),
    )
    prefix = f"nstest-{uuid.uuid4().hex[:10]}"
    store = ElasticLeadStore(
        ES_URL, index_prefix=prefix, client_settings=settings, bulk=BulkSettings(refresh="wait_for"), replicas=0
    )
    try:
        yield store
    finally:
        store.client.indices.delete(index=f"{prefix}-leads-v*", allow_no_indices=True)
        store.client.indices.delete(index=f"{prefix}-listings-v*", allow_no_indices=True)
        store.client.indices.delete_index_template(name=f"{prefix}-leads")
        store.close()


def _opensearch_store(url: str) -> Iterator[LeadStore]:
    from leads.store.elastic_bulk import BulkSettings
    from leads.store.elastic_client import ClientSettings
    from leads.store.opensearch import OpenSearchLeadStore

    settings = ClientSettings(
        username=os.environ.get("NETSWORD_TEST_OPENSEARCH_USERNAME", ""),
        password=os.environ.get("NETSWORD_TEST_OPENSEARCH_PASSWORD", ""),
        ca_certs=os.environ.get("NETSWORD_TEST_OPENSEARCH_CA_CERTS", ""),
    )
    prefix = f"nstest-{uuid.uuid4().hex[:10]}"
    store = OpenSearchLeadStore(
        url, index_prefix=prefix, client_settings=settings, bulk=BulkSettings(refresh="wait_for"), replicas=0
    )
    try:
        yield store
    finally:
        store.client.indices.delete(index=f"{prefix}-leads-v*", allow_no_indices=True)
        store.client.indices.delete(index=f"{prefix}-listings-v*", allow_no_indices=True)
        store.client.indices.delete_index_template(name=f"{prefix}-leads")
        store.close()


@pytest.fixture(scope="session")
def osmem_base_url() -> Iterator[str]:
    """One `osmem-server` process (in-memory, OpenSearch-compatible) on 127.0.0.1 and a free port, for the session;
    each test works in its own index prefix."""
    try:
        from osmem_server import OsmemError, OsmemServer
    except ImportError:
        pytest.skip("osmem-server is not installed (pip install -e '.[dev]')")
    try:
        server = OsmemServer.start(addr="127.0.0.1:0", startup_timeout=20.0)
    except OsmemError as exc:
        pytest.skip(f"osmem-server could not start: {exc}")
    try:
        yield server.url
    finally:
        server.close()


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("opensearch-osmem", marks=[pytest.mark.osmem]),
        pytest.param("elasticsearch", marks=[pytest.mark.es_live, pytest.mark.skipif(not ES_URL, reason=LIVE_SKIP)]),
        pytest.param(
            "opensearch", marks=[pytest.mark.opensearch_live, pytest.mark.skipif(not OS_URL, reason=OS_LIVE_SKIP)]
        ),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[LeadStore]:
    """Each store the shared suite runs against."""
    if request.param == "sqlite":
        with SqliteLeadStore(tmp_path / "leads.db") as sqlite_store:
            yield sqlite_store
    elif request.param == "opensearch-osmem":
        yield from _opensearch_store(request.getfixturevalue("osmem_base_url"))
    elif request.param == "opensearch":
        yield from _opensearch_store(OS_URL)
    else:
        yield from _live_store()


@pytest.fixture
def responder() -> Iterator[EsResponder]:
    """A loopback responder; the test fails if the client sent anything the test did not script."""
    es = EsResponder()
    es.start()
    try:
        yield es
    finally:
        es.stop()
    assert not es.unmatched, f"unscripted requests: {es.unmatched}"


@pytest.fixture
def ready(responder: EsResponder) -> EsResponder:
    """A responder for a cluster where the alias already exists (so opening the store sends one request)."""
    responder.on("GET", "/_alias/netsword-leads", alias_body("netsword-leads", "netsword-leads-v1"))
    return responder
