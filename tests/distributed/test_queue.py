"""The reliable queue on a real redis-server: a request taken is claimed until handed over, a dead worker's claims
go back, seeds too, and the drained check counts everything a run still owes."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
import scrapy

from crawler.distributed import serializer
from crawler.distributed.keys import Keys
from crawler.distributed.queue import CLAIM, ReliableQueue, reap, renew, return_claims, take_seeds
from crawler.distributed.run import pending

KEYS = Keys("t", "demo")


class Probe(scrapy.Spider):
    name = "probe"
    keys = KEYS

    def __init__(self, worker: str) -> None:
        super().__init__()
        self.worker = worker

    def parse(self, response: Any) -> Any:
        return None


def queue_of(client: redis.Redis, worker: str) -> ReliableQueue:
    return ReliableQueue(client, Probe(worker), KEYS.queue)


def test_a_taken_request_is_claimed_until_acknowledged(client: redis.Redis) -> None:
    q = queue_of(client, "a")
    q.push(scrapy.Request("http://127.0.0.1/x", callback=q.spider.parse, headers={"X-Test": "1"}, priority=3))
    request = q.pop()
    assert request is not None and request.url == "http://127.0.0.1/x" and request.headers[b"X-Test"] == b"1"
    claim = request.meta[CLAIM]
    assert len(q) == 0 and client.hexists(KEYS.claims("a"), claim)
    assert pending(client, KEYS) == 1  # in flight counts
    q.release(claim)
    assert pending(client, KEYS) == 0


def test_pushing_a_claimed_request_back_releases_its_claim(client: redis.Redis) -> None:
    q = queue_of(client, "a")
    q.push(scrapy.Request("http://127.0.0.1/retry", callback=q.spider.parse))
    request = q.pop()
    assert request is not None
    q.push(request.replace(dont_filter=True))  # a retry copies the meta, claim included
    assert client.hlen(KEYS.claims("a")) == 0 and len(q) == 1
    again = q.pop()
    assert again is not None and again.meta[CLAIM] != request.meta[CLAIM]


def test_reap_returns_only_the_claims_of_workers_whose_liveness_expired(client: redis.Redis) -> None:
    dead, live = queue_of(client, "dead"), queue_of(client, "live")
    for n in range(3):
        dead.push(scrapy.Request(f"http://127.0.0.1/{n}", callback=dead.spider.parse, priority=n))
    client.set(KEYS.alive("live"), "1", px=60_000)
    taken_dead = [dead.pop(), dead.pop()]
    taken_live = live.pop()
    assert all(taken_dead) and taken_live is not None and len(dead) == 0
    assert reap(client, KEYS) == {"dead": 2}
    assert len(dead) == 2 and client.hlen(KEYS.claims("live")) == 1
    assert client.sismember(KEYS.workers, "live") and not client.sismember(KEYS.workers, "dead")
    other = queue_of(client, "other")
    assert sorted(r.url for r in (other.pop(), other.pop()) if r) == sorted(r.url for r in taken_dead if r)


def test_a_reaped_worker_that_resumes_can_do_nothing_until_a_new_process_of_its_name_registers(
    client: redis.Redis,
) -> None:
    stalled = queue_of(client, "stalled")
    assert renew(client, KEYS, "stalled", 60, first=True)
    stalled.push(scrapy.Request("http://127.0.0.1/1", callback=stalled.spider.parse))
    taken = stalled.pop()
    assert taken is not None
    client.delete(KEYS.alive("stalled"))  # its liveness key expired while it stalled
    assert reap(client, KEYS) == {"stalled": 1} and client.hexists(KEYS.reaped, "stalled")
    client.rpush(KEYS.seeds, json.dumps({"keyword": "nike"}))
    assert not renew(client, KEYS, "stalled", 60)  # its renewal does not bring it back …
    assert not client.exists(KEYS.alive("stalled")) and not client.sismember(KEYS.workers, "stalled")
    assert stalled.pop() is None and take_seeds(client, KEYS, "stalled", 5) == []  # … it takes nothing …
    stalled.push(taken)  # … a retry of what it held is not queued again (another worker has it) …
    assert not stalled.push_new(scrapy.Request("http://127.0.0.1/new", callback=stalled.spider.parse), "fp", KEYS.seen)
    assert len(stalled) == 1 and client.llen(KEYS.seeds) == 1 and not client.exists(KEYS.claims("stalled"))
    assert reap(client, KEYS) == {}  # … and it is not reaped twice
    assert renew(client, KEYS, "stalled", 60, first=True) and not client.hexists(KEYS.reaped, "stalled")
    assert stalled.pop() is not None  # a new process of that name works again


def test_seeds_are_claimed_and_come_back_when_their_worker_dies(client: redis.Redis) -> None:
    client.rpush(KEYS.seeds, json.dumps({"keyword": "nike"}), json.dumps({"keyword": "耐克"}))
    taken = take_seeds(client, KEYS, "a", 5)
    assert [json.loads(raw)["keyword"] for _, raw in taken] == ["nike", "耐克"]
    assert client.llen(KEYS.seeds) == 0 and pending(client, KEYS) == 2
    assert return_claims(client, KEYS, "a") == 2
    assert sorted(json.loads(s)["keyword"] for s in client.lrange(KEYS.seeds, 0, -1)) == ["nike", "耐克"]


def test_pending_counts_unstored_listings_too(client: redis.Redis) -> None:
    client.xadd(KEYS.items, {"kind": "listing", "data": "{}"})
    assert pending(client, KEYS) == 1


def test_requests_are_json_and_nothing_else_is_queued() -> None:
    data = {"url": "http://x", "headers": {b"Accept": [b"text/html"]}, "body": b"\x00\xff", "meta": {"k": (1, "a")}}
    back = serializer.loads(serializer.dumps(data))
    assert back == {"url": "http://x", "headers": {b"Accept": [b"text/html"]}, "body": b"\x00\xff",
                    "meta": {"k": [1, "a"]}}  # fmt: skip
    with pytest.raises(TypeError):
        serializer.dumps({"meta": {"obj": object()}})
    with pytest.raises(ValueError):
        serializer.loads(b"[1, 2]")


def test_a_listing_neither_stored_nor_accounted_for_makes_the_run_partial(client: redis.Redis) -> None:
    from crawler.distributed.run import finish_run, start_run
    from crawler.ledger import CrawlLedger

    info = start_run(client, KEYS, profile="demo-static", keywords=["nike"], max_pages=1)
    ledger = CrawlLedger()
    ledger.page_fetched("nike", 1, "http://127.0.0.1/s?q=nike", 3)
    ledger.stored("nike", 1, 2)
    client.hset(KEYS.run, "ledger", json.dumps(ledger.to_dict(None)))
    summary = finish_run(client, KEYS, info.run_id)
    assert summary["status"] == "partial" and "1 listing(s) listed but never stored" in summary["lost"]
    ledger.duplicate("nike", 1)
    client.hset(KEYS.run, "ledger", json.dumps(ledger.to_dict(None)))
    assert finish_run(client, KEYS, info.run_id)["status"] == "complete"


def test_the_duplicate_filter_and_the_queue_change_in_one_step(client: redis.Redis) -> None:
    q = queue_of(client, "a")
    first = scrapy.Request("http://127.0.0.1/item/1", callback=q.spider.parse)
    assert q.push_new(first, "fp-1", KEYS.seen) and len(q) == 1 and client.sismember(KEYS.seen, "fp-1")
    taken = q.pop()
    assert taken is not None
    assert not q.push_new(taken.replace(url="http://127.0.0.1/item/1?again"), "fp-1", KEYS.seen)  # a duplicate
    assert len(q) == 0 and client.hlen(KEYS.claims("a")) == 0  # … and its claim ended with it
    assert q.push_new(first.replace(dont_filter=True), "fp-1", KEYS.seen) and len(q) == 1
