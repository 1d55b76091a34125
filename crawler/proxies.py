"""Proxies per platform from `crawler.proxies` ("PLATFORM=FILE" — proxy URLs, one a line, `#` comments — or
"PLATFORM=URL"), used in turn, request by request; a proxy that fails is rested for `crawler.proxy_rest` seconds.

Plain Python: crawler.middlewares.proxies applies a `ProxyRotation` to each request. A proxy URL may carry a user
and password (http://user:pass@host:3128): they are secrets, so a proxy is named in logs and stats by its number
in the list and its host only (`label`), never by its URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler.errors import CrawlSetupError
from crawler.platform_config import per_platform

SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Proxy:
    url: str = field(repr=False)
    number: int  # 1-based, in the order listed

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def label(self) -> str:
        """How logs and stats name it: never its password."""
        parts = urlsplit(self.url)
        return f"proxy {self.number} ({parts.hostname}:{parts.port or 80})"


def _check(url: str, where: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise CrawlSetupError(f"crawler.proxies: {where}: not a URL") from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise CrawlSetupError(f"crawler.proxies: {where}: must be http://HOST:PORT or https://HOST:PORT")
    return url


def proxy_urls(value: str) -> list[str]:
    """A proxy URL, or the URLs in the file `value` names."""
    if "://" in value:
        return [_check(value, "a proxy URL")]
    path = Path(value).expanduser()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CrawlSetupError(f"crawler.proxies: cannot read {path}: {exc}") from None
    urls = []
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if line:
            urls.append(_check(line if "://" in line else f"http://{line}", f"{path}:{n}"))
    if not urls:
        raise CrawlSetupError(f"crawler.proxies: {path}: lists no proxy")
    return urls


def load_proxies(entries: tuple[str, ...] | list[str]) -> dict[str, tuple[str, ...]]:
    """{platform: proxy URLs} from `crawler.proxies`, files read."""
    return {
        platform: tuple(url for value in values for url in proxy_urls(value))
        for platform, values in per_platform(entries, "crawler.proxies").items()
    }


class ProxyRotation:
    """Round-robin over a platform's proxies, leaving out those resting after a failure; when all rest, the one
    whose rest ends first (a request never goes out without a proxy once the platform has some)."""

    def __init__(self, urls: tuple[str, ...], rest: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.proxies = [Proxy(url, n) for n, url in enumerate(urls, 1)]
        self.rest = rest
        self.clock = clock
        self.resting_until: dict[int, float] = {}
        self.turn = 0

    def next(self) -> Proxy:
        now = self.clock()
        for _ in range(len(self.proxies)):
            proxy = self.proxies[self.turn % len(self.proxies)]
            self.turn += 1
            if self.resting_until.get(proxy.number, 0.0) <= now:
                return proxy
        return min(self.proxies, key=lambda p: self.resting_until.get(p.number, 0.0))

    def failed(self, proxy: Proxy) -> None:
        self.resting_until[proxy.number] = self.clock() + self.rest

    def by_number(self, number: int) -> Proxy | None:
        return self.proxies[number - 1] if 0 < number <= len(self.proxies) else None
