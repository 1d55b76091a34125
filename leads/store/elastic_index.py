"""The versioned lead index behind a write alias: create it on first use, and reindex with an atomic alias swap
(`move`, also used for the kept listings' index: leads.store.elastic_listings).

`<prefix>-leads` is the alias every read and write uses; `<prefix>-leads-v<N>` are the real indices. The template
`<prefix>-leads` (elastic_mappings.index_template) gives every new version its mappings and analysers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError

from leads.store.base import StoreError
from leads.store.elastic_mappings import STATUS_LOG_MAPPING, detect_analysis, index_template


@dataclass(frozen=True)
class IndexNames:
    prefix: str = "netsword"

    @property
    def alias(self) -> str:
        return f"{self.prefix}-leads"

    @property
    def template(self) -> str:
        return f"{self.prefix}-leads"

    def version(self, number: int) -> str:
        return f"{self.alias}-v{number}"

    def number_of(self, index: str) -> int:
        return version_number(self.alias, index)


def version_number(alias: str, index: str) -> int:
    """N of `<alias>-vN`, else 0."""
    match = re.fullmatch(re.escape(alias) + r"-v(\d+)", index)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class Moved:
    """What `move` did: the alias's old and new index, and the documents now behind it."""

    old_index: str
    new_index: str
    documents: int
    deleted_old: bool


@dataclass(frozen=True)
class ReindexReport:
    old_index: str
    new_index: str
    documents: int
    analysis: str
    deleted_old: bool
    listings: Moved | None = None  # the kept listings' index, rebuilt the same way (None: the store has none)


def put_template(client: Elasticsearch, names: IndexNames, *, replicas: int = 1) -> str:
    """Write the current template (mappings, analysers for this cluster's plugins); returns the analysis chosen."""
    analysis = detect_analysis(client)
    body = index_template(names.alias, analysis, replicas=replicas)
    client.indices.put_index_template(name=names.template, **body)
    return analysis


def ensure_index(client: Elasticsearch, names: IndexNames, *, replicas: int = 1) -> str:
    """Make sure the alias exists over a versioned index; returns the index it points to."""
    current = current_index(client, names)
    if current:
        return current
    put_template(client, names, replicas=replicas)
    first = names.version(1)
    client.indices.create(index=first, aliases={names.alias: {"is_write_index": True}})
    return first


def current_index(client: Elasticsearch, names: IndexNames) -> str:
    """The index behind the leads' alias, or "" when there is no alias yet."""
    return index_behind(client, names.alias)


def index_behind(client: Elasticsearch, alias: str) -> str:
    """The (write) index behind `alias`, or "" when there is no such alias."""
    try:
        found = client.indices.get_alias(name=alias).body
    except NotFoundError:
        return ""
    writers = [index for index, info in found.items() if info.get("aliases", {}).get(alias, {}).get("is_write_index")]
    return (writers or sorted(found, key=lambda index: version_number(alias, index)))[-1]


def next_version(client: Elasticsearch, alias: str, current: str) -> str:
    """`<alias>-v<N+1>`, N the highest version that exists (an old one kept read-only by an earlier reindex too)."""
    existing = client.indices.get(index=f"{alias}-v*", allow_no_indices=True, expand_wildcards="all").body
    return f"{alias}-v{max([version_number(alias, i) for i in existing] + [version_number(alias, current)]) + 1}"


def status_log_indexed(client: Elasticsearch, names: IndexNames) -> bool:
    """Whether every index behind the alias maps `status_history` as nested (indices made before it was: not)."""
    found = client.indices.get_mapping(index=names.alias).body
    return bool(found) and all(
        info.get("mappings", {}).get("properties", {}).get("status_history", {}).get("type")
        == STATUS_LOG_MAPPING["type"]
        for info in found.values()
    )


REINDEX_META = "netsword_reindex_to"  # in the old index's mapping `_meta` while (and after) it is reindexed
REINDEX_WAITS = 12  # write attempts a writer makes against an index a reindex has blocked (about a minute)
REINDEX_BACKOFF = (0.25, 8.0)  # seconds: first wait, longest wait (doubling)


def reindex_blocked(client: Elasticsearch, info: Mapping[str, Any]) -> bool:
    """Whether a refused write hit an index that `reindex` made read-only (so it is to be made again through the
    alias once it has moved), rather than a block of another kind (disk full, an operator's block)."""
    error = info.get("error")
    if not isinstance(error, Mapping) or error.get("type") != "cluster_block_exception":
        return False
    index = str(info.get("_index") or error.get("index") or "")
    if not index:
        return False
    try:
        found = client.indices.get_mapping(index=index).body
    except (ApiError, TransportError):
        return False
    return any(REINDEX_META in (body.get("mappings", {}).get("_meta") or {}) for body in found.values())


def wait_for_reindex(attempt: int) -> None:
    first, longest = REINDEX_BACKOFF
    time.sleep(min(first * 2**attempt, longest))


def _copy(client: Elasticsearch, old: str, new: str) -> int:
    """Copy every document of `old` whose version is newer than its copy in `new` (external versions: the copy
    keeps each document's version, so a second pass writes only what changed since the first); returns how many
    were written. Version conflicts are documents already current, not failures."""
    result = client.reindex(
        source={"index": old},
        dest={"index": new, "version_type": "external"},
        conflicts="proceed",
        refresh=True,
        wait_for_completion=True,
    ).body
    failures = [f for f in result.get("failures") or [] if f.get("status") != 409]
    if failures:
        raise StoreError(f"reindex {old} → {new} failed for {len(failures)} documents: {failures[0]}")
    return int(result.get("created", 0)) + int(result.get("updated", 0))


def reindex(client: Elasticsearch, names: IndexNames, *, delete_old: bool = False, replicas: int = 1) -> ReindexReport:
    """Copy the leads' current index into version N+1 under the current template and move the alias (`move`)."""
    old = ensure_index(client, names, replicas=replicas)
    analysis = put_template(client, names, replicas=replicas)
    new = next_version(client, names.alias, old)
    client.indices.create(index=new)
    moved = move(client, names.alias, old, new, delete_old=delete_old)
    return ReindexReport(old, new, moved.documents, analysis, delete_old)


def move(client: Elasticsearch, alias: str, old: str, new: str, *, delete_old: bool = False) -> Moved:
    """Copy `old` into the new, empty index `new`, then move `alias` to it in one step, losing no write made meanwhile.

    1. copy old → new while writers go on writing to old (every document keeps its version);
    2. a catch-up pass copies what they changed during 1 (still writing to old);
    3. old is marked (`_meta.netsword_reindex_to`) and made read-only: a write refused by that block is retried
       by the writer (`reindex_blocked`) until the alias has moved, and then lands in the new index;
    4. a last catch-up pass copies what changed during 2, then the alias moves (one atomic `_aliases` request:
       readers never see a missing alias). The old index stays read-only (or is deleted with `delete_old`).
    If anything fails, the new index is deleted, the block lifted and the alias left alone.
    """
    blocked = False
    try:
        written = _copy(client, old, new)
        _copy(client, old, new)
        client.indices.put_mapping(index=old, meta={REINDEX_META: new})
        client.indices.put_settings(index=old, settings={"index.blocks.write": True})
        blocked = True
        _copy(client, old, new)
    except BaseException:
        if blocked:
            client.indices.put_settings(index=old, settings={"index.blocks.write": False})
        client.indices.delete(index=new)
        raise
    client.indices.update_aliases(
        actions=[
            {"remove": {"index": old, "alias": alias}},
            {"add": {"index": new, "alias": alias, "is_write_index": True}},
        ]
    )
    if delete_old:
        client.indices.delete(index=old)
    documents = int(client.count(index=new).body["count"])
    return Moved(old, new, max(documents, written), delete_old)
