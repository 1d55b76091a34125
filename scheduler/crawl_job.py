"""Crawl jobs: run `netsword crawl PROFILE` in a child with a time limit, a per-job JOBDIR and figures from its stats.

JOBDIR lives at `<var_dir>/jobs/<job id>/crawl/`. A crawl that finished leaves none behind, so the next run starts
afresh; a crawl stopped by its time limit or the daemon shutting down keeps it (the next run resumes it with the same
keywords), and so does one killed outright (the next run restarts it under the same crawl run id, which the crawl
keeps in JOBDIR: crawler/extensions/crawl_run.py). The outcome follows the crawl's exit status (docs/crawling.md):
complete → ok, partial → partial (the message lists what was lost), failed or bad input → failed, stopped early →
interrupted, blocked (captcha, login wall, access denied) → blocked. Figures come from the stats file the crawl keeps up to date as it goes (`--stats-json`:
crawler/extensions/stats_file.py) — pages, listings, leads created and updated, errors and pages given up, of this
run's process — read every PROGRESS_SECONDS while it runs and handed to `progress`, so a run whose daemon is killed
keeps what it had reached.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.extensions.crawl_run import FINISHED, read_marker
from crawler.ledger import BLOCKED, COMPLETE, PARTIAL, STOPPED, status_of_exit
from netsword.config import Config
from scheduler.child import netsword_command, run_child
from scheduler.history import BLOCKED as BLOCKED_OUTCOME
from scheduler.history import FAILED, INTERRUPTED, OK, TIMEOUT, RunFigures
from scheduler.history import PARTIAL as PARTIAL_OUTCOME
from scheduler.jobs import WATCHLIST_KEYWORDS, CrawlOptions, JobSpec
from watchlists import Watchlist

_PAGE_STATS = ("netsword/search_pages", "netsword/detail_pages")
_ERROR_STATS = ("log_count/ERROR", "netsword/failed_requests", "netsword/malformed_items", "netsword/bad_pages")
PROGRESS_SECONDS = 1.0  # how often a running crawl's figures are read from its stats file and recorded
_OUTCOMES = {COMPLETE: OK, PARTIAL: PARTIAL_OUTCOME, STOPPED: INTERRUPTED, BLOCKED: BLOCKED_OUTCOME}  # else FAILED


@dataclass(frozen=True)
class CrawlPlan:
    argv: list[str]
    keywords: tuple[str, ...]
    jobdir: Path
    stats_file: Path  # the crawl writes its Scrapy stats here as JSON as it goes and when it ends
    resumed: bool


def job_dir(cfg: Config, job_id: str) -> Path:
    return cfg.var_dir / "jobs" / job_id


def _rotate(words: list[str], state_file: Path, size: int) -> tuple[str, ...]:
    """The next `size` words, continuing where the last run stopped, so every mark is searched over a few runs."""
    if len(words) <= size:
        return tuple(words)
    try:
        offset = int(json.loads(state_file.read_text(encoding="utf-8")).get("offset", 0)) % len(words)
    except (OSError, ValueError, AttributeError):
        offset = 0
    chosen = tuple((words * 2)[offset : offset + size])
    state_file.write_text(json.dumps({"offset": (offset + size) % len(words)}), encoding="utf-8")
    return chosen


def plan_crawl(cfg: Config, spec: JobSpec, watchlist: Watchlist | None) -> CrawlPlan:
    assert isinstance(spec.options, CrawlOptions)
    options = spec.options
    root = job_dir(cfg, spec.id)
    root.mkdir(parents=True, exist_ok=True)
    jobdir = root / "crawl"
    saved = root / "crawl-keywords.json"
    resumed = jobdir.exists() and saved.exists()
    if resumed:  # a stopped crawl resumes with the keywords it was started with
        keywords = tuple(json.loads(saved.read_text(encoding="utf-8")))
    elif options.keywords == WATCHLIST_KEYWORDS:
        words = watchlist.search_keywords(variants=options.variants) if watchlist else []
        keywords = _rotate(words, root / "keyword-rotation.json", options.max_keywords)
    else:
        keywords = tuple(options.keywords)
    saved.write_text(json.dumps(list(keywords), ensure_ascii=False), encoding="utf-8")
    stats_file = root / "crawl-stats.json"
    stats_file.unlink(missing_ok=True)
    args = ["crawl", options.profile, "--jobdir", str(jobdir), "--stats-json", str(stats_file)]
    if options.distributed:  # the run's state is in Redis: a stopped follower's next run follows it again
        args = ["crawl", options.profile, "--distributed", "--stats-json", str(stats_file)]
    for keyword in keywords:
        args += ["--keyword", keyword]
    if options.max_pages:
        args += ["--max-pages", str(options.max_pages)]
    if options.base_url:
        args += ["--base-url", options.base_url]
    if not options.evidence:
        args.append("--no-evidence")
    return CrawlPlan(netsword_command(args, cfg.source), keywords, jobdir, stats_file, resumed)


def read_stats_file(stats_file: Path) -> dict[str, Any]:
    """The crawl's stats file as written; {} when the crawl never got to write it."""
    try:
        data = json.loads(stats_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_stats(stats_file: Path) -> dict[str, int]:
    """The crawl's integer stats from its stats file; none when the crawl never got to write it."""
    data = read_stats_file(stats_file)
    return {k: v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}


def fill_figures(figures: RunFigures, stats: dict[str, int]) -> None:
    """Pages, listings, leads and errors of a crawl from its stats (what this run's process did)."""
    figures.pages = sum(stats.get(k, 0) for k in _PAGE_STATS) or stats.get("response_received_count", 0)
    figures.listings = stats.get("netsword/listings_seen", stats.get("item_scraped_count", 0))
    figures.new_leads = stats.get("netsword/leads_created", 0)
    figures.updated_leads = stats.get("netsword/leads_updated", 0)
    figures.errors = sum(stats.get(k, 0) for k in _ERROR_STATS)


def run_note(run: dict[str, Any]) -> str:
    """The crawl run in a few words: status, attempt, what was lost (the first losses; the log has them all)."""
    if not run:
        return ""
    totals = run.get("totals") or {}
    note = f"crawl {run.get('status', '?')}, run {run.get('run_id', '?')} attempt {run.get('attempt', 1)}"
    if run.get("restarted"):
        note += " (restarted after an unclean stop)"
    note += f": {totals.get('stored', 0)} listings stored, {totals.get('pages_given_up', 0)} result pages given up"
    lost = [str(line) for line in run.get("lost") or []]
    if lost:
        note += f"; lost: {' | '.join(lost[:5])}" + (f" (+{len(lost) - 5} more)" if len(lost) > 5 else "")
    return note


def _watch(stats_file: Path, progress: Callable[[RunFigures], None], done: threading.Event) -> None:
    """Until `done`: read the crawl's figures every PROGRESS_SECONDS and hand them to `progress`."""
    while not done.wait(PROGRESS_SECONDS):
        data = read_stats_file(stats_file)
        if not data:
            continue
        figures = RunFigures()
        fill_figures(figures, read_stats(stats_file))
        figures.notes.append(run_note(data.get("crawl") or {}))
        try:
            progress(figures)
        except Exception:  # noqa: BLE001 - figures so far are a courtesy; the run goes on without them
            continue


def run_crawl(cfg: Config, spec: JobSpec, watchlist: Watchlist | None, *, log_path: Path, stop: threading.Event,
              figures: RunFigures, hold_fds: tuple[int, ...] = (),
              progress: Callable[[RunFigures], None] | None = None) -> tuple[str, str]:  # fmt: skip
    """Run one crawl job; fill `figures` (and hand them to `progress` as the crawl goes); return (outcome, message)."""
    plan = plan_crawl(cfg, spec, watchlist)
    if not plan.keywords:
        return FAILED, "no keywords: the watchlist gives none and the job lists none"
    done = threading.Event()
    watcher = None
    if progress is not None:
        watcher = threading.Thread(target=_watch, args=(plan.stats_file, progress, done), daemon=True,
                                   name=f"netsword-progress-{spec.id}")  # fmt: skip
        watcher.start()
    try:
        result = run_child(plan.argv, log_path=log_path, time_limit=spec.time_limit, stop=stop,
                           grace=cfg.scheduler.stop_grace, hold_fds=hold_fds)  # fmt: skip
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    data = read_stats_file(plan.stats_file)
    fill_figures(figures, read_stats(plan.stats_file))
    run = data.get("crawl") or {}
    figures.errors += int((run.get("totals") or {}).get("pages_given_up", 0))
    what = f"{len(plan.keywords)} keyword(s){' (resumed)' if plan.resumed else ''}; log {log_path}"
    note = run_note(run)
    if result.killed:
        # Keep JOBDIR: the next run resumes where this one stopped (or restarts, had the crawl no time to close).
        figures.notes.append("stopped; the next run resumes from its JOBDIR")
        outcome = TIMEOUT if result.timed_out else INTERRUPTED
        return outcome, "; ".join(filter(None, [f"stopped after {result.seconds:.0f}s ({outcome})", note, what]))
    if read_marker(plan.jobdir).get("state") == FINISHED:
        shutil.rmtree(plan.jobdir, ignore_errors=True)  # finished: the next run is a fresh crawl, not a resume
    if result.returncode < 0:  # killed by someone else (out of memory, an operator): JOBDIR says to restart
        figures.errors += 1
        return FAILED, "; ".join(filter(None, [f"crawl killed by signal {-result.returncode}; the next run "
                                                "restarts it from its JOBDIR", note, what]))  # fmt: skip
    outcome = _OUTCOMES.get(status_of_exit(result.returncode), FAILED)
    if outcome == FAILED:
        figures.errors += 1
        return FAILED, "; ".join(filter(None, [f"crawl exited with status {result.returncode}", note, what]))
    return outcome, "; ".join(filter(None, [note, what]))
