"""Site-wide pages (index, robots.txt, /private/, images, ground truth) and the tests' admin endpoints.

Admin: POST /admin/takedown/{platform}/{id}, POST /admin/price/{platform}/{id}?price=X, POST /admin/reset,
GET /admin/hits (requests seen per path and query, for tests that prove what a crawler did or did not fetch).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from demo import pages, rings
from demo.catalogue import PLATFORMS
from demo.context import MarketContext, json_response


def routes(ctx: MarketContext, reset_realism: Callable[[], None], hits: Callable[[], dict[str, int]]) -> list[Route]:
    image = rings.png(120, 120, lambda x, y: (222, 226, 230))  # a plain grey picture, so pages load a real image
    truth = json.dumps(ctx.catalogue.ground_truth(), ensure_ascii=False, indent=1).encode()

    async def index(request: Request) -> HTMLResponse:
        return HTMLResponse(pages.index_page())

    async def robots(request: Request) -> PlainTextResponse:
        return PlainTextResponse(pages.ROBOTS)

    async def private(request: Request) -> HTMLResponse:
        return HTMLResponse(pages.PRIVATE)

    async def img(request: Request) -> Response:
        listing = ctx.catalogue.by_id.get(request.path_params["name"].removesuffix(".png"))
        if listing is not None and listing.ring:  # a ring's product photo (demo.rings): near-identical per listing
            body = rings.ring_image(listing.ring, listing.id)
            return Response(body, media_type="image/png", headers={"Cache-Control": "max-age=86400"})
        return Response(image, media_type="image/png", headers={"Cache-Control": "max-age=86400"})

    async def ground_truth(request: Request) -> Response:
        return Response(truth, media_type="application/json; charset=utf-8")

    def target(request: Request) -> tuple[Response | None, str]:
        platform, listing_id = request.path_params["platform"], request.path_params["listing_id"]
        if platform not in PLATFORMS:
            return json_response(
                {"error": "unknown_platform", "message": f"platforms: {', '.join(PLATFORMS)}"}, 404
            ), ""
        if ctx.state.find(platform, listing_id) is None:
            return json_response({"error": "not_found", "message": f"{listing_id} is not on {platform}"}, 404), ""
        return None, listing_id

    async def takedown(request: Request) -> Response:
        error, listing_id = target(request)
        if error is not None:
            return error
        ctx.state.take_down(ctx.catalogue.by_id[listing_id])
        return json_response({"ok": True, "listing_id": listing_id, "status": "removed"})

    async def set_price(request: Request) -> Response:
        error, listing_id = target(request)
        if error is not None:
            return error
        raw = request.query_params.get("price", "")
        try:
            price = float(raw)
        except ValueError:
            price = math.nan
        if not math.isfinite(price) or price < 0:
            return json_response({"error": "bad_parameter", "message": f"price must be a number ≥ 0, got {raw!r}"}, 400)
        ctx.state.set_price(ctx.catalogue.by_id[listing_id], round(price, 2))
        return json_response({"ok": True, "listing_id": listing_id, "price": f"{price:.2f}"})

    async def reset(request: Request) -> Response:
        ctx.state.reset()
        ctx.html_cache.clear()
        ctx.body_cache.clear()
        reset_realism()
        return json_response({"ok": True})

    async def admin_hits(request: Request) -> Response:
        return json_response(hits())

    return [
        Route("/", index),
        Route("/robots.txt", robots),
        Route("/private/", private),
        Route("/private/{rest:path}", private),
        Route("/img/{name}", img),
        Route("/ground_truth.json", ground_truth),
        Route("/admin/takedown/{platform}/{listing_id}", takedown, methods=["POST"]),
        Route("/admin/price/{platform}/{listing_id}", set_price, methods=["POST"]),
        Route("/admin/reset", reset, methods=["POST"]),
        Route("/admin/hits", admin_hits),
    ]
