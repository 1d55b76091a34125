"""Blocks, sessions, proxies and daily request budgets (issue 14), on the test GBK marketplace
(tests/crawler/gbk_market.py) crawled by `netsword crawl` in child processes, and the parts they are made of."""

from __future__ import annotations

import asyncio
import email
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from gbk_market import SESSION_COOKIE, GbkMarket, keywords_for  # noqa: E402

from crawler.blocks import BlockDetector
from crawler.budget import RequestBudget
from crawler.errors import CrawlSetupError
from crawler.ledger import BLOCKED, CrawlLedger, exit_code, status_of_exit
from crawler.profile import BlockRules
from crawler.profile_loader import ProfileError, parse_profile
from crawler.proxies import ProxyRotation, load_proxies
from crawler.sessions import load_session

PROFILES = Path(__file__).parent / "profiles"
REPO = Path(__file__).resolve().parents[2]
REALDATA = REPO / "tests" / "fixtures" / "realdata"


# -- the parts ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "url", "body", "kind"),
    [
        (200, "https://login.taobao.com/member/login.jhtml?redirectURL=x", b"<html></html>", "login"),
        (200, "https://s.taobao.com//_____tmd_____/punish?x5secdata=abc", b"", "slider"),
        (200, "https://passport.jd.com/new/login.aspx?ReturnUrl=x", b"", "login"),
        (200, "https://cfe.m.jd.com/privatedomain/risk_handler/03101900/?returnurl=x", b"", "captcha"),
        (200, "https://mobile.yangkeduo.com/login.html?from=x", b"", "login"),
        (200, "https://s.example.cn/s", b'<div id="nc_1_wrapper"><span id="nc_1_n1z"></span></div>', "slider"),
        (200, "https://h5api.m.taobao.com/h5/x/1.0/", b'{"ret":["RGV587_ERROR::SM::\\u54ce"]}', "slider"),
        (200, "https://s.example.cn/s", "<title>安全验证</title>".encode(), "captcha"),
        (200, "https://s.example.cn/s", "<title>访问被拒绝</title>".encode(), "denied"),
        (403, "https://s.example.cn/s", b"nope", "denied"),
    ],
)
def test_built_in_block_markers(status: int, url: str, body: bytes, kind: str) -> None:
    block = BlockDetector(BlockRules()).check(status=status, url=url, body=body)
    assert block is not None and block.kind == kind


@pytest.mark.parametrize("name", sorted(p.name for p in REALDATA.iterdir() if p.suffix in (".html", ".js", ".json")))
def test_real_saved_marketplace_pages_are_no_blocks(name: str) -> None:
    """Real Taobao, JD, Xianyu, AliExpress and eBay answers (tests/fixtures/realdata): no false alarm."""
    body = (REALDATA / name).read_bytes()
    assert BlockDetector(BlockRules()).check(status=200, url=f"https://shop.example.cn/{name}", body=body) is None


def test_an_ordinary_page_is_no_block_and_profile_rules_add_to_the_defaults() -> None:
    page = "<title>耐克 运动鞋</title><a>短信验证码登录</a><li class=goods>NIKE</li>".encode()
    assert BlockDetector(BlockRules()).check(status=200, url="https://s.example.cn/s?q=x", body=page) is None
    own = BlockRules(status=(418,), url=(r"/sorry/",), title=("稍后再试",), text=('id="risk-mask"',))
    detector = BlockDetector(own)
    assert detector.check(status=418, url="https://a/", body=b"").where == "status"  # type: ignore[union-attr]
    assert detector.check(status=200, url="https://a/sorry/1", body=b"").kind == "rule"  # type: ignore[union-attr]
    assert detector.check(status=200, url="https://a/", body="<title>请稍后再试</title>".encode()) is not None
    assert detector.check(status=200, url="https://a/", body=b'<div id="risk-mask">') is not None
    bare = BlockDetector(BlockRules(defaults=False))
    assert bare.check(status=403, url="https://login.taobao.com/", body="<title>验证码</title>".encode()) is None


def test_blocked_rules_in_a_profile_are_checked_with_their_line() -> None:
    head = "platform: p\nbase_url: https://p.example/\nsearch: {url: 's?q={keyword}', items: li}\n"
    profile = parse_profile(head + "blocked:\n  status: [418]\n  url: ['/sorry']\n  stop_after: 2\n  backoff: 5\n")
    assert profile.blocked == BlockRules(status=(418,), url=("/sorry",), stop_after=2, backoff=5.0)
    for bad, message in (("  status: [99]", "blocked.status"), ("  url: ['(']", "blocked.url.0"),
                         ("  stop_after: 0", "blocked.stop_after"), ("  colour: red", "blocked.colour")):  # fmt: skip
        with pytest.raises(ProfileError, match=rf"<profile>:5: {message}"):
            parse_profile(head + "blocked:\n" + bad + "\n")


def test_a_blocked_run_has_its_own_status_and_exit_code() -> None:
    ledger = CrawlLedger()
    ledger.page_fetched("NIKE", 1, "u", 3)
    ledger.stored("NIKE", 1, 3)
    ledger.platform_blocked("p stopped after 3 blocks in a row")
    assert ledger.status("finished") == BLOCKED and ledger.status("shutdown") == "stopped"
    assert exit_code(BLOCKED) == 5 and status_of_exit(5) == BLOCKED
    again = CrawlLedger.from_dict(json.loads(json.dumps(ledger.to_dict("finished"))))
    assert again.status("finished") == BLOCKED and "blocked: p stopped after 3 blocks in a row" in again.loss_lines()


def test_sessions_read_netscape_and_playwright_files_and_refuse_stale_ones(tmp_path: Path) -> None:
    txt = tmp_path / "cookies.txt"
    txt.write_text("# Netscape HTTP Cookie File\n"
                   ".taobao.com\tTRUE\t/\tTRUE\t4102444800\tcookie2\tabcdef123\n"
                   "#HttpOnly_.taobao.com\tTRUE\t/\tFALSE\t0\t_tb_token_\tzyx987\n"
                   ".taobao.com\tTRUE\t/\tFALSE\t1000\told\tgone0000\n", encoding="utf-8")  # fmt: skip
    session = load_session("taobao", txt)
    assert sorted(c.name for c in session.cookies) == ["_tb_token_", "cookie2"]  # the expired one left out
    assert "abcdef123" not in repr(session) and sorted(session.secrets()) == ["abcdef123", "zyx987"]
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [{"name": "thw", "value": "cn-secret", "domain": ".jd.com", "path": "/",
                                              "expires": -1, "httpOnly": True, "secure": False, "sameSite": "Lax"}],
                                 "origins": [{"origin": "https://www.jd.com", "localStorage": [
                                     {"name": "k", "value": "local-secret"}]}]}))  # fmt: skip
    jd = load_session("jd", state)
    assert jd.playwright_cookies()[0]["httpOnly"] is True and jd.playwright_cookies()[0]["sameSite"] == "Lax"
    assert set(jd.secrets()) == {"cn-secret", "local-secret"}
    stale = tmp_path / "stale.txt"
    stale.write_text("# Netscape HTTP Cookie File\n.x.com\tTRUE\t/\tFALSE\t1000\ta\tb\n", encoding="utf-8")
    with pytest.raises(CrawlSetupError, match="has expired: log in again"):
        load_session("x", stale)
    with pytest.raises(CrawlSetupError, match="not a Netscape cookies.txt"):
        load_session("x", _write(tmp_path / "junk.txt", "hello\n"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_proxy_rotation_takes_turns_and_rests_a_failed_proxy(tmp_path: Path) -> None:
    listed = _write(tmp_path / "proxies.txt", "# ours\nhttp://10.0.0.1:3128\n10.0.0.2:3128  # no scheme: http\n")
    proxies = load_proxies([f"shop={listed}", "*=http://u:p@10.0.0.3:8080"])
    assert proxies == {"shop": ("http://10.0.0.1:3128", "http://10.0.0.2:3128"), "*": ("http://u:p@10.0.0.3:8080",)}
    now = [0.0]
    rotation = ProxyRotation(proxies["shop"] + ("http://10.0.0.4:1",), rest=10, clock=lambda: now[0])
    assert [rotation.next().number for _ in range(4)] == [1, 2, 3, 1]
    rotation.failed(rotation.by_number(2))  # type: ignore[arg-type]
    assert [rotation.next().number for _ in range(4)] == [3, 1, 3, 1]
    now[0] = 11
    assert 2 in [rotation.next().number for _ in range(3)]
    assert "u:p" not in ProxyRotation(proxies["*"], 1).next().label
    with pytest.raises(CrawlSetupError, match="crawler.proxies"):
        load_proxies(["shop=ftp://x"])


# -- crawls of the test marketplace ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def market() -> Iterator[GbkMarket]:
    server = GbkMarket(size=120)
    server.start()
    yield server
    server.stop()


def crawl(profile: str, market: GbkMarket, var: Path, keywords: list[str], evidence: bool = False,
          jobdir: str = "", **env: str) -> dict[str, Any]:  # fmt: skip
    """`netsword crawl` in a child with its own var/; its exit code, stdout, stderr and stats."""
    var.mkdir(parents=True, exist_ok=True)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    child_env.update(NETSWORD_PATHS_VAR_DIR=str(var), PYTHONPATH=str(REPO), **env)
    command = [sys.executable, "-c", "from netsword.cli import run; run()", "crawl", profile,
               "--base-url", f"{market.base_url}/gbk/", "--max-pages", "2", "--no-alerts",
               "--stats-json", str(var / "stats.json"), "--seen-listings", str(var / "listings.jsonl")]  # fmt: skip
    for keyword in keywords:
        command += ["--keyword", keyword]
    command += [] if evidence else ["--no-evidence"]
    command += ["--jobdir", jobdir] if jobdir else []
    proc = subprocess.run(command, env=child_env, cwd=var, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    stats = json.loads((var / "stats.json").read_text(encoding="utf-8")) if (var / "stats.json").exists() else {}
    seen = var / "listings.jsonl"
    lines = seen.read_text(encoding="utf-8").splitlines() if seen.exists() else []
    return {"code": proc.returncode, "out": proc.stdout, "log": proc.stderr, "stats": stats,
            "listings": [json.loads(line)["listing"] for line in lines if line.strip()]}  # fmt: skip


def test_a_captcha_stops_the_platform_marks_the_run_blocked_and_tells_the_operator(
    market: GbkMarket, tmp_path: Path
) -> None:
    market.captcha = True
    result = crawl(str(PROFILES / "gbk-shop-guarded.yaml"), market, tmp_path, keywords_for(market, 2),
                   NETSWORD_ALERTS_OPERATORS="ops@example.org", NETSWORD_SMTP_HOST="")  # fmt: skip
    stats = result["stats"]
    assert result["code"] == 5, result["log"][-3000:]
    assert (
        "crawl gbk-shop: blocked" in result["out"] and "lost: blocked: gbk-shop stopped after 2 blocks" in result["out"]
    )
    assert stats["netsword/blocked"] >= 2 and stats["netsword/blocked/slider"] >= 2
    assert stats["netsword/platforms_blocked"] == 1 and stats["netsword/operator_alerts"] == 1
    assert stats["crawl"]["status"] == "blocked"
    assert not result["listings"]  # a captcha page is never read as results
    send = subprocess.run([sys.executable, "-c", "from netsword.cli import run; run()", "alerts", "send"],  # noqa: S603
                          env={**{k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")},
                               "NETSWORD_PATHS_VAR_DIR": str(tmp_path), "PYTHONPATH": str(REPO)},
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert send.returncode == 0, send.stderr
    [message] = [email.message_from_bytes(p.read_bytes()) for p in (tmp_path / "outbox").glob("*.eml")]
    assert message["To"] == "ops@example.org" and "crawl blocked: gbk-shop" in message["Subject"]
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "slider" in body and "crawler.sessions" in body


def test_login_wall_without_a_session_and_the_session_kept_secret(market: GbkMarket, tmp_path: Path) -> None:
    keywords = keywords_for(market, 2)
    stale = _write(tmp_path / "stale-cookies.txt", "# Netscape HTTP Cookie File\n"
                   f"127.0.0.1\tFALSE\t/\tFALSE\t4102444800\t{SESSION_COOKIE}\tlogged-out-7c41e9\n")  # fmt: skip
    walled = crawl(str(PROFILES / "gbk-shop-member.yaml"), market, tmp_path / "no-session", keywords,
                   NETSWORD_CRAWLER_SESSIONS=f"gbk-shop={stale}", NETSWORD_ALERTS_OPERATORS="ops@example.org")  # fmt: skip
    assert walled["code"] == 5, walled["log"][-3000:]
    assert walled["stats"]["netsword/blocked/rule"] >= 2 and not walled["listings"]
    assert walled["stats"]["netsword/operator_alerts"] == 1
    # the operator's message (in the outbox) and everything else the crawl wrote hold no cookie value
    assert not files_holding(tmp_path / "no-session", b"logged-out-7c41e9")

    cookies = tmp_path / "secrets" / "gbk-shop-cookies.txt"
    cookies.parent.mkdir()
    cookies.write_text("# Netscape HTTP Cookie File\n"
                       f"127.0.0.1\tFALSE\t/\tFALSE\t4102444800\t{SESSION_COOKIE}\t{market.session_value}\n",
                       encoding="utf-8")  # fmt: skip
    var = tmp_path / "with-session"
    env = {"NETSWORD_CRAWLER_SESSIONS": f"gbk-shop={cookies}"}
    result = crawl(str(PROFILES / "gbk-shop-member.yaml"), market, var, keywords, evidence=True,
                   jobdir=str(var / "jobs" / "member"), **env)  # fmt: skip
    assert result["code"] in (0, 3), result["log"][-3000:]
    assert result["listings"] and not result["stats"].get("netsword/blocked")
    assert result["stats"]["netsword/leads_created"] > 0
    assert list((var / "evidence").rglob("*.warc.gz")) or list((var / "evidence").rglob("objects/*/*"))
    leaked = files_holding(var, market.session_value.encode())
    assert not leaked, leaked
    assert market.session_value not in result["log"] + result["out"]


def files_holding(root: Path, needle: bytes) -> list[str]:
    """Every file under `root` holding `needle`, looked for inside gzip (WARC records) and zip (WACZ) too."""
    return [str(p) for p in root.rglob("*") if p.is_file() and _holds(p.read_bytes(), needle)]


def _holds(data: bytes, needle: bytes, depth: int = 0) -> bool:
    import gzip
    import io
    import zipfile
    import zlib

    if needle in data:
        return True
    if depth > 2:
        return False
    if data[:2] == b"\x1f\x8b":
        try:
            return _holds(gzip.decompress(data), needle, depth + 1)
        except (OSError, EOFError, zlib.error):
            return _holds(_gzip_members(data), needle, depth + 1)  # a damaged tail: what could be read
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return any(_holds(archive.read(name), needle, depth + 1) for name in archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return False
    return False


def _gzip_members(data: bytes) -> bytes:
    import zlib

    out, rest = bytearray(), data
    while rest[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            out += inflater.decompress(rest)
        except zlib.error:
            break
        rest = inflater.unused_data
    return bytes(out)


def test_the_leak_search_looks_inside_warc_and_wacz_files(tmp_path: Path) -> None:
    import gzip
    import zipfile

    secret = b"session=7c41e9-secret"
    (tmp_path / "a.warc.gz").write_bytes(gzip.compress(b"WARC/1.1\r\n") + gzip.compress(b"Cookie: " + secret))
    with zipfile.ZipFile(tmp_path / "b.wacz", "w") as wacz:
        wacz.writestr("archive/data.warc.gz", gzip.compress(b"Set-Cookie: " + secret))
    (tmp_path / "c.warc.gz").write_bytes(gzip.compress(b"nothing here"))
    assert sorted(Path(p).name for p in files_holding(tmp_path, secret)) == ["a.warc.gz", "b.wacz"]


def test_a_login_wall_in_the_browser_is_a_block(market: GbkMarket, tmp_path: Path) -> None:
    """Chromium is refused the login page (another host): the refusal is recognised as the login wall it is."""
    result = crawl(str(PROFILES / "gbk-shop-member-browser.yaml"), market, tmp_path, keywords_for(market, 1))
    assert result["code"] == 5, result["log"][-3000:]
    assert result["stats"]["netsword/blocked/rule"] >= 2 and not result["listings"]


def test_a_storage_state_session_and_a_proxy_reach_the_browser(market: GbkMarket, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [{"name": SESSION_COOKIE, "value": market.session_value,
                                              "domain": "127.0.0.1", "path": "/", "expires": -1,
                                              "httpOnly": True, "secure": False, "sameSite": "Lax"}],
                                 "origins": []}), encoding="utf-8")  # fmt: skip
    var = tmp_path / "var"
    proxy = ForwardProxy()
    try:
        result = crawl(str(PROFILES / "gbk-shop-member-browser.yaml"), market, var, keywords_for(market, 1),
                       evidence=True, NETSWORD_CRAWLER_SESSIONS=f"gbk-shop={state}",
                       NETSWORD_CRAWLER_PROXIES=f"gbk-shop=http://127.0.0.1:{proxy.port}")  # fmt: skip
    finally:
        proxy.stop()
    assert result["code"] in (0, 3), result["log"][-3000:]
    assert result["listings"] and not result["stats"].get("netsword/blocked")
    assert any("/gbk/member?" in url for url in proxy.forwarded)  # Chromium's page came through the proxy
    assert market.session_value not in result["log"] + result["out"]
    assert list((var / "evidence" / "captures").glob("*.json"))  # the search below covers real evidence
    leaked = files_holding(var, market.session_value.encode())  # evidence (WARC, screenshots) included
    assert not leaked, leaked


class ForwardProxy:
    """A real HTTP forward proxy on 127.0.0.1 (absolute-form GET, as clients speak to proxies): it forwards each
    request to its host and counts what it forwarded."""

    def __init__(self) -> None:
        self.forwarded: list[str] = []
        self.port = 0
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._run, args=(started,), daemon=True).start()
        started.wait(10)

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        from urllib.parse import urlsplit

        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            parts = urlsplit(target)
            self.forwarded.append(target)
            headers = [h for h in head.decode("latin-1").split("\r\n")[1:] if h and not h.lower().startswith(
                ("proxy-", "connection"))]  # fmt: skip
            up_reader, up_writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            request = f"{method} {path} HTTP/1.0\r\n" + "\r\n".join(headers) + "\r\nConnection: close\r\n\r\n"
            up_writer.write(request.encode("latin-1"))
            await up_writer.drain()
            writer.write(await up_reader.read())
            up_writer.close()
            await writer.drain()
        finally:
            writer.close()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


def test_requests_go_through_the_platforms_proxies_a_dead_one_rested(market: GbkMarket, tmp_path: Path) -> None:
    """Also: `netsword crawl NAME` finds the profile NAME.yaml in crawler.profiles_dir."""
    mine = tmp_path / "profiles"
    mine.mkdir()
    (mine / "my-gbk-shop.yaml").write_text((PROFILES / "gbk-shop.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    proxy = ForwardProxy()
    try:
        listed = _write(
            tmp_path / "proxies.txt", f"http://127.0.0.1:9\nhttp://crawler:pr0xy-pw@127.0.0.1:{proxy.port}\n"
        )
        before = market.requests
        result = crawl("my-gbk-shop", market, tmp_path / "var", keywords_for(market, 2),
                       NETSWORD_CRAWLER_PROXIES=f"gbk-shop={listed}", NETSWORD_CRAWLER_PROXY_REST="300",
                       NETSWORD_CRAWLER_PROFILES_DIR=str(mine))  # fmt: skip
    finally:
        proxy.stop()
    stats = result["stats"]
    assert result["code"] in (0, 3), result["log"][-3000:]
    assert result["listings"]
    served = market.requests - before
    assert served > 5 and len(proxy.forwarded) == served  # every request the site saw came through the proxy
    assert stats["netsword/proxy/1/failures"] >= 1 and stats["netsword/proxy/2/requests"] >= served
    assert not any("other.example" in url for url in proxy.forwarded)  # the fetch policy still refuses offsite links
    assert stats["netsword/refused_urls"] > 0
    assert "pr0xy-pw" not in result["log"] + result["out"] + json.dumps(stats)  # port 9 is closed: proxy 1 failed


def test_a_daily_budget_is_shared_by_the_runs_of_a_day(market: GbkMarket, tmp_path: Path) -> None:
    env = {"NETSWORD_CRAWLER_DAILY_REQUESTS": "gbk-shop=6"}
    first = crawl(str(PROFILES / "gbk-shop.yaml"), market, tmp_path, keywords_for(market, 2), **env)
    assert first["code"] == 3, first["log"][-3000:]
    assert first["stats"]["netsword/budget_used"] == 6 and first["stats"]["netsword/budget_refused"] > 0
    assert "budget: " in first["out"] and "daily request budget of gbk-shop (6 requests) is spent" in first["out"]
    # what the next run of the day finds: the budget spent (kept in var/crawl_budget.db), in any process
    later = RequestBudget(tmp_path / "crawl_budget.db", "Asia/Shanghai")
    assert later.used("gbk-shop") == 6 and later.take("gbk-shop", 6) == 0 and later.take("other", 6) == 1
    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)
    assert later.take("gbk-shop", 6, now=tomorrow) == 1
    later.close()


def test_doctor_reports_sessions_and_proxies_without_their_secrets(tmp_path: Path) -> None:
    fresh = _write(tmp_path / "shop-cookies.txt", "# Netscape HTTP Cookie File\n"
                   ".shop.example\tTRUE\t/\tFALSE\t4102444800\tsid\tdoctor-secret-1\n")  # fmt: skip
    fresh.chmod(0o644)
    stale = _write(
        tmp_path / "old-cookies.txt", "# Netscape HTTP Cookie File\n.x.example\tTRUE\t/\tFALSE\t1000\ta\tb\n"
    )
    proxies = _write(tmp_path / "proxies.txt", "http://u:proxy-secret-2@10.0.0.2:3128\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(REPO),
               NETSWORD_CRAWLER_SESSIONS=f"shop={fresh},old={stale}", NETSWORD_CRAWLER_PROXIES=f"shop={proxies}")  # fmt: skip
    proc = subprocess.run([sys.executable, "-c", "from netsword.cli import run; run()", "doctor"],  # noqa: S603
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    out = proc.stdout
    assert f"ok   sessions shop: {fresh} (1 cookies; the first expires 2100-01-01)" in out
    assert "ERR  sessions crawler.sessions: old: every cookie in" in out and "log in again" in out
    assert f"WARN sessions {fresh}: mode 0644" in out and "ok   proxies  shop: 1 proxy" in out
    assert proc.returncode == 1 and "doctor-secret-1" not in out and "proxy-secret-2" not in out
