"""Evidence never keeps a block page: Chromium's navigations, redirect hops included, pass robots.txt as well as the
fetch policy, and a capture that ends on a login wall or captcha is refused — for `netsword evidence capture URL`
and for the crawl's own evidence visit of a listing's page."""

from __future__ import annotations

import http.server
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.local_site import serve

sys.path.insert(0, str(Path(__file__).parent))
from gbk_market import SOURCE, GbkMarket, crawl_cli, keywords_for  # noqa: E402

from evidence.store import EvidenceStore
from netsword.cli import main
from netsword.config import load_config

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
PROFILES = Path(__file__).parent / "profiles"
LOGIN = "<html><head><meta charset='gbk'><title>会员登录 - 小铺</title></head><body><form>账号 <input></form></body></html>"


class Shop(http.server.BaseHTTPRequestHandler):
    served: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Shop.served.append(self.path)
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /member/\n", "text/plain")
        if self.path.startswith("/goods/vip/"):  # members only: to the login page robots.txt forbids
            return self._send(302, b"", "text/html", location="/member/login.htm?redirect=" + self.path)
        if self.path.startswith("/goods/club/"):  # members only: to a login page robots.txt does not forbid
            return self._send(302, b"", "text/html", location="/passport/login.htm")
        if self.path.startswith(("/member/", "/passport/")):
            return self._send(200, LOGIN.encode("gbk"), "text/html; charset=gbk")
        return self._send(200, "<html><title>耐克 气垫</title><h1>耐克 气垫</h1></html>".encode("gbk"),
                          "text/html; charset=gbk")  # fmt: skip

    def _send(self, status: int, body: bytes, media: str, location: str = "") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def shop() -> Iterator[str]:
    Shop.served = []
    with serve(Shop) as url:
        yield url


def _captures(root: Path) -> list[Any]:
    return list(EvidenceStore(root / "var" / "evidence").iter_captures())


def test_capture_refuses_a_redirect_robots_txt_forbids(isolated: Path, shop: str, capsys) -> None:
    assert main(["evidence", "capture", f"{shop}/goods/vip/h1016.html", "--listing-id", "h1016"]) == 1
    err = capsys.readouterr().err
    assert "/member/login.htm: forbidden by robots.txt" in err, err
    assert not any(p.startswith("/member/") for p in Shop.served)  # Chromium never fetched the login page
    assert not _captures(isolated)


def test_capture_refuses_a_login_page_it_lands_on(isolated: Path, shop: str, capsys) -> None:
    assert main(["evidence", "capture", f"{shop}/goods/club/h1018.html", "--listing-id", "h1018"]) == 1
    err = capsys.readouterr().err
    assert "not kept: a block page, login (title: 会员登录)" in err, err
    assert not _captures(isolated)
    # an ordinary page is still kept, and a page robots.txt forbids is not opened at all
    assert main(["evidence", "capture", f"{shop}/goods/h1001.html", "--listing-id", "h1001"]) == 0
    assert [c.listing_id for c in _captures(isolated)] == ["h1001"]
    assert main(["evidence", "capture", f"{shop}/member/login.htm"]) == 1
    assert "forbidden by robots.txt" in capsys.readouterr().err


@pytest.fixture(scope="module")
def market() -> Iterator[GbkMarket]:
    server = GbkMarket(size=120)
    server.start()
    yield server
    server.stop()


def test_the_crawls_evidence_visit_does_not_follow_a_redirect_robots_txt_forbids(
    market: GbkMarket, tmp_path: Path
) -> None:
    """The profile has no rule for the login page: robots.txt alone keeps Chromium from it."""
    keyword = keywords_for(market, 1)[0]
    infringing = {row["listing_id"] for row in market.ground_truth() if row["label"] == "infringing"}
    first_page = list(market.catalogue.search(SOURCE, keyword))[:10]
    walled = next(i for i in first_page if i in infringing and market.link_kind(i) == "item")
    market.walled, served_before = {walled}, len(market.paths)
    env = {"NETSWORD_KEYS_DIR": str(tmp_path / "keys")}
    try:
        result = crawl_cli(str(PROFILES / "gbk-shop.yaml"), f"{market.base_url}/gbk/", [keyword], tmp_path / "var",
                           max_pages=1, evidence=True, exit_codes=(0, 3), env=env)  # fmt: skip
    finally:
        market.walled = set()
    served = market.paths[served_before:]
    assert not [p for p in served if "/passport/" in p], served  # neither Scrapy nor Chromium fetched the login page
    assert result["netsword/fetch_refused/robots_txt"] >= 1, result["log"][-3000:]
    kept = {x["id"]: x for x in result["listings"]}[walled]
    assert kept["detail"] == "failed" and "robots.txt" in kept["detail_error"]
    cfg = load_config(env={"NETSWORD_PATHS_VAR_DIR": str(tmp_path / "var"), **env})
    store = EvidenceStore.for_config(cfg, create_key=False)
    try:
        [capture] = store.captures_for("gbk-shop", walled)
        assert not any(f.role in ("screenshot", "page") for f in capture.files)
        assert any("forbidden by robots.txt" in note for note in capture.missing), capture.missing
    finally:
        store.close()
