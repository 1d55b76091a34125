"""A re-check that runs out of time or is stopped keeps what it read, says how many listings are left, and the next
run starts with those: the longest unchecked first."""

from __future__ import annotations

import threading
from typing import Any

from leads.store import LeadQuery, open_store
from netsword.config import Config
from scheduler.history import RunHistory, RunRecord
from scheduler.jobs_loader import parse_jobs
from scheduler.recheck import soft_time_limit
from scheduler.runner import JobRunner
from tests.scheduler.helpers import seed_leads_at

SEEDED = "2026-01-01T00:00:00Z"


def run_job(cfg: Config, market: Any, options: str, stop: threading.Event | None = None) -> RunRecord:
    text = (
        "jobs:\n  - {id: recheck, kind: recheck, every: 1h, platforms: [demo-static], "
        f"base_url: '{market.url}', {options}}}\n"
    )
    history = RunHistory.for_config(cfg)
    try:
        specs = {spec.id: spec for spec in parse_jobs(text)}
        return JobRunner(cfg, specs, history, stop or threading.Event()).run("recheck", trigger="run-now")
    finally:
        history.close()


def unchecked(cfg: Config) -> set[str]:
    with open_store(cfg.store_url) as store:
        return {lead.url for lead in store.iter_leads(LeadQuery(limit=0)) if lead.last_seen == SEEDED}


def seed(cfg: Config, market: Any, count: int) -> None:
    rows = [row for row in market.ground_truth() if row["platform"] == "demo-static"][:count]
    seed_leads_at(cfg, [f"{market.url}/static/item/{row['listing_id']}" for row in rows])


def test_soft_time_limit_leaves_room_to_finish() -> None:
    assert soft_time_limit(1800, 15) == 1620  # 90 %
    assert soft_time_limit(60, 15) == 35  # a request's timeout and 10 s before the hard limit
    assert soft_time_limit(10, 15) == 5  # never before half of it


def test_time_limit_leaves_the_rest_for_the_next_run_which_starts_with_them(fresh_market: Any, cfg: Config) -> None:
    seed(cfg, fresh_market, 40)
    first = run_job(cfg, fresh_market, "delay: 0.5s, timeout: 2s, time_limit: 20s")  # ~10 s of re-checking
    assert first.outcome == "ok", first.message
    left = unchecked(cfg)
    assert 0 < len(left) < 40 and first.listings == 40 - len(left)
    assert f"time limit reached: {len(left)} listing(s) left for the next run" in first.message

    second = run_job(cfg, fresh_market, "delay: 0, limit: 5")
    assert second.outcome == "ok" and second.listings == 5, second.message
    assert len(left - unchecked(cfg)) == 5  # the five it took were all from those the first run left


def test_a_stopped_recheck_is_interrupted_and_keeps_what_it_read(fresh_market: Any, cfg: Config) -> None:
    seed(cfg, fresh_market, 30)
    stop = threading.Event()
    threading.Timer(8.0, stop.set).start()  # the daemon shuts down in the middle of the run
    run = run_job(cfg, fresh_market, "delay: 0.5s", stop)
    assert run.outcome == "interrupted", run.message
    left = unchecked(cfg)
    assert 0 < len(left) < 30
    assert f"stopped by shutdown: {len(left)} listing(s) left for the next run" in run.message
