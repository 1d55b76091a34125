"""`netsword leads list|show|export`: read the lead store."""

from __future__ import annotations

import argparse
import json
import sys

from leads.store import LeadQuery, open_store_from_config
from netsword.cli.common import config_of
from netsword.cli.output import output
from netsword.cli.terminal import printable
from netsword.csv_safe import SafeCsvWriter
from netsword.models import LEAD_KINDS, LEAD_STATUSES

CSV_FIELDS = ("lead_id", "score", "kind", "entry_id", "platform", "listing_id", "status", "title", "price", "seller",
              "matched", "first_seen", "last_seen", "times_seen", "url", "reasons")  # fmt: skip


#: the `netsword leads` subparsers, for command modules that add subcommands to it
subcommands: argparse._SubParsersAction | None = None


def _query_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--status", action="append", choices=LEAD_STATUSES, default=[])
    p.add_argument("--kind", action="append", choices=LEAD_KINDS, default=[])
    p.add_argument("--platform", action="append", default=[])
    p.add_argument("--entry", action="append", default=[], metavar="ENTRY_ID")
    p.add_argument("--min-score", type=int)
    p.add_argument("--search", default="", metavar="TEXT", help="full-text search in titles")
    p.add_argument("--sort", choices=("score", "last_seen", "first_seen"), default="score")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("leads", help="list, show and export stored leads")
    sub = p.add_subparsers(dest="leads_command", metavar="SUBCOMMAND", required=True)
    global subcommands
    subcommands = sub  # netsword.cli.store_cmd (registered after this module) adds copy, reindex and stats here
    lst = sub.add_parser("list", help="one line per lead, best first")
    _query_args(lst)
    lst.add_argument("--limit", type=int, default=50)
    lst.set_defaults(func=run_list)
    show = sub.add_parser("show", help="one lead in full, as JSON")
    show.add_argument("lead_id")
    show.set_defaults(func=run_show)
    export = sub.add_parser("export", help="every matching lead as JSONL or CSV")
    _query_args(export)
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--out", metavar="FILE", help="default and -: standard output")
    export.set_defaults(func=run_export)


def _query(args: argparse.Namespace, limit: int = 50) -> LeadQuery:
    return LeadQuery(
        status=tuple(args.status),
        kind=tuple(args.kind),
        platform=tuple(args.platform),
        entry_id=tuple(args.entry),
        min_score=args.min_score,
        text=args.search,
        sort=args.sort,
        limit=limit,
    )


def run_list(args: argparse.Namespace) -> int:
    with open_store_from_config(config_of(args)) as store:
        query = _query(args, limit=args.limit)
        total = store.count(query)
        for lead in store.search(query):
            title = printable(lead.title)[:60]
            print(f"{lead.score:3d}  {lead.status:9s} {lead.kind:22s} {lead.entry_id:20s} {lead.platform:10s} "
                  f"{lead.lead_id}  {title}")  # fmt: skip
        print(f"{min(total, args.limit)} of {total} leads", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    from netsword.cli import UsageError

    with open_store_from_config(config_of(args)) as store:
        lead = store.get(args.lead_id)
        if lead is None:
            raise UsageError(f"no lead {args.lead_id!r}")
        print(json.dumps(lead.to_dict(), ensure_ascii=False, indent=2))
    return 0


def run_export(args: argparse.Namespace) -> int:
    import getpass
    import hashlib

    from evidence.custody import record_export
    from evidence.store import EvidenceStore

    count, ids = 0, hashlib.sha256()
    cfg = config_of(args)
    with output(args.out, newline="") as out, open_store_from_config(cfg) as store:
        writer = SafeCsvWriter(out) if args.format == "csv" else None  # scraped text never runs as a formula
        if writer:
            writer.writerow(CSV_FIELDS)
        for lead in store.iter_leads(_query(args)):
            count += 1
            ids.update(lead.lead_id.encode() + b"\n")
            if writer:
                row = {**lead.to_dict(), "title": lead.title, "price": lead.price, "seller": lead.seller_name,
                       "reasons": "; ".join(f"{r.code}: {r.detail}" for r in lead.reasons)}  # fmt: skip
                writer.writerow([row.get(f, "") for f in CSV_FIELDS])
            else:
                out.write(json.dumps(lead.to_dict(), ensure_ascii=False) + "\n")
    evidence = EvidenceStore.for_config(cfg, create_key=False)
    try:  # the chain of custody says what left, when and by whom (the leads, not their evidence files)
        record_export(evidence, "leads", {"what": "leads export", "format": args.format, "leads": count,
                                          "lead_ids_sha256": ids.hexdigest(), "out": args.out or "-"},
                      actor=getpass.getuser())  # fmt: skip
    finally:
        evidence.close()
    print(f"exported {count} leads", file=sys.stderr)
    return 0
