"""`netsword alerts preview|send|digest|status|check`: alert mail from the outbox (see docs/alerts.md).

Settings: `[alerts]` and `[smtp]`; the outbox lives in the store's SQLite file (or `<var_dir>/alerts.db`).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from netsword.cli.terminal import printable, printable_block
from netsword.config import Config, load_config

if TYPE_CHECKING:
    from email.message import EmailMessage

EXIT_FAILED = 1  # a message was refused for good (5xx) or ran out of attempts
EXIT_RETRYING = 75  # EX_TEMPFAIL: the server could not be reached or deferred; the messages wait for the next run


def config_of(args: argparse.Namespace) -> Config:
    # Not netsword.cli.common's: that imports the matchers, which `send` and `digest` do not need (start-up time).
    return load_config(getattr(args, "config", None))


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("alerts", help="preview, send and digest alert mail")
    sub = p.add_subparsers(dest="alerts_command", metavar="SUBCOMMAND", required=True)

    def rules_args(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--rules", metavar="FILE", help="alert rules (default: alerts.rules_file)")
        parser.add_argument("--watchlist", action="append", metavar="FILE", help="default: matching.watchlists")

    preview = sub.add_parser("preview", help="render what would be sent; send nothing")
    rules_args(preview)
    preview.add_argument("--from-store", action="store_true",
                         help="apply the rules to the leads already stored, as if each were new")  # fmt: skip
    preview.add_argument("--limit", type=int, default=500, help="with --from-store: at most this many leads")
    preview.add_argument("--out", metavar="DIR", help="also write each message there as an .eml file")
    preview.add_argument("--html", action="store_true", help="print the HTML part instead of the text part")
    preview.set_defaults(func=run_preview)

    send = sub.add_parser("send", help="compose waiting immediate alerts and send every due message")
    send.add_argument("--retry-now", action="store_true", help="do not wait for the backoff of earlier failures")
    send.set_defaults(func=run_send)

    digest = sub.add_parser("digest", help="compose and send the digest of a period")
    digest.add_argument("--period", choices=("hourly", "daily"), required=True)
    digest.add_argument("--at", metavar="HH:MM", help="only daily rules due at this local time")
    digest.set_defaults(func=run_digest)

    status = sub.add_parser("status", help="messages by state, alerts waiting, recent failures, next digests")
    rules_args(status)
    status.set_defaults(func=run_status)

    check = sub.add_parser("check", help="validate the rules file and list the rules in force")
    rules_args(check)
    check.set_defaults(func=run_check)


def _rules(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from alerts.rules import RulesError, rules_for
    from netsword.cli import UsageError
    from netsword.cli.common import load_watchlist

    cfg = config_of(args)
    watchlist = load_watchlist(args.watchlist, cfg)
    try:
        return cfg, watchlist, rules_for(cfg, watchlist, args.rules)
    except RulesError as exc:
        raise UsageError(str(exc)) from None


def _now() -> datetime:
    return datetime.now(UTC)


def run_check(args: argparse.Namespace) -> int:
    _, _, rules = _rules(args)
    for rule in rules.rules:
        how = (
            rule.delivery
            if rule.delivery == "immediate"
            else f"{rule.period} digest{' at ' + rule.at if rule.at else ''}"
        )
        print(f"{rule.id}: score ≥ {rule.min_score}, {how} → {', '.join(rule.to)}")
    print(f"{len(rules.rules)} rules from {rules.source}", file=sys.stderr)
    return 0


def _print_message(message: EmailMessage, html: bool) -> None:
    # Titles in the message are scraped text: no escape sequence of theirs reaches the terminal.
    print(f"To: {message['To']}\nSubject: {printable(str(message['Subject']))}\nMessage-ID: {message['Message-ID']}\n")
    part = message.get_body(("html",) if html else ("plain",))
    print(printable_block(part.get_content()) if part is not None else "")
    print("=" * 78)


def run_preview(args: argparse.Namespace) -> int:
    from alerts.compose import Plan, plan_digest, plan_immediate, plan_items
    from alerts.outbox import Outbox
    from alerts.render import Renderer

    cfg, watchlist, rules = _rules(args)
    renderer = Renderer(cfg)
    now = _now()
    plans: list[Plan] = []
    if args.from_store:
        plans.extend(plan_items(renderer, rules, watchlist, _stored_leads(cfg, rules, args.limit), now))
    else:
        with Outbox.for_config(cfg) as outbox:
            plans.append(plan_immediate(outbox, renderer, now))
            plans.extend(plan_digest(outbox, renderer, period, now) for period in ("hourly", "daily"))
            pending = outbox.due(now, ignore_backoff=True)
        if pending:
            print(f"({len(pending)} messages already composed and waiting to be sent: `netsword alerts status`)",
                  file=sys.stderr)  # fmt: skip
    count = 0
    for plan in plans:
        for planned in plan.messages:
            count += 1
            print(f"[{planned.kind}] {len(planned.items)} alerts")
            _print_message(planned.message, args.html)
            if args.out:
                out = Path(args.out)
                out.mkdir(parents=True, exist_ok=True)
                (out / f"preview-{count:03d}.eml").write_bytes(planned.message.as_bytes())
        if plan.rolled_over:
            print(f"{len(plan.rolled_over)} alerts over their recipient's hourly cap wait for the next digest")
    print(f"{count} messages would be sent; nothing was sent", file=sys.stderr)
    return 0


def _stored_leads(cfg, rules, limit: int):  # type: ignore[no-untyped-def]
    from leads.store import LeadQuery, open_store_from_config

    floor = min((rule.min_score for rule in rules.rules), default=101)
    with open_store_from_config(cfg) as store:
        return store.search(LeadQuery(min_score=floor, limit=limit))


def send_immediate(cfg) -> int:  # type: ignore[no-untyped-def]
    """Compose the waiting immediate alerts and send everything due (what `netsword alerts send` does)."""
    from alerts.compose import compose_immediate

    return _deliver(cfg, lambda outbox, renderer: compose_immediate(outbox, renderer, _now()))


def _deliver(cfg, compose, *, retry_now: bool = False) -> int:  # type: ignore[no-untyped-def]
    from alerts.outbox import Outbox
    from alerts.render import Renderer
    from alerts.sender import flush
    from alerts.transport import transport_for

    with Outbox.for_config(cfg) as outbox:
        plan = compose(outbox, Renderer(cfg))
        report = flush(outbox, transport_for(cfg), cfg, ignore_backoff=retry_now)
    where = f"{cfg.smtp.host}:{cfg.smtp.port}" if cfg.smtp.host else str(cfg.outbox_dir)
    print(f"composed {len(plan.messages)} messages ({len(plan.rolled_over)} alerts rolled over to the next digest); "
          f"sent {report.sent} to {where}, {report.retrying} waiting to retry, {report.failed} failed"
          + (f", {report.claimed_elsewhere} being sent by another sender" if report.claimed_elsewhere else ""),
          file=sys.stderr)  # fmt: skip
    for error in report.errors[:10]:
        print(f"  {error}", file=sys.stderr)
    if report.failed:
        return EXIT_FAILED
    return EXIT_RETRYING if report.retrying else 0


def run_send(args: argparse.Namespace) -> int:
    from alerts.compose import compose_immediate

    cfg = config_of(args)
    compose = lambda outbox, renderer: compose_immediate(outbox, renderer, _now())  # noqa: E731
    return _deliver(cfg, compose, retry_now=args.retry_now)


def run_digest(args: argparse.Namespace) -> int:
    from alerts.compose import compose_digest
    from alerts.rules import _local_time
    from netsword.cli import UsageError

    if args.at:
        try:
            args.at = _local_time(args.at)
        except ValueError as exc:
            raise UsageError(f"--at: {exc}") from None
    cfg = config_of(args)
    return _deliver(cfg, lambda outbox, renderer: compose_digest(outbox, renderer, args.period, _now(), args.at))


def run_status(args: argparse.Namespace) -> int:
    from alerts.outbox import Outbox
    from alerts.render import timezone_of
    from alerts.schedule import digest_times, next_run

    cfg, _, rules = _rules(args)
    tz = timezone_of(cfg)  # a bad time zone is reported before anything is printed
    now = _now()
    with Outbox.for_config(cfg) as outbox:
        counts = outbox.counts()
        waiting = outbox.waiting_counts()
        failed = outbox.messages("failed", limit=10)
        pending = outbox.messages("pending", limit=10)
    print("messages: " + ", ".join(f"{state} {n}" for state, n in counts.items()))
    print("alerts waiting for a message: " + (", ".join(f"{k} {n}" for k, n in sorted(waiting.items())) or "none"))
    for message in pending:
        note = (
            f" — attempt {message.attempts}, next {message.next_attempt_at}: {printable(message.last_error)}"
            if message.attempts
            else ""
        )
        print(f"  pending {message.recipient}: {printable(message.subject)}{note}")
    for message in failed:
        print(f"  failed  {message.recipient}: {printable(message.subject)} — {printable(message.last_error)}")
    for period, at in digest_times(rules):
        print(f"next {period} digest{' at ' + at if at else ''}: {next_run(period, at, now, tz).isoformat()}")
    print(f"{len(rules.rules)} rules from {rules.source}")
    return 0
