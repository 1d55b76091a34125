"""PagePoolMiddleware: browser requests navigate a few open Chromium pages instead of opening a new page per URL.

Opening a page costs nearly three times a navigation of an open one, so requests marked `netsword_page_pool`
(crawler.browser_pages.browser_meta sets it) take an idle page of their context through scrapy-playwright's
`playwright_page` meta key and give it back when the response arrives. A page whose request failed is closed,
never reused (it may be stuck mid-navigation); every page the pool has seen is closed when the spider closes.
The pool keeps at most NETSWORD_PAGE_POOL_SIZE idle pages per context (0: CONCURRENT_REQUESTS_PER_DOMAIN), within
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT so that no request ever waits for a page that sits idle. A page is retired
(closed; the next request opens a fresh one) after NETSWORD_PAGE_MAX_USES requests: Playwright keeps every
request and response of a page until the page closes, and Chromium's renderer grows too, so a page used forever
grows by megabytes per render.
Stats: netsword/browser_pages_opened, netsword/browser_pages_reused, netsword/browser_pages_retired,
netsword/browser_pages_closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

POOL_META = "netsword_page_pool"
TURN_META = "_netsword_page_turn"  # set while a request holds one of its context's `size` turns
logger = logging.getLogger(__name__)


class PagePoolMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.size = settings.getint("NETSWORD_PAGE_POOL_SIZE") or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2)
        self.idle: defaultdict[str, list[Any]] = defaultdict(list)
        # Scrapy passes requests through downloader middlewares long before their slot downloads them, so a page
        # is taken when a request may really start: at most `size` pooled requests per context hold a page.
        self.turns: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(self.size))
        self.max_uses = max(1, settings.getint("NETSWORD_PAGE_MAX_USES"))
        self.known: dict[int, Any] = {}  # every page handed out, by id(), so that all of them get closed
        self.uses: dict[int, int] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PagePoolMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        meta = request.meta
        if not meta.get(POOL_META) or not meta.get("playwright") or meta.get(TURN_META):
            return
        context = meta.get("playwright_context", "default")
        await self.turns[context].acquire()
        meta[TURN_META] = context
        # The handler leaves an included page open and, from the start of the download, in meta: we own it.
        meta["playwright_include_page"] = True
        pages = self.idle[context]
        while pages:
            page = pages.pop()
            if not page.is_closed():
                meta["playwright_page"] = page
                self.crawler.stats.inc_value("netsword/browser_pages_reused")
                return

    async def process_response(self, request: Request, response: Response) -> Response:
        # Released before any retry or redirect copies this meta: a page never serves two requests at once.
        context = request.meta.pop(TURN_META, None)
        if context is None:
            return response
        try:
            page = request.meta.pop("playwright_page", None)
            if page is not None:
                await self._give_back(context, page)
        finally:
            self.turns[context].release()
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        context = request.meta.pop(TURN_META, None)
        if context is None:
            return
        try:
            page = request.meta.pop("playwright_page", None)
            if page is not None:  # it may be stuck mid-navigation: never reuse it
                self._track(page)
                await self._close(page)
        finally:
            self.turns[context].release()

    async def _give_back(self, context: str, page: Any) -> None:
        self._track(page)
        self.uses[id(page)] += 1
        if page.is_closed():
            return
        if self.uses[id(page)] >= self.max_uses:
            self.crawler.stats.inc_value("netsword/browser_pages_retired")
            await self._close(page)
        elif len(self.idle[context]) < self.size:
            self.idle[context].append(page)
        else:
            await self._close(page)

    async def spider_closed(self) -> None:
        self.idle.clear()
        for page in list(self.known.values()):
            await self._close(page)
        self.known.clear()

    def _track(self, page: Any) -> None:
        if id(page) in self.known:
            return
        self.known[id(page)] = page
        self.uses[id(page)] = 0
        self.crawler.stats.inc_value("netsword/browser_pages_opened")
        page.on("close", self._on_close)

    def _on_close(self, *_: Any) -> None:
        self.crawler.stats.inc_value("netsword/browser_pages_closed")

    async def _close(self, page: Any) -> None:
        self.known.pop(id(page), None)
        self.uses.pop(id(page), None)
        if page.is_closed():
            return
        try:
            await page.close()
        except Exception as exc:  # noqa: BLE001 - a page of a crashed or closed browser is gone already
            logger.debug("closing a browser page failed: %s", exc)
