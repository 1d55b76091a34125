"""RobotsTxtMiddleware: Scrapy's, with every request that waits for a host's robots.txt given the parsed rules.

Scrapy 2.19's middleware has each request that arrives while robots.txt is being fetched await the one Deferred
with `Deferred.asFuture`, whose callback returns None: the first waiter gets the parser, every later one gets None,
which means "no robots.txt, allow everything" — so the first requests to a host (say a re-check's several listings)
are fetched even where robots.txt forbids them. Here each waiter gets its own Deferred, fed by a callback that
passes the result on. Same settings as Scrapy's (ROBOTSTXT_OBEY, ROBOTSTXT_USER_AGENT, ROBOTSTXT_PARSER) and stats
(robotstxt/*); installed in place of Scrapy's.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.http import Request
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
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
