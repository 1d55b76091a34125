"""The stats file (NETSWORD_STATS_FILE) is there while the crawl runs, whole at every moment, final when it ends,
and still there after a kill; the scheduler takes a crawl job's figures from it."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.extensions.stats_file import plain_stats
from scheduler.crawl_job import fill_figures, read_stats
from scheduler.history import RunFigures

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def slow_market() -> Iterator[Any]:
    """Every answer takes 0.3 s: a crawl of a few dozen pages lasts long enough to be watched."""
    from demo.server import DemoMarket

    server = DemoMarket(port=0, seed=11, rate_limit=0, fault_rate=0.0, slow_rate=1.0, slow_seconds=0.3)
    server.base_url = server.start()
    yield server
    server.stop()


def _snapshot(path: Path) -> dict[str, Any] | None:
    """The file as a reader sees it now; never a half-written file (json.loads would fail on one)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text)


def _watch(proc: subprocess.Popen[bytes], path: Path, until: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        snapshot = _snapshot(path)
        if snapshot is not None and (not seen or snapshot != seen[-1]):
            seen.append(snapshot)
        if until(snapshot, proc):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting; last snapshot: {seen[-1:] or None}")


def test_stats_file_grows_while_crawling_and_the_scheduler_reads_it(
    slow_market: Any, tmp_path: Path, crawl_command: Any
) -> None:
    stats_file = tmp_path / "out" / "crawl-stats.json"
    command = crawl_command(tmp_path, "demo-static", slow_market.base_url, keywords=["耐克", "NIKE"], max_pages=2,
                            evidence=False, extra={"NETSWORD_STATS_FILE": str(stats_file),
                                                   "NETSWORD_STATS_INTERVAL": 0.2})  # fmt: skip
    proc = subprocess.Popen(**command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        seen = _watch(proc, stats_file, lambda snapshot, p: p.poll() is not None)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    during = [s for s in seen if "finish_reason" not in s]
    assert len(during) >= 2  # written while the crawl ran, not only at its end
    assert any(s.get("netsword/listings_seen", 0) > 0 for s in during)
    final = seen[-1]
    assert final["finish_reason"] == "finished"
    stats = json.loads(out.decode().splitlines()[-1].removeprefix("STATS "))
    for key in ("netsword/search_pages", "netsword/detail_pages", "netsword/listings_seen", "item_scraped_count"):
        assert final[key] == stats[key]
    assert final["start_time"] == stats["start_time"].replace(" ", "T")  # ISO 8601 text
    assert not list(stats_file.parent.glob(".*.tmp"))  # every temporary file became the file or was removed

    figures = RunFigures()
    fill_figures(figures, read_stats(stats_file))
    assert figures.pages == final["netsword/search_pages"] + final["netsword/detail_pages"] > 0
    assert figures.listings == final["netsword/listings_seen"] > 0
    assert figures.errors == 0


def test_a_killed_crawl_leaves_its_figures_so_far(slow_market: Any, tmp_path: Path, crawl_command: Any) -> None:
    stats_file = tmp_path / "crawl-stats.json"
    command = crawl_command(tmp_path, "demo-static", slow_market.base_url, keywords=["耐克", "NIKE", "劳力士"],
                            max_pages=3, evidence=False, extra={"NETSWORD_STATS_FILE": str(stats_file),
                                                                "NETSWORD_STATS_INTERVAL": 0.2})  # fmt: skip
    proc = subprocess.Popen(**command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        _watch(proc, stats_file, lambda snapshot, p: (snapshot or {}).get("netsword/listings_seen", 0) >= 3)
        proc.kill()  # SIGKILL: no spider_closed, no final write
    finally:
        proc.wait(timeout=30)
    stats = read_stats(stats_file)
    assert "finish_reason" not in json.loads(stats_file.read_text(encoding="utf-8"))
    figures = RunFigures()
    fill_figures(figures, stats)
    assert figures.pages >= 1 and figures.listings >= 3


def test_plain_stats_and_a_missing_or_broken_file(tmp_path: Path) -> None:
    when = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    raw = {"a": 1, "b": 0.5, "c": "finished", "d": when, "e": None, "f": True, "g": [1]}
    assert plain_stats(raw) == {"a": 1, "b": 0.5, "c": "finished", "d": "2026-12-01T08:00:00+00:00"}
    assert read_stats(tmp_path / "missing.json") == {}
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert read_stats(tmp_path / "broken.json") == {}
    (tmp_path / "stats.json").write_text(json.dumps(plain_stats(raw)), encoding="utf-8")
    assert read_stats(tmp_path / "stats.json") == {"a": 1}  # the scheduler's figures are counts
