"""The versioned lead index behind a write alias: create it on first use, and reindex with an atomic alias swap.

`<prefix>-leads` is the alias every read and write uses; `<prefix>-leads-v<N>` are the real indices. The template
`<prefix>-leads` (elastic_mappings.index_template) gives every new version its mappings and analysers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from elasticsearch import Elasticsearch, NotFoundError

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
        match = re.fullmatch(re.escape(self.alias) + r"-v(\d+)", index)
        return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class ReindexReport:
    old_index: str
    new_index: str
    documents: int
    analysis: str
    deleted_old: bool


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
    """The index behind the alias, or "" when there is no alias yet."""
    try:
        found = client.indices.get_alias(name=names.alias).body
    except NotFoundError:
        return ""
    writers = [
        index for index, info in found.items() if info.get("aliases", {}).get(names.alias, {}).get("is_write_index")
    ]
    return (writers or sorted(found, key=names.number_of))[-1]


def status_log_indexed(client: Elasticsearch, names: IndexNames) -> bool:
    """Whether every index behind the alias maps `status_history` as nested (indices made before it was: not)."""
    found = client.indices.get_mapping(index=names.alias).body
    return bool(found) and all(
        info.get("mappings", {}).get("properties", {}).get("status_history", {}).get("type")
        == STATUS_LOG_MAPPING["type"]
        for info in found.values()
    )


def reindex(client: Elasticsearch, names: IndexNames, *, delete_old: bool = False, replicas: int = 1) -> ReindexReport:
    """Copy the current index into version N+1 under the current template, then move the alias in one step.

    Readers never see a missing alias: the remove and the add are one atomic `_aliases` request. Writes made while
    the copy runs land in the old index, so stop the crawlers first (docs/elasticsearch.md, "Reindexing").
    """
    old = ensure_index(client, names, replicas=replicas)
    analysis = put_template(client, names, replicas=replicas)
    existing = client.indices.get(index=f"{names.alias}-v*", allow_no_indices=True, expand_wildcards="all").body
    new = names.version(max([names.number_of(i) for i in existing] + [names.number_of(old)]) + 1)
    client.indices.create(index=new)
    result = client.reindex(
        source={"index": old}, dest={"index": new, "op_type": "create"}, refresh=True, wait_for_completion=True
    )
    failures = result.body.get("failures") or []
    if failures:
        client.indices.delete(index=new)
        raise StoreError(f"reindex {old} → {new} failed for {len(failures)} documents: {failures[0]}")
    client.indices.update_aliases(
        actions=[
            {"remove": {"index": old, "alias": names.alias}},
            {"add": {"index": new, "alias": names.alias, "is_write_index": True}},
        ]
    )
    if delete_old:
        client.indices.delete(index=old)
    return ReindexReport(
        old, new, int(result.body.get("created", 0)) + int(result.body.get("updated", 0)), analysis, delete_old
    )
