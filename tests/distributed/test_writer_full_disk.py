"""The writer on a full disk, on a real redis-server: a `netsword writer` whose files may not grow (RLIMIT_FSIZE, as a
full disk answers SQLite) stops with exit status 1 and says why, acknowledges nothing — every entry stays in the
items stream and the run's hash names the refusal — and a writer started afterwards under another name takes the
entries over and stores every listing exactly once: the run ends complete."""

from __future__ import annotations

import json
import resource
import subprocess
from pathlib import Path

import redis

from crawler.distributed.keys import WRITER_GROUP, Keys
from crawler.distributed.run import finish_run, pending, start_run
from leads.store import LeadQuery, open_store_from_config
from netsword.config import load_config
from netsword.models import utc_now
from netsword.redis_server import LocalRedis
from scheduler.child import netsword_command

ROOT = Path(__file__).resolve().parents[2]
LISTINGS = 30
FILE_LIMIT = 256 * 1024  # bytes any file of the first writer may reach (the new store has 96 KiB); the batch needs more
WATCHLIST = """version: 1
trademarks:
- id: tm-nike
  mark: NIKE
  variants: [耐克]
  owner: Nike
  classes: [25]
  status: registered
"""


def _listing(n: int) -> dict[str, object]:
    return {"id": f"fd{n:03d}", "platform": "demo-static", "url": f"http://127.0.0.1/item/fd{n:03d}",
            "title": f"耐克 Nike Air Max 高仿 原单 {n}", "price": 99.0, "currency": "CNY",
            "description": f"{n:03d}" + "-" * 8000, "crawled_at": utc_now()}  # fmt: skip


def _writer(config: Path, name: str, *, file_limit: int = 0) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # Python ignores SIGXFSZ: a write over the limit fails with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    args = ["writer", "--name", name, "--no-alerts", "--max-idle", "5", "--watchlist", str(config.with_name("w.yaml"))]
    return subprocess.run(netsword_command(args, str(config)), cwd=ROOT, capture_output=True, text=True, timeout=120,
                          preexec_fn=limit if file_limit else None, check=False)  # noqa: PLW1509 - setrlimit only  # fmt: skip


def test_a_writer_on_a_full_disk_stops_and_the_next_one_stores_everything_once(tmp_path: Path,
                                                                               local_redis: LocalRedis) -> None:  # fmt: skip
    var = tmp_path / "var"
    config = tmp_path / "netsword.toml"
    config.write_text(f'[paths]\nvar_dir = "{var}"\n[matching]\nindex_cache = false\n'
                      f'[distributed]\nredis_url = "{local_redis.url}"\nkey_prefix = "fd"\nworker_ttl = 1.0\n')  # fmt: skip
    config.with_name("w.yaml").write_text(WATCHLIST, encoding="utf-8")
    cfg = load_config(config)
    open_store_from_config(cfg).close()  # the store exists, small: only its growth hits the limit
    server = redis.Redis.from_url(local_redis.url)
    keys = Keys("fd", "demo-static")
    run = start_run(server, keys, profile="demo-static", keywords=["耐克"], max_pages=1)
    server.delete(keys.seeds)  # no worker: the test hands the listings over as a worker does
    server.xgroup_create(keys.items, WRITER_GROUP, id="0", mkstream=True)
    events = [["page_fetched", ["耐克", 1, "http://127.0.0.1/search?q=1", LISTINGS]]]
    server.xadd(keys.items, {"kind": "events", "data": json.dumps(events)})
    for n in range(LISTINGS):
        record = {"keyword": "耐克", "page": 1, "listing": _listing(n)}
        server.xadd(keys.items, {"kind": "listing", "data": json.dumps(record, ensure_ascii=False)})

    full = _writer(config, "writer-full", file_limit=FILE_LIMIT)
    assert full.returncode == 1, full.stdout[-2000:] + full.stderr[-2000:]
    assert "stopped: the store refused a batch" in full.stdout and "stay in fd:demo-static:items" in full.stdout
    assert server.xlen(keys.items) == LISTINGS + 1  # nothing acknowledged, nothing deleted
    assert b"the store refused" in (server.hget(keys.run, "writer_error") or b"")
    assert pending(server, keys) == LISTINGS + 1  # the run is not over: `crawl --distributed` keeps following it

    after = _writer(config, "writer-after")  # another name: the entries pending for writer-full are taken over
    assert after.returncode == 0, after.stdout[-2000:] + after.stderr[-2000:]
    assert f"{LISTINGS} listings ({LISTINGS} stored, 0 failed" in after.stdout
    assert server.xlen(keys.items) == 0 and not server.hexists(keys.run, "writer_error")
    summary = finish_run(server, keys, run.run_id)
    assert summary["status"] == "complete" and summary["totals"]["stored"] == LISTINGS, summary
    with open_store_from_config(cfg) as store:
        leads = list(store.iter_leads(LeadQuery()))
    assert sorted({lead.listing_id for lead in leads}) == [f"fd{n:03d}" for n in range(LISTINGS)]
    assert all(lead.times_seen == 1 for lead in leads)
    server.close()


def test_a_writer_whose_redis_refuses_writes_stops_in_one_line_and_loses_nothing(tmp_path: Path,
                                                                                  local_redis: LocalRedis) -> None:  # fmt: skip
    """Redis refusing writes (MISCONF on its own full disk; here NOREPLICAS, the same refusal made on purpose): the
    writer exits 1 with one line, no traceback, and what it did not acknowledge is stored by the next writer."""
    var = tmp_path / "var"
    config = tmp_path / "netsword.toml"
    config.write_text(f'[paths]\nvar_dir = "{var}"\n[matching]\nindex_cache = false\n'
                      f'[distributed]\nredis_url = "{local_redis.url}"\nkey_prefix = "fd"\nworker_ttl = 1.0\n')  # fmt: skip
    config.with_name("w.yaml").write_text(WATCHLIST, encoding="utf-8")
    server = redis.Redis.from_url(local_redis.url)
    keys = Keys("fd", "demo-static")
    run = start_run(server, keys, profile="demo-static", keywords=["耐克"], max_pages=1)
    server.delete(keys.seeds)
    server.xgroup_create(keys.items, WRITER_GROUP, id="0", mkstream=True)
    events = [["page_fetched", ["耐克", 1, "http://127.0.0.1/search?q=1", 3]]]
    server.xadd(keys.items, {"kind": "events", "data": json.dumps(events)})
    for n in range(3):
        record = {"keyword": "耐克", "page": 1, "listing": _listing(n)}
        server.xadd(keys.items, {"kind": "listing", "data": json.dumps(record, ensure_ascii=False)})
    server.config_set("min-replicas-to-write", 1)  # every write is refused from now on
    try:
        refused = _writer(config, "writer-refused")
    finally:
        server.config_set("min-replicas-to-write", 0)
    assert refused.returncode == 1 and "stopped: Redis: NOREPLICAS" in refused.stdout, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr
    after = _writer(config, "writer-after")
    assert after.returncode == 0 and "3 listings (3 stored, 0 failed" in after.stdout, after.stdout + after.stderr
    summary = finish_run(server, keys, run.run_id)
    assert summary["status"] == "complete" and summary["totals"]["stored"] == 3, summary
    server.close()
