"""A Scrapy extension for tests/crawler/test_image_hash_off_reactor.py, loaded by the crawl child: a LoopingCall
notes when the reactor ran (every 20 ms), and the image pipeline's phash_of is wrapped to note when each hash ran and
in which thread. At spider_closed each hash is written to the stats as `test/hashes`: [seconds it took, reactor
ticks during it, the longest the reactor went without a tick during it, whether it ran on the reactor's thread], and `test/hash_threads_alive`: the image pipeline's threads still running.
"""

import threading
import time
from typing import Any

from scrapy import signals
from twisted.internet.task import LoopingCall

import crawler.pipelines.images as images

TICK = 0.02


class ReactorTicks:
    def __init__(self, crawl: Any) -> None:
        self.stats = crawl.stats
        self.ticks: list[float] = []
        self.hashes: list[tuple[float, float, bool]] = []
        self.loop = LoopingCall(lambda: self.ticks.append(time.monotonic()))
        original = images.phash_of

        def timed(data: bytes, media_type: str = "") -> str:
            start = time.monotonic()
            try:
                return original(data, media_type)
            finally:
                on_reactor = threading.current_thread() is threading.main_thread()
                self.hashes.append((start, time.monotonic(), on_reactor))

        images.phash_of = timed  # type: ignore[assignment]

    @classmethod
    def from_crawler(cls, crawl: Any) -> "ReactorTicks":
        ext = cls(crawl)
        crawl.signals.connect(ext.opened, signal=signals.spider_opened)
        crawl.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self) -> None:
        self.loop.start(TICK)

    def closed(self) -> None:
        self.loop.stop()
        found = []
        for start, end, on_reactor in self.hashes:
            during = [start, *(t for t in self.ticks if start <= t <= end), end]
            gap = max(b - a for a, b in zip(during, during[1:], strict=False))
            found.append([round(end - start, 3), len(during) - 2, round(gap, 3), on_reactor])
        self.stats.set_value("test/hashes", found)
        # the pipeline closed before this signal: its hash threads are stopped
        alive = [t.name for t in threading.enumerate() if "netsword-image-hash" in t.name]
        self.stats.set_value("test/hash_threads_alive", alive)
