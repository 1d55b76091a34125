"""LeadPipeline: each ListingItem becomes a `netsword.models.Listing` and goes through `leads.process` (the one path).

Settings: NETSWORD_CONFIG (a netsword.config.Config), NETSWORD_INDEX (a compiled MatchIndex; built from the
configuration when absent), NETSWORD_ALERTS (queue alert emails for stored leads through alerts.AlertQueuer, built
here from the configuration: settings are copied, so live objects cannot travel in them). A listing that fails
validation is logged and counted (netsword/bad_listings) and dropped; the crawl goes on.
Stats: netsword/listings, netsword/leads_created, netsword/leads_updated, netsword/leads_unchanged,
netsword/alerts_queued.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from leads.process import process
from leads.store import open_store
from leads.store.base import CREATED
from netsword.config import Config, load_config
from netsword.models import Lead, Listing, ListingError, utc_now

logger = logging.getLogger(__name__)


class LeadPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.cfg: Config = settings.get("NETSWORD_CONFIG") or load_config()
        self.index = settings.get("NETSWORD_INDEX")
        self.alerts = settings.getbool("NETSWORD_ALERTS")
        self.listeners: list[Any] = []
        self.store: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeadPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.index is None:
            from netsword.cli.common import build_index

            self.index = build_index(self.cfg)
        self.store = open_store(self.cfg.store_url)
        if self.alerts:
            from alerts.queuer import AlertQueuer
            from alerts.rules import rules_for

            self.listeners.append(
                AlertQueuer(self.cfg, self.index.watchlist, rules_for(self.cfg, self.index.watchlist))
            )

    def close_spider(self) -> None:
        for listener in self.listeners:
            self.crawler.stats.set_value("netsword/alerts_queued", listener.queued)
            listener.close()
        if self.store is not None:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        data = dict(item["listing"])
        data.setdefault("crawled_at", utc_now())
        try:
            listing = Listing.from_dict(data)
        except ListingError as exc:
            stats.inc_value("netsword/bad_listings")
            logger.warning("bad listing %s %s: %s", item.get("profile"), str(data.get("id", "?"))[:80], exc)
            raise DropItem(f"bad listing: {exc}") from None
        stats.inc_value("netsword/listings")
        created: list[str] = []

        def note_created(lead: Lead, outcome: str) -> None:
            if outcome == CREATED:
                created.append(lead.lead_id)

        result = process(
            listing,
            self.index,
            self.store,
            min_score=self.cfg.matching.min_score,
            listeners=[*self.listeners, note_created],
        )
        for outcome, count in result.report.as_dict().items():
            if count:
                stats.inc_value(f"netsword/leads_{outcome}", count)
        item["new_leads"] = created
        return item
