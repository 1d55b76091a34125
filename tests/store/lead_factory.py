"""Leads for the store tests, built the way leads.process builds them."""

from __future__ import annotations

from typing import Any

from leads.store.base import LeadStore
from netsword.models import Lead, Reason, make_lead_id


def upsert_one(store: LeadStore, lead: Lead) -> str:
    """Store one sighting through `upsert_many` and return its outcome (created / updated / unchanged)."""
    report = store.upsert_many([lead])
    stored = report.stored[0]
    assert stored is not None, report.errors
    return stored.outcome


def make_lead(
    listing_id: str,
    *,
    platform: str = "taobao",
    entry: str = "tm-nike",
    kind: str = "trademark",
    score: int = 80,
    title: str = "耐克 Air Max 运动鞋 高仿",
    price: float | None = 99.0,
    seller: str = "潮鞋小铺",
    seen: str = "2024-05-01T08:00:00Z",
    owner: str = "Nike Innovate C.V.",
    **listing: Any,
) -> Lead:
    data: dict[str, Any] = {"id": listing_id, "platform": platform, "url": f"https://{platform}.example/{listing_id}",
                            "title": title, "currency": "CNY", "crawled_at": seen, **listing}  # fmt: skip
    if price is not None:
        data["price"] = price
    if seller:
        data["seller"] = {"id": "s-" + seller, "name": seller}
    return Lead(
        lead_id=make_lead_id(platform, listing_id, entry),
        listing_id=listing_id,
        platform=platform,
        url=data["url"],
        entry_id=entry,
        kind=kind,
        score=score,
        matched="耐克" if "耐克" in title else title.split()[0],
        reasons=(Reason("mark_variant", "title contains the mark"),),
        listing=data,
        first_seen=seen,
        last_seen=seen,
        owner=owner,
    )
