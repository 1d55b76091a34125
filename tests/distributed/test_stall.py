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

from netsword.redis_server import LocalRedis
from tests.distributed.test_kill import demo_run, leads_of, market, stored_total

__all__ = ["market"]  # the demo marketplace fixture
TTL = 3.0  # write_config's distributed.worker_ttl


def test_a_worker_stalled_past_its_ttl_is_reaped_and_hands_over_nothing_twice(
    tmp_path: Path, market: str, local_redis: LocalRedis
) -> None:
    with demo_run(tmp_path, market, local_redis.url) as run:
        client, keys, a = run.client, run.keys, run.workers["a"]
        run.wait_until_a_works()
        os.kill(a.pid, signal.SIGSTOP)
        try:
            deadline = time.monotonic() + 4 * TTL
            while client.sismember(keys.workers, "a") or client.exists(keys.claims("a")):  # until a is reaped
                assert time.monotonic() < deadline, "the stalled worker a was never reaped"
                time.sleep(0.1)
            time.sleep(1.0)  # worker b takes a's pages meanwhile
        finally:
            os.kill(a.pid, signal.SIGCONT)
        assert run.follower.wait(120) == 0, run.log("follow")
        assert run.single.wait(120) == 0, run.log("single")
        try:
            a_status: int | None = a.wait(20)  # a reaped worker stops by itself
        except subprocess.TimeoutExpired:
            a_status = None
    single_cfg, dist_cfg = run.single_cfg, run.dist_cfg
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
