"""Elasticsearch lead store: the LeadStore contract on a cluster (Elasticsearch 8.x and 9.x, see docs/elasticsearch.md).

Settings: `store.url` (http(s)://…), `store.index_prefix`, the `store.es_*` keys (auth, TLS, compatibility, bulk
chunk size and 429 retries). Reads and writes go through the alias `<prefix>-leads`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from itertools import islice
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, ConflictError, Elasticsearch, NotFoundError

from leads.store import elastic_listings
from leads.store.aggregations import DashboardFigures, DashboardQuery, LeadAggregations
from leads.store.base import (
    TAKEN_DOWN,
    LeadQuery,
    LeadStore,
    StatusChange,
    StoreError,
    UpsertReport,
    check_status,
    taken_down,
)
from leads.store.elastic_bulk import BulkSettings, chunks, describe_error, put_raw_chunk, upsert_chunk
from leads.store.elastic_client import ClientSettings, make_client
from leads.store.elastic_dashboard import dashboard_of, dashboard_search
from leads.store.elastic_index import (
    REINDEX_WAITS,
    IndexNames,
    ReindexReport,
    ensure_index,
    reindex,
    reindex_blocked,
    status_log_indexed,
    wait_for_reindex,
)
from leads.store.elastic_mappings import lead_of
from leads.store.elastic_query import aggregations_body, aggregations_of, query_of, sort_of
from leads.store.listings import KeptListing, ListingQuery, ListingReport
from netsword.models import Lead, utc_now

PIT_KEEP_ALIVE = "2m"  # between two pages of an export, not for the whole export
PAGE = 1000
MAX_WINDOW = 10_000  # the cluster's default index.max_result_window: deeper pages need search_after
UPDATE_ROUNDS = 5  # a lead changed by another writer this many times in a row: the update is refused
# (the lead as it stands) → (the lead after the change, the partial document to write, or None for no write)
Change = Callable[[Lead, Mapping[str, Any]], tuple[Lead, dict[str, Any] | None]]


class ElasticLeadStore(LeadStore):
    """Leads in an Elasticsearch index behind a write alias; idempotent bulk upserts, PIT exports, aggregations.

    OpenSearch is the same store with another client (leads/store/opensearch.py overrides `connect`)."""

    engine = "Elasticsearch"

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
        self.client = self.connect(url, client_settings or ClientSettings())
        self._status_log_checked = False
        self._listings = ""  # the listings alias once made sure of (on first use: lead-only work never needs it)
        try:
            ensure_index(self.client, self.names, replicas=replicas)
        except (ApiError, TransportError) as exc:
            self.client.close()
            raise StoreError(f"{self.engine} at {url}: cannot prepare index {self.names.alias}: {exc}") from exc

    def connect(self, url: str, settings: ClientSettings) -> Elasticsearch:
        """The client the store's requests go through."""
        return make_client(url, settings)

    @property
    def alias(self) -> str:
        return self.names.alias

    def _write(self, leads: Iterable[Lead], write_chunk: Any, **options: Any) -> UpsertReport:
        report = UpsertReport()
        for batch in chunks(leads, self.bulk.chunk_size):
            try:
                write_chunk(self.client, self.alias, batch, self.bulk, report, **options)
            except (ApiError, TransportError) as exc:
                # the whole request failed (cluster unreachable, auth): count this chunk, stop before the next
                counted = report.created + report.updated + report.unchanged + report.failed
                raise StoreError(f"Elasticsearch bulk write failed after {counted} leads: {exc}") from exc
        return report

    def upsert_many(self, leads: Iterable[Lead]) -> UpsertReport:
        return self._write(leads, upsert_chunk)

    def put_raw(self, leads: Iterable[Lead], *, status_logs: Mapping[str, list[StatusChange]] | None = None) -> int:
        report = self._write(leads, put_raw_chunk, **({"status_logs": status_logs} if status_logs else {}))
        if report.failed:
            raise StoreError(f"{report.failed} leads not written (first: {report.errors[0]}); {report.created} written")
        return report.created

    def get(self, lead_id: str) -> Lead | None:
        try:
            return lead_of(self.client.get(index=self.alias, id=lead_id).body["_source"])
        except NotFoundError:
            return None

    def get_many(self, lead_ids: Iterable[str]) -> list[Lead]:
        wanted = list(dict.fromkeys(lead_ids))
        found: list[Lead] = []
        for start in range(0, len(wanted), PAGE):
            docs = self.client.mget(index=self.alias, ids=wanted[start : start + PAGE]).body["docs"]
            for doc in docs:
                if "error" in doc:  # a shard holding it failed: an answer without it would be a silent gap
                    raise StoreError(f"Elasticsearch could not read {describe_error(doc)}")
                if doc.get("found"):
                    found.append(lead_of(doc["_source"]))
        return found

    def search(self, query: LeadQuery) -> list[Lead]:
        if query.after is not None:  # keyset paging: any depth, no from/size window
            if query.offset:
                raise StoreError("a query with `after` (keyset paging) must have offset 0")
            response = self.client.search(index=self.alias, query=query_of(query), sort=sort_of(query),
                                          search_after=search_after_of(query), size=query.limit,
                                          track_total_hits=False)  # fmt: skip
            return [lead_of(hit["_source"]) for hit in response.body["hits"]["hits"]]
        if query.offset + query.limit > MAX_WINDOW:
            raise StoreError(
                f"offset + limit may be at most {MAX_WINDOW} on Elasticsearch; page with `after` (search_after) "
                "or export (iter_leads) to read further"
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

    def dashboard(self, query: DashboardQuery) -> DashboardFigures:
        self._check_status_log()
        response = self.client.search(index=self.alias, **dashboard_search(query))
        return dashboard_of(response.body)

    def _check_status_log(self) -> None:
        """An index made before the status log was indexed cannot count decisions: say how to fix it, once."""
        if self._status_log_checked:
            return
        if not status_log_indexed(self.client, self.names):
            raise StoreError(
                f"Elasticsearch index behind {self.alias} predates the indexed status log, so the dashboard cannot "
                "count decisions: run `netsword leads reindex` (docs/elasticsearch.md, Reindexing)"
            )
        self._status_log_checked = True

    def _update(self, lead_id: str, change: Change) -> Lead:
        """Read the lead, work out the change, write it only if nobody wrote the lead since the read
        (if_seq_no/if_primary_term); a conflict reads again. StoreError for an unknown lead."""
        waits = 0
        for _attempt in range(UPDATE_ROUNDS + REINDEX_WAITS):
            try:
                found = self.client.get(index=self.alias, id=lead_id).body
            except NotFoundError:
                raise StoreError(f"no lead {lead_id!r}") from None
            changed, doc = change(lead_of(found["_source"]), found["_source"])
            if doc is None:
                return changed
            try:
                # the write goes to the index that holds the document (the alias may have moved since)
                self.client.update(
                    index=found["_index"],
                    id=lead_id,
                    doc=doc,
                    if_seq_no=found["_seq_no"],
                    if_primary_term=found["_primary_term"],
                    refresh="wait_for",
                )
            except ConflictError:
                continue  # an upsert or another investigator changed it: read again
            except NotFoundError:
                continue  # `leads reindex --delete-old` removed the index it was read from: read again (alias)
            except ApiError as exc:  # a reindex made the old index read-only: wait for the alias to move
                if waits >= REINDEX_WAITS or not reindex_blocked(self.client, {"_index": found["_index"],
                                                                                "error": _error_of(exc)}):  # fmt: skip
                    raise StoreError(f"lead {lead_id!r} not written: {exc}") from exc
                wait_for_reindex(waits)
                waits += 1
                continue
            return changed
        raise StoreError(f"lead {lead_id!r} kept changing; not written, try again")

    def set_status(self, lead_id: str, status: str, *, assignee: str | None = None) -> Lead:
        check_status(status)

        def change(lead: Lead, source: Mapping[str, Any]) -> tuple[Lead, dict[str, Any]]:
            new_assignee = lead.assignee if assignee is None else assignee
            entry = StatusChange(at=utc_now(), before=lead.status, after=status, assignee=new_assignee)
            history = [*source.get("status_history", []), entry]
            doc = {"status": status, "assignee": new_assignee, "status_history": history}
            return lead.with_changes(status=status, assignee=new_assignee), doc

        return self._update(lead_id, change)

    def mark_taken_down(self, lead_id: str, *, reason: str, at: str) -> Lead:
        def change(lead: Lead, _source: Mapping[str, Any]) -> tuple[Lead, dict[str, Any] | None]:
            if lead.listing.get("availability") == TAKEN_DOWN:
                return lead, None
            marked = taken_down(lead, reason=reason, at=at)
            return marked, {"listing": dict(marked.listing)}  # a partial update: merged into the stored snapshot

        return self._update(lead_id, change)

    def status_history(self, lead_id: str) -> list[StatusChange]:
        try:
            source = self.client.get(index=self.alias, id=lead_id, source_includes=["status_history"]).body["_source"]
        except NotFoundError:
            return []
        return [
            StatusChange(at=c["at"], before=c["before"], after=c["after"], assignee=c.get("assignee", ""))
            for c in source.get("status_history", [])
        ]

    def status_logs(self, lead_ids: Iterable[str]) -> dict[str, list[StatusChange]]:
        wanted = list(dict.fromkeys(lead_ids))
        logs: dict[str, list[StatusChange]] = {}
        for start in range(0, len(wanted), PAGE):
            docs = self.client.mget(index=self.alias, ids=wanted[start : start + PAGE],
                                    source_includes=["status_history"]).body["docs"]  # fmt: skip
            for doc in docs:
                if "error" in doc:
                    raise StoreError(f"Elasticsearch could not read {describe_error(doc)}")
                changes = (doc.get("_source") or {}).get("status_history") or []
                if doc.get("found") and changes:
                    logs[doc["_id"]] = [StatusChange(at=c["at"], before=c["before"], after=c["after"],
                                                     assignee=c.get("assignee", "")) for c in changes]  # fmt: skip
        return logs

    def _listings_alias(self, *, create: bool = True) -> str:
        """The kept listings' alias, made on first write; "" for a read while there is none (a store that never
        kept a listing is not changed by reading it: `leads copy` from it needs no right to create indices)."""
        if not self._listings:
            try:
                if create:
                    self._listings = elastic_listings.ensure(self.client, self.names.prefix, replicas=self.replicas)
                elif self.client.indices.exists_alias(name=elastic_listings.alias_of(self.names.prefix)).body:
                    self._listings = elastic_listings.alias_of(self.names.prefix)
            except (ApiError, TransportError) as exc:
                raise StoreError(f"{self.engine} at {self.url}: cannot prepare the listings index: {exc}") from exc
        return self._listings

    def keep_listings(self, sightings: Iterable[KeptListing]) -> ListingReport:
        report = ListingReport()
        it = iter(sightings)
        while batch := list(islice(it, self.bulk.chunk_size)):
            try:
                report.merge(elastic_listings.keep(self.client, self._listings_alias(), batch,
                                                            refresh=self.bulk.refresh,
                                                            max_retries=self.bulk.max_retries))  # fmt: skip
            except (ApiError, TransportError, StoreError) as exc:
                for _ in batch:
                    report.fail(f"{self.engine} at {self.url}: {exc}")
        return report

    def put_listings(self, listings: Iterable[KeptListing]) -> int:
        written, problems = 0, []
        it = iter(listings)
        while batch := list(islice(it, self.bulk.chunk_size)):
            try:
                done, refused = elastic_listings.put(self.client, self._listings_alias(), batch,
                                                     refresh=self.bulk.refresh, max_retries=self.bulk.max_retries)  # fmt: skip
            except (ApiError, TransportError) as exc:
                raise StoreError(f"{self.engine} bulk write failed after {written} kept listings: {exc}") from exc
            written += done
            problems += refused
        if problems:
            raise StoreError(f"{len(problems)} kept listings not written (first: {problems[0]}); {written} written")
        return written

    def get_listing(self, platform: str, listing_id: str) -> KeptListing | None:
        alias = self._listings_alias(create=False)
        return elastic_listings.get(self.client, alias, platform, listing_id) if alias else None

    def iter_listings(self, query: ListingQuery) -> Iterator[KeptListing]:
        alias = self._listings_alias(create=False)
        return elastic_listings.iterate(self.client, alias, query) if alias else iter(())

    def count_listings(self, query: ListingQuery) -> int:
        alias = self._listings_alias(create=False)
        return elastic_listings.count(self.client, alias, query) if alias else 0

    def drop_listings(self, *, last_seen_before: str) -> int:
        alias = self._listings_alias(create=False)
        return elastic_listings.drop(self.client, alias, last_seen_before) if alias else 0

    def integrity_problems(self) -> list[str]:
        try:
            health = self.client.cluster.health(index=self.alias, timeout="5s").body
        except (ApiError, TransportError) as exc:
            return [f"{self.url} {self.alias}: {exc}"]
        status = str(health.get("status", "unknown"))
        if status == "red":
            return [f"{self.url} {self.alias}: index health red ({health.get('unassigned_shards', '?')} shards unassigned)"]
        return []

    def reindex(self, *, delete_old: bool = False) -> ReindexReport:
        """The leads' index, then the kept listings' (if this store has one), each without losing a write."""
        report = reindex(self.client, self.names, delete_old=delete_old, replicas=self.replicas)
        listings = elastic_listings.reindex(self.client, self.names.prefix, delete_old=delete_old,
                                            replicas=self.replicas)  # fmt: skip
        return replace(report, listings=listings)

    def refresh(self) -> None:
        """Make every write so far visible to searches (tests and benchmarks; the cluster does it every second)."""
        self.client.indices.refresh(index=self.alias)
        if self._listings:
            self.client.indices.refresh(index=self._listings)

    def close(self) -> None:
        self.client.close()


# what `missing: _last` sorts a lead without the date as, in a descending sort (Elasticsearch: Long.MIN_VALUE)
_MISSING_DESC = -(2**63)


def search_after_of(query: LeadQuery) -> list[Any]:
    """`LeadQuery.after` as the sort values Elasticsearch pages after: dates as epoch milliseconds."""
    assert query.after is not None
    value, lead_id = query.after
    if query.sort in ("last_seen", "first_seen"):
        if not value:
            return [_MISSING_DESC, lead_id]
        value = int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000)
    return [value, lead_id]


def _error_of(exc: ApiError) -> Any:
    body = exc.body if isinstance(exc.body, Mapping) else {}
    return body.get("error", {"type": str(exc.message)})
