"""Browser captures keep the bytes the server sent: a GBK page (and a GBK stylesheet) captured by
`netsword evidence capture URL` in real Chromium is stored, as the "response" file and as the WARC response
records' payloads, byte for byte as served — not as Chromium decoded it and Playwright re-encoded it in UTF-8."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from evidence.store import EvidenceStore
from netsword.cli import main
from tests.crawler.local_site import serve

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
PAGE = ('<html><head><meta charset="gbk"><title>耐克 高仿 运动鞋</title><link rel="stylesheet" href="/s.css">'
        '</head><body><h1>耐克 高仿 ￥59.00</h1><p>正品保证，假一赔十</p></body></html>').encode("gbk")  # fmt: skip
STYLE = 'h1:after { content: "（特价）"; }'.encode("gbk")


class Gbk(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body, media = (STYLE, "text/css") if self.path == "/s.css" else (PAGE, "text/html")
        self.send_response(200)
        self.send_header("Content-Type", f"{media}; charset=gbk")
        if self.path.startswith("/chunked"):  # no Content-Length, as dynamic pages are sent
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 40):
                part = body[start : start + 40]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path.startswith("/gzip"):  # content coding: kept decoded (the WARC drops Content-Encoding)
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    with serve(Gbk) as url:
        yield url


@pytest.mark.parametrize("path", ["/listing", "/chunked", "/gzip"])
def test_a_gbk_page_is_kept_as_the_server_sent_it(isolated: Path, site: str, path: str) -> None:
    assert main(["evidence", "capture", f"{site}{path}", "--listing-id", "g1"]) == 0
    store = EvidenceStore(isolated / "var" / "evidence")
    (capture,) = store.iter_captures()
    response = capture.file("response")
    assert response.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert store.read(response.sha256) == PAGE
    # what Chromium showed is kept too, as the rendered page (UTF-8)
    assert "耐克 高仿".encode() in store.read(capture.file("page").sha256)
    payloads = {record.rec_headers.get_header("WARC-Target-URI"): record.content_stream().read()
                for record in ArchiveIterator(io.BytesIO(store.read(capture.file("warc").sha256)))
                if record.rec_type == "response"}  # fmt: skip
    assert payloads == {f"{site}{path}": PAGE, f"{site}/s.css": STYLE}


def test_a_crawls_screenshot_visit_of_a_gbk_page_records_the_servers_bytes(tmp_path: Path) -> None:
    """In a crawl, the evidence visit's own fetch of a GBK detail page (Chromium, scrapy-playwright) is written to the
    WARC with the same bytes as the crawl's own fetch of it (Scrapy's raw answer, the capture's `response`)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from gbk_market import GbkMarket, crawl_cli, keywords_for

    market = GbkMarket(size=40)
    market.start()
    try:
        var = tmp_path / "var"
        stats = crawl_cli(str(Path(__file__).parent / "profiles" / "gbk-shop.yaml"), f"{market.base_url}/gbk/",
                          keywords_for(market, 1), var, max_pages=1, evidence=True)  # fmt: skip
    finally:
        market.stop()
    assert stats.get("netsword/evidence_screenshots", 0) >= 1
    store = _store(var)
    checked = 0
    for capture in store.iter_captures():
        raw = store.read(capture.file("response").sha256)
        payloads = [r.content_stream().read() for r in ArchiveIterator(io.BytesIO(store.read(capture.file("warc").sha256)))
                    if r.rec_type == "response" and r.rec_headers.get_header("WARC-Target-URI") == capture.final_url]  # fmt: skip
        if len(payloads) < 2:  # the crawl's fetch and the evidence visit's
            continue
        assert payloads == [raw] * len(payloads)
        raw.decode("gbk")  # and it is the GBK page, not Chromium's UTF-8 text
        checked += 1
    assert checked >= 1


def _store(var_dir: Path) -> EvidenceStore:
    from netsword.config import load_config

    return EvidenceStore.for_config(load_config(env={"NETSWORD_PATHS_VAR_DIR": str(var_dir)}), create_key=False)


def test_an_unguarded_page_says_its_bodies_are_chromiums_decoding(site: str) -> None:
    """No fetch guard, no raw bytes: the recorder still keeps the exchange, and its notes say the body is not the
    server's (so the capture's `missing` tells a court)."""
    import asyncio

    from playwright.async_api import async_playwright

    from crawler.browser_recorder import BrowserRecorder
    from netsword.browser import ensure_browser, launch_args

    async def visit() -> tuple[list[Any], list[str]]:
        recorder = BrowserRecorder()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=ensure_browser(), args=launch_args())
            try:
                page = await browser.new_page()
                recorder.attach(page)
                recorder.start()
                await page.goto(f"{site}/listing", wait_until="load")
                _, exchanges, notes = await recorder.finish()
            finally:
                await browser.close()
        return exchanges, notes

    exchanges, notes = asyncio.run(visit())
    assert {x.url for x in exchanges} == {f"{site}/listing", f"{site}/s.css"}
    assert notes == ["warc: 2 body(ies) as Chromium decoded them, not the server's bytes"]
