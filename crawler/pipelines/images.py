"""ImageHashPipeline: the first NETSWORD_IMAGE_HASHES images of each listing that matches the watchlists (a lead will
be stored for it) are downloaded through the crawl and hashed (netsword.image_hash: pHash), and the listing gets `image_hashes: [{"url", "phash"}]` before the lead
pipeline stores it; actor networks link shops showing near-identical images (docs/cases.md).

The downloads are Scrapy requests like any other (Scrapy's MediaPipeline): the fetch policy (an image host must be
one the profile allows), robots.txt, the profile's concurrency and delay, retries and rate limits apply; no browser
renders them; each is capped at netsword.image_hash.MAX_IMAGE_BYTES (or DOWNLOAD_MAXSIZE when smaller), decompressed
bodies included; redirects are not followed (Scrapy's MEDIA_ALLOW_REDIRECTS); a URL seen twice in a crawl is fetched
once. An image is optional: a failed download is retried once (`max_retry_times`), never re-queued for later in the
run (retry_after.NO_REQUEUE), so a server that drips or breaks its answers holds a listing back for at most two
DOWNLOAD_TIMEOUTs. Only JPEG, PNG, GIF and WebP responses are decoded, with pixel caps; anything else is refused and
counted. A failed image never holds a listing back: it is stored without that hash.
Stats: netsword/images_hashed, netsword/images_refused (not an image, too large, unreadable), netsword/images_failed
(refused by the fetch policy or robots.txt, HTTP errors and redirects, timeouts, cut bodies), each with one log line
(`image URL refused: why` / `image URL not fetched: why`), never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.pipelines.media import FileInfoOrError, MediaPipeline
from twisted.python.failure import Failure

from crawler.extensions.runtime import runtime_of
from crawler.middlewares.retry_after import NO_REQUEUE
from netsword.fetch_policy import redact
from netsword.image_hash import MAX_IMAGE_BYTES, ImageRefused, phash_of
from netsword.models import Listing, ListingError

logger = logging.getLogger(__name__)
MAX_PER_LISTING = 10


class ImageHashPipeline(MediaPipeline):
    def __init__(self, crawler: Crawler) -> None:
        self.per_listing = min(MAX_PER_LISTING, crawler.settings.getint("NETSWORD_IMAGE_HASHES"))
        if self.per_listing <= 0:
            raise NotConfigured
        super().__init__(crawler=crawler)
        page_cap = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.max_bytes = min(MAX_IMAGE_BYTES, page_cap) if page_cap > 0 else MAX_IMAGE_BYTES
        self.stats = crawler.stats
        self.runtime = runtime_of(crawler)
        self.min_score = self.runtime.cfg.matching.min_score

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ImageHashPipeline:
        return cls(crawler)

    def get_media_requests(self, item: Any, info: MediaPipeline.SpiderInfo) -> list[Request]:
        listing = item.get("listing") or {}
        try:
            hits = self.runtime.index.match(Listing.from_dict(listing))
        except ListingError:
            return []  # the lead pipeline counts and drops it
        if not any(hit.score >= self.min_score for hit in hits):
            return []  # no lead will be stored: its images would link nothing
        images = listing.get("images") or []
        urls = [u for u in (images if isinstance(images, list) else [images]) if isinstance(u, str)]
        urls = list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))[: self.per_listing]
        meta = {"download_maxsize": self.max_bytes, "download_warnsize": 0, "playwright": False,
                "netsword_image": True, "max_retry_times": 1, NO_REQUEUE: True}  # fmt: skip
        return [Request(url, meta=meta, dont_filter=True) for url in urls]

    def media_to_download(self, request: Request, info: MediaPipeline.SpiderInfo, *, item: Any = None) -> None:
        return None  # nothing is kept between crawls: every image is fetched (once per crawl)

    def media_downloaded(self, response: Response, request: Request, info: MediaPipeline.SpiderInfo, *,
                         item: Any = None) -> Any:  # fmt: skip
        if response.status != 200:
            return self._failed(request, f"HTTP {response.status}")
        media_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        try:
            digest = phash_of(response.body, media_type)
        except ImageRefused as exc:
            self.stats.inc_value("netsword/images_refused")
            logger.info("image %s refused: %s", redact(request.url)[:200], exc)
            return {"url": request.url, "refused": str(exc)}
        self.stats.inc_value("netsword/images_hashed")
        return {"url": request.url, "phash": digest}

    def media_failed(self, failure: Failure, request: Request, info: MediaPipeline.SpiderInfo, *,
                     item: Any = None) -> Any:  # fmt: skip
        return self._failed(request, failure.getErrorMessage() or type(failure.value).__name__)

    def _failed(self, request: Request, why: str) -> dict[str, str]:
        """A result, not an exception: Scrapy's MediaPipeline logs a raised one as an ERROR with its traceback."""
        self.stats.inc_value("netsword/images_failed")
        why = " ".join(why.split())[:200]
        logger.info("image %s not fetched: %s", redact(request.url)[:200], why)
        return {"url": request.url, "failed": why}

    def item_completed(self, results: list[FileInfoOrError], item: Any, info: MediaPipeline.SpiderInfo) -> Any:
        hashes = [dict(r) for ok, r in results if ok and isinstance(r, dict) and "phash" in r]
        if hashes:
            listing = dict(item["listing"])
            listing["image_hashes"] = hashes
            item["listing"] = listing
        return item

    def file_path(self, request: Request, response: Response | None = None, info: Any = None, *,
                  item: Any = None) -> str:  # fmt: skip
        return ""  # nothing is stored: only the hash is kept
