"""The `demo-api` platform: a JSON search API with opaque cursors (Xianyu/eBay-API-like) and an item endpoint."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from demo.catalogue import DemoListing
from demo.context import BadParameter, MarketContext, int_param, json_response, money
from demo.routes_static import item_response

PLATFORM = "demo-api"


def encode_cursor(query: str, offset: int) -> str:
    raw = json.dumps({"q": query, "o": offset}, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, query: str) -> int:
    """The offset a cursor points at; BadParameter when it is not one of ours or belongs to another query."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = data["o"]
        same_query = data["q"] == query
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise BadParameter("cursor is not valid") from None
    if not isinstance(offset, int) or offset < 0 or not same_query:
        raise BadParameter("cursor does not belong to this query")
    return offset


def api_item(listing: DemoListing, price: float | None) -> dict[str, Any]:
    return {
        "itemId": listing.id,
        "title": listing.title,
        "price": None if price is None else {"value": money(price), "currency": listing.currency},
        "seller": {"sellerId": listing.seller.id, "nick": listing.seller.name},
        "area": listing.location,
        "category": listing.category,
        "itemUrl": f"/api/item/{listing.id}",
        "images": [listing.image],
    }


def routes(ctx: MarketContext) -> list[Route]:
    async def search(request: Request) -> Response:
        query = request.query_params.get("q", "")
        try:
            limit = int_param(request, "limit", 20, 1, 100)
            cursor = request.query_params.get("cursor")
            offset = decode_cursor(cursor, query) if cursor else 0
        except BadParameter as exc:
            return json_response({"error": "bad_parameter", "message": str(exc)}, 400)
        ids, distinct = ctx.state.results(PLATFORM, query)
        chunk = [ctx.catalogue.by_id[i] for i in ids[offset : offset + limit]]
        end = offset + limit
        return json_response({"items": [api_item(x, ctx.state.price_of(x)) for x in chunk],
                              "total": distinct,
                              "next_cursor": encode_cursor(query, end) if end < len(ids) else None})  # fmt: skip

    async def item(request: Request) -> Response:
        listing, removed = ctx.live(PLATFORM, request.path_params["listing_id"])
        if listing is None or removed:
            return json_response({"error": "item_removed" if removed else "not_found",
                                  "message": "商品已下架" if removed else "商品不存在"}, 404)  # fmt: skip
        body = api_item(listing, ctx.state.price_of(listing))
        body.update(desc=listing.description, shipsFrom=listing.ships_from)
        return json_response(body)

    async def web_item(request: Request) -> Response:
        return item_response(ctx, PLATFORM, request.path_params["listing_id"])

    # the listing's web page, which the API's answers do not link to (a profile names it: listing_page)
    return [Route("/api/search", search), Route("/api/item/{listing_id}", item),
            Route("/api/web/item/{listing_id}", web_item)]  # fmt: skip
