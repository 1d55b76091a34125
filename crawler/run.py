"""Run one spider in this process the way `scrapy crawl` does, for `netsword crawl` and tests.

The settings are the project's (crawler/settings.py, which enables the NetSword add-on) with plain overrides at
command-line priority, as `-s NAME=VALUE` would give them; the add-on and extensions do the rest, so this path and
`scrapy crawl SPIDER -a …` from the project directory are the same. Twisted's reactor runs once per process: one
crawl per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapy import Spider
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from crawler import settings as project_module
from crawler.extensions.crawl_run import crawl_run_of


@dataclass(frozen=True)
class CrawlResult:
    stats: dict[str, Any]  # Scrapy's stats at the end of the crawl
    spider: Spider  # the spider that ran, to read what it kept (e.g. MarketplaceSpider.seen)
    run: dict[str, Any] = field(default_factory=dict)  # the crawl run's summary: status, totals, losses (CrawlRun)

    @property
    def status(self) -> str:
        """complete, partial, failed, or stopped (crawler.ledger); "" when the crawl kept no ledger."""
        return str(self.run.get("status", ""))


def project_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """crawler/settings.py at "project" priority and `overrides` at "cmdline" priority, as `scrapy crawl -s` has them."""
    settings = Settings()
    settings.setmodule(project_module, priority="project")
    settings.update(dict(overrides or {}), priority="cmdline")
    return settings


def run_spider(
    spidercls: type[Spider], spider_kwargs: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> CrawlResult:
    """Crawl to the end (blocking). A crawl that fails while it is set up (bad configuration, profile, watchlist,
    alert rules, cookies file, no Chromium for a browser profile) raises that error here, before anything is fetched.
    """
    process = AsyncCrawlerProcess(project_settings(overrides))
    crawler = process.create_crawler(spidercls)
    task = process.crawl(crawler, **spider_kwargs)
    process.start()
    error = task.exception() if task.done() and not task.cancelled() else None
    if error is not None:
        raise error
    if crawler.spider is None:
        raise RuntimeError(f"the {spidercls.name} crawl did not start; see the log above")
    run = crawl_run_of(crawler)
    stats = dict(crawler.stats.get_stats())
    summary = run.summary(stats.get("finish_reason")) if run is not None else {}
    return CrawlResult(stats=stats, spider=crawler.spider, run=summary)
