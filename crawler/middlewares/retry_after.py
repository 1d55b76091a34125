"""Retries that wait: honour `Retry-After` on 429/503 and back off exponentially on other retryable failures.

Replaces Scrapy's RetryMiddleware (same settings: RETRY_TIMES, RETRY_HTTP_CODES) and adds
RETRY_BACKOFF_BASE (seconds, doubled per attempt) and RETRY_AFTER_MAX (longest wait honoured; longer gives up).
The wait happens off the download slot, so other requests keep flowing; stats: retry_after/waits, retry_after/seconds.
"""

from __future__ import annotations

import asyncio
import email.utils
import time

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
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


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 60.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0)
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            wait = self.backoff_base * (2**attempt)
        if wait > self.max_wait:
            self.crawler.stats.inc_value("retry_after/too_long")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(self.backoff_base * (2 ** request.meta.get("retry_times", 0)))
        return retry

    async def _wait(self, seconds: float) -> None:
        stats = self.crawler.stats
        stats.inc_value("retry_after/waits")
        stats.inc_value("retry_after/seconds", seconds)
        await asyncio.sleep(seconds)
