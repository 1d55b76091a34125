"""One page fetched for `netsword profile check PROFILE --url URL`: politely, through the crawl machinery.

The request is the marketplace spider's for that profile (headers with ${ENV} secrets, cookies from
crawler.cookies_file, Chromium for `render: browser`, robots.txt, retries, the profile's politeness); the spider keeps
the answer in `self.page` and yields nothing, so no lead, evidence or alert is ever stored. Only the profile's own
hosts are fetched. A redirect is judged as the crawl judges it: one to a block page (a login wall: the profile's
`blocked.url` rules and the built-in markers) is kept as it came, with its target, for `check_page` to say so;
another is followed (at most MAX_REDIRECTS, each hop through the fetch policy and robots.txt).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.blocks import BlockDetector
from crawler.browser_pages import browser_meta
from crawler.extensions.runtime import runtime_of
from crawler.middlewares.blocks import UNJUDGED_META
from crawler.profile import Profile
from crawler.spiders.marketplace import MarketplaceSpider, failure_reason
from netsword.fetch_policy import MAX_REDIRECTS


class ProfileCheckSpider(MarketplaceSpider):
    name = "profile_check"
    stores_listings = False  # it yields no item: no lead process to start

    def __init__(self, profile: Profile | str, url: str, kind: str = "search", **kwargs: Any) -> None:
        super().__init__(profile, **kwargs)
        self.url = url
        self.kind = kind
        self.page: dict[str, Any] = {}

    async def start(self) -> AsyncIterator[Any]:
        runtime = runtime_of(self.crawler)
        self.cookies = dict(runtime.cookies(self.profile.platform).items())
        if urlsplit(self.url).netloc not in self.profile.hosts:
            self.page = {"error": f"{self.url}: not on the profile's hosts ({', '.join(self.profile.hosts)})"}
            return
        spec = self.profile.search if self.kind == "search" or not self.profile.detail else self.profile.detail.page
        yield scrapy.Request(
            self.url,
            callback=self.keep,
            errback=self.failed,
            headers=self.headers,
            cookies=self.cookies,
            # the page as it came, a block page too: check_page says what it is (no backing off, no stopping)
            meta={
                **browser_meta(self.profile, spec, search=self.kind == "search"),
                "handle_httpstatus_all": True,
                UNJUDGED_META: True,
            },
            dont_filter=True,
        )

    def keep(self, response: Response) -> Iterator[scrapy.Request]:
        location = response.headers.get("Location") if 300 <= response.status < 400 else None
        target = urljoin(response.url, location.decode("latin-1")) if location else ""
        hops = list(response.meta.get("redirect_urls") or [])
        if target and len(hops) < MAX_REDIRECTS and BlockDetector(self.profile.blocked).check_url(target) is None:
            meta = {**response.meta, "redirect_urls": [*hops, response.url]}
            yield response.request.replace(url=target, meta=meta)  # type: ignore[union-attr]
            return
        rendered = "playwright" in response.flags and isinstance(response, TextResponse)
        self.page = {
            "url": response.url,
            "status": response.status,
            "content_type": (response.headers.get("Content-Type") or b"").decode("latin-1"),
            "body": response.text if rendered else response.body,
            "location": target,
        }

    def failed(self, failure: Any) -> None:
        self.page = {"error": f"{failure.request.url}: {failure_reason(failure)}"}
