"""The crawl run's ledger (status and losses by keyword) and how CrawlRun reads a JOBDIR: new run, resume, restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.extensions.crawl_run import LEDGER, MARKER, CrawlRun, read_marker
from crawler.ledger import COMPLETE, FAILED, PARTIAL, RUNNING, STOPPED, CrawlLedger, exit_code, status_of_exit


def _ledger() -> CrawlLedger:
    ledger = CrawlLedger()
    ledger.page_fetched("耐克", 1, "https://m.example/s?q=耐克&page=1", 20)
    ledger.stored("耐克", 1, 18)
    ledger.duplicate("耐克", 1)
    ledger.rejected("耐克", 1)
    return ledger


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (lambda ledger: None, COMPLETE),
        (lambda ledger: ledger.page_given_up("耐克", 2, "u2", "HTTP 503 after 4 retries and 2 re-queues"), PARTIAL),
        (lambda ledger: ledger.detail_given_up("耐克", 1, "d1", "TimeoutError"), PARTIAL),
        (lambda ledger: ledger.failed("耐克", 1, "L9", "database is locked"), PARTIAL),
        (lambda ledger: ledger.pagination_lost("耐克", 1, "the next cursor was on page 1"), PARTIAL),
        (lambda ledger: ledger.detail_skipped("耐克", 1), COMPLETE),  # a 404 or robots.txt: the site's answer
        (lambda ledger: ledger.page_skipped("耐克", 2, "u2", "HTTP 404"), COMPLETE),
    ],
)
def test_status_of_a_finished_run(change, status: str) -> None:  # type: ignore[no-untyped-def]
    ledger = _ledger()
    change(ledger)
    assert ledger.status("finished") == status
    assert ledger.status(None) == RUNNING and ledger.status("shutdown") == STOPPED


def test_a_run_that_achieved_nothing_failed() -> None:
    nothing = CrawlLedger()
    nothing.page_given_up("a", 1, "u", "ConnectionRefusedError")
    assert nothing.status("finished") == FAILED
    refused = CrawlLedger()
    refused.page_fetched("a", 1, "u", 2)
    refused.failed("a", 1, "L1", "disk full")
    refused.failed("a", 1, "L2", "disk full")
    assert refused.status("finished") == FAILED
    no_keywords = CrawlLedger()
    no_keywords.no_keywords = True
    assert no_keywords.status("finished") == FAILED and no_keywords.loss_lines() == ["no keywords to search for"]


def test_losses_are_reported_by_keyword_and_survive_a_round_trip() -> None:
    ledger = _ledger()
    ledger.page_given_up("耐克", 2, "u2", "HTTP 503 after 4 retries and 2 re-queues")
    for n in range(25):
        ledger.failed("NIKE", 1, f"L{n}", "disk full")
    lines = ledger.loss_lines()
    assert lines[0] == "keyword '耐克': search page 2 given up: HTTP 503 after 4 retries and 2 re-queues"
    assert lines[-1] == "keyword 'NIKE': … and 5 more" and len(lines) == 22
    again = CrawlLedger.from_dict(json.loads(json.dumps(ledger.to_dict("finished"), ensure_ascii=False)))
    assert again.to_dict("finished") == ledger.to_dict("finished")
    assert again.totals()["failed"] == 25 and again.status("finished") == PARTIAL


def test_exit_codes() -> None:
    assert [exit_code(s) for s in (COMPLETE, PARTIAL, FAILED, STOPPED, "unknown")] == [0, 3, 1, 4, 1]
    assert [status_of_exit(c) for c in (0, 3, 1, 4, 2, -9)] == [COMPLETE, PARTIAL, FAILED, STOPPED, FAILED, FAILED]


def _run(jobdir: Path | None) -> CrawlRun:
    return CrawlRun(get_crawler(settings_dict={"JOBDIR": str(jobdir)} if jobdir else {}))


def _scrapy_state(jobdir: Path) -> None:
    (jobdir / "requests.queue").mkdir(parents=True)
    (jobdir / "requests.queue" / "p0").write_bytes(b"stale")
    (jobdir / "requests.seen").write_bytes(b"\x00" * 22)
    (jobdir / "spider.state").write_bytes(b"pickle")


def _marker(jobdir: Path, **data: object) -> None:
    (jobdir / MARKER).write_text(json.dumps({"run_id": "cr-abc", "started_at": "2026-01-01T00:00:00Z", **data}))


def test_a_killed_run_restarts_from_its_start_requests_under_the_same_id(tmp_path: Path) -> None:
    _scrapy_state(tmp_path)
    _marker(tmp_path, state="running", attempt=2)
    (tmp_path / LEDGER).write_text("{}")
    run = _run(tmp_path)
    assert (run.run_id, run.attempt, run.restarted, run.resumed) == ("cr-abc", 3, True, False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER]  # Scrapy's untrustworthy state is gone
    assert run.started_at == "2026-01-01T00:00:00Z"  # the run began with the first attempt


def test_a_cleanly_stopped_run_resumes_with_its_ledger(tmp_path: Path) -> None:
    _scrapy_state(tmp_path)
    _marker(tmp_path, state="paused", attempt=1)
    (tmp_path / LEDGER).write_text(json.dumps(_ledger().to_dict("shutdown")))
    run = _run(tmp_path)
    assert (run.run_id, run.attempt, run.restarted, run.resumed) == ("cr-abc", 2, False, True)
    assert (tmp_path / "requests.queue" / "p0").exists() and (tmp_path / "spider.state").exists()
    assert run.ledger.totals()["stored"] == 18


@pytest.mark.parametrize("marker", [{"state": "finished", "attempt": 1}, None])
def test_a_finished_run_or_an_unknown_jobdir_starts_a_new_run(tmp_path: Path, marker: dict | None) -> None:
    _scrapy_state(tmp_path)
    if marker is not None:
        _marker(tmp_path, **marker)
    run = _run(tmp_path)
    assert run.run_id != "cr-abc" and run.attempt == 1 and not (run.restarted or run.resumed)
    assert not (tmp_path / "requests.seen").exists() and not (tmp_path / "requests.queue").exists()


def test_the_marker_says_running_while_the_spider_runs_and_how_it_closed(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.spider_opened()
    assert read_marker(tmp_path)["state"] == "running"
    run.spider_closed("shutdown")
    assert read_marker(tmp_path)["state"] == "paused" and (tmp_path / LEDGER).exists()
    run = _run(tmp_path)
    run.spider_opened()
    run.spider_closed("finished")
    assert read_marker(tmp_path)["state"] == "finished"


def test_without_jobdir_every_crawl_is_a_new_run() -> None:
    assert _run(None).run_id != _run(None).run_id
