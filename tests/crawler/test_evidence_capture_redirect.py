"""`netsword evidence capture URL` in real Chromium: a redirect's final URL is recorded, and only allow-listed
response headers (never Set-Cookie) reach the manifest."""

from __future__ import annotations

import gzip
import http.server
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from evidence.store import EvidenceStore, Hop
from netsword.cli import main
from tests.crawler.local_site import serve

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
SESSION = "session-cookie-value-7d9f3a"


class Redirecting(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/old":
            self.send_response(302)
            self.send_header("Location", "/new")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = "<html><body><h1>耐克 高仿</h1></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Set-Cookie", f"sid={SESSION}; Path=/")
        self.send_header("Last-Modified", "Mon, 30 Nov 2026 00:00:00 GMT")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    with serve(Redirecting) as url:
        yield url


def test_capture_records_the_final_url_and_allow_listed_response_headers(isolated: Path, site: str, capsys) -> None:
    assert main(["evidence", "capture", f"{site}/old", "--listing-id", "x1"]) == 0
    assert f"redirected to {site}/new" in capsys.readouterr().out
    (capture,) = EvidenceStore(isolated / "var" / "evidence").iter_captures()
    assert capture.url == f"{site}/old" and capture.final_url == f"{site}/new"
    assert {f.url for f in capture.files} == {f"{site}/new"}
    headers = {k.lower(): v for k, v in capture.response_headers.items()}
    assert headers["last-modified"] == "Mon, 30 Nov 2026 00:00:00 GMT" and "set-cookie" not in headers
    manifest = next((isolated / "var" / "evidence" / "captures").glob("*.json")).read_text(encoding="utf-8")
    assert SESSION not in manifest and json.loads(manifest)["final_url"] == f"{site}/new"
    # provenance: the redirect hop with its status, and when the fetch started and ended
    assert capture.redirects == (Hop(f"{site}/old", 302),) and capture.status == 200
    assert capture.kind == "manual" and capture.started_at and capture.started_at <= capture.ended_at
    # the WARC records of both exchanges (the 302 and the page), without the session cookie
    store = EvidenceStore(isolated / "var" / "evidence")
    warc = store.read(capture.file("warc").sha256)
    records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.http_headers.get_statuscode())
               for r in ArchiveIterator(io.BytesIO(warc)) if r.rec_type == "response"]  # fmt: skip
    assert records == [("response", f"{site}/old", "302"), ("response", f"{site}/new", "200")]
    assert SESSION.encode() not in gzip.decompress(warc)
