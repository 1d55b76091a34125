"""A distributed crawl run of one platform: seeds pushed, followed until every request and listing is done.

`start_run` makes a new run (a new run id, an empty duplicate filter and ledger) and pushes one seed per keyword
(scrapy-redis's start list, read by the workers: crawler.distributed.spider); when a run of the platform is already
going, it is followed instead (a follower that was stopped — a scheduler restarted — picks its run up again).
`follow` waits, re-queueing the claims of dead workers as it goes, until the run is drained: no seed, no queued
request, no request in flight and no listing the writer has not stored — read in one atomic step, so a request
handed over between two reads is never missed. Then the run is finished with its ledger's status (crawler.ledger:
complete, partial, failed), which `netsword crawl --distributed` prints and returns like a one-process crawl. A
listing counted on a result page that ended neither stored, failed, rejected nor a duplicate is a loss: the run is
then at best partial.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import redis

from crawler.distributed.keys import Keys
from crawler.distributed.queue import reap
from crawler.ledger import COMPLETE, PARTIAL, CrawlLedger
from netsword.models import utc_now

logger = logging.getLogger(__name__)
RUNNING, FINISHED = "running", "finished"

# queued requests, seeds, unstored listings, and claims and listings still in the pipelines (evidence capture, whose
# failures are the run's losses) of every registered worker, in one step
_DRAINED = """
local n = redis.call('ZCARD', KEYS[1]) + redis.call('LLEN', KEYS[2]) + redis.call('XLEN', KEYS[3])
for _, w in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  n = n + redis.call('HLEN', ARGV[1] .. w) + math.max(0, tonumber(redis.call('HGET', KEYS[5], w) or '0'))
end
return n
"""


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    started_at: str
    joined: bool  # an earlier run of the platform was still going: this command follows it


def new_run_id() -> str:
    return "dr-" + uuid.uuid4().hex[:16]


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def current_run(server: redis.Redis, keys: Keys) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in server.hgetall(keys.run).items()}


def start_run(server: redis.Redis, keys: Keys, *, profile: str, keywords: Sequence[str], max_pages: int,
              uses_keywords: bool = True) -> RunInfo:  # fmt: skip
    """Seed a new run of the platform, or join the one going."""
    run = current_run(server, keys)
    if run.get("state") == RUNNING and run.get("run_id"):
        return RunInfo(run["run_id"], run.get("started_at", ""), joined=True)
    run_id, now = new_run_id(), utc_now()
    seeds = list(keywords) if uses_keywords else [""]
    ledger = CrawlLedger()
    ledger.no_keywords = not seeds
    with server.pipeline(transaction=True) as pipe:
        pipe.delete(keys.seen, keys.run)  # a new run fetches every page again
        pipe.hset(keys.run, mapping={
            "run_id": run_id, "state": RUNNING, "started_at": now, "profile": profile, "max_pages": str(max_pages),
            "ledger": json.dumps(ledger.to_dict(None)),
        })  # fmt: skip
        for keyword in seeds:
            pipe.rpush(keys.seeds, json.dumps({"keyword": keyword, "max_pages": max_pages, "run": run_id}))
        pipe.execute()
    return RunInfo(run_id, now, joined=False)


def pending(server: redis.Redis, keys: Keys) -> int:
    """Seeds, queued requests, requests in flight, listings not yet stored and listings whose evidence a worker is
    still capturing, counted in one step."""
    return int(server.eval(_DRAINED, 5, keys.queue, keys.seeds, keys.items, keys.workers, keys.busy, keys.claims("")))


def live_workers(server: redis.Redis, keys: Keys) -> list[str]:
    return sorted(_text(w) for w in server.smembers(keys.workers) if server.exists(keys.alive(_text(w))))


def follow(server: redis.Redis, keys: Keys, *, poll: float = 0.5, stop: Callable[[], bool] = lambda: False,
           progress: Callable[[str], None] = lambda line: None, quiet_for: float = 30.0) -> bool:  # fmt: skip
    """Wait until the run is drained (True) or `stop()` says so (False); reaps dead workers' claims meanwhile."""
    last_note = time.monotonic()
    while not stop():
        reaped = reap(server, keys)
        if reaped:
            progress(f"re-queued {sum(reaped.values())} request(s) of stopped worker(s): {', '.join(sorted(reaped))}")
        left = pending(server, keys)
        if left == 0:
            return True
        if time.monotonic() - last_note >= quiet_for:
            workers = live_workers(server, keys)
            stopped = _text(server.hget(keys.run, "writer_error") or b"")  # a writer stopped by its store (full disk)
            progress(f"{left} request(s)/listing(s) to go; workers: {', '.join(workers) or 'none running'}"
                     + (f"; {stopped}" if stopped else ""))  # fmt: skip
            last_note = time.monotonic()
        time.sleep(poll)
    return False


def finish_run(server: redis.Redis, keys: Keys, run_id: str) -> dict[str, Any]:
    """Mark the run finished; its summary as `netsword crawl` prints it (run id, status, totals, losses)."""
    run = current_run(server, keys)
    ledger = CrawlLedger.from_dict(json.loads(run.get("ledger") or "{}"))
    summary = {"run_id": run_id, "started_at": run.get("started_at", ""), "attempt": 1, "restarted": False,
               "resumed": False, **ledger.to_dict("finished")}  # fmt: skip
    t = summary["totals"]
    unaccounted = t["listings"] - t["stored"] - t["failed"] - t["rejected"] - t["duplicates"]
    if unaccounted > 0:  # listed on a result page, never stored, refused or known as a duplicate: a loss
        summary["lost"] = [*summary["lost"], f"{unaccounted} listing(s) listed but never stored"]
        if summary["status"] == COMPLETE:
            summary["status"] = PARTIAL
    if run.get("run_id") == run_id:
        server.hset(keys.run, mapping={"state": FINISHED, "finished_at": utc_now(), "status": summary["status"]})
    return summary
