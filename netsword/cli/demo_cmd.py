"""`netsword demo`: the whole pipeline on embedded defaults, ending with a summary."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from leads.listings_io import BadLine, read_listings
from leads.process import process
from leads.store import LeadQuery, open_store
from netsword.cli.common import build_index, config_of

SAMPLE_LISTINGS = Path(__file__).resolve().parents[2] / "demo" / "sample_listings.jsonl"
SCORE_BANDS = ((80, "high (80–100)"), (65, "medium (65–79)"), (0, "low (50–64)"))


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help="run the whole pipeline on the bundled demo data and print a summary")
    p.add_argument("--no-serve", action="store_true", help="exit after the summary instead of serving the triage UI")
    p.add_argument("--listings", default=str(SAMPLE_LISTINGS), metavar="FILE", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def band_of(score: int) -> str:
    return next(label for floor, label in SCORE_BANDS if score >= floor)


def run(args: argparse.Namespace) -> int:
    cfg = config_of(args)
    index = build_index(cfg)
    per_platform: Counter[str] = Counter()
    bad = 0
    with open_store(cfg.store_url) as store:
        totals: Counter[str] = Counter()
        for record in read_listings(args.listings):
            if isinstance(record, BadLine):
                bad += 1
                continue
            per_platform[record.platform] += 1
            result = process(record, index, store, min_score=cfg.matching.min_score)
            totals.update(result.report.as_dict())
        leads = list(store.iter_leads(LeadQuery()))
    print(f"NetSword demo — watchlist: {len(index.watchlist)} entries; store: {cfg.store_url}")
    print("listings per platform: " + ", ".join(f"{p} {n}" for p, n in sorted(per_platform.items())))
    print(f"leads: {len(leads)} in store (this run: {totals['created']} new, {totals['updated']} updated, "
          f"{totals['unchanged']} unchanged); bad listings skipped: {bad}")  # fmt: skip
    bands = Counter(band_of(lead.score) for lead in leads)
    for _, label in SCORE_BANDS:
        print(f"  {label:16s} {bands[label]}")
    print("top leads:")
    for lead in leads[:10]:
        print(f"  {lead.score:3d} {lead.entry_id:18s} {lead.platform:8s} {lead.title[:50]}")
    return 0
