"""Batched lead writes lose nothing the crawl acknowledged, even when the crawl is killed; re-crawls stay idempotent."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from leads.store import LeadQuery, open_store

pytestmark = pytest.mark.timeout(300)


def _leads(var_dir: Path) -> list:
    with open_store(f"sqlite:///{var_dir / 'netsword.db'}") as store:
        return list(store.iter_leads(LeadQuery()))


def test_killed_crawl_keeps_every_acknowledged_lead(market, tmp_path: Path, crawl, crawl_command) -> None:
    acks = tmp_path / "acks.jsonl"
    common = {"keywords": ["耐克", "NIKE", "劳力士", "茅台"], "max_pages": 3, "evidence": False}
    # batches of 7 and a slow crawl, so that the kill lands while some listings wait in a batch
    command = crawl_command(tmp_path, "demo-static", market.base_url, ack_file=str(acks),
                            extra={"NETSWORD_LEAD_BATCH": 7, "DOWNLOAD_DELAY": 0.05}, **common)  # fmt: skip
    proc = subprocess.Popen(**command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        while not acks.exists() or len(acks.read_text(encoding="utf-8").splitlines()) < 12:
            assert proc.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.kill()  # SIGKILL: no shutdown, no flush
    finally:
        proc.wait(timeout=30)
    acked = [json.loads(line) for line in acks.read_text(encoding="utf-8").splitlines() if line.endswith("}")]
    promised = {lead_id for ack in acked for lead_id in ack["new_leads"]}
    stored = {lead.lead_id for lead in _leads(tmp_path)}
    assert promised and promised <= stored  # every lead the crawl had reported as stored is there
    again = crawl(tmp_path, "demo-static", market.base_url, **common)
    assert again["finish_reason"] == "finished"
    leads = _leads(tmp_path)
    assert len({lead.lead_id for lead in leads}) == len(leads) and promised <= {lead.lead_id for lead in leads}
    assert all(lead.times_seen <= 2 for lead in leads)  # seen by the killed crawl at most once, then once more
    assert again.get("netsword/leads_created", 0) + len(stored) == len(leads)
