"""`netsword evidence verify | anchor | timestamp | custody | record | backfill | seal | package | capture URL`: check
evidence against leads, print anchors, get trusted timestamps, show the chain of custody, print extraction records,
fill gaps, adopt an older store's manifests, write WACZ web archives of leads or a case, capture a page now.

verify exits 1 on any problem (one line each, then a summary): a lead with no capture and no final reason, a
manifest changed, missing or not in the ledger, a file altered, missing or named by no manifest, a capture of a
listing no lead has. backfill exits 1 when a listing it tried is still without evidence (a reason worth retrying).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from netsword.cli import UsageError
from netsword.cli.common import config_of
from netsword.cli.revisit import add_revisit_options, revisit_kwargs, run_revisit
from netsword.cli.terminal import printable, printable_block

if TYPE_CHECKING:
    from evidence.store import EvidenceStore

FINISHED = ("finished",)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("evidence", help="verify, backfill or capture evidence (raw page, screenshot, hashes)")
    sub = p.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    v = sub.add_parser("verify", help="check every lead has evidence (or a reason), every manifest and file; exit 1 "
                       "on any problem")  # fmt: skip
    v.add_argument("--anchor", action="append", default=[], metavar="TEXT", help="also check against an anchor "
                   "line taken earlier with `netsword evidence anchor` (ledger or custody; or a file holding the lines; "
                   "repeatable)")  # fmt: skip
    v.set_defaults(func=verify)
    a = sub.add_parser("anchor", help="print the evidence ledger's and the chain of custody's anchors (counts, "
                       "digests, time) to keep off this machine")  # fmt: skip
    a.add_argument("--out", default="", metavar="FILE", help="also write the two lines to FILE")
    a.set_defaults(func=anchor)
    t = sub.add_parser("timestamp", help="get RFC 3161 trusted timestamps for captures that have none ([timestamps] "
                       "tsa_urls); failed requests stay queued and are retried")  # fmt: skip
    t.add_argument("--all", action="store_true", help="ask now for every queued capture, even those waiting to retry")
    t.set_defaults(func=timestamp)
    k = sub.add_parser("custody", help="print the chain of custody (every capture, timestamp, package, export, "
                       "deletion), or one capture's")  # fmt: skip
    k.add_argument("subject", nargs="?", default=None, help="a capture id (or case id) to show only its events")
    k.set_defaults(func=custody)
    r = sub.add_parser("record", help="print the extraction record (电子数据提取笔录) of a capture or of a case's "
                       "captures, in Chinese (text, HTML) or as JSON; exit 1 when it lists anomalies")  # fmt: skip
    r.add_argument("capture_id", nargs="?", default="", metavar="CAPTURE_ID", help="a capture (cap-…)")
    r.add_argument("--case", default="", metavar="CASE_ID", help="every capture of the case's leads instead")
    r.add_argument("--format", choices=("text", "json", "html"), default="text")
    r.add_argument("--operator", action="append", default=[], metavar="NAME",
                   help="who extracted (repeatable; default: the system account running the command)")  # fmt: skip
    r.add_argument("--cause", default="", help="the case cause (案由; default: from the case or the leads)")
    r.add_argument("--target", default="", help="the target (提取对象; default: the listings and sellers)")
    r.add_argument("--out", default="", metavar="FILE", help="write to FILE instead of standard output")
    r.set_defaults(func=record)
    b = sub.add_parser("backfill", help="capture the listings whose leads have no evidence yet")
    add_revisit_options(b, limit=200, limit_help="listings per run, highest score first")
    b.set_defaults(func=backfill)
    s = sub.add_parser("seal", help="record in the ledger the manifests written before it (after checking them)")
    s.set_defaults(func=seal)
    w = sub.add_parser("package", help="write a WACZ web archive (WARC records, index, pages, hashes) of one or more "
                       "leads' captures, or of a case's, for replay tools such as ReplayWeb.page")  # fmt: skip
    which = w.add_mutually_exclusive_group(required=True)
    which.add_argument("--lead", action="append", default=[], metavar="LEAD_ID", help="a lead (repeatable)")
    which.add_argument("--case", default="", metavar="CASE_ID", help="every lead of a case (netsword cases list)")
    w.add_argument("-o", "--out", default="", metavar="FILE", help="the .wacz to write (default, here: lead-<id>.wacz, "
                   "leads-<first id>-and-<n>-more.wacz, or the case id's: case-<id>.wacz)")  # fmt: skip
    w.set_defaults(func=package)
    c = sub.add_parser("capture", help="capture a page now: raw response, full-page screenshot, hashes")
    c.add_argument("url", help="the page to capture (http or https)")
    c.add_argument("--platform", default="", help="platform name for the manifest (default: the URL's host)")
    c.add_argument("--listing-id", default="", help="listing id for the manifest (default: the URL)")
    c.add_argument("--profile", default="manual", help="profile name for the manifest")
    c.set_defaults(func=capture)


def verify(args: argparse.Namespace) -> int:
    from evidence.coverage import check_coverage
    from evidence.store import EvidenceStore
    from evidence.verify import verify_store
    from leads.store import LeadQuery, open_store_from_config

    cfg = config_of(args)
    from evidence.timestamps import load_roots

    roots = load_roots(cfg.timestamps.trust_roots)
    store = EvidenceStore.for_config(cfg, create_key=False)
    try:
        report = verify_store(store, need_key=True, roots=roots, anchors=_anchor_lines(args.anchor))
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
    print(f"chain of custody: {report.custody_events} events checked; trusted timestamps: {report.tokens} checked "
          f"({len(report.timestamped)} captures)")  # fmt: skip
    hashes = "sealed with the evidence key" if report.sealed else "plain SHA-256 (no evidence key yet)"
    print(f"evidence {cfg.evidence_dir}: {report.captures} captures, {report.files} files, manifest hashes {hashes}; "
          f"{coverage.leads} leads: {coverage.captured} with a capture, {coverage.final} without one for a final "
          f"reason, {coverage.gap_leads} without one, {coverage.no_page} with no page; "
          f"{len(problems)} problems")  # fmt: skip
    return 0 if not problems else 1


def _anchor_lines(values: list[str]) -> tuple[str, ...]:
    """Anchor lines given on the command line, or read from the files named there."""
    from pathlib import Path

    lines: list[str] = []
    for value in values:
        if not value.startswith(("evidence-anchor:", "evidence-custody:")) and Path(value).is_file():
            lines += [line for line in Path(value).read_text(encoding="utf-8").splitlines() if line.strip()]
        else:
            lines.append(value)
    return tuple(lines)


def anchor(args: argparse.Namespace) -> int:
    from evidence.custody import custody_of, sync
    from evidence.store import EvidenceStore

    cfg = config_of(args)
    store = EvidenceStore.for_config(cfg, create_key=False)
    log = custody_of(store)
    try:
        taken = store.ledger.anchor()
        sync(store, log)
        head = log.anchor()
    finally:
        log.close()
        store.close()
    lines = f"{taken.text()}\n{head.text()}\n"
    if args.out:
        from netsword.private_files import touch_private

        touch_private(Path(args.out)).write_text(lines, encoding="utf-8")
    print(lines, end="")
    print(f"({taken.captures} captures, {taken.reasons} no-capture reasons; {head.seq} custody events up to "
          f"{head.at}; keep these lines off this machine and check with: netsword evidence verify --anchor LINE)",
          file=sys.stderr)  # fmt: skip
    return 0


def timestamp(args: argparse.Namespace) -> int:
    from evidence.store import EvidenceStore
    from evidence.timestamps import TsaSettings, stamp_pending

    cfg = config_of(args)
    settings = TsaSettings.from_config(cfg)
    if not settings.tsa_urls:
        raise UsageError("no TSA configured: set [timestamps] tsa_urls and trust_roots (docs/evidence.md)")
    store = EvidenceStore.for_config(cfg, create_key=False)
    try:
        report = stamp_pending(store, settings, everything=args.all)
    finally:
        store.close()
    for line in report.errors:
        print(printable(line))
    print(f"timestamps: {report.stamped} captures stamped, {report.queued} newly queued, {report.waiting} still "
          f"queued, {report.refused} refused (manifest changed)")  # fmt: skip
    return 0 if not report.errors else 1


def custody(args: argparse.Namespace) -> int:
    import json

    from evidence.custody import custody_of
    from evidence.store import EvidenceStore

    cfg = config_of(args)
    store = EvidenceStore.for_config(cfg, create_key=False)
    log = custody_of(store)
    try:
        events = log.events(args.subject) if store.ledger.exists() else []
    finally:
        log.close()
        store.close()
    from evidence.timestamps import hide_userinfo

    for e in events:
        detail = hide_userinfo(json.dumps(e.detail, ensure_ascii=False, sort_keys=True))
        print(printable(f"{e.seq:>6} {e.at} {e.event:<11} {e.subject} {e.actor} {detail}"))
    print(f"{len(events)} custody events", file=sys.stderr)
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
    from evidence.store import EvidenceStore
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


def package(args: argparse.Namespace) -> int:
    from evidence.custody import PACKAGED, custody_of
    from evidence.store import EvidenceStore
    from evidence.wacz import PackageError, write_wacz
    from leads.store import open_store_from_config

    cfg = config_of(args)
    if args.case:
        from cases.db import CasesDB, cases_db_path
        from cases.store import CaseStore

        with CasesDB(cases_db_path(cfg.var_dir)) as db:
            case = CaseStore(db, _NoAudit()).get(args.case)
        if case is None:
            raise UsageError(f"{args.case}: no such case (netsword cases list)")
        lead_ids, subject = list(case.lead_ids), case.case_id
        default_name = case.case_id if case.case_id.startswith("case-") else f"case-{case.case_id}"
        title, description = f"NetSword case {case.case_id}: {case.title}", f"Captures of the {len(lead_ids)} leads"
    else:
        lead_ids = list(dict.fromkeys(args.lead))
        # one lead: filed under it; several: under "leads", every lead id in the details (like a leads export)
        subject = f"lead-{lead_ids[0]}" if len(lead_ids) == 1 else "leads"
        default_name = subject if len(lead_ids) == 1 else f"leads-{lead_ids[0]}-and-{len(lead_ids) - 1}-more"
        title, description = f"NetSword lead {', '.join(lead_ids)}", f"Captures of {len(lead_ids)} lead(s)"
    with open_store_from_config(cfg) as leads:
        found = leads.get_many(lead_ids)
    unknown = sorted(set(lead_ids) - {lead.lead_id for lead in found})
    if unknown:
        raise UsageError(f"no such lead: {', '.join(unknown)}")
    out = Path(args.out or f"{default_name}.wacz")
    store = EvidenceStore.for_config(cfg, create_key=False)
    try:
        listings = dict.fromkeys((lead.platform, lead.listing_id) for lead in found)
        captures = [c for platform, listing in listings for c in reversed(store.captures_for(platform, listing))]
        if not captures:
            print(f"netsword: no captures of {len(listings)} listing(s): nothing to package "
                  "(netsword evidence backfill takes them)", file=sys.stderr)  # fmt: skip
            return 1
        result = write_wacz(store, captures, out, title=title, description=description)
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        log = custody_of(store)
        try:
            log.append(PACKAGED, subject, {"file": out.name, "sha256": digest, "format": "wacz", "leads": lead_ids,
                                           "captures": [c.capture_id for c in captures]})  # fmt: skip
        finally:
            log.close()
    except PackageError as exc:
        print(f"netsword: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"wrote {printable(str(out))}: {result.captures} captures of {len(listings)} listing(s) in {result.warcs} "
          f"WARC files; sha256 {digest}")  # fmt: skip
    if result.without_warc:
        print(f"  {len(result.without_warc)} capture(s) kept before WARC records were written: their files are in "
              "the package, their HTTP exchanges are not")  # fmt: skip
    return 0


class _NoAudit:
    """The case is only read: nothing goes to the audit chain."""

    def append(self, *args: object, **kwargs: object) -> None:
        return None


def capture(args: argparse.Namespace) -> int:
    import asyncio
    from urllib.parse import urlsplit

    from crawler.capture import CaptureError, capture_url
    from evidence.store import EvidenceStore
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


def record(args: argparse.Namespace) -> int:
    from evidence.record import build_record, default_operators, render_html, render_json, render_text
    from evidence.store import EvidenceStore
    from evidence.timestamps import load_roots
    from leads.store import LeadQuery, open_store_from_config
    from netsword.cli.output import output

    if bool(args.capture_id) == bool(args.case):
        raise UsageError("give a CAPTURE_ID or --case CASE_ID (one of them)")
    cfg = config_of(args)
    store = EvidenceStore.for_config(cfg, create_key=False)
    try:
        if args.case:
            captures, cause, target = _case_captures(args, cfg, store)
        else:
            capture = store.get(args.capture_id)
            if capture is None:
                raise UsageError(f"{args.capture_id}: no such capture in {cfg.evidence_dir}")
            captures = [capture]
            with open_store_from_config(cfg) as leads:
                found = list(leads.iter_leads(LeadQuery(platform=(capture.platform,),
                                                        listing_id=(capture.listing_id,), limit=100)))  # fmt: skip
            cause = "；".join(f"涉嫌侵犯 {x.owner or '权利人'} 的权利（监测条目 {x.entry_id}，线索 {x.lead_id}，{x.kind}）"
                             for x in found) or "（未关联线索）"  # fmt: skip
            target = _target(found) or f"{capture.platform} 商品 {capture.listing_id}"
        made = build_record(store, captures, cause=args.cause or cause, target=args.target or target,
                            operators=args.operator or default_operators(), case_id=args.case,
                            roots=load_roots(cfg.timestamps.trust_roots), browser=cfg.browser.executable)  # fmt: skip
    finally:
        store.close()
    text = {"json": render_json, "html": render_html, "text": render_text}[args.format](made)
    with output(args.out or None) as out:
        out.write(text if args.format != "text" else printable_block(text))
    anomalies = sum(len(c.anomalies) for c in made.captures)
    print(f"extraction record: {len(made.captures)} captures, {anomalies} anomalies listed", file=sys.stderr)
    return 1 if anomalies else 0  # as evidence verify: 1 when something is wrong (the record is written all the same)


def _target(leads: list) -> str:  # type: ignore[type-arg]
    return "；".join(f"{x.platform} 商品 {x.listing_id}「{x.title}」卖家 {x.seller_name or '未知'}（{x.url}）"
                    for x in leads[:50])  # fmt: skip


def _case_captures(args: argparse.Namespace, cfg, store: EvidenceStore):  # type: ignore[no-untyped-def]
    from leads.store import open_store_from_config
    from netsword.cli.cases_cmd import _cases  # the cases CLI's read-only opening of the case store

    db, cases = _cases(args)
    with db:
        case = cases.get(args.case)
    if case is None:
        raise UsageError(f"{args.case}: no such case (netsword cases list)")
    with open_store_from_config(cfg) as leads_store:
        leads = leads_store.get_many(case.lead_ids)
    captures, seen = [], set()
    for lead in leads:
        for capture in store.captures_for(lead.platform, lead.listing_id):
            if capture.capture_id not in seen:
                seen.add(capture.capture_id)
                captures.append(capture)
    cause = case.title + (f"：{case.summary}" if case.summary else "")
    return captures, cause, _target(leads)
