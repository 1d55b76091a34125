"""`leads.process`: the one path from a Listing to stored leads (`process`; `process_batch` for many at once)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from leads.store.base import CREATED, LeadStore, StoreError, UpsertReport, first_sighting, merge_seen
from matchers import MatchIndex
from netsword.models import Hit, Lead, Listing, make_lead_id, utc_now

DEFAULT_MIN_SCORE = 50
log = logging.getLogger(__name__)

# Called with each stored lead and its outcome (created / updated / unchanged); alerts subscribe here.
LeadListener = Callable[[Lead, str], None]


@dataclass
class ProcessResult:
    leads: list[Lead] = field(default_factory=list)
    report: UpsertReport = field(default_factory=UpsertReport)
    outcomes: list[str] = field(default_factory=list)  # one per lead: created / updated / unchanged


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
        result.outcomes.append(outcome)
        for listener in listeners:
            listener(lead, outcome)
    return result


def process_batch(
    listings: Sequence[Listing],
    index: MatchIndex,
    store: LeadStore,
    *,
    min_score: int = DEFAULT_MIN_SCORE,
    now: str = "",
    listeners: Sequence[LeadListener] = (),
) -> list[ProcessResult]:
    """`process` for many listings with ONE store write: the same leads, outcomes and listener calls, in order.

    Each lead's outcome is what `process` would report, worked out from the stored lead by the rules both stores
    follow (leads.store.base.merge_seen) before the write; the listeners hear of a lead only once it is stored.
    Raises StoreError when the write fails (nothing of the batch is reported as stored then). Another process
    writing the same leads between the read and the write (two crawls of one platform at once) is logged: the
    leads are stored right, only the outcomes told to the listeners may be off.
    """
    results = [ProcessResult(leads=find_leads(listing, index, min_score=min_score, now=now)) for listing in listings]
    leads = [lead for result in results for lead in result.leads]
    current: dict[str, Lead | None] = {}
    expected = UpsertReport()
    for result in results:
        for lead in result.leads:
            old = current[lead.lead_id] if lead.lead_id in current else store.get(lead.lead_id)
            stored, outcome = (first_sighting(lead), CREATED) if old is None else merge_seen(old, lead)
            current[lead.lead_id] = stored  # the same lead twice in a batch: the second sees the first
            result.report.add(outcome)
            result.outcomes.append(outcome)
            expected.add(outcome)
    report = store.upsert_many(leads) if leads else UpsertReport()
    if report.failed:
        raise StoreError(f"{report.failed} of {len(leads)} leads not stored: {'; '.join(report.errors[:3])}")
    if report.as_dict() != expected.as_dict():
        log.warning(
            "leads changed while being stored: expected %s, store reports %s", expected.as_dict(), report.as_dict()
        )
    for result in results:
        for lead, outcome in zip(result.leads, result.outcomes, strict=True):
            for listener in listeners:
                listener(lead, outcome)
    return results


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
