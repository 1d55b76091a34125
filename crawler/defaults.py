"""NetSword's Scrapy settings and their defaults, applied by `crawler.addon.NetSwordAddon` at Scrapy's "addon"
priority, so a project setting, a spider's own or `-s NAME=VALUE` still wins.

Robots, user agent, AutoThrottle, concurrency, delay and the browser are not here: the add-on takes them from the
configuration and the profile. NetSword's own settings hold plain values only (Scrapy copies settings; the live
configuration, match index, store and sink are built once per crawl by `crawler.extensions.runtime`).
"""

# Where the crawl reads its configuration and what it matches against ("" and []: as every netsword command).
NETSWORD_CONFIG_FILE = ""  # a netsword.toml; "": $NETSWORD_CONFIG, else ./netsword.toml when present, else defaults
NETSWORD_PROFILE = ""  # a profile name or YAML path; the marketplace spider sets it from its `profile` argument
NETSWORD_WATCHLISTS: list[str] = []  # watchlist files; []: matching.watchlists of the configuration
# What a crawl does besides storing leads.
NETSWORD_BROWSER = False  # render some pages with Chromium: set by a spider whose profiles say `render: browser`
NETSWORD_EVIDENCE = True  # keep the raw response, a screenshot and the rendered page of each new lead
NETSWORD_SCREENSHOTS = True  # the add-on turns this off when no Chromium is found (evidence keeps the response)
NETSWORD_ALERTS = True  # queue alert emails for the leads stored (alerts.rules_file)
# images per listing downloaded through the crawl and hashed (pHash) for actor networks; 0: none (docs/cases.md)
NETSWORD_IMAGE_HASHES = 0
# the add-on adds the lead (300) and evidence (400) pipelines; image hashes come first, so they are stored with the lead
ITEM_PIPELINES = {"crawler.pipelines.images.ImageHashPipeline": 250}
NETSWORD_STATS_FILE = ""  # write the crawl's stats here as JSON as it goes and when it ends; "": not written
NETSWORD_STATS_INTERVAL = 5.0  # seconds between two writes of NETSWORD_STATS_FILE
# Tuning.
NETSWORD_LEAD_BATCH = 50  # listings per store write at most
NETSWORD_LEAD_PROCESS = True  # match and store in the crawl's lead process (crawler.lead_process); off: a thread
NETSWORD_PAGE_POOL_SIZE = 0  # idle Chromium pages kept per context; 0: CONCURRENT_REQUESTS_PER_DOMAIN
NETSWORD_PAGE_MAX_USES = 50  # requests a pooled page serves before it is closed
# Python's collector runs after this many new objects while a crawl is open (crawler.extensions.collector); 0: Python's
NETSWORD_GC_THRESHOLD = 10000

CONCURRENT_REQUESTS = 16
# Scrapy's downloader, counting a download in its slot as soon as it is scheduled: a site never gets more than its
# concurrency at once (Scrapy 2.19 under asyncio let a result page's 20 detail requests out together)
DOWNLOADER = "crawler.downloader.PoliteDownloader"
# Scrapy reads the source of every generator callback again for each response it calls it for (its cache is keyed by
# bound methods, new each time) to warn of `return value` in a generator; tests/crawler/test_spider_callbacks.py
# checks NetSword's spiders once instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Scrapy starts this many asyncio tasks for EVERY callback's output (100 by default): most of the crawl's CPU on a
# fast site. A search page's requests and a detail page's one item need no more than a few.
CONCURRENT_ITEMS = 4
DOWNLOAD_TIMEOUT = 30
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
RETRY_BACKOFF_BASE = 0.5  # seconds before the first retry without Retry-After, doubled per attempt
RETRY_AFTER_MAX = 60.0  # the longest Retry-After honoured; a longer one gives up
# Rate limits (429, or 503 with Retry-After) and pages that keep failing (crawler.middlewares.retry_after, rate_limit).
NETSWORD_RATE_LIMIT_RETRIES = 20  # retries of one rate-limited request, apart from RETRY_TIMES
NETSWORD_REQUEUE_TIMES = 2  # a request whose retries are spent goes back to the end of the queue this many times
NETSWORD_REQUEUE_DELAY = 30.0  # seconds (× the round) before a re-queued request is tried again
NETSWORD_RATE_LIMIT_MIN_DELAY = 0.25  # the delay between requests to a domain its first rate limit raises it to
NETSWORD_RATE_LIMIT_MAX_DELAY = 30.0  # the longest such delay (each rate limit doubles it)
NETSWORD_RATE_LIMIT_RECOVERY = 0.9  # every answer that is not a rate limit multiplies the raised delay by this
NETSWORD_RATE_LIMIT_WINDOW = 1.0  # seconds after a slow-down in which further rate limits do not slow it again

FEED_EXPORT_ENCODING = "utf-8"
# Both run code sent to a local port; a crawler reading hostile pages keeps neither open.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# scrapy-playwright: its download handler is installed by the add-on only when a crawl renders pages or captures
# evidence.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_MAX_CONTEXTS = 2
# Scrapy's concurrency limits browser pages; the page pool needs a page per request in flight, never waiting for one.
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = CONCURRENT_REQUESTS
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30000
PLAYWRIGHT_ABORT_REQUEST = "crawler.browser_pages.abort_heavy_request"
PLAYWRIGHT_CONTEXTS: dict[str, dict[str, object]] = {"crawl": {}, "evidence": {}}
