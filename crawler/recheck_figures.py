"""A re-check run's figures, read back from its Scrapy stats: by `netsword recheck` when it ends, and by the
scheduler from the stats file the run writes as it goes (crawler.spiders.recheck counts them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crawler.recheck_leads import NO_PROFILE, OFFSITE


@dataclass(frozen=True)
class RecheckFigures:
    planned: int = 0
    listings: int = 0
    pages: int = 0
    online: int = 0
    taken_down: int = 0
    price_changes: int = 0
    robots: int = 0
    no_profile: int = 0
    offsite: int = 0
    errors: int = 0
    leads_updated: int = 0
    finish_reason: str = ""

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any]) -> RecheckFigures:
        def n(key: str) -> int:
            value = stats.get(key, 0)
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        return cls(
            planned=n("recheck/planned"), listings=n("recheck/listings"), pages=n("recheck/pages"),
            online=n("recheck/online"), taken_down=n("recheck/taken_down"),
            price_changes=n("recheck/price_changes"), robots=n("robotstxt/forbidden"),
            no_profile=n(f"recheck/{NO_PROFILE}"), offsite=n(f"recheck/{OFFSITE}") + n("offsite/filtered"),
            errors=n("recheck/errors"), leads_updated=n("recheck/leads_updated"),
            finish_reason=str(stats.get("finish_reason") or ""),
        )  # fmt: skip

    @property
    def left(self) -> int:
        """Listings due that this run did not get to (stopped, or out of time): the next run starts with them."""
        return max(0, self.planned - self.listings)

    def summary(self) -> str:
        return (
            f"{self.listings} listing(s) checked: {self.online} online, {self.taken_down} taken down, "
            f"{self.price_changes} price change(s), {self.robots} disallowed by robots.txt, "
            f"{self.no_profile} without a profile, {self.offsite} off their profile's hosts, {self.errors} error(s)"
        )
