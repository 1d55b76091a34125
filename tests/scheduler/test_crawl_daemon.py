"""The daemon as a real process running a crawl job against the demo marketplace: SIGTERM mid-crawl stops the
crawl child cleanly (its JOBDIR kept), and the restarted daemon resumes it with no lead stored twice."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leads.store import LeadQuery, open_store
from netsword.config import Config
from tests.scheduler.helpers import child_env, runs_of, wait_for, write_jobs


@pytest.fixture(scope="module")
def slow_market() -> Iterator[Any]:
    """Every answer takes 0.8s, so a two-page crawl lasts long enough to be stopped in the middle."""
    from demo.server import DemoMarket

    server = DemoMarket(port=0, seed=11, rate_limit=0, fault_rate=0.0, slow_rate=1.0, slow_seconds=0.8)
    server.start()
    yield server
    server.stop()


def _daemon(jobs: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-c", "from netsword.cli import run; run()", "schedule", "run", "--jobs", str(jobs)]
    return subprocess.Popen(argv, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)  # noqa: S603


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=60)


def _leads(cfg: Config) -> list[Any]:
    with open_store(cfg.store_url) as store:
        return list(store.iter_leads(LeadQuery()))


def test_sigterm_mid_crawl_then_restart_resumes_without_duplicate_leads(
    slow_market: Any, cfg: Config, var_env: dict[str, str], tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path / "jobs.yaml", f"""\
jobs:
  - id: crawl
    kind: crawl
    profile: demo-static
    base_url: {slow_market.url}
    keywords: [耐克]
    max_pages: 2
    evidence: false
    every: 2s
    misfire_grace_time: 5m
    time_limit: 2m
""")  # fmt: skip
    env, log = child_env(var_env), tmp_path / "daemon.log"
    jobdir = cfg.var_dir / "jobs" / "crawl" / "crawl"

    daemon = _daemon(jobs, env, log)
    try:
        # Stop while the search page is being answered: its detail pages are then queued, not yet fetched.
        wait_for(lambda: any(k.startswith("/static/search") for k in slow_market.hits), 90, "the search request")
        assert _stop(daemon) == 0, log.read_text()
    finally:
        if daemon.poll() is None:
            daemon.kill()
    (stopped,) = runs_of(cfg)
    assert stopped.outcome == "interrupted", stopped.message
    assert jobdir.is_dir()  # the crawl saved its state for the next run
    leads_at_stop = {lead.lead_id for lead in _leads(cfg)}

    daemon = _daemon(jobs, env, log)
    try:
        wait_for(lambda: any(run.outcome == "ok" for run in runs_of(cfg)), 120, "the resumed crawl to finish")
        assert _stop(daemon) == 0, log.read_text()
    finally:
        if daemon.poll() is None:
            daemon.kill()
    resumed = next(run for run in runs_of(cfg) if run.outcome == "ok")
    assert "(resumed)" in resumed.message and resumed.pages > 0 and resumed.listings > 0
    assert not jobdir.exists()  # finished: the next crawl starts afresh
    leads = _leads(cfg)
    assert leads_at_stop <= {lead.lead_id for lead in leads}
    assert len({lead.lead_id for lead in leads}) == len(leads)
    # No listing was stored twice: the resumed crawl did not fetch again what the stopped one had processed.
    assert all(lead.times_seen == 1 for lead in leads), [(lead.listing_id, lead.times_seen) for lead in leads]
    assert stopped.new_leads + resumed.new_leads == len(leads)
