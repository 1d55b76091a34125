"""`leads.process`: the one path from a Listing to stored leads, used by spiders, `netsword match` and imports."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from leads.store.base import CREATED, LeadStore, UpsertReport
from matchers import MatchIndex
from netsword.models import Hit, Lead, Listing, make_lead_id, utc_now

DEFAULT_MIN_SCORE = 50

# Called with each stored lead and its outcome (created / updated / unchanged); alerts subscribe here.
LeadListener = Callable[[Lead, str], None]


@dataclass
class ProcessResult:
    leads: list[Lead] = field(default_factory=list)
    report: UpsertReport = field(default_factory=UpsertReport)


def lead_from_hit(listing: Listing, hit: Hit, *, owner: str, now: str) -> Lead:
    return Lead(
        lead_id=make_lead_id(listing.platform, listing.id, hit.entry_id),
        listing_id=listing.id,
        platform=listing.platform,
        url=listing.url,
        entry_id=hit.entry_id,
        kind=hit.kind,
        score=max(0, min(100, math.floor(hit.score + 0.5))),
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
    now = now or listing.crawled_at or utc_now()
    leads = [
        lead_from_hit(listing, hit, owner=index.watchlist.owner_of(hit.entry_id), now=now)
        for hit in index.match(listing)
    ]
    return sorted((lead for lead in leads if lead.score >= min_score), key=lambda lead: (-lead.score, lead.lead_id))


def process(
    listing: Listing,
    index: MatchIndex,
    store: LeadStore,
    *,
    min_score: int = DEFAULT_MIN_SCORE,
    now: str = "",
    listeners: Sequence[LeadListener] = (),
) -> ProcessResult:
    """Match a listing, upsert its leads idempotently and tell the listeners what was stored."""
    leads = find_leads(listing, index, min_score=min_score, now=now)
    result = ProcessResult(leads=leads)
    for lead in leads:
        outcome = store.upsert(lead)
        result.report.add(outcome)
        for listener in listeners:
            listener(lead, outcome)
    return result


def process_many(
    listings: Iterable[Listing],
    index: MatchIndex,
    store: LeadStore,
    *,
    min_score: int = DEFAULT_MIN_SCORE,
    listeners: Sequence[LeadListener] = (),
) -> UpsertReport:
    report = UpsertReport()
    for listing in listings:
        report.merge(process(listing, index, store, min_score=min_score, listeners=listeners).report)
    return report


def is_new(outcome: str) -> bool:
    return outcome == CREATED
