"""Lead stores: SQLite by default, Elasticsearch at scale; `open_store(url)` picks one by URL."""

from __future__ import annotations

from leads.store.base import LeadQuery, LeadStore, StoreError, UpsertReport

__all__ = ["LeadQuery", "LeadStore", "StoreError", "UpsertReport", "open_store"]


def open_store(url: str, **options: object) -> LeadStore:
    """`sqlite:///path/to.db` (or a bare path) opens SQLite; `http(s)://…` opens Elasticsearch."""
    if url.startswith(("http://", "https://")):
        from leads.store.elastic import ElasticLeadStore  # imported lazily: the client is only needed at scale

        return ElasticLeadStore(url, **options)  # type: ignore[arg-type]
    from leads.store.sqlite import SqliteLeadStore

    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    return SqliteLeadStore(path)
