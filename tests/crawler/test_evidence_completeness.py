"""Every lead gets its evidence, in real processes: a crawl killed (SIGKILL) after its leads were stored and before
their captures, and a crawl whose evidence disk is full, leave gaps that `netsword evidence verify` reports (exit 1)
and the next crawl or `netsword evidence backfill` fills; a tampered manifest or a planted file fails verify."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from evidence.faults import FAULT_ENV

pytestmark = pytest.mark.timeout(300)
KEYWORDS = ["耐克", "NIKE"]
REPO = Path(__file__).resolve().parents[2]


def _env(var: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=str(var), NETSWORD_KEYS_DIR=str(var.parent / "keys"), PYTHONPATH=str(REPO))
    env.update(extra)
    return env


def _crawl(crawl_command: Any, var: Path, base_url: str, **extra: str) -> dict[str, Any]:
    command = crawl_command(var, "demo-static", base_url, keywords=KEYWORDS, max_pages=2)
    command["env"] = _env(var, **extra)
    proc = subprocess.run(**command, capture_output=True, text=True, timeout=240)  # noqa: S603 - our own helper
    lines = [line for line in proc.stdout.splitlines() if line.startswith("STATS ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1][6:])


def _cli(var: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from netsword.cli import run; run()", *args]
    return subprocess.run(command, env=_env(var, **extra), cwd=var, capture_output=True, text=True, timeout=240)  # noqa: S603


def _lead_count(var: Path) -> int:
    db = var / "netsword.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM leads").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is still being created
        return 0


def _pending_captures(var: Path) -> int:
    db = var / "evidence" / "ledger.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM captures WHERE state = 'pending'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _manifests(var: Path) -> list[Path]:
    return sorted((var / "evidence" / "captures").glob("*.json"))


def _kill_after_leads_before_captures(crawl_command: Any, var: Path, base_url: str) -> int:
    """Start a crawl whose evidence writes hang, SIGKILL it once leads are stored and the first capture is stuck in
    its first write (begun in the ledger, nothing written); returns how many leads were stored."""
    flag = var.parent / "hang"
    flag.touch()
    command = crawl_command(var, "demo-static", base_url, keywords=KEYWORDS, max_pages=2)
    command["env"] = _env(var, **{FAULT_ENV: f"hang:{flag}"})
    proc = subprocess.Popen(**command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        while _lead_count(var) == 0 or _pending_captures(var) == 0:
            assert proc.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    flag.unlink()
    assert _manifests(var) == []  # leads stored, not one capture
    return _lead_count(var)


def _verify(var: Path) -> tuple[int, list[str]]:
    done = _cli(var, "evidence", "verify")
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout.splitlines()


def test_killed_before_captures_the_next_crawl_fills_the_gap(market, tmp_path: Path, crawl_command) -> None:
    var = tmp_path / "var"
    var.mkdir()
    stored = _kill_after_leads_before_captures(crawl_command, var, market.base_url)
    code, lines = _verify(var)
    assert code == 1
    gaps = [line for line in lines if "no capture (no recorded reason)" in line]
    assert gaps and lines[-1].endswith(f"{len(gaps)} problems"), lines
    assert f"{stored} without one" in lines[-1]
    again = _crawl(crawl_command, var, market.base_url)
    assert again["finish_reason"] == "finished"
    assert again["netsword/evidence_caught_up"] >= len(gaps)  # leads stored by the killed crawl, captured now
    code, lines = _verify(var)
    assert code == 0, lines
    assert " 0 without one," in lines[-1] and lines[-1].endswith("; 0 problems")
    # a tampered manifest, then a planted file, each fail verify with one line naming it
    manifest = _manifests(var)[0]
    original = manifest.read_bytes()
    manifest.write_bytes(original.replace(b'"status": 200', b'"status": 404'))
    code, lines = _verify(var)
    assert code == 1 and lines[-1].endswith("; 2 problems")  # the manifest, and its lead now has no valid capture
    assert "no capture (no recorded reason)" in lines[1]
    assert lines[0].startswith(f"captures/{manifest.name}: changed since it was written (SHA-256 ")
    manifest.write_bytes(original)
    planted = var / "evidence" / "objects" / "00" / ("00" * 32)
    planted.parent.mkdir(exist_ok=True)
    planted.write_bytes(b"not evidence")
    code, lines = _verify(var)
    assert code == 1 and lines[0] == f"objects/00/{planted.name}: no manifest names this file"
    assert lines[-1].endswith("; 1 problems")


def test_killed_before_captures_backfill_fills_the_gap(market, tmp_path: Path, crawl_command) -> None:
    var = tmp_path / "var"
    var.mkdir()
    _kill_after_leads_before_captures(crawl_command, var, market.base_url)
    assert _verify(var)[0] == 1
    done = _cli(var, "evidence", "backfill", "--platform", "demo-static", "--base-url", market.base_url)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    summary = done.stdout.splitlines()[-1]
    assert " 0 failed; interrupted captures: 0 completed, 1 cleaned up" in summary, summary  # the hung capture
    code, lines = _verify(var)
    assert code == 0, lines
    assert not any(line.startswith("note:") for line in lines)  # nothing half-written left
    again = _cli(var, "evidence", "backfill", "--platform", "demo-static", "--base-url", market.base_url)
    assert again.returncode == 0 and "0 listings without evidence" in again.stdout


def test_a_full_disk_is_counted_recorded_and_filled_once_space_returns(market, tmp_path: Path, crawl_command) -> None:
    var = tmp_path / "var"
    var.mkdir()
    flag = tmp_path / "disk-full"
    flag.touch()
    stats = _crawl(crawl_command, var, market.base_url, **{FAULT_ENV: f"ENOSPC:{flag}"})
    failed = stats["netsword/evidence_failed"]
    assert failed >= 1 and "netsword/evidence_captures" not in stats and "netsword/evidence_unrecorded" not in stats
    assert stats["netsword/status"] == "partial"  # evidence not kept is a loss: netsword crawl exits 3, not 0
    assert _manifests(var) == [] and not list((var / "evidence" / "objects").rglob("*.*"))  # nothing half-kept
    code, lines = _verify(var)
    gaps = [line for line in lines if "no capture (disk full: No space left on device" in line]
    assert code == 1 and len(gaps) == failed, lines  # every listing not kept is reported, with why
    flag.unlink()  # space returns
    done = _cli(var, "evidence", "backfill", "--platform", "demo-static", "--base-url", market.base_url)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert f"{failed} listings without evidence: {failed} captured" in done.stdout
    assert _verify(var)[0] == 0


def _mount_tmpfs(path: Path, size: str) -> bool:
    command = ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)]
    return os.geteuid() == 0 and subprocess.run(command, capture_output=True).returncode == 0  # noqa: S603, S607


def test_a_real_full_disk_loses_nothing_silently(market, tmp_path: Path, crawl_command) -> None:
    """The evidence directory on a small tmpfs: captures and even their reasons fail for real, the crawl counts
    them, verify reports every gap, and a backfill after the disk grows fills them."""
    var = tmp_path / "var"
    evidence = var / "evidence"
    evidence.mkdir(parents=True)
    if not _mount_tmpfs(evidence, "160k"):
        pytest.skip("needs root and mount -t tmpfs")
    try:
        stats = _crawl(crawl_command, var, market.base_url)
        failed = stats.get("netsword/evidence_failed", 0)
        assert failed >= 1, stats
        code, lines = _verify(var)
        gaps = [line for line in lines if ": no capture (" in line]
        assert code == 1 and len(gaps) == failed, lines  # not one listing without evidence goes unreported
        subprocess.run(["mount", "-o", "remount,size=64m", str(evidence)], check=True)  # noqa: S603, S607
        done = _cli(var, "evidence", "backfill", "--platform", "demo-static", "--base-url", market.base_url)
        assert done.returncode == 0, done.stdout + done.stderr[-3000:]
        assert _verify(var)[0] == 0
    finally:
        subprocess.run(["umount", "-l", str(evidence)], check=False)  # noqa: S603, S607


def test_backfill_records_why_it_may_not_or_cannot_capture(market, tmp_path: Path) -> None:
    """Never fetched: no profile, a URL off the profile's hosts; refused by robots.txt; gone (404): each a final
    reason, so verify passes and the next backfill leaves them alone. A live listing is captured."""
    from leads.store import open_store
    from netsword.models import Lead, Reason, make_lead_id

    with urllib.request.urlopen(f"{market.base_url}/ground_truth.json") as response:  # noqa: S310 - loopback
        live = next(row for row in json.loads(response.read()) if row["platform"] == "demo-static")
    var = tmp_path / "var"
    var.mkdir()
    urls = {
        "live": ("demo-static", f"{market.base_url}/static/item/{live['listing_id']}"),
        "gone": ("demo-static", f"{market.base_url}/static/item/no-such-item"),
        "private": ("demo-static", f"{market.base_url}/private/item-1"),
        "offsite": ("demo-static", "https://shop.example/static/item/1"),
        "unknown": ("nowhere", "https://nowhere.example/item/1"),
    }
    leads = [Lead(lead_id=make_lead_id(platform, name, "tm"), listing_id=name, platform=platform, url=url,
                  entry_id="tm", kind="trademark", score=80, matched="NIKE", reasons=(Reason("mark", "title"),),
                  listing={"id": name, "url": url}) for name, (platform, url) in urls.items()]  # fmt: skip
    with open_store(f"sqlite:///{var / 'netsword.db'}") as store:
        store.upsert_many(leads)
    done = _cli(var, "evidence", "backfill", "--base-url", market.base_url)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "5 listings without evidence: 1 captured, 3 refused, 1 gone, 0 failed" in done.stdout, done.stdout
    code, lines = _verify(var)
    assert code == 0, lines
    assert "5 leads: 1 with a capture, 4 without one for a final reason, 0 without one" in lines[-1]
    reasons = {}
    with sqlite3.connect(var / "evidence" / "ledger.db") as conn:
        for listing_id, reason, final in conn.execute("SELECT listing_id, reason, final FROM no_capture"):
            reasons[listing_id] = (reason, final)
    assert reasons == {
        "gone": ("gone before it was captured (HTTP 404)", 1),
        "private": ("fetch refused: Forbidden by robots.txt", 1),
        "offsite": ("its URL is on no host of its profile", 1),
        "unknown": ("no profile for this platform may fetch it", 1),
    }
    again = _cli(var, "evidence", "backfill", "--base-url", market.base_url)
    assert again.returncode == 0 and "0 listings without evidence" in again.stdout
