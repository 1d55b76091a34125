"""Run one profile's crawl in this process (Twisted's reactor runs once per process) with settings from configuration.

`crawl_settings(cfg, profile, …)` overlays crawler/settings.py with [crawler] and [browser] configuration and the
profile's politeness; `run_crawl(…)` runs it with CrawlerProcess and returns the crawl stats.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.profile import Profile
from crawler.spiders.marketplace import MarketplaceSpider
from netsword.browser import BrowserNotFound, ensure_browser, launch_args
from netsword.config import Config

PLAYWRIGHT_HANDLER = "crawler.browser_handler.SharedPlaywrightHandler"  # one browser for http and https


class CrawlSetupError(ValueError):
    """Bad crawl input (cookies file, browser) found before crawling: a one-line reason."""


def load_cookies(cfg: Config, platform: str) -> dict[str, str]:
    """Cookies for one platform from crawler.cookies_file: {"taobao": {"name": "value", …}, …}."""
    if not cfg.crawler.cookies_file:
        return {}
    path = Path(cfg.crawler.cookies_file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CrawlSetupError(f"crawler.cookies_file: {path}: {exc}") from None
    cookies = data.get(platform, {}) if isinstance(data, dict) else None
    if not isinstance(cookies, dict) or not all(isinstance(v, str) for v in cookies.values()):
        raise CrawlSetupError(f"crawler.cookies_file: {path}: {platform}: must map cookie names to text values")
    return cookies


def crawl_settings(
    cfg: Config,
    profile: Profile,
    *,
    jobdir: str = "",
    evidence: bool = True,
    index: Any = None,
    alerts: bool = False,
    extra: dict[str, Any] | None = None,
) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    c = cfg.crawler
    settings.update(
        {
            "ROBOTSTXT_OBEY": c.obey_robots,
            "USER_AGENT": c.user_agent,
            "AUTOTHROTTLE_ENABLED": c.autothrottle,
            "CONCURRENT_REQUESTS_PER_DOMAIN": profile.concurrency or c.concurrency_per_domain,
            "DOWNLOAD_DELAY": profile.delay if profile.delay >= 0 else c.download_delay,
            "NETSWORD_CONFIG": cfg,
            "NETSWORD_INDEX": index,
            "NETSWORD_ALERTS": alerts,
            "NETSWORD_EVIDENCE": evidence,
        },
        priority="cmdline",
    )
    if jobdir:
        settings.set("JOBDIR", jobdir, priority="cmdline")
    if c.proxy:
        # HttpProxyMiddleware reads the standard variables; keep the secret out of every settings dump.
        import os

        os.environ.setdefault("http_proxy", c.proxy)
        os.environ.setdefault("https_proxy", c.proxy)
    if profile.render == "browser" or evidence:
        try:
            executable = ensure_browser(cfg.browser.executable, auto_install=cfg.browser.auto_install)
        except BrowserNotFound as exc:
            if profile.render == "browser":
                raise CrawlSetupError(str(exc)) from None
            logging.getLogger(__name__).warning("no Chromium: evidence will have no screenshots (%s)", exc)
            settings.set("NETSWORD_SCREENSHOTS", False, priority="cmdline")
        else:
            settings.update(
                {
                    "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
                    "PLAYWRIGHT_LAUNCH_OPTIONS": {
                        "executable_path": executable,
                        "args": launch_args(),
                        "headless": cfg.browser.headless,
                    },
                },
                priority="cmdline",
            )
    settings.update(extra or {}, priority="cmdline")
    return settings


def run_crawl(
    cfg: Config,
    profile: Profile,
    *,
    keywords: list[str],
    max_pages: int = 0,
    base_url: str = "",
    jobdir: str = "",
    evidence: bool = True,
    index: Any = None,
    alerts: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Crawl one platform to the end (blocking); returns Scrapy's stats for the crawl."""
    settings = crawl_settings(cfg, profile, jobdir=jobdir, evidence=evidence, index=index, alerts=alerts, extra=extra)
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(MarketplaceSpider)
    process.crawl(
        crawler,
        profile=profile,
        keywords=keywords,
        max_pages=max_pages or cfg.crawler.max_pages,
        base_url=base_url,
        cookies=load_cookies(cfg, profile.platform),
    )
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    stats["listing_ids"] = sorted(getattr(crawler.spider, "seen", ()))
    return stats
