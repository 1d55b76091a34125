"""Lead statistics every store computes the same way: leads per day per platform, top entries, top sellers."""

from __future__ import annotations

from dataclasses import dataclass, field


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
