"""The re-check spider: revisit each open lead's listing URL with its platform's profile and record what it shows.

Gone (HTTP 404/410, a takedown notice) → `LeadSink.mark_taken_down`; online → the refreshed lead goes through the
lead sink, so alert rules hear of a changed price. Requests carry the profile's headers (${ENV} secrets expanded),
the platform's cookies, its render mode, a per-host download slot with the profile's politeness, a per-request
timeout and size cap; robots.txt and Retry-After are the crawl's own middlewares. A listing whose platform has no
profile, or whose URL is off the profile's hosts, is counted and never fetched.
Arguments (`-a`, comma-separated lists): platform, status, limit, include_taken_down, base_url, profiles, delay,
timeout, max_bytes. Stats: recheck/* and robotstxt/forbidden, read back by crawler.recheck_figures.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.http.request import VerboseCookie

from crawler.browser_pages import browser_meta
from crawler.extensions.runtime import Runtime, runtime_of
from crawler.middlewares.retry_after import GAVE_UP
from crawler.page_state import GONE_STATUSES, PageState, read_page
from crawler.profile import Profile
from crawler.recheck_leads import Due, listings_due, load_profiles, refreshed
from crawler.spiders.marketplace import expand_env
from leads.store.base import TAKEN_DOWN
from netsword.models import OPEN_STATUSES, Lead, utc_now

DEFAULT_STATUSES = OPEN_STATUSES
DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # a listing page; anything bigger is not one, and is not read


def _words(value: str | Sequence[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(w.strip() for w in items if w and w.strip())


def _flag(value: bool | str) -> bool:
    return value if isinstance(value, bool) else value.strip().lower() in ("1", "true", "yes", "on")


class RecheckSpider(scrapy.Spider):
    name = "recheck"

    def __init__(
        self,
        platform: str | Sequence[str] = (),
        status: str | Sequence[str] = DEFAULT_STATUSES,
        limit: int | str = 500,
        include_taken_down: bool | str = False,
        base_url: str = "",
        profiles: str | Sequence[str] = (),
        delay: float | str | None = None,
        timeout: float | str = 15.0,
        max_bytes: int | str = DEFAULT_MAX_BYTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.platforms = _words(platform)
        self.statuses = _words(status) or DEFAULT_STATUSES
        self.limit = int(limit)
        self.include_taken_down = _flag(include_taken_down)
        # Seconds between requests to one host at least (DOWNLOAD_DELAY, and the floor of declared delays); None:
        # crawler.download_delay.
        self.delay = None if delay in (None, "") else float(delay)  # type: ignore[arg-type]
        self.timeout = float(timeout)
        self.max_bytes = int(max_bytes)
        self.profiles = load_profiles(_words(profiles), base_url=base_url, platforms=self.platforms)
        self.allowed_domains = sorted({urlsplit(f"//{h}").hostname or h for p in self.profiles for h in p.hosts})
        self.due: dict[str, Due] = {}  # handed to Scrapy, not yet answered
        self._in_flight: dict[str, int] = defaultdict(int)  # per host, of those
        self._room = asyncio.Event()  # set when a listing is done with
        self.slot_delays: dict[str, float] = {}  # host → seconds between its requests (set in from_crawler)
        self._cookies: dict[str, list[VerboseCookie]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RecheckSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Settings are still open here (Scrapy freezes them once add-ons and extensions are built): one download slot
        # per host, as polite as the strictest profile on it; what no profile declares falls back to the add-on's
        # CONCURRENT_REQUESTS_PER_DOMAIN and DOWNLOAD_DELAY from [crawler] (or this spider's `delay`).
        settings = crawler.settings
        if spider.delay is not None:
            settings.set("DOWNLOAD_DELAY", spider.delay, priority="spider")
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        for host, slot in politeness_slots(spider.profiles, spider.delay).items():
            slots.setdefault(host, slot)
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        spider.slot_delays = {host: float(slot["delay"]) for host, slot in slots.items() if "delay" in slot}
        # No crawl profile (NETSWORD_PROFILE) tells the add-on about rendering here; evidence is a crawl's business.
        settings.set("NETSWORD_BROWSER", any(p.render == "browser" for p in spider.profiles), priority="spider")
        settings.set("NETSWORD_EVIDENCE", False, priority="spider")
        return spider

    def _runtime(self) -> Runtime:
        return runtime_of(self.crawler)

    async def start(self) -> AsyncIterator[Any]:
        stats = self.crawler.stats
        due = listings_due(
            self._runtime().store, self.profiles, statuses=self.statuses, platforms=self.platforms,
            limit=self.limit, include_taken_down=self.include_taken_down,
        )  # fmt: skip
        stats.set_value("recheck/planned", len(due))
        by_host: dict[str, deque[tuple[int, Due]]] = defaultdict(deque)
        for n, item in enumerate(due):
            if item.refusal:
                stats.inc_value("recheck/listings")
                stats.inc_value(f"recheck/{item.refusal}")
                self.logger.info("not re-checked (%s): %s", item.refusal, item.url)
            else:
                by_host[_host(item.url)].append((len(due) - n, item))
        # Each host is given no more listings than its slot fetches at once (one at a time when it has a delay):
        # Scrapy would otherwise queue up to CONCURRENT_REQUESTS of them in the slot, and a run closing at its time
        # limit waits for every queued one (16 × a 5 s delay). Hosts take turns; within one, the longest unchecked
        # go first.
        while by_host:
            self._room.clear()
            handed = 0
            for host in list(by_host):
                queue = by_host[host]
                while queue and self._in_flight[host] < self._capacity(host):
                    priority, item = queue.popleft()
                    self.due[item.url] = item
                    self._in_flight[host] += 1
                    handed += 1
                    yield self.listing_request(item, priority=priority)
                if not queue:
                    del by_host[host]
            if by_host and not handed:
                with suppress(TimeoutError):  # the timeout only guards against a wake-up missed
                    await asyncio.wait_for(self._room.wait(), 1.0)

    def _capacity(self, host: str) -> int:
        settings = self.crawler.settings
        slot = settings.getdict("DOWNLOAD_SLOTS").get(host) or {}
        if float(slot.get("delay", settings.getfloat("DOWNLOAD_DELAY"))) > 0:
            return 1  # a delayed slot sends one request per delay whatever its concurrency
        return int(slot.get("concurrency") or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1)

    def _finished(self, url: str) -> None:
        """A listing is done with (read, refused or failed): its host may have the next one."""
        if self.due.pop(url, None) is not None:
            self._in_flight[_host(url)] -= 1
            self._room.set()

    def listing_request(self, item: Due, *, priority: int = 0) -> scrapy.Request:
        profile = item.profile
        assert profile is not None
        meta: dict[str, Any] = {
            "recheck_url": item.url,
            "handle_httpstatus_list": list(GONE_STATUSES),
            "download_timeout": self.timeout,
            "download_maxsize": self.max_bytes,
            "download_warnsize": self.max_bytes // 2,
        }
        if profile.detail is not None:
            meta.update(browser_meta(profile, profile.detail.page, search=False))
        elif profile.render == "browser":
            meta.update(browser_meta(profile, profile.search, search=False))
        if self.slot_delays.get(_host(item.url), 0.0) > 0:
            meta["autothrottle_dont_adjust_delay"] = True  # AutoThrottle would go below the profile's own delay
        return scrapy.Request(
            item.url,
            callback=self.parse_listing,
            errback=self.on_error,
            headers={k: expand_env(v) for k, v in profile.headers.items()},
            cookies=self._cookies_of(profile.platform),
            meta=meta,
            priority=priority,
            dont_filter=True,
        )

    def _cookies_of(self, platform: str) -> list[VerboseCookie]:
        if platform not in self._cookies:
            # Path "/": a cookie given without one belongs to the request's directory (/item/…), and the jar then
            # holds one copy per directory and sends them all.
            cookies = self._runtime().cookies(platform)
            self._cookies[platform] = [{"name": k, "value": v, "path": "/"} for k, v in cookies.items()]
        return self._cookies[platform]

    def parse_listing(self, response: Response) -> None:
        item = self.due[response.meta["recheck_url"]]
        self._finished(item.url)
        stats = self.crawler.stats
        stats.inc_value("recheck/listings")
        stats.inc_value("recheck/pages")
        media_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        # a rendered page is already text; a fetched one is decoded by read_page as crawls decode pages
        text = response.text if "playwright" in response.flags and isinstance(response, TextResponse) else ""
        state = read_page(response.status, response.body, response.url, media_type, item.profile, text=text)
        try:
            self.record(item.leads, state)
        except Exception as exc:  # noqa: BLE001 - a refused write costs this listing, never the run
            stats.inc_value("recheck/errors")
            self.logger.error("re-check of %s not stored: %s", item.url, exc)

    def record(self, leads: Iterable[Lead], state: PageState) -> None:
        """Write what the page says through the lead sink, so alert rules hear of every change a re-check finds."""
        sink, stats, now = self._runtime().sink, self.crawler.stats, utc_now()
        online: list[Lead] = []
        for lead in leads:
            if state.taken_down:
                if lead.listing.get("availability") != TAKEN_DOWN:
                    sink.mark_taken_down(lead.lead_id, reason=state.reason, at=now)
                    stats.inc_value("recheck/taken_down")
                    stats.inc_value("recheck/leads_updated")
                continue
            if state.price is not None and lead.price is not None and state.price != lead.price:
                stats.inc_value("recheck/price_changes")
            online.append(refreshed(lead, state, now))
        if not online:
            return
        stats.inc_value("recheck/online")
        report = sink.write(online)
        if report.created + report.updated:
            stats.inc_value("recheck/leads_updated", report.created + report.updated)
        if report.failed:
            raise RuntimeError(f"{report.failed} lead(s) not stored: {'; '.join(report.errors[:1])}")

    def on_error(self, failure: Any) -> None:
        url = failure.request.meta.get("recheck_url", failure.request.url)
        self._finished(url)
        stats = self.crawler.stats
        stats.inc_value("recheck/listings")
        # robots.txt (robotstxt/forbidden) or Scrapy's offsite filter; not a block page (crawler.middlewares.blocks),
        # which says nothing about the listing either but is an error of the re-check
        if failure.check(IgnoreRequest) and not failure.request.meta.get(GAVE_UP):
            self.logger.info("not re-checked: %s: %s", url, failure.value)
            return
        stats.inc_value("recheck/errors")  # 403, 429 and 5xx after retries say nothing about the listing
        self.logger.warning("re-check of %s failed: %s", url, failure.value)


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def politeness_slots(profiles: Iterable[Profile], delay: float | None = None) -> dict[str, dict[str, Any]]:
    """DOWNLOAD_SLOTS per host name: the fewest concurrent requests and the longest delay the profiles there declare
    (a declared delay is never shorter than `delay`); what none declares is left to the crawl's defaults."""
    slots: dict[str, dict[str, Any]] = {}
    for profile in profiles:
        for netloc in profile.hosts:
            slot = slots.setdefault(urlsplit(f"//{netloc}").hostname or netloc, {})
            if profile.concurrency:
                slot["concurrency"] = min(slot.get("concurrency", profile.concurrency), profile.concurrency)
            if profile.delay >= 0:
                slot["delay"] = max(slot.get("delay", 0.0), profile.delay, delay or 0.0)
    return {host: slot for host, slot in slots.items() if slot}
