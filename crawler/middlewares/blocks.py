"""BlockMiddleware: a captcha, slider, login wall or access-denied answer is never read as a page of listings.

Every answer of a platform is checked (crawler.blocks: the built-in markers and the profile's `blocked:` rules),
and so is every redirect before it is followed (`BlockRedirectMiddleware`: a redirect to a login or risk page is a
block, although Scrapy's offsite filter and the fetch policy would drop a request to that host). A block:
- is counted (netsword/blocked, netsword/blocked/<kind>) and reported to the crawl's ledger, and never reaches the
  spider;
- backs off: the request is tried again after `blocked.backoff` seconds, doubled for each block in a row and for
  each try of the same page (the wait is crawler.middlewares.retry_after's, off the download slot), at most
  `blocked.stop_after` times, after which that page is given up (a detail page: its listing is kept, incomplete);
- after `blocked.stop_after` blocks in a row the platform is stopped for this run: that request and every later
  one for the platform are given up without being sent (netsword/blocked_not_sent), the run ends `blocked`
  (`netsword crawl` exits 5) and the operators (`alerts.operators`) are sent a message through the alert outbox.
A row counts distinct pages: one walled page is one block however often it is asked for. A page's retries, and a
secondary fetch of it (the evidence capture's visit, marked `SECONDARY_META`), never add to a row once the page was
judged blocked in this run; an answer that is no block ends a row. A secondary fetch is never retried: a block
fails it at once (the capture says why it has no screenshot), so a block page is never kept as a listing's evidence.
A page Chromium renders is checked the same way; a redirect Chromium was refused because it left the profile's
hosts (a login page on another host, as login.taobao.com is for s.taobao.com) is checked by crawler.middlewares.
fetch_policy through `refused_page`, so it too counts as a block when its target matches.
robots.txt is not checked (a 403 there means "no robots.txt"). Installed by the NetSword add-on: BlockMiddleware at
priority 30, so its requests are looked at before the fetch policy's (40) and its responses after every other
middleware's (bodies decompressed); BlockRedirectMiddleware at 620, before Scrapy's RedirectMiddleware (600).
"""

from __future__ import annotations

import logging
import time
import weakref
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from w3lib.url import canonicalize_url

from crawler.blocks import Block, BlockDetector
from crawler.extensions.crawl_run import crawl_run_of
from crawler.middlewares.retry_after import GAVE_UP
from crawler.platform_config import Platforms, profiles_of
from crawler.profile import Profile
from netsword.fetch_policy import redact

logger = logging.getLogger(__name__)
RETRIES_META = "netsword_block_retries"
# a request whose answer goes to its callback as it is, block or not: its caller judges it (`netsword profile check`)
UNJUDGED_META = "netsword_blocks_unjudged"
# a request for a page the crawl already fetched or tried (the evidence capture's visit): judged, never retried
SECONDARY_META = "netsword_blocks_secondary"
MAX_REMEMBERED = 10_000  # blocked pages remembered per platform, so that asking again adds nothing to a row
MAX_BACKOFF = 600.0
_BY_CRAWLER: weakref.WeakKeyDictionary[Crawler, BlockMiddleware] = weakref.WeakKeyDictionary()


def refused_page(crawler: Crawler, request: Request, message: str) -> Request | None:
    """A page the fetch policy refused in Chromium (`message` names where it was sent): a block when the refused
    address matches the platform's block URLs — then a retry after the backoff, or IgnoreRequest once the platform
    is stopped — else None."""
    blocks = _BY_CRAWLER.get(crawler)
    return blocks.check_redirect(request, message) if blocks is not None else None


class BlockRedirectMiddleware:
    """A redirect to a login, captcha or risk page is a block: judged here, before Scrapy follows it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        location = response.headers.get("Location") if 300 <= response.status < 400 else None
        blocks = _BY_CRAWLER.get(self.crawler)
        if not location or blocks is None:
            return response
        target = urljoin(response.url, location.decode("latin-1"))
        return blocks.check_redirect(request, target) or response


class BlockMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._platforms: Platforms | None = None
        self.detectors: dict[str, BlockDetector] = {}
        self.row: dict[str, dict[str, None]] = {}  # platform → the distinct pages blocked in a row (ordered set)
        self.judged: dict[str, dict[str, None]] = {}  # platform → pages judged blocked in this run (bounded)
        self.stopped: dict[str, str] = {}  # platform → why
        _BY_CRAWLER[crawler] = self
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockMiddleware:
        return cls(crawler)

    def spider_opened(self) -> None:
        self._platforms = Platforms(profiles_of(self.crawler.spider))

    def _profile(self, request: Request) -> Profile | None:
        if self._platforms is None:
            self.spider_opened()
        assert self._platforms is not None
        if request.url.endswith("/robots.txt") or request.meta.get(UNJUDGED_META):
            return None
        return self._platforms.of(request.url)

    def _detector(self, profile: Profile) -> BlockDetector:
        detector = self.detectors.get(profile.platform)
        if detector is None:
            detector = self.detectors[profile.platform] = BlockDetector(profile.blocked)
        return detector

    def process_request(self, request: Request) -> None:
        profile = self._profile(request)
        if profile is not None and profile.platform in self.stopped:
            self.crawler.stats.inc_value("netsword/blocked_not_sent")
            request.meta[GAVE_UP] = f"not sent: {self.stopped[profile.platform]}"
            raise IgnoreRequest(request.meta[GAVE_UP])

    def check_redirect(self, request: Request, target: str) -> Request | None:
        """Whether sending `request` on to `target` (or a text naming it) meets a block: then a retry of `request`
        after the backoff, or IgnoreRequest once the platform is stopped; else None."""
        profile = self._profile(request)
        block = self._detector(profile).check_url(target) if profile is not None else None
        return self._blocked(request, profile, block) if profile is not None and block is not None else None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        profile = self._profile(request)
        if profile is None:
            return response
        encoding = response.encoding if isinstance(response, TextResponse) else "utf-8"  # Scrapy's: header, BOM, meta
        block = self._detector(profile).check(
            status=response.status, url=response.url, body=response.body, encoding=encoding
        )
        if block is None:
            self.row.pop(profile.platform, None)
            return response
        return self._blocked(request, profile, block)

    def _blocked(self, request: Request, profile: Profile, block: Block) -> Request:
        platform, rules = profile.platform, profile.blocked
        stats = self.crawler.stats
        stats.inc_value("netsword/blocked")
        stats.inc_value(f"netsword/blocked/{block.kind}")
        ledger = self._ledger()
        if ledger is not None:
            ledger.block_seen()
        page = canonicalize_url(request.url)
        judged, row = self.judged.setdefault(platform, {}), self.row.setdefault(platform, {})
        seen_before = page in judged
        if not seen_before:
            judged[page] = None
            if len(judged) > MAX_REMEMBERED:
                del judged[next(iter(judged))]
            row[page] = None
        n = len(row)
        where = redact(request.url)
        logger.warning(
            "%s answered %s with a block page: %s (%s%d in a row)",
            platform, where, block.describe(), "the same page again, not counted twice; " if seen_before else "", n,
        )  # fmt: skip
        if n >= rules.stop_after and platform not in self.stopped:
            self._stop(
                platform, f"{platform} stopped after {n} blocks in a row, the last {block.describe()} at {where}"
            )
        if platform in self.stopped:
            request.meta[GAVE_UP] = f"blocked: {block.describe()}"
            raise IgnoreRequest(request.meta[GAVE_UP])
        if request.meta.get(SECONDARY_META):
            request.meta[GAVE_UP] = f"blocked: {block.describe()}"
            raise IgnoreRequest(request.meta[GAVE_UP])
        tries = int(request.meta.get(RETRIES_META, 0))
        if tries >= rules.stop_after:
            request.meta[GAVE_UP] = f"blocked {tries + 1} times: {block.describe()}"
            raise IgnoreRequest(request.meta[GAVE_UP])
        wait = min(MAX_BACKOFF, rules.backoff * 2 ** (max(n, tries + 1) - 1))
        again = request.replace(dont_filter=True)
        again.meta[RETRIES_META] = tries + 1
        again.meta["netsword_not_before"] = time.time() + wait
        stats.inc_value("netsword/blocked_retries")
        return again

    def _ledger(self) -> Any:
        run = crawl_run_of(self.crawler)
        return run.ledger if run is not None else None

    def _stop(self, platform: str, reason: str) -> None:
        self.stopped[platform] = reason
        self.crawler.stats.inc_value("netsword/platforms_blocked")
        ledger = self._ledger()
        if ledger is not None:
            ledger.platform_blocked(reason)
        logger.error("%s; nothing more is asked of it in this run", reason)
        self._tell_operators(platform, reason)

    def _tell_operators(self, platform: str, reason: str) -> None:
        from alerts.operator import queue_operator_message
        from crawler.extensions.runtime import NetSwordRuntime

        extension = self.crawler.get_extension(NetSwordRuntime)
        if extension is None:
            return
        run = crawl_run_of(self.crawler)
        run_id = run.run_id if run is not None else "?"
        lines = [
            f"The crawl of {platform} (run {run_id}) was stopped: the platform answers with block pages.",
            reason + ".",
            "",
            "What to do: log in again and save the platform's session file (crawler.sessions), check its proxies "
            "(crawler.proxies), or slow the platform down (its profile's politeness); then run the crawl again.",
            'See docs/crawling.md, "Blocks, sessions, proxies and budgets".',
        ]
        queued = queue_operator_message(extension.runtime.cfg, f"crawl blocked: {platform}", lines)
        self.crawler.stats.inc_value("netsword/operator_alerts", queued)
