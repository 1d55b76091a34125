"""Where the network's sightings come from: stored leads' listing snapshots, evidence captures and parcel links.

`ShopIndex.add_lead` reads each listing once (a listing matched by several watch entries is several leads), keeps
which leads belong to which shop, and turns the snapshot's identifiers into sightings. Parcel leads are left out:
their snapshot is a manifest row; the parcel channel enters only as shipper links (`shipper_sightings`), in keyed
form (`sh-…`, from parcels' HMAC sender keys) with counts and dates, never a name, phone or address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cases.identifiers import identifiers_in_listing
from cases.network import Shop, Sighting
from netsword.models import Lead

# (platform, seller id) → the shippers parcels linked to that seller: dicts with at least shipper_id
ShipperLookup = Callable[[str, str], list[Mapping[str, Any]]]
# (platform, listing id) → the newest capture of the listing: (capture id, captured at, page SHA-256) or None
CaptureLookup = Callable[[str, str], tuple[str, str, str] | None]


@dataclass(frozen=True)
class LeadRef:
    """A lead of a shop, with what a viewer's scope is decided on (owner, entry)."""

    lead_id: str
    owner: str
    entry_id: str


def shop_of(platform: str, listing: Mapping[str, Any], listing_id: str) -> Shop:
    seller = listing.get("seller")
    seller = seller if isinstance(seller, Mapping) else {}
    seller_id, name = str(seller.get("id") or "").strip(), str(seller.get("name") or "").strip()
    if seller_id:
        return Shop(f"{platform}:{seller_id}", platform, seller_id, name)
    if name:
        # parcels link sellers by `seller.id or seller.name` too (parcels.links), so the lookup key is the same
        return Shop(f"{platform}:name:{name}", platform, name, name)
    return Shop(f"{platform}:listing:{listing_id}", platform, "", "")


@dataclass
class ShopIndex:
    """Shops, their leads and the sightings of their identifiers, fed one lead at a time."""

    shops: dict[str, Shop] = field(default_factory=dict)
    leads: dict[str, list[LeadRef]] = field(default_factory=dict)
    sightings: list[Sighting] = field(default_factory=list)
    leads_read: int = 0
    _listings: set[tuple[str, str]] = field(default_factory=set)

    def add_lead(self, lead: Lead) -> None:
        self.leads_read += 1
        if lead.from_parcels:
            return
        shop = shop_of(lead.platform, lead.listing, lead.listing_id)
        self.shops.setdefault(shop.key, shop)
        self.leads.setdefault(shop.key, []).append(LeadRef(lead.lead_id, lead.owner, lead.entry_id))
        listing_key = (lead.platform, lead.listing_id)
        if listing_key in self._listings:
            return
        self._listings.add(listing_key)
        for found in identifiers_in_listing(lead.listing):
            evidence = {"lead_id": lead.lead_id, "platform": lead.platform, "listing_id": lead.listing_id,
                        "url": lead.url, "field": found.field, "seen": lead.last_seen}  # fmt: skip
            if found.detail:
                evidence["image_url"] = found.detail
            self.sightings.append(Sighting(shop.key, found.key, evidence))

    def add_leads(self, leads: Iterable[Lead]) -> ShopIndex:
        for lead in leads:
            self.add_lead(lead)
        return self


def shipper_sightings(shops: Iterable[Shop], lookup: ShipperLookup) -> list[Sighting]:
    """A sighting per shop and linked shipper, keyed by the shipper id; the evidence holds counts, never PII."""
    out = []
    for shop in shops:
        if not shop.seller_id:
            continue
        for row in lookup(shop.platform, shop.seller_id):
            evidence = {"source": "parcels", "linked_by": str(row.get("linked_by", "phone")),
                        "linked_at": str(row.get("linked_at", "")), "parcels": int(row.get("parcels") or 0)}  # fmt: skip
            out.append(Sighting(shop.key, "shipper:" + str(row["shipper_id"]), evidence))
    return out


def with_captures(evidence: Mapping[str, Any], lookup: CaptureLookup | None) -> dict[str, Any]:
    """The evidence with the newest capture of its listing (id, time, page hash) when one exists."""
    out = dict(evidence)
    if lookup is not None and "listing_id" in out:
        capture = lookup(str(out.get("platform", "")), str(out["listing_id"]))
        if capture is not None:
            out["capture_id"], out["captured_at"], out["page_sha256"] = capture
    return out
