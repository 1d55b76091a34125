"""EvidencePipeline: for every listing that created a new lead, keep the raw response and a full-page screenshot.

Files go to the content-addressed EvidenceStore (Config.evidence_dir) with a manifest: URL, the final URL after
redirects, UTC time, profile, allow-listed request headers (evidence.headers: never a credential, nor any value of
a `${ENV}` profile header, a cookie or a configured secret), status and each file's SHA-256 and source URL.
The screenshot is taken by the crawl's own Chromium (scrapy-playwright) on ONE reused page in the `evidence` context,
which loads images; captures are serialised on that page. Settings: NETSWORD_EVIDENCE (on/off), NETSWORD_SCREENSHOTS;
the evidence directory, configured secrets and cookies come from the crawl's runtime (crawler.extensions.runtime).
Stats: netsword/evidence_captures, netsword/evidence_screenshots, netsword/evidence_failures.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy_playwright.page import PageMethod

from crawler.browser_pages import mark_evidence_page
from crawler.extensions.runtime import runtime_of
from evidence.headers import configured_secrets, env_secrets
from evidence.store import EvidenceFile, EvidenceStore

logger = logging.getLogger(__name__)


class EvidencePipeline:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NETSWORD_EVIDENCE"):
            raise NotConfigured
        self.crawler = crawler
        runtime = runtime_of(crawler)
        self.store = EvidenceStore(runtime.cfg.evidence_dir)
        self.config_secrets = configured_secrets(runtime.cfg)
        self.cookie_values = [str(v) for cookies in runtime.cookie_jar.values() for v in cookies.values()]
        self._secrets: list[str] | None = None
        self.screenshots = crawler.settings.getbool("NETSWORD_SCREENSHOTS")
        self.page: Any = None
        self.lock = asyncio.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EvidencePipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not item.get("new_leads"):
            return item
        listing = item["listing"]
        page_url = str(item.get("page_url") or "")  # the response's URL: after any redirects
        media_type = item.get("media_type", "text/html")
        files = [self.store.put_bytes(item["body"], role="response", media_type=media_type, url=page_url)]
        if self.screenshots and item.get("screenshot_url"):
            files.extend(await self._screenshot(item["screenshot_url"]))
        self.store.record(
            platform=str(listing["platform"]),
            listing_id=str(listing["id"]),
            url=str(listing.get("url") or page_url),
            profile=item["profile"],
            files=files,
            request_headers=item.get("request_headers") or {},
            status=item.get("status"),
            final_url=page_url,
            secrets=self.secrets(),
        )
        self.crawler.stats.inc_value("netsword/evidence_captures")
        return item

    def secrets(self) -> list[str]:
        """Values no manifest may hold: `${ENV}` profile header values, cookie values, configured secrets."""
        if self._secrets is None:
            profile = getattr(getattr(self.crawler, "spider", None), "profile", None)
            self._secrets = [
                *env_secrets(getattr(profile, "headers", None) or {}),
                *self.cookie_values,  # every platform's, from crawler.cookies_file
                *self.config_secrets,
            ]
        return self._secrets

    async def _screenshot(self, url: str) -> list[EvidenceFile]:
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
                self.crawler.stats.inc_value("netsword/evidence_failures")
                logger.warning("evidence screenshot of %s failed: %s", url, exc)
                self.page = request.meta.get("playwright_page", self.page)
                return []
            self.page = response.meta.get("playwright_page", self.page)
            methods = response.meta.get("playwright_page_methods") or []
            png = getattr(methods[0], "result", None) if methods else None
            if not isinstance(png, bytes):  # no browser handler installed: nothing rendered
                self.crawler.stats.inc_value("netsword/evidence_failures")
                return []
            self.crawler.stats.inc_value("netsword/evidence_screenshots")
            return [
                self.store.put_bytes(png, role="screenshot", media_type="image/png", url=response.url),
                self.store.put_bytes(response.body, role="page", media_type="text/html", url=response.url),
            ]

    async def close_spider(self) -> None:
        if self.page is not None and not self.page.is_closed():
            await self.page.close()
