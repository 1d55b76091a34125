"""LeadPipeline: ListingItems go through the one lead path (`leads.process.process_batch`: matching, keeping the
listing, storing its leads, the alert listeners) in batches, off the crawl's reactor.

By default (NETSWORD_LEAD_PROCESS) the batches go to the crawl's lead process (crawler.lead_process: its own
interpreter, its own core), which builds the match index and opens the store from the crawl's configuration and
watchlist; the crawl itself only fetches and parses. With NETSWORD_LEAD_PROCESS off they are stored in a worker
thread of the crawl, with the crawl's runtime (crawler.extensions.runtime). Either way the same function stores them
(crawler.lead_outcomes.store_listings), in batches of up to NETSWORD_LEAD_BATCH, stored one batch at a time and in
order (the next batch already waits in the lead process's pipe while one is stored): what arrives while batches are
written forms the next batch, so none waits for a timer. An item leaves this pipeline only once its
batch is stored, so whatever the crawl reports as done (stats, evidence, a JOBDIR resume) is in the store.
A listing that fails validation is logged and counted (netsword/bad_listings) and dropped; a batch the store refuses
is logged and counted (netsword/lead_batch_failures) and its items dropped; the crawl goes on. Each outcome is
reported to the crawl run's ledger by the item's keyword and result page (stored, failed with the store's reason,
rejected), and every sighting carries the run's id (`Lead.last_run`), so a run restarted after a crash counts a
listing once. (Leads an attempt killed before their evidence was captured are caught up by the evidence pipeline,
which captures for stored leads without a capture.) Every listing, matched or not, is also kept (`LeadSink.keep`,
for `netsword rematch`); one not kept is logged with the store's reason and counted (netsword/listings_not_kept), its
leads still stored.
When the lead process dies (killed, out of memory), the crawl stops and the run is `failed`
(`CrawlLedger.lead_process_lost`): the listings it held and those still arriving are counted failed with the reason,
and netsword/lead_process_died holds its exit code (negative: the signal). A spider whose `stores_listings` is true
(the marketplace spider) starts the lead process as it opens, so a lead process that cannot build its index or open
the store fails the crawl's setup (CrawlSetupError) before anything is fetched; other spiders start it with their
first item, if they have one.
With the lead process on and no image hashing before this pipeline (NETSWORD_IMAGE_HASHES 0: the image pipeline needs
the listing read), the pipeline tells the spider to leave detail pages unread (`details_read_later`): a detail item
then carries its page (`detail_page`), the lead process reads it as the spider would have (crawler.lead_outcomes), and
the item leaves this pipeline with the completed listing; how the page read (malformed items, empty fields) is counted
and logged by the spider's `report_page`, as for a page it read itself. Parsing detail pages is then off the crawl's
core as well (benchmarks/crawl.py).
Stats: netsword/detail_pages_read_apart (detail pages the lead process read), netsword/listings, netsword/listings_kept, netsword/leads_created, netsword/leads_updated,
netsword/leads_unchanged, netsword/lead_batches, netsword/alerts_queued (with the runtime's).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.errors import CrawlSetupError
from crawler.extensions.crawl_run import CrawlRun, crawl_run_of
from crawler.extensions.runtime import runtime_of
from crawler.extract import PageBody
from crawler.lead_outcomes import ListingOutcome, RunSightings, store_listings
from crawler.lead_process import LeadProcess, LeadProcessDied
from crawler.ledger import CrawlLedger
from crawler.profile import Profile
from leads.sink import LeadSink
from leads.store.base import StoreError
from netsword.models import utc_now

__all__ = ["LeadPipeline", "RunSightings"]  # RunSightings: also the distributed writer's
logger = logging.getLogger(__name__)
Pending = tuple[dict[str, Any], PageBody | None, "asyncio.Future[ListingOutcome]"]


def _log_level(value: Any) -> int:
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value or "INFO").upper())
    return level if isinstance(level, int) else logging.INFO


class LeadPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.runtime = runtime_of(crawler)
        self.run: CrawlRun | None = crawl_run_of(crawler)
        self.ledger = self.run.ledger if self.run is not None else CrawlLedger()
        self.batch_size = max(1, crawler.settings.getint("NETSWORD_LEAD_BATCH"))
        self.in_process = crawler.settings.getbool("NETSWORD_LEAD_PROCESS")
        self.pending: list[Pending] = []
        # batches being stored: in the lead process, the next one waits in its pipe while one is stored (it stores
        # them in order, so outcomes are those of one batch at a time); in the thread, one at a time
        self.writers: set[asyncio.Task[None]] = set()
        self.depth = 2 if self.in_process else 1
        # the one thread that stores (NETSWORD_LEAD_PROCESS off) or starts and closes the lead process (on)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netsword-leads")
        self.helper: LeadProcess | None = None
        self.lost: Exception | None = None  # why the lead process is gone (LeadProcessDied, or it never started)
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeadPipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        spider = self.crawler.spider
        if self.in_process and getattr(spider, "stores_listings", False):
            await asyncio.get_running_loop().run_in_executor(self.executor, self._lead_process)
            if self.crawler.settings.getint("NETSWORD_IMAGE_HASHES") <= 0 and hasattr(spider, "details_read_later"):
                spider.details_read_later = True  # type: ignore[union-attr]

    async def close_spider(self) -> None:
        self.closing = True
        self._kick()
        while self.writers:
            await asyncio.gather(*self.writers, return_exceptions=True)
        if self.helper is not None and not self.helper.closed:
            try:
                figures = await asyncio.get_running_loop().run_in_executor(self.executor, self.helper.close)
            except LeadProcessDied as exc:
                self._lead_process_lost(exc)
            else:
                if figures.get("alerts_queued") is not None:
                    self.crawler.stats.inc_value("netsword/alerts_queued", int(figures["alerts_queued"]))
        self.executor.shutdown(wait=True)

    async def process_item(self, item: Any) -> Any:
        data = dict(item["listing"])
        data.setdefault("crawled_at", utc_now())
        keyword, page = str(item.get("keyword") or ""), int(item.get("page") or 0)
        listing_id = str(data.get("id", "?"))[:80]
        detail_page = item.pop("detail_page", None)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[ListingOutcome] = loop.create_future()
        self.pending.append((data, detail_page, done))
        loop.call_soon(self._kick)  # after this loop turn, so that listings arriving together go together
        try:
            outcome = await done
        except (StoreError, LeadProcessDied, CrawlSetupError) as exc:
            self.crawler.stats.inc_value("netsword/listings")
            why = f"{exc} before it was confirmed stored" if isinstance(exc, LeadProcessDied) else str(exc)
            self.ledger.failed(keyword, page, listing_id, why[:300])
            raise DropItem(f"not stored: {why}") from None
        if outcome.listing is not None:  # completed by its detail page in the lead process: the item carries that
            listing = dict(outcome.listing)
            if "crawled_at" not in item["listing"]:
                listing.pop("crawled_at", None)
            item["listing"] = listing
        if outcome.detail is not None and detail_page is not None:
            self.crawler.stats.inc_value("netsword/detail_pages_read_apart")
            report = getattr(self.crawler.spider, "report_page", None)
            if report is not None:
                report(outcome.detail, "detail", detail_page.url)
        if outcome.rejected:
            self.crawler.stats.inc_value("netsword/bad_listings")
            self.ledger.rejected(keyword, page)
            logger.warning("bad listing %s %s: %s", item.get("profile"), listing_id, outcome.rejected)
            raise DropItem(f"bad listing: {outcome.rejected}")
        self.crawler.stats.inc_value("netsword/listings")
        if outcome.failed:
            self.crawler.stats.inc_value("netsword/leads_failed", outcome.failed)
            why = f"{outcome.failed} lead(s) not stored: {outcome.error}"
            self.ledger.failed(keyword, page, listing_id, why[:300])
            raise DropItem(why)
        self.ledger.stored(keyword, page)
        item["new_leads"] = outcome.new_leads
        return item

    def _kick(self) -> None:
        """Start writing what is pending unless `depth` batches are being written: the end of one starts the next
        (group commit), so batches grow while the store is busy and no listing ever waits for a timer."""
        if self.lost is not None:
            self._fail_pending(self.lost)
            return
        while len(self.writers) < self.depth and self.pending:
            batch, self.pending = self.pending[: self.batch_size], self.pending[self.batch_size :]
            task = asyncio.ensure_future(self._store(batch))
            self.writers.add(task)
            task.add_done_callback(self._written)

    def _written(self, task: asyncio.Task[None]) -> None:
        self.writers.discard(task)
        self._kick()

    async def _store(self, batch: list[Pending]) -> None:
        entries = [data for data, _, _ in batch]
        details = [page for _, page, _ in batch] if any(page is not None for _, page, _ in batch) else []
        loop = asyncio.get_running_loop()
        try:
            if self.in_process:
                if self.helper is None:  # a spider without `stores_listings`: started with its first item
                    await loop.run_in_executor(self.executor, self._lead_process)
                assert self.helper is not None
                outcomes = await self.helper.store(entries, details)
            else:
                outcomes = await loop.run_in_executor(self.executor, self._in_thread, entries, details)
        except (LeadProcessDied, CrawlSetupError) as exc:
            self._lead_process_lost(exc)
            self._fail(batch, exc)
            return
        except Exception as exc:  # noqa: BLE001 - a refused batch costs its items, never the crawl
            self.crawler.stats.inc_value("netsword/lead_batch_failures")
            logger.error("storing %d listings failed: %s", len(batch), exc)
            self._fail(batch, exc if isinstance(exc, StoreError) else StoreError(str(exc)))
            return
        stats = self.crawler.stats
        stats.inc_value("netsword/lead_batches")
        for (_, _, done), outcome in zip(batch, outcomes, strict=True):
            if not outcome.rejected:
                stats.inc_value("netsword/listings_not_kept" if outcome.not_kept else "netsword/listings_kept")
            for name, count in outcome.counts.items():
                stats.inc_value(f"netsword/leads_{name}", count)
            if not done.done():
                done.set_result(outcome)

    def _in_thread(self, entries: list[dict[str, Any]], details: list[PageBody | None]) -> list[ListingOutcome]:
        """NETSWORD_LEAD_PROCESS off: store one batch in the executor's thread, with the crawl's runtime."""
        sink: LeadSink = RunSightings(self.runtime.sink, self.run.run_id) if self.run else self.runtime.sink
        return store_listings(entries, self.runtime.index, sink, min_score=self.runtime.cfg.matching.min_score,
                              details=details, profile=self._profile())  # fmt: skip

    def _profile(self) -> Profile | None:
        profile = getattr(self.crawler.spider, "profile", None)
        return profile if isinstance(profile, Profile) else None

    def _lead_process(self) -> LeadProcess:
        """The crawl's lead process, started (and waited for until its index is built) on first use."""
        if self.helper is None:
            settings = self.crawler.settings
            self.helper = LeadProcess(self.runtime.cfg, self.runtime.watchlist, run_id=self.run.run_id if self.run else "",
                                      alerts=settings.getbool("NETSWORD_ALERTS"),
                                      log_level=_log_level(settings.get("LOG_LEVEL")),
                                      profile=self._profile())  # fmt: skip
            self.helper.wait_ready()
        return self.helper

    def _lead_process_lost(self, exc: Exception) -> None:
        """The lead process is gone: the run fails, the crawl stops, nothing more is sent to it."""
        if self.lost is not None:
            return
        self.lost = exc
        self.ledger.lead_process_lost(str(exc))
        if isinstance(exc, LeadProcessDied):
            self.crawler.stats.set_value("netsword/lead_process_died", exc.code)
        logger.error("%s: the crawl stops; the run fails", exc)
        self._fail_pending(exc)
        if not self.closing and self.crawler.engine is not None:
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="lead_process_died"))

    def _fail_pending(self, exc: Exception) -> None:
        batch, self.pending = self.pending, []
        self._fail(batch, exc)

    @staticmethod
    def _fail(batch: list[Pending], exc: Exception) -> None:
        for _, _, done in batch:
            if not done.done():
                done.set_exception(exc)
