"""LeadPipeline: ListingItems become `netsword.models.Listing`s and go through `leads.process` in batches (one path).

Listings go to `leads.process.process_batch` (the same matching, outcomes and listener calls as `process`, with one
store write) through the crawl's lead sink and match index (`crawler.extensions.runtime`: built once per crawl; this
pipeline never loads configuration itself), in batches of up to NETSWORD_LEAD_BATCH, one batch at a time (in a
worker thread when NETSWORD_LEAD_THREAD is on): what arrives while a batch is written forms the next batch, so none
waits for a timer. An item leaves this pipeline only once its batch is stored, so whatever the crawl reports as done
(stats, evidence, a JOBDIR resume) is in the store. A listing that fails validation is logged and counted
(netsword/bad_listings) and dropped; a batch the store refuses is logged and counted (netsword/lead_batch_failures)
and its items dropped; the crawl goes on. Each outcome is reported to the crawl run's ledger by the item's keyword and
result page (stored, failed with the store's reason, rejected), and every sighting carries the run's id
(`Lead.last_run`), so a run restarted after a crash counts a listing once. (Leads an attempt killed before their
evidence was captured are caught up by the evidence pipeline, which captures for stored leads without a capture.)
Every listing, matched or not, is also kept (`LeadSink.keep`, for `netsword rematch`); one not kept is logged with
the store's reason and counted (netsword/listings_not_kept), its leads still stored.
Stats: netsword/listings, netsword/listings_kept, netsword/leads_created, netsword/leads_updated,
netsword/leads_unchanged, netsword/lead_batches (netsword/alerts_queued: the runtime).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extensions.crawl_run import CrawlRun, crawl_run_of
from crawler.extensions.runtime import runtime_of
from crawler.ledger import CrawlLedger
from leads.process import ProcessResult, process_batch
from leads.sink import LeadSink
from leads.store.base import StoreError, UpsertReport
from leads.store.listings import ListingReport
from netsword.models import Lead, Listing, ListingError, utc_now

logger = logging.getLogger(__name__)


class RunSightings(LeadSink):
    """The crawl's lead sink with every sighting stamped with the crawl run's id (Lead.last_run)."""

    def __init__(self, sink: LeadSink, run_id: str) -> None:
        super().__init__(sink.store)
        self.sink, self.run_id = sink, run_id

    def write(self, leads: Sequence[Lead]) -> UpsertReport:
        return self.sink.write([lead.with_changes(last_run=self.run_id) for lead in leads])

    def keep(self, listings: Sequence[Listing], *, now: str = "", run: str = "") -> ListingReport:
        return self.sink.keep(listings, now=now, run=run or self.run_id)


class LeadPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.runtime = runtime_of(crawler)
        self.run: CrawlRun | None = crawl_run_of(crawler)
        self.ledger = self.run.ledger if self.run is not None else CrawlLedger()
        self.sink: LeadSink = RunSightings(self.runtime.sink, self.run.run_id) if self.run else self.runtime.sink
        self.min_score = self.runtime.cfg.matching.min_score
        self.batch_size = max(1, crawler.settings.getint("NETSWORD_LEAD_BATCH"))
        self.threaded = crawler.settings.getbool("NETSWORD_LEAD_THREAD")
        self.pending: list[tuple[Listing, asyncio.Future[ProcessResult]]] = []
        self.writer: asyncio.Task[None] | None = None  # one batch at a time: outcomes depend on what is stored
        self.executor: ThreadPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeadPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.threaded:
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netsword-leads")

    async def close_spider(self) -> None:
        self._kick()
        while self.writer is not None:
            await asyncio.gather(self.writer, return_exceptions=True)
        if self.executor is not None:
            self.executor.shutdown(wait=True)

    async def process_item(self, item: Any) -> Any:
        data = dict(item["listing"])
        data.setdefault("crawled_at", utc_now())
        keyword, page = str(item.get("keyword") or ""), int(item.get("page") or 0)
        try:
            listing = Listing.from_dict(data)
        except ListingError as exc:
            self.crawler.stats.inc_value("netsword/bad_listings")
            self.ledger.rejected(keyword, page)
            logger.warning("bad listing %s %s: %s", item.get("profile"), str(data.get("id", "?"))[:80], exc)
            raise DropItem(f"bad listing: {exc}") from None
        self.crawler.stats.inc_value("netsword/listings")
        loop = asyncio.get_running_loop()
        done: asyncio.Future[ProcessResult] = loop.create_future()
        self.pending.append((listing, done))
        loop.call_soon(self._kick)  # after this loop turn, so that listings arriving together go together
        try:
            result = await done
        except StoreError as exc:
            self.ledger.failed(keyword, page, listing.id, str(exc)[:300])
            raise DropItem(f"not stored: {exc}") from None
        if result.report.failed:
            self.crawler.stats.inc_value("netsword/leads_failed", result.report.failed)
            why = f"{result.report.failed} lead(s) not stored: {'; '.join(result.report.errors[:1])}"
            self.ledger.failed(keyword, page, listing.id, why[:300])
            raise DropItem(why)
        self.ledger.stored(keyword, page)
        item["new_leads"] = result.new_lead_ids
        return item

    def _kick(self) -> None:
        """Start writing what is pending unless a batch is being written: that one's end starts the next (group
        commit), so batches grow while the store is busy and no listing ever waits for a timer."""
        if self.writer is not None or not self.pending:
            return
        batch, self.pending = self.pending[: self.batch_size], self.pending[self.batch_size :]
        self.writer = asyncio.ensure_future(self._write(batch))

    async def _write(self, batch: list[tuple[Listing, asyncio.Future[ProcessResult]]]) -> None:
        try:
            await self._store(batch)
        finally:
            self.writer = None
            self._kick()

    async def _store(self, batch: list[tuple[Listing, asyncio.Future[ProcessResult]]]) -> None:
        listings = [listing for listing, _ in batch]
        try:
            if self.executor is not None:
                results = await asyncio.get_running_loop().run_in_executor(self.executor, self._process, listings)
            else:
                results = self._process(listings)
        except Exception as exc:  # noqa: BLE001 - a refused batch costs its items, never the crawl
            self.crawler.stats.inc_value("netsword/lead_batch_failures")
            logger.error("storing %d listings failed: %s", len(batch), exc)
            error = exc if isinstance(exc, StoreError) else StoreError(str(exc))
            for _, done in batch:
                if not done.done():
                    done.set_exception(error)
            return
        stats = self.crawler.stats
        stats.inc_value("netsword/lead_batches")
        for (_, done), result in zip(batch, results, strict=True):
            stats.inc_value("netsword/listings_not_kept" if result.not_kept else "netsword/listings_kept")
            for outcome, count in result.report.as_dict().items():
                if count:
                    stats.inc_value(f"netsword/leads_{outcome}", count)
            if not done.done():
                done.set_result(result)

    def _process(self, listings: list[Listing]) -> list[ProcessResult]:
        return process_batch(listings, self.runtime.index, self.sink, min_score=self.min_score)
