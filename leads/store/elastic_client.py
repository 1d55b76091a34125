"""The Elasticsearch client for the lead store: URL, API key / basic auth, TLS CA and REST compatibility headers.

Settings: `store.url`, `store.es_api_key`, `store.es_username`, `store.es_password`, `store.es_ca_certs`,
`store.es_verify_certs`, `store.es_timeout`, `store.es_compat_version` (docs/elasticsearch.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from elastic_transport import HttpHeaders, Transport
from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

# The installed client (9.x) asks for `compatible-with=9`, which 8.x clusters refuse. Elasticsearch 9.x also
# answers requests made `compatible-with=8` (REST API compatibility), so asking for 8 lets one client serve both.
SUPPORTED_COMPAT = (8, 9)
_COMPAT = re.compile(r"compatible-with=\d+")


class _CompatTransport(Transport):
    """A transport that rewrites the REST compatibility version in Accept / Content-Type headers."""

    compat_version = 9

    def perform_request(self, method: str, target: str, *, headers: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(headers, Mapping):
            wanted = f"compatible-with={self.compat_version}"
            headers = HttpHeaders({k: _COMPAT.sub(wanted, v) if isinstance(v, str) else v for k, v in headers.items()})
        if headers is None:
            return super().perform_request(method, target, **kwargs)
        return super().perform_request(method, target, headers=headers, **kwargs)


class CompatWith8Transport(_CompatTransport):
    compat_version = 8


@dataclass(frozen=True)
class ClientSettings:
    """How to reach the cluster; secrets come from the environment through netsword.config."""

    api_key: str = ""
    username: str = ""
    password: str = ""
    ca_certs: str = ""
    verify_certs: bool = True
    timeout: float = 30.0
    compat_version: int = 8
    retry_backoff: float = 1.0  # seconds; the base of the jittered exponential backoff between request retries


def make_client(url: str, settings: ClientSettings) -> Elasticsearch:
    """An Elasticsearch client for `url` with the auth, TLS and compatibility the settings ask for."""
    if settings.compat_version not in SUPPORTED_COMPAT:
        raise ValueError(f"es_compat_version must be 8 or 9, got {settings.compat_version}")
    options: dict[str, Any] = {
        "request_timeout": settings.timeout,
        # the transport retries whole requests refused with 429/502/503/504; bulk items are retried in elastic_bulk
        "max_retries": 3,
        "retry_on_timeout": True,
        "retry_backoff_base": settings.retry_backoff,
        "retry_backoff_cap": 30.0,
    }
    if settings.api_key:
        options["api_key"] = settings.api_key
    elif settings.username:
        options["basic_auth"] = (settings.username, settings.password)
    if url.startswith("https://"):
        options["verify_certs"] = settings.verify_certs
        if settings.ca_certs:
            options["ca_certs"] = settings.ca_certs
    if settings.compat_version == 8:
        options["transport_class"] = CompatWith8Transport
    return Elasticsearch(url, **options)


def bulk_stream(client: Elasticsearch, actions: list[dict[str, Any]], **options: Any) -> Iterator[tuple[bool, Any]]:
    """Each bulk action's outcome, in order, through the client's own bulk helper: elasticsearch's
    `streaming_bulk`, or the OpenSearch client's (leads/store/opensearch_client.py). Same options, same outcomes."""
    if isinstance(client, Elasticsearch):
        yield from streaming_bulk(client, actions, **options)
    else:
        yield from client.streaming_bulk(actions, **options)
