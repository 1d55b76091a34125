"""A distributed run whose platform a worker stopped for its blocks ends `blocked` (exit status 5), as a one-process
crawl does: the worker's ledger report reaches the run's ledger through the writer's replay."""

from __future__ import annotations

import json

import redis

from crawler.distributed.handoff import RecordingLedger, replay
from crawler.distributed.keys import Keys
from crawler.distributed.run import finish_run, start_run
from crawler.ledger import CrawlLedger, exit_code

KEYS = Keys("t", "demo")


def test_a_platform_stopped_by_a_worker_ends_the_distributed_run_blocked(client: redis.Redis) -> None:
    info = start_run(client, KEYS, profile="demo-static", keywords=["nike"], max_pages=1)
    worker = RecordingLedger()  # what a worker's block middleware and spider report
    worker.page_fetched("nike", 1, "http://127.0.0.1/s?q=nike", 2)
    worker.block_seen()
    worker.platform_blocked("demo-static stopped after 3 blocks in a row, the last captcha (title: 验证码) at …")
    run = CrawlLedger()  # the writer's copy, kept in the run's hash
    assert replay(run, worker.drain()) == 0
    run.stored("nike", 1, 2)
    client.hset(KEYS.run, "ledger", json.dumps(run.to_dict(None)))
    summary = finish_run(client, KEYS, info.run_id)
    assert summary["status"] == "blocked" and exit_code(summary["status"]) == 5
    assert any(line.startswith("blocked: demo-static stopped after 3 blocks") for line in summary["lost"])
