"""Crawl jobs: run `netsword crawl PROFILE` in a child with a time limit, a per-job JOBDIR and figures from its stats.

JOBDIR lives at `<var_dir>/jobs/<job id>/crawl/`. A crawl that finished on its own leaves none behind, so the next run
starts afresh; a crawl stopped by its time limit or by the daemon shutting down keeps it, and the next run resumes
with the same keywords. Figures come from the stats file the crawl keeps up to date as it goes (`--stats-json`:
crawler/extensions/stats_file.py), so a stopped or killed crawl has them too; new leads from the store's count.
"""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from leads.store import LeadQuery, open_store_from_config
from netsword.config import Config
from scheduler.child import netsword_command, run_child
from scheduler.history import FAILED, INTERRUPTED, OK, TIMEOUT, RunFigures
from scheduler.jobs import WATCHLIST_KEYWORDS, CrawlOptions, JobSpec
from watchlists import Watchlist

_PAGE_STATS = ("netsword/search_pages", "netsword/detail_pages")
_ERROR_STATS = ("log_count/ERROR", "netsword/failed_requests", "netsword/malformed_items", "netsword/bad_pages")


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
    for keyword in keywords:
        args += ["--keyword", keyword]
    if options.max_pages:
        args += ["--max-pages", str(options.max_pages)]
    if options.base_url:
        args += ["--base-url", options.base_url]
    if not options.evidence:
        args.append("--no-evidence")
    return CrawlPlan(netsword_command(args, cfg.source), keywords, jobdir, stats_file, resumed)


def read_stats(stats_file: Path) -> dict[str, int]:
    """The crawl's integer stats from its stats file; none when the crawl never got to write it."""
    try:
        data = json.loads(stats_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}


def fill_figures(figures: RunFigures, stats: dict[str, int]) -> None:
    """Pages, listings and errors of a crawl from its stats."""
    figures.pages = sum(stats.get(k, 0) for k in _PAGE_STATS) or stats.get("response_received_count", 0)
    figures.listings = stats.get("netsword/listings_seen", stats.get("item_scraped_count", 0))
    figures.errors = sum(stats.get(k, 0) for k in _ERROR_STATS)


def _lead_count(cfg: Config) -> int:
    with open_store_from_config(cfg) as store:
        return store.count(LeadQuery())


def run_crawl(cfg: Config, spec: JobSpec, watchlist: Watchlist | None, *, log_path: Path, stop: threading.Event,
              figures: RunFigures, hold_fds: tuple[int, ...] = ()) -> tuple[str, str]:  # fmt: skip
    """Run one crawl job; fill `figures`; return (outcome, message)."""
    plan = plan_crawl(cfg, spec, watchlist)
    if not plan.keywords:
        return FAILED, "no keywords: the watchlist gives none and the job lists none"
    before = _lead_count(cfg)
    result = run_child(
        plan.argv,
        log_path=log_path,
        time_limit=spec.time_limit,
        stop=stop,
        grace=cfg.scheduler.stop_grace,
        hold_fds=hold_fds,
    )
    fill_figures(figures, read_stats(plan.stats_file))
    figures.new_leads = max(0, _lead_count(cfg) - before)
    what = f"{len(plan.keywords)} keyword(s){' (resumed)' if plan.resumed else ''}; log {log_path}"
    if result.killed:
        # Keep JOBDIR: the next run resumes where this one stopped.
        figures.notes.append("stopped; the next run resumes from its JOBDIR")
        outcome = TIMEOUT if result.timed_out else INTERRUPTED
        return outcome, f"stopped after {result.seconds:.0f}s ({outcome}); {what}"
    shutil.rmtree(plan.jobdir, ignore_errors=True)  # finished: the next run is a fresh crawl, not a resume
    if result.returncode != 0:
        figures.errors += 1
        return FAILED, f"crawl exited with status {result.returncode}; {what}"
    return OK, what
