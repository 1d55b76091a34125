"""Declared contents as a Listing, so a parcel goes through the same matchers and lead path as any listing."""

from __future__ import annotations

from leads.process import find_leads, process
from leads.store.base import LeadStore, UpsertReport
from matchers import MatchIndex
from netsword.models import Lead, Listing, Seller
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
    stored: StoredParcel, index: MatchIndex, store: LeadStore | None, *, min_score: int, now: str
) -> tuple[list[Lead], UpsertReport]:
    """The parcel's leads and what storing them did; stored through `leads.process.process` when a store is given."""
    listing = parcel_listing(stored)
    if store is None:
        return find_leads(listing, index, min_score=min_score, now=now), UpsertReport()
    result = process(listing, index, store, min_score=min_score, now=now)
    return result.leads, result.report
