"""SIGKILL at any point of a crawl, then the same command again: the leads end exactly as an uninterrupted crawl's
(same ids, same scores), each listing seen once by the run (times_seen 1), every lead with evidence, and the run
says it restarted. Real processes: crawl children (tests/crawler/crawl_child.py) against the demo marketplace,
killed from outside; the steps are tests/crawler/kill_drill.py, which benchmarks/drills.py runs too."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.kill_drill import (
    CrawlSpec,
    LeadView,
    acked,
    crawl_and_kill,
    crawl_to_end,
    leads_of,
    listings_without_evidence,
    marker_state,
)

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def slow_market() -> Iterator[Any]:
    """Every answer takes 0.1 s and 10 % of URLs fail once with a 5xx: a crawl long enough to kill where we like."""
    from demo.server import DemoMarket

    server = DemoMarket(port=0, seed=11, rate_limit=0, fault_rate=0.1, slow_rate=1.0, slow_seconds=0.1)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def spec(slow_market: Any) -> CrawlSpec:
    return CrawlSpec(base_url=slow_market.url, keywords=("鞋", "手表"), max_pages=2, extra={"NETSWORD_LEAD_BATCH": 5})


@pytest.fixture(scope="module")
def baseline(spec: CrawlSpec, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, LeadView], int]:
    """The uninterrupted crawl's leads, and how many listings it stored."""
    var_dir = tmp_path_factory.mktemp("baseline")
    stats = crawl_to_end(var_dir, spec, jobdir=var_dir / "job")
    assert stats["crawl"]["status"] == "complete", stats["crawl"]
    leads = leads_of(var_dir)
    assert len(leads) >= 10 and stats["crawl"]["totals"]["stored"] >= 50
    return leads, stats["crawl"]["totals"]["stored"]


def _at(fraction: float, total: int) -> Callable[[Path], bool]:
    return lambda acks: acked(acks) >= max(1, int(fraction * total))


def _check(var_dir: Path, final: dict[str, Any], baseline: dict[str, LeadView]) -> None:
    leads = leads_of(var_dir)
    assert {i: lead.score for i, lead in leads.items()} == {i: lead.score for i, lead in baseline.items()}
    assert {lead.times_seen for lead in leads.values()} == {1}, "a listing counted twice by one run"
    assert {lead.last_run for lead in leads.values()} == {final["netsword/run_id"]}  # one run, across attempts
    assert final["crawl"]["status"] == "complete" and final["crawl"]["attempt"] > 1, final["crawl"]
    assert listings_without_evidence(var_dir) == []


@pytest.mark.parametrize(
    "point",
    [
        pytest.param(0.0, id="opened-nothing-stored"),
        pytest.param(0.02, id="first-batch-stored"),
        pytest.param(0.3, id="a-third"),
        pytest.param(0.6, id="two-thirds"),
        pytest.param(0.95, id="nearly-done"),
    ],
)
def test_sigkill_then_resume_equals_an_uninterrupted_crawl(
    point: float, spec: CrawlSpec, baseline: tuple[dict[str, LeadView], int], tmp_path: Path
) -> None:
    leads, total = baseline
    jobdir = tmp_path / "job"
    until = (lambda _acks: marker_state(jobdir) == "running") if point == 0.0 else _at(point, total)
    assert crawl_and_kill(tmp_path, spec, jobdir, until) == "killed"
    assert marker_state(jobdir) == "running"  # the killed process could not say it stopped cleanly
    final = crawl_to_end(tmp_path, spec, jobdir=jobdir)
    assert final["crawl"]["restarted"] is True
    _check(tmp_path, final, leads)


def test_killed_twice_in_a_row(spec: CrawlSpec, baseline: tuple[dict[str, LeadView], int], tmp_path: Path) -> None:
    leads, total = baseline
    jobdir = tmp_path / "job"
    assert crawl_and_kill(tmp_path, spec, jobdir, _at(0.4, total)) == "killed"
    # the restart fetches everything again: kill it again before it gets as far as the first attempt did
    assert crawl_and_kill(tmp_path, spec, jobdir, _at(0.2, total)) == "killed"
    final = crawl_to_end(tmp_path, spec, jobdir=jobdir)
    assert final["crawl"]["attempt"] == 3
    _check(tmp_path, final, leads)


def test_clean_stop_resume_then_sigkill(
    spec: CrawlSpec, baseline: tuple[dict[str, LeadView], int], tmp_path: Path
) -> None:
    """SIGTERM (Scrapy saves its queue: a resume), then SIGKILL of the resumed crawl (a restart), then the end."""
    leads, total = baseline
    jobdir = tmp_path / "job"
    assert crawl_and_kill(tmp_path, spec, jobdir, _at(0.3, total), sig=signal.SIGTERM) == "killed"
    assert marker_state(jobdir) == "paused"
    assert crawl_and_kill(tmp_path, spec, jobdir, _at(0.2, total)) == "killed"
    final = crawl_to_end(tmp_path, spec, jobdir=jobdir)
    assert final["crawl"]["restarted"] is True
    _check(tmp_path, final, leads)


def test_clean_stop_resumes_without_fetching_again(
    spec: CrawlSpec, baseline: tuple[dict[str, LeadView], int], tmp_path: Path
) -> None:
    leads, total = baseline
    jobdir = tmp_path / "job"
    assert crawl_and_kill(tmp_path, spec, jobdir, _at(0.5, total), sig=signal.SIGTERM) == "killed"
    final = crawl_to_end(tmp_path, spec, jobdir=jobdir)
    assert final["crawl"]["resumed"] is True and final["crawl"]["restarted"] is False
    # the resumed process stored only what the stopped one had not: together, each listing once
    assert final.get("netsword/listings_seen", 0) < total
    assert final["crawl"]["totals"]["stored"] == total  # the run's ledger carries the stopped attempt's figures
    _check(tmp_path, final, leads)


def test_a_finished_run_is_not_resumed_but_run_again(
    spec: CrawlSpec, baseline: tuple[dict[str, LeadView], int], tmp_path: Path
) -> None:
    """The same command after a finished crawl is a new run: every listing fetched, and seen a second time."""
    leads, _ = baseline
    jobdir = tmp_path / "job"
    first = crawl_to_end(tmp_path, spec, jobdir=jobdir)
    assert marker_state(jobdir) == "finished"
    second = crawl_to_end(tmp_path, spec, jobdir=jobdir)
    assert second["netsword/run_id"] != first["netsword/run_id"] and second["crawl"]["attempt"] == 1
    assert second["netsword/listings_seen"] == first["netsword/listings_seen"]
    assert {lead.times_seen for lead in leads_of(tmp_path).values()} == {2}
    assert set(leads_of(tmp_path)) == set(leads)
