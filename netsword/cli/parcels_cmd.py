"""`netsword parcels`: import or fetch courier manifests, detect ant-moving patterns, show parcels (masked)."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from netsword.cli.common import config_of
from netsword.cli.output import output, to_stdout
from netsword.cli.terminal import printable
from netsword.config import Config

if TYPE_CHECKING:
    from alerts.lead_sink import AlertingSink
    from leads.store import LeadStore
    from matchers import MatchIndex
    from parcels.authorised import ShipperRegister
    from parcels.pii import PiiVault
    from watchlists import Watchlist


# the triage roles (triage.users); parcels.access decides what each may see
ROLES = ("investigator", "supervisor", "rights_holder_viewer")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("parcels", help="parcel manifests: import, detect ant moving, show (masked)")
    sub = p.add_subparsers(dest="parcels_command", metavar="SUBCOMMAND", required=True)

    imp = sub.add_parser("import", help="import a manifest (CSV/JSONL) through a courier column mapping")
    imp.add_argument("file", metavar="FILE")
    _import_options(imp)
    imp.set_defaults(func=run_import)

    fetch = sub.add_parser("fetch", help="download a courier feed over HTTP(S) and import it")
    fetch.add_argument("url", metavar="URL")
    _import_options(fetch)
    fetch.set_defaults(func=run_fetch)

    detect = sub.add_parser("detect", help="resolve shippers and raise ant-moving (parcel_pattern) leads")
    detect.add_argument("--watchlist", action="append", metavar="FILE", help="watchlist file (repeatable)")
    detect.add_argument("--no-alerts", action="store_true", help="do not queue alert emails for the leads stored")
    detect.set_defaults(func=run_detect)

    show = sub.add_parser("show", help="show one parcel, personal data masked unless revealed")
    show.add_argument("waybill")
    show.add_argument("--courier", required=True, metavar="NAME")
    show.add_argument("--role", choices=ROLES,
                      help="masked views: view as investigator (default) or supervisor, both masked; "
                      "rights_holder_viewer is refused; not with --reveal (the account's role decides)")  # fmt: skip
    show.add_argument("--reveal", action="store_true",
                      help="show personal data unmasked: a supervisor account logs in (--user); audited")  # fmt: skip
    show.add_argument("--reason", default="", help="why you reveal (required with --reveal)")
    show.add_argument("--user", metavar="NAME", help="with --reveal: your triage account (netsword users)")
    show.add_argument("--password-stdin", action="store_true", help="with --reveal: read the password from stdin")
    show.set_defaults(func=run_show)

    link = sub.add_parser("link-sellers", help="link marketplace sellers to shippers by contact phone")
    link.add_argument("--listings", required=True, metavar="FILE", help="listings JSONL")
    link.set_defaults(func=run_link_sellers)

    shippers = sub.add_parser("shippers", help="shippers linked to a marketplace seller (masked)")
    shippers.add_argument("--platform", required=True)
    shippers.add_argument("--seller", required=True, metavar="ID")
    shippers.add_argument("--role", default="investigator", choices=ROLES,
                          help="investigator (default) or supervisor see linked shippers, masked; "
                          "rights_holder_viewer is refused")  # fmt: skip
    shippers.set_defaults(func=run_shippers)

    gen = sub.add_parser("generate", help="write a synthetic manifest with planted patterns and ground truth")
    gen.add_argument("--parcels", type=int, default=10000, metavar="N")
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--out", required=True, metavar="FILE", help="manifest CSV (generic courier mapping); -: stdout")
    gen.add_argument("--truth", metavar="FILE", help="ground truth JSON (default: OUT + .truth.json; none for -)")
    gen.add_argument("--shippers", metavar="FILE",
                     help="shipper register of the authorised decoys (default: OUT + .shippers.yaml; none for -)")  # fmt: skip
    gen.set_defaults(func=run_generate)


def _import_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--courier", required=True, metavar="NAME", help="column mapping: sf, ems, generic or your own")
    p.add_argument("--watchlist", action="append", metavar="FILE", help="watchlist file (repeatable)")
    p.add_argument("--no-match", action="store_true", help="store parcels without matching declared contents")
    p.add_argument("--detect", action="store_true", help="run shipper resolution and pattern detection afterwards")
    p.add_argument("--no-alerts", action="store_true", help="do not queue alert emails for the leads stored")


def _do_import(args: argparse.Namespace, cfg: Config, path: Path) -> int:
    from leads.store import open_store_from_config
    from matchers.configured import build_index
    from netsword.cli import UsageError
    from parcels.context import open_parcel_db, vault_of
    from parcels.importer import import_manifest
    from parcels.mapping import MappingError, find_mapping

    try:
        mapping = find_mapping(args.courier, cfg.parcels.couriers_dir)
    except MappingError as exc:
        raise UsageError(str(exc)) from None
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    index = None if args.no_match else build_index(cfg, args.watchlist)
    vault = vault_of(cfg)
    register = _register(cfg, vault)
    if index is not None:
        index = _parcel_index(cfg, index, register)
    store = open_store_from_config(cfg) if index is not None and (cfg.parcels.declared_leads or args.detect) else None
    try:
        with ExitStack() as stack:
            db = stack.enter_context(open_parcel_db(cfg))
            sink = None
            if store is not None and index is not None:
                sink = stack.enter_context(_lead_sink(cfg, store, index.watchlist, alerts=not args.no_alerts))
            try:
                report = import_manifest(path, mapping, db, vault, index=index,
                                         sink=sink if cfg.parcels.declared_leads else None,
                                         min_score=cfg.matching.min_score, register=register)  # fmt: skip
            except MappingError as exc:
                raise UsageError(str(exc)) from None
            except OSError as exc:
                raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
            for error in report.errors:
                print(error, file=sys.stderr)
            if report.bad > len(report.errors):
                print(f"… and {report.bad - len(report.errors)} more bad rows", file=sys.stderr)
            print(f"netsword parcels import: {report.imported} imported, {report.updated} updated, "
                  f"{report.unchanged} unchanged, {report.bad} bad; {report.matched_parcels} parcels matched a "
                  f"watched entry ({report.leads.created} leads created, {report.leads.updated} updated)")  # fmt: skip
            if args.detect:
                _detect(cfg, db, index.watchlist if index else None, sink, register)
    finally:
        if store is not None:
            store.close()
    return 2 if report.bad else 0


def run_import(args: argparse.Namespace) -> int:
    return _do_import(args, config_of(args), Path(args.file))


def run_fetch(args: argparse.Namespace) -> int:
    from parcels.fetch import FetchError, fetch_feed

    cfg = config_of(args)
    try:
        path = fetch_feed(args.url, cfg.var_dir / "parcels" / "feeds", args.courier,
                          timeout=cfg.parcels.fetch_timeout, user_agent=cfg.crawler.user_agent)  # fmt: skip
    except FetchError as exc:
        print(f"netsword: {exc}", file=sys.stderr)
        return 1
    print(f"netsword parcels fetch: saved {path}")
    return _do_import(args, cfg, path)


def _lead_sink(cfg: Config, store: LeadStore, watchlist: Watchlist, *, alerts: bool) -> AlertingSink:
    from alerts.lead_sink import AlertingSink
    from alerts.rules import RulesError
    from netsword.cli import UsageError

    try:
        return AlertingSink(cfg, store, watchlist, alerts=alerts)
    except RulesError as exc:
        raise UsageError(str(exc)) from None


def _register(cfg: Config, vault: PiiVault) -> ShipperRegister | None:
    from netsword.cli import UsageError
    from parcels.authorised import RegisterError
    from parcels.context import shipper_register

    try:
        return shipper_register(cfg, vault)
    except RegisterError as exc:
        raise UsageError(str(exc)) from None


def _parcel_index(cfg: Config, index: MatchIndex, register: ShipperRegister | None) -> MatchIndex:
    from netsword.cli import UsageError
    from parcels.authorised import RegisterError
    from parcels.context import parcel_index

    try:
        return parcel_index(cfg, index, register)
    except RegisterError as exc:
        raise UsageError(str(exc)) from None


def _detect(cfg: Config, db, watchlist, sink, register) -> None:  # type: ignore[no-untyped-def]
    from parcels.context import pattern_settings, vault_of
    from parcels.patterns import detect_patterns
    from parcels.shippers import resolve_shippers

    c = cfg.parcels
    resolved = resolve_shippers(db, vault_of(cfg), threshold=c.link_threshold, max_block=c.max_block,
                                hub_size=c.hub_size, min_shared_receivers=c.min_shared_receivers,
                                register=register)  # fmt: skip
    via = ", ".join(f"{n} by {v}" for v, n in sorted(resolved.by_via.items()))
    print(f"netsword parcels detect: {resolved.senders} senders, {resolved.links} links ({via or 'none'}), "
          f"{resolved.shippers} shippers; {resolved.authorised} senders are authorised shippers")  # fmt: skip
    report = detect_patterns(db, pattern_settings(cfg), watchlist=watchlist, sink=sink, register=register)
    for lead in report.leads:
        print(f"  {lead.score:3d}  {lead.lead_id}  {printable(lead.title)}")
    counts = report.stored.as_dict()
    print(f"netsword parcels detect: {len(report.patterns)} patterns ({counts['created']} new leads, "
          f"{counts['updated']} updated, {counts['unchanged']} unchanged); {report.authorised_parcels} parcels "
          "of authorised shippers left out")  # fmt: skip


def run_detect(args: argparse.Namespace) -> int:
    from leads.store import open_store_from_config
    from matchers.configured import build_index
    from parcels.context import open_parcel_db, vault_of

    cfg = config_of(args)
    index = build_index(cfg, args.watchlist)
    register = _register(cfg, vault_of(cfg))
    if register is not None:
        register.authorise(index.watchlist)  # checks that the entries it names exist
    with (
        open_store_from_config(cfg) as store,
        _lead_sink(cfg, store, index.watchlist, alerts=not args.no_alerts) as sink,
        open_parcel_db(cfg) as db,
    ):
        _detect(cfg, db, index.watchlist, sink, register)
    return 0


def run_show(args: argparse.Namespace) -> int:
    from netsword.cli import UsageError
    from parcels.access import AccessDenied, masked_view
    from parcels.context import open_parcel_db

    cfg = config_of(args)
    if args.reveal:
        view = _reveal(args, cfg)
    else:
        with open_parcel_db(cfg) as db:
            try:
                view = masked_view(db, args.courier, args.waybill, args.role or "investigator")
            except AccessDenied as exc:
                raise UsageError(str(exc)) from None
    if view is None:
        raise UsageError(f"no parcel {args.courier}:{args.waybill}")
    print(json.dumps(view, ensure_ascii=False, indent=1))
    return 0


def _reveal(args: argparse.Namespace, cfg: Config) -> dict[str, object] | None:
    """Reveal for a real account: its password is checked against triage.db, its role decides, the audit chain
    records the reveal (or the refusal) before anything is shown."""
    import getpass

    from netsword.cli import UsageError
    from netsword.private_files import private_umask
    from parcels.access import AccessDenied, reveal
    from parcels.context import open_parcel_db, vault_of
    from triage.audit import open_audit
    from triage.db import TriageDB, triage_db_path
    from triage.users import UserStore

    if args.role:
        raise UsageError("--role: not used with --reveal; the role is your account's (--user)")
    if not args.user:
        raise UsageError("--reveal: needs --user NAME, your triage account (netsword users add)")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.user}: ")
    target = f"parcel:{args.courier}:{args.waybill}"
    private_umask()
    tdb = TriageDB(triage_db_path(cfg.var_dir))
    try:
        audit = open_audit(cfg, tdb)
        user = UserStore(tdb).authenticate(args.user, password)
        if user is None:
            audit.append(args.user, "parcel.reveal.refused", target, None, {"why": "login failed", "via": "cli"})
            raise UsageError(f"--user: wrong user name or password for {args.user!r}")
        with open_parcel_db(cfg) as db:
            try:
                return reveal(db, vault_of(cfg), args.courier, args.waybill, role=user.role, user=user.username,
                              reason=args.reason,
                              record=lambda event: audit.append(user.username, "parcel.reveal", target, None,
                                                                {**event, "via": "cli"}))  # fmt: skip
            except AccessDenied as exc:
                audit.append(user.username, "parcel.reveal.refused", target, None, {"why": str(exc), "via": "cli"})
                raise UsageError(str(exc)) from None
    finally:
        tdb.close()


def run_link_sellers(args: argparse.Namespace) -> int:
    from leads.listings_io import BadLine, read_listings
    from netsword.cli import UsageError
    from parcels.context import open_parcel_db, vault_of
    from parcels.links import link_sellers

    cfg = config_of(args)
    try:
        records = list(read_listings(args.listings))
    except OSError as exc:
        raise UsageError(f"{args.listings}: cannot read: {exc.strerror or exc}") from None
    bad = [r for r in records if isinstance(r, BadLine)]
    for line in bad:
        print(str(line), file=sys.stderr)
    with open_parcel_db(cfg) as db:
        created = link_sellers((r for r in records if not isinstance(r, BadLine)), db, vault_of(cfg))
    print(f"netsword parcels link-sellers: {created} new seller–shipper links, {len(bad)} bad lines")
    return 2 if bad else 0


def run_shippers(args: argparse.Namespace) -> int:
    from netsword.cli import UsageError
    from parcels.access import AccessDenied
    from parcels.context import open_parcel_db
    from parcels.links import shippers_for_seller

    cfg = config_of(args)
    with open_parcel_db(cfg) as db:
        try:
            found = shippers_for_seller(db, args.platform, args.seller, role=args.role)
        except AccessDenied as exc:
            raise UsageError(str(exc)) from None
    for shipper in found:
        print(json.dumps(shipper, ensure_ascii=False))
    return 0


def run_generate(args: argparse.Namespace) -> int:
    from netsword.cli import UsageError
    from parcels.synthetic import generate, write_manifest, write_register, write_truth

    if args.parcels < 100:
        raise UsageError(f"--parcels: must be at least 100, got {args.parcels}")
    rows, plan = generate(args.parcels, args.seed)
    with output(args.out, newline="") as fh:
        write_manifest(rows, fh)
    truth = args.truth or ("" if to_stdout(args.out) else args.out + ".truth.json")
    if truth:
        write_truth(plan, truth)
    shippers = args.shippers or ("" if to_stdout(args.out) else args.out + ".shippers.yaml")
    if shippers:
        write_register(plan, shippers)
    where = "standard output" if to_stdout(args.out) else args.out
    print(f"netsword parcels generate: {len(rows)} parcels, {len(plan.patterns)} planted patterns, "
          f"{len(plan.decoys)} decoys → {where}" + "".join(f", {f}" for f in (truth, shippers) if f),
          file=sys.stderr)  # fmt: skip
    return 0
