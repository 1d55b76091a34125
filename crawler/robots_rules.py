"""robots.txt outside a crawl (`netsword evidence capture`): each host's rules read once and asked about every page
Chromium is sent to, redirect hops included (crawler.browser_guard). Inside a crawl, Scrapy's robots.txt
middleware answers instead (crawler.middlewares.robots_txt.robots_refusal), with the same parser (Protego).

A host's robots.txt is fetched under the fetch policy given (its address checked first), without following
redirects, bounded in size (MAX_BYTES) and time; as in Scrapy, a robots.txt that is missing, unreadable or not
answered with 200 forbids nothing.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import httpx
from scrapy.robotstxt import ProtegoRobotParser

from netsword.fetch_policy import FetchPolicy, Refusal, check_fetch, redact

logger = logging.getLogger(__name__)
ROBOTS = "robots_txt"  # the refusal reason (netsword/fetch_refused/robots_txt)
MAX_BYTES = 512 * 1024  # of a robots.txt read (Google reads 500 KiB)


class RobotsRules:
    """The robots.txt rules of every host asked about, for one user agent, each fetched once."""

    def __init__(self, policy: FetchPolicy, user_agent: str, *, timeout: float = 15.0) -> None:
        self.policy = policy
        self.user_agent = user_agent
        self.timeout = timeout
        self._parsers: dict[str, ProtegoRobotParser | None] = {}
        self._lock = asyncio.Lock()

    async def refusal(self, url: str) -> Refusal | None:
        """Why robots.txt forbids `url`, or None (also for a host whose robots.txt could not be read)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        async with self._lock:  # one fetch per host, however many navigations ask at once
            if origin not in self._parsers:
                self._parsers[origin] = await asyncio.to_thread(self._fetch, origin)
        parser = self._parsers[origin]
        if parser is None or parser.allowed(url, self.user_agent):
            return None
        return Refusal(ROBOTS, f"{redact(url)}: forbidden by robots.txt")

    def _fetch(self, origin: str) -> ProtegoRobotParser | None:
        robots_url = f"{origin}/robots.txt"
        try:
            refused, _ = check_fetch(self.policy, robots_url)
        except OSError:
            return None
        if refused is not None:
            logger.warning("robots.txt not read (%s): %s", refused.reason, refused.message)
            return None
        body = bytearray()
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                with client.stream("GET", robots_url, headers={"User-Agent": self.user_agent}) as response:
                    if response.status_code != 200:
                        return None
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) >= MAX_BYTES:
                            break
        except httpx.HTTPError as exc:
            logger.warning("robots.txt of %s not read: %s", redact(robots_url), " ".join(str(exc).split())[:200])
            return None
        return ProtegoRobotParser(bytes(body[:MAX_BYTES]), None)
