"""`leads.process`: from Listings to leads — `find_leads` matches (pure), `process_batch` matches and stores
through the one `LeadSink`, reporting per listing what was stored."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from leads.sink import LeadSink
from leads.store.base import CREATED, UpsertReport
from netsword.models import Hit, Lead, Listing, make_lead_id, utc_now

if TYPE_CHECKING:
    from matchers import MatchIndex

DEFAULT_MIN_SCORE = 50


@dataclass
class ProcessResult:
    """One listing's leads as stored (merged with what was there), their outcomes, and what storing them did."""

    leads: list[Lead] = field(default_factory=list)
    report: UpsertReport = field(default_factory=UpsertReport)
    outcomes: list[str] = field(default_factory=list)  # one per stored lead: created / updated / unchanged
    not_kept: str = ""  # why the listing itself was not kept (LeadSink.keep), "" when it was or was not asked

    @property
    def new_lead_ids(self) -> list[str]:
        return [lead.lead_id for lead, outcome in zip(self.leads, self.outcomes, strict=True) if outcome == CREATED]


def lead_score(hit: Hit) -> int:
    """A hit's score as its lead carries it: rounded half up, 0–100."""
    return max(0, min(100, math.floor(hit.score + 0.5)))


def lead_from_hit(listing: Listing, hit: Hit, *, owner: str, now: str) -> Lead:
    return Lead(
        lead_id=make_lead_id(listing.platform, listing.id, hit.entry_id),
        listing_id=listing.id,
        platform=listing.platform,
        url=listing.url,
        entry_id=hit.entry_id,
        kind=hit.kind,
        score=lead_score(hit),
        matched=hit.matched,
        reasons=hit.reasons,
        listing=listing.to_dict(),
        first_seen=now,
        last_seen=now,
        cited_number=hit.cited_number,
        owner=owner,
    )


def find_leads(listing: Listing, index: MatchIndex, *, min_score: int = DEFAULT_MIN_SCORE, now: str = "") -> list[Lead]:
    """Match one listing and keep the hits at or above the threshold, best first. Pure: stores nothing."""
    hits = [hit for hit in index.match(listing) if lead_score(hit) >= min_score]
    if not hits:  # most listings: no lead built, no clock read, no sort
        return []
    now = now or listing.crawled_at or utc_now()
    leads = [lead_from_hit(listing, hit, owner=index.watchlist.owner_of(hit.entry_id), now=now) for hit in hits]
    return sorted(leads, key=lambda lead: (-lead.score, lead.lead_id))


def process_batch(
    listings: Sequence[Listing],
    index: MatchIndex,
    sink: LeadSink,
    *,
    min_score: int = DEFAULT_MIN_SCORE,
    now: str = "",
    keep: bool = True,
) -> list[ProcessResult]:
    """Match many listings, keep the listings (`LeadSink.keep`, unless `keep` is off: a re-match of listings
    already kept) and store all their leads with ONE sink write; one result per listing, in order.

    A listing whose leads were not all stored has `report.failed` > 0 and its errors; the others are unaffected.
    """
    found = [find_leads(listing, index, min_score=min_score, now=now) for listing in listings]
    kept = sink.keep(listings, now=now).problems if keep else [""] * len(listings)
    report = sink.write([lead for leads in found for lead in leads])
    results: list[ProcessResult] = []
    at = 0
    for leads, not_kept in zip(found, kept, strict=True):
        result = ProcessResult(not_kept=not_kept)
        for item in report.stored[at : at + len(leads)]:
            if item is None:
                result.report.failed += 1
            else:
                result.leads.append(item.lead)
                result.outcomes.append(item.outcome)
                result.report.add(item.outcome)
                result.report.stored.append(item)
        if result.report.failed:
            result.report.errors.extend(report.errors[:3])
        at += len(leads)
        results.append(result)
    return results


def process(
    listing: Listing, index: MatchIndex, sink: LeadSink, *, min_score: int = DEFAULT_MIN_SCORE, now: str = ""
) -> ProcessResult:
    """`process_batch` for one listing."""
    return process_batch([listing], index, sink, min_score=min_score, now=now)[0]
