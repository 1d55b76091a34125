"""Rate limits and pages that keep failing, with `netsword crawl` as a real process: 429 bursts slow the crawl and lose
nothing; a page that keeps failing is re-queued later in the run and, when it never recovers, reported by keyword
with why (exit 3, partial); a result page given up does not end its keyword; every outcome has its exit status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.flaky_front import FlakyFront, Rule

pytestmark = pytest.mark.timeout(600)
KEYWORDS = ("鞋", "手表")
# fast re-queues, so a test need not wait the default 30 s for "later in the run"
FAST = ("-s", "NETSWORD_REQUEUE_DELAY=0.5", "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "NETSWORD_STATS_INTERVAL=0.5")


def netsword_crawl(var_dir: Path, base_url: str, *args: str, profile: str = "demo-static",
                   keywords: tuple[str, ...] = KEYWORDS, max_pages: int = 2,
                   background: bool = False) -> Any:  # fmt: skip
    """`netsword crawl` in a child with its own var/: (exit status, stdout, stats file) — or the running process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env["NETSWORD_PATHS_VAR_DIR"] = str(var_dir)
    stats = var_dir / "stats.json"
    argv = [sys.executable, "-c", "from netsword.cli import run; run()", "crawl", profile, "--base-url", base_url,
            "--max-pages", str(max_pages), "--no-evidence", "--no-alerts", "--stats-json", str(stats), *args]  # fmt: skip
    for keyword in keywords:
        argv += ["--keyword", keyword]
    var_dir.mkdir(parents=True, exist_ok=True)
    if background:
        return subprocess.Popen(argv, env=env, cwd=var_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    proc = subprocess.run(argv, env=env, cwd=var_dir, capture_output=True, text=True, timeout=300)  # noqa: S603
    data = json.loads(stats.read_text(encoding="utf-8")) if stats.exists() else {}
    return proc.returncode, proc.stdout + proc.stderr[-3000:], data


def stored_listings(var_dir: Path) -> set[str]:
    from leads.store import LeadQuery, open_store

    with open_store(f"sqlite:///{var_dir / 'netsword.db'}") as store:
        return {lead.listing_id for lead in store.iter_leads(LeadQuery())}


@pytest.fixture(scope="module")
def calm(quiet_market: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], int]:
    """What an undisturbed crawl stores: the listings with leads, and how many listings it stored."""
    var_dir = tmp_path_factory.mktemp("calm")
    code, out, stats = netsword_crawl(var_dir, quiet_market.url)
    assert code == 0, out
    return stored_listings(var_dir), stats["crawl"]["totals"]["stored"]


def test_heavy_rate_limiting_slows_the_crawl_and_loses_nothing(calm: tuple[set[str], int], tmp_path: Path) -> None:
    from demo.server import DemoMarket

    # 10 requests/s with bursts of 3 (the crawl asks for ~8 at once), and a fifth of the URLs fail once with a 5xx
    with DemoMarket(port=0, seed=11, rate_limit=10.0, burst=3.0, fault_rate=0.2, slow_rate=0.0) as market:
        code, out, stats = netsword_crawl(tmp_path, market.url, *FAST)
    assert code == 0, out
    assert stats["crawl"]["status"] == "complete" and stats["crawl"]["lost"] == []
    assert stats["crawl"]["totals"]["stored"] == calm[1]
    assert stored_listings(tmp_path) == calm[0]
    assert stats["throttle/rate_limited"] > 0 and stats["throttle/slowdowns"] > 0  # 429s came, the domain slowed
    assert stats["throttle/max_delay"] >= 0.25
    assert stats.get("retry/rate_limit/count", 0) > 0  # 429 retries had their own budget …
    assert stats.get("retry/rate_limit/max_reached", 0) == 0 and stats.get("netsword/given_up", 0) == 0


def test_a_page_that_keeps_failing_is_requeued_then_reported_by_keyword(quiet_market: Any, tmp_path: Path) -> None:
    watch = quiet_market.catalogue.search("demo-static", "手表")[0]  # on the first result page of 手表
    rules = [Rule(r"/static/search\?q=%E9%9E%8B&page=1$", 503), Rule(f"/static/item/{watch}$", 502)]
    with FlakyFront(quiet_market.url, rules) as front:
        code, out, stats = netsword_crawl(tmp_path, front.url, *FAST)
        hits = dict(front.hits)
    assert code == 3, out  # partial
    run = stats["crawl"]
    assert run["status"] == "partial"
    shoe = run["keywords"]["鞋"]
    assert shoe["pages_given_up"] == 1
    assert "search page 1 given up: HTTP 503 after 4 retries and 2 re-queues" in "\n".join(shoe["lost"])
    # the keyword went on past the page given up: its search URL numbers its pages
    assert [(p["page"], p["state"]) for p in shoe["pages"]] == [(1, "given_up"), (2, "fetched")]
    assert stats["netsword/pages_skipped_ahead"] == 1
    assert hits[rules[0].pattern] == 15  # 1 + 4 retries, three rounds: tried again later in the run, twice
    assert stats["netsword/requeued"] >= 2
    assert "lost: keyword '鞋': search page 1 given up" in out
    # a detail page that never answers: reported, and its search result kept (marked incomplete)
    assert run["keywords"]["手表"]["details_given_up"] == 1
    assert f"detail page {front.url}/static/item/{watch} (from search page 1) given up: HTTP 502" in out


def test_a_page_that_fails_for_a_while_is_recovered_later_in_the_run(quiet_market: Any, tmp_path: Path) -> None:
    # 7 failures: more than the first round's 1 + 4 retries, fewer than the second round's end
    rules = [Rule(r"/static/search\?q=%E6%89%8B%E8%A1%A8&page=1$", 503, times=7)]
    with FlakyFront(quiet_market.url, rules) as front:
        code, out, stats = netsword_crawl(tmp_path, front.url, *FAST)
    assert code == 0, out
    assert stats["crawl"]["status"] == "complete" and stats["netsword/requeued"] == 1
    assert stats["crawl"]["keywords"]["手表"]["pages_fetched"] == 2


def test_a_retry_after_above_the_cap_is_given_up_and_reported(quiet_market: Any, tmp_path: Path) -> None:
    rules = [Rule(r"/static/search\?q=%E6%89%8B%E8%A1%A8&page=2$", 429, retry_after="3600")]
    with FlakyFront(quiet_market.url, rules) as front:
        code, out, stats = netsword_crawl(tmp_path, front.url, *FAST)
    assert code == 3, out
    assert "search page 2 given up: HTTP 429 with Retry-After 3600 s, above 60 s" in out
    assert stats["retry_after/too_long"] == 1


def test_a_cursor_keyword_cut_short_is_reported(quiet_market: Any, tmp_path: Path) -> None:
    """demo-api pages with a cursor found on the previous page: a page given up ends its keyword, and says so."""
    rules = [Rule(r"/api/search\?q=%E5%8C%85&cursor=[^&]+&", 503)]
    with FlakyFront(quiet_market.url, rules) as front:
        code, out, stats = netsword_crawl(tmp_path, front.url, *FAST, profile="demo-api", keywords=("包",), max_pages=3)
    assert code == 3, out
    bags = stats["crawl"]["keywords"]["包"]
    assert bags["pagination_lost"] == "pages after 2 not reached: the next cursor was on page 2"
    assert stats["netsword/keywords_cut_short"] == 1


def test_exit_status_failed_when_nothing_could_be_fetched(tmp_path: Path) -> None:
    code, out, stats = netsword_crawl(tmp_path, "http://127.0.0.1:9", *FAST, "-s", "RETRY_TIMES=1",
                                      "-s", "NETSWORD_REQUEUE_TIMES=0", keywords=("鞋",))  # fmt: skip
    assert code == 1, out
    assert stats["crawl"]["status"] == "failed" and "crawl demo-static: failed (finished)" in out


def test_exit_status_usage_for_a_bad_setting_or_profile(tmp_path: Path) -> None:
    code, out, _ = netsword_crawl(tmp_path, "http://127.0.0.1:9", "-s", "NOEQUALSIGN")
    assert code == 2 and "must be NAME=VALUE" in out
    code, out, _ = netsword_crawl(tmp_path, "http://127.0.0.1:9", profile="no-such-profile")
    assert code == 2, out


def test_exit_status_stopped_then_resumed_complete(calm: tuple[set[str], int], tmp_path: Path) -> None:
    from demo.server import DemoMarket

    with DemoMarket(port=0, seed=11, rate_limit=0, fault_rate=0.0, slow_rate=1.0, slow_seconds=0.2) as market:
        jobdir = tmp_path / "job"
        proc = netsword_crawl(tmp_path, market.url, *FAST, "--jobdir", str(jobdir), background=True)
        stats_file = tmp_path / "stats.json"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            data = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
            if data.get("netsword/listings_stored", 0) >= 5:
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)  # Ctrl-C once
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 4, out
        assert "stopped before the end: run the same command with --jobdir" in out
        code, out, stats = netsword_crawl(tmp_path, market.url, *FAST, "--jobdir", str(jobdir))
    assert code == 0, out
    assert stats["crawl"]["resumed"] is True and stats["crawl"]["totals"]["stored"] == calm[1]
    assert stored_listings(tmp_path) == calm[0]
