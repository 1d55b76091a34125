"""Scrapy's downloader, holding a slot to its concurrency (the DOWNLOADER setting; installed by the NetSword add-on).

Scrapy 2.19's downloader, under the asyncio reactor, starts each download as an asyncio task and counts it in its
slot (`slot.transferring`) only when that task first runs. `_process_queue` pops requests while the slot has free
transfer slots, so every request queued before those tasks run starts at once: the 20 detail pages a result page
yields all went out together. tests/crawler/test_polite_downloader.py counts the requests the server answers at
once: 11 with a profile concurrency of 3 under Scrapy's downloader, 3 under this one. The connection pool keeps as
many connections per host as that concurrency, so the extra downloads also meant connections closed and reopened.

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
