"""Bulk writes of leads: idempotent upserts that keep history (mget, merge, conditional index) and raw copies.

Both read the stored documents first: an upsert merges into them, a raw copy replaces them; either way the lead's
status log (`status_history`, which is not part of a Lead) is carried over, and the write is conditional.

Why not a painless script: the history rules and the created/updated/unchanged outcome live once, in
`leads.store.base.merge_seen`; running that same Python against the stored document gives reports identical to the
SQLite store. Concurrent writers are safe through optimistic concurrency: a new lead is written with `create` and
an existing one with `index` + `if_seq_no`/`if_primary_term`, so a lead changed in between is a 409 conflict that
is read again and merged again. An index made before a field of `elastic_mappings.ADDED_FIELDS` refuses a document
holding it (strict mapping); the field is then added to the index's mapping (an online change) and the write made
again. Settings: `store.es_chunk_size`, `store.es_max_retries`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from elasticsearch import Elasticsearch

from leads.store.base import CREATED, Stored, UpsertReport, first_sighting, merge_seen
from leads.store.elastic_client import bulk_stream
from leads.store.elastic_index import REINDEX_WAITS, reindex_blocked, wait_for_reindex
from leads.store.elastic_mappings import ADDED_FIELDS, added_field_mappings, doc_of, lead_of
from netsword.models import Lead

CONFLICT_ROUNDS = 5  # a lead rewritten by another writer this many times in a row is reported as failed
Merge = Callable[[Lead | None, Lead], tuple[Lead, str]]  # (stored lead or None, given lead) → (to store, outcome)


def merge_sighting(current: Lead | None, lead: Lead) -> tuple[Lead, str]:
    """Upserts: a first sighting, or the sighting merged into the stored lead by the history rules."""
    return (first_sighting(lead), CREATED) if current is None else merge_seen(current, lead)


def as_given(_current: Lead | None, lead: Lead) -> tuple[Lead, str]:
    """Raw copies: the lead exactly as given, counted as written (`created`)."""
    return lead, CREATED


@dataclass(frozen=True)
class BulkSettings:
    chunk_size: int = 500
    max_retries: int = 5  # for items the cluster rejects with 429 (its write queue is full)
    initial_backoff: float = 1.0  # seconds; doubled on every retry
    max_backoff: float = 60.0
    refresh: str | bool = False  # "wait_for" makes writes visible to searches before the call returns


def chunks(items: Iterable[Lead], size: int) -> Iterator[list[Lead]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def describe_error(info: Mapping[str, Any]) -> str:
    """`ld-…: 400 mapper_parsing_exception: failed to parse field [score]` from a bulk or mget item."""
    error = info.get("error")
    if isinstance(error, Mapping):
        detail = f"{error.get('type', 'error')}: {error.get('reason', '')}".rstrip(": ")
    else:
        detail = str(error or "failed")
    status = info.get("status")
    return f"{info.get('_id', '?')}: {status} {detail}" if status else f"{info.get('_id', '?')}: {detail}"


def _bulk(
    client: Elasticsearch, actions: list[dict[str, Any]], settings: BulkSettings
) -> Iterator[tuple[bool, dict[str, Any]]]:
    """Every action's outcome, in order; 429 rejections are retried with backoff by the client's helper."""
    yield from bulk_stream(
        client,
        actions,
        chunk_size=max(len(actions), 1),
        raise_on_error=False,
        raise_on_exception=False,
        max_retries=settings.max_retries,
        initial_backoff=settings.initial_backoff,
        max_backoff=settings.max_backoff,
        refresh=settings.refresh,
    )


def lacks_added_field(info: Mapping[str, Any]) -> bool:
    """A write refused because the index was made before one of ADDED_FIELDS (strict mapping, field unknown)."""
    error = info.get("error")
    if not isinstance(error, Mapping) or error.get("type") != "strict_dynamic_mapping_exception":
        return False
    reason = str(error.get("reason", ""))
    return any(f"[{name}]" in reason for name in ADDED_FIELDS)


def _item(result: dict[str, Any]) -> dict[str, Any]:
    (info,) = result.values()
    return dict(info)


def upsert_chunk(
    client: Elasticsearch, index: str, leads: list[Lead], settings: BulkSettings, report: UpsertReport
) -> None:
    """Upsert one chunk; every sighting ends in the report as created, updated, unchanged or failed, and in
    `report.stored` (in input order) as the lead stored after it, or None."""
    write_chunk(client, index, leads, settings, report, merge_sighting)


def put_raw_chunk(
    client: Elasticsearch,
    index: str,
    leads: list[Lead],
    settings: BulkSettings,
    report: UpsertReport,
    status_logs: Mapping[str, list[Any]] | None = None,
) -> None:
    """Write leads as given, replacing documents with the same id; a lead in `status_logs` gets that status log,
    any other keeps the one stored. Outcomes are counted as `created` or `failed`."""
    write_chunk(client, index, leads, settings, report, as_given, status_logs)


def write_chunk(
    client: Elasticsearch,
    index: str,
    leads: list[Lead],
    settings: BulkSettings,
    report: UpsertReport,
    merge: Merge,
    status_logs: Mapping[str, list[Any]] | None = None,
) -> None:
    """Read the chunk's stored leads, `merge` each given lead in (in order), write each lead once; a lead another
    writer changed in between (409) is read and merged again, up to CONFLICT_ROUNDS times."""
    chunk_stored: list[Stored | None] = [None] * len(leads)
    pending: dict[str, list[int]] = {}  # the sightings of one lead in a chunk are merged in order, written once
    for position, lead in enumerate(leads):
        pending.setdefault(lead.lead_id, []).append(position)
    widened = False  # ADDED_FIELDS put into an older index's mapping, at most once per chunk
    rounds = waits = 0
    while pending and rounds < CONFLICT_ROUNDS:
        stored = client.mget(index=index, ids=list(pending)).body["docs"]
        actions: list[dict[str, Any]] = []
        outcomes: dict[str, list[tuple[int, Stored]]] = {}
        for doc in stored:
            lead_id = doc["_id"]
            if "error" in doc:  # the shard holding it failed: report, do not guess
                report.failed += len(pending[lead_id])
                report.errors.append(describe_error({**doc, "status": doc.get("status", "")}))
                continue
            current = lead_of(doc["_source"]) if doc.get("found") else None
            results: list[tuple[int, Stored]] = []
            for position in pending[lead_id]:
                current, outcome = merge(current, leads[position])
                results.append((position, Stored(current, outcome)))
            outcomes[lead_id] = results
            assert current is not None  # every pending list holds at least one sighting
            given = status_logs.get(lead_id) if status_logs else None
            if doc.get("found"):
                log = doc["_source"].get("status_history") if given is None else [dict(c) for c in given]
                body = doc_of(current, status_history=log)
                actions.append({"_op_type": "index", "_index": index, "_id": lead_id, "_source": body,
                                "if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]})  # fmt: skip
            else:
                body = doc_of(current, status_history=[dict(c) for c in given] if given else None)
                actions.append({"_op_type": "create", "_index": index, "_id": lead_id, "_source": body})
        conflicts: dict[str, list[int]] = {}
        unmapped: dict[str, list[int]] = {}
        blocked: dict[str, list[int]] = {}
        for ok, result in _bulk(client, actions, settings):
            info = _item(result)
            lead_id = str(info.get("_id"))
            if ok:
                for position, item in outcomes[lead_id]:
                    report.add(item.outcome)
                    chunk_stored[position] = item
            elif info.get("status") == 409:  # another writer got there first: read it again and merge again
                conflicts[lead_id] = pending[lead_id]
            elif not widened and lacks_added_field(info):  # an index from before the field: add it, write again
                unmapped[lead_id] = pending[lead_id]
            elif waits < REINDEX_WAITS and reindex_blocked(client, info):  # write again once the alias moved
                blocked[lead_id] = pending[lead_id]
            else:
                report.failed += len(outcomes[lead_id])
                report.errors.append(describe_error(info))
        if unmapped:
            client.indices.put_mapping(index=index, properties=added_field_mappings())
            widened = True
            conflicts.update(unmapped)
        if blocked:
            wait_for_reindex(waits)
            waits += 1
        rounds += bool(conflicts)
        pending = {**conflicts, **blocked}
    for lead_id, sightings in pending.items():
        report.failed += len(sightings)
        report.errors.append(
            f"{lead_id}: still conflicting after {CONFLICT_ROUNDS} attempts; another writer keeps changing it"
        )
    report.stored.extend(chunk_stored)
