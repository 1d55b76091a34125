"""A real crawl of a hostile marketplace served on 127.0.0.1: evasions and secrets, end to end.

- a detail page with `<meta http-equiv=refresh content="0;url=javascript:…">` (or data:) keeps its listing;
- a detail page behind a redirect is captured with the final URL it was served from;
- a profile header written as `${ENV}` is sent, and its value reaches no evidence manifest and no log line.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.middlewares.meta_refresh import MetaRefreshMiddleware
from evidence.store import EvidenceStore

pytestmark = pytest.mark.timeout(300)
REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crawl_child.py")
TOKEN = "hostile-test-token-5f4dcc3b5aa765d61d8327deb882cf99"
TITLE = "耐克 Air Max 270 高仿 1:1 原单 男鞋 运动鞋 {n}号"
ITEMS = {
    "js": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "data": '<meta http-equiv="refresh" content="0; url=data:text/html,<h1>gone</h1>">',
    "plain": "",
    "moved": "",
}
PROFILE = """\
version: 1
platform: hostile
base_url: http://127.0.0.1:1/
currency: CNY
headers:
  X-Api-Token: "${HOSTILE_TEST_API_TOKEN}"
search:
  url: "/static/search?q={keyword}&page={page}"
  format: html
  items: li.item
  fields:
    id: "::attr(data-id)"
    title: "a.title::text"
    url: {css: "a.title::attr(href)", absolute: true}
    price: "span.price::text"
detail:
  follow: ['^/static/item/[^/?#]+$']
  format: html
  fields:
    title: "h1.title::text"
    price: "span.price::text"
"""


class HostileMarket(http.server.BaseHTTPRequestHandler):
    seen_tokens: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        HostileMarket.seen_tokens.append(self.headers.get("X-Api-Token", ""))
        path = self.path.split("?")[0]
        if path == "/static/search":
            rows = "".join(
                f'<li class="item" data-id="{key}"><a class="title" href="/static/item/{key}">{TITLE.format(n=n)}</a>'
                f'<span class="price">¥99</span></li>'
                for n, key in enumerate(ITEMS)
            )
            self._send(200, f"<html><body><ul>{rows}</ul></body></html>")
        elif path == "/static/item/moved":
            self.send_response(302)
            self.send_header("Location", "/static/item/moved-here")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path.startswith("/static/item/"):
            key = path.rsplit("/", 1)[1]
            head = ITEMS.get(key, "")
            n = list(ITEMS).index(key) if key in ITEMS else 3
            body = f'<h1 class="title">{TITLE.format(n=n)}</h1><span class="price">¥99</span>'
            self._send(200, f"<html><head>{head}</head><body>{body}</body></html>")
        else:
            self._send(404, "<html>no</html>")

    def _send(self, status: int, html: str) -> None:
        data = html.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def hostile_market() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HostileMarket)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def hostile_crawl(hostile_market: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One crawl of the hostile market with evidence; the stats, the log and the var/ directory."""
    import os
    import subprocess
    import sys

    var_dir = tmp_path_factory.mktemp("hostile")
    profile = var_dir / "hostile.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update({"NETSWORD_PATHS_VAR_DIR": str(var_dir), "PYTHONPATH": str(REPO), "HOSTILE_TEST_API_TOKEN": TOKEN})
    payload = json.dumps({"profile": str(profile), "base_url": hostile_market, "keywords": ["耐克"], "max_pages": 1})
    proc = subprocess.run(  # noqa: S603 - our own crawl helper
        [sys.executable, str(CHILD), payload], env=env, cwd=var_dir, capture_output=True, text=True, timeout=240
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("STATS ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return {"stats": json.loads(lines[-1][6:]), "log": proc.stderr + proc.stdout, "var": var_dir}


def test_a_javascript_meta_refresh_does_not_make_a_listing_vanish(hostile_crawl: dict[str, Any]) -> None:
    stats = hostile_crawl["stats"]
    assert sorted(stats["listing_ids"]) == sorted(ITEMS)
    # each of the two pages twice: its detail request, and the evidence screenshot of its new lead's listing
    assert stats.get("netsword/meta_refresh_ignored") == 4
    assert stats["netsword/evidence_screenshots"] == len(ITEMS)
    assert "netsword/failed_requests" not in stats


def test_a_redirected_page_is_captured_with_its_final_url(hostile_crawl: dict[str, Any], hostile_market: str) -> None:
    store = EvidenceStore(hostile_crawl["var"] / "evidence")
    (capture,) = store.captures_for("hostile", "moved")
    assert capture.url == f"{hostile_market}/static/item/moved"
    assert capture.final_url == f"{hostile_market}/static/item/moved-here"
    assert capture.file("response").url == f"{hostile_market}/static/item/moved-here"
    plain = store.captures_for("hostile", "plain")[0]
    assert plain.final_url == plain.url == f"{hostile_market}/static/item/plain"


def test_a_secret_profile_header_is_sent_but_reaches_no_manifest_or_log(hostile_crawl: dict[str, Any]) -> None:
    assert TOKEN in HostileMarket.seen_tokens  # the marketplace did receive it
    manifests = list((hostile_crawl["var"] / "evidence" / "captures").glob("*.json"))
    assert manifests
    for path in manifests:
        text = path.read_text(encoding="utf-8")
        assert TOKEN not in text
        assert "X-Api-Token" in json.loads(text)["withheld_headers"]
    assert TOKEN not in hostile_crawl["log"]
    for path in Path(hostile_crawl["var"]).rglob("*"):
        if path.is_file() and path.suffix != ".yaml":
            assert TOKEN.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    ("refresh", "follows"),
    [
        ("0;url=javascript:alert(1)", False),
        ("0; URL='JavaScript:alert(1)'", False),
        ("0;url=data:text/html,x", False),
        ("0;url=vbscript:msgbox", False),
        ("0;url=http://[::1", False),
        ("0;url=/static/item/elsewhere", True),
        ("0;url=https://other.example/x", True),
    ],
)
def test_the_middleware_follows_only_http_refreshes(refresh: str, follows: bool) -> None:
    crawler = get_crawler(settings_dict={})
    middleware = MetaRefreshMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    request = Request("http://127.0.0.1/static/item/1")
    body = f'<html><head><meta http-equiv="refresh" content="{refresh}"></head><body>x</body></html>'.encode()
    response = HtmlResponse(request.url, body=body, request=request)
    result = middleware.process_response(request, response)
    assert isinstance(result, Request) is follows
    if not follows:
        assert result is response and crawler.stats.get_value("netsword/meta_refresh_ignored") == 1
