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

Decoding and hashing run off the crawl's reactor thread, in a pool of HASH_THREADS threads of this pipeline's own
(Pillow releases the GIL while it decodes): a 40-megapixel image takes a second or more, and the reactor keeps serving
the other requests meanwhile. The listing waits for its images' hashes before it goes on to the lead pipeline, and
at most HASH_THREADS images are decoded at once (one full-size image is about 120 MB while it is hashed).
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.pipelines.media import FileInfoOrError, MediaPipeline
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from crawler.extensions.runtime import runtime_of
from crawler.middlewares.retry_after import NO_REQUEUE
from netsword.fetch_policy import redact
from netsword.image_hash import MAX_IMAGE_BYTES, ImageRefused, phash_of
from netsword.models import Listing, ListingError

logger = logging.getLogger(__name__)
MAX_PER_LISTING = 10
HASH_THREADS = 2  # images decoded and hashed at once, off the reactor


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
        self._hash_pool: ThreadPool | None = None

    def close_spider(self) -> None:
        self._stop_hash_pool()  # the crawl's items are all done by now: no hash is waiting

    def _hash_threads(self) -> ThreadPool:
        if self._hash_pool is None:
            self._hash_pool = ThreadPool(0, HASH_THREADS, name="netsword-image-hash")
            # daemon threads: a crawl that ends without closing its spider still exits (close_spider stops them)
            self._hash_pool.threadFactory = partial(threading.Thread, daemon=True)  # type: ignore[assignment]
            self._hash_pool.start()
        return self._hash_pool

    def _stop_hash_pool(self) -> None:
        pool, self._hash_pool = self._hash_pool, None
        if pool is not None:
            pool.stop()

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

    async def media_downloaded(self, response: Response, request: Request, info: MediaPipeline.SpiderInfo, *,
                               item: Any = None) -> Any:  # fmt: skip
        if response.status != 200:
            return self._failed(request, f"HTTP {response.status}")
        media_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        from twisted.internet import reactor  # the crawl's: Scrapy installed it before building the pipelines

        try:
            digest = await maybe_deferred_to_future(
                deferToThreadPool(reactor, self._hash_threads(), phash_of, response.body, media_type)
            )
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
