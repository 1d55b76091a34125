"""An HTTP responder on 127.0.0.1 for adapter tests: records every request the real elasticsearch client sends
and answers from routes a test scripts, with bodies shaped as the Elasticsearch REST API documents them.

It is not an Elasticsearch: it stores nothing unless a test's handler does, and an unscripted request is an error
the test sees (`unmatched`).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PRODUCT_HEADERS = {
    "X-Elastic-Product": "Elasticsearch",  # the client refuses 2xx answers without it
    "Content-Type": "application/vnd.elasticsearch+json;compatible-with=8",
}

# OpenSearch answers plain JSON and never sends X-Elastic-Product
OPENSEARCH_HEADERS = {"Content-Type": "application/json; charset=UTF-8"}


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def ndjson(self) -> list[Any]:
        return [json.loads(line) for line in self.body.decode().splitlines() if line.strip()]


Reply = tuple[int, Any]
Handler = Callable[[Recorded], Reply]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    times: int | None = None  # None: any number of times


@dataclass
class EsResponder:
    routes: list[Route] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    url: str = ""  # set by start()
    # what every answer carries: Elasticsearch's product headers, or OPENSEARCH_HEADERS for the OpenSearch client
    headers: dict[str, str] = field(default_factory=lambda: dict(PRODUCT_HEADERS))

    def on(self, method: str, path: str, reply: Handler | Any, *, status: int = 200, times: int | None = None) -> None:
        """Answer `method path` (a regex matched against the whole path) with a handler or a fixed body.

        Routes added later win, so a test can put a one-off answer (`times=1`) in front of a standing one.
        """
        handler = reply if callable(reply) else (lambda _req, body=reply: (status, body))
        self.routes.insert(0, Route(method, re.compile(path), handler, times))

    def sent(self, method: str, path: str) -> list[Recorded]:
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    def answer(self, request: Recorded) -> Reply:
        self.requests.append(request)
        for route in self.routes:
            if route.method == request.method and route.pattern.fullmatch(request.path) and route.times != 0:
                if route.times is not None:
                    route.times -= 1
                return route.handler(request)
        self.unmatched.append(f"{request.method} {request.path}")
        return 400, error_body("illegal_argument_exception", f"unscripted request {request.method} {request.path}", 400)

    def start(self) -> str:
        responder = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as urllib3 expects

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                url = urlsplit(self.path)
                request = Recorded(
                    method=self.command,
                    path=url.path,
                    params={k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                status, body = responder.answer(request)
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in responder.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def error_body(kind: str, reason: str, status: int) -> dict[str, Any]:
    """The error object Elasticsearch answers failed requests with."""
    return {
        "error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason},
        "status": status,
    }


def acknowledged(_request: Recorded | None = None) -> Reply:
    return 200, {"acknowledged": True}


def alias_body(alias: str, index: str) -> dict[str, Any]:
    """`GET /_alias/<alias>` when the alias exists."""
    return {index: {"aliases": {alias: {"is_write_index": True}}}}


def bulk_item(op: str, index: str, doc_id: str, status: int = 0, error: dict[str, Any] | None = None) -> dict[str, Any]:
    """One entry of a `_bulk` response's `items`."""
    if error is not None:
        return {op: {"_index": index, "_id": doc_id, "status": status, "error": error}}
    result = "created" if op == "create" else "updated"
    return {op: {"_index": index, "_id": doc_id, "_version": 1, "result": result, "_seq_no": 0, "_primary_term": 1,
                 "_shards": {"total": 2, "successful": 1, "failed": 0}, "status": status or (201 if op == "create" else 200)}}  # fmt: skip


def none_found(request: Recorded) -> Reply:
    """`_mget` on an index that holds none of the ids asked for."""
    return 200, {"docs": [{"_index": "netsword-leads-v1", "_id": i, "found": False} for i in request.json["ids"]]}


def bulk_actions(request: Recorded) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """The (op, metadata, source) triples of a `_bulk` NDJSON body."""
    lines = request.ndjson
    out: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    i = 0
    while i < len(lines):
        ((op, meta),) = lines[i].items()
        if op == "delete":
            out.append((op, meta, None))
            i += 1
        else:
            out.append((op, meta, lines[i + 1]))
            i += 2
    return out


def bulk_response(items: list[dict[str, Any]]) -> dict[str, Any]:
    errors = any("error" in next(iter(item.values())) for item in items)
    return {"took": 3, "errors": errors, "items": items}
