"""The fetch policy in real crawls (issue 15, finding 3): a hostile listing site on 127.0.0.1 whose stored listings
redirect to cloud metadata, 10.0.0.1, other loopback ports and IPv6 loopback, to file:, ftp: and javascript:, through
long redirect chains, and answer with 300 MB pages — re-checked over HTTP and in Chromium, and captured as evidence.

Nothing may leave loopback: each crawl runs in a child process whose sockets refuse (and record) any connection to a
non-loopback address, so a refusal is proven to happen before connecting; a "bystander" listener on other loopback
ports (and ::1) records any connection the policy should have prevented. Chromium is only ever pointed at loopback.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from leads.store import LeadQuery, open_store
from netsword.config import Config, load_config
from netsword.models import Lead
from tests.scheduler.helpers import REPO, seed_leads_at

CAP = 1024 * 1024  # crawler.max_page_bytes in these crawls
HUGE = 300 * 1024 * 1024
CHUNK = 64 * 1024
MIDDLEWARE = {"crawler.middlewares.fetch_policy.FetchPolicyMiddleware": 40}

# Run in the child before anything else: a socket may connect to loopback only; any other address is recorded
# and refused, so that a refusal the policy failed to make still sends nothing off this machine.
CHILD = r"""
import ipaddress, json, os, socket, sys
_LOG = os.environ["CONNECT_LOG"]
def _guarded(real):
    def connect(self, address, *rest):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = str(address[0]).split("%")[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                with open(_LOG, "a") as log:
                    log.write(host + "\n")
                raise OSError(f"test guard: no connection to {host}")
        return real(self, address, *rest)
    return connect
socket.socket.connect = _guarded(socket.socket.connect)
socket.socket.connect_ex = _guarded(socket.socket.connect_ex)

args = json.loads(sys.argv[1])
if args.get("rebind"):
    # DNS rebinding: rebind.test answers a public address to the fetch policy's check, loopback a moment later
    import crawler.middlewares.fetch_policy as fp
    async def _public(host, port=None):
        return ["93.184.216.34"] if host == "rebind.test" else await _real_resolve(host, port)
    _real_resolve, fp.resolve_async = fp.resolve_async, _public
    _real_byname = socket.gethostbyname
    socket.gethostbyname = lambda name: "127.0.0.1" if name == "rebind.test" else _real_byname(name)

from crawler.run import run_spider
from crawler.spiders.marketplace import MarketplaceSpider
from crawler.spiders.recheck import RecheckSpider
spider = {"recheck": RecheckSpider, "marketplace": MarketplaceSpider}[args["spider"]]
result = run_spider(spider, args["kwargs"], args["settings"])
print("STATS " + json.dumps(result.stats, default=str))
"""


class Bystander:
    """Listeners on loopback ports nobody should reach (127.0.0.1 and, when there is IPv6, ::1): every accepted
    connection is recorded, and every one that sent a byte (a request) in `requests` too."""

    def __init__(self) -> None:
        self.connections: list[str] = []
        self.requests: list[str] = []
        self.sockets = [socket.create_server(("127.0.0.1", 0))]
        if socket.has_ipv6:
            try:
                self.sockets.append(socket.create_server(("::1", 0), family=socket.AF_INET6))
            except OSError:
                pass
        for sock in self.sockets:
            threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.sockets[0].getsockname()[1])

    @property
    def port6(self) -> int:
        return int(self.sockets[-1].getsockname()[1]) if len(self.sockets) > 1 else self.port

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, peer = sock.accept()
            except OSError:
                return
            self.connections.append(str(peer))
            threading.Thread(target=self._read, args=(conn, peer), daemon=True).start()

    def _read(self, conn: socket.socket, peer: Any) -> None:
        conn.settimeout(20)
        try:
            if conn.recv(1):
                self.requests.append(str(peer))
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


class HostileSite:
    """A listing site on 127.0.0.1: listing pages that redirect anywhere, chains, and pages of 300 MB."""

    def __init__(self, bystander: Bystander) -> None:
        self.bystander = bystander
        self.paths: list[str] = []
        self.sent: dict[str, int] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def targets(self) -> dict[str, str]:
        q, q6 = self.bystander.port, self.bystander.port6
        return {
            "to-metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "to-ten": "http://10.0.0.1/admin",
            "to-local-port": f"http://127.0.0.1:{q}/item/x",
            "to-decimal": f"http://2130706433:{q}/item/x",
            "to-v6": f"http://[::1]:{q6}/item/x",
            "to-file": "file:///etc/passwd",
            "to-ftp": f"ftp://127.0.0.1:{q}/",
            "to-js": "javascript:alert(document.domain)",
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                site.paths.append(self.path)
                name = self.path.rsplit("/", 1)[-1]
                targets = site.targets()
                if self.path == "/robots.txt":
                    self._send(404, b"")
                elif self.path.startswith("/search"):
                    self._page("", items=("e/item1",))
                elif name in targets:
                    self._redirect(targets[name])
                elif "/chain" in self.path:  # /item/chain → /item/chain-1 → … → /item/chain-7
                    step = int(name.split("-")[1]) if "-" in name else 0
                    self._redirect(f"{site.url}{self.path.rsplit('/', 1)[0]}/chain-{step + 1}")
                elif name in ("huge", "huge-stream"):
                    self._huge(with_length=name == "huge")
                else:
                    self._page(name)

            def _page(self, name: str, items: tuple[str, ...] = ()) -> None:
                q, q6 = site.bystander.port, site.bystander.port6
                listed = "".join(f'<li class="item" data-id="{i}"><a href="/{i}">耐克 Nike Air</a></li>' for i in items)
                body = f"""<html><head><title>{name}</title>
                <script src="http://127.0.0.1:{q}/s.js"></script></head><body>
                <h1 class="title">耐克 Nike Air {name}</h1><span class="price">¥120.00</span>
                <img src="http://127.0.0.1:{q}/pixel.png"><iframe src="http://[::1]:{q6}/frame"></iframe>
                <script>fetch("http://127.0.0.1:{q}/xhr").catch(() => 0)</script>
                <ul>{listed}</ul>
                </body></html>""".encode()
                self._send(200, body, "text/html; charset=utf-8")

            def _redirect(self, location: str) -> None:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _send(self, status: int, body: bytes, media_type: str = "text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _huge(self, *, with_length: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                if with_length:
                    self.send_header("Content-Length", str(HUGE))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<p>" + b"x" * (CHUNK - 8) + b"</p>\n "
                sent = 0
                try:
                    self.wfile.write(b"<html><body>")
                    while sent < HUGE:
                        self.wfile.write(chunk)
                        sent += len(chunk)
                except OSError:
                    pass
                finally:
                    site.sent[self.path] = sent
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@dataclass
class Run:
    site: HostileSite
    bystander: Bystander
    cfg: Config
    stats: dict[str, Any]
    connects: list[str]
    log: str

    def lead(self, path: str) -> Lead:
        url = path if path.startswith("http") else f"{self.site.url}{path}"
        with open_store(self.cfg.store_url) as store:
            return next(lead for lead in store.iter_leads(LeadQuery(limit=0)) if lead.url == url)

    def refused(self, reason: str) -> int:
        return int(self.stats.get(f"netsword/fetch_refused/{reason}", 0))


def _profile(root: Path, name: str, text: str) -> str:
    path = root / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _run_child(root: Path, env: dict[str, str], spider: str, kwargs: dict[str, Any], *, rebind: bool = False,
               settings: dict[str, Any] | None = None) -> tuple[dict, list[str], str]:  # fmt: skip
    connect_log = root / "connects.log"
    connect_log.touch()
    env = {**env, "CONNECT_LOG": str(connect_log)}
    settings = {"NETSWORD_ALERTS": False, "DOWNLOADER_MIDDLEWARES": MIDDLEWARE, "DOWNLOAD_MAXSIZE": CAP,
                "DOWNLOAD_WARNSIZE": CAP // 2, "RETRY_TIMES": 0, **(settings or {})}  # fmt: skip
    payload = json.dumps({"spider": spider, "kwargs": kwargs, "settings": settings, "rebind": rebind})
    proc = subprocess.run([sys.executable, "-c", CHILD, payload], env=env, cwd=root, capture_output=True, text=True,
                          timeout=240, check=False)  # fmt: skip  # noqa: S603 - our own child
    lines = [line for line in proc.stdout.splitlines() if line.startswith("STATS ")]
    assert proc.returncode == 0 and lines, proc.stderr[-4000:]
    return json.loads(lines[-1][6:]), connect_log.read_text().split(), proc.stderr


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update({"NETSWORD_PATHS_VAR_DIR": str(root / "var"), "NETSWORD_CRAWLER_MAX_PAGE_BYTES": str(CAP),
                "PYTHONPATH": str(REPO)})  # fmt: skip
    return env


HOSTILE = """\
version: 1
platform: {platform}
base_url: {url}/
render: {render}
allow_private_addresses: true
search:
  url: "/search?q={{keyword}}"
  items: li.item
  fields: {{id: "::attr(data-id)", title: "a::text", url: {{css: "a::attr(href)", absolute: true}}}}
detail:
  follow: ['^/(item|b|e)/']
  fields:
    title: "h1.title::text"
    price: "span.price::text"
"""
# A profile that names its host: localhost resolves to loopback, and this profile does not allow private addresses.
NAMED = """\
version: 1
platform: named
base_url: http://localhost:{port}/
allowed_hosts: ["localhost:{port}"]
search:
  url: "/search?q={{keyword}}"
  items: li.item
  fields: {{id: "::attr(data-id)"}}
detail:
  follow: ['^/item/']
  fields: {{price: "span.price::text"}}
"""
REDIRECTS = ("to-metadata", "to-ten", "to-local-port", "to-decimal", "to-v6", "to-file", "to-ftp", "to-js")


@pytest.fixture(scope="module")
def http_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    bystander = Bystander()
    site = HostileSite(bystander)
    root = tmp_path_factory.mktemp("fetch-http")
    env = _env(root)
    cfg = load_config(env=env)
    port = site.url.rsplit(":", 1)[1]
    profiles = [_profile(root, "hostile", HOSTILE.format(platform="hostile", url=site.url, render="http")),
                _profile(root, "named", NAMED.format(port=port))]  # fmt: skip
    paths = ["/item/ok", *(f"/item/{name}" for name in REDIRECTS), "/item/chain", "/item/huge", "/item/huge-stream"]
    seed_leads_at(cfg, [f"{site.url}{path}" for path in paths], platform="hostile")
    seed_leads_at(cfg, [f"http://localhost:{port}/item/named"], platform="named")
    kwargs = {"platform": "hostile,named", "profiles": profiles, "delay": 0, "timeout": 20, "max_bytes": CAP}
    stats, connects, log = _run_child(root, env, "recheck", kwargs)
    yield Run(site, bystander, cfg, stats, connects, log)
    site.stop()
    bystander.close()


def test_redirects_to_private_addresses_are_refused_before_connecting(http_run: Run) -> None:
    assert http_run.connects == []  # not one connection attempt beyond loopback
    assert http_run.bystander.connections == []  # nor to the other loopback ports
    # metadata, 10.0.0.1, 127.0.0.1 on another port (also written in decimal), ::1: none is the profile's host
    assert http_run.refused("host") >= 5
    for name in REDIRECTS:
        assert http_run.lead(f"/item/{name}").last_seen == "2026-01-01T00:00:00Z", name  # nothing recorded
    assert "fetch refused (host): http://169.254.169.254/latest/meta-data/iam/security-credentials/: " in http_run.log
    assert http_run.lead("/item/ok").price == 120.0  # the profile's own pages are still read


def test_non_http_redirects_are_refused(http_run: Run) -> None:
    assert http_run.refused("scheme") == 2  # file:, ftp:
    assert "fetch refused (scheme): redirect from " + http_run.site.url + "/item/to-file refused: " in http_run.log
    # javascript: cannot even be made into a request (Scrapy's RedirectMiddleware raises): not fetched either
    assert "re-check of " + http_run.site.url + "/item/to-js failed: Missing scheme" in http_run.log
    assert http_run.connects == [] and http_run.bystander.connections == []


def test_a_long_redirect_chain_stops_after_five_hops(http_run: Run) -> None:
    assert http_run.refused("redirects") == 1
    assert "/item/chain-5" in http_run.site.paths and "/item/chain-6" not in http_run.site.paths


def test_an_allowed_name_on_a_loopback_address_is_refused_unless_the_profile_allows_it(http_run: Run) -> None:
    assert http_run.refused("private_address") == 1
    assert "fetch refused (private_address): http://localhost:" in http_run.log
    assert not any(path == "/item/named" for path in http_run.site.paths)


def test_huge_pages_are_cut_at_the_cap(http_run: Run) -> None:
    assert http_run.refused("too_large") == 2  # with and without Content-Length
    assert http_run.site.sent.get("/item/huge-stream", 0) < 64 * 1024 * 1024  # abandoned, not read to the end
    assert http_run.lead("/item/huge-stream").last_seen == "2026-01-01T00:00:00Z"


REBIND = """\
version: 1
platform: rebind
base_url: http://rebind.test:{port}/
search:
  url: "/search?q={{keyword}}"
  items: li.item
  fields: {{id: "::attr(data-id)"}}
detail:
  follow: ['^/item/']
  fields: {{price: "span.price::text"}}
"""


def test_a_name_that_rebinds_to_loopback_after_the_check_is_refused_when_scrapy_connects(tmp_path: Path) -> None:
    """PolicyResolver (TWISTED_DNS_RESOLVER) checks the very address Scrapy connects to."""
    bystander = Bystander()
    site = HostileSite(bystander)
    try:
        env = _env(tmp_path)
        port = site.url.rsplit(":", 1)[1]
        seed_leads_at(load_config(env=env), [f"http://rebind.test:{port}/item/rebound"], platform="rebind")
        kwargs = {"platform": "rebind", "profiles": [_profile(tmp_path, "rebind", REBIND.format(port=port))],
                  "delay": 0, "timeout": 20}  # fmt: skip
        resolver = {"TWISTED_DNS_RESOLVER": "crawler.middlewares.fetch_policy.PolicyResolver", "RETRY_TIMES": 2}
        stats, connects, log = _run_child(tmp_path, env, "recheck", kwargs, rebind=True, settings=resolver)
    finally:
        site.stop()
        bystander.close()
    assert "/item/rebound" not in site.paths and connects == []  # the loopback site never heard of it
    assert stats.get("netsword/fetch_refused/private_address") == 2, log[-3000:]  # robots.txt and the listing
    assert "fetch refused (private_address): http://rebind.test:" in log and "(loopback 127.0.0.1)" in log
    assert "CRITICAL" not in log


BROWSER_REDIRECTS = ("to-local-port", "to-decimal", "to-v6", "to-file", "to-ftp", "to-js")  # loopback targets only


@pytest.fixture(scope="module")
def browser_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    bystander = Bystander()
    site = HostileSite(bystander)
    root = tmp_path_factory.mktemp("fetch-browser")
    env = _env(root)
    cfg = load_config(env=env)
    profile = _profile(root, "hostile", HOSTILE.format(platform="hostile", url=site.url, render="browser"))
    paths = ["/b/ok", *(f"/b/{name}" for name in BROWSER_REDIRECTS), "/b/chain", "/b/huge", "/b/huge-stream"]
    seed_leads_at(cfg, [f"{site.url}{path}" for path in paths], platform="hostile")
    kwargs = {"platform": "hostile", "profiles": [profile], "delay": 0, "timeout": 30, "max_bytes": CAP}
    stats, connects, log = _run_child(root, env, "recheck", kwargs)
    yield Run(site, bystander, cfg, stats, connects, log)
    site.stop()
    bystander.close()


@pytest.mark.browser
def test_chromium_redirects_are_held_to_the_policy(browser_run: Run) -> None:
    assert browser_run.bystander.requests == [] and browser_run.connects == []
    assert browser_run.refused("host") >= 3  # another loopback port (also in decimal), ::1
    assert browser_run.refused("scheme") >= 3  # file:, ftp:, javascript:
    assert browser_run.refused("redirects") == 1
    assert "/b/chain-5" in browser_run.site.paths and "/b/chain-6" not in browser_run.site.paths
    for name in (*BROWSER_REDIRECTS, "chain"):
        assert browser_run.lead(f"/b/{name}").last_seen == "2026-01-01T00:00:00Z", name


@pytest.mark.browser
def test_chromium_sub_resources_on_private_addresses_are_refused(browser_run: Run) -> None:
    assert browser_run.lead("/b/ok").price == 120.0  # the page itself is read
    assert browser_run.refused("private_address") >= 2  # its script, iframe (::1) and fetch() to other ports
    # Not one request. Chromium does open a bare connection to where a frame navigates (its network-prediction
    # preconnect, before any hook sees the navigation): the iframe to ::1, and nothing else.
    assert browser_run.bystander.requests == []
    assert all(peer.startswith("('::1'") for peer in browser_run.bystander.connections)


@pytest.mark.browser
def test_chromium_pages_are_cut_at_the_cap(browser_run: Run) -> None:
    assert browser_run.refused("too_large") == 2  # with Content-Length (refused unread) and streamed (stopped)
    assert browser_run.site.sent.get("/b/huge-stream", 0) < 64 * 1024 * 1024
    assert browser_run.lead("/b/huge-stream").last_seen == "2026-01-01T00:00:00Z"


@pytest.mark.browser
def test_evidence_screenshots_load_nothing_from_private_addresses(tmp_path: Path) -> None:
    bystander = Bystander()
    site = HostileSite(bystander)
    try:
        env = _env(tmp_path)
        profile = _profile(tmp_path, "hostile", HOSTILE.format(platform="hostile", url=site.url, render="http"))
        kwargs = {"profile": profile, "keywords": ["耐克"], "max_pages": 1}
        stats, connects, log = _run_child(tmp_path, {**env}, "marketplace", kwargs)
    finally:
        site.stop()
        bystander.close()
    assert stats.get("netsword/evidence_screenshots", 0) >= 1, log[-3000:]  # Chromium rendered the page, images on
    assert stats.get("netsword/fetch_refused/private_address", 0) >= 2  # but not the bystander's img/script/iframe
    assert bystander.requests == [] and connects == []
    assert all(peer.startswith("('::1'") for peer in bystander.connections)  # the iframe's preconnect at most
