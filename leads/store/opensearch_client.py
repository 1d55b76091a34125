"""The OpenSearch client for the lead store: the official `opensearch-py` client behind the calls the store makes.

The Elasticsearch store's modules (elastic*.py) talk to a client through a small set of calls, written the way the
`elasticsearch` client spells them (`search(query=…, sort=…, pit=…)`, `mget`, `update`, `indices.*`, `.body` on
every answer, `ApiError` / `NotFoundError` / `ConflictError` on failure). `OpenSearchClient` is the second
implementation of those calls, and every difference between the two engines is handled here and nowhere else:

- headers: plain `application/json` / `application/x-ndjson` (OpenSearch refuses Elasticsearch's
  `compatible-with` media types with 406), sent by opensearch-py's own transport;
- point in time: `POST /<index>/_search/point_in_time?keep_alive=…` answering `pit_id`, closed with
  `DELETE /_search/point_in_time {"pit_id": [...]}` (Elasticsearch: `POST /<index>/_pit`, `DELETE /_pit`);
- request bodies: opensearch-py takes a `body`, so the keyword arguments become the body or URL parameters here;
- `_bulk`: opensearch-py's `helpers.streaming_bulk` (same item outcomes, same 429 retries with backoff);
- errors: opensearch-py's exceptions are raised again as the `elasticsearch` ones the store already handles, with
  the status and the error body kept, so the store's retry/conflict/blocked logic is one code path for both.

Mappings, settings, aggregations, `_reindex` with external versions, aliases and `_delete_by_query` are the same
requests on both engines (OpenSearch forked from Elasticsearch 7.10 and kept these APIs).

Settings: `store.engine = "opensearch"`, `store.url` and the `store.es_*` auth/TLS/timeout keys (docs/elasticsearch.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

import opensearchpy
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout as TransportConnectionTimeout
from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    BadRequestError,
    ConflictError,
    NotFoundError,
)
from opensearchpy.helpers import streaming_bulk

from leads.store.elastic_client import ClientSettings

# the keyword arguments of `search` / `count` / `delete_by_query` / `reindex` that go in the request body
_BODY_KEYS = {"query", "sort", "size", "from_", "search_after", "pit", "aggs", "track_total_hits"}
_RENAMED = {"from_": "from", "source_includes": "_source_includes", "source_excludes": "_source_excludes",
            "meta": "_meta"}  # fmt: skip
_ERRORS: dict[int, type[ApiError]] = {400: BadRequestError, 401: AuthenticationException,
                                      403: AuthorizationException, 404: NotFoundError, 409: ConflictError}  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """An answer with `.body`, as the store reads them from the elasticsearch client."""

    body: Any


def _path(*parts: str) -> str:
    return "/" + "/".join(quote(part, safe=",*") for part in parts if part)


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _split(kwargs: Mapping[str, Any], body_keys: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(request body, URL parameters) from elasticsearch-client keyword arguments."""
    body: dict[str, Any] = {}
    params: dict[str, str] = {}
    for key, value in kwargs.items():
        if value is None:
            continue
        if key in body_keys:
            body[_RENAMED.get(key, key)] = value
        else:
            params[_RENAMED.get(key, key)] = _param(value)
    return body, params


class OpenSearchClient:
    """The store's client calls, made with opensearch-py against an OpenSearch cluster (see the module doc)."""

    def __init__(self, client: opensearchpy.OpenSearch, *, timeout: float = 30.0,
                 ignore_status: tuple[int, ...] = ()) -> None:  # fmt: skip
        self.os = client
        self.timeout = timeout
        self._ignore = ignore_status
        self.indices = _Indices(self)
        self.cluster = _Cluster(self)
        self.nodes = _Nodes(self)

    # -- plumbing ---------------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None, body: Any = None) -> Answer:
        try:
            # the request timeout is given, so that a `timeout` URL parameter (cluster health) stays one
            answer = self.os.transport.perform_request(method, path, params=dict(params or {}), body=body,
                                                       timeout=self.timeout)  # fmt: skip
        except opensearchpy.ConnectionTimeout as exc:
            raise TransportConnectionTimeout(f"OpenSearch {method} {path}: {exc}") from exc
        except opensearchpy.ConnectionError as exc:  # includes SSL errors: the cluster could not be reached
            raise TransportConnectionError(f"OpenSearch {method} {path}: {exc}") from exc
        except opensearchpy.TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else 500
            if status in self._ignore:
                return Answer(exc.info if isinstance(exc.info, Mapping) else {"error": str(exc.error)})
            raise _api_error(method, path, status, exc) from exc
        return Answer(answer if answer is not None else {})

    def options(self, *, ignore_status: int | tuple[int, ...] = ()) -> OpenSearchClient:
        ignored = (ignore_status,) if isinstance(ignore_status, int) else tuple(ignore_status)
        return OpenSearchClient(self.os, timeout=self.timeout, ignore_status=ignored)

    def streaming_bulk(self, actions: list[dict[str, Any]], **options: Any) -> Iterator[tuple[bool, dict[str, Any]]]:
        """Each action's outcome, in order (opensearch-py's helper; 429 items retried with backoff)."""
        refresh = options.pop("refresh", None)
        if refresh is not None:
            options["refresh"] = _param(refresh)
        yield from streaming_bulk(self.os, actions, **options)

    def close(self) -> None:
        self.os.close()

    # -- documents --------------------------------------------------------------------------------------------------
    def get(self, *, index: str, id: str, **params: Any) -> Answer:  # noqa: A002 - the elasticsearch client's name
        return self.request("GET", _path(index, "_doc", id), params=_split(params, set())[1])

    def mget(self, *, index: str, ids: list[str], **params: Any) -> Answer:
        return self.request("POST", _path(index, "_mget"), params=_split(params, set())[1], body={"ids": ids})

    def update(self, *, index: str, id: str, doc: dict[str, Any], **params: Any) -> Answer:  # noqa: A002
        return self.request("POST", _path(index, "_update", id), params=_split(params, set())[1], body={"doc": doc})

    def search(self, *, index: str = "", **kwargs: Any) -> Answer:
        body, params = _split(kwargs, _BODY_KEYS)
        # a point-in-time search names no index: the point in time already does
        return self.request("POST", _path(index, "_search"), params=params, body=body)

    def count(self, *, index: str, **kwargs: Any) -> Answer:
        body, params = _split(kwargs, _BODY_KEYS)
        return self.request("POST", _path(index, "_count"), params=params, body=body or None)

    def delete_by_query(self, *, index: str, **kwargs: Any) -> Answer:
        body, params = _split(kwargs, {"query"})
        return self.request("POST", _path(index, "_delete_by_query"), params=params, body=body)

    def reindex(self, **kwargs: Any) -> Answer:
        body, params = _split(kwargs, {"source", "dest", "conflicts"})
        return self.request("POST", "/_reindex", params=params, body=body)

    # -- point in time: the one API whose path and answer differ from Elasticsearch's --------------------------------
    def open_point_in_time(self, *, index: str, keep_alive: str) -> Answer:
        found = self.request("POST", _path(index, "_search", "point_in_time"), params={"keep_alive": keep_alive})
        return Answer({"id": found.body["pit_id"]})

    def close_point_in_time(self, *, id: str) -> Answer:  # noqa: A002
        return self.request("DELETE", "/_search/point_in_time", body={"pit_id": [id]})


class _Indices:
    def __init__(self, client: OpenSearchClient) -> None:
        self._c = client

    def put_index_template(self, *, name: str, **body: Any) -> Answer:
        return self._c.request("PUT", _path("_index_template", name), body=_split(body, set(body))[0])

    def delete_index_template(self, *, name: str) -> Answer:
        return self._c.request("DELETE", _path("_index_template", name))

    def create(self, *, index: str, **body: Any) -> Answer:
        return self._c.request("PUT", _path(index), body=_split(body, set(body))[0] or None)

    def delete(self, *, index: str, **params: Any) -> Answer:
        return self._c.request("DELETE", _path(index), params=_split(params, set())[1])

    def get(self, *, index: str, **params: Any) -> Answer:
        return self._c.request("GET", _path(index), params=_split(params, set())[1])

    def get_alias(self, *, name: str) -> Answer:
        return self._c.request("GET", _path("_alias", name))

    def exists_alias(self, *, name: str) -> Answer:
        return Answer(bool(self._c.request("HEAD", _path("_alias", name)).body))

    def get_mapping(self, *, index: str) -> Answer:
        return self._c.request("GET", _path(index, "_mapping"))

    def put_mapping(self, *, index: str, **body: Any) -> Answer:
        return self._c.request("PUT", _path(index, "_mapping"), body=_split(body, set(body))[0])

    def put_settings(self, *, index: str, settings: dict[str, Any]) -> Answer:
        return self._c.request("PUT", _path(index, "_settings"), body=settings)

    def update_aliases(self, *, actions: list[dict[str, Any]]) -> Answer:
        return self._c.request("POST", "/_aliases", body={"actions": actions})

    def refresh(self, *, index: str) -> Answer:
        return self._c.request("POST", _path(index, "_refresh"))


class _Cluster:
    def __init__(self, client: OpenSearchClient) -> None:
        self._c = client

    def health(self, *, index: str, **params: Any) -> Answer:
        return self._c.request("GET", _path("_cluster", "health", index), params=_split(params, set())[1])


class _Nodes:
    def __init__(self, client: OpenSearchClient) -> None:
        self._c = client

    def info(self, *, metric: str) -> Answer:
        return self._c.request("GET", _path("_nodes", metric))


def _api_error(method: str, path: str, status: int, exc: opensearchpy.TransportError) -> ApiError:
    """opensearch-py's error as the elasticsearch client's, keeping the status and the error body."""
    body = exc.info if isinstance(exc.info, Mapping) else {"error": {"type": str(exc.error), "reason": str(exc.info)}}
    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0,
                           node=NodeConfig("http", "opensearch", 9200))  # fmt: skip
    error = _ERRORS.get(status, ApiError)
    return error(f"{exc.error} ({method} {path})", meta=meta, body=body)


def make_opensearch_client(url: str, settings: ClientSettings) -> OpenSearchClient:
    """An OpenSearch client for `url` with the auth, TLS and timeouts the settings ask for (no compat headers)."""
    if settings.api_key:
        raise ValueError("store.es_api_key: OpenSearch takes basic auth (es_username, es_password), not an API key")
    options: dict[str, Any] = {
        "timeout": settings.timeout,
        # whole requests that time out or meet 502/503/504 are retried; bulk items refused with 429 are retried by
        # the bulk helper with backoff (store.es_max_retries)
        "max_retries": 3,
        "retry_on_timeout": True,
        "retry_on_status": (502, 503, 504),
    }
    if settings.username:
        options["http_auth"] = (settings.username, settings.password)
    if url.startswith("https://"):
        options["use_ssl"] = True
        options["verify_certs"] = settings.verify_certs
        options["ssl_show_warn"] = settings.verify_certs
        if settings.ca_certs:
            options["ca_certs"] = settings.ca_certs
    return OpenSearchClient(opensearchpy.OpenSearch(hosts=[url], **options), timeout=settings.timeout)


def as_store_client(client: OpenSearchClient) -> Any:
    """The client as the store's modules type it (they are annotated with the elasticsearch client they were
    written for; OpenSearchClient provides the calls they make, which tests/store runs against osmem)."""
    return cast(Any, client)
