"""NetSwordAddon: what makes a Scrapy crawl a NetSword crawl. Enabled by `ADDONS = {"crawler.addon.NetSwordAddon": 0}`
in crawler/settings.py, so `scrapy crawl marketplace -a profile=…` and `netsword crawl` get the same settings.

At Scrapy's "addon" priority (a project setting, a spider's or `-s` wins) it sets crawler/defaults.py; robots, user
agent, AutoThrottle from `[crawler]`; concurrency and delay from the profile's politeness, else `[crawler]`; the
lead and evidence pipelines, the fetch-policy, robots.txt, rate-limit, Retry-After, meta-refresh, page-pool and
provenance middlewares, the runtime, crawl-run, stats-file and collector-tuning extensions; size and time caps from `[crawler]`; and, when pages
are rendered (the profile says `render: browser`, or NETSWORD_BROWSER) or evidence is captured, the shared
Playwright handler with Chromium's launch options from `[browser]`. The platform-access middlewares: blocks (captcha,
login wall, access denied; crawler.middlewares.blocks), sessions (in the place of Scrapy's cookie middleware),
proxies and the daily request budget; with sessions or proxies, room for their browser contexts. Settings read:
NETSWORD_CONFIG_FILE, NETSWORD_PROFILE (set by the marketplace spider from its `profile` argument: Scrapy makes the
spider before it runs add-ons), NETSWORD_BROWSER, NETSWORD_EVIDENCE. The proxy (`crawler.proxy`, a secret) goes to
the environment, never into settings.
"""

from __future__ import annotations

import logging
import os

from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.settings import BaseSettings

from crawler import defaults
from crawler.errors import CrawlSetupError
from crawler.extensions.collector import CollectorTuning
from crawler.extensions.crawl_run import CrawlRun
from crawler.extensions.runtime import NetSwordRuntime
from crawler.extensions.stats_file import StatsFile
from crawler.middlewares.blocks import BlockMiddleware, BlockRedirectMiddleware
from crawler.middlewares.budget import BudgetMiddleware
from crawler.middlewares.fetch_policy import FetchPolicyMiddleware
from crawler.middlewares.meta_refresh import MetaRefreshMiddleware
from crawler.middlewares.page_pool import PagePoolMiddleware
from crawler.middlewares.provenance import ProvenanceMiddleware
from crawler.middlewares.proxies import ProxyMiddleware
from crawler.middlewares.rate_limit import RateLimitThrottle
from crawler.middlewares.retry_after import RetryAfterMiddleware
from crawler.middlewares.robots_txt import RobotsTxtMiddleware
from crawler.middlewares.sessions import SessionCookiesMiddleware
from crawler.pipelines.evidence import EvidencePipeline
from crawler.pipelines.leads import LeadPipeline
from crawler.profile import Profile
from crawler.profile_loader import load_profile
from crawler.proxies import load_proxies
from netsword.browser import BrowserNotFound, ensure_browser, launch_args
from netsword.config import Config, load_config

PLAYWRIGHT_HANDLER = "crawler.browser_handler.SharedPlaywrightHandler"  # one browser for http and https
logger = logging.getLogger(__name__)


class NetSwordAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        settings.setmodule(defaults, priority="addon")
        cfg = load_config(settings.get("NETSWORD_CONFIG_FILE") or None)
        profile = load_profile(settings["NETSWORD_PROFILE"]) if settings.get("NETSWORD_PROFILE") else None
        _politeness(settings, cfg, profile)
        _components(settings)
        if cfg.crawler.proxy:
            # HttpProxyMiddleware and Chromium read the standard variables; settings are logged, the environment not.
            os.environ.setdefault("http_proxy", cfg.crawler.proxy)
            os.environ.setdefault("https_proxy", cfg.crawler.proxy)
        renders = settings.getbool("NETSWORD_BROWSER") or (profile is not None and profile.render == "browser")
        if renders or settings.getbool("NETSWORD_EVIDENCE"):
            _browser(settings, cfg, required=renders)


def _politeness(settings: BaseSettings, cfg: Config, profile: Profile | None) -> None:
    c = cfg.crawler
    concurrency = profile.concurrency if profile else 0
    delay = profile.delay if profile else -1.0
    settings.update(
        {
            "ROBOTSTXT_OBEY": c.obey_robots,
            "USER_AGENT": c.user_agent,
            "AUTOTHROTTLE_ENABLED": c.autothrottle,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency or c.concurrency_per_domain,
            "DOWNLOAD_DELAY": delay if delay >= 0 else c.download_delay,
            # the fetch policy's caps (crawler.middlewares.fetch_policy applies them to Chromium's pages too)
            "DOWNLOAD_MAXSIZE": c.max_page_bytes,
            "DOWNLOAD_WARNSIZE": c.max_page_bytes // 2,
            "DOWNLOAD_TIMEOUT": c.page_timeout,
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": c.page_timeout * 1000,
        },
        priority="addon",
    )


def _components(settings: BaseSettings) -> None:
    # in the places of Scrapy's own (DOWNLOADER_MIDDLEWARES_BASE: robots.txt 100, retries 550, meta refresh 580)
    for scrapys, ours, priority in (
        (ScrapyRobotsTxtMiddleware, RobotsTxtMiddleware, 100),
        (RetryMiddleware, RetryAfterMiddleware, 550),
        (ScrapyMetaRefreshMiddleware, MetaRefreshMiddleware, 580),
        (CookiesMiddleware, SessionCookiesMiddleware, 700),
    ):
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", scrapys, None)
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", ours, priority)
    # every request passes the fetch policy before Scrapy's offsite filter (50) and robots.txt (100) see it
    settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", FetchPolicyMiddleware, 40)
    # block pages: requests of a stopped platform go no further; answers are judged after every other middleware
    settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", BlockMiddleware, 30)
    # a redirect to a login or risk page is a block: judged before Scrapy's RedirectMiddleware (600) follows it
    settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", BlockRedirectMiddleware, 620)
    # each request's proxy, before Scrapy's HttpProxyMiddleware (750) reads it
    settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", ProxyMiddleware, 740)
    # after everything that may refuse or answer a request itself: only requests really sent spend the budget
    settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", BudgetMiddleware, 900)
    # before the retries hear of a response (responses go from high numbers to low): every 429 slows the domain
    settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", RateLimitThrottle, 560)
    # next to the download handler, so that a page is back in the pool before any retry copies the request's meta
    settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", PagePoolMiddleware, 950)
    # nearest the download handler: when each fetch went to the network and came back (evidence manifests)
    settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", ProvenanceMiddleware, 960)
    settings.set_in_component_priority_dict("ITEM_PIPELINES", LeadPipeline, 300)
    settings.set_in_component_priority_dict("ITEM_PIPELINES", EvidencePipeline, 400)
    # Extensions are built in this order and hear spider_closed in it: Scrapy's CoreStats and SpiderState (0) set
    # finish_reason and save the spider state, the runtime (100) adds the alert count and closes the store, the crawl
    # run (500: built before Scrapy's scheduler opens JOBDIR) marks JOBDIR whole, the collector tuning (900) counts the
    # crawl's collections and puts Python's thresholds back, the stats file (1000) writes the final figures.
    settings.set_in_component_priority_dict("EXTENSIONS", NetSwordRuntime, 100)
    settings.set_in_component_priority_dict("EXTENSIONS", CrawlRun, 500)
    settings.set_in_component_priority_dict("EXTENSIONS", CollectorTuning, 900)
    settings.set_in_component_priority_dict("EXTENSIONS", StatsFile, 1000)


def _browser(settings: BaseSettings, cfg: Config, *, required: bool) -> None:
    try:
        executable = ensure_browser(cfg.browser.executable, auto_install=cfg.browser.auto_install)
    except BrowserNotFound as exc:
        if required:
            raise CrawlSetupError(str(exc)) from None
        logger.warning("no Chromium: evidence will have no screenshots (%s)", exc)
        settings.set("NETSWORD_SCREENSHOTS", False, priority="addon")
        return
    settings.set("DOWNLOAD_HANDLERS", {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}, priority="addon")
    # a context per platform session and per proxy (crawler.middlewares.sessions, proxies), besides crawl and evidence
    sessions, proxies = len(cfg.crawler.sessions), len(cfg.crawler.proxies)
    if sessions or proxies:
        proxies = sum(len(urls) for urls in load_proxies(cfg.crawler.proxies).values())
        extra = 2 * (1 + sessions) * (1 + proxies)
        settings.set("PLAYWRIGHT_MAX_CONTEXTS", 2 + min(extra, 64), priority="addon")
    settings.set(
        "PLAYWRIGHT_LAUNCH_OPTIONS",
        {"executable_path": executable, "args": launch_args(), "headless": cfg.browser.headless},
        priority="addon",
    )
