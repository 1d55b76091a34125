"""The crawl pipeline queues immediate alerts as leads are stored; a re-crawl queues nothing twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_crawl_queues_alerts_once_and_send_writes_them(market, tmp_path: Path, crawl) -> None:
    first = crawl(tmp_path, "demo-feed", market.base_url, evidence=False, alerts=True)
    assert first["netsword/leads_created"] > 0
    assert first["netsword/alerts_queued"] > 0  # the sample watchlists' contacts are alerted at score ≥ 70
    again = crawl(tmp_path, "demo-feed", market.base_url, evidence=False, alerts=True)
    assert again.get("netsword/leads_created", 0) == 0
    assert again["netsword/alerts_queued"] == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env["NETSWORD_PATHS_VAR_DIR"] = str(tmp_path)
    send = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-c", "from netsword.cli import run; run()", "alerts", "send"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert send.returncode == 0, send.stderr
    messages = list((tmp_path / "outbox").glob("*.eml"))
    assert messages
    text = messages[0].read_bytes().decode("utf-8", errors="replace")
    assert "Message-ID:" in text and "/leads/ld-" in text
