"""`netsword recheck [--platform P…] [--status S…] [--limit N]`: revisit open leads' listings and record what changed.

Runs the re-check spider (crawler/spiders/recheck.py) on the crawl machinery in this process (one crawl per process:
Twisted's reactor cannot restart): gone listings are marked taken down, online ones refreshed through the lead sink,
so alert rules hear of a changed price. Prints the run's figures; exit 1 when the run did not finish.
"""

from __future__ import annotations

import argparse
import sys

from netsword.cli import UsageError
from netsword.cli.revisit import add_revisit_options, revisit_kwargs, run_revisit
from netsword.models import LEAD_STATUSES, OPEN_STATUSES

FINISHED = ("finished", "closespider_timeout")  # closespider_timeout: --time-limit reached, the rest waits


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("recheck", help="revisit open leads' listings: record takedowns and price changes")
    add_revisit_options(p, limit=500, limit_help="listings per run, the longest unchecked first")
    p.add_argument("--status", action="append", metavar="S", choices=LEAD_STATUSES,
                   help=f"only leads with status S (repeatable; default: {', '.join(OPEN_STATUSES)})")  # fmt: skip
    p.add_argument("--include-taken-down", action="store_true", help="also revisit listings marked taken down")
    p.add_argument("--time-limit", type=float, default=0.0, metavar="S",
                   help="stop taking listings after S seconds; the rest wait for the next run")  # fmt: skip
    p.add_argument("--watchlist", action="append", metavar="W", help="watchlist file(s) the alert rules refer to")
    p.add_argument("--no-alerts", action="store_true", help="do not queue alert emails for the changes found")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.recheck_figures import RecheckFigures
    from crawler.spiders.recheck import RecheckSpider

    kwargs = revisit_kwargs(args)
    if args.time_limit < 0:
        raise UsageError("--time-limit: must be ≥ 0")
    kwargs.update(status=args.status or (), include_taken_down=args.include_taken_down)
    stats = run_revisit(RecheckSpider, kwargs, args, NETSWORD_WATCHLISTS=list(args.watchlist or []),
                        NETSWORD_ALERTS=not args.no_alerts, CLOSESPIDER_TIMEOUT=args.time_limit)  # fmt: skip
    figures = RecheckFigures.from_stats(stats)
    print(f"recheck: {figures.finish_reason or '?'}; {figures.summary()}")
    if figures.left:
        print(f"  {figures.left} listing(s) left for the next run")
    sys.stdout.flush()
    return 0 if figures.finish_reason in FINISHED else 1
