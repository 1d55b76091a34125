"""A loopback HTTP front for the demo marketplace that misbehaves where a test says: a URL that keeps failing (5xx),
one that fails its first N requests, one that asks for a Retry-After above the crawler's cap. Everything else is
passed through to the marketplace (whose own rate limiter and one-off 5xx still apply). For the rate-limit tests and
benchmarks/drills.py: `with FlakyFront(market_url, rules) as front: crawl front.url`.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


@dataclass(frozen=True)
class Rule:
    """Requests whose path and query match `pattern` get `status` (with `retry_after`, when set) — always, or only
    their first `times` requests (then they pass)."""

    pattern: str
    status: int = 503
    times: int = 0  # 0: always
    retry_after: str = ""


class FlakyFront:
    def __init__(self, upstream: str, rules: list[Rule] | tuple[Rule, ...] = ()) -> None:
        self.upstream = urlsplit(upstream)
        self.rules = [(re.compile(rule.pattern), rule) for rule in rules]
        self.hits: Counter[str] = Counter()  # by rule pattern: how often it answered instead of the marketplace
        self.seen: Counter[str] = Counter()  # by path and query: requests received
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> str:
        self.thread.start()
        return self.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FlakyFront:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _misbehave(self, target: str) -> Rule | None:
        with self.lock:
            self.seen[target] += 1
            for pattern, rule in self.rules:
                if pattern.search(target) and (rule.times == 0 or self.seen[target] <= rule.times):
                    self.hits[rule.pattern] += 1
                    return rule
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                rule = front._misbehave(self.path)
                if rule is not None:
                    body = b"unavailable"
                    self.send_response(rule.status)
                    if rule.retry_after:
                        self.send_header("Retry-After", rule.retry_after)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                conn = http.client.HTTPConnection(
                    front.upstream.hostname or "127.0.0.1", front.upstream.port, timeout=30
                )
                try:
                    conn.request(
                        "GET", self.path, headers={k: v for k, v in self.headers.items() if k.lower() != "host"}
                    )
                    answer = conn.getresponse()
                    body = answer.read()
                    self.send_response(answer.status)
                    for name, value in answer.getheaders():
                        if name.lower() not in _HOP_BY_HOP:
                            self.send_header(name, value)
                finally:
                    conn.close()
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
