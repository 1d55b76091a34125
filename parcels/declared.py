"""Declared contents as a Listing, so a parcel goes through the same matchers and lead path as any listing."""

from __future__ import annotations

from collections.abc import Sequence

from leads.process import ProcessResult, find_leads, process_batch
from leads.sink import LeadSink
from matchers import MatchIndex
from netsword.models import Listing, Seller
from parcels.records import StoredParcel


def parcel_listing(stored: StoredParcel) -> Listing:
    """platform `parcel:<courier>`, id = waybill, title = declared contents, price = declared value; no raw PII."""
    p = stored.parcel
    return Listing(
        id=p.waybill,
        platform=f"parcel:{p.courier}",
        url=f"parcel://{p.courier}/{p.waybill}",
        title=p.declared_contents,
        price=p.declared_value,
        currency=p.currency,
        seller=Seller(id=stored.sender_key, name=stored.masked["sender_name"]),
        ships_from=p.origin,
        location=p.origin,
        extra={"shipped_at": p.shipped_at, "destination": p.destination, "weight": p.weight, "courier": p.courier},
    )


def match_declared(
    parcels: Sequence[StoredParcel], index: MatchIndex, sink: LeadSink | None, *, min_score: int, now: str
) -> list[ProcessResult]:
    """Each parcel's leads (stored through the lead sink in one write when one is given), in order."""
    listings = [parcel_listing(stored) for stored in parcels]
    if sink is None:
        return [ProcessResult(leads=find_leads(listing, index, min_score=min_score, now=now)) for listing in listings]
    return process_batch(listings, index, sink, min_score=min_score, now=now)
