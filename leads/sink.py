"""`LeadSink`: the one way leads reach the store. Every writer (crawls, `netsword match --store`, parcel contents and
patterns, re-checks) hands its leads here; the sink stores them with one `upsert_many` and tells each listener
(alerts) about every lead as stored — merged with what was there, status and history included — and its outcome.
The listings those leads came from (matched or not) are kept through the same sink (`keep`, called by
`leads.process.process_batch` before the leads are written), so `netsword rematch` can match them again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from leads.store.base import UPDATED, LeadStore, Stored, UpsertReport
from leads.store.listings import ListingReport, sighting
from netsword.models import Lead, Listing

log = logging.getLogger(__name__)

# Called with each stored lead and its outcome (created / updated / unchanged); alerts subscribe here.
LeadListener = Callable[[Lead, str], None]


class LeadSink:
    def __init__(self, store: LeadStore, listeners: Sequence[LeadListener] = ()) -> None:
        self.store = store
        self.listeners: list[LeadListener] = list(listeners)

    def write(self, leads: Sequence[Lead]) -> UpsertReport:
        """Store the sightings (one write) and tell the listeners of each stored one, in order.

        `report.stored` is aligned with `leads` (None where a sighting failed); failures are counted in the report,
        never raised, so the caller decides what a partial write costs. A failing listener is logged, never raised.
        """
        if not leads:
            return UpsertReport()
        report = self.store.upsert_many(leads)
        if len(report.stored) != len(leads):  # a store that breaks the contract must not pass for a clean write
            raise RuntimeError(f"{type(self.store).__name__}.upsert_many returned {len(report.stored)} of {len(leads)}")
        for item in report.stored:
            if item is not None:
                self._tell(item)
        return report

    def keep(self, listings: Sequence[Listing], *, now: str = "", run: str = "") -> ListingReport:
        """Keep the listings (`LeadStore.keep_listings`: one per platform and id, first/last seen, latest content),
        seen at `now` (else each one's crawled_at, else now) by crawl run `run`. A listing not kept is counted with
        its reason in the report (aligned with `listings` in `problems`), never raised."""
        if not listings:
            return ListingReport()
        report = self.store.keep_listings([sighting(listing, seen_at=now, run=run) for listing in listings])
        if len(report.problems) != len(listings):
            raise RuntimeError(f"{type(self.store).__name__}.keep_listings reported {len(report.problems)} of "
                               f"{len(listings)}")  # fmt: skip
        if report.failed:
            log.warning("%d of %d listings not kept: %s", report.failed, len(listings), report.errors[0])
        return report

    def mark_taken_down(self, lead_id: str, *, reason: str, at: str) -> Lead:
        """Record that the listing is gone (`LeadStore.mark_taken_down`) and tell the listeners it changed."""
        before = self.store.get(lead_id)
        lead = self.store.mark_taken_down(lead_id, reason=reason, at=at)
        if before is None or before.listing != lead.listing:
            self._tell(Stored(lead, UPDATED))
        return lead

    def _tell(self, item: Stored) -> None:
        for listener in self.listeners:
            try:
                listener(item.lead, item.outcome)
            except Exception:  # noqa: BLE001 - a listener's failure must never lose or undo a stored lead
                log.exception("lead listener %r failed for %s", listener, item.lead.lead_id)
