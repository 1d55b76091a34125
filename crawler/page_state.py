"""Read a listing's state from its page (the re-check spider's interpreter): taken down or online, and its price.

The price comes from the profile's detail-page rules when the profile has them, else from JSON (`price` or
`price.value`), JSON-LD `offers.price`, `itemprop=price`, or a `.price` element.
Page text is data only: it is searched, never executed or shown unescaped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from parsel import Selector

from crawler.decoding import decode_body
from crawler.extract import parse_page
from crawler.fields import parse_price
from crawler.profile import Profile

GONE_STATUSES = (404, 410)
# What marketplaces show instead of an item that was removed; the demo marketplace says 商品已下架.
TAKEDOWN_MARKERS = (
    "商品已下架", "宝贝已下架", "该商品已下架", "商品已删除", "宝贝不存在", "商品不存在", "已失效",
    "this listing has been removed", "this listing has ended", "listing was ended", "item is no longer available",
    "this item is no longer available", "page not found",
)  # fmt: skip


@dataclass(frozen=True)
class PageState:
    taken_down: bool
    reason: str = ""
    price: float | None = None
    currency: str = ""


def read_page(status: int, body: bytes, url: str, media_type: str, profile: Profile | None, *, text: str = "",
              ) -> PageState:  # fmt: skip
    """Decide what a listing's page says about it; `profile` (its platform's) reads the price when it can.

    `text` is the page as a browser rendered it; else the body is decoded as every crawl decodes pages
    (crawler.decoding: BOM, Content-Type, <meta>, detection, and the profile's `encoding:` override).
    """
    if status in GONE_STATUSES:
        return PageState(True, f"HTTP {status}")
    if not text:
        text, _encoding = decode_body(body, media_type, profile.encoding if profile else "")
    page: bytes | str = text
    lowered = text[:200_000].lower()
    marker = next((m for m in TAKEDOWN_MARKERS if m in lowered), "")
    data = _json(text) if "json" in media_type or text.lstrip()[:1] in ("{", "[") else None
    if isinstance(data, dict) and _json_says_gone(data):
        return PageState(True, "the page's data says the item is removed")
    price, currency = _profile_price(profile, page, url)
    if price is None:
        price, currency = _json_price(data) if data is not None else _html_price(text)
    if marker and price is None:
        return PageState(True, f"the page says {marker!r}")
    return PageState(False, price=price, currency=currency)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _json_says_gone(data: dict[str, Any]) -> bool:
    state = str(data.get("status") or data.get("state") or data.get("availability") or "").lower()
    return state in ("removed", "deleted", "taken_down", "offline", "delisted")


def _profile_price(profile: Profile | None, body: bytes | str, url: str) -> tuple[float | None, str]:
    if profile is None or profile.detail is None:
        return None, ""
    parsed = parse_page(profile, body, url, kind="detail")
    if not parsed.listings:
        return None, ""
    item = parsed.listings[0]
    price = item.get("price")
    return (float(price), str(item.get("currency") or "")) if isinstance(price, (int, float)) else (None, "")


def _json_price(data: Any) -> tuple[float | None, str]:
    if isinstance(data, dict):
        for holder in (data, data.get("item"), data.get("data"), data.get("offers")):
            if not isinstance(holder, dict) or "price" not in holder:
                continue
            price = holder["price"]
            if isinstance(price, dict):
                amount, symbol = parse_price(price.get("value", price.get("amount")))
                return amount, str(price.get("currency") or symbol)
            amount, symbol = parse_price(price)
            return amount, str(holder.get("currency") or holder.get("priceCurrency") or symbol)
    return None, ""


def _html_price(text: str) -> tuple[float | None, str]:
    page = Selector(text=text or "<html/>")
    for script in page.css('script[type="application/ld+json"]::text').getall():
        data = _json(script)
        for node in data if isinstance(data, list) else [data]:
            if isinstance(node, dict) and isinstance(node.get("offers"), (dict, list)):
                offers = node["offers"]
                offer = offers[0] if isinstance(offers, list) and offers else offers
                if isinstance(offer, dict) and "price" in offer:
                    amount, symbol = parse_price(offer["price"])
                    if amount is not None:
                        return amount, str(offer.get("priceCurrency") or symbol)
    for value in (
        page.css('[itemprop="price"]::attr(content)').get(),
        " ".join(page.css('[itemprop="price"] ::text').getall()),
        " ".join(page.css(".price ::text").getall()),
    ):
        amount, symbol = parse_price(value or "")
        if amount is not None:
            return amount, symbol
    return None, ""
