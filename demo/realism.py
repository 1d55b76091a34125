"""Marketplace misbehaviour as ASGI middleware: per-client rate limit (429 + Retry-After), one-off 5xx, slow answers.

Settings (RealismSettings): rate_limit requests/s per client IP (0 or None: off) with a bucket of `burst` requests;
fault_rate: share of URLs that fail once with 500/502/503 and then succeed; slow_rate: share of URLs answered
after slow_seconds. Which URL fails or is slow follows from the seed, so runs are repeatable. /admin/ and
/ground_truth.json are the tests' control plane and never misbehave.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

Scope = dict[str, Any]
_CONTROL_PREFIXES = ("/admin/", "/ground_truth.json")
_FAULT_PREFIXES = ("/static/", "/browser/search", "/browser/item/", "/browser/_data", "/api/", "/feed/")
_FAULT_STATUSES = (500, 502, 503)


@dataclass(frozen=True)
class RealismSettings:
    rate_limit: float | None = 200.0
    burst: float | None = None  # bucket size; default: one second's worth of rate_limit
    fault_rate: float = 0.02
    slow_rate: float = 0.01
    slow_seconds: float = 0.3
    seed: int = 0


def url_fraction(seed: int, salt: str, key: str) -> float:
    """A stable number in [0, 1) for a URL: the same URL is always faulty (or slow) under the same seed."""
    digest = hashlib.blake2b(f"{seed}|{salt}|{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


async def _send_plain(send: Any, status: int, body: bytes, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RealismMiddleware:
    """Counts every request (`hits`, by path and query) and misbehaves as configured."""

    def __init__(self, app: Any, settings: RealismSettings) -> None:
        self.app = app
        self.settings = settings
        self.hits: Counter[str] = Counter()
        self.failed: set[str] = set()
        self._buckets: dict[str, tuple[float, float]] = {}

    def reset(self) -> None:
        self.hits.clear()
        self.failed.clear()
        self._buckets.clear()

    def _allow(self, client: str) -> bool:
        rate = self.settings.rate_limit
        if not rate:
            return True
        capacity = self.settings.burst or max(1.0, rate)
        now = time.monotonic()
        tokens, last = self._buckets.get(client, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1.0, now)
        return True

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        key = f"{path}?{query}" if query else path
        self.hits[key] += 1
        if path.startswith(_CONTROL_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        if not self._allow(client):
            await _send_plain(send, 429, b"Too Many Requests\n", ((b"retry-after", b"1"),))
            return
        settings = self.settings
        if path.startswith(_FAULT_PREFIXES):
            if key not in self.failed and url_fraction(settings.seed, "fault", key) < settings.fault_rate:
                self.failed.add(key)
                status = _FAULT_STATUSES[int(url_fraction(settings.seed, "status", key) * len(_FAULT_STATUSES))]
                await _send_plain(send, status, b"Server busy, please retry\n")
                return
            if settings.slow_seconds > 0 and url_fraction(settings.seed, "slow", key) < settings.slow_rate:
                await asyncio.sleep(settings.slow_seconds)
        await self.app(scope, receive, send)
