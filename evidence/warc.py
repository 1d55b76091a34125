"""WARC records of a capture's real HTTP exchanges (warcio), kept as one of its files (role `warc`).

Each exchange is written as a `request` record and a `response` record (WARC/1.1, one gzip member each, so that the
files of several captures can be indexed and packaged together: evidence.wacz). For a page the browser opened for
evidence, the exchanges are the navigation (with its redirects) and every sub-resource Chromium loaded for it, within
the bounds in SubresourceLimits; what was left out is counted in the capture's `missing`.

Headers follow the manifest's rule (evidence.headers): only allow-listed names, never a value holding a secret, so a
cookie, an Authorization, a Set-Cookie or an API key header never enters a WARC record. Bodies are those the crawler
received after transfer decoding: a decoded body is written without its Content-Encoding header and with its real
Content-Length, so a replay tool reads it as it is.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from evidence.headers import REQUEST_HEADERS, RESPONSE_HEADERS, kept_headers

MEDIA_TYPE = "application/warc"
ROLE = "warc"
_DROPPED = frozenset({"content-encoding", "content-length", "transfer-encoding"})  # rewritten for the decoded body


@dataclass(frozen=True)
class Exchange:
    """One request and its response, as they happened."""

    url: str
    status: int
    response_headers: Sequence[tuple[str, str]]
    body: bytes
    request_headers: Sequence[tuple[str, str]] = ()
    method: str = "GET"
    date: str = ""  # when the request was sent: ISO 8601 UTC (WARC-Date); "" for now
    resource: str = "document"  # what the browser loaded it as: document, script, stylesheet, image …


@dataclass(frozen=True)
class SubresourceLimits:
    """Bounds on what a browser visit adds to its WARC beyond the page itself."""

    count: int = 300  # sub-resources kept per visit
    each: int = 5 * 1024 * 1024  # bytes per sub-resource body
    total: int = 40 * 1024 * 1024  # bytes of sub-resource bodies per visit


def warc_bytes(exchanges: Iterable[Exchange], *, secrets: Iterable[str] = (), software: str = "NetSword") -> bytes:
    """A gzipped WARC file (a warcinfo record, then request and response records) of `exchanges`.

    The same exchanges give the same bytes (record ids are derived from the records' content, dates are the
    exchanges'), so the evidence store keeps one copy of a feed's WARC however many listings it carried.
    """
    hidden = list(secrets)
    items = list(exchanges)
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    first = next((ex.date for ex in items if ex.date), "") or writer.curr_warc_date()
    fields = f"software: {software}\r\nformat: WARC File Format 1.1\r\n".encode()
    info = writer.create_warc_record(
        "", "warcinfo", payload=io.BytesIO(fields), length=len(fields), warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Date": first, "WARC-Record-ID": _record_id("warcinfo", first, fields)},
    )  # fmt: skip
    writer.write_record(info)
    for ex in items:
        date = ex.date or first
        status = StatusAndHeaders(f"{ex.status} {_reason(ex.status)}", _response_headers(ex, hidden), "HTTP/1.1")
        response_id = _record_id("response", ex.url, date, status.to_str(), hashlib.sha256(ex.body).hexdigest())
        response = writer.create_warc_record(
            ex.url, "response", payload=io.BytesIO(ex.body), length=len(ex.body), http_headers=status,
            warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": response_id},
        )  # fmt: skip
        asked = StatusAndHeaders(
            f"{ex.method} {_target(ex.url)}", _request_headers(ex, hidden), "HTTP/1.1", is_http_request=True
        )
        request = writer.create_warc_record(
            ex.url, "request", payload=io.BytesIO(b""), length=0, http_headers=asked,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id,
                               "WARC-Record-ID": _record_id("request", response_id, asked.to_str())},
        )  # fmt: skip
        writer.write_record(response)
        writer.write_record(request)
    return out.getvalue()


def _record_id(*parts: str | bytes) -> str:
    digest = hashlib.sha256(b"\x1f".join(p if isinstance(p, bytes) else p.encode() for p in parts)).digest()
    return f"<urn:uuid:{uuid.UUID(bytes=digest[:16], version=5)}>"


def _response_headers(ex: Exchange, secrets: list[str]) -> list[tuple[str, str]]:
    kept, _ = kept_headers(_joined(ex.response_headers), allowed=RESPONSE_HEADERS - _DROPPED, secrets=secrets)
    return [*kept.items(), ("Content-Length", str(len(ex.body)))]


def _request_headers(ex: Exchange, secrets: list[str]) -> list[tuple[str, str]]:
    kept, _ = kept_headers(_joined(ex.request_headers), allowed=REQUEST_HEADERS - _DROPPED, secrets=secrets)
    return [("Host", urlsplit(ex.url).netloc), *kept.items()]


def _joined(headers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Headers by lower-cased name, repeated ones joined as HTTP allows (", ")."""
    out: dict[str, str] = {}
    for name, value in headers:
        key = str(name).lower()
        if key.startswith(":"):  # an HTTP/2 pseudo-header (":authority") the browser reports
            continue
        out[key] = f"{out[key]}, {value}" if key in out else str(value)
    return out


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
