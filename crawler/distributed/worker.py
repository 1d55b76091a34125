"""Run distributed workers in this process: one scrapy-redis crawler per profile (platform), until stopped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess

from crawler.distributed.spider import DistributedSpider
from crawler.run import project_settings


def run_workers(profiles: Sequence[str], *, worker: str, base_url: str = "",
                overrides: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Crawl what the platforms' queues hold until SIGTERM/SIGINT (or MAX_IDLE_TIME_BEFORE_CLOSE seconds idle);
    each profile's final Scrapy stats, by profile. A crawler that fails while it is set up raises its error."""
    process = AsyncCrawlerProcess(project_settings(overrides))
    crawlers = []
    tasks = []
    for profile in profiles:
        crawler = process.create_crawler(DistributedSpider)
        tasks.append(process.crawl(crawler, profile=profile, worker=worker, base_url=base_url))
        crawlers.append((profile, crawler))
    process.start()
    for task in tasks:
        error = task.exception() if task.done() and not task.cancelled() else None
        if error is not None:
            raise error
    return {profile: dict(crawler.stats.get_stats()) for profile, crawler in crawlers}
