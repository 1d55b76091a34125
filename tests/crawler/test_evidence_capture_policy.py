"""`netsword evidence capture URL` under the fetch policy (issue 15, finding 3): the typed URL may be on a private
address, but a redirect to another address or port, or to a non-http scheme, is refused and nothing is kept."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netsword.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Bystander(http.server.BaseHTTPRequestHandler):
    """Another service on this machine that a hostile page would like the capture to reach."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Bystander.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"internal secrets")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def bystander() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Bystander)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Bystander.hits = []
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture
def hostile(bystander: int) -> Iterator[str]:
    class Hostile(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            target = {"/port": f"http://127.0.0.1:{bystander}/admin", "/file": "file:///etc/passwd"}[self.path]
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/port", "/file"])
def test_a_redirect_off_the_typed_host_is_refused(isolated: Path, hostile: str, path: str, capsys) -> None:
    assert main(["evidence", "capture", f"{hostile}{path}", "--listing-id", "x1"]) != 0
    assert "refused by the fetch policy" in capsys.readouterr().err
    assert Bystander.hits == []
    assert not list((isolated / "var" / "evidence").glob("captures/*.json"))


def test_a_url_that_is_not_http_is_refused_before_chromium_starts(isolated: Path, capsys) -> None:
    assert main(["evidence", "capture", f"ftp://127.0.0.1:{_free_port()}/x", "--listing-id", "x2"]) != 0
    assert "must be an http(s) URL" in capsys.readouterr().err
