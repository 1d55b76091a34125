"""BudgetMiddleware: a platform with a daily request budget (`crawler.daily_requests`, crawler/budget.py) is sent at
most that many requests a day, all runs together.

Each request about to be sent spends one (retries, redirects and robots.txt included: the site sees each); a request
the budget no longer covers is not sent: it is given up with the reason (the spider reports it to the crawl's ledger
by keyword, so the run ends `partial` and `netsword crawl` says how many requests the budget cut), counted
(netsword/budget_refused) and logged once. The budget's figures: netsword/budget_used (today's requests, all runs),
netsword/budget_limit (with several platforms: the last one's). Installed by the NetSword add-on at 900, after every middleware that may refuse or
answer a request itself, so only requests really sent are counted.
"""

from __future__ import annotations

import logging

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.budget import RequestBudget
from crawler.extensions.crawl_run import crawl_run_of
from crawler.middlewares.retry_after import GAVE_UP
from crawler.platform_config import Platforms, for_platform, profiles_of

logger = logging.getLogger(__name__)
BUDGET_FILE = "crawl_budget.db"


class BudgetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._ready = False
        self.budgets: dict[str, int] = {}
        self.store: RequestBudget | None = None
        self.platforms = Platforms(())
        self.spent: set[str] = set()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BudgetMiddleware:
        return cls(crawler)

    def _setup(self) -> None:
        from crawler.extensions.runtime import NetSwordRuntime

        self._ready = True
        extension = self.crawler.get_extension(NetSwordRuntime)
        if extension is None or not extension.runtime.budgets:
            return
        runtime = extension.runtime
        self.budgets = dict(runtime.budgets)
        self.store = RequestBudget(runtime.cfg.var_dir / BUDGET_FILE, runtime.cfg.scheduler.timezone)
        self.platforms = Platforms(profiles_of(self.crawler.spider))

    def process_request(self, request: Request) -> None:
        if not self._ready:
            self._setup()
        if self.store is None:
            return
        profile = self.platforms.of(request.url)
        limit = for_platform(self.budgets, profile.platform) if profile is not None else None
        if limit is None or profile is None:
            return
        platform = profile.platform
        stats = self.crawler.stats
        stats.set_value("netsword/budget_limit", limit)
        used = self.store.take(platform, limit) if platform not in self.spent else 0  # spent stays spent this run
        if used:
            stats.set_value("netsword/budget_used", used)
            return
        stats.set_value("netsword/budget_used", limit)
        reason = f"the daily request budget of {platform} ({limit} requests) is spent"
        if platform not in self.spent:
            self.spent.add(platform)
            logger.warning("%s: nothing more is sent to %s today (crawler.daily_requests)", reason, platform)
        stats.inc_value("netsword/budget_refused")
        run = crawl_run_of(self.crawler)
        if run is not None:
            run.ledger.budget_spent(reason)
        request.meta[GAVE_UP] = f"not sent: {reason}"
        raise IgnoreRequest(request.meta[GAVE_UP])

    def spider_closed(self) -> None:
        if self.store is not None:
            self.store.close()
