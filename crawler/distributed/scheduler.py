"""WorkerScheduler: scrapy-redis's scheduler, as Scrapy ≥ 2.13 requires it (a BaseScheduler), on the reliable
queue (crawler.distributed.queue), never flushing the shared queue or duplicate filter when a worker stops.

A request the duplicate filter refuses while it carries a claim (a redirect to a page already scheduled) is done:
its claim is released. When the worker closes, the claims it still holds (requests in flight when it was stopped)
go back to the queue for another worker.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.queue import CLAIM, ReliableQueue, return_claims

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
        queued = bool(Scheduler.enqueue_request(self, request))
        claim = request.meta.get(CLAIM)
        if not queued and claim:
            self.queue.release(claim)  # a duplicate of a request already scheduled: nothing left to do for it
        return queued

    def close(self, reason: str) -> Any:
        spider: Any = self.spider
        returned = return_claims(self.server, spider.keys, spider.worker)
        if returned:
            logger.info("worker %s: %d request(s) in flight returned to the queue", spider.worker, returned)
        return super().close(reason)
