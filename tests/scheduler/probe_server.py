"""A recording listing site on a free loopback port, for what the demo marketplace cannot show: the headers a
re-check sends, when a retry after 429 comes, and how much of an oversized answer a client takes.

Routes: /robots.txt (disallows /private/), /item/<id> (a listing page with `span.price`), /busy/<id> (429 with
Retry-After the first time, the listing after), /huge and /huge-stream (HUGE bytes, with and without
Content-Length), /private/<x>. Every request is recorded (time, path, headers); big answers record what was sent.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HUGE = 32 * 1024 * 1024
CHUNK = 64 * 1024
RETRY_AFTER = 2
PROFILE = """\
version: 1
platform: probe
base_url: {url}/
allow_private_addresses: true  # the probe site listens on loopback (netsword.fetch_policy)
search:
  url: "/search?q={{keyword}}"
  items: li.item
  fields: {{id: "::attr(data-id)", title: "a::text"}}
detail:
  follow: ['{follow}']
  fields:
    title: "h1.title::text"
    price: "span.price::text"
"""


def probe_profile(url: str, *, follow: str = "^/item/", extra: str = "") -> str:
    """The text of a profile file for the platform `probe` on the site at `url`: detail pages are those matching
    `follow`; `extra` (YAML lines, taken as written) is appended."""
    return PROFILE.format(url=url, follow=follow) + extra


@dataclass
class Seen:
    at: float
    path: str
    headers: dict[str, str]


@dataclass
class Sent:
    path: str
    size: int
    sent: int = 0
    done: threading.Event = field(default_factory=threading.Event)


class ProbeSite:
    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.sent: dict[str, Sent] = {}
        self.prices: dict[str, float] = {}
        self._busy_once: set[str] = set()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="probe-site", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> ProbeSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.requests if seen.path == path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                with site._lock:
                    site.requests.append(
                        Seen(time.monotonic(), self.path, {k.lower(): v for k, v in self.headers.items()})
                    )
                if self.path == "/robots.txt":
                    self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
                elif self.path.startswith("/busy/") and self.path not in site._busy_once:
                    site._busy_once.add(self.path)
                    self._send(429, b"slow down\n", "text/plain", {"Retry-After": str(RETRY_AFTER)})
                elif self.path.startswith(("/item/", "/busy/", "/private/")):
                    listing_id = self.path.rsplit("/", 1)[-1]
                    price = site.prices.get(listing_id, 99.0)
                    page = (
                        f'<html><body><h1 class="title">耐克 {listing_id}</h1><span class="price">¥{price:.2f}</span>'
                    )
                    self._send(200, (page + "</body></html>").encode(), "text/html; charset=utf-8")
                elif self.path in ("/huge", "/huge-stream"):
                    self._huge(with_length=self.path == "/huge")
                else:
                    self._send(404, b"no such page\n", "text/plain")

            def _send(self, status: int, body: bytes, media_type: str, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _huge(self, *, with_length: bool) -> None:
                record = site.sent.setdefault(self.path, Sent(self.path, HUGE))
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                if with_length:
                    self.send_header("Content-Length", str(HUGE))
                self.end_headers()
                chunk = b"<p>" + b"x" * (CHUNK - 7) + b"</p>\n"
                try:
                    while record.sent < HUGE:
                        self.wfile.write(chunk)
                        record.sent += len(chunk)
                except OSError:  # the client hung up: what it never took stays unsent
                    pass
                finally:
                    record.done.set()
                    self.close_connection = True

        return Handler
