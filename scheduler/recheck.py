"""Re-check jobs: run `netsword recheck` (the crawl machinery's re-check spider) in a child, figures from its stats.

The child stops taking listings at its soft time limit (see soft_time_limit), lets what is in flight finish and
ends by itself, leaving the listings it did not reach for the next run, which starts with the longest unchecked; the
job's hard limit, and the daemon stopping, end it with SIGTERM (Scrapy closes gracefully). Figures come from the
stats file the child writes as it goes, so even a killed run reports what it did.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from crawler.recheck_figures import RecheckFigures
from netsword.config import Config
from scheduler.child import netsword_command, run_child
from scheduler.crawl_job import job_dir
from scheduler.history import FAILED, INTERRUPTED, OK, TIMEOUT, RunFigures
from scheduler.jobs import JobSpec, RecheckOptions

STOPPED_EARLY = ("closespider_timeout", "shutdown")  # Scrapy's finish reasons for a run that did not get to the end


def soft_time_limit(time_limit: float, request_timeout: float) -> float:
    """Seconds after the spider opens when it stops taking listings: at 90 % of the job's time limit, and early
    enough (a request's timeout and 10 s for start-up and closing) to end by itself, but never before half of it."""
    margin = min(time_limit / 2, max(time_limit * 0.1, request_timeout + 10.0))
    return max(1.0, time_limit - margin)


def recheck_args(options: RecheckOptions, *, stats_file: Path, time_limit: float) -> list[str]:
    """`netsword recheck` arguments for a job's options."""
    soft = soft_time_limit(time_limit, options.timeout)
    args = ["recheck", "--stats-file", str(stats_file), "--time-limit", f"{soft:g}"]
    args += ["--limit", str(options.limit), "--delay", f"{options.delay:g}", "--timeout", f"{options.timeout:g}"]
    args += ["--max-bytes", str(options.max_bytes)]
    for status in options.statuses:
        args += ["--status", status]
    for platform in options.platforms:
        args += ["--platform", platform]
    for profile in options.profiles:
        args += ["--profile", profile]
    if options.base_url:
        args += ["--base-url", options.base_url]
    if options.include_taken_down:
        args.append("--include-taken-down")
    return args


def read_stats_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def run_recheck(cfg: Config, spec: JobSpec, *, log_path: Path, stop: threading.Event, figures: RunFigures,
                hold_fds: tuple[int, ...] = ()) -> tuple[str, str]:  # fmt: skip
    """Run one re-check job; fill `figures`; return (outcome, message)."""
    assert isinstance(spec.options, RecheckOptions)
    root = job_dir(cfg, spec.id)
    root.mkdir(parents=True, exist_ok=True)
    stats_file = root / "recheck-stats.json"
    stats_file.unlink(missing_ok=True)
    args = recheck_args(spec.options, stats_file=stats_file, time_limit=spec.time_limit)
    result = run_child(netsword_command(args, cfg.source), log_path=log_path, time_limit=spec.time_limit, stop=stop,
                       grace=cfg.scheduler.stop_grace, hold_fds=hold_fds)  # fmt: skip
    stats = read_stats_file(stats_file)
    found = RecheckFigures.from_stats(stats)
    figures.pages, figures.listings = found.pages, found.listings
    figures.updated_leads, figures.errors = found.leads_updated, found.errors
    if result.killed or found.finish_reason in STOPPED_EARLY:
        why = "stopped by shutdown" if result.stopped or found.finish_reason == "shutdown" else "time limit reached"
        figures.notes.append(f"{why}: {found.left} listing(s) left for the next run")
    if result.killed:
        outcome = TIMEOUT if result.timed_out else INTERRUPTED
    elif result.returncode != 0 and found.finish_reason != "shutdown":
        figures.errors += 1
        figures.notes.append(f"`netsword recheck` exited with status {result.returncode}; log {log_path}")
        outcome = FAILED
    else:
        outcome = INTERRUPTED if found.finish_reason == "shutdown" else OK
    if not stats:
        figures.notes.append(f"no figures: {stats_file} was not written")
    return outcome, "; ".join([found.summary(), *figures.notes[:5]])
