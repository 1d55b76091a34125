"""The `netsword` command line. Each command lives in its own module with `register(subparsers)`.

Exit status: 0 on success, 2 on bad input (one-line reason on stderr), 1 on other failure.
"""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
from collections.abc import Sequence

from netsword import __version__

# One module per command group; each defines register(subparsers) and sets `func` on its parsers.
COMMAND_MODULES = (
    "netsword.cli.match_cmd",
    "netsword.cli.rematch_cmd",
    "netsword.cli.watchlist_cmd",
    "netsword.cli.leads_cmd",
    "netsword.cli.store_cmd",  # after leads_cmd: adds `leads copy|reindex|stats`
    "netsword.cli.doctor_cmd",
    "netsword.cli.demo_cmd",
    "netsword.cli.demo_market_cmd",
    "netsword.cli.crawl_cmd",
    "netsword.cli.worker_cmd",
    "netsword.cli.writer_cmd",
    "netsword.cli.profile_cmd",
    "netsword.cli.recheck_cmd",
    "netsword.cli.serve_cmd",
    "netsword.cli.users_cmd",
    "netsword.cli.audit_cmd",
    "netsword.cli.evidence_cmd",
    "netsword.cli.alerts_cmd",
    "netsword.cli.parcels_cmd",
    "netsword.cli.schedule_cmd",
    "netsword.cli.cases_cmd",
    "netsword.cli.registers_cmd",
    "netsword.cli.scorer_cmd",
)


class UsageError(Exception):
    """Bad input from the user: exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netsword", description="Find counterfeit and infringing goods online.")
    parser.add_argument("--version", action="version", version=f"netsword {__version__}")
    parser.add_argument("--config", metavar="FILE", help="configuration file (default: ./netsword.toml if present)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from leads.store.base import StoreError
    from matchers.errors import AdjustmentError, LearnedScorerError, RegisterError, RulesError  # light: no index
    from netsword.config import ConfigError
    from netsword.sqlite_db import DatabaseUnusable
    from watchlists import WatchlistError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UsageError, ConfigError) as exc:
        print(f"netsword: {exc}", file=sys.stderr)
        return 2
    except WatchlistError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    # a register, the rules, a weights file or the adjustments file
    except (RegisterError, RulesError, LearnedScorerError, AdjustmentError) as exc:
        print(f"netsword: {exc}", file=sys.stderr)
        return 2
    except (DatabaseUnusable, StoreError) as exc:  # one line naming the file and what to do
        print(f"netsword: {exc}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:  # damage found in the middle of a command, not when the file was opened
        full = "disk is full" in str(exc)  # SQLITE_FULL: a full disk, not damage
        hint = "free disk space and run again" if full else "run `netsword doctor` to find the damaged file"
        print(f"netsword: database error: {exc}; {hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:
    from netsword.private_files import private_umask

    private_umask()  # databases, evidence, keys and logs are readable by their owner only (docs/security.md)
    sys.exit(main())
