"""`netsword audit verify`: check the triage audit trail's hash chain; exit 1 when anything was edited or deleted."""

from __future__ import annotations

import argparse
import sys

from netsword.cli.common import config_of


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("audit", help="check the triage audit trail")
    sub = p.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    verify = sub.add_parser("verify", help="recompute the hash chain and report edits, gaps and truncation")
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from triage.audit import verify_chain
    from triage.db import TriageDB, triage_db_path

    path = triage_db_path(config_of(args).var_dir)
    if not path.exists():
        print(f"netsword: {path}: no audit trail yet (nothing to verify)")
        return 0
    db = TriageDB(path)
    try:
        report = verify_chain(db, path.parent / "triage-audit.head")
    finally:
        db.close()
    for problem in report.problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if not report.ok:
        print(f"audit trail BROKEN: {len(report.problems)} problem(s) in {report.entries} entries", file=sys.stderr)
        return 1
    print(f"audit trail intact: {report.entries} entries")
    return 0
