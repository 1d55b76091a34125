"""What `netsword recheck` and `netsword evidence backfill` share: both revisit stored leads' listings with the
re-check spider's machinery (crawler/spiders/recheck.py, backfill.py), so their options, checks and run are one."""

from __future__ import annotations

import argparse
from typing import Any

from netsword.cli import UsageError
from netsword.cli.common import config_of


def add_revisit_options(p: argparse.ArgumentParser, *, limit: int, limit_help: str) -> None:
    """--platform, --limit, --profile, --base-url, --delay, --timeout, --max-bytes, --stats-file."""
    p.add_argument("--platform", action="append", metavar="P", help="only leads of platform P (repeatable)")
    p.add_argument("--limit", type=int, default=limit, metavar="N", help=limit_help)
    p.add_argument("--profile", action="append", metavar="FILE", help="a profile file besides the bundled ones")
    p.add_argument("--base-url", default="", metavar="URL", help="point the profiles at another address (a mirror)")
    p.add_argument("--delay", type=float, default=None, metavar="S",
                   help="at least S seconds between requests to one host (default: crawler.download_delay)")  # fmt: skip
    p.add_argument("--timeout", type=float, default=15.0, metavar="S", help="seconds per request")
    p.add_argument("--max-bytes", type=int, default=0, metavar="N",
                   help="larger pages are not read (default, and 0: crawler.max_page_bytes)")  # fmt: skip
    p.add_argument("--stats-file", default="", metavar="FILE", help="write the run's stats here as JSON as it goes")


def revisit_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The options checked, as the spider's arguments (`--max-bytes 0`: the configured cap)."""
    if args.limit < 1:
        raise UsageError("--limit: must be ≥ 1")
    if args.timeout <= 0:
        raise UsageError("--timeout: must be more than 0")
    if args.delay is not None and args.delay < 0:
        raise UsageError("--delay: must be ≥ 0")
    if args.max_bytes and args.max_bytes < 1024:
        raise UsageError("--max-bytes: must be ≥ 1024")
    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url: must start with http:// or https://, got {args.base_url!r}")
    return {
        "platform": args.platform or (),
        "limit": args.limit,
        "base_url": args.base_url,
        "profiles": args.profile or (),
        "delay": args.delay,
        "timeout": args.timeout,
        "max_bytes": args.max_bytes or config_of(args).crawler.max_page_bytes,
    }


def run_revisit(spidercls: Any, kwargs: dict[str, Any], args: argparse.Namespace, **settings: Any) -> dict[str, Any]:
    """Run the spider to the end on the crawl machinery; a set-up problem (profile, rules, browser) is a usage error."""
    from alerts.rules import RulesError
    from crawler.errors import CrawlSetupError
    from crawler.profile_loader import ProfileError
    from crawler.run import run_spider

    overrides = {"NETSWORD_CONFIG_FILE": getattr(args, "config", None) or "", "NETSWORD_STATS_FILE": args.stats_file,
                 **settings}  # fmt: skip
    try:
        return run_spider(spidercls, kwargs, overrides).stats
    except (CrawlSetupError, ProfileError, RulesError) as exc:  # found while setting up, before any fetch
        raise UsageError(str(exc)) from None
