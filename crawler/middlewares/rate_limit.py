"""RateLimitThrottle: a site that answers 429 (or 503 with Retry-After) slows the whole domain, not just the request.

Each rate-limit answer (at most one per NETSWORD_RATE_LIMIT_WINDOW seconds, so a burst of answers to requests already
in flight counts once) doubles a delay floor on the request's download slot — from NETSWORD_RATE_LIMIT_MIN_DELAY up
to NETSWORD_RATE_LIMIT_MAX_DELAY — and holds the slot back for the Retry-After it gave (a Retry-After above
RETRY_AFTER_MAX gives its request up instead: crawler.middlewares.retry_after). Scrapy spaces a slot's requests by
its delay whatever its concurrency, so the domain's request rate halves. Every other answer from the slot lowers the
floor by NETSWORD_RATE_LIMIT_RECOVERY (a factor), so the crawl speeds up again once the site lets it; below
DOWNLOAD_DELAY the floor is gone. With AutoThrottle on, the slot's delay is AutoThrottle's but never below the floor.
Retrying the rate-limited request itself is crawler.middlewares.retry_after's job (with a budget of its own).
Stats: throttle/rate_limited (answers), throttle/slowdowns (floor raised), throttle/max_delay (highest floor, s).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.middlewares.retry_after import is_rate_limited, retry_after_seconds


@dataclass
class SlotFloor:
    delay: float = 0.0
    raised_at: float = 0.0


class RateLimitThrottle:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.min_delay = settings.getfloat("NETSWORD_RATE_LIMIT_MIN_DELAY", 0.25)
        self.max_delay = settings.getfloat("NETSWORD_RATE_LIMIT_MAX_DELAY", 30.0)
        self.recovery = settings.getfloat("NETSWORD_RATE_LIMIT_RECOVERY", 0.9)
        self.window = settings.getfloat("NETSWORD_RATE_LIMIT_WINDOW", 1.0)
        self.max_hold = settings.getfloat("RETRY_AFTER_MAX", 60.0)
        self.base_delay = settings.getfloat("DOWNLOAD_DELAY", 0.0)
        self.autothrottle = settings.getbool("AUTOTHROTTLE_ENABLED")
        self.floors: dict[str, SlotFloor] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RateLimitThrottle:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return response
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return response
        if is_rate_limited(response):
            self._slow_down(key, slot, retry_after_seconds(response.headers.get("Retry-After")))
        elif key in self.floors:
            self._recover(key, slot)
        return response

    def _slow_down(self, key: str, slot: Any, retry_after: float | None) -> None:
        stats = self.crawler.stats
        stats.inc_value("throttle/rate_limited")
        floor = self.floors.setdefault(key, SlotFloor())
        now = time.monotonic()
        if now - floor.raised_at < self.window:  # an answer to a request sent before the last slow-down
            return
        floor.delay = min(self.max_delay, max(self.min_delay, floor.delay * 2, slot.delay * 2))
        floor.raised_at = now
        slot.delay = max(slot.delay, floor.delay)
        if retry_after and retry_after <= self.max_hold:  # nothing leaves the slot before the Retry-After has passed
            slot.lastseen = max(slot.lastseen, now + retry_after - slot.delay)  # Scrapy's slot clock is monotonic
        stats.inc_value("throttle/slowdowns")
        stats.max_value("throttle/max_delay", round(floor.delay, 3))

    def _recover(self, key: str, slot: Any) -> None:
        floor = self.floors[key]
        floor.delay *= self.recovery
        if floor.delay <= self.base_delay or floor.delay < 0.001:
            del self.floors[key]
            if not self.autothrottle:
                slot.delay = self.base_delay
            return
        slot.delay = max(slot.delay, floor.delay) if self.autothrottle else max(self.base_delay, floor.delay)
