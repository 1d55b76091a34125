"""`netsword crawl PROFILE [--keyword K…] [--max-pages N] [--jobdir DIR]`: crawl one platform into the lead store.

The same crawl as `scrapy crawl marketplace -a profile=PROFILE …` from the project directory: the options become
spider arguments and plain NETSWORD_* settings (crawler/defaults.py), and the NetSword add-on does the rest.
Keywords default to the profile's own, else the watchlists' search keywords. Runs in this process (one crawl per
process: Twisted's reactor cannot restart). Prints how the run ended, what it lost and why, and its NetSword stats.
PROFILE is a file, or a name looked up in `crawler.profiles_dir` first, then among the bundled profiles (as
`netsword profile check` does). Exit status (docs/crawling.md): 0 complete, 3 partial (something was given up or not
stored, or the daily request budget ran out: listed), 1 failed (nothing achieved, or the store cannot be used), 4
stopped before the end (run it again with the same --jobdir to resume), 5 blocked (the platform answered with
captcha, login or access-denied pages until the crawl stopped asking it; the operators are told), 2 bad input or
setup found before anything is fetched.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from netsword.cli import UsageError

STAT_PREFIXES = (
    "netsword/", "retry_after/", "retry/", "throttle/", "downloader/response_count", "item_dropped_count", "robotstxt/",
)  # fmt: skip


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("crawl", help="crawl one platform (a profile name or YAML file) into the lead store")
    p.add_argument("profile", help="a profile name (yours in crawler.profiles_dir, else a bundled one: see "
                   "`netsword profile list`) or a profile YAML file")  # fmt: skip
    p.add_argument("--keyword", action="append", metavar="K", help="search for K (repeatable; default: watchlists)")
    p.add_argument("--max-pages", type=int, default=0, metavar="N", help="result pages per keyword")
    p.add_argument("--jobdir", default="", metavar="DIR", help="keep crawl state in DIR so a stopped crawl resumes")
    p.add_argument("--base-url", default="", metavar="URL", help="point the profile at another address")
    p.add_argument("--watchlist", action="append", metavar="W", help="watchlist file(s) for keywords and matching")
    p.add_argument("--no-evidence", action="store_true", help="do not capture evidence for new leads")
    p.add_argument("--no-alerts", action="store_true", help="do not queue alert emails for the leads stored")
    p.add_argument("--stats-json", default="", metavar="FILE", help="keep the crawl's stats in FILE (JSON) as it goes")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as `scrapy crawl -s NAME=VALUE` (repeatable)")  # fmt: skip
    p.add_argument("--seen-listings", default="", metavar="FILE", help=argparse.SUPPRESS)  # for `netsword demo`
    p.add_argument("--distributed", action="store_true",
                   help="seed a distributed run on Redis and follow it to its end (docs/distributed.md)")  # fmt: skip
    p.add_argument("--workers", type=int, default=0, metavar="N",
                   help="with --distributed: start N workers and a writer on this machine first")  # fmt: skip
    p.add_argument("--redis-url", default="", metavar="URL", help="with --distributed: the Redis to use")
    p.set_defaults(func=run)


def crawl_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The plain settings `netsword crawl`'s options stand for; `scrapy crawl -s NAME=VALUE` sets the same ones."""
    settings: dict[str, Any] = {
        "NETSWORD_CONFIG_FILE": getattr(args, "config", None) or "",
        "NETSWORD_WATCHLISTS": list(args.watchlist or []),
        "NETSWORD_EVIDENCE": not args.no_evidence,
        "NETSWORD_ALERTS": not args.no_alerts,
        "NETSWORD_STATS_FILE": args.stats_json,
    }
    for item in getattr(args, "set", None) or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s {item}: must be NAME=VALUE")
        settings[name.strip()] = value
    if args.jobdir:
        settings["JOBDIR"] = args.jobdir
    if args.seen_listings:  # every listing matched, one JSON line each (a Scrapy feed): the demo's recall needs them
        settings["FEEDS"] = {args.seen_listings: {"format": "jsonlines", "fields": ["profile", "listing"]}}
    return settings


def run(args: argparse.Namespace) -> int:
    from alerts.rules import RulesError
    from crawler.errors import CrawlSetupError
    from crawler.ledger import COMPLETE, STOPPED, exit_code
    from crawler.profile_loader import ProfileError, load_profile
    from crawler.run import run_spider
    from crawler.spiders.marketplace import MarketplaceSpider
    from netsword.cli.common import config_of

    if args.distributed:
        from netsword.cli.distributed_crawl import run_distributed

        return run_distributed(args)
    if args.workers or args.redis_url:
        raise UsageError("--workers and --redis-url go with --distributed")
    try:  # the file the name stands for: crawler.profiles_dir first, then the bundled profiles
        profile = load_profile(args.profile, user_dir=config_of(args).crawler.profiles_dir)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    platform, source = profile.platform, profile.source
    if args.max_pages < 0:
        raise UsageError("--max-pages: must be ≥ 0")
    spider_args = {
        "profile": source,
        "keywords": list(args.keyword or []),
        "max_pages": args.max_pages,
        "base_url": args.base_url,
    }
    try:
        result = run_spider(MarketplaceSpider, spider_args, crawl_settings(args))
    except (CrawlSetupError, ProfileError, RulesError) as exc:
        raise UsageError(str(exc)) from None
    status = result.status or (COMPLETE if result.stats.get("finish_reason") == "finished" else STOPPED)
    print_result(platform, status, result.stats, result.run, jobdir=args.jobdir)
    return exit_code(status)


def print_result(platform: str, status: str, stats: dict[str, Any], run: dict[str, Any], *, jobdir: str = "") -> None:
    """How the run ended and why, what it lost (one line per loss, by keyword), then its stats."""
    how = f"crawl {platform}: {status} ({stats.get('finish_reason', '?')})"
    if run:
        how += f"; run {run.get('run_id')}, attempt {run.get('attempt')}"
        how += " (restarted after an unclean stop)" if run.get("restarted") else ""
        how += " (resumed)" if run.get("resumed") else ""
    print(how)
    totals = run.get("totals") or {}
    if totals:
        print("  " + ", ".join(f"{name.replace('_', ' ')} {totals[name]}" for name in sorted(totals)))
    for line in run.get("lost") or []:
        print(f"  lost: {line}")
    if status == "stopped":
        again = f"run the same command with --jobdir {jobdir} to resume" if jobdir else "no --jobdir: it cannot resume"
        print(f"  stopped before the end: {again}")
    for key in sorted(stats):
        if key.startswith(STAT_PREFIXES):
            print(f"  {key}: {stats[key]}")
    sys.stdout.flush()
