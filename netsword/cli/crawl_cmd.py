"""`netsword crawl PROFILE [--keyword K…] [--max-pages N] [--jobdir DIR]`: crawl one platform into the lead store.

Keywords default to the profile's own, else the watchlists' marks and variants. Runs in this process
(one crawl per process: Twisted's reactor cannot restart). Prints the crawl's NetSword stats at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from netsword.cli import UsageError
from netsword.cli.common import config_of, load_watchlist
from netsword.config import Config
from watchlists import Watchlist

STAT_PREFIXES = ("netsword/", "retry_after/", "downloader/response_count", "item_dropped_count", "robotstxt/")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("crawl", help="crawl one platform (a profile name or YAML file) into the lead store")
    p.add_argument("profile", help="a bundled profile name (see --list) or a profile YAML file")
    p.add_argument("--keyword", action="append", metavar="K", help="search for K (repeatable; default: watchlists)")
    p.add_argument("--max-pages", type=int, default=0, metavar="N", help="result pages per keyword")
    p.add_argument("--jobdir", default="", metavar="DIR", help="keep crawl state in DIR so a stopped crawl resumes")
    p.add_argument("--base-url", default="", metavar="URL", help="point the profile at another address")
    p.add_argument("--watchlist", action="append", metavar="W", help="watchlist file(s) for keywords and matching")
    p.add_argument("--no-evidence", action="store_true", help="do not capture evidence for new leads")
    p.add_argument("--no-alerts", action="store_true", help="do not queue alert emails for the leads stored")
    p.add_argument("--stats-json", default="", metavar="FILE", help=argparse.SUPPRESS)  # for `netsword demo`
    p.set_defaults(func=run)


def check_alert_rules(cfg: Config, watchlist: Watchlist) -> None:
    """Refuse a bad alert rules file before crawling (exit 2), not in the middle of the crawl."""
    from alerts.rules import RulesError, rules_for

    try:
        rules_for(cfg, watchlist)
    except RulesError as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from crawler.profile_loader import ProfileError, load_profile
    from crawler.run import CrawlSetupError, run_crawl
    from matchers.configured import build_index

    cfg = config_of(args)
    try:
        profile = load_profile(args.profile)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if args.max_pages < 0:
        raise UsageError("--max-pages: must be ≥ 0")
    watchlist = load_watchlist(args.watchlist, cfg)
    keywords = list(args.keyword or profile.keywords)
    if not keywords and profile.uses_keywords:
        keywords = watchlist.search_keywords()
    if not args.no_alerts:
        check_alert_rules(cfg, watchlist)
    try:
        stats = run_crawl(
            cfg,
            profile,
            keywords=keywords,
            max_pages=args.max_pages,
            base_url=args.base_url,
            jobdir=args.jobdir,
            evidence=not args.no_evidence,
            index=build_index(cfg, watchlist=watchlist),
            alerts=not args.no_alerts,
        )
    except CrawlSetupError as exc:
        raise UsageError(str(exc)) from None
    print_stats(profile.platform, stats)
    if args.stats_json:
        Path(args.stats_json).write_text(json.dumps(stats, default=str), encoding="utf-8")
    return 0 if stats.get("finish_reason") in ("finished", None) else 1


def print_stats(platform: str, stats: dict) -> None:
    print(f"crawl {platform}: {stats.get('finish_reason', '?')}")
    for key in sorted(stats):
        if key.startswith(STAT_PREFIXES):
            print(f"  {key}: {stats[key]}")
    sys.stdout.flush()
