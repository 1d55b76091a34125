"""Seller ↔ shipper links: a marketplace seller whose contact phone is a shipper's keyed phone.

`link_sellers(listings, db, vault)` records the links; `shippers_for_seller` / `shippers_for_lead` return them
(masked) so that the triage UI can show the seller's lead next to the shipper's parcels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from netsword.models import Lead, Listing, utc_now
from parcels.access import AccessDenied, can_view_parcels
from parcels.db import ParcelDB
from parcels.normalize import normalize_phone
from parcels.pii import PiiVault

# a mainland mobile in any common writing (+86, spaces, dashes), or a landline with area code
_PHONE = re.compile(r"(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}|0\d{2,3}[\s-]?\d{7,8}")


def contact_phones(contact: str) -> list[str]:
    """Normalised phone numbers found in a seller's free-text contact field."""
    return sorted({normalize_phone(m.group(0)) for m in _PHONE.finditer(contact or "")})


def link_sellers(listings: Iterable[Listing], db: ParcelDB, vault: PiiVault) -> int:
    """Record a link for every seller whose contact phone a shipper used; returns the number of new links."""
    created = 0
    now = utc_now()
    for listing in listings:
        seller = listing.seller
        if seller is None or not seller.contact:
            continue
        seller_id = seller.id or seller.name
        for phone in contact_phones(seller.contact):
            phone_key = vault.keyed("phone", phone)
            with db.transaction():
                senders = db.conn.execute(
                    "SELECT DISTINCT sender_key FROM parcels WHERE sender_phone_key = ?", (phone_key,)
                ).fetchall()
                for (sender_key,) in senders:
                    cur = db.conn.execute(
                        "INSERT OR IGNORE INTO parcel_seller_links(platform, seller_id, seller_name, sender_key,"
                        " phone_key, linked_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (listing.platform, seller_id, seller.name, sender_key, phone_key, now),
                    )
                    created += cur.rowcount
    return created


def shippers_for_seller(db: ParcelDB, platform: str, seller_id: str, *, role: str) -> list[dict[str, Any]]:
    """The shippers linked to a marketplace seller, with masked sender details and parcel counts."""
    if not can_view_parcels(role):
        raise AccessDenied(f"role {role!r} may not see parcels")
    sql = """
        SELECT coalesce(s.shipper_id, 'sh-' || substr(l.sender_key, 1, 16)) AS shipper_id, l.sender_key,
               l.linked_at, count(p.waybill) AS parcels, min(p.masked) AS masked,
               group_concat(p.courier || ':' || p.waybill) AS waybills,
               sum(p.entries != '') AS watched_parcels
        FROM parcel_seller_links l
        JOIN parcels p ON p.sender_key = l.sender_key
        LEFT JOIN parcel_shippers s ON s.sender_key = l.sender_key
        WHERE l.platform = ? AND l.seller_id = ?
        GROUP BY l.sender_key ORDER BY shipper_id, l.sender_key
    """
    with db.lock:
        rows = db.conn.execute(sql, (platform, seller_id)).fetchall()
    out = []
    for row in rows:
        masked = json.loads(row["masked"])
        out.append({
            "shipper_id": row["shipper_id"], "linked_by": "phone", "linked_at": row["linked_at"],
            "sender_name": masked.get("sender_name", ""), "sender_phone": masked.get("sender_phone", ""),
            "sender_address": masked.get("sender_address", ""), "parcels": row["parcels"],
            "watched_parcels": row["watched_parcels"], "waybills": sorted(row["waybills"].split(","))[:50],
        })  # fmt: skip
    return out


def shippers_for_lead(db: ParcelDB, lead: Lead, *, role: str) -> list[dict[str, Any]]:
    """The shippers linked to the seller of a marketplace lead ([] for leads without a seller)."""
    seller = lead.listing.get("seller") or {}
    seller_id = str(seller.get("id") or seller.get("name") or "") if isinstance(seller, dict) else ""
    return shippers_for_seller(db, lead.platform, seller_id, role=role) if seller_id else []
