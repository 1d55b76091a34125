"""Scrapy settings for the NetSword crawler; `crawler.run.crawl_settings` overlays configuration and the profile.

Politeness by default: robots.txt obeyed, AutoThrottle on, retries that honour Retry-After, a per-domain limit.
NETSWORD_* settings carry the configuration, match index, lead listeners and evidence switch to the pipelines.
"""

BOT_NAME = "netsword"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ROBOTSTXT_OBEY = True
USER_AGENT = "NetSwordBot/0.1 (+https://example.org/netsword)"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy starts this many asyncio tasks for EVERY callback's output (100 by default): most of the crawl's CPU on a
# fast site. A search page's requests and a detail page's one item need no more than a few.
CONCURRENT_ITEMS = 4
DOWNLOAD_DELAY = 0.0
DOWNLOAD_TIMEOUT = 30
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0

RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Scrapy's defaults plus Playwright's timeout: a rendered page whose data request failed once never becomes ready.
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.CannotResolveHostError",
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,
    "scrapy.core.downloader.handlers.http11.TunnelError",
    "playwright.async_api.TimeoutError",
]
RETRY_BACKOFF_BASE = 0.5
RETRY_AFTER_MAX = 60.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 550,
    # next to the download handler, so that a page is back in the pool before any retry copies the request's meta
    "crawler.middlewares.page_pool.PagePoolMiddleware": 950,
}
ITEM_PIPELINES = {
    "crawler.pipelines.leads.LeadPipeline": 300,
    "crawler.pipelines.evidence.EvidencePipeline": 400,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

# scrapy-playwright: installed as the download handler only when a crawl renders pages or captures evidence.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_MAX_CONTEXTS = 2
# Scrapy's concurrency limits browser pages; the page pool needs a page per request in flight, never waiting for one.
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = CONCURRENT_REQUESTS
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30000
PLAYWRIGHT_ABORT_REQUEST = "crawler.browser_pages.abort_heavy_request"
PLAYWRIGHT_CONTEXTS: dict[str, dict[str, object]] = {"crawl": {}, "evidence": {}}

NETSWORD_EVIDENCE = True
