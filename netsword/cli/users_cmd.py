"""`netsword users add|passwd|disable|enable|list`: triage UI accounts in <var_dir>/triage.db.

Passwords are read from the terminal (twice) or, for scripts, from standard input with --password-stdin; they must
be at least 10 characters and reach `triage.min_password_score` (zxcvbn).
"""

from __future__ import annotations

import argparse
import sys

from netsword.cli.common import config_of
from netsword.private_files import private_umask


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("users", help="manage triage UI accounts")
    sub = p.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=("investigator", "supervisor", "rights_holder_viewer"))
    add.add_argument("--owner", action="append", default=[], help="viewer scope: a rights holder's name (repeatable)")
    add.add_argument("--entry", action="append", default=[], help="viewer scope: a watchlist entry id (repeatable)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=run_add)
    pw = sub.add_parser("passwd", help="set a new password (ends the user's sessions)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    pw.set_defaults(func=run_passwd)
    for name, helptext in (("disable", "block an account and end its sessions"), ("enable", "unblock an account")):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("username")
        cmd.set_defaults(func=run_disable, disabled=name == "disable")
    lst = sub.add_parser("list", help="one line per account")
    lst.set_defaults(func=run_list)


def _password(args: argparse.Namespace) -> str:
    import getpass

    from netsword.cli import UsageError

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise UsageError("password: the two entries differ")
    return first


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from triage.audit import open_audit
    from triage.db import TriageDB, triage_db_path
    from triage.users import UserStore

    private_umask()
    cfg = config_of(args)
    db = TriageDB(triage_db_path(cfg.var_dir))
    try:
        return db, UserStore(db, min_score=cfg.triage.min_password_score), open_audit(cfg, db)
    except BaseException:
        db.close()
        raise


def _guard(action):  # type: ignore[no-untyped-def]
    """Turn a UserError into exit status 2 with its one-line message."""
    from netsword.cli import UsageError
    from triage.users import UserError

    try:
        return action()
    except UserError as exc:
        raise UsageError(str(exc)) from None


def run_add(args: argparse.Namespace) -> int:
    password = _password(args)
    db, users, audit = _open(args)
    try:
        user = _guard(lambda: users.add(args.username, password, args.role, owners=tuple(args.owner),
                                        entries=tuple(args.entry)))  # fmt: skip
        audit.append("cli", "user.add", "user:" + user.username, None,
                     {"role": user.role, "owners": list(user.scope_owners), "entries": list(user.scope_entries)})  # fmt: skip
    finally:
        db.close()
    print(f"added {user.username} ({user.role})")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    password = _password(args)
    db, users, audit = _open(args)
    try:
        _guard(lambda: users.set_password(args.username, password))
        audit.append("cli", "user.passwd", "user:" + args.username)
    finally:
        db.close()
    print(f"password changed for {args.username}")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    db, users, audit = _open(args)
    try:
        before = users.get(args.username)
        _guard(lambda: users.set_disabled(args.username, args.disabled))
        audit.append("cli", "user.disable" if args.disabled else "user.enable", "user:" + args.username,
                     {"disabled": before.disabled if before else None}, {"disabled": args.disabled})  # fmt: skip
    finally:
        db.close()
    print(f"{'disabled' if args.disabled else 'enabled'} {args.username}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    db, users, _ = _open(args)
    try:
        for user in users.list():
            scope = ", ".join(user.scope_owners + user.scope_entries)
            state = "disabled" if user.disabled else "active"
            print(f"{user.username:20s} {user.role:22s} {state:8s} {scope}")
    finally:
        db.close()
    return 0
