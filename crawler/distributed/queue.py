"""ReliableQueue: scrapy-redis's priority queue (a sorted set per platform) where a request taken is not gone.

`pop` moves the request, in one Lua step, into its worker's claims hash (`Keys.claims`) under a new claim id, which
travels in `request.meta[CLAIM]`. The claim ends when the request's outcome is handed over: its callback's listings,
events and new requests are in Redis (crawler.distributed.handoff acks in the same transaction as the listings), or
the request itself went back to the queue (a retry or redirect copies its meta, so `push` of a claimed request
releases the claim in the same transaction). A worker's liveness is a key it renews (`Keys.alive`, expiring after
distributed.worker_ttl); `reap` gives the claims of every worker whose key expired back to the queue (and seeds back
to the seed list). Workers reap each other, and `netsword crawl --distributed` reaps while it follows a run, so a
worker killed with SIGKILL loses nothing: another worker fetches its pages.
"""

from __future__ import annotations

import uuid
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import Base

from crawler.distributed import serializer as json_serializer
from crawler.distributed.keys import Keys

CLAIM = "netsword_claim"  # request.meta: the claim id of a request taken from the shared queue
SEED = b"seed"

_POP = """
local r = redis.call('ZPOPMIN', KEYS[1])
if #r == 0 then return false end
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], r[2] .. '\\n' .. r[1])
return r[1]
"""

# the duplicate filter and the queue in one step: a worker killed between the two would leave a request marked seen
# and never queued, and the page that asked for it, fetched again by another worker, would be refused as a duplicate
_PUSH_NEW = """
local new = ARGV[4] == '1' or redis.call('SADD', KEYS[1], ARGV[1]) == 1
if new then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) end
if ARGV[5] ~= '' then redis.call('HDEL', KEYS[3], ARGV[5]) end
if new then return 1 end
return 0
"""

_TAKE_SEEDS = """
local out = {}
redis.call('SADD', KEYS[3], ARGV[3])
for i = 1, tonumber(ARGV[1]) do
  local s = redis.call('LPOP', KEYS[1])
  if not s then break end
  local id = ARGV[2] .. ':' .. i
  redis.call('HSET', KEYS[2], id, 'seed\\n' .. s)
  table.insert(out, id)
  table.insert(out, s)
end
return out
"""

_RETURN = """
local all = redis.call('HGETALL', KEYS[1])
for i = 2, #all, 2 do
  local v = all[i]
  local nl = string.find(v, '\\n', 1, true)
  local head, body = string.sub(v, 1, nl - 1), string.sub(v, nl + 1)
  if head == 'seed' then
    redis.call('LPUSH', KEYS[3], body)
  else
    redis.call('ZADD', KEYS[2], tonumber(head), body)
  end
end
redis.call('DEL', KEYS[1])
return #all / 2
"""


def new_claim() -> str:
    return uuid.uuid4().hex


def take_seeds(server: redis.Redis, keys: Keys, worker: str, count: int) -> list[tuple[str, bytes]]:
    """Up to `count` seeds, each claimed by `worker` until the search request made of it is in the queue."""
    flat = server.eval(_TAKE_SEEDS, 3, keys.seeds, keys.claims(worker), keys.workers, count, new_claim(), worker)
    return [(_text(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2)]


def return_claims(server: redis.Redis, keys: Keys, worker: str) -> int:
    """Give every claim of `worker` back to the queue (requests) or the seed list (seeds); how many."""
    return int(server.eval(_RETURN, 3, keys.claims(worker), keys.queue, keys.seeds))


def reap(server: redis.Redis, keys: Keys) -> dict[str, int]:
    """Return the claims of every registered worker that stopped renewing its liveness key: {worker: claims}."""
    reaped: dict[str, int] = {}
    for raw in server.smembers(keys.workers):
        worker = _text(raw)
        if server.exists(keys.alive(worker)):
            continue
        reaped[worker] = return_claims(server, keys, worker)
        server.srem(keys.workers, raw)
        server.hdel(keys.busy, worker)  # its captures died with it: `netsword evidence backfill` takes them
    return reaped


def in_flight(server: redis.Redis, keys: Keys) -> int:
    """Claims held by all registered workers (requests being fetched or handed over)."""
    return sum(int(server.hlen(keys.claims(_text(w)))) for w in server.smembers(keys.workers))


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class ReliableQueue(Base):
    """SCHEDULER_QUEUE_CLASS for workers; the worker's name and keys come from the spider (`worker`, `keys`)."""

    def __init__(self, server: redis.Redis, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer=serializer or json_serializer)
        self.keys: Keys = spider.keys  # type: ignore[attr-defined]
        self.worker: str = spider.worker  # type: ignore[attr-defined]
        self.claims_key = self.keys.claims(self.worker)

    def _encode_request(self, request: Request) -> bytes:
        obj = request.to_dict(spider=self.spider)
        obj["meta"] = {k: v for k, v in (obj.get("meta") or {}).items() if k != CLAIM}
        portable = getattr(self.spider, "portable", None)
        return bytes(self.serializer.dumps(portable(obj) if portable else obj))

    def _decode_request(self, encoded_request: bytes) -> Request:
        request = request_from_dict(self.serializer.loads(encoded_request), spider=self.spider)
        restore = getattr(self.spider, "restore_request", None)
        return restore(request) if restore else request

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def push(self, request: Request) -> None:
        """Queue `request`; a request that carries a claim (a retry, a redirect) releases it in the same step."""
        data = self._encode_request(request)
        claim = request.meta.get(CLAIM)
        with self.server.pipeline(transaction=True) as pipe:
            pipe.zadd(self.key, {data: -request.priority})
            if claim:
                pipe.hdel(self.claims_key, claim)
            pipe.execute()

    def push_new(self, request: Request, fingerprint: str, seen_key: str) -> bool:
        """Queue `request` unless the duplicate filter at `seen_key` has its fingerprint (or it is dont_filter), in
        one step with the filter's update; a claim it carries is released either way. Whether it was queued."""
        data = self._encode_request(request)
        claim = str(request.meta.get(CLAIM) or "")
        keys = (seen_key, self.key, self.claims_key)
        args = (fingerprint, -request.priority, data, "1" if request.dont_filter else "0", claim)
        return bool(self.server.eval(_PUSH_NEW, 3, *keys, *args))

    def pop(self, timeout: int = 0) -> Request | None:
        claim = new_claim()
        data = self.server.eval(_POP, 3, self.key, self.claims_key, self.keys.workers, claim, self.worker)
        if not data:
            return None
        request = self._decode_request(data)
        request.meta[CLAIM] = claim
        return request

    def release(self, claim: str) -> None:
        self.server.hdel(self.claims_key, claim)
