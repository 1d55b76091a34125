"""StatsFile: the crawl's stats as one JSON object in NETSWORD_STATS_FILE, rewritten every NETSWORD_STATS_INTERVAL
seconds while the crawl runs and once more when it closes (then with finish_reason), so a reader (the scheduler,
`netsword demo`) has figures even from a crawl that was stopped or killed.

Every write goes to a temporary file in the same directory and replaces the old one (os.replace): a reader sees a
whole file or the previous one, never half of one. Numbers and text are kept; times become ISO 8601 text. The crawl
run's ledger (crawler.extensions.crawl_run: run id, status, per keyword and page what was fetched, stored, failed,
given up and why) is the object under the key "crawl"; its status and totals are also flat stats (netsword/status).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.extensions.crawl_run import crawl_run_of

logger = logging.getLogger(__name__)


def plain_stats(stats: dict[str, Any]) -> dict[str, int | float | str]:
    """The stats JSON can hold: numbers and text as they are, datetimes as ISO text; None and the rest left out."""
    plain: dict[str, int | float | str] = {}
    for key, value in stats.items():
        if isinstance(value, datetime):
            plain[key] = value.isoformat()
        elif isinstance(value, int | float | str) and not isinstance(value, bool):
            plain[key] = value
    return plain


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StatsFile:
    def __init__(self, crawler: Crawler, path: Path, interval: float) -> None:
        self.crawler = crawler
        self.path = path
        self.interval = interval
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("NETSWORD_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(crawler, Path(path), crawler.settings.getfloat("NETSWORD_STATS_INTERVAL", 5.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.write()
        if self.interval > 0:
            self.task = create_looping_call(self.write)
            self.task.start(self.interval, now=False)

    def spider_closed(self, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.write(reason)

    def write(self, finish_reason: str | None = None) -> None:
        data: dict[str, Any] = {}
        run = crawl_run_of(self.crawler)
        if run is not None:
            run.publish(finish_reason)
            data["crawl"] = run.summary(finish_reason)
        data.update(plain_stats(self.crawler.stats.get_stats()))
        try:
            write_json_atomically(self.path, data)
        except OSError as exc:  # a full disk costs the figures, never the crawl
            logger.warning("could not write the stats file %s: %s", self.path, exc)
