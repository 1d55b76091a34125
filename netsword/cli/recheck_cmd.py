"""`netsword recheck [--platform P…] [--status S…] [--limit N]`: revisit open leads' listings and record what changed.

Runs the re-check spider (crawler/spiders/recheck.py) on the crawl machinery in this process (one crawl per process:
Twisted's reactor cannot restart): gone listings are marked taken down, online ones refreshed through the lead sink,
so alert rules hear of a changed price. Prints the run's figures; exit 1 when the run did not finish.
"""

from __future__ import annotations

import argparse
import sys

from netsword.cli import UsageError
from netsword.models import LEAD_STATUSES, OPEN_STATUSES

FINISHED = ("finished", "closespider_timeout")  # closespider_timeout: --time-limit reached, the rest waits


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("recheck", help="revisit open leads' listings: record takedowns and price changes")
    p.add_argument("--platform", action="append", metavar="P", help="only leads of platform P (repeatable)")
    p.add_argument("--status", action="append", metavar="S", choices=LEAD_STATUSES,
                   help=f"only leads with status S (repeatable; default: {', '.join(OPEN_STATUSES)})")  # fmt: skip
    p.add_argument("--limit", type=int, default=500, metavar="N", help="listings per run, the longest unchecked first")
    p.add_argument("--include-taken-down", action="store_true", help="also revisit listings marked taken down")
    p.add_argument("--profile", action="append", metavar="FILE", help="a profile file besides the bundled ones")
    p.add_argument("--base-url", default="", metavar="URL", help="point the profiles at another address (a mirror)")
    p.add_argument("--delay", type=float, default=None, metavar="S",
                   help="at least S seconds between requests to one host (default: crawler.download_delay)")  # fmt: skip
    p.add_argument("--timeout", type=float, default=15.0, metavar="S", help="seconds per request")
    p.add_argument("--max-bytes", type=int, default=0, metavar="N",
                   help="larger pages are not read (default, and 0: crawler.max_page_bytes)")  # fmt: skip
    p.add_argument("--time-limit", type=float, default=0.0, metavar="S",
                   help="stop taking listings after S seconds; the rest wait for the next run")  # fmt: skip
    p.add_argument("--watchlist", action="append", metavar="W", help="watchlist file(s) the alert rules refer to")
    p.add_argument("--no-alerts", action="store_true", help="do not queue alert emails for the changes found")
    p.add_argument("--stats-file", default="", metavar="FILE", help="write the run's stats here as JSON as it goes")
    p.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    if args.limit < 1:
        raise UsageError("--limit: must be ≥ 1")
    if args.timeout <= 0:
        raise UsageError("--timeout: must be more than 0")
    if args.delay is not None and args.delay < 0:
        raise UsageError("--delay: must be ≥ 0")
    if args.max_bytes and args.max_bytes < 1024:
        raise UsageError("--max-bytes: must be ≥ 1024")
    if args.time_limit < 0:
        raise UsageError("--time-limit: must be ≥ 0")
    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url: must start with http:// or https://, got {args.base_url!r}")


def run(args: argparse.Namespace) -> int:
    from alerts.rules import RulesError
    from crawler.errors import CrawlSetupError
    from crawler.profile_loader import ProfileError
    from crawler.recheck_figures import RecheckFigures
    from crawler.run import run_spider
    from crawler.spiders.recheck import RecheckSpider
    from netsword.config import load_config

    _check(args)
    max_bytes = args.max_bytes or load_config(getattr(args, "config", None)).crawler.max_page_bytes
    settings = {
        "NETSWORD_CONFIG_FILE": getattr(args, "config", None) or "",
        "NETSWORD_WATCHLISTS": list(args.watchlist or []),
        "NETSWORD_ALERTS": not args.no_alerts,
        "NETSWORD_STATS_FILE": args.stats_file,
        "CLOSESPIDER_TIMEOUT": args.time_limit,
    }
    kwargs = {
        "platform": args.platform or (),
        "status": args.status or (),
        "limit": args.limit,
        "include_taken_down": args.include_taken_down,
        "base_url": args.base_url,
        "profiles": args.profile or (),
        "delay": args.delay,
        "timeout": args.timeout,
        "max_bytes": max_bytes,
    }
    try:
        stats = run_spider(RecheckSpider, kwargs, settings).stats
    except (CrawlSetupError, ProfileError, RulesError) as exc:  # found while setting up, before any fetch
        raise UsageError(str(exc)) from None
    figures = RecheckFigures.from_stats(stats)
    print(f"recheck: {figures.finish_reason or '?'}; {figures.summary()}")
    if figures.left:
        print(f"  {figures.left} listing(s) left for the next run")
    sys.stdout.flush()
    return 0 if figures.finish_reason in FINISHED else 1
