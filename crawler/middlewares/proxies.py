"""ProxyMiddleware: each request of a platform with proxies (`crawler.proxies`, crawler/proxies.py) goes through the
next of them in turn; a proxy that fails is rested (`crawler.proxy_rest` seconds) and the request tried again
through another.

HTTP requests get the proxy as Scrapy's `proxy` meta (Scrapy's HttpProxyMiddleware, right after this one, turns a
user and password in its URL into a Proxy-Authorization header); browser requests a Chromium context per proxy
(`<context>~<n>`, made with Playwright's `proxy` option). The fetch policy still applies first (its middleware runs
before this one): only URLs the profile allows are sent to a proxy, their names checked before they go. The proxies'
own hosts were named by the operator, so they may be on private addresses (crawler.middlewares.fetch_policy's
resolver lets them be).
A failure is a connection error, a timeout or a 407 (proxy authentication required) from the proxy; the failed
request goes back to the queue at once, through the next proxy, at most as many times as there are proxies. What a
proxy needed to log in is never logged or saved: proxies are named by number and host, the Proxy-Authorization
header and the proxy meta are taken off the request once its answer is in (before any retry copies it), and the
browser's proxy settings travel unsaved (crawler.middlewares.sessions.Unsaved).
Stats: netsword/proxy/<n>/requests, netsword/proxy/<n>/failures, netsword/proxy_retries.
Installed by the NetSword add-on at 740, before Scrapy's HttpProxyMiddleware (750).
"""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadConnectionRefusedError, DownloadFailedError, DownloadTimeoutError
from scrapy.http import Response
from twisted.internet.error import ConnectError, ConnectionLost, TCPTimedOutError, TimeoutError

from crawler.middlewares.fetch_policy import PRIVATE_NAMES
from crawler.middlewares.sessions import browser_context
from crawler.platform_config import Platforms, for_platform, profiles_of
from crawler.proxies import Proxy, ProxyRotation
from netsword.fetch_policy import canonical_host

logger = logging.getLogger(__name__)
PROXY_META = "netsword_proxy"  # the number of the proxy a request went through
TRIES_META = "netsword_proxy_tries"
FAILURES = (
    DownloadConnectionRefusedError, DownloadFailedError, DownloadTimeoutError, TunnelError,
    ConnectError, ConnectionLost, TCPTimedOutError, TimeoutError, OSError,
)  # fmt: skip


class ProxyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._rotations: dict[str, ProxyRotation] | None = None
        self._platforms = Platforms(())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        return cls(crawler)

    def rotations(self) -> dict[str, ProxyRotation]:
        if self._rotations is None:
            from crawler.extensions.runtime import NetSwordRuntime

            extension = self.crawler.get_extension(NetSwordRuntime)
            runtime = extension.runtime if extension is not None else None
            proxies = dict(runtime.proxies) if runtime is not None else {}
            rest = runtime.cfg.crawler.proxy_rest if runtime is not None else 60.0
            self._rotations = {platform: ProxyRotation(urls, rest) for platform, urls in proxies.items()}
            for rotation in self._rotations.values():
                PRIVATE_NAMES.update(canonical_host(p.host) for p in rotation.proxies)
            self._platforms = Platforms(profiles_of(self.crawler.spider))
        return self._rotations

    def _rotation(self, request: Request) -> ProxyRotation | None:
        rotations = self.rotations()
        if not rotations:
            return None
        profile = self._platforms.of(request.url)
        return for_platform(rotations, profile.platform) if profile is not None else rotations.get("*")

    def process_request(self, request: Request) -> None:
        rotation = self._rotation(request)
        if rotation is None:
            return
        proxy = rotation.next()
        request.meta[PROXY_META] = proxy.number
        self.crawler.stats.inc_value(f"netsword/proxy/{proxy.number}/requests")
        if request.meta.get("playwright"):
            browser_context(request, f"~{proxy.number}", proxy=_playwright_proxy(proxy))
        else:
            request.meta["proxy"] = proxy.url

    def process_response(self, request: Request, response: Response) -> Request | Response:
        number = _forget(request)
        if response.status == 407 and number:
            retry = self._failed(request, number, "HTTP 407 from the proxy")
            if retry is not None:
                return retry
        return response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        number = _forget(request)
        if number and isinstance(exception, FAILURES):
            return self._failed(request, number, type(exception).__name__)
        return None

    def _failed(self, request: Request, number: int, why: str) -> Request | None:
        rotation = self._rotation(request)
        proxy = rotation.by_number(number) if rotation is not None else None
        if rotation is None or proxy is None:
            return None
        rotation.failed(proxy)
        self.crawler.stats.inc_value(f"netsword/proxy/{number}/failures")
        logger.warning("%s failed (%s); resting it %.0f s", proxy.label, why, rotation.rest)
        tries = int(request.meta.get(TRIES_META, 0)) + 1
        if tries >= len(rotation.proxies):
            return None  # every proxy had its chance: the retry middleware decides
        self.crawler.stats.inc_value("netsword/proxy_retries")
        again = request.replace(dont_filter=True)
        again.meta[TRIES_META] = tries
        return again


def _forget(request: Request) -> int:
    """Take the proxy and its credentials off a request whose answer is in; the number of the proxy it used."""
    number = int(request.meta.pop(PROXY_META, 0) or 0)
    if number:
        request.meta.pop("proxy", None)
        request.meta.pop("_auth_proxy", None)
        request.headers.pop(b"Proxy-Authorization", None)
    return number


def _playwright_proxy(proxy: Proxy) -> dict[str, str]:
    parts = urlsplit(proxy.url)
    server = f"{parts.scheme}://{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    # "<-loopback>": Chromium would send loopback addresses around the proxy; HTTP requests go through it, so do these
    out = {"server": server, "bypass": "<-loopback>"}
    if parts.username:
        out["username"] = unquote(parts.username)
        out["password"] = unquote(parts.password or "")
    return out
