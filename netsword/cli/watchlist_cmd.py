"""`netsword watchlist check FILE…`: validate watchlist files and summarise them."""

from __future__ import annotations

import argparse

from watchlists import load_watchlists


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("watchlist", help="work with watchlist files")
    sub = p.add_subparsers(dest="watchlist_command", metavar="SUBCOMMAND", required=True)
    check = sub.add_parser("check", help="validate files and print a summary, or every problem as file:line")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    watchlist = load_watchlists(args.files)  # WatchlistError → exit 2 with every problem
    for source in watchlist.sources:
        tms = sum(1 for e in watchlist.trademarks if e.source == source)
        pats = sum(1 for e in watchlist.patents if e.source == source)
        gis = sum(1 for e in watchlist.geographical_indications if e.source == source)
        print(f"{source}: ok: {tms} trademarks, {pats} patents, {gis} geographical indications")
    print(f"total: {len(watchlist)} entries in {len(watchlist.sources)} files")
    return 0
