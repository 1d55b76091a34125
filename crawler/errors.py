"""CrawlSetupError: bad crawl input found while a crawl is set up, before anything is fetched; a one-line reason.

Raised by the add-on (no Chromium for a profile that renders with a browser) and the runtime (a bad cookies file);
`crawler.run.run_spider` re-raises it from the crawl, and `netsword crawl` reports it with exit status 2.
"""


class CrawlSetupError(ValueError):
    pass
