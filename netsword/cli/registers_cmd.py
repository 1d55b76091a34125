"""`netsword registers …`: import offline register exports of regulated goods, list them, check a number.

import FILE --regime R   read a CSV/TSV export (number, product, holder, validity, status, scope) and replace the
                        regime's register under <var_dir>/registers/ (atomically; run it again to refresh)
list                    every regime, its number's forms and the register imported for it
check TEXT              what the regulated-goods checks say about a listing titled TEXT (exit 1: a lead)
remove R                forget a regime's register
docs/regulated-goods.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import date

from matchers.errors import RegisterError
from netsword.cli.common import config_of
from netsword.models import Listing

SHOW_PROBLEMS = 20


class RegimeIds:
    """The regime ids of the bundled rules as argparse `choices`, read when argparse first looks at them (a value to
    check, a usage line), not when the parser is built: every `netsword` command builds it, and reading the rules
    loads the regulated-goods checks (benchmarks/startup.py)."""

    def _ids(self) -> list[str]:
        from matchers.regulated import load_rules

        return [r.id for r in load_rules().regimes]

    def __contains__(self, value: object) -> bool:
        return value in self._ids()

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids())


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("registers", help="licence registers of regulated goods (drugs, pesticides, food, CCC …)")
    sub = p.add_subparsers(dest="registers_command", metavar="SUBCOMMAND", required=True)
    regimes = RegimeIds()
    imp = sub.add_parser("import", help="import a register export (CSV/TSV) for one regime, replacing the last one")
    imp.add_argument("file", metavar="FILE")
    # a metavar, as a list of choices in the usage line would read the rules; %(choices)s is filled in by --help
    imp.add_argument("--regime", required=True, choices=regimes, metavar="REGIME", help="one of %(choices)s")
    imp.add_argument("--partial", action="store_true",
                     help="the export is not the whole register (one holder, one province): numbers missing from it "
                          "are not leads")  # fmt: skip
    imp.add_argument("--keep-bad-rows", action="store_true", help="import the good rows even when some are refused")
    imp.add_argument("--dry-run", action="store_true", help="check the export, write nothing")
    imp.set_defaults(func=run_import)
    lst = sub.add_parser("list", help="regimes, their number forms and imported registers")
    lst.set_defaults(func=run_list)
    chk = sub.add_parser("check", help="what the checks say about a listing with this title (and description)")
    chk.add_argument("text", metavar="TEXT")
    chk.add_argument("--description", default="")
    chk.add_argument("--category", default="")
    chk.add_argument("--date", default="", metavar="YYYY-MM-DD", help="the day the listing was seen (default today)")
    chk.set_defaults(func=run_check)
    rm = sub.add_parser("remove", help="forget a regime's imported register")
    rm.add_argument("regime", choices=regimes, metavar="REGIME", help="one of %(choices)s")
    rm.set_defaults(func=run_remove)


def run_import(args: argparse.Namespace) -> int:
    from matchers.regulated.configured import configured_registers_dir
    from matchers.regulated.register_files import import_export

    cfg = config_of(args)
    try:
        result = import_export(args.file, args.regime, configured_registers_dir(cfg), complete=not args.partial,
                               keep_bad_rows=args.keep_bad_rows, dry_run=args.dry_run)  # fmt: skip
    except RegisterError as exc:
        print(f"netsword: {exc}", file=sys.stderr)
        return 2
    report = result.report
    for line in report.problems[:SHOW_PROBLEMS] + report.warnings[:SHOW_PROBLEMS]:
        print(line)
    hidden = max(0, len(report.problems) - SHOW_PROBLEMS) + max(0, len(report.warnings) - SHOW_PROBLEMS)
    if hidden:
        print(f"… and {hidden} more")
    if report.ignored_columns:
        print(f"columns not used: {', '.join(report.ignored_columns)}")
    records = len(report.register.records)
    coverage = "a partial register" if args.partial else "the complete register"
    summary = (f"{args.regime}: {report.rows} rows, {records} numbers, {len(report.problems)} rows refused, "
               f"{len(report.warnings)} warnings ({result.encoding}; {coverage})")  # fmt: skip
    if result.written:
        was = (
            f", replacing {len(result.replaced.records)} numbers from {result.replaced.source}"
            if result.replaced
            else ""
        )
        print(f"{summary}; written to {result.path}{was}")
        return 0
    if args.dry_run:
        print(f"{summary}; dry run: nothing written")
        return 0 if not report.problems else 2
    why = "no rows could be read" if not records else "rows were refused (--keep-bad-rows imports the others)"
    print(f"{summary}; nothing written: {why}")
    return 2


def run_list(args: argparse.Namespace) -> int:
    from matchers.regulated import load_rules
    from matchers.regulated.configured import configured_registers_dir
    from matchers.regulated.register_files import load_registers

    cfg = config_of(args)
    snapshot = load_registers(configured_registers_dir(cfg))
    for regime in load_rules().regimes:
        register = snapshot.get(regime.id)
        state = "no register imported (numbers are checked for their form only)"
        if register:
            coverage = "complete" if register.complete else "partial"
            state = (f"{len(register.records)} numbers ({coverage}) from {register.source}, imported "
                     f"{register.imported_at}")  # fmt: skip
        print(f"{regime.id}: {regime.name.zh} / {regime.name.en} — {regime.number.zh}: {state}")
        for form in regime.forms:
            print(f"    {form.name}" + (f" (retired {form.retired.since})" if form.retired else ""))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from matchers.regulated import RegulatedChecks
    from matchers.regulated.configured import configured_registers

    cfg = config_of(args)
    try:
        seen = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        print(f"netsword: --date: not a date such as 2026-11-30, got {args.date!r}", file=sys.stderr)
        return 2
    checks = RegulatedChecks(configured_registers(cfg))
    listing = Listing.from_dict({"id": "check", "platform": "check", "url": "check", "title": args.text,
                                 "description": args.description, "category": args.category,
                                 "crawled_at": f"{seen.isoformat()}T00:00:00Z"})  # fmt: skip
    hits = checks.match(listing)
    if not hits:
        print("nothing to report: no regulated goods without a number, and every number stated is fine")
    for hit in hits:
        lead = "a lead" if hit.score >= cfg.matching.min_score else "below the lead threshold (monitored)"
        print(f"{hit.kind} {hit.entry_id} score {hit.score:g} ({lead}): {hit.matched}")
        for reason in hit.reasons:
            print(f"  {reason.code}: {reason.detail}")
    # as grep: 0 nothing that would be a lead, 1 a lead (a crawl would store it), 2 a usage or register error
    return 1 if any(hit.score >= cfg.matching.min_score for hit in hits) else 0


def run_remove(args: argparse.Namespace) -> int:
    from matchers.regulated.configured import configured_registers_dir
    from matchers.regulated.register_files import remove_register

    cfg = config_of(args)
    if remove_register(configured_registers_dir(cfg), args.regime):
        print(f"{args.regime}: register removed")
        return 0
    print(f"{args.regime}: no register imported")
    return 0
