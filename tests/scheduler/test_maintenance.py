"""Digest, watchlist reload and retention jobs, run once through the same runner the daemon uses."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from netsword.config import Config, load_config
from netsword.models import utc_now
from scheduler.history import RunHistory, RunRecord
from scheduler.jobs_loader import parse_jobs
from scheduler.runner import JobRunner
from tests.scheduler.helpers import runs_of

JOBS = """\
jobs:
  - {id: digest, kind: digest, period: daily, cron: "0 8 * * *"}
  - {id: reload, kind: watchlist_reload, every: 10m}
  - {id: tidy, kind: retention, cron: "0 4 * * 0", logs_days: 1, history_days: 1}
"""


def run_job(cfg: Config, job_id: str) -> RunRecord:
    history = RunHistory.for_config(cfg)
    try:
        runner = JobRunner(cfg, {s.id: s for s in parse_jobs(JOBS)}, history, threading.Event())
        return runner.run(job_id, trigger="run-now")
    finally:
        history.close()


def test_digest_job_runs_the_alerts_command_in_a_child(cfg: Config) -> None:
    record = run_job(cfg, "digest")
    assert record.outcome == "ok", record.message
    assert "composed" in record.message  # the last line `netsword alerts digest` printed
    assert (cfg.var_dir / "logs" / "scheduler" / "digest" / f"{record.run_id}.log").exists()


def test_watchlist_reload_keeps_the_last_good_watchlist(cfg: Config, var_env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "w.yaml"
    good.write_text("version: 1\ntrademarks:\n  - {id: tm-a, mark: ACME, owner: A}\n", encoding="utf-8")
    cfg = load_config(env={**var_env, "NETSWORD_MATCHING_WATCHLISTS": str(good)})
    history = RunHistory.for_config(cfg)
    runner = JobRunner(cfg, {s.id: s for s in parse_jobs(JOBS)}, history, threading.Event())
    try:
        assert runner.run("reload").message == "loaded 1 entries from 1 file(s)"
        assert runner.run("reload").message == "unchanged (1 entries)"
        good.write_text("version: 1\ntrademarks:\n  - {id: BAD ID, mark: ACME}\n", encoding="utf-8")
        failed = runner.run("reload")
        assert failed.outcome == "failed" and failed.errors >= 1
        assert f"{good}:3:" in failed.message and "kept the previous 1 entries" in failed.message
        assert runner.watchlist.watchlist is not None and len(runner.watchlist.watchlist) == 1
    finally:
        history.close()


def test_retention_drops_old_logs_and_history_only(cfg: Config) -> None:
    run_job(cfg, "reload")
    old_log = cfg.var_dir / "logs" / "scheduler" / "crawl" / "run-old.log"
    new_log = old_log.with_name("run-new.log")
    old_log.parent.mkdir(parents=True)
    old_log.write_text("old")
    new_log.write_text("new")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_log, (two_days_ago, two_days_ago))
    history = RunHistory.for_config(cfg)
    try:
        history.conn.execute("UPDATE netsword_job_runs SET started_at = '2000-01-01T00:00:00.000Z'")  # age the run
    finally:
        history.close()
    record = run_job(cfg, "tidy")
    assert record.outcome == "ok" and record.message == "1 log file(s) removed; 1 run record(s) removed"
    assert not old_log.exists() and new_log.exists()
    assert [run.job_id for run in runs_of(cfg)] == ["tidy"]


def test_retention_drops_kept_listings_not_seen_for_the_configured_days(cfg: Config) -> None:
    """store.listings_retention_days (default 90) through the retention job; leads are never dropped by it."""
    from leads.store import LeadQuery, open_store_from_config
    from leads.store.listings import ListingQuery, sighting
    from netsword.models import Listing
    from tests.store.lead_factory import make_lead

    def seen(listing_id: str, at: str) -> Listing:
        return Listing.from_dict({"id": listing_id, "platform": "taobao", "url": f"https://t.example/{listing_id}",
                                  "title": "运动鞋", "crawled_at": at})  # fmt: skip

    with open_store_from_config(cfg) as store:
        store.keep_listings([sighting(seen("old", "2000-01-01T00:00:00Z")), sighting(seen("new", utc_now()))])
        store.upsert_many([make_lead("old", seen="2000-01-01T00:00:00Z")])
    record = run_job(cfg, "tidy")
    assert record.outcome == "ok" and "1 kept listing(s) not seen for 90 days removed" in record.message
    with open_store_from_config(cfg) as store:
        assert [k.listing_id for k in store.iter_listings(ListingQuery())] == ["new"]
        assert store.count(LeadQuery()) == 1
