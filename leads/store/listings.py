"""Kept listings: every listing a crawl, `netsword match --store` or a parcel import saw, whether it matched or not,
so that a watchlist change can be applied to the past (`netsword rematch`).

One kept listing per (platform, listing id): the first and last time it was seen, how many sightings (a crawl run
restarted after a crash counts once, as for leads), the run that last saw it, and its latest content. Both stores
follow `merge_listing`; `store.listings_retention_days` drops listings not seen for that long (docs/operations.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from netsword.models import Listing, utc_now

KEPT, REFRESHED, CHANGED = "kept", "refreshed", "changed"  # new; seen again as it was; seen again with new content


@dataclass(frozen=True)
class KeptListing:
    platform: str
    listing_id: str
    listing: Mapping[str, Any]  # Listing.to_dict() of the latest sighting
    first_seen: str
    last_seen: str
    times_seen: int = 1
    last_run: str = ""

    def to_listing(self) -> Listing:
        return Listing.from_dict(self.listing)

    def to_dict(self) -> dict[str, Any]:
        return {"platform": self.platform, "listing_id": self.listing_id, "listing": dict(self.listing),
                "first_seen": self.first_seen, "last_seen": self.last_seen, "times_seen": self.times_seen,
                "last_run": self.last_run}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeptListing:
        return cls(
            platform=str(data["platform"]),
            listing_id=str(data["listing_id"]),
            listing=dict(data["listing"]),
            first_seen=str(data.get("first_seen") or ""),
            last_seen=str(data.get("last_seen") or ""),
            times_seen=int(data.get("times_seen") or 1),
            last_run=str(data.get("last_run") or ""),
        )


def sighting(listing: Listing, *, seen_at: str = "", run: str = "") -> KeptListing:
    """One sighting of `listing`: at `seen_at`, else when it was crawled, else now."""
    at = seen_at or listing.crawled_at or utc_now()
    return KeptListing(listing.platform, listing.id, listing.to_dict(), at, at, 1, run)


def content_of(kept: KeptListing) -> str:
    """What counts as a change of a listing: its content without the crawl time."""
    return json.dumps({k: v for k, v in kept.listing.items() if k != "crawled_at"}, sort_keys=True, ensure_ascii=False)


def merge_listing(old: KeptListing | None, new: KeptListing) -> tuple[KeptListing, str]:
    """Merge a sighting into the kept listing: the rules both stores follow.

    first_seen is the earliest, last_seen the latest; the content is the latest sighting's (a late-arriving older
    sighting counts but does not replace newer content); a sighting by the run that already saw it (same non-empty
    `last_run`) is not another sighting. Outcome: kept (new), changed (content differs) or refreshed.
    """
    if old is None:
        return replace(new, times_seen=1), KEPT
    newer = new.last_seen >= old.last_seen
    same_run = bool(new.last_run) and new.last_run == old.last_run
    merged = replace(
        old,
        listing=new.listing if newer else old.listing,
        first_seen=min(filter(None, (old.first_seen, new.first_seen)), default=""),
        last_seen=max(old.last_seen, new.last_seen),
        times_seen=old.times_seen if same_run else old.times_seen + 1,
        last_run=(new.last_run or old.last_run) if newer else old.last_run,
    )
    return merged, (CHANGED if content_of(merged) != content_of(old) else REFRESHED)


@dataclass(frozen=True)
class ListingQuery:
    """Which kept listings: last seen in [since, until) and on these platforms (empty: all)."""

    since: str | None = None
    until: str | None = None
    platform: tuple[str, ...] = ()


@dataclass
class ListingReport:
    """What keeping a batch of listings did; a listing not kept is counted in `failed` with a reason in `errors`."""

    kept: int = 0
    refreshed: int = 0
    changed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    # per sighting, in input order: "" when kept, else why not
    problems: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.problems.append("")

    def fail(self, why: str) -> None:
        self.failed += 1
        self.problems.append(why)
        if len(self.errors) < 100:
            self.errors.append(why)

    def merge(self, other: ListingReport) -> None:
        for name in ("kept", "refreshed", "changed", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors[: max(0, 100 - len(self.errors))])
        self.problems.extend(other.problems)

    def as_dict(self) -> dict[str, int]:
        return {"kept": self.kept, "refreshed": self.refreshed, "changed": self.changed, "failed": self.failed}
