"""Elasticsearch lead store: the LeadStore contract on a cluster (Elasticsearch 8.x and 9.x, see docs/elasticsearch.md).

Settings: `store.url` (http(s)://…), `store.index_prefix`, the `store.es_*` keys (auth, TLS, compatibility, bulk
chunk size and 429 retries). Reads and writes go through the alias `<prefix>-leads`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, ConflictError, NotFoundError

from leads.store.aggregations import LeadAggregations
from leads.store.base import LeadQuery, LeadStore, StoreError, UpsertReport, check_status
from leads.store.elastic_bulk import BulkSettings, chunks, put_raw_chunk, upsert_chunk
from leads.store.elastic_client import ClientSettings, make_client
from leads.store.elastic_index import IndexNames, ReindexReport, ensure_index, reindex
from leads.store.elastic_mappings import lead_of
from leads.store.elastic_query import aggregations_body, aggregations_of, query_of, sort_of
from netsword.models import Lead, utc_now

PIT_KEEP_ALIVE = "2m"  # between two pages of an export, not for the whole export
PAGE = 1000
MAX_WINDOW = 10_000  # the cluster's default index.max_result_window: deeper pages need search_after


class ElasticLeadStore(LeadStore):
    """Leads in an Elasticsearch index behind a write alias; idempotent bulk upserts, PIT exports, aggregations."""

    def __init__(
        self,
        url: str,
        *,
        index_prefix: str = "netsword",
        client_settings: ClientSettings | None = None,
        bulk: BulkSettings | None = None,
        replicas: int = 1,
    ) -> None:
        self.url = url
        self.names = IndexNames(index_prefix)
        self.bulk = bulk or BulkSettings()
        self.replicas = replicas
        self.client = make_client(url, client_settings or ClientSettings())
        try:
            ensure_index(self.client, self.names, replicas=replicas)
        except (ApiError, TransportError) as exc:
            self.client.close()
            raise StoreError(f"Elasticsearch at {url}: cannot prepare index {self.names.alias}: {exc}") from exc

    @property
    def alias(self) -> str:
        return self.names.alias

    def _write(self, leads: Iterable[Lead], write_chunk: Any) -> UpsertReport:
        report = UpsertReport()
        for batch in chunks(leads, self.bulk.chunk_size):
            try:
                write_chunk(self.client, self.alias, batch, self.bulk, report)
            except (ApiError, TransportError) as exc:
                # the whole request failed (cluster unreachable, auth): count this chunk, stop before the next
                counted = report.created + report.updated + report.unchanged + report.failed
                raise StoreError(f"Elasticsearch bulk write failed after {counted} leads: {exc}") from exc
        return report

    def upsert_many(self, leads: Iterable[Lead]) -> UpsertReport:
        return self._write(leads, upsert_chunk)

    def put_raw(self, leads: Iterable[Lead]) -> int:
        report = self._write(leads, put_raw_chunk)
        if report.failed:
            raise StoreError(f"{report.failed} leads not written (first: {report.errors[0]}); {report.created} written")
        return report.created

    def get(self, lead_id: str) -> Lead | None:
        try:
            return lead_of(self.client.get(index=self.alias, id=lead_id).body["_source"])
        except NotFoundError:
            return None

    def search(self, query: LeadQuery) -> list[Lead]:
        if query.offset + query.limit > MAX_WINDOW:
            raise StoreError(
                f"offset + limit may be at most {MAX_WINDOW} on Elasticsearch; export (iter_leads) reads further"
            )
        response = self.client.search(
            index=self.alias,
            query=query_of(query),
            sort=sort_of(query),
            from_=query.offset,
            size=query.limit,
            track_total_hits=False,
        )
        return [lead_of(hit["_source"]) for hit in response.body["hits"]["hits"]]

    def count(self, query: LeadQuery) -> int:
        return int(self.client.count(index=self.alias, query=query_of(query)).body["count"])

    def iter_leads(self, query: LeadQuery) -> Iterator[Lead]:
        """Every match in order, through a point in time (a stable snapshot) paged by `search_after`."""
        sort = sort_of(query)
        pit_id = self.client.open_point_in_time(index=self.alias, keep_alive=PIT_KEEP_ALIVE).body["id"]
        try:
            after: list[Any] | None = None
            while True:
                page: dict[str, Any] = {"search_after": after} if after is not None else {}
                body = self.client.search(
                    query=query_of(query),
                    sort=sort,
                    size=PAGE,
                    pit={"id": pit_id, "keep_alive": PIT_KEEP_ALIVE},
                    track_total_hits=False,
                    **page,
                ).body
                pit_id = body.get("pit_id", pit_id)  # the cluster may hand back a new id; the newest must be used
                hits = body["hits"]["hits"]
                for hit in hits:
                    yield lead_of(hit["_source"])
                if len(hits) < PAGE:
                    return
                after = hits[-1]["sort"]
        finally:
            self.client.close_point_in_time(id=pit_id)

    def aggregate(self, query: LeadQuery, *, top: int = 10) -> LeadAggregations:
        response = self.client.search(
            index=self.alias, query=query_of(query), size=0, track_total_hits=True, aggs=aggregations_body(top)
        )
        return aggregations_of(response.body)

    def set_status(self, lead_id: str, status: str, *, assignee: str | None = None) -> Lead:
        check_status(status)
        for _attempt in range(5):
            try:
                found = self.client.get(index=self.alias, id=lead_id).body
            except NotFoundError:
                raise StoreError(f"no lead {lead_id!r}") from None
            lead = lead_of(found["_source"])
            new_assignee = lead.assignee if assignee is None else assignee
            history = [*found["_source"].get("status_history", []),
                       {"at": utc_now(), "before": lead.status, "after": status, "assignee": new_assignee}]  # fmt: skip
            try:
                # the write goes to the index that holds the document (the alias may have moved since)
                self.client.update(
                    index=found["_index"],
                    id=lead_id,
                    doc={"status": status, "assignee": new_assignee, "status_history": history},
                    if_seq_no=found["_seq_no"],
                    if_primary_term=found["_primary_term"],
                    refresh="wait_for",
                )
            except ConflictError:
                continue  # an upsert or another investigator changed it: read again
            return lead.with_changes(status=status, assignee=new_assignee)
        raise StoreError(f"lead {lead_id!r} kept changing; status not set, try again")

    def status_history(self, lead_id: str) -> list[dict[str, str]]:
        try:
            source = self.client.get(index=self.alias, id=lead_id, source_includes=["status_history"]).body["_source"]
        except NotFoundError:
            return []
        return [dict(change) for change in source.get("status_history", [])]

    def reindex(self, *, delete_old: bool = False) -> ReindexReport:
        return reindex(self.client, self.names, delete_old=delete_old, replicas=self.replicas)

    def refresh(self) -> None:
        """Make every write so far visible to searches (tests and benchmarks; the cluster does it every second)."""
        self.client.indices.refresh(index=self.alias)

    def close(self) -> None:
        self.client.close()
