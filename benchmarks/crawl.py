"""Crawl throughput: NetSword's spider vs a bare Scrapy spider fetching the same pages, in the same run; browser memory.

    python benchmarks/crawl.py [--styles static,api,browser] [--size N] [--keywords N] [--browser-keywords N]
                               [--max-pages N] [--browser-max-pages N] [--lead-thread] [--repeat N]
                               [--renders N] [--renders-minutes M]

The demo marketplace is built with `--size` listings (64,000: the goods words then find thousands of listings, so a
static or API run fetches some 6,650 pages and lasts 13–25 s on 2 cores; the demo's own 2,400 give windows under a
second). For each style the NetSword crawl (parse, match, store; no evidence; matching and storing in its lead
process, crawler.lead_process) runs in a child process and logs every URL it fetched; a bare spider then downloads
exactly those URLs (through Chromium, a new page per URL as scrapy-playwright does by default, for the browser style)
and the ratio of pages/s is printed, with the CPU seconds each side used during its crawl window (the crawl
process's own, with the seconds Python's garbage collector ran in it, then its child processes': the lead process,
and Chromium for the browser style), so figures taken on a loaded machine can be read. A window under 10 s is
flagged. `--lead-thread` has NetSword match and store in a thread of the crawl process instead
(NETSWORD_LEAD_PROCESS off), as it did before the lead process. `--repeat N`
(5) runs each pair N times, the bare spider first in every other pair (fetching the URLs of the first NetSword run:
the same crawl fetches the same pages), and prints the median ratio and the median CPU seconds. `--renders N` then renders
browser item pages N times through NetSword's page pool and prints the proportional set size (PSS, shared pages
counted once) of the Python process and of Chromium's processes at intervals, to show whether memory stays flat;
`--renders-minutes` stops it early and says how many were done.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHILD = r"""
import gc, json, os, sys, time
import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
with open(sys.argv[1], encoding="utf-8") as f:
    args = json.load(f)
times, cpu, urls, tree_cpu = [], [], [], []
collecting = [0.0, 0.0, False]  # seconds Python's collector ran from the first response on; its run's start; closed

def on_gc(phase, info):
    if not times or collecting[2]:
        return
    if phase == "start":
        collecting[1] = time.perf_counter()
    elif collecting[1]:
        collecting[0] += time.perf_counter() - collecting[1]

gc.callbacks.append(on_gc)

def tree():
    # this process's descendants (the lead process; Playwright's driver and Chromium), nobody else's: read from each
    # one's /proc/PID/task/TID/children, not by scanning every process of a busy machine (inside the timed window)
    found, todo = [], [os.getpid()]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except (OSError, ValueError):
                continue
            found.extend(kids); todo.extend(kids)
    return sorted(set(found))

def children_cpu():
    total = 0
    for pid in tree():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")

def pss_mb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0

def on_response(response, request, spider):
    times.append(time.monotonic()); cpu.append(time.process_time()); urls.append(response.url)
    if len(times) == 1:
        tree_cpu.append(children_cpu())
    every = args.get("memory_every")
    if every and len(times) % every == 0:
        kids = tree()
        print(f"MEM {len(times)} {time.monotonic() - times[0]:.0f} {pss_mb(os.getpid()):.0f} "
              f"{sum(pss_mb(p) for p in kids):.0f} {len(kids)}", flush=True)

def on_idle(spider):
    # the last moment the lead process (gone by spider_closed) is sure to be there, its last batch stored
    if tree_cpu:
        tree_cpu.append(children_cpu())

def on_closed(spider):
    collecting[2] = True
    if tree_cpu:
        tree_cpu.append(children_cpu())

def hook(crawler):
    crawler.signals.connect(on_response, signal=signals.response_received)
    crawler.signals.connect(on_idle, signal=signals.spider_idle)
    crawler.signals.connect(on_closed, signal=signals.spider_closed)

from crawler.profile_loader import load_profile
profile = load_profile(args["profile"]).with_base_url(args["base_url"])
if args["mode"] == "netsword":
    from crawler.run import project_settings
    from crawler.spiders.marketplace import MarketplaceSpider
    # the same settings as `netsword crawl --no-evidence --no-alerts` (the add-on does the rest)
    settings = project_settings({"NETSWORD_EVIDENCE": False, "NETSWORD_ALERTS": False, "LOG_LEVEL": "WARNING",
                                 "AUTOTHROTTLE_ENABLED": False, **args.get("extra", {})})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(MarketplaceSpider); hook(crawler)
    process.crawl(crawler, profile=args["profile"], base_url=args["base_url"], keywords=args["keywords"],
                  max_pages=args["max_pages"])
else:
    from crawler.browser_pages import browser_meta
    class Bare(scrapy.Spider):
        name = "bare"
        async def start(self):
            for url in args["urls"]:
                meta = {}
                if args["browser"]:
                    search = "/search" in url
                    meta = browser_meta(profile, profile.search if search else profile.detail.page, search=search)
                    if not args.get("page_pool"):
                        meta.pop("netsword_page_pool")  # scrapy-playwright's default: a new page per URL
                yield scrapy.Request(url, meta=meta, dont_filter=True, callback=self.parse)
        def parse(self, response):
            return None
    settings = {"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS_PER_DOMAIN": args["concurrency"],
                "TELNETCONSOLE_ENABLED": False, "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
                "CLOSESPIDER_TIMEOUT": args.get("timeout", 0)}
    if args["browser"]:
        from netsword.browser import ensure_browser, launch_args
        # the page pool runs through NetSword's handler (one browser); the baseline through scrapy-playwright's own
        h = ("crawler.browser_handler.SharedPlaywrightHandler" if args.get("page_pool")
             else "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler")
        settings.update({"DOWNLOAD_HANDLERS": {"http": h, "https": h},
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": ensure_browser(), "args": launch_args()},
            "PLAYWRIGHT_ABORT_REQUEST": "crawler.browser_pages.abort_heavy_request",
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 16,
            "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.page_pool.PagePoolMiddleware": 950}})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Bare); hook(crawler)
    process.crawl(crawler)
process.start()
n = len(times)
result = {"pages": n, "seconds": times[-1] - times[0] if n > 1 else 0.0, "urls": urls,
          "cpu": cpu[-1] - cpu[0] if n > 1 else 0.0,
          "children_cpu": max(tree_cpu[1:]) - tree_cpu[0] if len(tree_cpu) > 1 else 0.0, "gc": collecting[0],
          "stats": {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, float))}}
print("RESULT " + json.dumps(result))
"""

STYLES = {"static": "demo-static", "api": "demo-api", "browser": "demo-browser"}
# Goods words first (each finds dozens to a hundred listings, so a run fetches hundreds of pages), then marks.
KEYWORDS = [
    "包",
    "正品",
    "新款",
    "鞋",
    "手机",
    "手表",
    "NIKE",
    "耐克",
    "Gucci",
    "古驰",
    "劳力士",
    "茅台",
    "兰蔻",
    "LANCOME",
]
BROWSER_KEYWORDS = ["手机", "NIKE", "白酒", "手表", "鞋", "新款", "正品", "包"]


def child(args: dict, var_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=var_dir, PYTHONPATH=str(REPO))
    arguments = Path(var_dir) / "child-args.json"  # ten thousand URLs do not fit on a command line
    arguments.write_text(json.dumps(args), encoding="utf-8")
    proc = subprocess.Popen(  # noqa: S603 - our own benchmark child
        [sys.executable, "-c", CHILD, str(arguments)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env,
    )  # fmt: skip
    result = None
    assert proc.stdout is not None and proc.stderr is not None
    for line in proc.stdout:
        if line.startswith("MEM "):
            renders, seconds, python, chromium, processes = line.split()[1:6]
            print(f"   renders {renders:>6s}  {seconds:>5s} s   PSS python {python:>5s} MB   chromium {chromium:>5s} MB"
                  f" ({processes} processes)", flush=True)  # fmt: skip
        elif line.startswith("RESULT "):
            result = json.loads(line[7:])
    stderr = proc.stderr.read()
    proc.wait()
    if result is None:
        raise SystemExit(f"benchmark child failed:\n{stderr[-2000:]}")
    return result


def rate(result: dict) -> float:
    return (result["pages"] - 1) / result["seconds"] if result["seconds"] else 0.0


def cpu_text(result: dict, children: str) -> str:
    text = f"cpu {result['cpu']:5.1f} s (gc {result.get('gc', 0.0):3.1f} s)"
    return text + (f" + {children} {result['children_cpu']:5.1f} s" if result.get("children_cpu", 0) >= 0.05 else "")


def compare(
    style: str, keywords: list[str], opts: argparse.Namespace, base_url: str, tmp: str, urls: list[str] | None = None
) -> tuple[float, dict]:
    """One pair of runs. With `urls` (what an earlier NetSword run of the same crawl fetched) the bare spider goes
    first: alternating the order keeps a machine that speeds up or slows down over minutes from favouring one side."""
    profile = STYLES[style]
    browser = style == "browser"
    max_pages = opts.browser_max_pages if browser else opts.max_pages
    extra = {"NETSWORD_LEAD_PROCESS": False} if opts.lead_thread else {}

    def run_ours() -> dict:
        return child({"mode": "netsword", "profile": profile, "base_url": base_url, "keywords": keywords,
                      "max_pages": max_pages, "browser": browser, "extra": extra}, tmp)  # fmt: skip

    def run_bare(fetched: list[str]) -> dict:
        return child({"mode": "bare", "profile": profile, "base_url": base_url, "urls": fetched, "browser": browser,
                      "concurrency": 2 if browser else 8}, tmp)  # fmt: skip

    if urls is None:
        ours = run_ours()
        bare = run_bare(ours["urls"])
    else:
        bare = run_bare(urls)
        ours = run_ours()
    a, b = rate(ours), rate(bare)
    unit = "renders/s" if browser else "pages/s"
    ours_children = "lead process + chromium" if browser else "lead process"
    short = " (window under 10 s!)" if min(ours["seconds"], bare["seconds"]) < 10 else ""
    print(f"{style:8s} netsword {a:6.1f} {unit} ({ours['pages']} pages in {ours['seconds']:5.1f} s, "
          f"{cpu_text(ours, ours_children)})   bare {b:6.1f} {unit} ({bare['seconds']:5.1f} s, "
          f"{cpu_text(bare, 'chromium')})   ratio {a / b if b else 0:.2f}{short}; load {os.getloadavg()[0]:.1f}",
          flush=True)  # fmt: skip
    figures = {"seconds": min(ours["seconds"], bare["seconds"]), "ours_cpu": ours["cpu"], "ours_gc": ours["gc"],
               "bare_gc": bare["gc"],
               "ours_children_cpu": ours.get("children_cpu", 0.0), "bare_cpu": bare["cpu"],
               "urls": ours["urls"]}  # fmt: skip
    return (a / b if b else 0.0), figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", default="static,api,browser")
    parser.add_argument("--keywords", type=int, default=10, help="static and api: the first N of KEYWORDS")
    parser.add_argument("--browser-keywords", type=int, default=2, help="browser: the first N of BROWSER_KEYWORDS")
    parser.add_argument("--size", type=int, default=64000, help="listings in the demo catalogue")
    parser.add_argument("--max-pages", type=int, default=300, help="static and api: result pages per keyword at most")
    parser.add_argument("--browser-max-pages", type=int, default=10, help="browser: result pages per keyword at most")
    parser.add_argument(
        "--lead-thread",
        action="store_true",
        help="NetSword stores in a thread of the crawl (NETSWORD_LEAD_PROCESS off), as before",
    )
    parser.add_argument("--repeat", type=int, default=5, help="run each comparison N times; print the median ratio")
    parser.add_argument("--renders", type=int, default=0, help="memory check: render browser item pages N times")
    parser.add_argument("--renders-minutes", type=float, default=0, help="stop the memory check after M minutes")
    parser.add_argument("--memory-every", type=int, default=0, help="print memory every N renders (renders/50)")
    opts = parser.parse_args()

    from demo.server import DemoMarket

    market = DemoMarket(port=0, size=opts.size, rate_limit=0, fault_rate=0.0, slow_rate=0.0)
    base_url = market.start()
    print(f"demo marketplace {base_url} ({opts.size} listings); {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")
    try:
        with tempfile.TemporaryDirectory(prefix="netsword-bench-") as tmp:
            for style in [s.strip() for s in opts.styles.split(",") if s.strip()]:
                words = BROWSER_KEYWORDS[: opts.browser_keywords] if style == "browser" else KEYWORDS[: opts.keywords]
                print(f"{style}: keywords {', '.join(words)}")
                runs = [compare(style, words, opts, base_url, tmp)]
                for n in range(1, max(1, opts.repeat)):  # then bare first and NetSword first by turns
                    runs.append(compare(style, words, opts, base_url, tmp, runs[0][1]["urls"] if n % 2 else None))
                ratios = [ratio for ratio, _ in runs]

                def median(name: str, runs: list = runs) -> float:
                    return statistics.median(figures[name] for _, figures in runs)

                print(f"{style:8s} median ratio {statistics.median(ratios):.2f} over {len(ratios)} runs"
                      f" ({', '.join(f'{r:.2f}' for r in ratios)}); shortest window {min(f['seconds'] for _, f in runs):.1f} s;"
                      f" median cpu: netsword {median('ours_cpu'):.1f} s + its children {median('ours_children_cpu'):.1f} s,"
                      f" bare {median('bare_cpu'):.1f} s; median gc: netsword {median('ours_gc'):.2f} s,"
                      f" bare {median('bare_gc'):.2f} s", flush=True)  # fmt: skip
            if opts.renders:
                memory_check(opts, base_url, tmp)
    finally:
        market.stop()
    return 0


def memory_check(opts: argparse.Namespace, base_url: str, tmp: str) -> None:
    ids = _browser_ids(base_url)
    urls = [f"{base_url}/browser/item/{ids[n % len(ids)]}" for n in range(opts.renders)]
    every = opts.memory_every or max(1, opts.renders // 50)
    print(f"memory over {opts.renders} renders of {len(ids)} different browser item pages (page pool, 2 at a time):")
    started = time.monotonic()
    result = child({"mode": "bare", "profile": "demo-browser", "base_url": base_url, "urls": urls, "browser": True,
                    "concurrency": 2, "page_pool": True, "memory_every": every,
                    "timeout": int(opts.renders_minutes * 60)}, tmp)  # fmt: skip
    stats = result["stats"]
    print(f"   {result['pages']} renders in {time.monotonic() - started:.1f} s ({rate(result):.1f}/s, {cpu_text(result, 'chromium')});"
          f" pages opened {stats.get('netsword/browser_pages_opened', 0)}, closed"
          f" {stats.get('netsword/browser_pages_closed', 0)}")  # fmt: skip


def _browser_ids(base_url: str) -> list[str]:
    import urllib.request

    with urllib.request.urlopen(f"{base_url}/ground_truth.json") as response:  # noqa: S310 - loopback
        truth = json.loads(response.read())
    return sorted({str(row["listing_id"]) for row in truth if row["platform"] == "demo-browser"})


if __name__ == "__main__":
    sys.exit(main())
