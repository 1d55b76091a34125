"""The worker's side of the handoff: what one response (or failure) yields goes to Redis in one step.

For each request a worker took from the shared queue, its callback's (or errback's) new requests are queued first
(through Scrapy's engine and the scrapy-redis scheduler: duplicate filter, then the reliable queue), then ONE
transaction adds its listings and the spider's ledger reports to the platform's items stream and ends the request's
claim. A worker killed before that transaction leaves the claim, and the request is fetched again by another worker
(its new requests, already queued, are then refused by the duplicate filter); killed after it, nothing is left to do.
A worker that stalls longer than distributed.worker_ttl is reaped like a killed one (its claims re-queued): the
transaction is a Lua step that sends nothing once the worker is marked reaped, and a worker that finds itself reaped
(there, or when it renews its liveness key) logs it in one line and stops with the reason `reaped`, re-registering
nothing: what it held is left to the worker that fetches its pages again, so nothing is counted twice.
Listings then go on to the worker's own item pipelines (evidence capture) unchanged.

Until a listing handed over has left the worker's item pipelines (its evidence captured, or not kept: a loss of the
run), the worker counts it in the platform's `busy` hash (added in the handoff's transaction, taken off in the one
that sends what the pipelines reported), so the run does not end while a capture that may fail is still going.
`WorkerLink` (an extension) also renews the worker's liveness key, re-queues the claims of workers whose key expired
(crawler.distributed.queue.reap), sends ledger reports made outside any callback, takes seeds as soon as they are
pushed, and wakes Scrapy's engine when the shared queue has work (the engine otherwise looks only every 5 s). `HandoffMiddleware` is the spider middleware
nearest the engine, so it sees a callback's output as the engine would.
Stats: netsword/handoffs, netsword/handoff_listings, netsword/reaped_claims (of others), netsword/reaped (this worker).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from twisted.internet import task

from crawler.distributed.queue import CLAIM, reap, renew
from crawler.extensions.crawl_run import crawl_run_of
from crawler.extensions.runtime import Runtime, runtime_of
from crawler.ledger import CrawlLedger

logger = logging.getLogger(__name__)
TICK = 0.25  # seconds between looks at the shared queue
HANDED = "new_leads"  # an item handed over has this field (set again by crawler.distributed.pipeline)

# a worker's handoff: its listings and events to the items stream, its claim ended, its busy count changed, in one
# step and only while the worker is not marked reaped (0 then: nothing sent)
_COMMIT = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
for i = 4, #ARGV, 2 do redis.call('XADD', KEYS[2], '*', 'kind', ARGV[i], 'data', ARGV[i + 1]) end
if ARGV[2] ~= '' then redis.call('HDEL', KEYS[3], ARGV[2]) end
if ARGV[3] ~= '0' then redis.call('HINCRBY', KEYS[4], ARGV[1], ARGV[3]) end
return 1
"""

# CrawlLedger's reports a worker makes (by the spider, the retry middleware, evidence capture, block detection);
# the writer replays them on the run's ledger. Store outcomes (stored, failed, rejected) are the writer's own.
REPORTS = (
    "page_fetched", "page_given_up", "page_skipped", "pagination_lost", "detail_given_up", "detail_skipped",
    "duplicate", "evidence_not_kept", "block_seen", "platform_blocked", "budget_spent",
)  # fmt: skip


class RecordingLedger(CrawlLedger):
    """A CrawlLedger that also records each report, to be sent to the writer with the next handoff."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[list[Any]] = []

    def __getattribute__(self, name: str) -> Any:
        attr = object.__getattribute__(self, name)
        if name in REPORTS and callable(attr):
            events = object.__getattribute__(self, "events")

            def record(*args: Any) -> Any:
                events.append([name, list(args)])
                return attr(*args)

            return record
        return attr

    def drain(self) -> list[list[Any]]:
        out, self.events = self.events, []
        return out


def replay(ledger: CrawlLedger, events: Iterable[Any]) -> int:
    """Apply reports recorded by a worker to `ledger`; unknown or malformed ones are skipped (and counted)."""
    bad = 0
    for event in events:
        try:
            name, args = event
            if name not in REPORTS or not hasattr(ledger, name):
                raise ValueError(name)
            getattr(ledger, name)(*args)
        except (ValueError, TypeError, AttributeError):
            bad += 1
    return bad


def listing_record(item: Any) -> dict[str, Any]:
    """What the writer needs of a ListingItem: the listing and where it was listed (not the page: evidence stays)."""
    return {
        "listing": dict(item["listing"]),
        "profile": str(item.get("profile") or ""),
        "keyword": str(item.get("keyword") or ""),
        "page": int(item.get("page") or 0),
    }


class WorkerLink:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ttl = 15.0  # distributed.worker_ttl, read when the spider opens
        self.last_busy = 0.0
        self.last_beat = 0.0
        self.last_complaint = 0.0
        self.spider: Any = None
        self.loop: task.LoopingCall | None = None
        self.finished = 0  # listings handed over that left the item pipelines since the last commit
        self.reaped = False  # reaped while it stalled: hands over nothing more, and stops
        self.stalled = 0.0  # seconds since its last renewal, when it found itself reaped
        self.left = 0  # listings not handed over because it was reaped
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerLink:
        return cls(crawler)

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.crawler)

    def spider_opened(self, spider: Any) -> None:
        self.spider = spider
        spider.open_redis()
        self.ttl = max(1.0, float(self.runtime.cfg.distributed.worker_ttl))
        spider.server.hdel(spider.keys.busy, spider.worker)  # what an earlier process of this name held died with it
        run = crawl_run_of(self.crawler)
        if run is not None:
            run.ledger = spider.ledger  # what the retry middleware and evidence capture report is sent too
        self.beat(first=True)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(TICK, now=False)

    def beat(self, *, first: bool = False) -> bool:
        if not renew(self.spider.server, self.spider.keys, self.spider.worker, self.ttl, first=first):
            self._was_reaped()
            return False
        self.last_beat = time.monotonic()
        return True

    def _was_reaped(self, listings: int = 0) -> None:
        """This worker was reaped while it stalled: as a killed one, it hands nothing over; it stops."""
        self.left += listings
        if self.reaped:
            return
        self.reaped = True
        self.stalled = time.monotonic() - self.last_beat
        self.crawler.stats.set_value("netsword/reaped", True)
        asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="reaped"))

    def tick(self) -> None:
        if self.reaped:
            return
        try:
            if time.monotonic() - self.last_beat >= self.ttl / 3:
                if not self.beat():
                    return
                reaped = reap(self.spider.server, self.spider.keys)
                if reaped:
                    count = sum(reaped.values())
                    self.crawler.stats.inc_value("netsword/reaped_claims", count)
                    logger.warning("re-queued %d request(s) of stopped worker(s) %s", count, ", ".join(reaped))
            if self.spider.ledger.events or self.finished:
                self._commit(None, [])
            if self.spider.server.llen(self.spider.keys.seeds):  # seeds waiting: take them now, not at idle
                self.spider.schedule_next_requests()
        except Exception as exc:  # noqa: BLE001 - a Redis hiccup must not stop the loop; the next tick tries again
            if time.monotonic() - self.last_complaint >= 30:  # once in 30 s, not four times a second
                logger.error("worker %s: Redis: %s (trying again)", self.spider.worker, exc)
                self.last_complaint = time.monotonic()
        slot = getattr(self.crawler.engine, "_slot", None)  # wake the engine: the shared queue may have work
        if slot is not None:
            slot.nextcall.schedule()

    def item_done(self, item: Any = None, **kwargs: Any) -> None:
        if isinstance(item, Mapping) and HANDED in item:
            self.finished += 1

    def busy_since(self, since: float) -> bool:
        return self.last_busy >= since

    def handoff(self, request: Request | None, outputs: Iterable[Any]) -> Iterator[Any]:
        """Queue the requests in `outputs`, hand over its listings with the request's end; yield the listings."""
        items: list[Any] = []
        passing: list[Any] = []
        try:
            for out in outputs:
                if isinstance(out, Request):
                    self.crawler.engine.crawl(out)
                elif isinstance(out, Mapping) and HANDED in out:  # an errback's, seen again by the middleware
                    passing.append(out)
                elif out is not None:
                    items.append(out)
        finally:
            sent = self._commit(request, items)
        if not sent:  # reaped: these listings are the re-fetching worker's now
            return
        for item in items:
            item[HANDED] = []  # the lead ids the worker's lead pipeline finds for evidence
        yield from passing
        yield from items

    def _commit(self, request: Request | None, items: list[Any]) -> bool:
        """Hand `items`, the ledger's reports and the request's end over in one step; False if this worker was reaped
        (nothing was sent)."""
        spider = self.spider
        events = spider.ledger.drain()
        done, self.finished = self.finished, 0
        if self.reaped:
            self.left += len(items)
            return False
        claim = str(request.meta.get(CLAIM) or "") if request is not None else ""
        if not items and not events and not claim and not done:
            return True
        entries = [v for item in items for v in ("listing", json.dumps(listing_record(item), default=str))]
        if events:
            entries += ["events", json.dumps(events, default=str)]
        keys, worker = spider.keys, spider.worker
        # in the pipelines from now on / out of them, with what they reported
        args = (worker, claim, len(items) - done, *entries)
        try:
            sent = spider.server.eval(_COMMIT, 4, keys.reaped, keys.items, keys.claims(worker), keys.busy, *args)
        except Exception:
            self.finished += done  # taken off with the next commit
            raise
        if not sent:
            self._was_reaped(len(items))
            return False
        self.last_busy = time.time()
        self.crawler.stats.inc_value("netsword/handoffs")
        if items:
            self.crawler.stats.inc_value("netsword/handoff_listings", len(items))
        return True

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.spider is None:
            return
        if self.reaped:  # it was reaped: nothing of it is registered any more, and it registers nothing again
            logger.warning("worker %s was reaped after stalling %.0fs; its %d listings are left to the worker that "
                           "re-crawls its pages", self.spider.worker, self.stalled, self.left)  # fmt: skip
            return
        try:
            if self.spider.ledger.events or self.finished:
                self._commit(None, [])
            keys, server = self.spider.keys, self.spider.server
            server.delete(keys.alive(self.spider.worker))
            server.srem(keys.workers, self.spider.worker)
            server.hdel(keys.busy, self.spider.worker)
        except Exception:  # noqa: BLE001 - the worker is leaving; its claims were returned by the scheduler
            logger.exception("worker %s: leaving Redis failed", self.spider.worker)


def link_of(crawler: Crawler) -> WorkerLink:
    link = crawler.get_extension(WorkerLink)
    if link is None:
        raise RuntimeError("the worker link is not enabled: run the DistributedSpider with its add-on")
    return link


class HandoffMiddleware:
    """The spider middleware nearest the engine: each response's output is handed over as one step."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HandoffMiddleware:
        return cls(crawler)

    def process_spider_output(self, response: Any, result: Iterable[Any]) -> Iterator[Any]:
        yield from link_of(self.crawler).handoff(response.request, result)

    async def process_spider_output_async(self, response: Any, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        outputs = [out async for out in result]
        for out in link_of(self.crawler).handoff(response.request, outputs):
            yield out
