"""`netsword rematch`: match the kept listings (every listing and parcel seen, `store.listings_retention_days`) again
against the watchlist as it is now, through the lead sink — after a watchlist change, the past gives its leads.

Settings: `store.url`, `matching.*`, `parcels.shippers_file` (parcels are matched as an import matches them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from leads.listings_rematch import BATCH, RematchReport, rematch
from leads.store.listings import ListingQuery
from netsword.cli.common import config_of
from netsword.config import Config
from netsword.models import Listing

if TYPE_CHECKING:
    from matchers import MatchIndex


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "rematch", help="match the kept listings again (after a watchlist change) and store the leads they give"
    )
    p.add_argument("--since", required=True, metavar="AGE|DATE",
                   help="listings last seen within this age (30d, 12h, 2w) or since this date (2026-11-01)")  # fmt: skip
    p.add_argument("--platform", action="append", default=[], metavar="NAME", help="only this platform (repeatable)")
    p.add_argument("--watchlist", action="append", metavar="FILE", help="watchlist file (default: matching.watchlists)")
    p.add_argument("--min-score", type=int, metavar="N", help="lead threshold 0–100 (default: matching.min_score)")
    p.add_argument("--no-alerts", action="store_true", help="store the leads but do not queue alert emails")
    p.add_argument("--batch", type=int, default=BATCH, metavar="N", help=f"listings per store write (default {BATCH})")
    p.set_defaults(func=run)


_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def since_of(text: str, now: datetime | None = None) -> str:
    """`30d` / `12h` / `2w` before now, or a date / ISO 8601 time, as the ISO 8601 UTC cut-off; ValueError if not."""
    text = text.strip()
    if len(text) >= 2 and text[-1] in _UNITS and text[:-1].isdigit():
        at = (now or datetime.now(UTC)) - timedelta(seconds=int(text[:-1]) * _UNITS[text[-1]])
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since: an age such as 30d, 12h or 2w, or a date such as 2026-11-01, got {text!r}") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run(args: argparse.Namespace) -> int:
    from alerts.lead_sink import AlertingSink
    from alerts.rules import RulesError
    from leads.store import StoreError, open_store_from_config
    from matchers.configured import build_index
    from netsword.cli import UsageError

    cfg = config_of(args)
    try:
        since = since_of(args.since)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    min_score = cfg.matching.min_score if args.min_score is None else args.min_score
    if not 0 <= min_score <= 100:
        raise UsageError(f"--min-score: must be 0–100, got {min_score}")
    if args.batch < 1:
        raise UsageError(f"--batch: must be ≥ 1, got {args.batch}")
    index = build_index(cfg, args.watchlist)
    index_for = _indexes(cfg, index)
    query = ListingQuery(since=since, platform=tuple(args.platform))

    shown = [0]

    def progress(report: RematchReport) -> None:
        if report.listings - shown[0] >= 50_000:  # a line per 50,000 listings, not per batch
            shown[0] = report.listings
            print(f"re-matched {report.listings} listings…", file=sys.stderr)

    try:
        with open_store_from_config(cfg) as store, AlertingSink(cfg, store, index.watchlist,
                                                                alerts=not args.no_alerts) as sink:  # fmt: skip
            report = rematch(sink, index_for, query, min_score=min_score, batch=args.batch, progress=progress)
    except RulesError as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        print(f"netsword rematch: {exc}", file=sys.stderr)
        return 1
    leads = report.leads
    print(f"netsword rematch: {report.listings} listings last seen since {since} re-matched, {report.matched} "
          f"matched; leads: {leads.created} new, {leads.updated} updated, {report.already} already stored, "
          f"{leads.failed} failed; {report.bad} unreadable listings")  # fmt: skip
    for error in [*report.errors[:5], *leads.errors[:5]]:
        print(f"netsword rematch: {error}", file=sys.stderr)
    return 1 if leads.failed else 0


def _indexes(cfg: Config, index: MatchIndex) -> Callable[[Listing], MatchIndex]:
    """listing → the index it is matched with: parcels with the authorised-shipper register applied, as an import
    matches them (compiled on the first parcel met), everything else with `index`."""
    parcel: list[MatchIndex] = []

    def index_for(listing: Listing) -> MatchIndex:
        if not listing.platform.startswith("parcel:") or not cfg.parcels.shippers_file:
            return index
        if not parcel:
            from netsword.cli.parcels_cmd import _parcel_index, _register
            from parcels.context import vault_of

            parcel.append(_parcel_index(cfg, index, _register(cfg, vault_of(cfg))))
        return parcel[0]

    return index_for
