"""Re-match kept listings (`LeadStore.iter_listings`) against the watchlist as it is now, through the lead sink:
after a watchlist change (a mark added for a new rights holder, a variant, an authorised seller), the listings and
parcels already seen give the leads they would have given (`netsword rematch`).

A re-match is not another sighting. A lead found again as it is stored is not written; a new lead starts with the
listing's own first and last sighting (so it sits in the queue and dashboard at the days the listing was seen), and
a lead whose score, match or reasons changed is written stamped with the crawl run that already saw it (so its
times_seen stays; a lead stored by `netsword match --store`, which has no run, counts the change as one sighting).
Listings are read in pages and matched in batches; each batch is one sink write (listeners — alerts — told).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from leads.process import DEFAULT_MIN_SCORE, find_leads
from leads.sink import LeadSink
from leads.store.base import UpsertReport, content_key
from leads.store.listings import KeptListing, ListingQuery
from netsword.models import Lead, Listing, ListingError

if TYPE_CHECKING:
    from matchers import MatchIndex

BATCH = 1000


@dataclass
class RematchReport:
    listings: int = 0  # kept listings read
    matched: int = 0  # of which gave at least one lead
    bad: int = 0  # kept listings that no longer read as a Listing (counted, with the first reasons)
    already: int = 0  # leads found again exactly as stored: not written
    leads: UpsertReport = field(default_factory=UpsertReport)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"listings": self.listings, "matched": self.matched, "bad": self.bad, "already_stored": self.already,
                **{f"leads_{k}": v for k, v in self.leads.as_dict().items()}}  # fmt: skip


def rematch(
    sink: LeadSink,
    index_for: Callable[[Listing], MatchIndex],
    query: ListingQuery,
    *,
    min_score: int = DEFAULT_MIN_SCORE,
    batch: int = BATCH,
    progress: Callable[[RematchReport], None] | None = None,
) -> RematchReport:
    """Match every kept listing `query` selects with `index_for(listing)` and write the new and changed leads
    through `sink`; returns what happened (leads not stored are counted in `report.leads.failed` with reasons).
    A StoreError reading the kept listings is raised."""
    report = RematchReport()
    pending: list[KeptListing] = []
    for kept in sink.store.iter_listings(query):
        pending.append(kept)
        if len(pending) >= batch:
            _batch(sink, index_for, pending, min_score, report)
            pending = []
            if progress is not None:
                progress(report)
    if pending:
        _batch(sink, index_for, pending, min_score, report)
    return report


def _batch(
    sink: LeadSink,
    index_for: Callable[[Listing], MatchIndex],
    kept: list[KeptListing],
    min_score: int,
    report: RematchReport,
) -> None:
    found: list[tuple[KeptListing, Lead]] = []
    for item in kept:
        report.listings += 1
        try:
            listing = item.to_listing()
        except ListingError as exc:
            report.bad += 1
            if len(report.errors) < 20:
                report.errors.append(f"{item.platform}/{item.listing_id}: {exc}")
            continue
        leads = find_leads(listing, index_for(listing), min_score=min_score, now=item.last_seen)
        report.matched += bool(leads)
        found.extend((item, lead.with_changes(first_seen=item.first_seen or item.last_seen)) for lead in leads)
    if not found:
        return
    stored = {lead.lead_id: lead for lead in sink.store.get_many(lead.lead_id for _, lead in found)}
    writes: list[Lead] = []
    for item, lead in found:
        old = stored.get(lead.lead_id)
        if old is not None and content_key(old) == content_key(lead.with_changes(listing=old.listing)):
            report.already += 1  # the same lead as stored (its listing snapshot may be older or newer: not a change)
            continue
        writes.append(lead.with_changes(last_run=old.last_run if old is not None else item.last_run))
    if not writes:
        return
    report.leads.merge(sink.write(writes))
