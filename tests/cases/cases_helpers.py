"""Leads for the cases tests: shops on platforms showing identifiers in their listings."""

from __future__ import annotations

from typing import Any

from netsword.models import Lead, Reason, make_lead_id

NIKE, DYSON = "Nike Innovate C.V.", "Dyson Technology Limited"


def shop_lead(platform: str, seller_id: str, n: int, *, contact: str = "", description: str = "", name: str = "",
              owner: str = NIKE, entry: str = "tm-nike", price: float | None = 100.0, sales: int | None = None,
              **extra: Any) -> Lead:  # fmt: skip
    listing_id = f"{seller_id}-{n}"
    listing: dict[str, Any] = {"id": listing_id, "platform": platform, "url": f"https://{platform}.example.com/{listing_id}",
                               "title": f"耐克 高仿 {n}", "description": description, "currency": "CNY",
                               "seller": {"id": seller_id, "name": name or f"店{seller_id}", "contact": contact}, **extra}  # fmt: skip
    if price is not None:
        listing["price"] = price
    if sales is not None:
        listing["sales"] = sales
    return Lead(lead_id=make_lead_id(platform, listing_id, entry), listing_id=listing_id, platform=platform,
                url=listing["url"], entry_id=entry, kind="trademark", score=80, matched="耐克",
                reasons=(Reason("mark_variant", "耐克"),), listing=listing, first_seen="2026-11-01T00:00:00Z",
                last_seen="2026-11-20T00:00:00Z", owner=owner)  # fmt: skip
