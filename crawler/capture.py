"""Capturing evidence: inside a crawl (`CrawlCapturer`, for the evidence pipeline and the backfill spider) and on
request outside one (`capture_url`, for `netsword evidence capture`).

In a crawl, the page the crawl fetched is kept as it came (raw response) with a full-page screenshot and the rendered
HTML, taken by the crawl's own Chromium (scrapy-playwright) on ONE reused page in the `evidence` context, which
loads images; screenshots are serialised on that page. A capture that cannot be written (full disk, no permission)
is counted (netsword/evidence_failed) and its listing gets a recorded reason, so the next run or
`netsword evidence backfill` takes it once space returns; when even the reason cannot be written, that is counted
too (netsword/evidence_unrecorded) and `netsword evidence verify` still finds the gap.
The manifest records the URL asked for and the final URL after redirects; headers are kept by the evidence
store's allow-list, and no configured secret reaches it.
Stats: netsword/evidence_captures, netsword/evidence_screenshots, netsword/evidence_failures (screenshots that
failed), netsword/evidence_failed, netsword/evidence_unrecorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import scrapy
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy_playwright.page import PageMethod

from crawler.browser_guard import guard_browser_page
from crawler.browser_pages import mark_evidence_page
from crawler.ledger import CrawlLedger
from evidence.headers import configured_secrets
from evidence.store import Blob, Capture, EvidenceStore, EvidenceWriteError
from netsword.browser import ensure_browser, launch_args
from netsword.config import Config
from netsword.fetch_policy import check_fetch, for_operator_url

logger = logging.getLogger(__name__)
NO_SCREENSHOTS = "screenshot: none taken (no Chromium found, or NETSWORD_SCREENSHOTS off)"
NO_SCREENSHOT_URL = "screenshot: the profile allows opening no page of this listing"


class CaptureError(RuntimeError):
    pass


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

    async def capture(self, *, platform: str, listing_id: str, lead_ids: Iterable[str], url: str, profile: str,
                      body: bytes, media_type: str, page_url: str, status: int | None,
                      request_headers: Mapping[str, str], screenshot_url: str,
                      notes: Iterable[str] = ()) -> Capture | None:  # fmt: skip
        """Keep the page; None when it could not be written (counted, logged, its reason recorded)."""
        stats = self.crawler.stats
        blobs = [Blob("response", body, media_type or "text/html", page_url)]
        missing = list(notes)
        if not self.screenshots:
            missing.append(NO_SCREENSHOTS)
        elif not screenshot_url:
            missing.append(NO_SCREENSHOT_URL)
        else:
            shot, why = await self._screenshot(screenshot_url)
            blobs.extend(shot)
            if why:
                missing.append(f"screenshot: {why}")
        try:
            capture = self.store.add(
                blobs=blobs, platform=platform, listing_id=listing_id, url=url or page_url, profile=profile,
                request_headers=request_headers, status=status, final_url=page_url, secrets=self.secrets(),
                missing=missing, origin=self.origin,
            )  # fmt: skip
        except EvidenceWriteError as exc:
            self.failed(platform, listing_id, lead_ids, exc.reason)
            return None
        stats.inc_value("netsword/evidence_captures")
        return capture

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

    async def _screenshot(self, url: str) -> tuple[list[Blob], str]:
        """(screenshot and rendered page, "") or ([], why not)."""
        stats = self.crawler.stats
        async with self.lock:  # one page, one capture at a time
            request = scrapy.Request(
                url,
                dont_filter=True,
                meta={
                    "playwright": True,
                    "playwright_context": "evidence",
                    "playwright_include_page": True,
                    "playwright_page_init_callback": mark_evidence_page,
                    "playwright_page_methods": [PageMethod("screenshot", full_page=True, type="png")],
                    "handle_httpstatus_all": True,
                    "max_retry_times": 1,
                    **({"playwright_page": self.page} if self.page is not None else {}),
                },
            )
            try:
                response = await self.crawler.engine.download_async(request)
            except Exception as exc:  # noqa: BLE001 - any download failure only costs this screenshot
                stats.inc_value("netsword/evidence_failures")
                logger.warning("evidence screenshot of %s failed: %s", url, exc)
                self.page = request.meta.get("playwright_page", self.page)
                what = "refused" if isinstance(exc, IgnoreRequest) else "failed"
                return [], f"{what}: {' '.join(str(exc).split())[:200] or type(exc).__name__}"
            self.page = response.meta.get("playwright_page", self.page)
            methods = response.meta.get("playwright_page_methods") or []
            png = getattr(methods[0], "result", None) if methods else None
            if not isinstance(png, bytes):  # no browser handler installed: nothing rendered
                stats.inc_value("netsword/evidence_failures")
                return [], "not rendered (no browser handler in this crawl)"
            stats.inc_value("netsword/evidence_screenshots")
            return [
                Blob("screenshot", png, "image/png", response.url),
                Blob("page", response.body, "text/html", response.url),
            ], ""

    async def close(self) -> None:
        if self.page is not None and not self.page.is_closed():
            await self.page.close()


async def capture_url(
    cfg: Config, store: EvidenceStore, url: str, *, platform: str, listing_id: str, profile: str
) -> Capture:
    """Open `url` in Chromium, keep what the server sent and what it showed; raises CaptureError on failure.

    The fetch policy applies as in a crawl: the URL the operator typed may be on a private address (operator
    standing, as a courier feed's), but its redirects and the page's sub-resources may not, and the page is capped.
    """
    policy = for_operator_url(url, max_bytes=cfg.crawler.max_page_bytes, timeout=cfg.crawler.page_timeout)
    try:
        refusal, _ = await asyncio.to_thread(check_fetch, policy, url)
    except OSError as exc:
        raise CaptureError(f"{url}: cannot resolve: {exc}") from None
    if refusal is not None:
        raise CaptureError(f"refused by the fetch policy: {refusal.message}")
    executable = ensure_browser(cfg.browser.executable, auto_install=cfg.browser.auto_install)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=executable, args=launch_args(), headless=cfg.browser.headless
        )
        try:
            page = await browser.new_page(user_agent=cfg.crawler.user_agent)
            guard = await guard_browser_page(
                page, policy, lambda r: logger.warning("fetch refused (%s): %s", r.reason, r.message)
            )
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
            raw = await response.body()
            headers = await response.request.all_headers()
            received = await response.all_headers()
            final_url = response.url  # the response Chromium ended on, after any redirects
            media_type = (response.headers.get("content-type") or "text/html").split(";")[0]
            png = await page.screenshot(full_page=True, type="png")
            html = (await page.content()).encode("utf-8")
            status = response.status
        finally:
            await browser.close()
    blobs = [
        Blob("response", raw, media_type, final_url),
        Blob("screenshot", png, "image/png", final_url),
        Blob("page", html, "text/html", final_url),
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
            response_headers=received,
            secrets=configured_secrets(cfg),
            origin="manual",
        )
    except EvidenceWriteError as exc:
        raise CaptureError(f"{url}: not kept: {exc.reason}") from None
