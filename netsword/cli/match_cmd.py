"""`netsword match`: listings JSONL in, leads JSONL out (sorted by score); with `--store` the leads are also stored
through the lead sink (as a crawl stores them: merged, counted, alert rules told) — an import of listings."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from leads.listings_io import BadLine, read_listings
from leads.process import find_leads
from netsword.cli.common import config_of
from netsword.cli.output import output
from netsword.config import Config
from netsword.models import Lead, Listing

if TYPE_CHECKING:
    from matchers import MatchIndex

STORE_BATCH = 500


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("match", help="match listings (JSONL) against watchlists and write leads (JSONL)")
    p.add_argument("--watchlist", action="append", metavar="FILE", help="watchlist file (repeatable)")
    p.add_argument("--listings", required=True, metavar="FILE", help="listings, one JSON object per line")
    p.add_argument("--out", metavar="FILE", help="write leads here (default and -: standard output)")
    p.add_argument("--min-score", type=int, metavar="N", help="lead threshold 0–100 (default: matching.min_score)")
    p.add_argument("--strict", action="store_true", help="stop at the first bad line and write nothing")
    p.add_argument("--store", action="store_true", help="also store the leads in the lead store (store.url)")
    p.add_argument("--no-alerts", action="store_true", help="with --store: do not queue alert emails")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from matchers.configured import build_index  # here, not at the top: `netsword --help` does not load the index
    from netsword.cli import UsageError

    cfg = config_of(args)
    min_score = cfg.matching.min_score if args.min_score is None else args.min_score
    if not 0 <= min_score <= 100:
        raise UsageError(f"--min-score: must be 0–100, got {min_score}")
    index = build_index(cfg, args.watchlist)
    leads: list[Lead] = []
    bad = 0
    try:
        records = list(read_listings(args.listings))
    except OSError as exc:
        raise UsageError(f"{args.listings}: cannot read: {exc.strerror or exc}") from None
    listings: list[Listing] = []
    for record in records:
        if isinstance(record, BadLine):
            print(str(record), file=sys.stderr)
            bad += 1
            if args.strict:
                return 2
            continue
        listings.append(record)
    if args.store:
        stored = _store(cfg, index, listings, min_score=min_score, alerts=not args.no_alerts)
        if stored is None:
            return 1
        leads = stored
    else:
        for listing in listings:
            leads.extend(find_leads(listing, index, min_score=min_score))
    leads.sort(key=lambda lead: (-lead.score, lead.lead_id))
    with output(args.out) as fh:
        _write(leads, fh)
    print(f"netsword match: {len(listings)} listings, {bad} bad lines, {len(leads)} leads", file=sys.stderr)
    return 2 if bad else 0


def _store(cfg: Config, index: MatchIndex, listings: list[Listing], *, min_score: int, alerts: bool,
           ) -> list[Lead] | None:  # fmt: skip
    """Store through the sink in batches; the leads as stored, or None (after saying why) when some were not."""
    from alerts.lead_sink import AlertingSink
    from alerts.rules import RulesError
    from leads.process import process_batch
    from leads.store import StoreError, UpsertReport, open_store_from_config
    from netsword.cli import UsageError

    leads: list[Lead] = []
    total = UpsertReport()
    not_kept: list[str] = []  # why a listing was not kept for `netsword rematch`, per listing not kept
    try:
        with open_store_from_config(cfg) as store, AlertingSink(cfg, store, index.watchlist, alerts=alerts) as sink:
            for start in range(0, len(listings), STORE_BATCH):
                for result in process_batch(listings[start : start + STORE_BATCH], index, sink, min_score=min_score):
                    leads.extend(result.leads)
                    total.merge(result.report)
                    if result.not_kept:
                        not_kept.append(result.not_kept)
    except RulesError as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        print(f"netsword match: {exc}", file=sys.stderr)
        return None
    counts = total.as_dict()
    print(f"netsword match: stored {counts['created']} new, {counts['updated']} updated, {counts['unchanged']} "
          f"unchanged, {counts['failed']} failed", file=sys.stderr)  # fmt: skip
    for error in total.errors[:5]:
        print(f"netsword match: {error}", file=sys.stderr)
    print(f"netsword match: kept {len(listings) - len(not_kept)} listings for rematch, {len(not_kept)} not kept"
          + (f" (first: {not_kept[0]})" if not_kept else ""), file=sys.stderr)  # fmt: skip
    return None if total.failed else leads


def _write(leads: list[Lead], out: TextIO) -> None:
    for lead in leads:
        out.write(json.dumps(lead.to_dict(), ensure_ascii=False) + "\n")
