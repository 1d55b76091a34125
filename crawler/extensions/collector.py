"""CollectorTuning: Python's cyclic garbage collector runs less often while a crawl is open.

A crawl makes and drops objects by the hundred for every page (requests, responses, Deferreds, asyncio tasks,
parsed nodes). With Python's default first-generation threshold (700 new objects) the collector runs several times a
page and now and then walks every object in the process (tests/crawler/test_collector_tuning.py: 17 collections
against 2 on 96 pages); benchmarks/crawl.py prints the seconds each side of its comparison spent collecting. Reference counting frees almost everything a crawl drops; the collector is
needed only for cycles, which a larger threshold lets live a few thousand allocations longer (a few megabytes at most).

NETSWORD_GC_THRESHOLD (10000; 0 keeps Python's thresholds) is the first generation's threshold while a spider is open;
the older generations' are left as they are. Thresholds belong to the process: the first crawl to open in a process
sets them and the last to close puts back what it found, so a process running several crawls (tests, a
`CrawlerProcess` with two spiders) ends with the thresholds it had. Stats: netsword/gc_threshold (the threshold the
crawl ran with), netsword/gc_collections (the collections, of any generation, while it was open; set before the stats
file's last write, crawler.extensions.stats_file).
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

_open: list[CollectorTuning] = []  # crawls open in this process that raised the threshold
_saved: list[tuple[int, int, int]] = []  # the thresholds the first of them found


def _collections() -> int:
    return sum(generation["collections"] for generation in gc.get_stats())


def _raise_to_open_crawls() -> None:
    """The first generation's threshold: the largest any open crawl asks for; the older generations' unchanged."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(max(ext.threshold for ext in _open), older, oldest)


class CollectorTuning:
    def __init__(self, threshold: int, stats: StatsCollector | None = None) -> None:
        self.threshold = max(0, threshold)
        self.stats = stats
        self.started = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectorTuning:
        ext = cls(crawler.settings.getint("NETSWORD_GC_THRESHOLD"), crawler.stats)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        if self.threshold and self not in _open:
            if not _open:
                _saved[:] = [gc.get_threshold()]
            _open.append(self)
            _raise_to_open_crawls()
        if self.stats is not None:
            self.stats.set_value("netsword/gc_threshold", gc.get_threshold()[0])
        self.started = _collections()

    def spider_closed(self) -> None:
        if self.stats is not None:
            self.stats.set_value("netsword/gc_collections", _collections() - self.started)
        if self not in _open:
            return
        _open.remove(self)
        if _open:
            _raise_to_open_crawls()
        elif _saved:
            gc.set_threshold(*_saved.pop())
