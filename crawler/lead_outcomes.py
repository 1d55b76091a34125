"""What the crawl's lead pipeline hands over and gets back, wherever the batch is stored (in the crawl's lead process,
crawler.lead_process, or in a thread of the crawl itself): `store_listings` validates a batch of listing dicts, runs
the one lead path (`leads.process.process_batch`: matching, keeping the listings, one lead upsert, the alert
listeners) and returns one small, picklable `ListingOutcome` per listing, in order.

A listing that is not a valid Listing is rejected here with its reason (and not stored); a batch the store refuses
raises (the pipeline fails its listings); a lead the store did not take is counted in the listing's outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from leads.process import process_batch
from leads.sink import LeadSink
from leads.store.base import UpsertReport
from leads.store.listings import ListingReport
from matchers.index import MatchIndex
from netsword.models import Lead, Listing, ListingError


class RunSightings(LeadSink):
    """The crawl's lead sink with every sighting stamped with the crawl run's id (Lead.last_run)."""

    def __init__(self, sink: LeadSink, run_id: str) -> None:
        super().__init__(sink.store)
        self.sink, self.run_id = sink, run_id

    def write(self, leads: Sequence[Lead]) -> UpsertReport:
        return self.sink.write([lead.with_changes(last_run=self.run_id) for lead in leads])

    def keep(self, listings: Sequence[Listing], *, now: str = "", run: str = "") -> ListingReport:
        return self.sink.keep(listings, now=now, run=run or self.run_id)


@dataclass
class ListingOutcome:
    """One listing's fate: rejected (not a valid Listing: why), else its new lead ids, its leads' outcomes (created,
    updated, unchanged, failed), the first store error when some failed, and why the listing was not kept ("": it was)."""

    rejected: str = ""
    new_leads: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""
    not_kept: str = ""

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)


def store_listings(
    entries: Sequence[dict[str, Any]], index: MatchIndex, sink: LeadSink, *, min_score: int
) -> list[ListingOutcome]:
    """Validate `entries` (Listing dicts), store the valid ones with one `process_batch`; one outcome per entry."""
    outcomes = [ListingOutcome() for _ in entries]
    listings: list[Listing] = []
    valid: list[ListingOutcome] = []
    for data, outcome in zip(entries, outcomes, strict=True):
        try:
            listings.append(Listing.from_dict(dict(data)))
            valid.append(outcome)
        except ListingError as exc:
            outcome.rejected = str(exc) or "not a listing"
    if not listings:
        return outcomes
    for outcome, result in zip(valid, process_batch(listings, index, sink, min_score=min_score), strict=True):
        outcome.new_leads = result.new_lead_ids
        outcome.counts = {name: count for name, count in result.report.as_dict().items() if count}
        outcome.error = "; ".join(result.report.errors[:1])
        outcome.not_kept = result.not_kept
    return outcomes
