"""`netsword schedule run|list|status|run-now JOB`: the scheduler daemon and its jobs (see docs/scheduling.md)."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from datetime import datetime
from typing import Any

from netsword.cli import UsageError
from netsword.cli.common import config_of
from netsword.config import Config


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("schedule", help="run crawls, re-checks and digests on a schedule")
    sub = p.add_subparsers(dest="schedule_command", metavar="SUBCOMMAND", required=True)

    def jobs_arg(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--jobs", metavar="FILE", help="jobs file (default: scheduler.jobs_file)")

    run = sub.add_parser("run", help="the daemon: run jobs on time until SIGTERM or Ctrl-C")
    jobs_arg(run)
    run.set_defaults(func=run_daemon)
    lst = sub.add_parser("list", help="the jobs in the jobs file and their next run")
    jobs_arg(lst)
    lst.set_defaults(func=run_list)
    status = sub.add_parser("status", help="whether the daemon runs, and the latest runs with their figures")
    status.add_argument("--limit", type=int, default=20)
    status.add_argument("--job", metavar="JOB", help="only this job's runs")
    status.add_argument("--json", action="store_true", help="the runs as JSON lines")
    status.set_defaults(func=run_status)
    now = sub.add_parser("run-now", help="run one job once, now, in the foreground")
    jobs_arg(now)
    now.add_argument("job", metavar="JOB")
    now.set_defaults(func=run_now)


def _specs(args: argparse.Namespace, cfg: Config) -> list[Any]:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from scheduler.jobs_loader import JobsFileError, load_jobs

    try:
        ZoneInfo(cfg.scheduler.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"scheduler.timezone: unknown time zone {cfg.scheduler.timezone!r}") from None
    if cfg.scheduler.workers < 1:
        raise UsageError(f"scheduler.workers: must be at least 1, got {cfg.scheduler.workers}")

    path = args.jobs or cfg.scheduler.jobs_file
    if not path:
        raise UsageError(
            "no jobs file: set scheduler.jobs_file or pass --jobs FILE (example: scheduler/samples/jobs.yaml)"
        )
    try:
        return load_jobs(path)
    except JobsFileError as exc:
        for problem in exc.problems[:-1]:
            print(problem, file=sys.stderr)
        raise UsageError(exc.problems[-1]) from None


def _stop_on_signals(event: threading.Event) -> None:
    def handler(signum: int, _frame: object) -> None:
        logging.getLogger("netsword.scheduler").info("received %s: stopping", signal.Signals(signum).name)
        event.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s", stream=sys.stderr)


def run_daemon(args: argparse.Namespace) -> int:
    from scheduler.lock import LockHeld
    from scheduler.service import SchedulerDaemon

    cfg = config_of(args)
    specs = _specs(args, cfg)
    _logging()
    shutdown = threading.Event()
    _stop_on_signals(shutdown)
    daemon = SchedulerDaemon(cfg, specs)
    try:
        daemon.serve(shutdown)
    except LockHeld as exc:
        print(f"netsword: {exc}", file=sys.stderr)
        return 1
    return 0


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %Z") if value else "—"


def run_list(args: argparse.Namespace) -> int:
    from scheduler.jobstore import stored_next_runs  # not scheduler.service: the runners load Scrapy, the index

    cfg = config_of(args)
    specs = _specs(args, cfg)
    next_runs = stored_next_runs(cfg)
    for spec in specs:
        state = "" if spec.enabled else "  (disabled)"
        when = _when(next_runs.get(spec.id)) if spec.id in next_runs else "not scheduled yet (start the daemon)"
        print(f"{spec.id}\t{spec.kind}\t{spec.schedule.describe()}\tnext: {when}{state}")
        if spec.describe_options():
            print(f"\t{spec.describe_options()}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from scheduler.history import recent_runs
    from scheduler.lock import lock_holder, lock_path  # not scheduler.service: APScheduler, SQLAlchemy, the runners

    cfg = config_of(args)
    runs = recent_runs(cfg, args.limit, args.job)
    if args.json:
        for run in runs:
            print(json.dumps(run.to_dict(), ensure_ascii=False))
        return 0
    holder = lock_holder(lock_path(cfg))
    print(f"daemon: {'running, ' + holder if holder else 'not running'}")
    if not runs:
        print("no runs recorded yet")
        return 0
    print("started                   job                  outcome      pages listings new-leads errors  message")
    for run in runs:
        print(
            f"{run.started_at:<25} {run.job_id[:20]:<20} {run.outcome:<12} {run.pages:>5} {run.listings:>8} "
            f"{run.new_leads:>9} {run.errors:>6}  {run.message[:100]}"
        )
    return 0


def run_now(args: argparse.Namespace) -> int:
    from scheduler.history import OK, RunHistory
    from scheduler.runner import JobBusy, JobRunner

    cfg = config_of(args)
    specs = {spec.id: spec for spec in _specs(args, cfg)}
    if args.job not in specs:
        raise UsageError(f"{args.job}: no such job (jobs: {', '.join(specs)})")
    _logging()
    stop = threading.Event()
    _stop_on_signals(stop)
    history = RunHistory.for_config(cfg)
    try:
        record = JobRunner(cfg, specs, history, stop).run(args.job, trigger="run-now")
    except JobBusy as exc:
        print(f"netsword: {exc}", file=sys.stderr)
        return 1
    finally:
        history.close()
    print(f"{record.job_id}: {record.outcome}; pages {record.pages}, listings {record.listings}, "
          f"new leads {record.new_leads}, errors {record.errors}; {record.message}")  # fmt: skip
    return 0 if record.outcome == OK else 1
