"""GBK pages against UTF-8 pages of the same site, in the same run: lead precision and recall, intact Chinese titles.

    python benchmarks/gbk_site.py [--size N] [--keywords N] [--max-pages N]

Starts the test GBK marketplace (tests/crawler/gbk_market.py: the demo catalogue's `demo-static` listings with their
ground truth, served as GBK under /gbk/ and as UTF-8 under /utf8/) and crawls it with `netsword crawl` and
tests/crawler/profiles/gbk-shop.yaml three times, each into its own var/: the UTF-8 copy, the GBK copy, and the GBK
copy read as UTF-8 whatever it declares (`encoding: utf-8` in a copy of the profile: what NetSword did before pages
were decoded as browsers do). For each it prints listings, leads, precision and recall of the leads against the
ground truth (demo.score.lead_level_scores, as `netsword demo` does), and the share of crawled listings with a Chinese
title whose title came out exactly as served.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "crawler"))

from gbk_market import PLATFORM, GbkMarket, crawl_cli, intact_titles, keywords_for, leads_of  # noqa: E402

from demo.score import lead_level_scores  # noqa: E402

PROFILE = REPO / "tests" / "crawler" / "profiles" / "gbk-shop.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2400, help="demo catalogue size (a quarter are served)")
    parser.add_argument("--keywords", type=int, default=10, help="watchlist marks to search for")
    parser.add_argument("--max-pages", type=int, default=5, help="result pages per keyword")
    args = parser.parse_args()

    market = GbkMarket(size=args.size)
    market.start()
    keywords = keywords_for(market, args.keywords)
    truth = market.ground_truth()
    print(
        f"GBK test marketplace on {market.base_url}: {len(market.listings)} listings; keywords: {', '.join(keywords)}"
    )
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="netsword-gbk-bench-") as tmp:
            forced = Path(tmp) / "gbk-shop-read-as-utf8.yaml"
            forced.write_text(PROFILE.read_text(encoding="utf-8") + "encoding: utf-8\n", encoding="utf-8")
            runs = [("UTF-8 pages", PROFILE, "utf8"), ("GBK pages", PROFILE, "gbk"),
                    ("GBK pages read as UTF-8 (before)", forced, "gbk")]  # fmt: skip
            for n, (label, profile, copy) in enumerate(runs):
                var = Path(tmp) / f"run{n}"
                started = time.monotonic()
                stats = crawl_cli(str(profile), f"{market.base_url}/{copy}/", keywords, var, max_pages=args.max_pages)
                seconds = time.monotonic() - started
                leads = leads_of(var)
                ids = [str(x["id"]) for x in stats["listings"]]
                scores = lead_level_scores(leads, truth, crawled={PLATFORM: ids})
                intact, chinese = intact_titles(market, stats["listings"])
                rows.append((label, len(ids), len(leads), scores, intact, chinese, stats, seconds))
    finally:
        market.stop()

    print(f"\n{'pages':34s} {'listings':>8s} {'leads':>6s} {'precision':>9s} {'recall':>7s} {'intact titles':>16s}")
    for label, listings, leads, scores, intact, chinese, stats, seconds in rows:
        share = intact / chinese if chinese else 0.0
        print(f"{label:34s} {listings:8d} {leads:6d} {scores.precision:9.3f} {scores.recall:7.3f} "
              f"{share:7.3f} ({intact}/{chinese})  [{stats.get('netsword/search_pages', 0)} search + "
              f"{stats.get('netsword/detail_pages', 0)} detail pages, {seconds:.1f} s]")  # fmt: skip
    utf8, gbk = rows[0], rows[1]
    same = (utf8[3].precision, utf8[3].recall, utf8[4] / max(utf8[5], 1)) == (
        gbk[3].precision, gbk[3].recall, gbk[4] / max(gbk[5], 1))  # fmt: skip
    print(f"\nGBK pages {'match' if same else 'DO NOT match'} the UTF-8 pages of the same run.")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
