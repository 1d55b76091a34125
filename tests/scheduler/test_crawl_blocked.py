"""A crawl job whose platform blocks it (403 on every result page) is recorded `blocked` in the run history, with
why, and its operators are told — the crawl's exit status 5 read by the scheduler."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from alerts.outbox import Outbox
from netsword.config import Config, load_config
from scheduler.history import RunHistory
from scheduler.jobs_loader import parse_jobs
from scheduler.runner import JobRunner
from tests.crawler.flaky_front import FlakyFront, Rule

pytestmark = pytest.mark.timeout(300)
BUNDLED = Path(__file__).resolve().parents[2] / "crawler" / "profiles" / "demo-static.yaml"


def test_a_blocked_crawl_is_recorded_blocked_and_the_operators_told(
    market: Any, var_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = tmp_path / "demo-static-guarded.yaml"
    profile.write_text(BUNDLED.read_text(encoding="utf-8") + "\nblocked: {stop_after: 2, backoff: 0.1}\n",
                       encoding="utf-8")  # fmt: skip
    jobs = f"""\
jobs:
  - id: crawl
    kind: crawl
    profile: {profile}
    keywords: [鞋, 手表]
    max_pages: 2
    evidence: false
    every: 1h
    time_limit: 3m
"""
    monkeypatch.setenv("NETSWORD_ALERTS_OPERATORS", "ops@example.org")  # the crawl child reads the environment
    cfg: Config = load_config(env={**var_env, "NETSWORD_ALERTS_OPERATORS": "ops@example.org"})
    with FlakyFront(market.url, [Rule(r"/static/search", 403)]) as front:
        specs = parse_jobs(jobs.replace("every: 1h", f"base_url: {front.url}\n    every: 1h"))
        history = RunHistory.for_config(cfg)
        try:
            record = JobRunner(cfg, {s.id: s for s in specs}, history, threading.Event()).run(
                "crawl", trigger="run-now"
            )
        finally:
            history.close()
    assert record.outcome == "blocked", record.message
    assert "blocked: demo-static stopped after 2 blocks in a row, the last denied (status: 403)" in record.message
    with Outbox.for_config(cfg) as outbox:
        [message] = outbox.messages()
    assert message.kind == "operator" and message.recipient == "ops@example.org"
