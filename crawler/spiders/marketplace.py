"""The one marketplace spider: searches a platform for each keyword as its profile says and yields ListingItems.

Arguments (`scrapy crawl marketplace -a profile=demo-static -a keywords=NIKE,耐克`, or `netsword crawl`): `profile`
(a YAML path, or a name: yours in crawler.profiles_dir first, then a bundled one), `keywords` (default: the profile's, else the watchlists' search keywords),
`max_pages` (default: the profile's pagination.max_pages, else crawler.max_pages), `base_url` (point the profile at
another address). The spider publishes its profile as the NETSWORD_PROFILE setting, from which the NetSword add-on
takes the profile's politeness and render mode; cookies come from crawler.cookies_file through the crawl's runtime.
Only URLs built from the profile's templates (search, detail {id}) or matching its rules (next link on the search
path, `detail.follow` patterns) are requested; a URL found in listing text is never fetched; a listing URL refused
is counted (netsword/refused_urls). Malformed items and unreadable pages are logged and counted
(netsword/malformed_items, netsword/bad_pages), never fatal; so are fields left empty (netsword/empty_field/NAME).
HTTP bodies are decoded by crawler.decoding (or the profile's `encoding`), Chromium's pages read as rendered. A
search result whose detail page fails (robots.txt, 404, retries exhausted) is kept, marked `detail: failed`
(netsword/incomplete_listings).
Every result page, listing and failure is reported to the crawl run's ledger (crawler.ledger) by keyword and page: a
page given up after its retries (crawler.middlewares.retry_after) is a loss, and the keyword's later pages are still
fetched when the search URL numbers its pages ({page} or {offset}), else reported as not reached. A 404/410 or a
robots.txt refusal is the site's answer, reported but not a loss.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from crawler.browser_pages import browser_meta
from crawler.capture import answer_kind, fetched_page, listing_page_url
from crawler.extensions.crawl_run import crawl_run_of
from crawler.extensions.runtime import runtime_of
from crawler.extract import PageBody, ParsedPage, detail_url, parse_page, read_detail, refusal
from crawler.items import ListingItem
from crawler.ledger import CrawlLedger
from crawler.middlewares.retry_after import GAVE_UP
from crawler.profile import Profile
from crawler.profile_loader import load_profile, profile_path
from netsword.config import load_config

_ENV_REF = re.compile(r"\$\{(\w+)\}")
GONE = (404, 410)  # the site says the page is not there: an answer, not a loss


def expand_env(value: str) -> str:
    """Header values may name secrets as ${NAME}; they come from the environment at crawl time only."""
    return _ENV_REF.sub(lambda m: os.environ.get(m.group(1), ""), value)


class MarketplaceSpider(scrapy.Spider):
    name = "marketplace"
    stores_listings = True  # its lead pipeline starts the crawl's lead process as it opens (crawler.pipelines.leads)

    def __init__(
        self,
        profile: Profile | str,
        keywords: list[str] | tuple[str, ...] | str = (),
        max_pages: int | str = 0,
        base_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.profile_source = profile if isinstance(profile, str) else profile.source
        self.profile = load_profile(profile) if isinstance(profile, str) else profile
        if base_url:
            self.profile = self.profile.with_base_url(base_url)
        if isinstance(keywords, str):  # `scrapy crawl marketplace -a keywords=a,b`
            keywords = [k.strip() for k in keywords.split(",") if k.strip()]
        self.keywords = list(keywords or self.profile.keywords)
        self.max_pages = int(max_pages or self.profile.pagination.max_pages)  # 0: crawler.max_pages, set in start()
        self.cookies: dict[str | bytes, str | bytes | bool | float | int] = {}
        self.headers = {k: expand_env(v) for k, v in self.profile.headers.items()}
        self.allowed_domains = sorted({urlsplit(f"//{h}").hostname or h for h in self.profile.hosts})
        self.seen: set[str] = set()
        self.warned_fields: set[str] = set()
        # set by the lead pipeline when the crawl's lead process reads detail pages (crawler.pipelines.leads)
        self.details_read_later = False
        self._ledger: CrawlLedger | None = None
        self._listed_here: set[str] = set()  # without JOBDIR (no spider state)

    @property
    def ledger(self) -> CrawlLedger:
        """The crawl run's ledger (crawler.extensions.crawl_run); a private one when the crawl keeps none."""
        if self._ledger is None:
            run = crawl_run_of(self.crawler)
            self._ledger = run.ledger if run is not None else CrawlLedger()
        return self._ledger

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> MarketplaceSpider:
        if isinstance(kwargs.get("profile"), str):  # `scrapy crawl marketplace -a profile=NAME`: as `netsword crawl`
            # finds NAME, in crawler.profiles_dir first, then among the bundled profiles
            user_dir = load_config(crawler.settings.get("NETSWORD_CONFIG_FILE") or None).crawler.profiles_dir
            kwargs["profile"] = str(profile_path(kwargs["profile"], user_dir))
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Settings are still open here, and Scrapy runs the add-ons after making the spider.
        crawler.settings.set("NETSWORD_PROFILE", spider.profile_source, priority="spider")
        return spider

    async def start(self) -> AsyncIterator[Any]:
        runtime = runtime_of(self.crawler)
        self.cookies = {name: value for name, value in runtime.cookies(self.profile.platform).items()}
        self.max_pages = self.max_pages or runtime.cfg.crawler.max_pages
        if not self.keywords and self.profile.uses_keywords:
            self.keywords = runtime.watchlist.search_keywords()
        keywords = self.keywords if self.profile.uses_keywords else [""]
        if not keywords:
            self.ledger.no_keywords = True
            self.logger.error("%s: no keywords to search for", self.profile.platform)
        for keyword in keywords:
            yield self.search_request(keyword, page=self.profile.pagination.start)

    def search_request(self, keyword: str, *, page: int, cursor: str = "", url: str = "") -> scrapy.Request:
        p = self.profile.pagination
        if not url:
            url = (
                self.profile.search_url.replace("{keyword}", quote(keyword, safe=""))
                .replace("{page}", str(page))
                .replace("{offset}", str((page - p.start) * p.page_size))
                .replace("{cursor}", quote(cursor, safe=""))
            )
        meta = {"keyword": keyword, "page": page, **browser_meta(self.profile, self.profile.search, search=True)}
        return scrapy.Request(
            self.profile.absolute(url),
            callback=self.parse_search,
            errback=self.on_search_error,
            headers=self.headers,
            cookies=self.cookies,
            meta=meta,
        )

    def parse_search(self, response: Response) -> Iterator[Any]:
        stats = self.crawler.stats
        stats.inc_value("netsword/search_pages")
        parsed = self._read_page(response, "search")
        keyword, page = response.meta["keyword"], response.meta["page"]
        self.ledger.page_fetched(keyword, page, response.url, len(parsed.listings))
        listed = self._listed()
        for listing in parsed.listings:
            key = str(listing.get("id", ""))
            if key in listed:  # listed on an earlier page (or for another keyword): its detail is already asked for
                stats.inc_value("netsword/duplicates")
                self.ledger.duplicate(keyword, page)
                continue
            target = detail_url(self.profile, listing)
            refused = not target and self.profile.detail is not None and not self.profile.detail.url
            if refused and str(listing.get("id", "")) not in self.seen:  # once per listing, not per result page
                stats.inc_value("netsword/refused_urls")
                self.logger.info(
                    "not following %s: %s", listing.get("url"), refusal(self.profile, listing.get("url", ""))
                )
            if target:
                listed.add(key)
                yield scrapy.Request(
                    target,
                    callback=self.parse_detail,
                    errback=self.on_detail_error,
                    headers=self.headers,
                    cookies=self.cookies,
                    cb_kwargs={"listing": listing},
                    meta={
                        "keyword": keyword,
                        "page": page,
                        **(
                            browser_meta(self.profile, self.profile.detail.page, search=False)
                            if self.profile.detail
                            else {}
                        ),
                    },
                )
            else:
                yield from self._item(listing, response)
        yield from self._next_page(response, parsed.next, has_items=bool(parsed.listings))

    def _next_page(self, response: Response, found: str, *, has_items: bool) -> Iterator[scrapy.Request]:
        keyword, page = response.meta["keyword"], response.meta["page"]
        if page - self.profile.pagination.start + 1 >= self.max_pages:
            return
        kind = self.profile.pagination.type
        if kind == "page" and has_items:
            yield self.search_request(keyword, page=page + 1)
        elif kind == "cursor" and found:
            yield self.search_request(keyword, page=page + 1, cursor=found)
        elif kind == "next_link" and found:
            yield self.search_request(keyword, page=page + 1, url=found)

    def parse_detail(self, response: Response, listing: dict[str, Any]) -> Iterator[ListingItem]:
        self.crawler.stats.inc_value("netsword/detail_pages")
        page = self._body(response)
        if self.details_read_later and not self._detail_names_id():
            # read in the lead process, off the crawl's core; the search result stands for the listing until then
            yield from self._item(listing, response, is_detail=True, detail_page=page)
            return
        merged, parsed = read_detail(self.profile, listing, page)
        self.report_page(parsed, "detail", page.url)
        yield from self._item(merged, response, is_detail=True)

    def _detail_names_id(self) -> bool:
        """Whether the detail page's rules read the listing's id: it may then replace the search result's, which
        decides duplicates and evidence here, so such a page is read by the spider."""
        return self.profile.detail is not None and "id" in self.profile.detail.page.fields

    def _listed(self) -> set[str]:
        """Ids whose detail page was asked for; kept in the spider state, so a resumed crawl does not ask again."""
        state = getattr(self, "state", None)
        return state.setdefault("listed_ids", set()) if isinstance(state, dict) else self._listed_here

    def _item(
        self, listing: dict[str, Any], response: Response, *, is_detail: bool = False, detail_page: PageBody | None = None
    ) -> Iterator[ListingItem]:
        key = str(listing.get("id", ""))
        # With JOBDIR, Scrapy persists `self.state`, so a resumed crawl still knows what it already handled.
        state = getattr(self, "state", None)
        if isinstance(state, dict):
            self.seen = state.setdefault("seen_ids", self.seen)
        keyword, page = _origin(response)
        if key in self.seen:  # the same listing on two result pages
            self.crawler.stats.inc_value("netsword/duplicates")
            self.ledger.duplicate(keyword, page)
            return
        self.seen.add(key)
        self.crawler.stats.inc_value("netsword/listings_seen")
        kind = answer_kind(self.profile, detail=is_detail)
        page_of_listing = listing_page_url(self.profile, listing, kind=kind, own_page=response.url if is_detail else "")
        item = ListingItem(
            listing=listing,
            profile=self.profile.platform,
            page_url=response.url,
            status=response.status,
            fetched=fetched_page(response),  # EvidenceStore.record and evidence.warc leave out credentials
            kind=kind,
            screenshot_url=page_of_listing,
            keyword=keyword,
            page=page,
        )
        if detail_page is not None:
            item["detail_page"] = detail_page
        yield item

    @staticmethod
    def _body(response: Response) -> PageBody:
        # Chromium decoded the page itself and scrapy-playwright re-encoded what it rendered: read that text.
        rendered = "playwright" in response.flags and isinstance(response, TextResponse)
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        return PageBody(response.url, response.text if rendered else response.body, content_type)

    def _read_page(self, response: Response, kind: str) -> ParsedPage:
        page = self._body(response)
        parsed = parse_page(self.profile, page.body, page.url, kind=kind, content_type=page.content_type)
        self.report_page(parsed, kind, page.url)
        return parsed

    def report_page(self, parsed: ParsedPage, kind: str, url: str) -> None:
        """Count and log how a page read (malformed items, empty fields); the lead pipeline reports a detail page its
        lead process read through this too."""
        self._count_errors(parsed.errors, kind)
        for name, count in parsed.empty.items():
            self.crawler.stats.inc_value(f"netsword/empty_field/{name}", count)
        for name in parsed.mostly_empty():
            if f"{kind}.{name}" not in self.warned_fields:  # once per field and page kind
                self.warned_fields.add(f"{kind}.{name}")
                self.logger.warning(
                    "%s field %r is empty on %d of %d items of %s: does its rule still fit the page?",
                    kind, name, parsed.empty[name], parsed.read, url,
                )  # fmt: skip

    def _count_errors(self, errors: list[str], kind: str) -> None:
        for error in errors:
            self.crawler.stats.inc_value("netsword/malformed_items")
            self.logger.warning("malformed %s item: %s", kind, error)

    def on_error(self, failure: Any) -> None:
        self.crawler.stats.inc_value("netsword/failed_requests")
        self.logger.warning("request failed: %s: %s", failure.request.url, failure.value)

    def on_search_error(self, failure: Any) -> Iterator[scrapy.Request]:
        """A result page that could not be fetched: reported by keyword; the keyword's later pages are fetched all the
        same when the search URL numbers its pages, else reported as not reached."""
        self.on_error(failure)
        request = failure.request
        keyword, page = request.meta["keyword"], request.meta["page"]
        reason = failure_reason(failure)
        if not is_loss(failure):
            self.ledger.page_skipped(keyword, page, request.url, reason)
            return
        self.ledger.page_given_up(keyword, page, request.url, reason)
        if page - self.profile.pagination.start + 1 >= self.max_pages:
            return
        template = self.profile.search_url
        if self.profile.pagination.type != "cursor" and ("{page}" in template or "{offset}" in template):
            self.crawler.stats.inc_value("netsword/pages_skipped_ahead")
            yield self.search_request(keyword, page=page + 1)
        elif self.profile.pagination.type != "none":
            self.ledger.pagination_lost(keyword, page, f"the next {self.profile.pagination.type} was on page {page}")

    def on_detail_error(self, failure: Any) -> Iterator[ListingItem]:
        """A detail page that could not be fetched: its search result goes on, marked incomplete."""
        self.on_error(failure)
        request = failure.request
        reason = failure_reason(failure)
        keyword, page = str(request.meta.get("keyword", "")), int(request.meta.get("page", 0))
        if is_loss(failure):
            self.ledger.detail_given_up(keyword, page, request.url, reason)
        else:
            self.ledger.detail_skipped(keyword, page)
        listing = {**request.cb_kwargs["listing"], "detail": "failed", "detail_error": reason}
        self.crawler.stats.inc_value("netsword/incomplete_listings")
        response = getattr(failure.value, "response", None)  # a 404's page; none when nothing was fetched
        yield from self._item(listing, response if response is not None else Response(request.url, 0, request=request))


def _origin(response: Response) -> tuple[str, int]:
    """The search keyword and result page a response belongs to (a detail page: those of the page that listed it)."""
    meta = response.request.meta if response.request is not None else {}
    return str(meta.get("keyword", "")), int(meta.get("page", 0))


def is_loss(failure: Any) -> bool:
    """A request given up after its retries, or failed in a way nobody expected — not the site's 404/410 answer, nor
    a request refused on purpose (robots.txt, offsite)."""
    if failure.request.meta.get(GAVE_UP):
        return True
    if failure.check(IgnoreRequest):
        return False
    response = getattr(failure.value, "response", None)
    return response is None or response.status not in GONE


def failure_reason(failure: Any) -> str:
    """A short reason for a failed request: 'HTTP 404', 'IgnoreRequest: Forbidden by robots.txt', 'TimeoutError: …';
    for a request given up after its retries, how many it had ('HTTP 503 after 4 retries and 2 re-queues')."""
    given_up = failure.request.meta.get(GAVE_UP)
    if given_up:
        return str(given_up)
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(failure.value).__name__}: {failure.value}"[:200]
