"""DistributedSpider: the marketplace spider as a scrapy-redis worker — a thin subclass, not a fork.

scrapy-redis's RedisMixin reads seeds from a Redis list (`REDIS_START_URLS_KEY`) in `start_requests()` and whenever
the spider is idle. Scrapy 2.13 replaced `start_requests()` with the asynchronous `start()`, and 2.16 stopped calling
`start_requests()` at all, so on the Scrapy we pin a RedisSpider would read its first seeds only at its first idle
signal. This subclass yields them from `start()` instead, and adapts the rest of RedisMixin:
- a seed is one JSON object per keyword (`{"keyword": "nike", "max_pages": 3}`, pushed by `netsword crawl
  --distributed`, crawler.distributed.run) and becomes the profile's own search request (`make_request_from_data`);
- seeds are taken with a claim (crawler.distributed.queue.take_seeds), so a worker killed between taking a seed and
  queueing its request gives the seed back;
- requests leave out cookies, the profile's headers (they may hold `${ENV}` secrets) and everything Chromium needs
  (page methods, the page guard, a page, a context's storage state or proxy: a retried browser request carries
  them) on their way into Redis (`portable`), and get them back from the worker's own profile (`restore_request`);
- what each callback and errback yields is handed over in one step (crawler.distributed.handoff), and the spider's
  ledger reports go to the writer with it.
The worker runs until stopped (SIGTERM: in-flight requests go back to the queue), or after `MAX_IDLE_TIME_BEFORE_CLOSE`
seconds with nothing to do (`netsword worker --max-idle`).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy_redis.spiders import RedisMixin

from crawler.browser_guard import GUARD_META, ORIGINAL_INIT_META
from crawler.browser_pages import browser_meta
from crawler.distributed.handoff import RecordingLedger, link_of
from crawler.distributed.keys import Keys
from crawler.distributed.queue import CLAIM, take_seeds
from crawler.ledger import CrawlLedger
from crawler.middlewares.page_pool import POOL_META, TURN_META
from crawler.spiders.marketplace import MarketplaceSpider
from netsword.config import load_config

SECRET_HEADERS = (b"cookie", b"authorization", b"proxy-authorization")
BROWSER_PAGE = "netsword_browser_page"  # in Redis: "search" or "detail", for a request Chromium is to render
# what the downloader middlewares put in a browser request's meta for one fetch (besides scrapy-playwright's keys)
BROWSER_RUN_META = frozenset({GUARD_META, ORIGINAL_INIT_META, POOL_META, TURN_META})


class DistributedSpider(RedisMixin, MarketplaceSpider):  # type: ignore[misc]
    name = "marketplace-worker"
    custom_settings = {
        # the NetSword add-on first, then the worker's (scheduler, queue, duplicate filter, handoff, pipelines)
        "ADDONS": {"crawler.addon.NetSwordAddon": 0, "crawler.distributed.addon.WorkerAddon": 10},
    }

    def __init__(self, *args: Any, worker: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.worker = worker or "worker"
        self.spider_idle_start_time = int(time.time())
        self._recording = RecordingLedger()
        self.keys = Keys("netsword", self.profile.platform)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DistributedSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, DistributedSpider)
        cfg = load_config(crawler.settings.get("NETSWORD_CONFIG_FILE") or None)
        spider.keys = Keys(cfg.distributed.key_prefix, spider.profile.platform)
        return spider

    def open_redis(self) -> None:
        """RedisMixin's set-up, once the add-ons have named the Redis (called when the spider opens)."""
        self.setup_redis(self.crawler)
        self.fetch_data = self._take_seeds

    @property
    def ledger(self) -> CrawlLedger:
        return self._recording

    # -- seeds
    async def start(self) -> AsyncIterator[Any]:
        self.cookies = {name: value for name, value in link_of(self.crawler).runtime.cookies(self.profile.platform).items()}
        for request in self.next_requests():
            yield request

    def _take_seeds(self, key: str, count: int) -> list[tuple[str, bytes]]:
        return take_seeds(self.server, self.keys, self.worker, count)

    def make_request_from_data(self, data: Any) -> scrapy.Request | None:
        claim, raw = data
        try:
            seed = json.loads(raw)
            keyword = str(seed.get("keyword", ""))
            max_pages = int(seed.get("max_pages") or 0)
        except (ValueError, TypeError, AttributeError):
            self.logger.error("seed not understood (dropped): %r", raw[:200])
            self.server.hdel(self.keys.claims(self.worker), claim)
            return None
        runtime = link_of(self.crawler).runtime
        self.max_pages = max_pages or self.profile.pagination.max_pages or runtime.cfg.crawler.max_pages
        request = self.search_request(keyword, page=self.profile.pagination.start)
        request.meta[CLAIM] = claim  # queueing the request releases the seed's claim
        request.dont_filter = True  # a seed given back after a worker died is queued again
        return request

    def spider_idle(self) -> None:
        if link_of(self.crawler).busy_since(self.spider_idle_start_time):
            self.spider_idle_start_time = int(time.time())
        super().spider_idle()

    # -- requests in and out of Redis
    def portable(self, data: dict[str, Any]) -> dict[str, Any]:
        """A request as it may be kept in Redis: no cookies, credentials, profile headers or Chromium page methods."""
        profile_headers = {name.lower().encode() for name in self.headers}
        data["cookies"] = {}
        data["headers"] = {
            k: v for k, v in (data.get("headers") or {}).items()
            if k.lower() not in SECRET_HEADERS and k.lower() not in profile_headers
        }  # fmt: skip
        meta = dict(data.get("meta") or {})
        if meta.get("playwright") or "playwright_page_methods" in meta:
            # A retried or redirected browser request carries what the downloader gave it for one fetch: the page
            # guard (a function), a Chromium page, the context's storage state (cookies) or proxy (credentials).
            # Only which page it is goes to Redis; the worker that takes it asks for Chromium afresh.
            meta = {k: v for k, v in meta.items() if not k.startswith("playwright") and k not in BROWSER_RUN_META}
            meta[BROWSER_PAGE] = "search" if data.get("callback") == "parse_search" else "detail"
        data["meta"] = meta
        return data

    def restore_request(self, request: scrapy.Request) -> scrapy.Request:
        for name, value in self.headers.items():
            request.headers.setdefault(name, value)
        request.cookies = dict(self.cookies)
        page = request.meta.pop(BROWSER_PAGE, "")
        if page:
            spec = self.profile.search if page == "search" else (self.profile.detail.page if self.profile.detail else None)
            if spec is not None:
                request.meta.update(browser_meta(self.profile, spec, search=page == "search"))
        return request

    # -- errbacks: their output does not pass the spider middlewares, so they hand over themselves
    def on_search_error(self, failure: Any) -> Iterator[Any]:
        yield from link_of(self.crawler).handoff(failure.request, super().on_search_error(failure))

    def on_detail_error(self, failure: Any) -> Iterator[Any]:
        yield from link_of(self.crawler).handoff(failure.request, super().on_detail_error(failure))
