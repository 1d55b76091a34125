"""`netsword watchlist check FILE…`: validate watchlist files and summarise them; `netsword watchlist import REGISTER
-o OUT.json`: a trademark register export (CSV/TSV) as a watchlist."""

from __future__ import annotations

import argparse
import sys

from watchlists import load_watchlists


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("watchlist", help="work with watchlist files")
    sub = p.add_subparsers(dest="watchlist_command", metavar="SUBCOMMAND", required=True)
    check = sub.add_parser("check", help="validate files and print a summary, or every problem as file:line")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(func=run_check)
    bulk = sub.add_parser("import", help="a trademark register export (CSV/TSV) as a JSON watchlist")
    bulk.add_argument("register", metavar="REGISTER", help="CSV or TSV: registration number, classes, mark, "
                      "registrant, validity (English or Chinese headers)")  # fmt: skip
    bulk.add_argument("-o", "--out", required=True, metavar="OUT.json", help="the watchlist to write")
    bulk.add_argument("--office", default="", help="the office of every registration (CNIPA, USPTO …)")
    bulk.add_argument("--id-prefix", default="tm-", help="entry ids are PREFIX + r + registration number")
    bulk.set_defaults(func=run_import)


def run_check(args: argparse.Namespace) -> int:
    watchlist = load_watchlists(args.files)  # WatchlistError → exit 2 with every problem
    for source in watchlist.sources:
        tms = sum(1 for e in watchlist.trademarks if e.source == source)
        pats = sum(1 for e in watchlist.patents if e.source == source)
        gis = sum(1 for e in watchlist.geographical_indications if e.source == source)
        works = sum(1 for e in watchlist.works if e.source == source)
        print(f"{source}: ok: {tms} trademarks, {pats} patents, {gis} geographical indications, {works} works")
    print(f"total: {len(watchlist)} entries in {len(watchlist.sources)} files")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from watchlists.register_import import RegisterError, import_register

    try:
        result = import_register(args.register, args.out, office=args.office, id_prefix=args.id_prefix)
    except RegisterError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.register}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return 2
    load_watchlists([result.path])  # the written file is a valid watchlist (WatchlistError → exit 2)
    print(f"{result.path}: {result.entries} trademarks from {args.register}")
    return 0
