"""Evidence on a full disk in a distributed run: a worker's captures (made after its listings are handed to the
writer) fail with ENOSPC (evidence.faults), and the run waits for them and ends `partial` with exit status 3 and the
evidence loss line, as a one-process crawl does — not `complete` while captures were still failing — and the
scheduler's run history (from --stats-json) says so."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.server import DemoMarket
from evidence.faults import FAULT_ENV
from scheduler.child import netsword_command
from scheduler.crawl_job import run_note

pytestmark = pytest.mark.timeout(300)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def market() -> Iterator[str]:
    demo = DemoMarket(port=0, rate_limit=None, fault_rate=0.0, slow_rate=0.0)
    url = demo.start()
    yield url
    demo.stop()


def test_evidence_not_kept_on_a_full_disk_makes_the_distributed_run_partial(tmp_path: Path, market: str) -> None:
    from netsword.redis_server import ensure_redis_server

    ensure_redis_server()
    var = tmp_path / "var"
    config = tmp_path / "netsword.toml"
    config.write_text(f'[paths]\nvar_dir = "{var}"\n[distributed]\nkey_prefix = "ev"\n')
    flag = tmp_path / "disk-full"
    flag.touch()
    args = ["crawl", "demo-static", "--distributed", "--workers", "1", "--base-url", market, "--keyword", "nike",
            "--max-pages", "1", "--no-alerts", "--stats-json", str(tmp_path / "stats.json")]  # fmt: skip
    proc = subprocess.run(netsword_command(args, str(config)), cwd=ROOT, capture_output=True, text=True, timeout=240,
                          env={**os.environ, FAULT_ENV: f"ENOSPC:{flag}"}, check=False)  # fmt: skip
    out = proc.stdout + proc.stderr
    worker_log = (var / "distributed" / "demo-static" / "worker-1.log").read_text(errors="replace")
    assert "not kept: disk full" in worker_log, worker_log[-3000:]  # captures did fail
    assert proc.returncode == 3, out[-3000:]
    assert "crawl demo-static: partial" in out and "listing(s) not captured (disk full" in out, out[-3000:]
    note = run_note(json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))["crawl"])  # the run history's
    assert note.startswith("crawl partial, run dr-") and "not captured (disk full" in note, note
