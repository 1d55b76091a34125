"""Fixtures for the store tests: the shared suite's `store` (SQLite always; OpenSearch through opensearch-py
against an `osmem-server` process on 127.0.0.1; Elasticsearch when NETSWORD_TEST_ES_URL is set, OpenSearch when
NETSWORD_TEST_OPENSEARCH_URL is set) and the adapter tests' loopback responder."""

from __future__ import annotations

import importlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from leads.store.base import LeadStore
from leads.store.sqlite import SqliteLeadStore
from tests.store.es_responder import EsResponder, alias_body


@dataclass(frozen=True)
class Cluster:
    """A search engine the shared suite runs against: its store class and the NETSWORD_TEST_<ENV>_* variables that
    reach a live cluster (URL; USERNAME, PASSWORD, CA_CERTS; Elasticsearch also API_KEY and COMPAT)."""

    param: str  # the `store` fixture's parameter
    engine: str  # the leads.store module and class: elastic.ElasticLeadStore, opensearch.OpenSearchLeadStore
    product: str
    env: str
    mark: pytest.MarkDecorator  # -m es_live / opensearch_live

    def setting(self, name: str, default: str = "") -> str:
        return os.environ.get(f"NETSWORD_TEST_{self.env}_{name}", default)

    @property
    def url(self) -> str:
        return self.setting("URL")

    @property
    def skip_reason(self) -> str:
        return (
            f"NETSWORD_TEST_{self.env}_URL is not set: no live {self.product} cluster to run the shared suite against"
        )

    def client_settings(self) -> Any:
        from leads.store.elastic_client import ClientSettings

        auth = {"username": self.setting("USERNAME"), "password": self.setting("PASSWORD"),
                "ca_certs": self.setting("CA_CERTS")}  # fmt: skip
        if self.env == "ES":  # API keys and the 9.x compatibility header are Elasticsearch's own
            auth.update(api_key=self.setting("API_KEY"), compat_version=int(self.setting("COMPAT", "8")))
        return ClientSettings(**auth)  # type: ignore[arg-type]

    def live_param(self) -> Any:
        """Its parameter for a live cluster: skipped, naming the variable to set, unless NETSWORD_TEST_<ENV>_URL is."""
        return pytest.param(self.param, marks=[self.mark, pytest.mark.skipif(not self.url, reason=self.skip_reason)])


ELASTICSEARCH = Cluster("elasticsearch", "elastic.ElasticLeadStore", "Elasticsearch", "ES", pytest.mark.es_live)
OPENSEARCH = Cluster(
    "opensearch", "opensearch.OpenSearchLeadStore", "OpenSearch", "OPENSEARCH", pytest.mark.opensearch_live
)
LIVE = {cluster.param: cluster for cluster in (ELASTICSEARCH, OPENSEARCH)}


def _search_store(cluster: Cluster, url: str) -> Iterator[LeadStore]:
    """A store in its own index prefix on the cluster at `url`, its indices and template deleted afterwards."""
    from leads.store.elastic_bulk import BulkSettings

    module, name = cluster.engine.split(".")
    store_class = getattr(importlib.import_module(f"leads.store.{module}"), name)
    prefix = f"nstest-{uuid.uuid4().hex[:10]}"
    store = store_class(url, index_prefix=prefix, client_settings=cluster.client_settings(),
                        bulk=BulkSettings(refresh="wait_for"), replicas=0)  # fmt: skip
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
        server = OsmemServer.start(addr="127.0.0.1:0", startup_timeout=60.0)  # a loaded machine must not skip it
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
        *(cluster.live_param() for cluster in LIVE.values()),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[LeadStore]:
    """Each store the shared suite runs against."""
    if request.param == "sqlite":
        with SqliteLeadStore(tmp_path / "leads.db") as sqlite_store:
            yield sqlite_store
    elif request.param == "opensearch-osmem":
        yield from _search_store(OPENSEARCH, request.getfixturevalue("osmem_base_url"))
    else:
        yield from _search_store(LIVE[request.param], LIVE[request.param].url)


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
