"""`netsword leads copy|reindex|stats`: move leads (price and status histories included) and kept listings between
stores, rebuild the Elasticsearch/OpenSearch indices without losing writes made meanwhile, count leads.

Settings: `store.url` and the `store.es_*` keys (docs/configuration.md); `--from`/`--to` take store URLs.
"""

from __future__ import annotations

import argparse
import json
import sys
from itertools import islice
from urllib.parse import urlsplit, urlunsplit

from leads.store import LeadQuery, LeadStore, StoreError, open_store_from_config
from leads.store.listings import ListingQuery
from netsword.cli import leads_cmd
from netsword.cli.common import config_of
from netsword.cli.terminal import printable
from netsword.config import Config
from netsword.models import LEAD_KINDS, LEAD_STATUSES, Lead


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = leads_cmd.subcommands
    if sub is None:  # leads_cmd must come first in COMMAND_MODULES
        raise RuntimeError("netsword.cli.store_cmd needs netsword.cli.leads_cmd registered before it")
    copy = sub.add_parser("copy", help="copy leads from one store to another (SQLite ⇄ Elasticsearch)")
    copy.add_argument(
        "--from", dest="source", required=True, metavar="STORE", help="sqlite:///PATH or http(s)://HOST:9200"
    )
    copy.add_argument(
        "--to", dest="target", required=True, metavar="STORE", help="sqlite:///PATH or http(s)://HOST:9200"
    )
    copy.add_argument(
        "--status", action="append", choices=LEAD_STATUSES, default=[], help="only leads with this status"
    )
    copy.add_argument("--kind", action="append", choices=LEAD_KINDS, default=[])
    copy.add_argument("--batch", type=int, default=1000, help="leads (and kept listings) per write (default 1000)")
    copy.add_argument(
        "--listings", action=argparse.BooleanOptionalAction, default=None,
        help="also copy the kept listings (for netsword rematch); default: yes, unless --status or --kind is given",
    )  # fmt: skip
    copy.set_defaults(func=run_copy)
    reindex = sub.add_parser(
        "reindex", help="rebuild the Elasticsearch/OpenSearch indices (leads, kept listings) under the current "
        "mappings, then swap the aliases"
    )
    reindex.add_argument("--delete-old", action="store_true", help="delete the previous indices after the swaps")
    reindex.set_defaults(func=run_reindex)
    stats = sub.add_parser("stats", help="leads per day per platform, top entries, sellers and platforms; kept listings")
    stats.add_argument("--status", action="append", choices=LEAD_STATUSES, default=[])
    stats.add_argument("--kind", action="append", choices=LEAD_KINDS, default=[])
    stats.add_argument("--platform", action="append", default=[])
    stats.add_argument("--top", type=int, default=10)
    stats.add_argument("--json", action="store_true", help="print JSON instead of a table")
    stats.set_defaults(func=run_stats)


def shown(url: str) -> str:
    """A store URL fit to print: any password in it is hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _open(cfg: Config, url: str) -> LeadStore:
    from netsword.cli import UsageError

    if not url.startswith(("sqlite:///", "http://", "https://")):
        raise UsageError(f"store {url!r}: must start with sqlite:/// or http(s)://")
    try:
        return open_store_from_config(cfg, url)
    except StoreError as exc:
        raise UsageError(str(exc)) from exc


def run_copy(args: argparse.Namespace) -> int:
    from netsword.cli import UsageError

    if args.source == args.target:
        raise UsageError("--from and --to are the same store")
    if args.batch < 1:
        raise UsageError(f"--batch: must be ≥ 1, got {args.batch}")
    cfg = config_of(args)
    query = LeadQuery(status=tuple(args.status), kind=tuple(args.kind))
    copied = 0
    with _open(cfg, args.source) as source, _open(cfg, args.target) as target:
        batch: list[Lead] = []
        try:
            # put_raw keeps history, status and assignee as they are: a copy, not new sightings; each lead's status
            # log goes with it (replacing the target's); re-running is harmless
            for lead in source.iter_leads(query):
                batch.append(lead)
                if len(batch) >= args.batch:
                    copied += _copy_batch(source, target, batch)
                    batch = []
                    print(f"copied {copied} leads…", file=sys.stderr)
            if batch:
                copied += _copy_batch(source, target, batch)
        except StoreError as exc:
            print(f"netsword: copy stopped after {copied} leads: {exc}", file=sys.stderr)
            return 1
        print(f"copied {copied} leads from {shown(args.source)} to {shown(args.target)}", file=sys.stderr)
        if args.listings is False or (args.listings is None and (args.status or args.kind)):
            return 0
        kept = 0
        try:
            listings = source.iter_listings(ListingQuery())
            while chunk := list(islice(listings, args.batch)):
                kept += target.put_listings(chunk)
                if len(chunk) == args.batch:
                    print(f"copied {kept} kept listings…", file=sys.stderr)
        except StoreError as exc:
            print(f"netsword: copy stopped after {kept} kept listings: {exc}", file=sys.stderr)
            return 1
    print(f"copied {kept} kept listings from {shown(args.source)} to {shown(args.target)}", file=sys.stderr)
    return 0


def _copy_batch(source: LeadStore, target: LeadStore, batch: list[Lead]) -> int:
    """Write the leads with their status logs (price history is part of each lead)."""
    logs = source.status_logs(lead.lead_id for lead in batch)
    return target.put_raw(batch, status_logs={lead.lead_id: logs.get(lead.lead_id, []) for lead in batch})


def run_reindex(args: argparse.Namespace) -> int:
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from leads.store.elastic import ElasticLeadStore
    from netsword.cli import UsageError

    cfg = config_of(args)
    if not cfg.store_url.startswith(("http://", "https://")):
        raise UsageError("leads reindex needs an Elasticsearch store (store.url = http(s)://…); SQLite migrates itself")
    with _open(cfg, cfg.store_url) as store:
        assert isinstance(store, ElasticLeadStore)
        try:
            report = store.reindex(delete_old=args.delete_old)
        except (StoreError, ApiError, TransportError) as exc:
            print(f"netsword: reindex failed, the alias still points to the old index: {exc}", file=sys.stderr)
            return 1
    old = "deleted" if report.deleted_old else "kept"
    print(f"reindexed {report.documents} leads {report.old_index} → {report.new_index} (analysis: {report.analysis}); "
          f"alias {store.alias} now points to {report.new_index}; {report.old_index} {old}")  # fmt: skip
    moved = report.listings
    if moved is None:
        print("no kept listings index to reindex")
    else:
        print(f"reindexed {moved.documents} kept listings {moved.old_index} → {moved.new_index}; "
              f"{moved.old_index} {'deleted' if moved.deleted_old else 'kept'}")  # fmt: skip
    return 0


def run_stats(args: argparse.Namespace) -> int:
    query = LeadQuery(status=tuple(args.status), kind=tuple(args.kind), platform=tuple(args.platform))
    cfg = config_of(args)
    with _open(cfg, cfg.store_url) as store:
        stats = store.aggregate(query, top=args.top)
        kept = store.count_listings(ListingQuery(platform=tuple(args.platform)))
    if args.json:
        print(json.dumps({**stats.as_dict(), "kept_listings": kept}, ensure_ascii=False, indent=2))
        return 0
    print(f"{stats.total} leads; {kept} kept listings (for netsword rematch; retention "
          f"{cfg.store.listings_retention_days or 'none'} days)")  # fmt: skip
    print("\nper day (first seen) and platform:")
    for day in stats.per_day:
        print(f"  {day.day}  {printable(day.platform):12s} {day.count:7d}")
    for title, buckets in (("top entries", stats.top_entries), ("top sellers", stats.top_sellers),
                           ("top platforms", stats.top_platforms)):  # fmt: skip
        print(f"\n{title}:")
        for bucket in buckets:
            print(f"  {bucket.count:7d}  {printable(bucket.key)}")
    return 0
