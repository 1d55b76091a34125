"""`netsword cases`: actor networks (build, list, show, hubs) and cases (案件) in <var_dir>/cases.db (docs/cases.md).

Reading needs no account; every change to a case is made as a triage account (`--user`, its password asked or read
with --password-stdin), whose role decides what it may do, and goes to the audit chain under that name.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from netsword.cli.common import config_of
from netsword.cli.terminal import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("cases", help="actor networks and cases (案件)")
    sub = p.add_subparsers(dest="cases_command", metavar="SUBCOMMAND", required=True)
    networks = sub.add_parser("networks", help="actor networks: shops linked by shared identifiers")
    nsub = networks.add_subparsers(dest="networks_command", metavar="SUBCOMMAND", required=True)
    build = nsub.add_parser("build", help="rebuild every actor network from the stored leads (replaces the last)")
    build.add_argument("--hub-shops", type=int, default=None, metavar="N",
                       help="an identifier seen in more than N shops is a hub and links nobody (default 20)")  # fmt: skip
    build.add_argument("--no-parcels", action="store_true", help="leave parcel shipper links out")
    build.add_argument("--image-distance", type=int, default=None, metavar="BITS",
                       help="images whose hashes differ in at most BITS of 64 are one image (default 4; 0: exact)")  # fmt: skip
    build.set_defaults(func=run_build)
    lst = nsub.add_parser("list", help="one line per actor, largest first")
    lst.add_argument("--limit", type=int, default=50)
    lst.set_defaults(func=run_list)
    show = nsub.add_parser("show", help="an actor's shops and the identifiers linking them, with evidence")
    show.add_argument("actor_id")
    show.add_argument("--json", action="store_true", help="machine-readable")
    show.set_defaults(func=run_show)
    hubs = nsub.add_parser("hubs", help="identifiers seen in too many shops to link them")
    hubs.add_argument("--limit", type=int, default=50)
    hubs.set_defaults(func=run_hubs)

    lst = sub.add_parser("list", help="one line per case, newest change first")
    lst.add_argument("--status", help="only cases in this status (clue, filed, investigating, …)")
    lst.set_defaults(func=run_case_list)
    show = sub.add_parser("show", help="a case: status, leads, actors, notes, status log")
    show.add_argument("case_id")
    show.add_argument("--json", action="store_true", help="machine-readable")
    show.set_defaults(func=run_case_show)
    new = sub.add_parser("new", help="open a case (线索) by hand or from actor networks")
    new.add_argument("title")
    new.add_argument("--lead", action="append", default=[], metavar="ID", help="a lead id (repeatable)")
    new.add_argument("--actor", action="append", default=[], metavar="ID", help="an actor network (repeatable)")
    _account(new)
    new.set_defaults(func=run_case_new)
    move = sub.add_parser("move", help="move a case along 线索 → 立案 → 调查 → 处罚/移送 → 结案")
    move.add_argument("case_id")
    move.add_argument("status", choices=STATUS_CHOICES)
    move.add_argument("--note", default="", help="why (required to close a case neither penalised nor transferred)")
    _account(move)
    move.set_defaults(func=run_case_change, change="move")
    for name, helptext, value in (("assign", "assign a case (investigators: to themselves)", "assignee"),
                                  ("note", "add a note to a case", "text"),
                                  ("deadline", "set a case's deadline (YYYY-MM-DD; '' clears it)", "date")):  # fmt: skip
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("case_id")
        cmd.add_argument("value", metavar=value.upper())
        _account(cmd)
        cmd.set_defaults(func=run_case_change, change=name)
    add = sub.add_parser("add-leads", help="add leads to a case")
    add.add_argument("case_id")
    add.add_argument("value", nargs="+", metavar="LEAD_ID")
    _account(add)
    add.set_defaults(func=run_case_change, change="add-leads")
    value = sub.add_parser("value", help="a case's 非法经营数额 and 销售金额 against the thresholds in force")
    value.add_argument("case_id")
    value.add_argument("--as-of", metavar="DATE", help="thresholds in force on DATE (YYYY-MM-DD; default today)")
    value.add_argument("--gains", type=float, metavar="YUAN", help="illegal gains (违法所得) found by investigation")
    value.add_argument("--market-price", action="append", default=[], metavar="ENTRY=YUAN",
                       help="the genuine goods' market price for listings without a price (repeatable)")  # fmt: skip
    value.add_argument("--json", action="store_true", help="machine-readable")
    value.set_defaults(func=run_case_value)
    package = sub.add_parser("package", help="a case's referral package: transfer letter draft, report, JSON (ZIP)")
    package.add_argument("case_id")
    package.add_argument("--out", required=True, metavar="FILE", help="where to write the ZIP")
    package.add_argument("--pdf", action="store_true", help="also PDFs of the letter and the report (Chromium)")
    _account(package)
    package.set_defaults(func=run_case_package)
    takedown = sub.add_parser("takedown", help="takedown notices to the platforms for a case's or the given leads")
    takedown.add_argument("case_id", nargs="?", default="", help="a case (or give --lead)")
    takedown.add_argument("--lead", action="append", default=[], metavar="ID", help="a lead id (repeatable)")
    takedown.add_argument("--out", required=True, metavar="FILE", help="where to write the ZIP of notices")
    _account(takedown)
    takedown.set_defaults(func=run_takedown)
    notices = sub.add_parser("notices", help="the takedown notice log, with each listing's outcome from re-checks")
    notices.add_argument("--case", default=None, metavar="CASE", help="only this case's notices")
    notices.add_argument("--lead", default=None, metavar="ID", help="only notices naming this lead")
    notices.add_argument("--json", action="store_true", help="machine-readable")
    notices.set_defaults(func=run_notices)
    publish = sub.add_parser("publish", help="a closed penalty case's public summary, personal data withheld")
    publish.add_argument("case_id")
    publish.add_argument("--format", choices=("json", "html"), default="json")
    publish.add_argument("--out", default="", metavar="FILE", help="write here (default: standard output)")
    publish.set_defaults(func=run_publish)
    violator = sub.add_parser("violator", help="list a penalised case's actors as serious violators (supervisors)")
    violator.add_argument("case_id")
    violator.add_argument("--basis", required=True, help="on what basis they are listed (the decision, the rule)")
    _account(violator)
    violator.set_defaults(func=run_violator)
    violators = sub.add_parser("violators", help="the serious-violator list, one row per listed shop")
    violators.add_argument("--format", choices=("csv", "json"), default="csv")
    violators.add_argument("--out", default="", metavar="FILE", help="write here (default: standard output)")
    violators.set_defaults(func=run_violators)
    notice = sub.add_parser("notice", help="record what became of a takedown notice (sent with its ticket, …)")
    notice.add_argument("notice_id")
    notice.add_argument("status", choices=("sent", "rejected", "withdrawn"))
    notice.add_argument("--ticket", default="", help="the platform's ticket or complaint id")
    notice.add_argument("--note", default="", help="why (required when rejected)")
    _account(notice)
    notice.set_defaults(func=run_notice)


STATUS_CHOICES = ("clue", "filed", "investigating", "penalised", "transferred", "closed")


def _account(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, metavar="NAME", help="your triage account (netsword users add)")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def _as_account(args: argparse.Namespace, action: Callable[[Any, Any, Any, Any], object]) -> object:
    """Run `action(user, case_store, actor_store, user_store)` as the authenticated account (CaseError → exit 2)."""
    import getpass

    from cases.actors import ActorStore
    from cases.db import CasesDB, cases_db_path
    from cases.model import CaseError
    from cases.store import CaseStore
    from netsword.cli import UsageError
    from netsword.private_files import private_umask
    from triage.audit import open_audit
    from triage.db import TriageDB, triage_db_path
    from triage.users import UserStore

    cfg = config_of(args)
    password = (
        sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(f"password for {args.user}: ")
    )
    private_umask()
    tdb = TriageDB(triage_db_path(cfg.var_dir))
    try:
        audit = open_audit(cfg, tdb)
        users = UserStore(tdb)
        user = users.authenticate(args.user, password)
        if user is None or user.disabled:
            raise UsageError(f"--user: wrong user name or password for {args.user!r}")
        with CasesDB(cases_db_path(cfg.var_dir)) as db:
            try:
                return action(user, CaseStore(db, audit), ActorStore(db), users)
            except CaseError as exc:
                raise UsageError(str(exc)) from None
    finally:
        tdb.close()


def _actors(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from cases.actors import ActorStore
    from cases.db import CasesDB, cases_db_path

    db = CasesDB(cases_db_path(config_of(args).var_dir))
    return db, ActorStore(db)


def run_build(args: argparse.Namespace) -> int:
    from cases.build import rebuild_networks
    from cases.network import NetworkSettings
    from leads.store import open_store_from_config
    from netsword.cli import UsageError

    cfg = config_of(args)
    settings = NetworkSettings()
    if args.hub_shops is not None:
        if args.hub_shops < 2:
            raise UsageError("--hub-shops: must be at least 2")
        settings.hub_shops = args.hub_shops
    if args.image_distance is not None:
        if not 0 <= args.image_distance <= 12:
            raise UsageError("--image-distance: must be 0 to 12 bits")
        settings.image_distance = args.image_distance
    with open_store_from_config(cfg) as store:
        report = rebuild_networks(cfg, store, settings, use_parcels=not args.no_parcels)
    print(f"{report.leads} leads, {report.shops} shops, {report.sightings} identifier sightings, "
          f"{report.parcel_links} parcel shipper links")  # fmt: skip
    print(f"{report.actors} actors linking {report.linked_shops} shops; {report.hubs} hub identifiers suppressed")
    return 0


def run_list(args: argparse.Namespace) -> int:
    db, actors = _actors(args)
    with db:
        for a in actors.ranked(limit=args.limit):
            print(f"{a.actor_id}  {a.shops:>4} shops  {a.leads:>5} leads  {a.identifiers:>3} identifiers  "
                  f"{','.join(a.platforms)}  {','.join(a.kinds)}  {printable(a.label)}")  # fmt: skip
        build = actors.last_build()
    print(f"built {build['built_at']}" if build else "no network built yet: netsword cases networks build")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from netsword.cli import UsageError

    db, actors = _actors(args)
    with db:
        actor = actors.get(args.actor_id)
    if actor is None:
        raise UsageError(f"{args.actor_id}: no such actor (netsword cases networks list)")
    if args.json:
        print(json.dumps({
            "actor_id": actor.actor_id, "label": actor.summary.label,
            "shops": [{"key": s.key, "platform": s.platform, "seller_id": s.seller_id, "name": s.name,
                       "leads": [r.lead_id for r in actor.leads.get(s.key, ())]} for s in actor.shops],
            "links": [{"shop": lk.shop, "identifier": lk.ident, "evidence": list(lk.evidence)} for lk in actor.links],
            "support": [{"a": s.a, "b": s.b, "kind": s.kind, "score": s.score} for s in actor.support],
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    print(f"{actor.actor_id}  {printable(actor.summary.label)}")
    for shop in actor.shops:
        print(f"  shop {shop.key}  {printable(shop.name)}  ({len(actor.leads.get(shop.key, ()))} leads)")
    for link in actor.links:
        where = "; ".join(f"{e.get('lead_id') or e.get('source', '')} {e.get('field', '')} {e.get('capture_id', '')}"
                          .strip() for e in link.evidence)  # fmt: skip
        print(f"  {printable(link.ident)}  ← {link.shop}  [{printable(where)}]")
    for sup in actor.support:
        print(f"  support: {sup.kind} {sup.a} ~ {sup.b} ({sup.score})")
    return 0


def run_hubs(args: argparse.Namespace) -> int:
    db, actors = _actors(args)
    with db:
        hubs = actors.hubs(limit=args.limit)
        if not hubs:
            print("no hub identifiers: none was seen in more shops than the network's --hub-shops limit")
        for ident, shops in hubs:
            print(f"{shops:>6} shops  {printable(ident)}")
    return 0


def _cases(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from cases.db import CasesDB, cases_db_path
    from cases.store import CaseStore

    db = CasesDB(cases_db_path(config_of(args).var_dir))
    return db, CaseStore(db, _NoAudit())


class _NoAudit:
    """Reading commands change nothing, so they write nothing to the audit chain."""

    def append(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("a reading command tried to change a case")


def run_case_list(args: argparse.Namespace) -> int:
    db, cases = _cases(args)
    with db:
        for c in cases.ranked(status=args.status, limit=500):
            print(f"{c.case_id}  {c.status:<13} {len(c.lead_ids):>5} leads  {len(c.actors):>3} actors  "
                  f"{c.assignee or '-':<12} {c.deadline or '-':<10}  {printable(c.title)}")  # fmt: skip
    return 0


def run_case_show(args: argparse.Namespace) -> int:
    from netsword.cli import UsageError

    db, cases = _cases(args)
    with db:
        case = cases.get(args.case_id)
    if case is None:
        raise UsageError(f"{args.case_id}: no such case (netsword cases list)")
    if args.json:
        print(json.dumps({
            "case_id": case.case_id, "title": case.title, "status": case.status, "assignee": case.assignee,
            "deadline": case.deadline, "created_at": case.created_at, "created_by": case.created_by,
            "leads": list(case.lead_ids),
            "actors": [{"actor_id": a.actor_id, "label": a.label, "shops": list(a.shops)} for a in case.actors],
            "notes": [{"at": n.at, "author": n.author, "text": n.text} for n in case.notes],
            "history": [{"at": h.at, "by": h.actor, "before": h.before, "after": h.after, "note": h.note}
                        for h in case.history],
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    print(f"{case.case_id}  {printable(case.title)}")
    print(f"  status {case.status}  assignee {case.assignee or '-'}  deadline {case.deadline or '-'}")
    print(f"  {len(case.lead_ids)} leads: {' '.join(case.lead_ids[:20])}{' …' if len(case.lead_ids) > 20 else ''}")
    for actor in case.actors:
        print(f"  actor {actor.actor_id} ({len(actor.shops)} shops) {printable(actor.label)}")
    for h in case.history:
        print(f"  {h.at} {h.actor}: {h.before} → {h.after} {printable(h.note)}")
    for note in case.notes:
        print(f"  {note.at} {note.author}: {printable(note.text)}")
    return 0


def run_case_new(args: argparse.Namespace) -> int:
    from netsword.cli import UsageError

    def create(user: Any, cases: Any, actors: Any, _users: Any) -> Any:
        found = [actors.get(a) for a in args.actor]
        if None in found:
            raise UsageError(f"--actor: no such actor among {', '.join(args.actor)} (netsword cases networks list)")
        return cases.create(args.title, user.username, user.role, lead_ids=args.lead, actors=found)

    case = _as_account(args, create)
    print(f"opened {case.case_id}: {len(case.lead_ids)} leads, {len(case.actors)} actors")  # type: ignore[attr-defined]
    return 0


def run_case_change(args: argparse.Namespace) -> int:
    from netsword.cli import UsageError

    def change(user: Any, cases: Any, _actors: Any, users: Any) -> Any:
        if args.change == "move":
            return cases.move(args.case_id, args.status, user.username, user.role, args.note)
        if args.change == "assign":
            target = users.get(args.value) if args.value else None
            if args.value and (target is None or target.disabled or not target.can_triage):
                raise UsageError(f"{args.value!r}: no active investigator or supervisor of that name")
            return cases.assign(args.case_id, args.value, user.username, user.role)
        if args.change == "note":
            return cases.add_note(args.case_id, args.value, user.username, user.role)
        if args.change == "deadline":
            return cases.set_deadline(args.case_id, args.value, user.username, user.role)
        if args.change == "add-leads":
            return cases.add_leads(args.case_id, args.value, user.username, user.role)
        raise UsageError(f"unknown change {args.change}")

    case = _as_account(args, change)
    print(f"{case.case_id}: {case.status}, {len(case.lead_ids)} leads")  # type: ignore[attr-defined]
    return 0


def run_case_value(args: argparse.Namespace) -> int:
    from cases.thresholds import ThresholdError
    from cases.valuation import value_case
    from leads.store import open_store_from_config
    from netsword.cli import UsageError

    prices: dict[str, float] = {}
    for pair in args.market_price:
        entry, _, amount = pair.partition("=")
        try:
            prices[entry.strip()] = float(amount)
        except ValueError:
            raise UsageError(f"--market-price: expected ENTRY=YUAN, got {pair!r}") from None
    db, cases = _cases(args)
    with db:
        case = cases.get(args.case_id)
    if case is None:
        raise UsageError(f"{args.case_id}: no such case (netsword cases list)")
    with open_store_from_config(config_of(args)) as store:
        leads = store.get_many(case.lead_ids)
    try:
        v = value_case(leads, as_of=args.as_of, gains=args.gains, market_prices=prices)
    except (ThresholdError, ValueError) as exc:
        raise UsageError(f"--as-of: {exc}") from None
    if args.json:
        print(json.dumps({
            "case_id": case.case_id, "referral_candidate": v.referral_candidate, "inputs": v.inputs(),
            "thresholds": v.version.provenance(),
            "tests": [t.__dict__ for t in v.tests],
            "items": [{**i.__dict__, "lead_ids": list(i.lead_ids), "problems": list(i.problems)} for i in v.items],
            "caveats": v.caveats, "parcel_leads_left_out": v.left_out,
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    print(f"{case.case_id}  {printable(case.title)}")
    print(f"  非法经营数额 ¥{v.business_volume:,.2f}  销售金额 ¥{v.sales:,.2f}  货值金额 ¥{v.unsold_value:,.2f}"
          f"  违法所得 {'-' if v.gains is None else f'¥{v.gains:,.2f}'}  marks {v.marks}")  # fmt: skip
    checked = (f"checked {v.version.checked_on} against {len(v.version.checked_against)} copies of the official text"
               if v.version.checked else "NOT checked against the official text")  # fmt: skip
    print(f"  thresholds {v.version.version} (in force from {v.version.effective}; {checked}): {v.version.source}")
    for copy in v.version.checked_against:
        print(f"    {'checked against' if v.version.checked else 'read'}: {printable(copy.title)} <{copy.url}>")
    for t in v.tests:
        threshold = "no figure entered" if t.threshold is None else f"{t.threshold:,.0f}"
        amount = "-" if t.amount is None else f"{t.amount:,.2f}"
        flag = "MET" if t.met else "   "
        print(f"  {flag} {t.offence} {t.tier:<22} {t.measure:<16} {amount:>16} ≥ {threshold}"
              f"{'' if t.counts else '  (for information)'}{f'  [{t.article}]' if t.article else ''}")  # fmt: skip
    print("  referral candidate" if v.referral_candidate else "  below the referral thresholds")
    for item in v.items:
        print(f"  - {item.platform}:{item.listing_id} {printable(item.title)[:40]}: {printable(item.rule)}")
        for problem in item.problems:
            print(f"      ! {printable(problem)}")
    for caveat in v.caveats:
        print(f"  * {caveat}")
    return 0


def run_case_package(args: argparse.Namespace) -> int:
    """Written as an authenticated account and audited (case.package with the ZIP's SHA-256), like a download."""
    import hashlib
    from pathlib import Path

    from cases.package import build_case_package, record_package_export
    from cases.valuation import value_case
    from evidence.store import EvidenceStore
    from leads.store import open_store_from_config
    from netsword.cli import UsageError
    from netsword.models import utc_now

    cfg = config_of(args)

    def build(user: Any, cases: Any, actors: Any, _users: Any) -> Any:
        if user.is_viewer:
            raise UsageError("--user: rights-holder viewers do not make referral packages")
        case = cases.get(args.case_id)
        if case is None:
            raise UsageError(f"{args.case_id}: no such case (netsword cases list)")
        with open_store_from_config(cfg) as store:
            leads = store.get_many(case.lead_ids)
        found = [actors.get(a.actor_id) for a in case.actors]
        evidence = EvidenceStore.for_config(cfg, create_key=False)
        pdfs = None
        if args.pdf:
            from cases.pdf import pdfs_of

            pdfs = lambda pages: pdfs_of(pages, cfg)  # noqa: E731 - Chromium renders the two HTML files
        data = build_case_package(case, leads, [a for a in found if a is not None], value_case(leads), evidence,
                                  utc_now(), pdfs)  # fmt: skip
        digest = hashlib.sha256(data).hexdigest()
        Path(args.out).write_bytes(data)
        cases.audit.append(
            user.username, "case.package", "case:" + case.case_id, None, {"sha256": digest, "via": "cli"}
        )
        record_package_export(case, leads, evidence, digest, actor=user.username, via="cli")
        evidence.close()
        return digest

    digest = _as_account(args, build)
    print(f"wrote {args.out} (SHA-256 {digest})")
    return 0


def run_takedown(args: argparse.Namespace) -> int:
    """Notices for a case's leads (or --lead ids), written as a ZIP and logged as drafted (audited)."""
    import hashlib
    from pathlib import Path

    from cases.notices import NoticeStore
    from cases.takedown import build_notices, bundle_zip
    from evidence.store import EvidenceStore
    from leads.store import open_store_from_config
    from netsword.cli import UsageError
    from netsword.cli.common import load_watchlist
    from netsword.models import utc_now

    if bool(args.case_id) == bool(args.lead):
        raise UsageError("give a case id or --lead ids (not both)")
    cfg = config_of(args)

    def build(user: Any, cases: Any, _actors: Any, _users: Any) -> Any:
        if user.is_viewer:
            raise UsageError("--user: rights-holder viewers do not send notices through NetSword")
        case = cases.get(args.case_id) if args.case_id else None
        if args.case_id and case is None:
            raise UsageError(f"{args.case_id}: no such case (netsword cases list)")
        wanted = list(case.lead_ids) if case is not None else list(dict.fromkeys(args.lead))
        with open_store_from_config(cfg) as store:
            leads = store.get_many(wanted)
        missing = sorted(set(wanted) - {lead.lead_id for lead in leads})
        if missing and case is None:
            raise UsageError(f"--lead: no such lead {missing[0]}")
        bundle = build_notices(leads, load_watchlist(None, cfg), EvidenceStore(cfg.evidence_dir),
                               case_id=args.case_id)  # fmt: skip
        if not bundle.notices:
            raise UsageError("no lead to notice: " + (", ".join(f"{n} {r}" for r, n in bundle.left_out.items())
                                                      or "the selection is empty"))  # fmt: skip
        bundle.generated_at = utc_now()
        data = bundle_zip(bundle, args.case_id or "takedown")
        Path(args.out).write_bytes(data)
        new = NoticeStore(cases.db, cases.audit).record(bundle.notices, user.username, user.role)
        digest = hashlib.sha256(data).hexdigest()
        target = "case:" + args.case_id if args.case_id else "leads"
        cases.audit.append(user.username, "case.takedown", target, None,
                           {"sha256": digest, "notices": [n.notice_id for n in bundle.notices], "via": "cli"})  # fmt: skip
        return bundle, new, digest

    result: Any = _as_account(args, build)
    bundle, new, digest = result
    print(f"wrote {args.out} (SHA-256 {digest}): {len(bundle.notices)} notices, {len(new)} newly logged as drafted")
    for n in bundle.notices:
        todo = f"; to complete: {', '.join(n.to_complete)}" if n.to_complete else ""
        print(f"  {n.notice_id}  {n.channel.key:<12} {n.platform:<16} {len(n.listings):>4} listings  "
              f"{printable(_addressee(n))}{todo}")  # fmt: skip
    for reason, count in bundle.left_out.items():
        print(f"  left out: {count} {reason}")
    return 0


def _addressee(notice: Any) -> str:
    """Whose notice it is: the rights holder's, or a licence report under a regime (no rights holder)."""
    if notice.regime:
        return f"licence report ({notice.regime['id']})"
    return str(notice.rights_holder or "(rights holder unknown)")


def run_notices(args: argparse.Namespace) -> int:
    from cases.notices import NoticeStore, outcome
    from leads.store import open_store_from_config

    db, _cases_store = _cases(args)
    with db:
        notices = NoticeStore(db, _NoAudit()).listed(case_id=args.case, lead_id=args.lead, limit=1000)
    with open_store_from_config(config_of(args)) as store:
        leads = {lead.lead_id: lead for lead in store.get_many([x["lead_id"] for n in notices for x in n.leads])}
    rows: list[dict[str, Any]] = [{"notice_id": n.notice_id, "case_id": n.case_id, "channel": n.channel, "platform": n.platform,
             "rights_holder": n.rights_holder, "right_kind": n.right_kind, "status": n.status, "sent_at": n.sent_at,
             "ticket": n.ticket, "note": n.note, "created_at": n.created_at, "created_by": n.created_by,
             "listings": [{**x, "outcome": outcome(leads.get(x["lead_id"]), n.sent_at)} for x in n.leads]}
            for n in notices]  # fmt: skip
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        outcomes: dict[str, int] = {}
        for x in row["listings"]:
            outcomes[x["outcome"]] = outcomes.get(x["outcome"], 0) + 1
        print(f"{row['notice_id']}  {row['status']:<9} {row['platform']:<16} {row['ticket'] or '-':<14} "
              f"{' '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))}  {printable(row['rights_holder'])}")  # fmt: skip
    if not rows:
        print("no takedown notices logged (netsword cases takedown)")
    return 0


def run_notice(args: argparse.Namespace) -> int:
    from cases.notices import NoticeStore

    def change(user: Any, cases: Any, _actors: Any, _users: Any) -> Any:
        store = NoticeStore(cases.db, cases.audit)
        return store.move(args.notice_id, args.status, user.username, user.role, ticket=args.ticket, note=args.note)

    notice = _as_account(args, change)
    print(f"{notice.notice_id}: {notice.status}" + (f", ticket {notice.ticket}" if notice.ticket else ""))  # type: ignore[attr-defined]
    return 0


def _write(text: str, out: str) -> None:
    from pathlib import Path

    if out:
        Path(out).write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def run_publish(args: argparse.Namespace) -> int:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from cases.actors import ActorStore
    from cases.model import CaseError
    from cases.package import TEMPLATES
    from cases.publication import public_summary
    from leads.store import open_store_from_config
    from netsword.cli import UsageError
    from netsword.cli.common import load_watchlist

    cfg = config_of(args)
    db, cases = _cases(args)
    with db:
        case = cases.get(args.case_id)
        if case is None:
            raise UsageError(f"{args.case_id}: no such case (netsword cases list)")
        found = [ActorStore(db).get(a.actor_id) for a in case.actors]
    with open_store_from_config(cfg) as store:
        leads = store.get_many(case.lead_ids)
    watchlist = load_watchlist(None, cfg)
    owners = {lead.entry_id: watchlist.owner_of(lead.entry_id) for lead in leads}
    try:
        summary = public_summary(case, leads, [a for a in found if a is not None], owners)
    except CaseError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        _write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", args.out)
    else:
        env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
        _write(env.get_template("public_summary.html").render(s=summary), args.out)
    return 0


def run_violator(args: argparse.Namespace) -> int:
    from cases.publication import ViolatorStore

    def add(user: Any, cases: Any, actors: Any, _users: Any) -> Any:
        from netsword.cli import UsageError

        case = cases.get(args.case_id)
        if case is None:
            raise UsageError(f"{args.case_id}: no such case (netsword cases list)")
        found = [actors.get(a.actor_id) for a in case.actors]
        return ViolatorStore(cases.db, cases.audit).add(case, [a for a in found if a is not None], args.basis,
                                                        user.username, user.role)  # fmt: skip

    added = _as_account(args, add)
    print(f"{args.case_id}: {len(added)} actor(s) listed as serious violators")  # type: ignore[arg-type]
    return 0


def run_violators(args: argparse.Namespace) -> int:
    import csv
    import io

    from cases.publication import VIOLATOR_COLUMNS, ViolatorStore, violator_rows
    from netsword.csv_safe import safe_cell

    db, _cases_store = _cases(args)
    with db:
        rows = violator_rows(ViolatorStore(db, _NoAudit()).listed())
    if args.format == "json":
        _write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", args.out)
        return 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(VIOLATOR_COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row[c]) for c in VIOLATOR_COLUMNS])
    _write(buffer.getvalue(), args.out)
    return 0
