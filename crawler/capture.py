"""Capturing evidence: inside a crawl (`CrawlCapturer`, for the evidence pipeline and the backfill spider) and on
request outside one (`capture_url`, for `netsword evidence capture`).

In a crawl, the page the crawl fetched is kept as it came (raw response) with a full-page screenshot and the rendered
HTML, taken by the crawl's own Chromium (scrapy-playwright) on ONE reused page in the `evidence` context, which
loads images; screenshots are serialised on that page. A capture that cannot be written (full disk, no permission)
is counted (netsword/evidence_failed) and its listing gets a recorded reason, so the next run or
`netsword evidence backfill` takes it once space returns; when even the reason cannot be written, that is counted
too (netsword/evidence_unrecorded) and `netsword evidence verify` still finds the gap.
Provenance: the manifest records the URL the crawl asked for, each redirect (URL and status), the final URL and
status, when the request started and ended, and what carried the listing (`kind`: a web page, an API response, a
feed export). The listing's own web page (`listing_page_url`: the profile's `listing_page`, a URL `detail.follow`
allows, or the detail page fetched) is opened once in Chromium through the crawl's downloader (its politeness,
robots.txt, fetch policy); when it is not the answer that carried the listing, it is kept as a capture of its own
(kind `listing-page`) that the listing's capture names under `related`. Every capture holds the WARC records of its
exchanges (evidence.warc): the crawl's request and response, and what Chromium fetched for the page, sub-resources
included. Headers are kept by the evidence store's allow-list, and no configured secret reaches a manifest or WARC.
Stats: netsword/evidence_captures, netsword/evidence_screenshots, netsword/evidence_failures (screenshots that
failed), netsword/evidence_failed, netsword/evidence_unrecorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import scrapy
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy_playwright.page import PageMethod

from crawler.blocks import BlockDetector
from crawler.browser_guard import guard_browser_page
from crawler.browser_pages import mark_evidence_page
from crawler.browser_recorder import BrowserRecorder
from crawler.extract import listing_url_allowed
from crawler.ledger import CrawlLedger
from crawler.middlewares.blocks import SECONDARY_META
from crawler.middlewares.provenance import fetch_of, hop_exchanges
from crawler.profile import BlockRules, Profile
from crawler.profile_loader import ProfileError, load_profile
from crawler.robots_rules import RobotsRules
from evidence.headers import configured_secrets
from evidence.store import (
    KIND_API,
    KIND_FEED,
    KIND_LISTING_PAGE,
    KIND_MANUAL,
    KIND_PAGE,
    Blob,
    Capture,
    EvidenceStore,
    EvidenceWriteError,
    Fetch,
)
from evidence.warc import MEDIA_TYPE as WARC_MEDIA_TYPE
from evidence.warc import ROLE as WARC_ROLE
from evidence.warc import Exchange, warc_bytes
from netsword.browser import ensure_browser, launch_args
from netsword.config import Config
from netsword.fetch_policy import check_fetch, for_operator_url, redact

logger = logging.getLogger(__name__)
NO_SCREENSHOTS = "screenshot: none taken (no Chromium found, or NETSWORD_SCREENSHOTS off)"
NO_SCREENSHOT_URL = "screenshot: the profile allows opening no page of this listing"
NO_LISTING_PAGE = (
    "screenshot: the listing came from an API or a feed and the profile names no web page for it (listing_page)"
)
RENDERED = "warc: the crawl read this page as Chromium rendered it, so its own fetch is no HTTP exchange in the WARC"


class CaptureError(RuntimeError):
    pass


@dataclass(frozen=True)
class FetchedPage:
    """The answer that carried a listing, as the crawl fetched it (built by `fetched_page`)."""

    fetch: Fetch
    body: bytes
    media_type: str = "text/html"
    request_headers: Mapping[str, str] = field(default_factory=dict)
    response_headers: tuple[tuple[str, str], ...] = ()
    rendered: bool = False  # read from Chromium's rendering (scrapy-playwright): the body is not what was sent
    hops: tuple[Exchange, ...] = ()  # the redirects on the way, as they were answered


def fetched_page(response: Response) -> FetchedPage:
    """A Scrapy response as evidence: how it was fetched (crawler.middlewares.provenance), its headers and body."""
    sent = response.request.headers if response.request is not None else {}
    return FetchedPage(
        fetch=fetch_of(response),
        body=response.body,
        media_type=(response.headers.get("Content-Type") or b"").decode("latin-1").split(";")[0] or "text/html",
        request_headers={k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in sent.items()},
        response_headers=tuple(
            (k.decode("latin-1"), v.decode("latin-1")) for k, values in response.headers.items() for v in values
        ),
        rendered="playwright" in response.flags,
        hops=hop_exchanges(response),
    )


def answer_kind(profile: Profile, *, detail: bool) -> str:
    """What kind of answer a profile's search or detail page is: KIND_API (JSON), KIND_FEED (JSONL, CSV), KIND_PAGE."""
    spec = profile.detail.page if detail and profile.detail is not None else profile.search
    return {"json": KIND_API, "jsonl": KIND_FEED, "csv": KIND_FEED}.get(spec.format, KIND_PAGE)


def listing_page_url(profile: Profile, listing: Mapping[str, Any], *, kind: str, own_page: str) -> str:
    """The listing's own web page that evidence may open in Chromium, or "": the profile's `listing_page` template
    (on the profile's hosts), else the listing's URL when `detail.follow` allows it, else the web page the listing
    was read from (a detail page). An API or feed answer is never taken for the listing's page."""
    if profile.listing_page:
        listing_id = str(listing.get("id", ""))
        url = profile.absolute(profile.listing_page.replace("{id}", quote(listing_id, safe="")))
        return url if listing_id and urlsplit(url).netloc in profile.hosts else ""
    allowed = listing_url_allowed(profile, str(listing.get("url", "")))
    if allowed:
        return allowed
    return own_page if kind == KIND_PAGE else ""


@dataclass
class Visit:
    """A page Chromium opened for evidence: its fetch, files, WARC exchanges and notes."""

    fetch: Fetch | None = None
    blobs: list[Blob] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    why_not: str = ""  # why there is no screenshot ("" when there is one)
    request_headers: dict[str, str] = field(default_factory=dict)  # of the page's own exchange (the document)
    response_headers: tuple[tuple[str, str], ...] = ()


class CrawlCapturer:
    """Keeps a page the crawl holds, with a screenshot by the crawl's Chromium; one per crawl (one evidence page)."""

    def __init__(self, crawler: Crawler, store: EvidenceStore, *, screenshots: bool,
                 secrets: Callable[[], list[str]], origin: str = "crawl") -> None:  # fmt: skip
        self.crawler = crawler
        self.store = store
        self.screenshots = screenshots
        self.secrets = secrets
        self.origin = origin
        self.page: Any = None
        self.lock = asyncio.Lock()
        self.recorder = BrowserRecorder()

    async def capture(self, *, platform: str, listing_id: str, lead_ids: Iterable[str], profile: str,
                      page: FetchedPage, kind: str = KIND_PAGE, listing_url: str = "", screenshot_url: str = "",
                      notes: Iterable[str] = ()) -> Capture | None:  # fmt: skip
        """Keep the answer that carried the listing, with the WARC records of its exchange and a screenshot of the
        listing's page: in the same capture when that page is the one fetched, else in a capture of its own
        (KIND_LISTING_PAGE) that this one names under `related`. None when it could not be written (counted,
        logged, its reason recorded)."""
        missing = list(notes)
        fetch = page.fetch
        visit = Visit()
        if not self.screenshots:
            missing.append(NO_SCREENSHOTS)
        elif not screenshot_url:
            missing.append(NO_SCREENSHOT_URL if kind == KIND_PAGE else NO_LISTING_PAGE)
        else:
            visit = await self._visit(screenshot_url)
            if visit.why_not:
                missing.append(f"screenshot: {visit.why_not}")
        exchanges = [] if page.rendered else [*page.hops, _exchange(page)]
        if page.rendered:
            missing.append(RENDERED)
        separate = bool(visit.blobs) and screenshot_url not in (fetch.url, fetch.final_url)
        related: list[str] = []
        try:
            if separate:
                own = self._write(
                    blobs=visit.blobs, exchanges=visit.exchanges, platform=platform, listing_id=listing_id,
                    profile=profile, fetch=visit.fetch or Fetch(url=screenshot_url), kind=KIND_LISTING_PAGE,
                    listing_url=listing_url, request_headers=visit.request_headers,
                    response_headers=visit.response_headers, missing=visit.notes,
                )  # fmt: skip
                related.append(own.capture_id)
            else:
                exchanges += visit.exchanges
                missing += visit.notes
            capture = self._write(
                blobs=[Blob("response", page.body, page.media_type or "text/html", fetch.final_url),
                       # the browser's own fetch of this page is in the WARC (visit.exchanges): one "response" here
                       *([] if separate else [b for b in visit.blobs if b.role != "response"])],
                exchanges=exchanges, platform=platform, listing_id=listing_id, profile=profile, fetch=fetch,
                kind=kind, listing_url=listing_url, request_headers=page.request_headers,
                response_headers=page.response_headers, missing=missing, related=related,
                screenshot_fetch=None if separate else visit.fetch,
            )  # fmt: skip
        except EvidenceWriteError as exc:
            self.failed(platform, listing_id, lead_ids, exc.reason)
            return None
        self.crawler.stats.inc_value("netsword/evidence_captures")
        return capture

    def _write(self, *, blobs: list[Blob], exchanges: list[Exchange], fetch: Fetch,
               request_headers: Mapping[str, str], response_headers: Iterable[tuple[str, str]],
               **details: Any) -> Capture:  # fmt: skip
        secrets = self.secrets()
        files = list(blobs)
        if exchanges:
            files.append(Blob(WARC_ROLE, warc_bytes(exchanges, secrets=secrets), WARC_MEDIA_TYPE, fetch.final_url))
        return self.store.add(
            blobs=files, url=fetch.url, final_url=fetch.final_url, status=fetch.status, redirects=fetch.redirects,
            started_at=fetch.started_at, ended_at=fetch.ended_at, request_headers=request_headers,
            response_headers=dict(response_headers), secrets=secrets, origin=self.origin, **details,
        )  # fmt: skip

    def failed(self, platform: str, listing_id: str, lead_ids: Iterable[str], reason: str) -> None:
        """A capture not kept: count it, say so, and record why for the leads (retried by the next run)."""
        leads = list(lead_ids)
        self.crawler.stats.inc_value("netsword/evidence_failed")
        ledger = getattr(self.crawler.spider, "ledger", None)  # the marketplace spider's run accounting
        if isinstance(ledger, CrawlLedger):
            ledger.evidence_not_kept(reason)
        logger.error("evidence of %s %s (%d lead(s)) not kept: %s", platform, listing_id, len(leads), reason)
        try:
            self.store.no_capture(platform, listing_id, leads, reason, final=False)
        except EvidenceWriteError as again:
            self.crawler.stats.inc_value("netsword/evidence_unrecorded")
            logger.error("and the reason could not be recorded either (%s): netsword evidence verify lists the gap",
                         again.reason)  # fmt: skip

    async def _init_page(self, page: Any, request: Any) -> None:
        """playwright_page_init_callback of the evidence page: it may load images, and it is recorded."""
        await mark_evidence_page(page, request)
        self.recorder.attach(page)

    async def _visit(self, url: str) -> Visit:
        """Open `url` in the crawl's Chromium (through the crawl's downloader: its politeness, robots.txt and fetch
        policy): the screenshot, the rendered page, the raw answer and every exchange; or why not."""
        stats = self.crawler.stats
        async with self.lock:  # one page, one capture at a time
            request = scrapy.Request(
                url,
                dont_filter=True,
                meta={
                    "playwright": True,
                    "playwright_context": "evidence",
                    "playwright_include_page": True,
                    "playwright_page_init_callback": self._init_page,
                    "playwright_page_methods": [PageMethod("screenshot", full_page=True, type="png")],
                    "handle_httpstatus_all": True,
                    "max_retry_times": 1,
                    SECONDARY_META: True,  # a block page fails the visit, never retried nor counted twice
                    **({"playwright_page": self.page} if self.page is not None else {}),
                },
            )
            self.recorder.start()
            try:
                response = await self.crawler.engine.download_async(request)
            except Exception as exc:  # noqa: BLE001 - any download failure only costs this screenshot
                await self.recorder.finish()
                stats.inc_value("netsword/evidence_failures")
                logger.warning("evidence screenshot of %s failed: %s", url, exc)
                self.page = request.meta.get("playwright_page", self.page)
                what = "refused" if isinstance(exc, IgnoreRequest) else "failed"
                return Visit(why_not=f"{what}: {' '.join(str(exc).split())[:200] or type(exc).__name__}")
            fetch, exchanges, notes = await self.recorder.finish()
            self.page = response.meta.get("playwright_page", self.page)
            methods = response.meta.get("playwright_page_methods") or []
            png = getattr(methods[0], "result", None) if methods else None
            if not isinstance(png, bytes):  # no browser handler installed: nothing rendered
                stats.inc_value("netsword/evidence_failures")
                return Visit(why_not="not rendered (no browser handler in this crawl)")
            stats.inc_value("netsword/evidence_screenshots")
            if fetch is None:
                fetch = Fetch(url=url, final_url=response.url, status=response.status)
            blobs = [Blob("screenshot", png, "image/png", response.url),
                     Blob("page", response.body, "text/html", response.url)]  # fmt: skip
            document = next((x for x in exchanges if x.url == fetch.final_url and x.resource == "document"), None)
            visit = Visit(fetch=fetch, blobs=blobs, exchanges=exchanges, notes=notes)
            if document is not None:  # what the server sent, before any script ran
                media = dict((k.lower(), v) for k, v in document.response_headers).get("content-type", "")
                blobs.insert(0, Blob("response", document.body, media.split(";")[0] or "text/html", document.url))
                visit.request_headers = dict(document.request_headers)
                visit.response_headers = tuple(document.response_headers)
            return visit

    async def close(self) -> None:
        if self.page is not None and not self.page.is_closed():
            await self.page.close()


def _exchange(page: FetchedPage) -> Exchange:
    return Exchange(
        url=page.fetch.final_url, status=page.fetch.status or 0, response_headers=page.response_headers,
        body=page.body, request_headers=tuple(page.request_headers.items()), date=page.fetch.started_at,
    )  # fmt: skip


def _block_rules(cfg: Config, *names: str) -> BlockRules:
    """The `blocked:` rules of the first of `names` that is a profile (crawler.profiles_dir or bundled), else the
    built-in markers alone."""
    for name in names:
        try:
            return load_profile(name, user_dir=cfg.crawler.profiles_dir).blocked
        except (ProfileError, ValueError):
            continue
    return BlockRules()


async def capture_url(
    cfg: Config, store: EvidenceStore, url: str, *, platform: str, listing_id: str, profile: str
) -> Capture:
    """Open `url` in Chromium, keep what the server sent, what it showed and the WARC records of every exchange;
    raises CaptureError on failure.

    The fetch policy applies as in a crawl: the URL the operator typed may be on a private address (operator
    standing, as a courier feed's), but its redirects and the page's sub-resources may not, and the page is capped.
    With crawler.obey_robots, robots.txt is asked about every navigation, redirects included. A page that is a block
    page (a login wall, a captcha: crawler.blocks, with the `blocked:` rules of the profile named `profile` or
    `platform` when there is one) is refused, never kept as evidence.
    """
    policy = for_operator_url(url, max_bytes=cfg.crawler.max_page_bytes, timeout=cfg.crawler.page_timeout)
    try:
        refusal, _ = await asyncio.to_thread(check_fetch, policy, url)
    except OSError as exc:
        raise CaptureError(f"{url}: cannot resolve: {exc}") from None
    if refusal is not None:
        raise CaptureError(f"refused by the fetch policy: {refusal.message}")
    robots = RobotsRules(policy, cfg.crawler.user_agent, timeout=cfg.crawler.page_timeout)
    robots_check = robots.refusal if cfg.crawler.obey_robots else None
    if robots_check is not None and (forbidden := await robots_check(url)) is not None:
        raise CaptureError(f"refused: {forbidden.message}")
    detector = BlockDetector(_block_rules(cfg, profile, platform))
    executable = ensure_browser(cfg.browser.executable, auto_install=cfg.browser.auto_install)
    recorder = BrowserRecorder()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=executable, args=launch_args(), headless=cfg.browser.headless
        )
        try:
            page = await browser.new_page(user_agent=cfg.crawler.user_agent)
            guard = await guard_browser_page(
                page, policy, lambda r: logger.warning("fetch refused (%s): %s", r.reason, r.message), robots_check
            )
            recorder.attach(page)
            recorder.start()
            try:
                response = await page.goto(url, wait_until="load", timeout=cfg.crawler.page_timeout * 1000)
            except PlaywrightError as exc:
                if guard.refused is not None:
                    raise CaptureError(f"refused by the fetch policy: {guard.refused.message}") from None
                raise CaptureError(f"{url}: {str(exc).splitlines()[0]}") from None
            if guard.refused is not None:
                raise CaptureError(f"refused by the fetch policy: {guard.refused.message}")
            if response is None:
                raise CaptureError(f"{url}: no response")
            headers = await response.request.all_headers()
            received = await response.all_headers()
            final_url = response.url  # the response Chromium ended on, after any redirects
            media_type = (response.headers.get("content-type") or "text/html").split(";")[0]
            png = await page.screenshot(full_page=True, type="png")
            html = (await page.content()).encode("utf-8")
            status = response.status
            fetch, exchanges, notes = await recorder.finish()
            # what the server sent, byte for byte (the recorder's exchange of the page, read before Chromium
            # decoded it); Playwright's response.body() would be Chromium's text re-encoded as UTF-8
            document = next((x for x in exchanges if x.url == final_url and x.resource == "document"), None)
            raw = document.body if document is not None else await response.body()
            if document is None:
                notes.append("response: as Chromium decoded it, not the server's bytes (not recorded)")
        finally:
            await browser.close()
    fetch = fetch or Fetch(url=url, final_url=final_url, status=status)
    hops = (detector.check_url(hop.url) for hop in fetch.redirects)
    block = next((b for b in hops if b is not None), None) or detector.check(
        status=status, url=final_url, body=raw, text=html.decode("utf-8")  # the page as Chromium decoded it
    )
    if block is not None:
        raise CaptureError(f"{url}: not kept: a block page, {block.describe()} at {redact(final_url)}")
    secrets = configured_secrets(cfg)
    blobs = [
        Blob("response", raw, media_type, final_url),
        Blob("screenshot", png, "image/png", final_url),
        Blob("page", html, "text/html", final_url),
        Blob(WARC_ROLE, warc_bytes(exchanges, secrets=secrets), WARC_MEDIA_TYPE, final_url),
    ]
    try:
        return store.add(
            blobs=blobs,
            platform=platform,
            listing_id=listing_id,
            url=url,
            profile=profile,
            request_headers=headers,  # the store keeps allow-listed headers only
            status=status,
            final_url=final_url,
            redirects=fetch.redirects,
            started_at=fetch.started_at,
            ended_at=fetch.ended_at,
            response_headers=received,
            secrets=secrets,
            missing=notes,
            origin="manual",
            kind=KIND_MANUAL,
        )
    except EvidenceWriteError as exc:
        raise CaptureError(f"{url}: not kept: {exc.reason}") from None
