"""Lead stores: SQLite by default, Elasticsearch or OpenSearch at scale; `open_store(url)` picks one by URL
(and `store.engine` for an http(s):// URL)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from leads.store.aggregations import DashboardFigures, DashboardQuery, LeadAggregations
from leads.store.base import LeadQuery, LeadStore, StatusChange, StoreError, UpsertReport
from leads.store.scope import UNSCOPED, Scope

if TYPE_CHECKING:
    from netsword.config import Config

__all__ = [
    "UNSCOPED", "DashboardFigures", "DashboardQuery", "LeadAggregations", "LeadQuery", "LeadStore", "Scope",
    "StatusChange", "StoreError", "UpsertReport", "open_store", "open_store_from_config",
]  # fmt: skip


def open_store(url: str, *, engine: str = "elasticsearch", **options: object) -> LeadStore:
    """`sqlite:///path/to.db` (or a bare path) opens SQLite; `http(s)://…` opens Elasticsearch, or OpenSearch with
    `engine="opensearch"`."""
    if url.startswith(("http://", "https://")):
        if not options:
            # callers holding only a URL still get the auth/TLS settings (environment, ./netsword.toml or
            # $NETSWORD_CONFIG); callers holding a Config should use open_store_from_config(cfg)
            from netsword.config import load_config

            return open_store_from_config(load_config(), url)
        if engine == "opensearch":
            from leads.store.opensearch import OpenSearchLeadStore  # imported lazily: only needed at scale

            return OpenSearchLeadStore(url, **options)  # type: ignore[arg-type]
        from leads.store.elastic import ElasticLeadStore

        return ElasticLeadStore(url, **options)  # type: ignore[arg-type]
    from leads.store.sqlite import SqliteLeadStore

    return SqliteLeadStore(str(sqlite_file_of(url)))


def sqlite_file_of(url: str) -> Path | None:
    """The file a SQLite store URL names (None for Elasticsearch): for tools that list files, never to open it."""
    if url.startswith(("http://", "https://")):
        return None
    return Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url)


def open_store_from_config(cfg: Config, url: str | None = None) -> LeadStore:
    """The configured store (or the one at `url`), with the `store.es_*` settings when it is Elasticsearch or
    OpenSearch (`store.engine`)."""
    url = url or cfg.store_url
    if not url.startswith(("http://", "https://")):
        return open_store(url)
    from leads.store.elastic_bulk import BulkSettings
    from leads.store.elastic_client import SUPPORTED_COMPAT, ClientSettings
    from netsword.config import ConfigError

    store = cfg.store
    if store.engine not in ("elasticsearch", "opensearch"):
        raise ConfigError(f"store.engine: must be elasticsearch or opensearch, got {store.engine!r}")
    if store.engine == "opensearch" and store.es_api_key:
        raise ConfigError("store.es_api_key: OpenSearch takes basic auth (es_username, es_password), not an API key")
    if store.es_compat_version not in SUPPORTED_COMPAT:
        raise ConfigError(f"store.es_compat_version: must be 8 or 9, got {store.es_compat_version}")
    if store.es_chunk_size < 1 or store.es_max_retries < 0:
        raise ConfigError("store.es_chunk_size: must be ≥ 1 and store.es_max_retries ≥ 0")
    client = ClientSettings(
        api_key=store.es_api_key,
        username=store.es_username,
        password=store.es_password,
        ca_certs=store.es_ca_certs,
        verify_certs=store.es_verify_certs,
        timeout=store.es_timeout,
        compat_version=store.es_compat_version,
    )
    bulk = BulkSettings(chunk_size=store.es_chunk_size, max_retries=store.es_max_retries)
    return open_store(url, engine=store.engine, index_prefix=store.index_prefix, client_settings=client, bulk=bulk)
