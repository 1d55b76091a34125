"""A worker stalled longer than distributed.worker_ttl (SIGSTOP, then SIGCONT) is reaped while it stalls: another
worker fetches its pages again. When it resumes it behaves as if it had been killed: it hands over nothing more (no
listing or ledger report is counted twice), says so in one line and stops with the reason `reaped` (exit 1). The
run's totals and leads equal a one-process crawl's, each lead seen once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import redis

from crawler.distributed.keys import Keys
from netsword.redis_server import LocalRedis
from tests.distributed.test_kill import (
    KEYWORDS,
    MAX_PAGES,
    leads_of,
    market,
    start,
    stored_so_far,
    stored_total,
    write_config,
)  # fmt: skip

__all__ = ["market"]  # the demo marketplace fixture
TTL = 3.0  # write_config's distributed.worker_ttl


def test_a_worker_stalled_past_its_ttl_is_reaped_and_hands_over_nothing_twice(
    tmp_path: Path, market: str, local_redis: LocalRedis
) -> None:
    crawl_args = ["demo-static", "--base-url", market, "--max-pages", MAX_PAGES, "--no-evidence", "--no-alerts"]
    for keyword in KEYWORDS:
        crawl_args += ["--keyword", keyword]
    single_cfg = write_config(tmp_path / "single.toml", tmp_path / "single")
    dist_cfg = write_config(tmp_path / "dist.toml", tmp_path / "dist")
    url = local_redis.url
    single = start(["crawl", *crawl_args], single_cfg, tmp_path / "single.log")
    writer = start(["writer", "--redis-url", url, "--no-alerts"], dist_cfg, tmp_path / "writer.log")
    workers = {
        name: start(["worker", "demo-static", "--name", name, "--redis-url", url, "--base-url", market,
                     "--no-evidence", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"], dist_cfg, tmp_path / f"{name}.log")
        for name in ("a", "b")
    }  # fmt: skip
    follower = start(["crawl", *crawl_args, "--distributed", "--redis-url", url], dist_cfg, tmp_path / "follow.log")
    client = redis.Redis.from_url(url)
    keys = Keys("kt", "demo-static")
    try:
        deadline = time.monotonic() + 90
        while not (client.hlen(keys.claims("a")) and client.xlen(keys.items) + stored_so_far(client, keys) >= 3):
            assert time.monotonic() < deadline, "worker a never got to work"
            assert follower.poll() is None, (tmp_path / "follow.log").read_text()
            time.sleep(0.05)
        os.kill(workers["a"].pid, signal.SIGSTOP)
        try:
            deadline = time.monotonic() + 4 * TTL
            while client.sismember(keys.workers, "a") or client.exists(keys.claims("a")):  # until a is reaped
                assert time.monotonic() < deadline, "the stalled worker a was never reaped"
                time.sleep(0.1)
            time.sleep(1.0)  # worker b takes a's pages meanwhile
        finally:
            os.kill(workers["a"].pid, signal.SIGCONT)
        assert follower.wait(120) == 0, (tmp_path / "follow.log").read_text()
        assert single.wait(120) == 0, (tmp_path / "single.log").read_text()
        try:
            a_status: int | None = workers["a"].wait(20)  # a reaped worker stops by itself
        except subprocess.TimeoutExpired:
            a_status = None
    finally:
        for proc in (*workers.values(), writer, follower, single):
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.send_signal(signal.SIGTERM)
        for proc in (*workers.values(), writer, follower, single):
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()
        client.close()
    follow_out = (tmp_path / "follow.log").read_text()
    single_out = (tmp_path / "single.log").read_text()
    a_out = (tmp_path / "a.log").read_text()
    assert "re-queued" in follow_out + (tmp_path / "b.log").read_text()
    assert stored_total(follow_out) == stored_total(single_out) > 0, follow_out
    assert a_status == 1 and "worker a was reaped after stalling" in a_out and "demo-static: reaped;" in a_out, a_out
    assert "crawl demo-static: complete" in follow_out, follow_out
    single_leads, dist_leads = leads_of(single_cfg), leads_of(dist_cfg)
    assert single_leads and {k: v[0] for k, v in dist_leads.items()} == {k: v[0] for k, v in single_leads.items()}
    assert {seen for _, seen in dist_leads.values()} == {1}  # no listing counted twice
