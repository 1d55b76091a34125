"""A real crawl with image hashes on (NETSWORD_IMAGE_HASHES) against a hostile image server on 127.0.0.1: endless and
huge bodies, lying Content-Lengths, decompression bombs (PNG and GIF headers declaring giant images, a gzip bomb),
redirects to another port, to file:// and to the cloud metadata address, a slow drip, an SVG with a script, HTML
served as image/png, an image on a host the profile does not allow and one robots.txt disallows. The crawl ends in bounded time and memory,
every bad image is counted with one log line and no traceback, a failing image is fetched at most twice, nothing
off the profile's hosts is fetched, and the good images are still hashed and stored with their listings."""

from __future__ import annotations

import gzip
import http.server
import io
import json
import os
import resource
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from leads.store import LeadQuery, open_store_from_config
from netsword.config import load_config

pytestmark = pytest.mark.timeout(240)
REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crawl_child.py")
BAD = ("endless", "cl_huge", "cl_short", "cl_lies_small", "png_bomb", "gif_bomb", "gzip_bomb", "redir_other",
       "redir_file", "redir_metadata", "drip", "svg", "html_as_png", "off_profile", "robots_disallowed")  # fmt: skip
GOOD = ("good1", "good2")
TIMEOUT = 3  # DOWNLOAD_TIMEOUT of the crawl, seconds
PROFILE = """\
version: 1
platform: hostile-images
base_url: http://127.0.0.1:1/
currency: CNY
search:
  url: "/search?q={keyword}&page={page}"
  format: html
  items: li.item
  fields:
    id: "::attr(data-id)"
    title: "a.title::text"
    url: {css: "a.title::attr(href)", absolute: true}
    price: "span.price::text"
    images: {css: "img::attr(src)", all: true, absolute: true}
"""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


BOMB_PNG = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + _chunk(b"IEND", b""))  # fmt: skip
BOMB_GIF = (b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x00\x00\x00," + struct.pack("<HHHH", 0, 0, 65535, 65535)
            + b"\x00\x02\x02\x44\x01\x00;")  # fmt: skip
GZIP_BOMB = gzip.compress(b"\x00" * (64 * 1024 * 1024), 9)  # 64 MiB in about 64 KB


def _photo(seed: int) -> bytes:
    image = Image.new("RGB", (64, 64))
    image.putdata([((x * 7 + seed * 31) % 256, (y * 13 + seed) % 256, (x * y + seed * 5) % 256)
                   for y in range(64) for x in range(64)])  # fmt: skip
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: Counter[tuple[int, str]] = Counter()
    other_port = 0

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _head(self, **headers: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        port = int(self.server.server_address[1])  # type: ignore[index]
        Hostile.hits[(port, path)] += 1
        if port == Hostile.other_port:
            return self._send(200, _photo(9), "image/png")
        try:
            self._answer(path)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _answer(self, path: str) -> None:
        other = f"http://127.0.0.1:{Hostile.other_port}"
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /img/robots_disallowed\n", "text/plain")
        if path == "/search":
            rows = "".join(f'<li class="item" data-id="{c}"><a class="title" href="/item/{c}">耐克 Nike Air Max 高仿 {c}'
                           f'</a><span class="price">¥99</span><img src="{other if c == "off_profile" else ""}/img/{c}">'
                           "</li>" for c in (*GOOD, *BAD))  # fmt: skip
            return self._send(200, f"<html><body><ul>{rows}</ul></body></html>".encode())
        case = path.removeprefix("/img/")
        if case in GOOD:
            return self._send(200, _photo(GOOD.index(case)), "image/png")
        if case in ("endless", "cl_huge"):  # a body without end, chunked or declaring 10 GB
            self._head(**({"Transfer_Encoding": "chunked"} if case == "endless" else {"Content_Length": str(10**10)}))
            block = b"\x89PNG\r\n\x1a\n" + b"A" * 65528
            for _ in range(4096):  # 256 MiB at most
                self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block) if case == "endless" else block)
            return None
        if case == "cl_short":  # declares 100 kB, sends 10 bytes and closes
            self._head(Content_Length="100000")
            self.wfile.write(_photo(0)[:10])
            self.close_connection = True
            return None
        if case == "cl_lies_small":  # declares 1,000 bytes, sends 8 MiB
            self._head(Content_Length="1000")
            self.wfile.write(b"C" * 8 * 1024 * 1024)
            return None
        if case == "drip":  # one byte every 0.2 s
            self._head(Content_Length="100000")
            for _ in range(100_000):
                self.wfile.write(b"D")
                self.wfile.flush()
                time.sleep(0.2)
            return None
        answers: dict[str, tuple[int, bytes, str, dict[str, str]]] = {
            "png_bomb": (200, BOMB_PNG, "image/png", {}),
            "gif_bomb": (200, BOMB_GIF, "image/gif", {}),
            "gzip_bomb": (200, GZIP_BOMB, "image/png", {"Content_Encoding": "gzip"}),
            "redir_other": (302, b"", "text/plain", {"Location": f"{other}/moved.png"}),
            "redir_file": (302, b"", "text/plain", {"Location": "file:///etc/passwd"}),
            "redir_metadata": (302, b"", "text/plain", {"Location": "http://169.254.169.254/latest/meta-data/"}),
            "svg": (200, f'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("{other}/svg-ran")</script></svg>'
                    .encode(), "image/svg+xml", {}),  # fmt: skip
            "html_as_png": (200, b"<html><script>alert(1)</script></html>", "image/png", {}),
        }
        status, body, kind, headers = answers.get(case, (404, b"no", "text/plain", {}))
        return self._send(status, body, kind, **headers)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, int]]:
    started = []
    for _ in range(2):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
    Hostile.other_port = started[1].server_address[1]
    yield f"http://127.0.0.1:{started[0].server_address[1]}", Hostile.other_port
    for server in started:
        server.shutdown()
        server.server_close()


def test_hostile_images_are_bounded_counted_and_good_ones_hashed(servers: tuple[str, int], tmp_path: Path) -> None:
    base_url, other_port = servers
    profile = tmp_path / "hostile-images.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update({"NETSWORD_PATHS_VAR_DIR": str(tmp_path), "PYTHONPATH": str(REPO)})
    extra = {"NETSWORD_IMAGE_HASHES": 3, "DOWNLOAD_TIMEOUT": TIMEOUT, "RETRY_BACKOFF_BASE": 0.1}
    payload = json.dumps({"profile": str(profile), "base_url": base_url, "keywords": ["耐克"], "max_pages": 1,
                          "evidence": False, "extra": extra})  # fmt: skip
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(CHILD), payload], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=200, check=False)  # noqa: S603 - our own crawl helper  # fmt: skip
    elapsed = time.monotonic() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = [line for line in proc.stdout.splitlines() if line.startswith("STATS ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    stats, log = json.loads(lines[-1][6:]), proc.stderr

    assert stats["netsword/images_hashed"] == len(GOOD)
    assert stats.get("netsword/images_refused", 0) + stats.get("netsword/images_failed", 0) == len(BAD)
    assert stats["crawl"]["status"] == "complete" and stats["netsword/listings_stored"] == len(GOOD) + len(BAD)
    for case in BAD:  # one line each, naming the image
        assert f"/img/{case} refused: " in log or f"/img/{case} not fetched: " in log, case
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
    # a failing image is tried twice at most (one retry, never re-queued); nothing off the profile's hosts is fetched
    tries = {path: n for (port, path), n in Hostile.hits.items() if port != other_port and path.startswith("/img/")}
    assert max(tries.values()) <= 2 and "/img/robots_disallowed" not in tries, tries
    assert not [path for port, path in Hostile.hits if port == other_port], Hostile.hits
    assert elapsed < 120 and peak_mib < 1024, (elapsed, peak_mib)  # 256 MiB bodies, 64 MiB bomb: never read whole

    with open_store_from_config(load_config(None, env={"NETSWORD_PATHS_VAR_DIR": str(tmp_path)})) as store:
        hashed = {lead.listing_id: lead.listing.get("image_hashes") for lead in store.iter_leads(LeadQuery())}
    assert all(len((hashed[case] or [{}])[0].get("phash", "")) == 16 for case in GOOD), hashed
    assert not any(hashed[case] for case in BAD)
