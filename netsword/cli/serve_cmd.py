"""`netsword serve [--host H] [--port P]`: run the triage web UI (settings: the [triage] section)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from netsword.cli.common import config_of
from netsword.private_files import private_umask


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="run the triage web UI")
    p.add_argument("--host", help="address to listen on (default: triage.host)")
    p.add_argument("--port", type=int, help="port (default: triage.port)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from triage.server import serve

    private_umask()  # databases, evidence and keys the server creates are its account's alone
    cfg = config_of(args)
    host, port = args.host or cfg.triage.host, args.port or cfg.triage.port
    print(f"netsword: triage UI on http://{host}:{port}/ (users: netsword users add …)")
    serve(cfg, host, port, run_history=scheduled_runs(cfg))
    return 0


def scheduled_runs(cfg: Any) -> Callable[[int], list[Any]]:
    """The scheduler's run history for the triage UI's runs page (triage sits below scheduler)."""
    from scheduler.history import recent_runs

    return lambda limit: recent_runs(cfg, limit)
