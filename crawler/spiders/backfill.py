"""The evidence backfill spider: capture the listings whose leads have no evidence and no final reason why not.

It is the re-check spider (crawler/spiders/recheck.py) with another errand: the same choice of profile per lead
(crawler.recheck_leads.profile_for: the platform's profile whose hosts hold the URL), the same requests (the
profile's headers with ${ENV} secrets, cookies, render mode, per-host politeness slots, timeout and size cap;
robots.txt and Retry-After by the crawl's middlewares), and what it fetches is kept by crawler.capture.CrawlCapturer
with a screenshot, as a crawl keeps it. First it finishes or cleans up captures a killed process left half-written.
Never fetched, with a final reason recorded: a platform with no profile, a URL off the profile's hosts; after the
fetch: robots.txt forbids it, the listing is gone (404/410). A fetch or write that fails gets a reason worth
retrying, and the next run tries again.
Arguments (`-a`): platform, limit (listings), base_url, profiles, delay, timeout, max_bytes.
Stats: backfill/planned|captured|refused|gone|failed, backfill/recovered|cleaned_up, and crawler.capture's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from crawler.capture import CrawlCapturer, answer_kind, fetched_page, listing_page_url
from crawler.errors import CrawlSetupError
from crawler.page_state import GONE_STATUSES, read_page
from crawler.recheck_leads import NO_PROFILE, Due, profile_for
from crawler.spiders.recheck import RecheckSpider
from evidence.coverage import Gap, gaps, listings_of
from evidence.headers import configured_secrets, env_secrets
from evidence.store import KIND_PAGE, EvidenceStore, EvidenceWriteError
from leads.store import LeadQuery
from netsword.keys import KeyStoreError

REFUSED = {NO_PROFILE: "no profile for this platform may fetch it", "offsite": "its URL is on no host of its profile"}


class BackfillSpider(RecheckSpider):
    name = "evidence_backfill"

    def __init__(self, limit: int | str = 200, **kwargs: Any) -> None:
        super().__init__(limit=limit, **kwargs)
        self.evidence: EvidenceStore | None = None
        self.capturer: CrawlCapturer | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BackfillSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Evidence is this crawl's business: the add-on then installs Chromium for screenshots, or says there is none.
        crawler.settings.set("NETSWORD_EVIDENCE", True, priority="spider")
        assert isinstance(spider, BackfillSpider)
        return spider

    def _store(self) -> EvidenceStore:
        if self.evidence is None:
            try:
                self.evidence = EvidenceStore.for_config(self._runtime().cfg)
            except KeyStoreError as exc:
                raise CrawlSetupError(f"evidence key: {exc}") from None
        return self.evidence

    def _capturer(self) -> CrawlCapturer:
        if self.capturer is None:
            cfg = self._runtime().cfg
            secrets = [*configured_secrets(cfg), *(v for c in self._runtime().cookie_jar.values() for v in c.values())]
            secrets += [s for p in self.profiles for s in env_secrets(p.headers)]
            self.capturer = CrawlCapturer(
                self.crawler, self._store(), screenshots=self.crawler.settings.getbool("NETSWORD_SCREENSHOTS"),
                secrets=lambda: secrets, origin="backfill",
            )  # fmt: skip
        return self.capturer

    async def start(self) -> AsyncIterator[Any]:
        stats, store = self.crawler.stats, self._store()
        completed, cleaned = store.recover()
        stats.set_value("backfill/recovered", completed)
        stats.set_value("backfill/cleaned_up", cleaned)
        listed = listings_of(self._runtime().store.iter_leads(LeadQuery(platform=self.platforms)))
        reasons = store.ledger.no_captures()
        todo: list[Gap] = []
        for gap in gaps(listed.values(), store.has_capture, lambda p, i: reasons.get((p, i))):
            todo.append(gap)
            if len(todo) >= self.limit:
                break
        stats.set_value("backfill/planned", len(todo))
        for gap in todo:
            profile, refusal = profile_for(self.profiles, gap.listing.platform, gap.listing.url)
            if profile is None:
                self._no_capture(gap, REFUSED.get(refusal, refusal), final=True, stat="refused")
                continue
            request = self.listing_request(Due(gap.listing.url, (), profile))
            yield request.replace(callback=self.parse_page, errback=self.on_fetch_error,
                                  cb_kwargs={"gap": gap, "platform_profile": profile.platform})  # fmt: skip

    async def parse_page(self, response: Response, gap: Gap, platform_profile: str) -> None:
        listing = gap.listing
        if response.status in GONE_STATUSES:
            self._no_capture(gap, f"gone before it was captured (HTTP {response.status})", final=True, stat="gone")
            return
        profile, _ = profile_for(self.profiles, listing.platform, listing.url)
        media_type = (response.headers.get("Content-Type") or b"").decode("latin-1").split(";")[0]
        text = response.text if isinstance(response, TextResponse) else ""
        state = read_page(response.status, response.body, response.url, media_type, profile, text=text)
        notes = [f"listing: the page says it was taken down ({state.reason})"] if state.taken_down else []
        asked = response.request.url if response.request is not None else response.url
        kind = answer_kind(profile, detail=True) if profile is not None and profile.detail else KIND_PAGE
        own_page = listing_page_url(profile, {"id": listing.listing_id, "url": listing.url}, kind=kind,
                                    own_page=asked) if profile is not None else ""  # fmt: skip
        capture = await self._capturer().capture(
            platform=listing.platform, listing_id=listing.listing_id, lead_ids=listing.lead_ids,
            profile=platform_profile, page=fetched_page(response), kind=kind, listing_url=listing.url,
            screenshot_url=own_page, notes=notes,
        )  # fmt: skip
        self.crawler.stats.inc_value("backfill/captured" if capture is not None else "backfill/failed")

    def on_fetch_error(self, failure: Any) -> None:
        gap: Gap = failure.request.cb_kwargs["gap"]
        why = " ".join(str(failure.value).split())[:200] or type(failure.value).__name__
        if failure.check(IgnoreRequest):  # robots.txt (robotstxt/forbidden) or Scrapy's offsite filter
            self._no_capture(gap, f"fetch refused: {why}", final=True, stat="refused")
        else:  # 403, 429, 5xx after retries, a timeout, a page over the size cap: worth another try
            self._no_capture(gap, f"fetch failed: {why}", final=False, stat="failed")

    def _no_capture(self, gap: Gap, reason: str, *, final: bool, stat: str) -> None:
        self.crawler.stats.inc_value(f"backfill/{stat}")
        self.logger.info("%s %s not captured: %s", gap.listing.platform, gap.listing.listing_id, reason)
        try:
            self._store().no_capture(gap.listing.platform, gap.listing.listing_id, gap.listing.lead_ids, reason,
                                     final=final)  # fmt: skip
        except EvidenceWriteError as exc:
            self.crawler.stats.inc_value("netsword/evidence_unrecorded")
            self.logger.error("the reason could not be recorded (%s): verify lists the gap", exc.reason)

    async def closed(self, reason: str) -> None:
        if self.capturer is not None:
            await self.capturer.close()
        if self.evidence is not None:
            self.evidence.close()
