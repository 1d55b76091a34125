"""The `demo-static` platform: server-rendered search pages (20 a page), detail pages with JSON-LD, seller pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from demo import pages
from demo.context import BadParameter, MarketContext, int_param
from demo.market_state import PAGE_SIZE

PLATFORM = "demo-static"


def routes(ctx: MarketContext) -> list[Route]:
    def listing_page(
        heading: str, query: str | None, found: tuple[list[str], int], page: int, path: str
    ) -> HTMLResponse:
        ids, distinct = found
        start = (page - 1) * PAGE_SIZE
        items = [
            ctx.cached_html("li", ctx.catalogue.by_id[i], pages.result_item) for i in ids[start : start + PAGE_SIZE]
        ]
        more = start + PAGE_SIZE < len(ids)
        next_href = pages.page_href(path, page + 1, query) if more else None
        return HTMLResponse(pages.results_page(heading, query or "", distinct, items, next_href))

    async def search(request: Request) -> HTMLResponse:
        query = request.query_params.get("q", "")
        try:
            page = int_param(request, "page", 1, 1)
        except BadParameter as exc:
            return HTMLResponse(pages.message_page("参数错误", str(exc)), status_code=400)
        heading = f"“{query}” 的搜索结果" if query else "全部宝贝"
        return listing_page(heading, query, ctx.state.results(PLATFORM, query), page, "/static/search")

    async def item(request: Request) -> HTMLResponse:
        return item_response(ctx, PLATFORM, request.path_params["listing_id"])

    async def seller(request: Request) -> HTMLResponse:
        seller_id = request.path_params["seller_id"]
        found = ctx.catalogue.sellers.get(seller_id)
        if found is None or not ctx.catalogue.seller_items(PLATFORM, seller_id):
            return HTMLResponse(pages.NOT_FOUND, status_code=404)
        try:
            page = int_param(request, "page", 1, 1)
        except BadParameter as exc:
            return HTMLResponse(pages.message_page("参数错误", str(exc)), status_code=400)
        items = ctx.state.seller_results(PLATFORM, seller_id)
        return listing_page(f"店铺：{found.name}", None, items, page, f"/static/seller/{seller_id}")

    return [
        Route("/static/search", search),
        Route("/static/item/{listing_id}", item),
        Route("/static/seller/{seller_id}", seller),
    ]


def item_response(ctx: MarketContext, platform: str, listing_id: str) -> HTMLResponse:
    """A listing's web page as a buyer sees it (the static style's detail page; the API and feed platforms' listing
    pages): 404 when it does not exist or was taken down."""
    listing, removed = ctx.live(platform, listing_id)
    if listing is None:
        return HTMLResponse(pages.NOT_FOUND, status_code=404)
    if removed:
        return HTMLResponse(pages.REMOVED, status_code=404)
    return HTMLResponse(ctx.cached_html("page", listing, pages.item_page))
