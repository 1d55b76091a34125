"""`netsword audit verify|anchor|seal`: check the triage audit trail's keyed hash chain (exit 1 when anything was
edited, deleted or cut off), print an anchor to keep elsewhere, and seal a trail written before keyed audit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from netsword.cli.common import config_of
from netsword.private_files import private_umask


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("audit", help="check the triage audit trail")
    sub = p.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    verify = sub.add_parser("verify", help="recompute the keyed hash chain and report edits, gaps and truncation")
    verify.add_argument("--anchor", metavar="ANCHOR",
                        help="an anchor printed by `netsword audit anchor` (the line, or a file holding it)")  # fmt: skip
    verify.set_defaults(func=run_verify)
    anchor = sub.add_parser("anchor", help="record and print an anchor (entry number and hash) to keep off this machine")
    anchor.set_defaults(func=run_anchor)
    seal = sub.add_parser("seal", help="key a trail written before keyed audit (appends an audit.keyed entry)")
    seal.set_defaults(func=run_seal)


def _anchor_of(text: str):  # type: ignore[no-untyped-def]
    from netsword.cli import UsageError
    from triage.audit import parse_anchor

    path = Path(text)
    if not text.startswith("ns-audit-anchor:") and path.is_file():
        text = path.read_text(encoding="utf-8")
    try:
        return parse_anchor(text)
    except ValueError as exc:
        raise UsageError(f"--anchor: {exc}") from None


def run_verify(args: argparse.Namespace) -> int:
    from netsword.keys import AUDIT, load_key
    from triage.audit import AuditLog, head_file_of
    from triage.db import TriageDB, triage_db_path

    cfg = config_of(args)
    anchor = _anchor_of(args.anchor) if args.anchor else None
    path = triage_db_path(cfg.var_dir)
    head = head_file_of(path)
    if not path.exists():
        if anchor is not None or head.exists():
            known = f"the anchor names entry {anchor.seq}" if anchor else f"{head} records written entries"
            print(f"{path}: no such file, but {known}: the audit trail was deleted", file=sys.stderr)
            print("audit trail BROKEN: deleted", file=sys.stderr)
            return 1
        print(f"netsword: {path}: no audit trail yet (nothing to verify)")
        return 0
    key = load_key(cfg, AUDIT)  # never made here: a missing key is an error, not a fresh start
    db = TriageDB(path)
    try:
        report = AuditLog(db, key, head).verify(anchor)
    finally:
        db.close()
    for problem in report.problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if not report.ok:
        print(f"audit trail BROKEN: {len(report.problems)} problem(s) in {report.entries} entries", file=sys.stderr)
        return 1
    checked = f", up to the anchor at entry {anchor.seq}" if anchor else ""
    print(f"audit trail intact: {report.entries} entries{checked}")
    if anchor is None:
        print("netsword: without --anchor a cut-off tail or a deleted trail cannot be seen; "
              "keep `netsword audit anchor` lines elsewhere", file=sys.stderr)  # fmt: skip
    return 0


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from triage.audit import open_audit
    from triage.db import TriageDB, triage_db_path

    private_umask()
    cfg = config_of(args)
    db = TriageDB(triage_db_path(cfg.var_dir))
    try:
        return db, open_audit(cfg, db)
    except BaseException:
        db.close()
        raise


def run_anchor(args: argparse.Namespace) -> int:
    db, log = _open(args)
    try:
        report = log.verify()
        if not report.ok:
            for problem in report.problems:
                print(f"{db.path}: {problem}", file=sys.stderr)
            print("netsword: no anchor for a broken trail", file=sys.stderr)
            return 1
        anchor = log.anchor("cli")
    finally:
        db.close()
    print(anchor)
    print("netsword: keep this line off this machine (print it, mail it); check later with "
          "netsword audit verify --anchor LINE", file=sys.stderr)  # fmt: skip
    return 0


def run_seal(args: argparse.Namespace) -> int:
    db, log = _open(args)
    try:
        sealed = log.seal("cli")
    finally:
        db.close()
    print(f"netsword audit seal: {sealed} entries written before keyed audit sealed" if sealed
          else "netsword audit seal: nothing to seal")  # fmt: skip
    return 0
