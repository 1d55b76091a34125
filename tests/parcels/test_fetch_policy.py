"""`netsword parcels fetch` under the fetch policy (issue 15, finding 3): a courier feed on 127.0.0.1 — the host the
operator named — is downloaded, but its redirects to cloud metadata, 10.0.0.1, other loopback ports, ::1 or file:,
and chains of more than 5, are refused before any connection; a strict policy refuses the loopback feed itself.

Every socket in this process may connect to loopback only while these tests run (any other address is recorded and
refused), so a refusal the policy failed to make still sends nothing off the machine.
"""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netsword.fetch_policy import FetchPolicy
from parcels.fetch import FetchError, fetch_feed

FEED = b"tracking_no,sender_name\nYT1,x\n"


@pytest.fixture()
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Non-loopback addresses anything in this process tried to connect to (each refused)."""
    tried: list[str] = []
    real = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        host = str(address[0]).split("%")[0]
        if self.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(host).is_loopback:
            tried.append(host)
            raise OSError(f"test guard: no connection to {host}")
        real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return tried


@pytest.fixture()
def bystander() -> Iterator[list[Any]]:
    """A loopback port nobody should reach: the peers that connected."""
    server = socket.create_server(("127.0.0.1", 0))
    peers: list[Any] = []

    def accept() -> None:
        while True:
            try:
                conn, peer = server.accept()
            except OSError:
                return
            peers.append(peer)
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    peers.append(server.getsockname()[1])  # peers[0]: the port
    yield peers
    server.close()


@pytest.fixture()
def feed_site(bystander: list[Any]) -> Iterator[str]:
    port = bystander[0]
    targets = {
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/to-ten": "http://10.0.0.1/feed.csv",
        "/to-local-port": f"http://127.0.0.1:{port}/feed.csv",
        "/to-v6": f"http://[::1]:{port}/feed.csv",
        "/to-file": "file:///etc/passwd",
        "/moved": "/feed.csv",
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            path = self.path.split("?")[0]
            if path in targets:
                location = targets[path]
            elif path.startswith("/chain"):
                location = f"/chain{int(path[6:] or 0) + 1}"
            else:
                location = ""
            if location:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200 if path == "/feed.csv" else 404)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_feed_the_operator_named_is_fetched_also_on_loopback(feed_site: str, tmp_path: Path,
                                                                attempts: list[str]) -> None:  # fmt: skip
    path = fetch_feed(f"{feed_site}/moved", tmp_path, "generic")  # a redirect on the same host is fine
    assert path.read_bytes() == FEED and attempts == []


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/to-metadata", "169.254.169.254 is not a public address (link-local)"),
        ("/to-ten", "10.0.0.1 is not a public address (private)"),
        ("/to-local-port", "127.0.0.1 is not a public address (loopback)"),
        ("/to-v6", "::1 is not a public address (loopback)"),
        ("/to-file", "scheme file: only http and https are fetched"),
        ("/chain", "more than 5 redirects"),
    ],
)
def test_redirects_the_policy_refuses_are_never_followed(feed_site: str, tmp_path: Path, attempts: list[str],
                                                        bystander: list[Any], path: str, why: str) -> None:  # fmt: skip
    with pytest.raises(FetchError, match="refused by the fetch policy: ") as caught:
        fetch_feed(f"{feed_site}{path}?token=SECRET", tmp_path, "generic")
    assert why in str(caught.value) and "SECRET" not in str(caught.value)
    assert attempts == []  # no connection attempt beyond loopback
    assert bystander[1:] == []  # nor to the other loopback port
    assert not list(tmp_path.glob("*"))  # nothing half-written is left


def test_a_strict_policy_refuses_a_private_feed_before_connecting(feed_site: str, tmp_path: Path,
                                                                 attempts: list[str]) -> None:  # fmt: skip
    strict = FetchPolicy(any_host=True)
    for url in (f"{feed_site}/feed.csv", f"http://2130706433:{feed_site.rsplit(':', 1)[1]}/feed.csv",
                f"http://localhost:{feed_site.rsplit(':', 1)[1]}/feed.csv"):  # fmt: skip
        with pytest.raises(FetchError, match="is not a public address"):
            fetch_feed(url, tmp_path, "generic", policy=strict)
    assert attempts == []
