"""The `demo-feed` platform: bulk exports (JSONL in NetSword's Listing format, CSV) as handed to regulators.

The JSONL export carries one deliberately truncated line (a broken export, as happens), which readers must count
and skip; it is not a listing and is not in the ground truth.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from demo.catalogue import DemoListing
from demo.context import MarketContext, json_response
from demo.routes_static import item_response

PLATFORM = "demo-feed"
CSV_COLUMNS = ("id", "title", "price", "currency", "seller_id", "seller_name", "category", "location", "ships_from",
               "url", "description")  # fmt: skip
BROKEN_LINE = '{"id": "fd-export-error", "platform": "demo-feed", "title": "导出中断'
BROKEN_AFTER = 300  # the broken line follows this many good lines


def feed_listing(listing: DemoListing, price: float | None, base: str) -> dict[str, Any]:
    """The listing in NetSword's Listing JSON shape (docs/formats.md)."""
    out: dict[str, Any] = {
        "id": listing.id,
        "platform": PLATFORM,
        "url": f"{base}/feed/item/{listing.id}",
        "title": listing.title,
        "description": listing.description,
        "currency": listing.currency,
        "seller": {"id": listing.seller.id, "name": listing.seller.name},
        "category": listing.category,
        "images": [base + listing.image],
        "ships_from": listing.ships_from,
        "location": listing.location,
    }
    if price is not None:
        out["price"] = round(price, 2)
    return out


def routes(ctx: MarketContext) -> list[Route]:
    def live_listings() -> list[DemoListing]:
        return [x for x in ctx.catalogue.by_platform[PLATFORM] if ctx.state.is_live(x.id)]

    def cached(kind: str, base: str, build: Any) -> bytes:
        key = (kind, base, ctx.state.epoch, sum(ctx.state.revision.values()))
        body = ctx.body_cache.get(key)
        if body is None:
            body = ctx.body_cache[key] = build(base)
        return body

    def build_jsonl(base: str) -> bytes:
        lines = [json.dumps(feed_listing(x, ctx.state.price_of(x), base), ensure_ascii=False) for x in live_listings()]
        lines.insert(min(BROKEN_AFTER, len(lines)), BROKEN_LINE)
        return ("\n".join(lines) + "\n").encode()

    def build_csv(base: str) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for x in live_listings():
            price = ctx.state.price_of(x)
            writer.writerow((x.id, x.title, "" if price is None else f"{price:.2f}", x.currency, x.seller.id,
                             x.seller.name, x.category, x.location, x.ships_from, f"{base}/feed/item/{x.id}",
                             x.description))  # fmt: skip
        return out.getvalue().encode()

    def base_of(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def jsonl(request: Request) -> Response:
        return Response(
            cached("jsonl", base_of(request), build_jsonl), media_type="application/x-ndjson; charset=utf-8"
        )

    async def csv_export(request: Request) -> Response:
        return Response(cached("csv", base_of(request), build_csv), media_type="text/csv; charset=utf-8")

    async def item(request: Request) -> Response:
        listing, removed = ctx.live(PLATFORM, request.path_params["listing_id"])
        if listing is None or removed:
            return json_response({"error": "item_removed" if removed else "not_found",
                                  "message": "商品已下架" if removed else "商品不存在"}, 404)  # fmt: skip
        return json_response(feed_listing(listing, ctx.state.price_of(listing), base_of(request)))

    async def short_link(request: Request) -> Response:
        return RedirectResponse(f"/feed/web/item/{quote(request.path_params['listing_id'], safe='')}", 302)

    async def web_item(request: Request) -> Response:
        return item_response(ctx, PLATFORM, request.path_params["listing_id"])

    return [
        Route("/feed/listings.jsonl", jsonl),
        Route("/feed/listings.csv", csv_export),
        Route("/feed/item/{listing_id}", item),
        # the listing's web page behind a short link that redirects (a profile names it: listing_page)
        Route("/feed/go/{listing_id}", short_link),
        Route("/feed/web/item/{listing_id}", web_item),
    ]
