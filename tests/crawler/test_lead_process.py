"""The crawl's lead process (crawler.lead_process): matching and storing off the crawl's core, nothing lost or doubled.

- a crawl that stores through its lead process stores exactly what one storing in its own thread does (leads, kept
  listings, ledger totals), each listing and lead once;
- the lead process killed mid-crawl: `netsword crawl` stops, exits 1 (failed) and says why; with --jobdir the next
  attempt restarts the run and ends complete, every listing stored and every lead and listing counted once;
- a lead process that cannot build its match index fails the crawl's setup (exit 2) before anything is fetched.
"""

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

from leads.store import LeadQuery, open_store
from leads.store.listings import ListingQuery

pytestmark = pytest.mark.timeout(300)
REPO = Path(__file__).resolve().parents[2]
KEYWORDS = ["耐克", "NIKE", "劳力士"]


def _store_state(var_dir: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with open_store(f"sqlite:///{var_dir / 'netsword.db'}") as store:
        leads = sorted(
            (lead.lead_id, lead.entry_id, lead.score, lead.times_seen) for lead in store.iter_leads(LeadQuery())
        )
        listings = sorted((kept.platform, kept.listing_id, kept.times_seen)
                          for kept in store.iter_listings(ListingQuery()))  # fmt: skip
    return leads, listings


def test_the_lead_process_stores_what_the_crawl_itself_would(quiet_market: Any, tmp_path: Path, crawl: Any) -> None:
    common = {"keywords": KEYWORDS, "max_pages": 2, "evidence": False, "extra": {"NETSWORD_LEAD_BATCH": 7}}
    for name in ("process", "thread"):
        (tmp_path / name).mkdir()
    apart = crawl(tmp_path / "process", "demo-static", quiet_market.url, **common)
    common["extra"] = {"NETSWORD_LEAD_BATCH": 7, "NETSWORD_LEAD_PROCESS": False}
    inside = crawl(tmp_path / "thread", "demo-static", quiet_market.url, **common)

    leads, listings = _store_state(tmp_path / "process")
    assert leads and listings
    assert (leads, listings) == _store_state(tmp_path / "thread")
    assert all(times_seen == 1 for *_, times_seen in leads + listings)  # each stored once, across the pipe too
    assert apart["crawl"]["status"] == inside["crawl"]["status"] == "complete"
    assert apart["crawl"]["totals"] == inside["crawl"]["totals"]
    assert apart["crawl"]["totals"]["stored"] == len(listings) and apart["crawl"]["totals"]["failed"] == 0
    for key in ("netsword/listings", "netsword/listings_kept", "netsword/leads_created"):
        assert apart.get(key) == inside.get(key), key
    assert apart["netsword/leads_created"] == len(leads)
    assert apart["netsword/lead_batches"] >= 2  # batches of 7 went over the pipe


def _netsword(var_dir: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    environ.update(NETSWORD_PATHS_VAR_DIR=str(var_dir), PYTHONPATH=str(REPO), **env)
    var_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([sys.executable, "-c", "from netsword.cli import run; run()", "crawl", *args], cwd=var_dir, env=environ,  # noqa: S603
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _lead_process_of(pid: int) -> int:
    """The pid of the lead process the crawl `pid` started (0: none yet)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and b"crawler.lead_process" in command:
            return int(entry.name)
    return 0


def _crawl_args(market: Any, tmp_path: Path, *extra: str) -> list[str]:
    keywords = [arg for keyword in [*KEYWORDS, "茅台"] for arg in ("--keyword", keyword)]
    return ["demo-static", "--base-url", market.url, *keywords, "--max-pages", "3", "--no-evidence",
            "--no-alerts", "--stats-json", str(tmp_path / "stats.json"), "-s", "NETSWORD_STATS_INTERVAL=0.1",
            "-s", "NETSWORD_LEAD_BATCH=3", *extra]  # fmt: skip


def test_a_killed_lead_process_fails_the_run_and_the_next_attempt_counts_once(
    quiet_market: Any, tmp_path: Path
) -> None:
    var_dir, jobdir = tmp_path / "var", str(tmp_path / "job")
    proc = _netsword(var_dir, *_crawl_args(quiet_market, tmp_path, "--jobdir", jobdir, "-s", "DOWNLOAD_DELAY=0.1"))
    try:
        deadline = time.monotonic() + 120
        while True:  # wait until the lead process has stored a few batches, then kill it
            assert proc.poll() is None, proc.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the crawl stored nothing in time"
            try:
                batches = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8")).get(
                    "netsword/lead_batches", 0
                )
            except (OSError, ValueError):
                batches = 0
            helper = _lead_process_of(proc.pid)
            if batches >= 3 and helper:
                break
            time.sleep(0.05)
        os.kill(helper, signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err[-3000:]  # failed
    assert "crawl demo-static: failed (lead_process_died)" in out
    assert "lost: stored: the crawl's lead process died (killed by signal 9)" in out
    stats = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    assert stats["netsword/status"] == "failed" and stats["netsword/lead_process_died"] == -9
    assert json.loads((Path(jobdir) / "netsword-run.json").read_text(encoding="utf-8"))["state"] == "running"

    again = _netsword(var_dir, *_crawl_args(quiet_market, tmp_path, "--jobdir", jobdir))
    out, err = again.communicate(timeout=240)
    assert again.returncode == 0, out + err[-3000:]
    assert "crawl demo-static: complete (finished)" in out and "(restarted after an unclean stop)" in out
    leads, listings = _store_state(var_dir)
    assert leads and all(times_seen == 1 for *_, times_seen in leads + listings)  # one run: every sighting once

    stats = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    assert stats["netsword/listings_stored"] == len(listings) and stats["netsword/listings_failed"] == 0


def test_a_lead_process_that_cannot_start_fails_the_setup(quiet_market: Any, tmp_path: Path) -> None:
    broken = tmp_path / "scorer.json"
    broken.write_text("{not json", encoding="utf-8")
    proc = _netsword(
        tmp_path / "var", *_crawl_args(quiet_market, tmp_path), NETSWORD_MATCHING_LEARNED_SCORER=str(broken)
    )
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 2, out + err[-3000:]
    assert "lead process:" in err
    assert (
        not (tmp_path / "stats.json").exists() or "netsword/lead_batches" not in (tmp_path / "stats.json").read_text()
    )
