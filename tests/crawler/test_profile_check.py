"""`netsword profile check` on saved pages (real ones, GBK ones, a captcha page) and on one URL fetched politely;
`netsword profile list` with your own profiles folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from netsword.cli import build_parser, main

sys.path.insert(0, str(Path(__file__).parent))
from gbk_market import GbkMarket  # noqa: E402
from test_gbk_pages import gbk_variants  # noqa: E402

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"
PROFILES = Path(__file__).parent / "profiles"
REPO = Path(__file__).resolve().parents[2]


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["profile", "check", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_check_a_saved_gbk_page(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = isolated / "jd-gbk.html"
    page.write_bytes(gbk_variants()[0][1])  # <meta http-equiv … charset=gbk>, GB18030 bytes
    code, out = _check(capsys, "jd-search", "--file", str(page))
    assert code == 0, out
    assert "decoded as gb18030, 5 listings" in out
    assert "title: 依泊姿会发芽的海藻面膜贴" in out and "seller: {'name': '纯禾雅专护肤品营店'" in out
    assert "price: 5/5 (100%)" in out and "warnings: none" in out


def test_check_warns_about_garbled_text(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = isolated / "jd-gbk.html"
    page.write_bytes(gbk_variants()[3][1])  # nothing declared in the page
    code, out = _check(capsys, "jd-search", "--file", str(page), "--content-type", "text/html; charset=utf-8")
    assert "garbled text: listing 1 title: replacement characters (U+FFFD)" in out
    assert "set `encoding:` in the profile" in out


def test_check_a_real_embedded_page_and_a_detail_page(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(capsys, "taobao-search", "--file", str(REAL / "taobao_g_page_config_xxx.js"), "--limit", "1")
    assert code == 0 and "36 listings" in out and "sales: 7261" in out and "… and 35 more listings" in out
    detail = isolated / "item.html"
    detail.write_text(
        '<script type="application/ld+json">{"@type": "Product", "name": "耐克 正品", "offers": {"price": "9.90",'
        ' "priceCurrency": "CNY", "seller": {"name": "小店"}}}</script><div class="stock">库存 1.2万件</div>',
        encoding="gbk",
    )
    code, out = _check(capsys, str(PROFILES / "gbk-shop.yaml"), "--detail", "--file", str(detail),
                       "--page-url", "http://127.0.0.1:8000/gbk/item/1")  # fmt: skip
    assert code == 0, out
    assert (
        "title: 耐克 正品" in out
        and "price: 9.9" in out
        and "stock: 12000" in out
        and "seller: {'name': '小店'}" in out
    )


def test_check_says_blocked_and_no_listings(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    captcha = isolated / "captcha.html"
    captcha.write_text("<html><body><div id='nocaptcha'>请拖动滑块完成安全验证</div></body></html>", encoding="utf-8")
    code, out = _check(capsys, "jd-search", "--file", str(captcha))
    assert code == 1
    assert "blocked page? the page says '滑块'" in out and "no listings: `li.gl-item` matched nothing" in out


def test_bad_profile_or_missing_file_is_a_usage_error(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(capsys, "no-such-profile", "--file", "x.html")
    assert code == 2 and "no-such-profile: no such profile" in out
    code, out = _check(capsys, "jd-search", "--file", "missing.html")
    assert code == 2 and "missing.html: cannot read" in out
    with pytest.raises(SystemExit):
        build_parser().parse_args(["profile", "check", "jd-search"])  # --url or --file is required


def test_list_shows_bundled_and_user_profiles(
    isolated: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = isolated / "my-profiles"
    mine.mkdir()
    (mine / "gbk-shop.yaml").write_text((PROFILES / "gbk-shop.yaml").read_text("utf-8"), encoding="utf-8")
    monkeypatch.setenv("NETSWORD_CRAWLER_PROFILES_DIR", str(mine))
    assert main(["profile", "list"]) == 0
    out = capsys.readouterr().out
    assert "jd-search" in out and "bundled" in out
    assert f"gbk-shop                 user    {mine / 'gbk-shop.yaml'}  gbk-shop, http, html" in out
    page = isolated / "p.html"
    page.write_text("<ul></ul>", encoding="utf-8")
    code, out = _check(capsys, "gbk-shop", "--file", str(page))  # found by name in crawler.profiles_dir
    assert code == 1 and "no listings: `li.goods` matched nothing" in out


def test_crawl_help_names_no_missing_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["crawl", "--help"])
    out = capsys.readouterr().out
    assert "--list" not in out and "netsword profile list" in out


@pytest.fixture(scope="module")
def market() -> Iterator[GbkMarket]:
    server = GbkMarket(size=120)
    server.start()
    yield server
    server.stop()


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(REPO))
    command = [sys.executable, "-c", "from netsword.cli import run; run()", *args]
    return subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def test_check_a_url_fetched_once_politely(market: GbkMarket, tmp_path: Path) -> None:
    profile = str(PROFILES / "gbk-shop.yaml")
    base = f"{market.base_url}/gbk/"
    proc = _cli(tmp_path, "profile", "check", profile, "--base-url", base, "--url", f"{base}search?q=&page=1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "HTTP 200, search page, decoded as gb18030, 10 listings" in proc.stdout
    first = market.listings[market.order[0]]
    assert f"title: {first.title.strip()}"[:30] in proc.stdout
    assert not (tmp_path / "var" / "evidence").exists()  # nothing captured
    private = market.order[5]
    proc = _cli(tmp_path, "profile", "check", profile, "--base-url", base, "--detail",
                "--url", f"{base}private/item/{private}")  # fmt: skip
    assert proc.returncode == 1 and "Forbidden by robots.txt" in proc.stderr
    proc = _cli(tmp_path, "profile", "check", profile, "--base-url", base, "--url", "http://other.example/search")
    assert proc.returncode == 1 and "not on the profile's hosts" in proc.stderr


def test_check_a_captcha_url_says_blocked_at_once(market: GbkMarket, tmp_path: Path) -> None:
    """The page as it came: no backing off (the guarded profile waits 0.1 s, a real one 30 s), a clear warning."""
    base = f"{market.base_url}/gbk/"
    proc = _cli(tmp_path, "profile", "check", str(PROFILES / "gbk-shop-guarded.yaml"), "--base-url", base,
                "--url", f"{base}guarded?q=&page=1")  # fmt: skip
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "blocked page: slider (text: nc_1_n1z)" in proc.stdout


def test_check_a_detail_url_judges_redirects_and_error_answers_as_the_crawl_does(
    market: GbkMarket, tmp_path: Path
) -> None:
    base = f"{market.base_url}/gbk/"
    walled = market.order[0]
    missing = next(i for i in market.order if market.link_kind(i) == "missing")
    market.walled = {walled}
    try:
        # a profile whose blocked.url names the login page: the 302 to it is a block, as in a crawl
        proc = _cli(tmp_path, "profile", "check", str(PROFILES / "gbk-shop-member.yaml"), "--base-url", base,
                    "--detail", "--url", f"{base}item/{walled}")  # fmt: skip
        assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
        assert "HTTP 302, detail page" in proc.stdout and ", 0 listings" in proc.stdout
        assert f"blocked page: rule (url: /passport/login) (HTTP 302 to {market.base_url}/gbk/passport/login)" in (
            proc.stdout
        )
        # without such a rule the redirect is followed, through robots.txt, which forbids the login page
        proc = _cli(tmp_path, "profile", "check", str(PROFILES / "gbk-shop.yaml"), "--base-url", base, "--detail",
                    "--url", f"{base}item/{walled}")  # fmt: skip
        assert proc.returncode == 1 and "Forbidden by robots.txt" in proc.stderr, proc.stdout
    finally:
        market.walled = set()
    proc = _cli(tmp_path, "profile", "check", str(PROFILES / "gbk-shop.yaml"), "--base-url", base, "--detail",
                "--url", f"{base}item/{missing}")  # fmt: skip
    assert proc.returncode == 1 and "HTTP 404, detail page" in proc.stdout and ", 0 listings" in proc.stdout
    assert "HTTP 404: an error answer; the crawl reads nothing from it" in proc.stdout
    proc = _cli(tmp_path, "profile", "check", str(PROFILES / "gbk-shop.yaml"), "--base-url", base, "--detail",
                "--url", f"{base}item/{walled}")  # fmt: skip
    assert proc.returncode == 0 and "HTTP 200, detail page" in proc.stdout and "warnings: none" in proc.stdout


def test_check_warns_that_listings_without_a_required_field_will_be_dropped(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    market = GbkMarket(size=30)  # not started: only its pages are used, saved as files
    saved = isolated / "render.html"
    saved.write_bytes(market.search_page("/gbk", "", 1, render=True).encode("gbk", errors="xmlcharrefreplace"))
    code, out = _check(capsys, str(PROFILES / "gbk-shop.yaml"), "--file", str(saved))
    assert code == 0 and "title: 0/10 (0%)" in out  # the titles are filled in by a script
    assert (
        "dropped: 10 of 10 listings would be dropped by the crawl (title: is required), unless their detail page "
        "gives the title; if the page fills it in by JavaScript, set `render: browser` in the profile"
    ) in out
    saved.write_bytes(market.search_page("/gbk", "", 1, render=False).encode("gbk", errors="xmlcharrefreplace"))
    code, out = _check(capsys, str(PROFILES / "gbk-shop.yaml"), "--file", str(saved))
    assert code == 0 and "dropped:" not in out
