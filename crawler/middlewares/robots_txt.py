"""RobotsTxtMiddleware: Scrapy's, with every request that waits for a host's robots.txt given the parsed rules.

Scrapy 2.19's middleware has each request that arrives while robots.txt is being fetched await the one Deferred
with `Deferred.asFuture`, whose callback returns None: the first waiter gets the parser, every later one gets None,
which means "no robots.txt, allow everything" — so the first requests to a host (say a re-check's several listings)
are fetched even where robots.txt forbids them. Here each waiter gets its own Deferred, fed by a callback that
passes the result on. Same settings as Scrapy's (ROBOTSTXT_OBEY, ROBOTSTXT_USER_AGENT, ROBOTSTXT_PARSER) and stats
(robotstxt/*); installed in place of Scrapy's.
`robots_refusal(crawler, url)` asks the same rules about a URL Chromium is about to navigate to (a redirect hop, a
script's navigation: crawler.browser_guard), which never passes through the downloader middlewares.
"""

from __future__ import annotations

import weakref
from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.robots_rules import ROBOTS
from netsword.fetch_policy import Refusal, redact

_BY_CRAWLER: weakref.WeakKeyDictionary[Crawler, RobotsTxtMiddleware] = weakref.WeakKeyDictionary()


async def robots_refusal(crawler: Crawler, url: str) -> Refusal | None:
    """Why the crawl's robots.txt rules forbid `url` (fetching that host's robots.txt first if need be), or None:
    also None when the crawl does not obey robots.txt."""
    middleware = _BY_CRAWLER.get(crawler)
    if middleware is None:
        return None
    try:
        await middleware.process_request(Request(url))
    except IgnoreRequest:
        return Refusal(ROBOTS, f"{redact(url)}: forbidden by robots.txt")
    return None


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        _BY_CRAWLER[crawler] = self

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):  # parsed already, or this request is the one that fetches it
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def hand_on(result: Any) -> Any:
            mine.callback(result)
            return result  # for the next waiter

        pending.addCallback(hand_on)
        return await maybe_deferred_to_future(mine)
