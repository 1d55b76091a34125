"""WorkerScheduler: scrapy-redis's scheduler, as Scrapy ≥ 2.13 requires it (a BaseScheduler), on the reliable
queue (crawler.distributed.queue), never flushing the shared queue or duplicate filter when a worker stops.

The duplicate filter and the queue are updated in one Lua step (scrapy-redis does it in two: a worker killed between
them would lose the request). A request the filter refuses while it carries a claim (a redirect to a page already
scheduled) is done: its claim is released; a listing's detail page refused because another worker asked for it first is reported to the
ledger as a duplicate, as one process reports a listing it already asked for. When the worker closes, the claims it still holds (requests in flight when it was stopped)
go back to the queue for another worker.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.queue import ReliableQueue, return_claims

logger = logging.getLogger(__name__)


class WorkerScheduler(Scheduler, BaseScheduler):  # type: ignore[misc]
    queue: ReliableQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerScheduler:
        instance: WorkerScheduler = super().from_crawler(crawler)
        instance.persist = True  # the queue and duplicate filter are the platform's, not this worker's
        instance.flush_on_start = False
        return instance

    def enqueue_request(self, request: Request) -> bool:
        # scrapy-redis checks its duplicate filter and then pushes, two steps apart; here they are one (a claim the
        # request carries, a retry's or a redirect's, ends in the same step: queued again, or a duplicate)
        if self.queue.push_new(request, self.df.request_fingerprint(request), self.df.key):
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            return True
        self.df.log(request, self.spider)
        spider: Any = self.spider
        if getattr(request.callback, "__name__", "") == "parse_detail" and "keyword" in request.meta:
            # a listing another worker asked for already (one process would have counted it as a duplicate)
            spider.ledger.duplicate(str(request.meta["keyword"]), int(request.meta.get("page") or 0))
        return False

    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason: str) -> Any:
        spider: Any = self.spider
        returned = return_claims(self.server, spider.keys, spider.worker)
        if returned:
            logger.info("worker %s: %d request(s) in flight returned to the queue", spider.worker, returned)
        return super().close(reason)
