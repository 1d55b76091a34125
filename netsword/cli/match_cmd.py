"""`netsword match`: listings JSONL in, leads JSONL out (sorted by score), no store involved."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from leads.listings_io import BadLine, read_listings
from leads.process import find_leads
from matchers.configured import build_index
from netsword.cli.common import config_of
from netsword.models import Lead


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("match", help="match listings (JSONL) against watchlists and write leads (JSONL)")
    p.add_argument("--watchlist", action="append", metavar="FILE", help="watchlist file (repeatable)")
    p.add_argument("--listings", required=True, metavar="FILE", help="listings, one JSON object per line")
    p.add_argument("--out", metavar="FILE", help="write leads here (default: standard output)")
    p.add_argument("--min-score", type=int, metavar="N", help="lead threshold 0–100 (default: matching.min_score)")
    p.add_argument("--strict", action="store_true", help="stop at the first bad line and write nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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
    for record in records:
        if isinstance(record, BadLine):
            print(str(record), file=sys.stderr)
            bad += 1
            if args.strict:
                return 2
            continue
        leads.extend(find_leads(record, index, min_score=min_score))
    leads.sort(key=lambda lead: (-lead.score, lead.lead_id))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            _write(leads, fh)
    else:
        _write(leads, sys.stdout)
    listings = len(records) - bad
    print(f"netsword match: {listings} listings, {bad} bad lines, {len(leads)} leads", file=sys.stderr)
    return 2 if bad else 0


def _write(leads: list[Lead], out: TextIO) -> None:
    for lead in leads:
        out.write(json.dumps(lead.to_dict(), ensure_ascii=False) + "\n")
