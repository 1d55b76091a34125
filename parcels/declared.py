"""Declared contents as a Listing, so a parcel goes through the same matchers and lead path as any listing.

Two things only parcels need are done here, on the listing, never inside the matchers: a product-line name or
nickname of a watched mark (parcels.products) stands for the mark in its entry's goods, and a sender recognised as
an authorised shipper (parcels.authorised) is the listing's seller under a keyed identity that the entries it may
ship list among their authorised sellers, so the matchers' authorised-seller rule applies as it does online.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from leads.process import ProcessResult, find_leads, process_batch
from leads.sink import LeadSink
from netsword.models import Listing, Seller
from parcels.authorised import ShipperRegister
from parcels.products import ProductNames, expansion
from parcels.records import StoredParcel

if TYPE_CHECKING:
    from matchers import MatchIndex


def parcel_listing(
    stored: StoredParcel, products: ProductNames | None = None, shipper: tuple[str, str] | None = None
) -> Listing:
    """platform `parcel:<courier>`, id = waybill, title = declared contents, price = declared value; no raw PII.

    `shipper` is (keyed identity, label) of an authorised shipper; otherwise the seller is the sender's keyed id
    and masked name. Product names found add `飞天 → moutai` as the description and a goods word as the category.
    """
    p = stored.parcel
    description, category = expansion(products.find(p.declared_contents)) if products else ("", "")
    seller_id, seller_name = shipper or (stored.sender_key, stored.masked["sender_name"])
    return Listing(
        id=p.waybill,
        platform=f"parcel:{p.courier}",
        url=f"parcel://{p.courier}/{p.waybill}",
        title=p.declared_contents,
        description=description,
        category=category,
        price=p.declared_value,
        currency=p.currency,
        seller=Seller(id=seller_id, name=seller_name),
        ships_from=p.origin,
        location=p.origin,
        extra={"shipped_at": p.shipped_at, "destination": p.destination, "weight": p.weight, "courier": p.courier},
    )


class DeclaredMatcher:
    """What matching one import's declared contents needs: the index, its product names, the shipper register.

    With a register, `index` must be compiled over `register.authorise(watchlist)`, so that the entries know the
    keyed identities of their authorised shippers.
    """

    def __init__(self, index: MatchIndex, register: ShipperRegister | None = None) -> None:
        if register is not None and len(register) and not register.is_applied_to(index.watchlist):
            raise ValueError("the match index was not compiled over register.authorise(watchlist)")
        self.index = index
        self.register = register
        self.products = ProductNames(index.watchlist)

    def listing(self, stored: StoredParcel, authorised: Sequence[str] = ()) -> Listing:
        """The parcel's listing; `authorised` are the register records its sender is (first by id wins)."""
        shipper = None
        if authorised and self.register is not None:
            record = self.register.shippers[authorised[0]]
            shipper = (self.register.token(record.id), record.label)
        return parcel_listing(stored, self.products, shipper)

    def match(
        self,
        parcels: Sequence[StoredParcel],
        sink: LeadSink | None,
        *,
        authorised: Mapping[str, Sequence[str]] | None = None,
        min_score: int,
        now: str,
    ) -> list[ProcessResult]:
        """Each parcel's leads (stored through the lead sink in one write when one is given), in order.

        `authorised` maps a sender key to the register records that sender is.
        """
        authorised = authorised or {}
        listings = [self.listing(stored, authorised.get(stored.sender_key, ())) for stored in parcels]
        if sink is None:
            index = self.index
            return [
                ProcessResult(leads=find_leads(listing, index, min_score=min_score, now=now)) for listing in listings
            ]
        return process_batch(listings, self.index, sink, min_score=min_score, now=now)
