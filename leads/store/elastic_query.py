"""LeadQuery → Elasticsearch query DSL, sort and aggregations, and aggregation responses → LeadAggregations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leads.store.aggregations import Bucket, DayBucket, LeadAggregations, ranked
from leads.store.base import LeadQuery, StoreError
from netsword.models import PARCEL_PLATFORM

# Same orders as the SQLite store: the named field descending, lead_id ascending as the tie-breaker, which also
# makes every sort key unique, as search_after needs.
SORTS: dict[str, list[dict[str, Any]]] = {
    "score": [{"score": "desc"}, {"lead_id": "asc"}],
    "last_seen": [{"last_seen": {"order": "desc", "missing": "_last"}}, {"lead_id": "asc"}],
    "first_seen": [{"first_seen": {"order": "desc", "missing": "_last"}}, {"lead_id": "asc"}],
}
TEXT_FIELDS = ["title", "title.bigram", "matched", "matched.bigram"]
_TERMS = {"status": "status", "kind": "kind", "platform": "platform", "entry_id": "entry_id", "owner": "owner",
          "listing_id": "listing_id"}  # fmt: skip
PLATFORM_BUCKETS = 1000  # platforms per day: far more than exist


def query_of(query: LeadQuery) -> dict[str, Any]:
    """The bool query for the filters and text of `query`; filters do not score, so they are cached."""
    filters: list[dict[str, Any]] = []
    for attr, fieldname in _TERMS.items():
        values = getattr(query, attr)
        if values:
            filters.append({"terms": {fieldname: list(values)}})
    for attr in ("assignee", "seller"):
        value = getattr(query, attr)
        if value is not None:
            filters.append({"term": {attr: value}})
    score = {k: v for k, v in (("gte", query.min_score), ("lte", query.max_score)) if v is not None}
    if score:
        filters.append({"range": {"score": score}})
    seen = {k: v for k, v in (("gte", query.since), ("lt", query.until)) if v}
    if seen:
        filters.append({"range": {"last_seen": seen}})
    must_not: list[dict[str, Any]] = []
    if query.exclude_parcels:
        must_not = [{"term": {"kind": "parcel_pattern"}}, {"term": {"platform": PARCEL_PLATFORM}},
                    {"prefix": {"platform": "parcel:"}}]  # fmt: skip
    must: list[dict[str, Any]] = []
    text = query.text.strip()
    if text:
        # a phrase, as in the SQLite store: the user's words in order, never query syntax
        must.append({"multi_match": {"query": text, "type": "phrase", "fields": TEXT_FIELDS}})
    if not filters and not must and not must_not:
        return {"match_all": {}}
    query_body: dict[str, Any] = {"filter": filters, "must": must}
    if must_not:
        query_body["must_not"] = must_not
    return {"bool": query_body}


def sort_of(query: LeadQuery) -> list[dict[str, Any]]:
    if query.sort not in SORTS:
        raise StoreError(f"sort must be one of {', '.join(SORTS)}, got {query.sort!r}")
    return SORTS[query.sort]


def day_histogram(field: str) -> dict[str, Any]:
    """Days (UTC, `yyyy-MM-dd` keys) that have at least one document."""
    return {
        "date_histogram": {
            "field": field,
            "calendar_interval": "day",
            "format": "yyyy-MM-dd",
            "time_zone": "UTC",
            "min_doc_count": 1,
        }
    }


def per_day_per_platform(field: str) -> dict[str, Any]:
    platforms = {"terms": {"field": "platform", "size": PLATFORM_BUCKETS, "order": {"_key": "asc"}}}
    return {**day_histogram(field), "aggs": {"platforms": platforms}}


def aggregations_body(top: int) -> dict[str, Any]:
    return {
        "per_day": per_day_per_platform("first_seen"),
        "top_entries": {"terms": {"field": "entry_id", "size": top}},
        "top_sellers": {"terms": {"field": "seller", "size": top, "exclude": [""]}},
        "top_platforms": {"terms": {"field": "platform", "size": top}},
    }


def buckets_of(agg: Mapping[str, Any]) -> tuple[Bucket, ...]:
    # Elasticsearch already orders by count then key; ranking again makes ties certain on every version
    return ranked(Bucket(str(b["key"]), int(b["doc_count"])) for b in agg.get("buckets", []))


def day_buckets_of(agg: Mapping[str, Any]) -> tuple[DayBucket, ...]:
    """DayBuckets from a `per_day_per_platform` answer, days ascending then platforms."""
    found = (
        DayBucket(str(day["key_as_string"]), str(p["key"]), int(p["doc_count"]))
        for day in agg.get("buckets", [])
        for p in day.get("platforms", {}).get("buckets", [])
    )
    return tuple(sorted(found, key=lambda b: (b.day, b.platform)))


def aggregations_of(response: Mapping[str, Any]) -> LeadAggregations:
    aggs = response.get("aggregations", {})
    total = response.get("hits", {}).get("total", {})
    return LeadAggregations(
        total=int(total.get("value", 0)) if isinstance(total, Mapping) else int(total),
        per_day=day_buckets_of(aggs.get("per_day", {})),
        top_entries=buckets_of(aggs.get("top_entries", {})),
        top_sellers=buckets_of(aggs.get("top_sellers", {})),
        top_platforms=buckets_of(aggs.get("top_platforms", {})),
    )
