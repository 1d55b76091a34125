"""Distributed crawl throughput: 1, 2 and 4 workers on the demo marketplace against one `netsword crawl` process,
in the same run; pages per second, pages fetched twice, losses.

    python benchmarks/distributed.py [--workers 1,2,4] [--keywords N] [--max-pages N] [--profile demo-static]

The demo marketplace runs in this process (no rate limit, no faults). The baseline is `netsword crawl PROFILE` (no
evidence, no alerts) in a child; its window is Scrapy's elapsed time (spider open to close). For each worker count a
private redis-server, one `netsword writer` and N `netsword worker` children are started and, once every worker has
registered, the run is seeded (crawler.distributed.run, as `netsword crawl PROFILE --distributed` does): its window
is from the seeding to the run's end (every listing stored, looked at every 50 ms). Pages are the responses the workers report (robots.txt excluded); "fetched twice" is pages
minus the distinct requests in the run's duplicate filter; "lost" is the run's ledger's losses, and "stored" must
equal the baseline's. Each configuration starts from an empty store.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crawler.distributed.keys import Keys  # noqa: E402
from crawler.distributed.run import finish_run, follow, live_workers, start_run  # noqa: E402
from demo.server import DemoMarket  # noqa: E402
from netsword.cli.demo_cmd import demo_keywords  # noqa: E402
from netsword.config import load_config  # noqa: E402
from netsword.lifetime import PARENT_ENV  # noqa: E402
from netsword.redis_server import start_local_redis  # noqa: E402
from scheduler.child import netsword_command  # noqa: E402
from watchlists.configured import load_configured  # noqa: E402


def config(where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    path = where / "netsword.toml"
    path.write_text(f'[paths]\nvar_dir = "{where / "var"}"\n[distributed]\nworker_ttl = 5.0\n', encoding="utf-8")
    return path


def run(args: list[str], cfg: Path, log: Path) -> subprocess.Popen[bytes]:
    """A netsword child that dies with this process (netsword.lifetime)."""
    with open(log, "wb") as out:
        return subprocess.Popen(netsword_command(args, str(cfg)), cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, PARENT_ENV: str(os.getpid())})  # fmt: skip


def totals(text: str) -> dict[str, int]:
    line = next((ln for ln in text.splitlines() if " stored " in ln and "listings" in ln), "")
    return {name.strip().replace(" ", "_"): int(n) for n, name in
            ((m.group(2), m.group(1)) for m in re.finditer(r"([a-z][a-z ]*?) (\d+)(?:,|$)", line.strip()))}


def baseline(crawl_args: list[str], where: Path) -> dict[str, float]:
    cfg = config(where)
    stats_file = where / "stats.json"
    proc = run(["crawl", *crawl_args, "--stats-json", str(stats_file)], cfg, where / "crawl.log")
    proc.wait()
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    flat = stats.get("stats", stats)
    pages = int(flat.get("downloader/response_count", 0)) - int(flat.get("robotstxt/response_count", 0))
    seconds = float(flat.get("elapsed_time_seconds", 0.0))
    t = totals((where / "crawl.log").read_text(encoding="utf-8"))
    return {"pages": pages, "seconds": seconds, "stored": t.get("stored", -1), "exit": proc.returncode}


def distributed(profile: str, market: str, workers: int, where: Path, words: list[str],
                max_pages: int) -> dict[str, Any]:  # fmt: skip
    import redis

    cfg = config(where)
    with start_local_redis(where / "redis") as server:
        url = server.url
        writer = run(["writer", "--redis-url", url, "--no-alerts"], cfg, where / "writer.log")
        procs = [run(["worker", profile, "--name", f"w{n}", "--redis-url", url, "--base-url", market,
                      "--no-evidence"], cfg, where / f"w{n}.log") for n in range(workers)]  # fmt: skip
        client = redis.Redis.from_url(url)
        keys = Keys("netsword", profile)
        while len(live_workers(client, keys)) < workers:
            time.sleep(0.2)
        started = time.monotonic()
        info = start_run(client, keys, profile=profile, keywords=words, max_pages=max_pages)
        follow(client, keys, poll=0.05)
        seconds = time.monotonic() - started
        summary = finish_run(client, keys, info.run_id)
        distinct = int(client.scard(keys.seen)) + len(words)  # seeds are queued without the duplicate filter
        for proc in (*procs, writer):
            proc.terminate()
        for proc in (*procs, writer):
            proc.wait(60)
        client.close()
    pages = 0
    for n in range(workers):
        found = re.search(r"; (\d+) responses", (where / f"w{n}.log").read_text(encoding="utf-8"))
        pages += int(found.group(1)) - 1 if found else 0  # each worker fetched robots.txt once
    t = summary["totals"]
    lost = sum(t.get(k, 0) for k in ("pages_given_up", "failed", "details_given_up", "keywords_cut_short"))
    return {"pages": pages, "seconds": seconds, "stored": t.get("stored", -1), "twice": pages - distinct,
            "lost": lost, "status": summary["status"]}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--keywords", type=int, default=20, help="the demo's most used marks (as netsword demo)")
    parser.add_argument("--max-pages", type=int, default=5)
    parser.add_argument("--profile", default="demo-static")
    args = parser.parse_args()
    market = DemoMarket(port=0, rate_limit=None, fault_rate=0.0, slow_rate=0.0)
    url = market.start()
    truth = json.loads(urllib.request.urlopen(f"{url}/ground_truth.json", timeout=60).read())  # noqa: S310 - loopback
    words = demo_keywords(load_configured(None, load_config(None)), truth, args.keywords)
    crawl_args = [args.profile, "--base-url", url, "--max-pages", str(args.max_pages), "--no-evidence", "--no-alerts"]
    for word in words:
        crawl_args += ["--keyword", word]
    print(f"{args.profile}: {len(words)} keywords, up to {args.max_pages} result pages each; demo at {url}")
    try:
        with tempfile.TemporaryDirectory(prefix="nsbench-") as tmp:
            base = baseline(crawl_args, Path(tmp) / "single")
            rate = base["pages"] / base["seconds"] if base["seconds"] else 0.0
            print(f"one process:  {base['pages']:5d} pages in {base['seconds']:6.1f} s = {rate:6.1f} pages/s; "
                  f"stored {base['stored']} (exit {base['exit']})")  # fmt: skip
            for n in (int(x) for x in args.workers.split(",")):
                d = distributed(args.profile, url, n, Path(tmp) / f"w{n}", words, args.max_pages)
                drate = d["pages"] / d["seconds"] if d["seconds"] else 0.0
                print(f"{n} worker(s):  {d['pages']:5d} pages in {d['seconds']:6.1f} s = {drate:6.1f} pages/s "
                      f"({drate / rate if rate else 0:.2f}× one process); fetched twice {d['twice']}, lost {d['lost']}, "
                      f"stored {d['stored']} ({'=' if d['stored'] == base['stored'] else '≠'} one process); "
                      f"{d['status']}", flush=True)  # fmt: skip
    finally:
        market.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
