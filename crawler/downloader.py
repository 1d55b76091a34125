"""Scrapy's downloader, holding a slot to its concurrency (the DOWNLOADER setting; installed by the NetSword add-on).

Scrapy 2.19's downloader, under the asyncio reactor, starts each download as an asyncio task and counts it in its
slot (`slot.transferring`) only when that task first runs. `_process_queue` pops requests while the slot has free
transfer slots, so every request queued before those tasks run starts at once: the 20 detail pages a result page
yields all went out together, with 8 allowed per site. Measured on the demo marketplace (a 4 ms answer delay):
up to 15 downloads in the slot and 11 requests at the server at once, where the profile allows 8, and about 450 new
TCP connections per 5,000 pages (the connection pool keeps 8 per host) against 4 for Scrapy fetching the same URLs
one request at a time.

Here a download is counted in its slot as soon as it is scheduled (the set Scrapy adds it to again when the task
runs, and from which it removes it when the download ends), so a profile's `politeness.concurrency` — and Scrapy's
CONCURRENT_REQUESTS_PER_DOMAIN — is the most requests a site ever has from the crawl at once.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.http import Response
from twisted.internet.defer import Deferred


class PoliteDownloader(Downloader):
    def _wait_for_download(  # type: ignore[override]
        self, slot: Slot, request: Request, queue_dfd: Deferred[Response]
    ) -> Coroutine[Any, Any, None]:
        slot.transferring.add(request)  # counted now: `_process_queue` reads the count before the task starts
        return super()._wait_for_download(slot, request, queue_dfd)
