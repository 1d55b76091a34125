"""WARC records of a capture (evidence.warc) and the provenance a manifest keeps (evidence.store, the crawler's
provenance middleware): real exchanges read back by warcio, never a credential, the same bytes for the same exchange."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator

from crawler.middlewares.provenance import ENDED, STARTED, fetch_of
from evidence.store import KIND_LISTING_PAGE, Blob, Capture, EvidenceStore, Fetch, Hop
from evidence.warc import Exchange, warc_bytes

SECRET = "s3cr3t-token-9f2a"
EXCHANGE = Exchange(
    url="https://shop.example.com/item/7?from=feed",
    status=200,
    response_headers=[
        ("Content-Type", "text/html; charset=utf-8"),
        ("Set-Cookie", f"sid={SECRET}; Path=/"),
        ("Content-Encoding", "gzip"),
        ("Last-Modified", "Mon, 30 Nov 2026 00:00:00 GMT"),
        ("X-Request-Token", SECRET),
    ],  # fmt: skip
    body="<html><title>耐克 高仿</title></html>".encode(),
    request_headers=[
        ("User-Agent", "NetSwordBot"),
        ("Cookie", f"sid={SECRET}"),
        ("Authorization", f"Bearer {SECRET}"),
        ("Proxy-Authorization", f"Basic {SECRET}"),
        ("X-API-Key", SECRET),
        ("Accept-Language", SECRET),
        (":authority", "shop.example.com"),
    ],  # fmt: skip
    date="2026-11-30T08:00:00.123Z",
)


def _records(data: bytes) -> list:
    out = []
    for record in ArchiveIterator(io.BytesIO(data)):
        out.append((record.rec_type, record.rec_headers, record.http_headers, record.content_stream().read()))
    return out


def test_exchanges_are_request_and_response_records_warcio_reads_back() -> None:
    data = warc_bytes([EXCHANGE], secrets=[SECRET])
    records = _records(data)
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    _, head, http, body = records[1]
    assert head.get_header("WARC-Target-URI") == EXCHANGE.url
    assert head.get_header("WARC-Date") == "2026-11-30T08:00:00.123Z"
    assert http.get_statuscode() == "200" and body == EXCHANGE.body
    assert http.get_header("Content-Length") == str(len(EXCHANGE.body))
    assert http.get_header("Content-Encoding") is None  # the body is the decoded one
    assert http.get_header("Last-Modified") == "Mon, 30 Nov 2026 00:00:00 GMT"
    _, rhead, request, _ = records[2]
    assert request.protocol == "GET" and request.statusline.startswith("/item/7?from=feed")
    assert rhead.get_header("WARC-Concurrent-To") == head.get_header("WARC-Record-ID")
    assert dict(request.headers) == {"Host": "shop.example.com", "user-agent": "NetSwordBot"}


def test_no_credential_enters_a_warc_record() -> None:
    text = gzip.decompress(warc_bytes([EXCHANGE], secrets=[SECRET])).decode("utf-8", "replace").lower()
    assert SECRET not in text
    for name in ("cookie", "authorization", "proxy-authorization", "x-api-key", "set-cookie", "x-request-token"):
        assert f"\n{name}:" not in text, name


def test_the_same_exchange_gives_the_same_bytes() -> None:
    assert warc_bytes([EXCHANGE]) == warc_bytes([EXCHANGE])  # a feed's WARC is stored once for all its listings
    other = Exchange(**{**EXCHANGE.__dict__, "body": b"changed"})
    assert warc_bytes([other]) != warc_bytes([EXCHANGE])


def test_fetch_of_a_redirected_response_names_each_hop_and_its_times() -> None:
    request = Request("https://shop.example.com/item/7", meta={
        "redirect_urls": ["https://t.example.com/s/7", "http://shop.example.com/item/7"],
        "redirect_reasons": [302, 301], STARTED: 1796025600.25, ENDED: 1796025600.5,
    })  # fmt: skip
    response = HtmlResponse("https://shop.example.com/item/7", status=200, body=b"<html></html>", request=request)
    fetch = fetch_of(response)
    assert fetch.url == "https://t.example.com/s/7" and fetch.final_url == "https://shop.example.com/item/7"
    assert fetch.redirects == (Hop("https://t.example.com/s/7", 302), Hop("http://shop.example.com/item/7", 301))
    assert fetch.status == 200
    assert (fetch.started_at, fetch.ended_at) == ("2026-11-30T08:00:00.250Z", "2026-11-30T08:00:00.500Z")


def test_a_manifest_keeps_the_provenance_and_reads_back(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    shot = Fetch("https://t.example.com/s/7", "https://shop.example.com/item/7", 200,
                 (Hop("https://t.example.com/s/7", 302),), "2026-11-30T08:00:01.000Z", "2026-11-30T08:00:01.200Z")  # fmt: skip
    capture = store.add(
        blobs=[Blob("response", b"<html></html>", "text/html", shot.final_url)], platform="shop", listing_id="7",
        url=shot.url, final_url=shot.final_url, status=200, redirects=shot.redirects, started_at=shot.started_at,
        ended_at=shot.ended_at, profile="shop", kind=KIND_LISTING_PAGE, listing_url="https://shop.example.com/i/7",
        related=["cap-x"], screenshot_fetch=shot,
    )  # fmt: skip
    manifest = json.loads(store.manifest_path(capture.capture_id).read_text(encoding="utf-8"))
    assert manifest["redirects"] == [{"url": "https://t.example.com/s/7", "status": 302}]
    assert manifest["kind"] == "listing-page" and manifest["started_at"] == "2026-11-30T08:00:01.000Z"
    again = store.get(capture.capture_id)
    assert again == capture and Capture.from_dict(capture.to_dict()) == capture
    assert store.verify().ok


def test_a_redirect_the_crawler_followed_is_in_the_warc_with_its_answer() -> None:
    """The provenance middleware keeps each 3xx before Scrapy's RedirectMiddleware follows it."""
    from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from crawler.capture import _exchange, fetched_page
    from crawler.middlewares.provenance import ProvenanceMiddleware

    ours, scrapys = ProvenanceMiddleware(), RedirectMiddleware.from_crawler(get_crawler())
    first = Request("https://t.example.com/s/7", headers={"Cookie": f"sid={SECRET}"})
    ours.process_request(first)
    moved = Response(first.url, status=302, request=first,
                     headers={"Location": "https://shop.example.com/item/7", "Set-Cookie": f"sid={SECRET}"})  # fmt: skip
    hop = scrapys.process_response(first, ours.process_response(first, moved))
    assert isinstance(hop, Request) and hop.url == "https://shop.example.com/item/7"
    ours.process_request(hop)
    page = ours.process_response(hop, HtmlResponse(hop.url, status=200, body=b"<title>7</title>", request=hop))
    fetched = fetched_page(page)
    assert fetched.fetch.url == first.url and fetched.fetch.redirects == (Hop(first.url, 302),)
    assert [(h.url, h.status) for h in fetched.hops] == [(first.url, 302)]
    data = warc_bytes([*fetched.hops, _exchange(fetched)], secrets=[SECRET])
    answers = [(r[1].get_header("WARC-Target-URI"), r[2].get_statuscode(), r[2].get_header("Location"))
               for r in _records(data) if r[0] == "response"]  # fmt: skip
    assert answers == [(first.url, "302", "https://shop.example.com/item/7"), (hop.url, "200", None)]
    assert SECRET.encode() not in gzip.decompress(data)
