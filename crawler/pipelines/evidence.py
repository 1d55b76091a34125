"""EvidencePipeline: every listing the crawl stores whose leads have no capture yet gets one — the raw response and
a full-page screenshot (crawler.capture.CrawlCapturer).

That is each listing that created a new lead (the lead pipeline's `new_leads`), and each listing whose leads were
stored earlier without a capture (a crawl killed before its captures, a full disk): for a listing that created no
lead and has no capture, the lead store is asked whether leads of it exist. A listing with a recorded final reason
(robots.txt forbade the backfill's fetch, say) is captured all the same: the crawl holds its page.
Files go to the content-addressed EvidenceStore (Config.evidence_dir, sealed with the evidence key) with a manifest:
the URL fetched, its redirects and final URL, status, the request's start and end (UTC), what carried the listing
(a web page, an API response, a feed export) and the listing's own URL, profile, allow-listed request headers
(evidence.headers: never a credential, nor any value of a `${ENV}` profile header, a cookie or a configured
secret), each file's SHA-256 and source URL (the WARC records of the exchanges among them), and what is missing.
The listing's own web page, when the profile names one and it is not the page fetched, is a capture of its own. Settings: NETSWORD_EVIDENCE (on/off), NETSWORD_SCREENSHOTS; the
evidence directory, configured secrets and cookies come from the crawl's runtime (crawler.extensions.runtime).
Stats: netsword/evidence_caught_up (captures for leads stored earlier) and those of crawler.capture.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.capture import CrawlCapturer
from crawler.errors import CrawlSetupError
from crawler.extensions.runtime import runtime_of
from evidence.headers import configured_secrets, env_secrets
from evidence.store import KIND_PAGE, EvidenceStore
from leads.store import LeadQuery
from netsword.keys import KeyStoreError

MAX_LEADS_PER_LISTING = 500  # one per watchlist entry a listing matched: far fewer in practice


class EvidencePipeline:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NETSWORD_EVIDENCE"):
            raise NotConfigured
        self.crawler = crawler
        self.runtime = runtime_of(crawler)
        try:
            self.store = EvidenceStore.for_config(self.runtime.cfg)
        except KeyStoreError as exc:
            raise CrawlSetupError(f"evidence key: {exc}") from None
        self.config_secrets = configured_secrets(self.runtime.cfg)
        self.cookie_values = [str(v) for cookies in self.runtime.cookie_jar.values() for v in cookies.values()]
        self._secrets: list[str] | None = None
        self.capturer = CrawlCapturer(
            crawler, self.store, screenshots=crawler.settings.getbool("NETSWORD_SCREENSHOTS"), secrets=self.secrets
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EvidencePipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        listing = item["listing"]
        platform, listing_id = str(listing["platform"]), str(listing["id"])
        lead_ids = list(item.get("new_leads") or [])
        if not lead_ids:
            if self.store.has_capture(platform, listing_id):
                return item
            lead_ids = await asyncio.to_thread(self._stored_leads, platform, listing_id)
            if not lead_ids:
                return item
            self.crawler.stats.inc_value("netsword/evidence_caught_up")
        await self.capturer.capture(
            platform=platform, listing_id=listing_id, lead_ids=lead_ids, profile=item["profile"],
            page=item["fetched"], kind=item.get("kind") or KIND_PAGE, listing_url=str(listing.get("url") or ""),
            screenshot_url=str(item.get("screenshot_url") or ""),
        )  # fmt: skip
        return item

    def _stored_leads(self, platform: str, listing_id: str) -> list[str]:
        """Ids of the stored leads of a listing (in a worker thread: the store may be busy with a lead batch)."""
        query = LeadQuery(platform=(platform,), listing_id=(listing_id,), limit=MAX_LEADS_PER_LISTING)
        return [lead.lead_id for lead in self.runtime.store.search(query)]

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

    async def close_spider(self) -> None:
        await self.capturer.close()
        self.store.close()
