"""`netsword cases`: actor networks (build, list, show, hubs) in <var_dir>/cases.db (docs/cases.md)."""

from __future__ import annotations

import argparse
import json

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
        for ident, shops in actors.hubs(limit=args.limit):
            print(f"{shops:>6} shops  {printable(ident)}")
    return 0
