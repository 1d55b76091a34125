"""Retries that wait: honour `Retry-After` on 429/503 and back off exponentially on other retryable failures.

Replaces Scrapy's RetryMiddleware (the add-on switches that one off) with the same settings — RETRY_ENABLED,
RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS and the `dont_retry` / `max_retry_times` meta keys — and retries
through Scrapy's public `get_retry_request` (so retry/* stats and logs are Scrapy's); it adds RETRY_BACKOFF_BASE
(seconds, doubled per attempt) and RETRY_AFTER_MAX (longest wait honoured; longer gives up).
The wait happens off the download slot, so other requests keep flowing; stats: retry_after/waits, retry_after/seconds,
retry_after/too_long.
"""

from __future__ import annotations

import asyncio
import email.utils
import time

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds from a Retry-After header: either a number of seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.retry_http_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.exceptions_to_retry = tuple(
            load_object(x) if isinstance(x, str) else x for x in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0)
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            wait = self.backoff_base * (2**attempt)
        if wait > self.max_wait:
            self.crawler.stats.inc_value("retry_after/too_long")
            return response
        retry = self._retry_request(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry_request(request, exception)
        if retry is not None:
            await self._wait(self.backoff_base * (2 ** request.meta.get("retry_times", 0)))
        return retry

    def _retry_request(self, request: Request, reason: str | Exception) -> Request | None:
        """A copy of `request` to send again, or None once its retries are spent (RETRY_TIMES, `max_retry_times`)."""
        assert self.crawler.spider is not None  # a request is only ever downloaded for an open spider
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            priority_adjust=request.meta.get("priority_adjust"),
            give_up_log_level=request.meta.get("give_up_log_level"),
        )

    async def _wait(self, seconds: float) -> None:
        stats = self.crawler.stats
        stats.inc_value("retry_after/waits")
        stats.set_value("retry_after/seconds", stats.get_value("retry_after/seconds", 0.0) + seconds)  # not a count
        await asyncio.sleep(seconds)
