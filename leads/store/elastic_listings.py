"""Kept listings on Elasticsearch: the index `<prefix>-listings` (alias over `<prefix>-listings-v1`), made on first
use, one document per (platform, listing id), merged by `merge_listing` with mget and conditional writes as leads
are (a listing another writer changed in between is read and merged again), read back through a point in time;
written as given by copies (`put`), and rebuilt with the leads by `netsword leads reindex` (`reindex`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from leads.store.elastic_client import bulk_stream
from leads.store.elastic_index import (
    REINDEX_WAITS,
    Moved,
    index_behind,
    move,
    next_version,
    reindex_blocked,
    wait_for_reindex,
)
from leads.store.listings import KeptListing, ListingQuery, ListingReport, merge_listing

CONFLICT_ROUNDS = 5
PAGE = 1000
PIT_KEEP_ALIVE = "2m"
SORT = [{"platform": "asc"}, {"listing_id": "asc"}]
_DATE = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}
_KEYWORD = {"type": "keyword", "ignore_above": 1024}


def alias_of(prefix: str) -> str:
    return f"{prefix}-listings"


def doc_id(platform: str, listing_id: str) -> str:
    """A fixed-length id (listing ids can be longer than the 512 bytes a document id may have)."""
    return hashlib.sha256(f"{platform}\0{listing_id}".encode()).hexdigest()[:40]


def mappings() -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "properties": {
            "platform": dict(_KEYWORD),
            "listing_id": dict(_KEYWORD),
            "first_seen": dict(_DATE),
            "last_seen": dict(_DATE),
            "times_seen": {"type": "integer"},
            "last_run": dict(_KEYWORD),
            # kept whole for re-matching, never searched: scraped keys must not grow the mapping
            "listing": {"type": "object", "enabled": False},
        },
    }


def ensure(client: Elasticsearch, prefix: str, *, replicas: int) -> str:
    """Make the listings index and its alias unless they exist; returns the alias."""
    alias = alias_of(prefix)
    if client.indices.exists_alias(name=alias).body:
        return alias
    client.options(ignore_status=400).indices.create(  # 400: another process made it first
        index=f"{alias}-v1", settings=_settings(replicas), mappings=mappings(), aliases={alias: {"is_write_index": True}}
    )
    return alias


def _settings(replicas: int) -> dict[str, Any]:
    return {"number_of_shards": 1, "number_of_replicas": replicas}


def _refusal(info: dict[str, Any]) -> str:
    """Why the bulk API refused one document: "<error type>: <reason>"."""
    error = info.get("error")
    return f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else str(error)


def _source(kept: KeptListing) -> dict[str, Any]:
    doc = kept.to_dict()
    for name in ("first_seen", "last_seen"):
        doc[name] = doc[name] or None
    return doc


def keep(client: Elasticsearch, alias: str, batch: list[KeptListing], *, refresh: str | bool,
         max_retries: int) -> ListingReport:  # fmt: skip
    """Merge the sightings (in order) into the stored documents; each outcome in input order."""
    outcomes: list[str] = [""] * len(batch)
    problems: list[str] = [""] * len(batch)
    pending: dict[str, list[int]] = {}
    for position, kept in enumerate(batch):
        pending.setdefault(doc_id(kept.platform, kept.listing_id), []).append(position)
    rounds = waits = 0
    while pending and rounds < CONFLICT_ROUNDS:
        docs = client.mget(index=alias, ids=list(pending)).body["docs"]
        actions: list[dict[str, Any]] = []
        merged: dict[str, list[tuple[int, str]]] = {}
        for doc in docs:
            key = doc["_id"]
            if "error" in doc:
                for position in pending[key]:
                    problems[position] = f"{batch[position].platform}/{batch[position].listing_id}: {doc['error']}"
                continue
            current = KeptListing.from_dict(doc["_source"]) if doc.get("found") else None
            results: list[tuple[int, str]] = []
            for position in pending[key]:
                current, outcome = merge_listing(current, batch[position])
                results.append((position, outcome))
            merged[key] = results
            assert current is not None
            action: dict[str, Any] = {"_index": alias, "_id": key, "_source": _source(current)}
            if doc.get("found"):
                action.update(_op_type="index", if_seq_no=doc["_seq_no"], if_primary_term=doc["_primary_term"])
            else:
                action["_op_type"] = "create"
            actions.append(action)
        conflicts: dict[str, list[int]] = {}
        blocked: dict[str, list[int]] = {}
        for ok, result in bulk_stream(client, actions, chunk_size=max(len(actions), 1), raise_on_error=False,
                                      raise_on_exception=False, max_retries=max_retries, refresh=refresh):  # fmt: skip
            ((_, info),) = result.items()
            key = str(info.get("_id"))
            if ok:
                for position, outcome in merged[key]:
                    outcomes[position] = outcome
            elif info.get("status") == 409:
                conflicts[key] = pending[key]
            elif waits < REINDEX_WAITS and reindex_blocked(client, info):
                blocked[key] = pending[key]
            else:
                reason = _refusal(info)
                for position, _ in merged[key]:
                    problems[position] = f"{batch[position].platform}/{batch[position].listing_id}: {reason}"
        if blocked:
            wait_for_reindex(waits)
            waits += 1
        rounds += bool(conflicts)
        pending = {**conflicts, **blocked}
    for positions in pending.values():
        for position in positions:
            problems[position] = (f"{batch[position].platform}/{batch[position].listing_id}: still conflicting after "
                                  f"{CONFLICT_ROUNDS} attempts")  # fmt: skip
    report = ListingReport()
    for outcome, problem in zip(outcomes, problems, strict=True):
        if outcome:
            report.add(outcome)
        else:
            report.fail(problem or "not written")
    return report


def put(client: Elasticsearch, alias: str, batch: list[KeptListing], *, refresh: str | bool,
        max_retries: int) -> tuple[int, list[str]]:  # fmt: skip
    """Write the listings as given (copies: `index`, replacing what is stored; the same key twice: the later one);
    how many were written, and why each other one was not. A write refused by a reindex's block waits and goes
    again through the alias, as `keep` does."""
    pending = {doc_id(kept.platform, kept.listing_id): kept for kept in batch}
    written, problems, waits = 0, [], 0
    while pending:
        actions = [{"_op_type": "index", "_index": alias, "_id": key, "_source": _source(kept)}
                   for key, kept in pending.items()]  # fmt: skip
        blocked: dict[str, KeptListing] = {}
        for ok, result in bulk_stream(client, actions, chunk_size=max(len(actions), 1), raise_on_error=False,
                                      raise_on_exception=False, max_retries=max_retries, refresh=refresh):  # fmt: skip
            ((_, info),) = result.items()
            key = str(info.get("_id"))
            if ok:
                written += 1
            elif waits < REINDEX_WAITS and reindex_blocked(client, info):
                blocked[key] = pending[key]
            else:
                problems.append(f"{pending[key].platform}/{pending[key].listing_id}: {_refusal(info)}")
        if blocked:
            wait_for_reindex(waits)
            waits += 1
        pending = blocked
    return written, problems


def reindex(client: Elasticsearch, prefix: str, *, delete_old: bool, replicas: int) -> Moved | None:
    """Rebuild the kept listings' index under the current mappings as `netsword leads reindex` does the leads'
    (elastic_index.move: no write made meanwhile is lost); None when this store never kept a listing."""
    alias = alias_of(prefix)
    if not client.indices.exists_alias(name=alias).body:
        return None
    old = index_behind(client, alias)
    new = next_version(client, alias, old)
    client.indices.create(index=new, settings=_settings(replicas), mappings=mappings())
    return move(client, alias, old, new, delete_old=delete_old)


def get(client: Elasticsearch, alias: str, platform: str, listing_id: str) -> KeptListing | None:
    try:
        return KeptListing.from_dict(client.get(index=alias, id=doc_id(platform, listing_id)).body["_source"])
    except NotFoundError:
        return None


def query_of(query: ListingQuery) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    if query.platform:
        filters.append({"terms": {"platform": list(query.platform)}})
    seen = {k: v for k, v in (("gte", query.since), ("lt", query.until)) if v}
    if seen:
        filters.append({"range": {"last_seen": seen}})
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


def iterate(client: Elasticsearch, alias: str, query: ListingQuery) -> Iterator[KeptListing]:
    pit_id = client.open_point_in_time(index=alias, keep_alive=PIT_KEEP_ALIVE).body["id"]
    try:
        after: list[Any] | None = None
        while True:
            page: dict[str, Any] = {"search_after": after} if after is not None else {}
            body = client.search(query=query_of(query), sort=SORT, size=PAGE,
                                 pit={"id": pit_id, "keep_alive": PIT_KEEP_ALIVE}, track_total_hits=False,
                                 **page).body  # fmt: skip
            pit_id = body.get("pit_id", pit_id)
            hits = body["hits"]["hits"]
            for hit in hits:
                yield KeptListing.from_dict(hit["_source"])
            if len(hits) < PAGE:
                return
            after = hits[-1]["sort"]
    finally:
        client.close_point_in_time(id=pit_id)


def count(client: Elasticsearch, alias: str, query: ListingQuery) -> int:
    return int(client.count(index=alias, query=query_of(query)).body["count"])


def drop(client: Elasticsearch, alias: str, before: str) -> int:
    result = client.delete_by_query(index=alias, query={"range": {"last_seen": {"lt": before}}}, conflicts="proceed",
                                    refresh=True, wait_for_completion=True).body  # fmt: skip
    return int(result.get("deleted", 0))
