"""FetchPolicyMiddleware: every request of a crawl passes the fetch policy (netsword.fetch_policy) before it is sent.

Search and detail pages, re-checks, robots.txt, evidence screenshots and every redirect hop (Scrapy sends a
redirect's new request through the downloader middlewares again) are checked for scheme (http/https), host (the
spider's profiles' hosts), address (names resolved first, every address checked; private, loopback, link-local …
only for hosts of a profile with `allow_private_addresses: true`, and never reached from a public page) and number
of redirects (at most 5) — before anything is sent to the host. A refused request raises IgnoreRequest, is counted
(netsword/fetch_refused/<reason>) and logged in one line without query string or password.
Size and time: DOWNLOAD_MAXSIZE and DOWNLOAD_TIMEOUT (the add-on sets them from crawler.max_page_bytes and
crawler.page_timeout; a request's download_maxsize / download_timeout meta wins) cut HTTP downloads in Scrapy's
handler — such a cut is counted as too_large here — and pages rendered by Chromium through crawler.browser_guard,
which this middleware installs on each browser request (playwright_page_init_callback; the request's own one still
runs) with the same policy and cap, the crawl's robots.txt rules for the navigations Chromium makes by itself (its
redirect hops: crawler.middlewares.robots_txt.robots_refusal), and the navigation timeout set from download_timeout.
A rendered page over the cap is refused too.
The policy comes from the spider: a `fetch_policy` attribute (a FetchPolicy) if it has one, else its `profile` or
`profiles` (crawler.profile.Profile); a spider with neither may fetch from any host, but public addresses only.
Installed by the NetSword add-on at priority 40, before Scrapy's offsite filter (50) and robots.txt (100), so that a
refused URL costs no robots.txt fetch either.
DNS rebinding: the host is resolved here and again when Scrapy connects. `PolicyResolver`, as the project's
TWISTED_DNS_RESOLVER, checks the address Scrapy is about to connect to as well: a name answering a public address to
this check and a private one to the connection fails to resolve, and its retry is refused here as private_address.
Names that Chromium or a proxy resolve are beyond it (see docs/security.md).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from crawler.browser_guard import GUARD_META, GUARDS, ORIGINAL_INIT_META, REFUSED_META, Guard, guard_page, register
from crawler.middlewares.blocks import refused_page
from crawler.middlewares.robots_txt import robots_refusal
from crawler.profile import Profile
from netsword.fetch_policy import (
    PRIVATE_ADDRESS,
    SCHEME,
    TOO_LARGE,
    FetchPolicy,
    Refusal,
    canonical_host,
    non_public,
    redact,
    resolve_async,
)

logger = logging.getLogger(__name__)
DNS_TTL = 60.0  # seconds a host's checked addresses are trusted
# The reactor's resolver serves the whole process, and so do these: host names a running crawl's policy lets be on
# private addresses, and names PolicyResolver refused (name → why), which the middleware refuses when retried.
PRIVATE_NAMES: set[str] = set()
REFUSED_NAMES: dict[str, str] = {}


class PolicyResolver(CachingThreadedResolver):
    """TWISTED_DNS_RESOLVER: Scrapy's caching resolver, failing a name whose address is not public (unless a crawl's
    policy lets that host be private). The address checked is the one Scrapy connects to: no DNS rebinding."""

    def getHostByName(self, name: str, timeout: Any = ()) -> Deferred[str]:  # noqa: N802 - Twisted's API
        return super().getHostByName(name, timeout).addCallback(_public_or_refused, name)


def _public_or_refused(address: str, name: str) -> str:
    host = canonical_host(name)
    kind = non_public(ipaddress.ip_address(address))
    if kind and host not in PRIVATE_NAMES:
        REFUSED_NAMES[host] = f"{host} resolved to a non-public address when connecting ({kind} {address})"
        raise DNSLookupError(REFUSED_NAMES[host])  # Twisted turns any other error into a logged crash
    REFUSED_NAMES.pop(host, None)
    return address


class FetchPolicyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.max_bytes = settings.getint("DOWNLOAD_MAXSIZE")
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        self._policy: FetchPolicy | None = None
        self._addresses: dict[str, tuple[float, list[str]]] = {}  # host → (until when, its checked addresses)
        self.guard_key = register(Guard(self._policy_placeholder(), self.count, self._robots))
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchPolicyMiddleware:
        return cls(crawler)

    def _policy_placeholder(self) -> FetchPolicy:
        return FetchPolicy(max_bytes=self.max_bytes, timeout=self.timeout)  # replaced once the spider is known

    @property
    def policy(self) -> FetchPolicy:
        if self._policy is None:
            self._policy = spider_policy(self.crawler.spider, max_bytes=self.max_bytes, timeout=self.timeout)
            GUARDS[self.guard_key].policy = self._policy
            PRIVATE_NAMES.update(
                canonical_host(urlsplit(f"//{host}").hostname or "") for host in self._policy.private_hosts
            )
        return self._policy

    async def process_request(self, request: Request) -> None:
        policy, url = self.policy, request.url
        redirects = request.meta.get("redirect_urls") or []
        origin = redirects[-1] if redirects else ""
        refusal = policy.check_redirects(url, len(redirects)) or policy.check_url(url, origin=origin)
        if refusal is None:
            name = policy.name_to_resolve(url, origin=origin)
            if name in REFUSED_NAMES:  # PolicyResolver failed it as Scrapy connected (DNS rebinding)
                refusal = Refusal(PRIVATE_ADDRESS, f"{redact(url)}: {REFUSED_NAMES[name]}")
            elif name:
                addresses = await self._resolve(name)
                refusal = policy.check_addresses(url, addresses, origin=origin)
        if refusal is not None:
            self.count(refusal)
            raise IgnoreRequest(refusal.message)
        if request.meta.get("playwright"):
            self._guard_browser_request(request)

    def _guard_browser_request(self, request: Request) -> None:
        meta = request.meta
        meta[GUARD_META] = self.guard_key
        if meta.get("playwright_page_init_callback") is not guard_page:
            meta[ORIGINAL_INIT_META] = meta.get("playwright_page_init_callback")
            meta["playwright_page_init_callback"] = guard_page
        timeout = float(meta.get("download_timeout") or self.timeout or 0)
        goto = dict(meta.get("playwright_page_goto_kwargs") or {})
        if timeout and "timeout" not in goto:
            goto["timeout"] = timeout * 1000
            meta["playwright_page_goto_kwargs"] = goto

    async def _resolve(self, name: str) -> list[str]:
        now = time.monotonic()
        cached = self._addresses.get(name)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            addresses = await resolve_async(name)
        except OSError as exc:
            raise CannotResolveHostError(f"{name}: {exc}") from None  # retried like any failed lookup
        self._addresses[name] = (now + DNS_TTL, addresses)
        return addresses

    def process_response(self, request: Request, response: Response) -> Request | Response:
        refused = request.meta.pop(REFUSED_META, None)
        if refused is not None:  # the browser guard refused the page (counted there); a login or risk page elsewhere
            again = refused_page(self.crawler, request, refused[1])  # is a block (crawler.middlewares.blocks)
            if again is not None:
                return again
            raise IgnoreRequest(refused[1])
        location = response.headers.get("Location") if 300 <= response.status < 400 else None
        if location:  # a redirect Scrapy's RedirectMiddleware would not follow (javascript:, file:, ftp: …)
            target = urljoin(response.url, location.decode("latin-1"))
            refusal = self.policy.check_url(target)
            if refusal is not None and refusal.reason == SCHEME:
                self.count(Refusal(SCHEME, f"redirect from {redact(response.url)} refused: {refusal.message}"))
                raise IgnoreRequest(refusal.message)
        if "playwright" in response.flags:
            refusal = self.policy.check_size(response.url, len(response.body), self._cap(request))
            if refusal is not None:
                self.count(refusal)
                raise IgnoreRequest(refusal.message)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        refused = request.meta.pop(REFUSED_META, None)
        if refused is not None:
            again = refused_page(self.crawler, request, refused[1])
            if again is not None:
                return again
            raise IgnoreRequest(refused[1])
        if isinstance(exception, DownloadCancelledError):  # Scrapy's handler cut a body over download_maxsize
            self.count(Refusal(TOO_LARGE, f"{redact(request.url)}: larger than {self._cap(request)} bytes"))
        return None

    async def _robots(self, url: str) -> Refusal | None:
        """robots.txt's word on a navigation Chromium makes by itself (a redirect hop), through the crawl's rules."""
        return await robots_refusal(self.crawler, url)

    def _cap(self, request: Request) -> int:
        return int(request.meta.get("download_maxsize") or self.max_bytes or 0)

    def count(self, refusal: Refusal) -> None:
        self.crawler.stats.inc_value(refusal.stat)
        logger.warning("fetch refused (%s): %s", refusal.reason, refusal.message)

    def spider_closed(self) -> None:
        GUARDS.pop(self.guard_key, None)


def spider_policy(spider: Any, *, max_bytes: int, timeout: float) -> FetchPolicy:
    """The policy of a spider: its own `fetch_policy`, else one from its `profile` / `profiles`."""
    own = getattr(spider, "fetch_policy", None)
    if isinstance(own, FetchPolicy):
        return own
    profiles: list[Profile] = list(getattr(spider, "profiles", None) or ())
    if isinstance(getattr(spider, "profile", None), Profile):
        profiles.append(spider.profile)
    if not profiles:
        return FetchPolicy(any_host=True, max_bytes=max_bytes, timeout=timeout)
    return profiles_policy(profiles, max_bytes=max_bytes, timeout=timeout)


def profiles_policy(profiles: Iterable[Profile], *, max_bytes: int, timeout: float) -> FetchPolicy:
    """Hosts of all the profiles; private addresses for those of profiles with `allow_private_addresses`."""
    hosts: dict[str, None] = {}
    private: dict[str, None] = {}
    for profile in profiles:
        for host in profile.hosts:
            hosts[host] = None
            if profile.allow_private_addresses:
                private[host] = None
    return FetchPolicy(hosts=tuple(hosts), private_hosts=tuple(private), max_bytes=max_bytes, timeout=timeout)
