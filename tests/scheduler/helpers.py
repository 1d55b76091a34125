"""Helpers for the scheduler tests: child environments, jobs files, run history, waiting."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netsword.config import Config
from scheduler.history import RunHistory, RunRecord

REPO = Path(__file__).resolve().parents[2]


def child_env(var_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(var_env)
    env["PYTHONPATH"] = str(REPO)
    return env


def write_jobs(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def runs_of(cfg: Config, job_id: str | None = None) -> list[RunRecord]:
    """Every recorded run, oldest first."""
    history = RunHistory.for_config(cfg)
    try:
        return list(reversed(history.recent(10_000, job_id)))
    finally:
        history.close()


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def seed_leads_at(cfg: Config, urls: list[str], platform: str = "demo-static") -> None:
    """Plain leads pointing at the given listing URLs, written straight to the store (no matching involved)."""
    from leads.sink import LeadSink
    from leads.store import open_store
    from netsword.models import Lead, Reason, make_lead_id

    with open_store(cfg.store_url) as store:
        for n, url in enumerate(urls):
            listing_id = url.rstrip("/").rsplit("/", 1)[-1]
            listing = {"id": listing_id, "platform": platform, "url": url, "title": f"耐克 {n}", "price": 99.0}
            LeadSink(store).write([Lead(
                lead_id=make_lead_id(platform, listing_id, "tm-nike"), listing_id=listing_id, platform=platform,
                url=url, entry_id="tm-nike", kind="trademark", score=80, matched="耐克",
                reasons=(Reason("mark", "耐克"),), listing=listing, first_seen="2026-01-01T00:00:00Z",
                last_seen="2026-01-01T00:00:00Z",
            )])  # fmt: skip


def when(stamp: str) -> float:
    """A run record's UTC time as a POSIX timestamp."""
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
