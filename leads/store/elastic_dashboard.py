"""DashboardQuery → one Elasticsearch search with aggregations, and its answer → DashboardFigures.

The scope is the search's query, so every figure counts only the reader's leads. Decisions come from the nested
`status_history` documents: per day and status moved to, with the status before as a sub-bucket so that changes
that kept the status (assignments) can be left out, as the SQLite store leaves them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leads.store.aggregations import DashboardFigures, DashboardQuery, DecisionBucket
from leads.store.base import LeadQuery
from leads.store.elastic_query import buckets_of, day_buckets_of, day_histogram, per_day_per_platform, query_of

STATUS_BUCKETS = 20  # statuses per bucket: more than there are (netsword.models.LEAD_STATUSES)
KIND_BUCKETS = 50  # lead kinds: more than there are (netsword.models.LEAD_KINDS)


def dashboard_search(query: DashboardQuery) -> dict[str, Any]:
    """The keyword arguments of `client.search` (besides the index) for the dashboard."""
    since = {"range": {"first_seen": {"gte": query.since}}}
    changed_since = {"range": {"status_history.at": {"gte": query.since}}}
    after_before = {
        "terms": {"field": "status_history.after", "size": STATUS_BUCKETS},
        "aggs": {"before": {"terms": {"field": "status_history.before", "size": STATUS_BUCKETS}}},
    }
    return {
        "query": query_of(LeadQuery.within(query.scope)),
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "new": {"filter": since, "aggs": {"per_day": per_day_per_platform("first_seen")}},
            "top_entries": {"terms": {"field": "entry_id", "size": query.top}},
            "top_sellers": {"terms": {"field": "seller", "size": query.top, "exclude": [""]}},
            "by_status": {"terms": {"field": "status", "size": STATUS_BUCKETS}},
            "by_kind": {"terms": {"field": "kind", "size": KIND_BUCKETS}},
            "decisions": {
                "nested": {"path": "status_history"},
                "aggs": {
                    "since": {
                        "filter": changed_since,
                        "aggs": {"per_day": {**day_histogram("status_history.at"), "aggs": {"after": after_before}}},
                    }
                },
            },
        },
    }


def _decisions_of(agg: Mapping[str, Any]) -> tuple[DecisionBucket, ...]:
    found = []
    for day in agg.get("since", {}).get("per_day", {}).get("buckets", []):
        for after in day.get("after", {}).get("buckets", []):
            befores = after.get("before", {}).get("buckets", [])
            count = sum(int(b["doc_count"]) for b in befores if b["key"] != after["key"])
            if count:
                found.append(DecisionBucket(str(day["key_as_string"]), str(after["key"]), count))
    return tuple(sorted(found, key=lambda b: (b.day, b.status)))


def dashboard_of(response: Mapping[str, Any]) -> DashboardFigures:
    aggs = response.get("aggregations", {})
    return DashboardFigures(
        new_per_day=day_buckets_of(aggs.get("new", {}).get("per_day", {})),
        top_entries=buckets_of(aggs.get("top_entries", {})),
        top_sellers=buckets_of(aggs.get("top_sellers", {})),
        by_status=buckets_of(aggs.get("by_status", {})),
        decisions_per_day=_decisions_of(aggs.get("decisions", {})),
        by_kind=buckets_of(aggs.get("by_kind", {})),
    )
