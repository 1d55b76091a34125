"""What every route of the demo marketplace shares: catalogue, run-time state, render caches, request helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from demo.catalogue import Catalogue, DemoListing
from demo.market_state import MarketState


class BadParameter(ValueError):
    """A query parameter the platform would reject with 400."""


@dataclass
class MarketContext:
    catalogue: Catalogue
    state: MarketState
    html_cache: dict[tuple[Any, ...], str] = field(default_factory=dict)
    body_cache: dict[tuple[Any, ...], bytes] = field(default_factory=dict)

    def live(self, platform: str, listing_id: str) -> tuple[DemoListing | None, bool]:
        """(listing, removed): the listing on this platform if it exists, and whether it was taken down."""
        listing = self.state.find(platform, listing_id)
        return listing, listing is not None and not self.state.is_live(listing.id)

    def cached_html(self, kind: str, listing: DemoListing, render: Any) -> str:
        key = (kind, *self.state.cache_key(listing.id))
        html = self.html_cache.get(key)
        if html is None:
            html = self.html_cache[key] = render(listing, self.state.price_of(listing))
        return html


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type="application/json; charset=utf-8", headers=headers)


def int_param(request: Request, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a whole number, got {raw!r}") from None
    if value < low or (high is not None and value > high):
        bounds = f"{low}–{high}" if high is not None else f"≥ {low}"
        raise BadParameter(f"{name} must be {bounds}, got {value}")
    return value


def money(price: float | None) -> str | None:
    return None if price is None else f"{price:.2f}"
