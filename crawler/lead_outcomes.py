"""What the crawl's lead pipeline hands over and gets back, wherever the batch is stored (in the crawl's lead process,
crawler.lead_process, or in a thread of the crawl itself): `store_listings` validates a batch of listing dicts, runs
the one lead path (`leads.process.process_batch`: matching, keeping the listings, one lead upsert, the alert
listeners) and returns one small, picklable `ListingOutcome` per listing, in order.

A search result handed over with its detail page unread (a `PageBody`: the spider leaves detail pages to the crawl's
lead process, crawler.pipelines.leads) is first completed by it (`crawler.extract.read_detail`, as the spider would
have): its outcome then carries the completed listing and how the page read (errors, empty fields), which the crawl
counts and logs. A page that cannot be read at all leaves the search result as it was, with the error reported.

A listing that is not a valid Listing is rejected here with its reason (and not stored); a batch the store refuses
raises (the pipeline fails its listings); a lead the store did not take is counted in the listing's outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.extract import PageBody, ParsedPage, read_detail
from crawler.profile import Profile
from leads.process import process_batch
from leads.sink import LeadSink
from leads.store.base import UpsertReport
from leads.store.listings import ListingReport
from netsword.models import Lead, Listing, ListingError

if TYPE_CHECKING:  # a type only: re-check and backfill crawls import this module and never match
    from matchers.index import MatchIndex


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
    listing: dict[str, Any] | None = None  # completed by its detail page here (only when one was handed over)
    detail: ParsedPage | None = None  # how that detail page read (its listings dropped)

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)


def store_listings(
    entries: Sequence[dict[str, Any]],
    index: MatchIndex,
    sink: LeadSink,
    *,
    min_score: int,
    details: Sequence[PageBody | None] = (),
    profile: Profile | None = None,
) -> list[ListingOutcome]:
    """Validate `entries` (Listing dicts), store the valid ones with one `process_batch`; one outcome per entry.
    `details[i]`, when given and not None, is entry i's unread detail page, read first with `profile`'s rules."""
    outcomes = [ListingOutcome() for _ in entries]
    listings: list[Listing] = []
    valid: list[ListingOutcome] = []
    for n, (data, outcome) in enumerate(zip(entries, outcomes, strict=True)):
        page = details[n] if n < len(details) else None
        if page is not None:
            if profile is None:
                raise ValueError("a detail page to read, but no profile to read it with")
            data = _completed(profile, data, page, outcome)
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


def _completed(profile: Profile, listing: dict[str, Any], page: PageBody, outcome: ListingOutcome) -> dict[str, Any]:
    try:
        outcome.listing, outcome.detail = read_detail(profile, listing, page)
    except Exception as exc:  # noqa: BLE001 - one page the parser chokes on costs its details, not the batch
        outcome.listing = listing
        outcome.detail = ParsedPage(errors=[f"{page.url}: unreadable detail page: {type(exc).__name__}: {exc}"[:300]])
    return outcome.listing
