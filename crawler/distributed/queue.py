"""ReliableQueue: scrapy-redis's priority queue (a sorted set per platform) where a request taken is not gone.

`pop` moves the request, in one Lua step, into its worker's claims hash (`Keys.claims`) under a new claim id, which
travels in `request.meta[CLAIM]`. The claim ends when the request's outcome is handed over: its callback's listings,
events and new requests are in Redis (crawler.distributed.handoff acks in the same transaction as the listings), or
the request itself went back to the queue (a retry or redirect copies its meta, so `push` of a claimed request
releases the claim in the same transaction). A worker's liveness is a key it renews (`Keys.alive`, expiring after
distributed.worker_ttl); `reap` gives the claims of every worker whose key expired back to the queue (and seeds back
to the seed list). Workers reap each other, and `netsword crawl --distributed` reaps while it follows a run, so a
worker killed with SIGKILL loses nothing: another worker fetches its pages. A reaped worker is marked (`Keys.reaped`)
in the same step, and a worker so marked that was only stalled (SIGSTOP, swapping, a long pause) can neither renew
its key, take a request or seed, queue a request nor hand anything over when it resumes: it is as dead as a killed
one, so nothing it held is counted twice (crawler.distributed.handoff stops it).
"""

from __future__ import annotations

import time
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
if redis.call('HEXISTS', KEYS[4], ARGV[2]) == 1 then return false end
local r = redis.call('ZPOPMIN', KEYS[1])
if #r == 0 then return false end
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], r[2] .. '\\n' .. r[1])
return r[1]
"""

# the duplicate filter and the queue in one step: a worker killed between the two would leave a request marked seen
# and never queued, and the page that asked for it, fetched again by another worker, would be refused as a duplicate
_PUSH_NEW = """
if redis.call('HEXISTS', KEYS[4], ARGV[6]) == 1 then return 0 end
local new = ARGV[4] == '1' or redis.call('SADD', KEYS[1], ARGV[1]) == 1
if new then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) end
if ARGV[5] ~= '' then redis.call('HDEL', KEYS[3], ARGV[5]) end
if new then return 1 end
return 0
"""

_TAKE_SEEDS = """
local out = {}
if redis.call('HEXISTS', KEYS[4], ARGV[3]) == 1 then return out end
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


# a worker whose liveness key expired: its claims back, out of the workers and busy counts, marked reaped, in one
# step (a worker renewing its key meanwhile is either renewed first, and not reaped, or finds itself reaped)
_REAP = (
    """
if redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
redis.call('SREM', KEYS[5], ARGV[1])
redis.call('HDEL', KEYS[6], ARGV[1])
redis.call('HSET', KEYS[7], ARGV[1], ARGV[2])
"""
    + _RETURN
)

# renew a worker's liveness key, unless it was reaped; its first renewal (a new process) registers it afresh
_RENEW = """
if ARGV[2] == '1' then
  redis.call('HDEL', KEYS[3], ARGV[1])
elseif redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
"""


def new_claim() -> str:
    return uuid.uuid4().hex


def take_seeds(server: redis.Redis, keys: Keys, worker: str, count: int) -> list[tuple[str, bytes]]:
    """Up to `count` seeds, each claimed by `worker` until the search request made of it is in the queue."""
    flat = server.eval(_TAKE_SEEDS, 4, keys.seeds, keys.claims(worker), keys.workers, keys.reaped, count, new_claim(),
                       worker)  # fmt: skip
    return [(_text(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2)]


def return_claims(server: redis.Redis, keys: Keys, worker: str) -> int:
    """Give every claim of `worker` back to the queue (requests) or the seed list (seeds); how many."""
    return int(server.eval(_RETURN, 3, keys.claims(worker), keys.queue, keys.seeds))


def renew(server: redis.Redis, keys: Keys, worker: str, ttl: float, *, first: bool = False) -> bool:
    """Renew `worker`'s liveness key for `ttl` seconds (and register it); False if it was reaped meanwhile. `first`:
    a new process of that name, which registers even if an earlier one of the name was reaped."""
    args = (worker, "1" if first else "0", str(time.time()), int(ttl * 1000))
    return bool(server.eval(_RENEW, 3, keys.alive(worker), keys.workers, keys.reaped, *args))


def reap(server: redis.Redis, keys: Keys) -> dict[str, int]:
    """Return the claims of every registered worker that stopped renewing its liveness key: {worker: claims}. Its
    busy count goes too (its captures died with it: `netsword evidence backfill` takes them), and it is marked
    reaped, all in one step per worker."""
    reaped: dict[str, int] = {}
    for raw in server.smembers(keys.workers):
        worker = _text(raw)
        reap_keys = (keys.claims(worker), keys.queue, keys.seeds, keys.alive(worker), keys.workers, keys.busy)
        returned = int(server.eval(_REAP, 7, *reap_keys, keys.reaped, worker, str(time.time())))
        if returned >= 0:
            reaped[worker] = returned
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
        self._push(request, "", "", filtered=False)

    def push_new(self, request: Request, fingerprint: str, seen_key: str) -> bool:
        """Queue `request` unless the duplicate filter at `seen_key` has its fingerprint (or it is dont_filter), in
        one step with the filter's update; a claim it carries is released either way. Whether it was queued."""
        return self._push(request, fingerprint, seen_key, filtered=not request.dont_filter)

    def _push(self, request: Request, fingerprint: str, seen_key: str, *, filtered: bool) -> bool:
        data = self._encode_request(request)
        claim = str(request.meta.get(CLAIM) or "")
        keys = (seen_key or self.key, self.key, self.claims_key, self.keys.reaped)  # (a reaped worker queues nothing)
        args = (fingerprint, -request.priority, data, "0" if filtered else "1", claim, self.worker)
        return bool(self.server.eval(_PUSH_NEW, 4, *keys, *args))

    def pop(self, timeout: int = 0) -> Request | None:
        claim = new_claim()
        keys = (self.key, self.claims_key, self.keys.workers, self.keys.reaped)
        data = self.server.eval(_POP, 4, *keys, claim, self.worker)
        if not data:
            return None
        request = self._decode_request(data)
        request.meta[CLAIM] = claim
        return request

    def release(self, claim: str) -> None:
        self.server.hdel(self.claims_key, claim)
