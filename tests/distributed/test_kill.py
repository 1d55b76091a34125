"""Two workers and a writer on a real redis-server crawl the demo marketplace; one worker is killed with SIGKILL in
the middle. The run still ends complete, with exactly the leads a one-process crawl of the same keywords stores,
each seen once, and the ledger's figures equal to the one-process crawl's."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from crawler.distributed.keys import Keys
from demo.server import DemoMarket
from leads.store import LeadQuery, open_store_from_config
from netsword.config import load_config
from netsword.redis_server import LocalRedis
from scheduler.child import netsword_command

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = ("nike", "adidas", "gucci", "dyson")
MAX_PAGES = "2"


@pytest.fixture
def market() -> Iterator[str]:
    demo = DemoMarket(port=0, rate_limit=None, fault_rate=0.0, slow_rate=0.6, slow_seconds=0.3)
    url = demo.start()
    yield url
    demo.stop()


def write_config(path: Path, var: Path) -> Path:
    path.write_text(f'[paths]\nvar_dir = "{var}"\n[distributed]\nworker_ttl = 3.0\nkey_prefix = "kt"\n')
    return path


def start(args: list[str], config: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(netsword_command(args, str(config)), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)  # fmt: skip


def stored_total(output: str) -> int:
    found = re.search(r"\bstored (\d+)", output)
    assert found, output[-2000:]
    return int(found.group(1))


def leads_of(config: Path) -> dict[str, tuple[int, int]]:
    with open_store_from_config(load_config(config)) as store:
        return {lead.lead_id: (lead.score, lead.times_seen) for lead in store.iter_leads(LeadQuery())}


def stop_all(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM whatever still runs (SIGCONT first: a stopped process hears nothing else), then kill what is left
    after 40 s."""
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class DemoRun:
    """A one-process crawl of KEYWORDS and the same crawl distributed: a writer, workers a and b and the following
    `crawl --distributed`, each logging to <tmp_path>/<name>.log (single, writer, a, b, follow)."""

    tmp_path: Path
    single_cfg: Path
    dist_cfg: Path
    single: subprocess.Popen[bytes]
    writer: subprocess.Popen[bytes]
    workers: dict[str, subprocess.Popen[bytes]]
    follower: subprocess.Popen[bytes]
    client: redis.Redis
    keys: Keys

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text()

    def wait_until_a_works(self) -> None:
        """Until worker a holds claims and at least 3 listings are handed over or stored."""
        deadline = time.monotonic() + 90
        while not (
            self.client.hlen(self.keys.claims("a"))
            and self.client.xlen(self.keys.items) + stored_so_far(self.client, self.keys) >= 3
        ):
            assert time.monotonic() < deadline, "worker a never got to work"
            assert self.follower.poll() is None, self.log("follow")
            time.sleep(0.05)


@contextmanager
def demo_run(tmp_path: Path, market: str, url: str) -> Iterator[DemoRun]:
    """Start the one-process crawl and the distributed one on Redis `url`; stop whatever still runs at the end."""
    crawl_args = ["demo-static", "--base-url", market, "--max-pages", MAX_PAGES, "--no-evidence", "--no-alerts"]
    for keyword in KEYWORDS:
        crawl_args += ["--keyword", keyword]
    single_cfg = write_config(tmp_path / "single.toml", tmp_path / "single")
    dist_cfg = write_config(tmp_path / "dist.toml", tmp_path / "dist")
    single = start(["crawl", *crawl_args], single_cfg, tmp_path / "single.log")
    writer = start(["writer", "--redis-url", url, "--no-alerts"], dist_cfg, tmp_path / "writer.log")
    workers = {
        name: start(["worker", "demo-static", "--name", name, "--redis-url", url, "--base-url", market,
                     "--no-evidence", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"], dist_cfg, tmp_path / f"{name}.log")
        for name in ("a", "b")
    }  # fmt: skip
    follower = start(["crawl", *crawl_args, "--distributed", "--redis-url", url], dist_cfg, tmp_path / "follow.log")
    client = redis.Redis.from_url(url)
    run = DemoRun(tmp_path, single_cfg, dist_cfg, single, writer, workers, follower, client, Keys("kt", "demo-static"))
    try:
        yield run
    finally:
        stop_all((*workers.values(), writer, follower, single))
        client.close()


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path: Path, market: str, local_redis: LocalRedis) -> None:
    with demo_run(tmp_path, market, local_redis.url) as run:
        run.wait_until_a_works()
        os.kill(run.workers["a"].pid, signal.SIGKILL)
        run.workers["a"].wait()
        orphaned = run.client.hlen(run.keys.claims("a"))
        assert run.follower.wait(120) == 0, run.log("follow")
        assert run.single.wait(120) == 0, run.log("single")
    single_cfg, dist_cfg = run.single_cfg, run.dist_cfg
    follow_out = (tmp_path / "follow.log").read_text()
    single_out = (tmp_path / "single.log").read_text()
    assert "complete" in follow_out.splitlines()[-1] or "crawl demo-static: complete" in follow_out, follow_out
    assert stored_total(follow_out) == stored_total(single_out) > 0
    if orphaned:  # what worker a held when it died went back to the queue and was done by b
        assert "re-queued" in follow_out + (tmp_path / "b.log").read_text()
    single_leads, dist_leads = leads_of(single_cfg), leads_of(dist_cfg)
    assert single_leads and {k: v[0] for k, v in dist_leads.items()} == {k: v[0] for k, v in single_leads.items()}
    assert {seen for _, seen in dist_leads.values()} == {1}  # no listing counted twice


def stored_so_far(client: redis.Redis, keys: Keys) -> int:
    raw = client.hget(keys.run, "ledger")
    found = re.search(rb'"stored": (\d+)', raw or b"")
    return int(found.group(1)) if found else 0
