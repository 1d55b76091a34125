"""`netsword evidence verify | backfill | seal | capture URL`: check evidence against leads, fill its gaps, adopt an
older store's manifests, capture a page now.

verify exits 1 on any problem (one line each, then a summary): a lead with no capture and no final reason, a
manifest changed, missing or not in the ledger, a file altered, missing or named by no manifest, a capture of a
listing no lead has. backfill exits 1 when a listing it tried is still without evidence (a reason worth retrying).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from evidence.coverage import check_coverage
from evidence.ledger import LedgerAnchor
from evidence.store import EvidenceStore
from evidence.verify import verify_store
from leads.store import LeadQuery, open_store_from_config
from netsword.cli import UsageError
from netsword.cli.common import config_of
from netsword.cli.revisit import add_revisit_options, revisit_kwargs, run_revisit
from netsword.cli.terminal import printable

FINISHED = ("finished",)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("evidence", help="verify, backfill or capture evidence (raw page, screenshot, hashes)")
    sub = p.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    v = sub.add_parser("verify", help="check every lead has evidence (or a reason), every manifest and file; exit 1 "
                       "on any problem")  # fmt: skip
    v.add_argument("--anchor", default="", metavar="TEXT", help="also check the ledger against an anchor taken "
                   "earlier with `netsword evidence anchor`")  # fmt: skip
    v.set_defaults(func=verify)
    a = sub.add_parser("anchor", help="print the evidence ledger's anchor (counts and digest) to keep off this machine")
    a.set_defaults(func=anchor)
    b = sub.add_parser("backfill", help="capture the listings whose leads have no evidence yet")
    add_revisit_options(b, limit=200, limit_help="listings per run, highest score first")
    b.set_defaults(func=backfill)
    s = sub.add_parser("seal", help="record in the ledger the manifests written before it (after checking them)")
    s.set_defaults(func=seal)
    c = sub.add_parser("capture", help="capture a page now: raw response, full-page screenshot, hashes")
    c.add_argument("url", help="the page to capture (http or https)")
    c.add_argument("--platform", default="", help="platform name for the manifest (default: the URL's host)")
    c.add_argument("--listing-id", default="", help="listing id for the manifest (default: the URL)")
    c.add_argument("--profile", default="manual", help="profile name for the manifest")
    c.set_defaults(func=capture)


def verify(args: argparse.Namespace) -> int:
    cfg = config_of(args)
    store = EvidenceStore.for_config(cfg, create_key=False)
    try:
        report = verify_store(store, need_key=True)
        if args.anchor:
            try:
                report.problems.extend(store.ledger.anchor_problems(LedgerAnchor.parse(args.anchor)))
            except ValueError as exc:
                raise UsageError(f"--anchor: {exc}") from None
    finally:
        store.close()
    with open_store_from_config(cfg) as leads:
        coverage = check_coverage(leads.iter_leads(LeadQuery()), report.valid, report.reasons, report.origins)
    problems = [*report.problems, *(gap.line() for gap in coverage.gaps)]
    problems += [f"captures/{c.capture_id}.json: a capture of {c.platform} {c.listing_id}, which no lead has"
                 for c in coverage.unknown]  # fmt: skip
    for line in problems:
        print(printable(line))
    for note in report.notes:
        print(f"note: {printable(note)}")
    hashes = "sealed with the evidence key" if report.sealed else "plain SHA-256 (no evidence key yet)"
    print(f"evidence {cfg.evidence_dir}: {report.captures} captures, {report.files} files, manifest hashes {hashes}; "
          f"{coverage.leads} leads: {coverage.captured} with a capture, {coverage.final} without one for a final "
          f"reason, {coverage.gap_leads} without one, {coverage.no_page} with no page; "
          f"{len(problems)} problems")  # fmt: skip
    return 0 if not problems else 1


def anchor(args: argparse.Namespace) -> int:
    cfg = config_of(args)
    store = EvidenceStore.for_config(cfg, create_key=False)
    try:
        taken = store.ledger.anchor()
    finally:
        store.close()
    print(taken.text())
    print(f"({taken.captures} captures, {taken.reasons} no-capture reasons; keep this line off this machine and check "
          "with: netsword evidence verify --anchor LINE)", file=sys.stderr)  # fmt: skip
    return 0


def backfill(args: argparse.Namespace) -> int:
    from crawler.spiders.backfill import BackfillSpider

    stats = run_revisit(BackfillSpider, revisit_kwargs(args), args, NETSWORD_ALERTS=False)
    figures = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("backfill/")}
    failed = figures.get("failed", 0) + stats.get("netsword/evidence_unrecorded", 0)
    print(f"backfill: {stats.get('finish_reason', '?')}; {figures.get('planned', 0)} listings without evidence: "
          f"{figures.get('captured', 0)} captured, {figures.get('refused', 0)} refused, {figures.get('gone', 0)} "
          f"gone, {figures.get('failed', 0)} failed; interrupted captures: {figures.get('recovered', 0)} completed, "
          f"{figures.get('cleaned_up', 0)} cleaned up")  # fmt: skip
    if failed:
        print(f"  {failed} listing(s) still without evidence: see the log above; run backfill again later")
    sys.stdout.flush()
    return 0 if stats.get("finish_reason") in FINISHED and not failed else 1


def seal(args: argparse.Namespace) -> int:
    from evidence.upkeep import seal_unrecorded

    cfg = config_of(args)
    store = EvidenceStore.for_config(cfg)
    try:
        sealed, refused = seal_unrecorded(store)
    finally:
        store.close()
    for line in refused:
        print(printable(line))
    print(f"evidence {cfg.evidence_dir}: {sealed} manifests sealed, {len(refused)} refused")
    return 0 if not refused else 1


def capture(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from crawler.capture import CaptureError, capture_url
    from netsword.browser import BrowserNotFound

    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{args.url!r}: must be an http(s) URL")
    cfg = config_of(args)
    store = EvidenceStore.for_config(cfg)
    try:
        result = asyncio.run(
            capture_url(
                cfg,
                store,
                args.url,
                platform=args.platform or parts.hostname or "manual",
                listing_id=args.listing_id or args.url,
                profile=args.profile,
            )
        )
    except BrowserNotFound as exc:
        raise UsageError(str(exc)) from None
    except CaptureError as exc:
        print(f"netsword: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"captured {result.capture_id} at {result.captured_at}")
    if result.final_url and result.final_url != args.url:
        print(f"  redirected to {printable(result.final_url)}")
    for item in result.files:
        print(f"  {item.role:10s} {item.sha256} {item.size} bytes {item.media_type}")
    return 0
