"""Run one crawl in a fresh process for the loopback tests (Twisted's reactor runs once per process), through
`crawler.run.run_spider` like `netsword crawl`.

Usage: python crawl_child.py '{"profile": …, "base_url": …, "keywords": […], "max_pages": N, "jobdir": …,
"extra": {…}, "evidence": bool, "alerts": bool, "ack_file": path}' — prints the crawl stats (and `listing_ids`, the
listings the spider saw, and `crawl`, the crawl run's summary: status, totals, losses) as one JSON line at the end.
With `ack_file`, every item the crawl reports as done (Scrapy's item_scraped) is written there at once, one JSON
line each, so a test that kills the crawl knows what had been acknowledged.
"""

import json
import sys

from scrapy import signals

from crawler.run import run_spider
from crawler.spiders.marketplace import MarketplaceSpider


class AckLog:
    """A Scrapy extension: one line per item that came out of every pipeline (listing id, new lead ids)."""

    def __init__(self, path: str) -> None:
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole crawl

    @classmethod
    def from_crawler(cls, crawler):  # type: ignore[no-untyped-def]
        ext = cls(crawler.settings["TEST_ACK_FILE"])
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item):  # type: ignore[no-untyped-def]
        line = {"id": item["listing"]["id"], "new_leads": item.get("new_leads", [])}
        self.file.write(json.dumps(line) + "\n")
        self.file.flush()  # in the kernel now: survives kill -9 of this process


args = json.loads(sys.argv[1])
settings = {"NETSWORD_EVIDENCE": args.get("evidence", True), "NETSWORD_ALERTS": args.get("alerts", False)}
if args.get("jobdir"):
    settings["JOBDIR"] = args["jobdir"]
settings.update(args.get("extra") or {})
if args.get("ack_file"):
    settings.update({"TEST_ACK_FILE": args["ack_file"], "EXTENSIONS": {"__main__.AckLog": 0}})
spider_args = {"profile": args["profile"], "keywords": args.get("keywords", []), "base_url": args["base_url"]}
result = run_spider(MarketplaceSpider, {**spider_args, "max_pages": args.get("max_pages", 0)}, settings)
stats = {**result.stats, "listing_ids": sorted(result.spider.seen), "crawl": result.run}  # type: ignore[attr-defined]
print("STATS " + json.dumps(stats, default=str))
