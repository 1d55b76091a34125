"""Crawl jobs record what really happened: a crawl that lost a page is `partial` with the loss in its message; a
daemon killed with SIGKILL leaves its run `interrupted` with the figures it had reached (recorded as the crawl went),
and the next run resumes it; a crawl child killed outright is `failed`, and the next run restarts its crawl run —
each listing stored once, and each run's figures what its own process did."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leads.store import LeadQuery, open_store
from netsword.config import Config
from scheduler.history import RunHistory
from scheduler.jobs_loader import parse_jobs
from scheduler.runner import JobRunner
from tests.crawler.flaky_front import FlakyFront, Rule
from tests.scheduler.helpers import child_env, runs_of, wait_for, write_jobs

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def slow_market() -> Iterator[Any]:
    from demo.server import DemoMarket

    server = DemoMarket(port=0, seed=11, rate_limit=0, fault_rate=0.0, slow_rate=1.0, slow_seconds=0.6)
    server.start()
    yield server
    server.stop()


def _job(base_url: str, *, every: str = "1h", keywords: str = "[鞋, 手表]", max_pages: int = 2) -> str:
    return f"""\
jobs:
  - id: crawl
    kind: crawl
    profile: demo-static
    base_url: {base_url}
    keywords: {keywords}
    max_pages: {max_pages}
    evidence: false
    every: {every}
    misfire_grace_time: 5m
    time_limit: 3m
"""


def test_a_crawl_that_lost_a_page_is_recorded_partial_with_what_it_lost(market: Any, cfg: Config) -> None:
    # a Retry-After above the cap is given up at once (a page that keeps failing waits for its re-queues: 90 s)
    rules = [Rule(r"/static/search\?q=%E9%9E%8B&page=2$", 429, retry_after="7200")]
    with FlakyFront(market.url, rules) as front:
        specs = parse_jobs(_job(front.url))
        history = RunHistory.for_config(cfg)
        try:
            record = JobRunner(cfg, {s.id: s for s in specs}, history, threading.Event()).run(
                "crawl", trigger="run-now"
            )
        finally:
            history.close()
    assert record.outcome == "partial", record.message
    assert "lost: keyword '鞋': search page 2 given up: HTTP 429 with Retry-After 7200 s" in record.message
    assert record.errors >= 1 and record.pages > 0 and record.listings > 0 and record.new_leads > 0
    assert not (cfg.var_dir / "jobs" / "crawl" / "crawl").exists()  # finished: the next run is a new crawl run


def _daemon(jobs: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-c", "from netsword.cli import run; run()", "schedule", "run", "--jobs", str(jobs)]
    return subprocess.Popen(argv, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)  # noqa: S603


def _leads(cfg: Config) -> list[Any]:
    with open_store(cfg.store_url) as store:
        return list(store.iter_leads(LeadQuery()))


def test_a_killed_daemon_leaves_its_run_interrupted_with_figures_and_the_next_run_resumes_it(
    slow_market: Any, cfg: Config, var_env: dict[str, str], tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path / "jobs.yaml", _job(slow_market.url, every="2s", keywords="[包, 鞋, 手表]", max_pages=3))
    env, log = child_env(var_env), tmp_path / "daemon.log"
    daemon = _daemon(jobs, env, log)
    try:
        # the running row shows the crawl's figures while it runs (read from its stats file every second)
        wait_for(lambda: any(r.outcome == "running" and r.new_leads >= 3 for r in runs_of(cfg)), 120, "progress")
        daemon.send_signal(signal.SIGKILL)  # no shutdown: the crawl child gets SIGTERM from the kernel (lifetime)
        daemon.wait(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    (killed,) = runs_of(cfg)
    assert killed.outcome == "running" and killed.pages > 0 and killed.listings > 0 and killed.new_leads >= 3
    daemon = _daemon(jobs, env, log)
    try:
        wait_for(lambda: any(r.outcome == "ok" for r in runs_of(cfg)), 180, "the next run to finish")
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
    first, second = runs_of(cfg)[:2]
    assert first.outcome == "interrupted" and first.new_leads >= 3 and first.listings > 0, first
    assert "the daemon running it stopped before it finished" in first.message
    assert second.outcome == "ok" and "(resumed)" in second.message, second.message
    leads = _leads(cfg)
    assert len({lead.lead_id for lead in leads}) == len(leads)
    assert all(lead.times_seen == 1 for lead in leads), [(lead.listing_id, lead.times_seen) for lead in leads]
    assert len({lead.last_run for lead in leads}) == 1  # one crawl run across the two processes


def _kill_crawl_children(jobdir: Path) -> int:
    """SIGKILL every process whose command line names `jobdir` (the crawl child, as an out-of-memory kill would)."""
    killed = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if str(jobdir) in cmdline and "crawl" in cmdline:
            try:
                os.kill(int(proc.name), signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
    return killed


def test_a_crawl_child_killed_outright_fails_and_the_next_run_restarts_its_crawl_run(
    slow_market: Any, cfg: Config, var_env: dict[str, str], tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path / "jobs.yaml", _job(slow_market.url, every="2s", keywords="[包, 鞋, 手表]", max_pages=3))
    env, log = child_env(var_env), tmp_path / "daemon.log"
    jobdir = cfg.var_dir / "jobs" / "crawl" / "crawl"
    daemon = _daemon(jobs, env, log)
    try:
        wait_for(lambda: any(r.outcome == "running" and r.new_leads >= 3 for r in runs_of(cfg)), 120, "progress")
        assert _kill_crawl_children(jobdir) >= 1
        wait_for(lambda: any(r.outcome == "ok" for r in runs_of(cfg)), 180, "the next run to finish")
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
    first, second = runs_of(cfg)[:2]
    assert first.outcome == "failed" and "crawl killed by signal 9; the next run restarts it" in first.message
    assert first.new_leads >= 3, first
    assert second.outcome == "ok" and "restarted after an unclean stop" in second.message, second.message
    assert second.listings > first.listings  # the restart fetched everything again: what it really did
    leads = _leads(cfg)
    assert all(lead.times_seen == 1 for lead in leads), [(lead.listing_id, lead.times_seen) for lead in leads]
    assert len({lead.last_run for lead in leads}) == 1
