"""Lead statistics every store computes the same way: `aggregate` (leads per day per platform, top entries,
sellers and platforms over a LeadQuery) and `dashboard` (the triage dashboard's figures within a reader's Scope)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from leads.store.scope import UNSCOPED, Scope

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Bucket:
    key: str
    count: int


@dataclass(frozen=True)
class DayBucket:
    day: str  # YYYY-MM-DD (UTC) of first_seen: when the lead was first found
    platform: str
    count: int


@dataclass(frozen=True)
class DecisionBucket:
    day: str  # YYYY-MM-DD (UTC) of the status change
    status: str  # the status the lead was moved to
    count: int


def ranked(buckets: Iterable[Bucket]) -> tuple[Bucket, ...]:
    """Count descending, ties by key ascending: the order of every top list, whatever the backend returned."""
    return tuple(sorted(buckets, key=lambda b: (-b.count, b.key)))


@dataclass(frozen=True)
class LeadAggregations:
    """Counts over the leads a query matches (its limit, offset and sort are ignored).

    Days ascend, then platforms by name; top lists are by count descending, ties by key ascending. Leads without a
    seller are left out of `top_sellers`.
    """

    total: int = 0
    per_day: tuple[DayBucket, ...] = ()
    top_entries: tuple[Bucket, ...] = ()
    top_sellers: tuple[Bucket, ...] = ()
    top_platforms: tuple[Bucket, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "per_day": [{"day": b.day, "platform": b.platform, "count": b.count} for b in self.per_day],
            "top_entries": [{"key": b.key, "count": b.count} for b in self.top_entries],
            "top_sellers": [{"key": b.key, "count": b.count} for b in self.top_sellers],
            "top_platforms": [{"key": b.key, "count": b.count} for b in self.top_platforms],
        }


@dataclass(frozen=True)
class DashboardQuery:
    """The dashboard of one reader: per-day series from `since` (YYYY-MM-DD, UTC, inclusive), `top` long lists."""

    since: str
    scope: Scope = UNSCOPED
    top: int = 10

    def __post_init__(self) -> None:
        if not _DAY.fullmatch(self.since):
            raise ValueError(f"DashboardQuery.since must be YYYY-MM-DD, got {self.since!r}")
        if self.top < 1:
            raise ValueError(f"DashboardQuery.top must be at least 1, got {self.top}")


@dataclass(frozen=True)
class DashboardFigures:
    """The triage dashboard's counts over the leads in the query's scope.

    `new_per_day`: leads first seen on each day since `since`, per platform (days ascending, then platforms).
    `top_entries`, `top_sellers`: over all the scope's leads, ranked (leads without a seller left out).
    `by_status`: leads per current status, ranked; statuses no lead has are absent.
    `by_kind`: leads per kind (trademark, licence_expired, copyright …), ranked; kinds no lead has are absent.
    `decisions_per_day`: status changes since `since` per day and status moved to (days, then statuses ascending);
    a change that left the status as it was (an assignment) is not a decision and is not counted.
    """

    new_per_day: tuple[DayBucket, ...] = ()
    top_entries: tuple[Bucket, ...] = ()
    top_sellers: tuple[Bucket, ...] = ()
    by_status: tuple[Bucket, ...] = ()
    decisions_per_day: tuple[DecisionBucket, ...] = ()
    by_kind: tuple[Bucket, ...] = ()
