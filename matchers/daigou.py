"""Daigou (overseas-purchase) claims that the listing itself contradicts: a reason and extra score points.

A listing that claims 海外代购 / 海外直邮 / 香港发货 / 保税仓 / 免税店 but ships from or is located in an
inland city, or whose price is impossible for genuine goods, is a classic counterfeit outlet.
"""

from __future__ import annotations

from netsword.models import Listing, Reason

DAIGOU_CLAIMS = ("海外代购", "海外直邮", "香港发货", "香港直邮", "保税仓", "免税店", "日本直邮", "美国直邮", "欧洲直邮",
                 "代购", "overseas purchase", "direct mail from", "duty free", "duty-free", "bonded warehouse")  # fmt: skip
# places whose goods may honestly arrive by overseas purchase or bonded warehouse
OVERSEAS_PLACES = ("香港", "澳门", "台湾", "海外", "日本", "韩国", "美国", "法国", "意大利", "英国", "德国", "瑞士",
                   "澳大利亚", "新加坡", "保税", "hong kong", "macau", "japan", "korea", "usa", "france", "italy",
                   "overseas", "uk", "germany", "switzerland")  # fmt: skip


def daigou_claim(listing: Listing) -> str:
    """The overseas-purchase claim the listing makes, or ''."""
    text = listing.text.lower()
    return next((claim for claim in DAIGOU_CLAIMS if claim in text), "")


def daigou_signals(listing: Listing, price_floor: float | None) -> list[tuple[Reason, int]]:
    """Reasons (with score points) for a daigou claim the listing contradicts; [] when there is none."""
    claim = daigou_claim(listing)
    if not claim:
        return []
    signals: list[tuple[Reason, int]] = []
    # where the parcel leaves from decides; a shop's stated location (often 香港) is only a fallback
    origin = (listing.ships_from or listing.location or "").lower()
    if origin and not any(place in origin for place in OVERSEAS_PLACES):
        signals.append((Reason("daigou_contradiction", f"claims “{claim}” but ships from {origin}"), 15))
    if price_floor and listing.price is not None and listing.price < 0.5 * price_floor:
        signals.append((Reason("daigou_price", f"claims “{claim}” at {listing.price:g}, under half the genuine "
                                               f"price {price_floor:g}"), 10))  # fmt: skip
    return signals
