"""Retries that wait and never give up silently: Retry-After on rate limits, backoff on errors, a rate-limit budget of
its own, and a second chance later in the run for a request whose retries are spent.

Replaces Scrapy's RetryMiddleware (the add-on switches that one off) with the same settings — RETRY_ENABLED,
RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS and the `dont_retry` / `max_retry_times` meta keys — and retries
through Scrapy's public `get_retry_request` (so retry/* stats and logs are Scrapy's). What it adds:
- rate limits (429, or 503 with Retry-After) wait the Retry-After (else RETRY_BACKOFF_BASE doubled per attempt) and
  spend NETSWORD_RATE_LIMIT_RETRIES, a budget apart from RETRY_TIMES (kept in meta `rate_limit_retries`); the
  domain itself is slowed by crawler.middlewares.rate_limit;
- other retryable failures back off exponentially (RETRY_BACKOFF_BASE, doubled per attempt) within RETRY_TIMES;
- a request whose budget is spent goes back to the end of the queue (priority lowered), up to NETSWORD_REQUEUE_TIMES
  times, each time not before NETSWORD_REQUEUE_DELAY × the round seconds have passed (meta `netsword_requeues`,
  `netsword_not_before`): a page that keeps failing gets tried again later in the run — unless its meta has
  `NO_REQUEUE` (an optional fetch, such as a listing's image, is given up then);
- a Retry-After above RETRY_AFTER_MAX gives the request up at once;
- a request finally given up carries why in meta `netsword_gave_up` ("HTTP 503 after 4 retries and 2 re-queues"),
  which the spider's errback reports to the crawl's ledger by keyword.
Waits happen off the download slot, so other requests keep flowing; when the crawl is being stopped, a waiting request
goes back to the scheduler at once (with JOBDIR it is saved with the queue). Stats: retry_after/waits,
retry_after/seconds, retry_after/too_long, netsword/requeued, netsword/given_up.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)

GAVE_UP = "netsword_gave_up"  # meta: why the request was finally given up
NO_REQUEUE = "netsword_no_requeue"  # meta: give the request up once its retries are spent (a listing's image)
REQUEUE_PRIORITY = 1000  # how far a re-queued request drops behind everything else in the queue
_STEP = 0.25  # seconds between two looks at whether the crawl is being stopped, while waiting


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


def is_rate_limited(response: Response) -> bool:
    """429, or 503 with Retry-After: the site asks us to slow down (a bare 503 is a server error)."""
    return response.status == 429 or (response.status == 503 and bool(response.headers.get("Retry-After")))


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
        self.rate_limit_times = settings.getint("NETSWORD_RATE_LIMIT_RETRIES", 20)
        self.requeue_times = settings.getint("NETSWORD_REQUEUE_TIMES", 2)
        self.requeue_delay = settings.getfloat("NETSWORD_REQUEUE_DELAY", 30.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> Request | None:
        """A re-queued request waits until its time has come (the crawl's other requests go first)."""
        not_before = request.meta.get("netsword_not_before")
        if not not_before:
            return None
        if not await self._sleep(float(not_before) - time.time()):
            return request.replace(dont_filter=True)  # the crawl is stopping: back to the (saved) queue
        return None

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is not None and wait > self.max_wait:
            self.crawler.stats.inc_value("retry_after/too_long")
            self._give_up(request, f"HTTP {response.status} with Retry-After {wait:.0f} s, above {self.max_wait:.0f} s")
            return response
        reason = response_status_message(response.status)
        if is_rate_limited(response):
            attempt = request.meta.get("rate_limit_retries", 0)
            retry = self._retry_rate_limited(request, reason)
        else:
            attempt = request.meta.get("retry_times", 0)
            retry = self._retry_request(request, reason)
        if retry is None:
            return self._requeue(request, f"HTTP {response.status}") or response
        await self._wait(wait if wait is not None else min(self.max_wait, self.backoff_base * (2**attempt)))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry_request(request, exception)
        if retry is None:
            return self._requeue(request, type(exception).__name__)
        await self._wait(min(self.max_wait, self.backoff_base * (2 ** request.meta.get("retry_times", 0))))
        return retry

    def _retry_request(self, request: Request, reason: str | Exception, *, max_times: int | None = None,
                       stats_key: str = "retry") -> Request | None:  # fmt: skip
        """A copy of `request` to send again, or None once its retries are spent (RETRY_TIMES, `max_retry_times`)."""
        assert self.crawler.spider is not None  # a request is only ever downloaded for an open spider
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=max_times,
            priority_adjust=request.meta.get("priority_adjust"),
            give_up_log_level=request.meta.get("give_up_log_level", logging.INFO),  # a re-queue may follow
            stats_base_key=stats_key,
        )

    def _retry_rate_limited(self, request: Request, reason: str) -> Request | None:
        """As `_retry_request`, within NETSWORD_RATE_LIMIT_RETRIES (stats retry/rate_limit/*): the ordinary retry
        count is left as it was."""
        probe = request.copy()
        probe.meta["retry_times"] = request.meta.get("rate_limit_retries", 0)
        retry = self._retry_request(probe, reason, max_times=self.rate_limit_times, stats_key="retry/rate_limit")
        if retry is None:
            return None
        retry.meta["rate_limit_retries"] = retry.meta["retry_times"]
        retry.meta["retry_times"] = request.meta.get("retry_times", 0)
        return retry

    def _requeue(self, request: Request, why: str) -> Request | None:
        """The request again at the end of the queue, later; None (and given up) when its re-queues are spent."""
        rounds = request.meta.get("netsword_requeues", 0)
        if rounds >= self.requeue_times or request.meta.get(NO_REQUEUE):
            self._give_up(request, f"{why} {_spent(request)}")
            return None
        again = request.replace(dont_filter=True, priority=request.priority - REQUEUE_PRIORITY)
        again.meta.update(
            retry_times=0,
            rate_limit_retries=0,
            netsword_requeues=rounds + 1,
            netsword_not_before=time.time() + self.requeue_delay * (rounds + 1),
        )
        self.crawler.stats.inc_value("netsword/requeued")
        logger.info("%s: %s; tried again later in the run (re-queue %d of %d)", request.url, why, rounds + 1,
                    self.requeue_times)  # fmt: skip
        return again

    def _give_up(self, request: Request, why: str) -> None:
        request.meta[GAVE_UP] = why
        self.crawler.stats.inc_value("netsword/given_up")
        logger.warning("gave up %s: %s", request.url, why)

    async def _wait(self, seconds: float) -> None:
        stats = self.crawler.stats
        stats.inc_value("retry_after/waits")
        stats.set_value("retry_after/seconds", stats.get_value("retry_after/seconds", 0.0) + seconds)  # not a count
        await self._sleep(seconds)

    async def _sleep(self, seconds: float) -> bool:
        """Sleep, in steps; False as soon as the crawl is being stopped (its requests must reach the queue)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self.crawler.crawling:
                return False
            await asyncio.sleep(min(_STEP, left))
        return True


def _spent(request: Request) -> str:
    parts = [f"{request.meta.get('retry_times', 0)} retries"]
    if request.meta.get("rate_limit_retries"):
        parts.append(f"{request.meta['rate_limit_retries']} rate-limit retries")
    parts.append(f"{request.meta.get('netsword_requeues', 0)} re-queues")
    return "after " + ", ".join(parts[:-1]) + " and " + parts[-1]
