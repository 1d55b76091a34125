"""The `demo-browser` platform: HTML shells whose results and details only appear once /browser/*.js has run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from demo import pages
from demo.catalogue import DemoListing
from demo.context import BadParameter, MarketContext, int_param, json_response, money

PLATFORM = "demo-browser"
ASSETS = Path(__file__).resolve().parent / "assets"


def card(listing: DemoListing, price: float | None) -> dict[str, Any]:
    return {"id": listing.id, "title": listing.title, "price": money(price), "currency": listing.currency,
            "shop": listing.seller.name, "shop_id": listing.seller.id, "loc": listing.location,
            "url": f"/browser/item/{listing.id}"}  # fmt: skip


def routes(ctx: MarketContext) -> list[Route]:
    scripts = {name: (ASSETS / name).read_bytes() for name in ("app.js", "item.js")}

    async def search(request: Request) -> HTMLResponse:
        return HTMLResponse(pages.browser_search_shell(request.query_params.get("q", "")))

    async def item(request: Request) -> HTMLResponse:
        listing, removed = ctx.live(PLATFORM, request.path_params["listing_id"])
        if listing is None:
            return HTMLResponse(pages.NOT_FOUND, status_code=404)
        if removed:
            return HTMLResponse(pages.REMOVED, status_code=404)
        return HTMLResponse(pages.browser_item_shell(listing.id))

    async def data(request: Request) -> Response:
        try:
            offset = int_param(request, "offset", 0, 0)
            limit = int_param(request, "limit", 20, 1, 100)
        except BadParameter as exc:
            return json_response({"error": "bad_parameter", "message": str(exc)}, 400)
        ids, distinct = ctx.state.results(PLATFORM, request.query_params.get("q", ""))
        chunk = [ctx.catalogue.by_id[i] for i in ids[offset : offset + limit]]
        next_offset = offset + limit if offset + limit < len(ids) else None
        return json_response({"items": [card(x, ctx.state.price_of(x)) for x in chunk], "offset": offset,
                              "limit": limit, "total": distinct, "next_offset": next_offset})  # fmt: skip

    async def data_item(request: Request) -> Response:
        listing, removed = ctx.live(PLATFORM, request.path_params["listing_id"])
        if listing is None or removed:
            return json_response({"error": "item_removed" if removed else "not_found",
                                  "message": "商品已下架" if removed else "商品不存在"}, 404)  # fmt: skip
        detail = card(listing, ctx.state.price_of(listing))
        detail.update(category=listing.category, ships_from=listing.ships_from, desc=listing.description,
                      images=[listing.image])  # fmt: skip
        return json_response(detail)

    async def script(request: Request) -> Response:
        body = scripts.get(request.path_params["name"])
        if body is None:
            return HTMLResponse(pages.NOT_FOUND, status_code=404)
        return Response(body, media_type="application/javascript; charset=utf-8")

    return [
        Route("/browser/search", search),
        Route("/browser/item/{listing_id}", item),
        Route("/browser/_data", data),
        Route("/browser/_data/item/{listing_id}", data_item),
        Route("/browser/{name}", script),
    ]
