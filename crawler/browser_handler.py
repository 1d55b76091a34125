"""One scrapy-playwright download handler for both http and https: one Playwright driver and one Chromium per crawl.

Scrapy builds a download handler per URL scheme, and scrapy-playwright's starts its own driver and browser (with
the PLAYWRIGHT_CONTEXTS startup contexts) in each: two browsers, twice the memory. This subclass hands every
scheme the same instance and closes it once. Installed by the NetSword add-on for `render: browser` and evidence crawls.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.crawler import Crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

_SHARED = "_netsword_playwright_handler"


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    _closing: asyncio.Future[Any] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        handler = getattr(crawler, _SHARED, None)
        if handler is None:
            handler = cls(crawler)
            setattr(crawler, _SHARED, handler)
        return handler

    async def close(self) -> None:
        # called once per scheme: the first call closes, later ones wait for it
        if self._closing is None:
            self._closing = asyncio.ensure_future(super().close())
        await asyncio.shield(self._closing)
