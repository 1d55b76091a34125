"""Leads against captures: every lead on a web page has a capture of its listing, or a recorded reason why not.

Evidence is kept per listing (platform, listing id): the leads of one listing (one per watchlist entry it matched)
share its captures. A listing is
- captured: a capture of it passed verification (or, for the backfill's quick look, its index names one);
- accounted for: no capture, but a final reason (robots.txt forbids the page, no profile may fetch it, gone);
- a gap: no capture, and no reason or only one worth retrying (disk full, fetch failed) — the next crawl that
  meets the listing, or `netsword evidence backfill`, takes the capture.
Leads without an http(s) URL (parcel patterns, declared parcels) have no page to capture and are only counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from evidence.ledger import NoCapture
from evidence.store import Capture
from netsword.models import Lead

MANUAL = "manual"  # `netsword evidence capture URL`: a page captured on request, not necessarily a lead's


@dataclass(frozen=True)
class Listed:
    """One listing's leads, and the URL they point at."""

    platform: str
    listing_id: str
    url: str
    lead_ids: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    listing: Listed
    reason: NoCapture | None  # the last attempt's reason, when there was one (never a final one)

    def line(self) -> str:
        l = self.listing  # noqa: E741 - one letter for a line that must stay short
        leads = ", ".join(l.lead_ids[:3]) + (f" and {len(l.lead_ids) - 3} more" if len(l.lead_ids) > 3 else "")
        why = f"{self.reason.reason} at {self.reason.at}" if self.reason else "no recorded reason"
        return f"{l.platform} {l.listing_id}: no capture ({why}) for lead(s) {leads}; run netsword evidence backfill"


@dataclass
class Coverage:
    leads: int = 0
    no_page: int = 0  # leads without an http(s) URL
    captured: int = 0  # leads whose listing has a capture
    final: int = 0  # leads without one for a final reason
    gaps: list[Gap] = field(default_factory=list)
    unknown: list[Capture] = field(default_factory=list)  # captures of listings no lead has (manual ones excepted)

    @property
    def gap_leads(self) -> int:
        return sum(len(g.listing.lead_ids) for g in self.gaps)


def listings_of(leads: Iterable[Lead], coverage: Coverage | None = None,
                every: set[tuple[str, str]] | None = None) -> dict[tuple[str, str], Listed]:  # fmt: skip
    """The listings of the leads that have a web page; counts every lead in `coverage`, adds every listing (with a
    page or not) to `every`."""
    found: dict[tuple[str, str], list[Lead]] = {}
    for lead in leads:
        if every is not None:
            every.add((lead.platform, lead.listing_id))
        if coverage is not None:
            coverage.leads += 1
        if not lead.url.startswith(("http://", "https://")):
            if coverage is not None:
                coverage.no_page += 1
            continue
        found.setdefault((lead.platform, lead.listing_id), []).append(lead)
    return {key: Listed(key[0], key[1], group[0].url, tuple(sorted(x.lead_id for x in group)))
            for key, group in found.items()}  # fmt: skip


def gaps(listed: Iterable[Listed], captured: Callable[[str, str], bool],
         reasons: Callable[[str, str], NoCapture | None]) -> Iterable[Gap]:  # fmt: skip
    """The listings with no capture and no final reason, in the order given."""
    for item in listed:
        if captured(item.platform, item.listing_id):
            continue
        reason = reasons(item.platform, item.listing_id)
        if reason is not None and reason.final:
            continue
        yield Gap(item, reason)


def check_coverage(leads: Iterable[Lead], captures: Iterable[Capture], reasons: Mapping[tuple[str, str], NoCapture],
                   origins: Mapping[str, str]) -> Coverage:  # fmt: skip
    """Leads against the captures that passed verification and the (sealed) no-capture reasons."""
    coverage = Coverage()
    every: set[tuple[str, str]] = set()
    listed = listings_of(leads, coverage, every)
    kept = list(captures)
    have = {(c.platform, c.listing_id) for c in kept}
    for key, item in listed.items():
        if key in have:
            coverage.captured += len(item.lead_ids)
        elif key in reasons and reasons[key].final:
            coverage.final += len(item.lead_ids)
    coverage.gaps = list(gaps(sorted(listed.values(), key=lambda x: (x.platform, x.listing_id)),
                              lambda p, i: (p, i) in have, lambda p, i: reasons.get((p, i))))  # fmt: skip
    coverage.unknown = [c for c in kept if (c.platform, c.listing_id) not in every
                        and origins.get(c.capture_id) != MANUAL]  # fmt: skip
    return coverage
