"""Crawl throughput: NetSword's spider vs a bare Scrapy spider fetching the same pages, in the same run.

    python benchmarks/crawl.py [--styles static,api,browser] [--keywords N] [--renders N]

For each style the NetSword crawl (parse, match, store; no evidence) runs first in a child process and logs every
URL it fetched; a bare spider then downloads exactly those URLs (through Chromium for the browser style) and the
ratio of pages/s is printed. `--renders N` then renders one browser page N times through scrapy-playwright and
prints the resident memory of Python plus Chromium every N/10 renders, to show whether it stays flat.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHILD = r"""
import json, sys, time
import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
args = json.loads(sys.argv[1])
times, urls = [], []
def on_response(response, request, spider):
    times.append(time.monotonic()); urls.append(response.url)
def hook(crawler):
    crawler.signals.connect(on_response, signal=signals.response_received)
if args["mode"] == "netsword":
    from crawler.profile_loader import load_profile
    from crawler.run import crawl_settings
    from crawler.spiders.marketplace import MarketplaceSpider
    from netsword.config import load_config
    cfg = load_config(); profile = load_profile(args["profile"])
    settings = crawl_settings(cfg, profile, evidence=False, extra={"LOG_LEVEL": "WARNING", "AUTOTHROTTLE_ENABLED": False})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(MarketplaceSpider); hook(crawler)
    process.crawl(crawler, profile=profile, keywords=args["keywords"], max_pages=args["max_pages"], base_url=args["base_url"])
else:
    from crawler.browser_pages import browser_meta
    from crawler.profile_loader import load_profile
    profile = load_profile(args["profile"]).with_base_url(args["base_url"])
    class Bare(scrapy.Spider):
        name = "bare"
        async def start(self):
            for n, url in enumerate(args["urls"]):
                meta = {}
                if args["browser"]:
                    spec = profile.search if "/search" in url else profile.detail.page
                    meta = browser_meta(profile, spec, search="/search" in url)
                    if args.get("reuse_page"):
                        meta = {**meta, "playwright_context": "crawl"}
                yield scrapy.Request(url, meta=meta, dont_filter=True, callback=self.parse)
        def parse(self, response):
            return None
    settings = {"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS_PER_DOMAIN": args["concurrency"],
                "TELNETCONSOLE_ENABLED": False, "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7"}
    if args["browser"]:
        from netsword.browser import ensure_browser, launch_args
        h = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
        settings.update({"DOWNLOAD_HANDLERS": {"http": h, "https": h},
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": ensure_browser(), "args": launch_args()},
            "PLAYWRIGHT_ABORT_REQUEST": "crawler.browser_pages.abort_heavy_request",
            "PLAYWRIGHT_CONTEXTS": {"crawl": {}}})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Bare); hook(crawler)
    if args.get("memory_every"):
        import os, subprocess
        def rss_mb():
            # this process and all its descendants (Playwright's driver and Chromium), nobody else's
            rows = [r.split() for r in subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="],
                                                       capture_output=True, text=True).stdout.splitlines()]
            tree, total, grew = {os.getpid()}, 0, True
            while grew:
                grew = False
                for pid, ppid, _ in rows:
                    if int(ppid) in tree and int(pid) not in tree:
                        tree.add(int(pid)); grew = True
            return sum(int(rss) for pid, _, rss in rows if int(pid) in tree) // 1024
        def sample(response, request, spider):
            if len(times) % args["memory_every"] == 0:
                print(f"MEM {len(times)} {rss_mb()}", flush=True)
        crawler.signals.connect(sample, signal=signals.response_received)
    process.crawl(crawler)
process.start()
span = (times[-1] - times[0]) if len(times) > 1 else 0.0
print("RESULT " + json.dumps({"pages": len(times), "seconds": span, "urls": urls}))
"""

STYLES = {"static": "demo-static", "api": "demo-api", "browser": "demo-browser"}


def child(args: dict, var_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=var_dir, PYTHONPATH=str(REPO))
    proc = subprocess.run(  # noqa: S603 - our own benchmark child
        [sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True, env=env, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith("MEM "):
            renders, rss = line.split()[1:3]
            print(f"   renders {renders:>6s}  rss {rss:>5s} MB", flush=True)
    result = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if not result:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr[-2000:]}")
    return json.loads(result[-1][7:])


def rate(result: dict) -> float:
    return (result["pages"] - 1) / result["seconds"] if result["seconds"] else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", default="static,api,browser")
    parser.add_argument("--keywords", type=int, default=6)
    parser.add_argument("--max-pages", type=int, default=10)
    parser.add_argument("--renders", type=int, default=0, help="memory check: render a browser page N times")
    opts = parser.parse_args()

    from demo.server import DemoMarket

    # marks the demo marketplace sells, so searches return several pages
    keywords = ["NIKE", "耐克", "Gucci", "古驰", "劳力士", "茅台", "兰蔻", "LANCOME"][: opts.keywords]
    market = DemoMarket(port=0, rate_limit=0, fault_rate=0.0, slow_rate=0.0)
    base_url = market.start()
    print(f"demo marketplace {base_url}; keywords: {', '.join(keywords)}")
    try:
        with tempfile.TemporaryDirectory(prefix="netsword-bench-") as tmp:
            for style in [s.strip() for s in opts.styles.split(",") if s.strip()]:
                profile = STYLES[style]
                ours = child({"mode": "netsword", "profile": profile, "base_url": base_url, "keywords": keywords,
                              "max_pages": opts.max_pages}, tmp)  # fmt: skip
                bare = child({"mode": "bare", "profile": profile, "base_url": base_url, "urls": ours["urls"],
                              "browser": style == "browser", "concurrency": 8 if style != "browser" else 2}, tmp)  # fmt: skip
                a, b = rate(ours), rate(bare)
                print(f"{style:8s} netsword {a:7.1f} pages/s ({ours['pages']} pages)   bare scrapy {b:7.1f} pages/s   "
                      f"ratio {a / b if b else 0:.2f}")  # fmt: skip
            if opts.renders:
                url = f"{base_url}/browser/item/" + _some_browser_id(base_url)
                every = max(1, opts.renders // 10)
                print(f"memory over {opts.renders} renders of {url}:")
                started = time.monotonic()
                result = child({"mode": "bare", "profile": "demo-browser", "base_url": base_url,
                                "urls": [url] * opts.renders, "browser": True, "concurrency": 2,
                                "memory_every": every}, tmp)  # fmt: skip
                print(f"   {result['pages']} renders in {time.monotonic() - started:.1f} s ({rate(result):.1f}/s)")
    finally:
        market.stop()
    return 0


def _some_browser_id(base_url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{base_url}/ground_truth.json") as response:  # noqa: S310 - loopback
        truth = json.loads(response.read())
    return next(str(row["listing_id"]) for row in truth if row["platform"] == "demo-browser")


if __name__ == "__main__":
    sys.exit(main())
