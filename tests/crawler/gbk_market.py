"""A test marketplace in the shape of older Chinese shops, served twice by one server: GBK under /gbk/, UTF-8 under
/utf8/ (same listings, same markup), so a crawl of each can be compared in the same run.

What it exercises: GBK declared by `<meta http-equiv>` only (search pages) or by the Content-Type header only
(detail pages); search terms highlighted inside titles (`NIKE <em>耐克</em>`); prices split across elements
(`¥<em>54</em>.00`); sales as `1.2万+人付款`; detail links carrying tracking parameters (`?spm=…&utm_source=…`);
detail pages whose data is schema.org JSON-LD; detail pages that answer 404, that robots.txt forbids (it forbids the
login pages too), and listing
links to another host (refused); titles filled in by JavaScript (`/P/render?q=…`, for a `render: browser` profile);
a members-only search (`/P/member?q=…`) that redirects to a login wall on another host name
(`http://localhost:PORT/P/passport/login`, titled 用户登录) unless
the request carries the session cookie `SESSION_COOKIE=market.session_value`; a guarded search (`/P/guarded?q=…`)
that answers with an Alibaba-style slider captcha page (`nc_1_n1z`, titled 安全验证) while `market.captcha` is on;
the detail pages of the listings in `market.walled` redirect to the login page on the same host, as a members-only
product page does.
`market.requests` counts every request served.

The listings are the demo marketplace's `demo-static` listings (demo.catalogue, with its ground truth), renamed to
the platform `gbk-shop`. `GbkMarket(size=…).start()` serves on 127.0.0.1 on a free port and returns the base URL.
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from demo.catalogue import build_catalogue

PLATFORM = "gbk-shop"
SOURCE = "demo-static"
PER_PAGE = 10
SESSION_COOKIE = "_nsid"


def _gbk_json(value: Any) -> str:
    """JSON for a GBK page: characters GBK lacks (emoji, rare CJK) as \\u escapes, as such sites write them."""
    out = []
    for char in json.dumps(value, ensure_ascii=False):
        try:
            char.encode("gbk")
            out.append(char)
        except UnicodeEncodeError:
            out.append(json.dumps(char))  # "\ud83d\ude00" with quotes
            out[-1] = out[-1][1:-1]
    return "".join(out).replace("</", "<\\/")


def sales_text(count: int) -> str:
    return f"{count / 10000:.1f}万+人付款" if count >= 10000 else f"{count}人付款"


class GbkMarket:
    def __init__(self, seed: int = 11, size: int = 400) -> None:
        catalogue = build_catalogue(seed, size)
        self.catalogue = catalogue
        self.listings = {listing.id: listing for listing in catalogue.by_platform[SOURCE]}
        self.order = list(self.listings)
        self.server: ThreadingHTTPServer | None = None
        self.base_url = ""
        self.session_value = "s3cr3t-" + "9f2c71ab04d6e85f"  # what a logged-in browser would hold
        self.captcha = True
        self.walled: set[str] = set()  # listing ids whose detail page redirects to the login page (same host)
        self.requests = 0
        self.paths: list[str] = []  # the path of every request served, in order
        self.lock = threading.Lock()

    # What each listing is, by its position: decided here so tests can name their expectations.
    def sales(self, listing_id: str) -> int:
        n = self.order.index(listing_id)
        return [7, 830, 12000, 25000, 100000][n % 5]

    def link_kind(self, listing_id: str) -> str:
        n = self.order.index(listing_id)
        return {3: "missing", 5: "private", 7: "offsite"}.get(n % 11, "item")

    def ground_truth(self) -> list[dict[str, Any]]:
        rows = [listing.truth() for listing in self.listings.values()]
        return [{**row, "platform": PLATFORM} for row in rows]

    def start(self) -> str:
        market = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                market.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # -- pages ---------------------------------------------------------------------------------------------------
    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        with self.lock:
            self.requests += 1
            self.paths.append(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        segments = parts.path.strip("/").split("/")
        if parts.path == "/robots.txt":
            rules = "".join(f"Disallow: /{p}/{d}/\n" for p in ("gbk", "utf8") for d in ("private", "passport"))
            return self._send(request, 200, f"User-agent: *\n{rules}".encode(), "text/plain")
        encoding = {"gbk": "gbk", "utf8": "utf-8"}.get(segments[0])
        if encoding is None or len(segments) < 2:
            return self._send(request, 404, b"not found", "text/plain")
        prefix = f"/{segments[0]}"
        if segments[1] == "member" and f"{SESSION_COOKIE}={self.session_value}" not in request.headers.get(
            "Cookie", ""
        ):
            back = quote(request.path, safe="")  # the login page is on another host, as login.taobao.com is
            login = f"http://localhost:{self.server.server_address[1]}{prefix}/passport/login?return={back}"  # type: ignore[union-attr]
            return self._send(request, 302, b"", "text/html", location=login)
        if segments[1] == "passport":
            page = ('<html><head><meta charset="utf-8"><title>用户登录 - 请登录</title></head><body><form action="login">'
                    '<input name="user"><input name="password" type="password"></form></body></html>')  # fmt: skip
            return self._send(request, 200, page.encode("utf-8"), "text/html; charset=utf-8")
        if segments[1] == "guarded" and self.captcha:
            page = ('<html><head><meta charset="utf-8"><title>安全验证</title></head><body><div id="nc_1_wrapper">'
                    '<span id="nc_1_n1z" class="nc_iconfont btn_slide">&gt;&gt;</span>请按住滑块，拖动到最右边</div>'
                    '</body></html>')  # fmt: skip
            return self._send(request, 200, page.encode("utf-8"), "text/html; charset=utf-8")
        if segments[1] in ("search", "render", "member", "guarded"):
            page = int(query.get("page", "1") or 1)
            text = self.search_page(prefix, query.get("q", ""), page, render=segments[1] == "render", path=segments[1])
            # search pages: the encoding is declared only in the page (<meta http-equiv>)
            return self._send(request, 200, self._encode(text, encoding), "text/html")
        if segments[1] in ("item", "private") and segments[-1] in self.listings:
            listing_id = segments[-1]
            if listing_id in self.walled:
                back = quote(request.path, safe="")
                return self._send(request, 302, b"", "text/html", location=f"{prefix}/passport/login?return={back}")
            if self.link_kind(listing_id) == "missing":
                return self._send(request, 404, self._encode("<h1>商品不存在</h1>", encoding), "text/html")
            body = self._encode(self.detail_page(listing_id, gbk=encoding == "gbk"), encoding)
            # detail pages: only the Content-Type header says the encoding
            return self._send(request, 200, body, f"text/html; charset={encoding.upper()}")
        return self._send(request, 404, b"not found", "text/plain")

    @staticmethod
    def _encode(text: str, encoding: str) -> bytes:
        return text.encode(encoding, errors="xmlcharrefreplace")  # what GBK sites do with characters GBK lacks

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str, location: str = "") -> None:
        request.send_response(status)
        if location:
            request.send_header("Location", location)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def search_page(self, prefix: str, keyword: str, page: int, *, render: bool, path: str = "search") -> str:
        charset = "gbk" if prefix == "/gbk" else "utf-8"
        found = list(self.catalogue.search(SOURCE, keyword)) if keyword else list(self.order)
        chunk = found[(page - 1) * PER_PAGE : page * PER_PAGE]
        items = "\n".join(self._result(prefix, self.listings[i], keyword, n, render) for n, i in enumerate(chunk))
        more = len(found) > page * PER_PAGE
        next_link = f'<a class="next" href="{prefix}/{path}?q={quote(keyword)}&amp;page={page + 1}">下一页</a>'
        return (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f'<title>搜索 {html.escape(keyword)}</title></head><body><ul class="goods-list">\n{items}\n</ul>'
            f"{next_link if more else ''}</body></html>"
        )

    def _result(self, prefix: str, listing: Any, keyword: str, n: int, render: bool) -> str:
        kind = self.link_kind(listing.id)
        path = {"private": f"{prefix}/private/item/{listing.id}", "offsite": f"http://other.example/item/{listing.id}"}
        url = path.get(kind, f"{prefix}/item/{listing.id}")
        url += f"?spm=a21bo.2017.201867-main.{n}&scm=1007.{n}&utm_source=search"
        if render:  # the title arrives by JavaScript, as a JSON string in the page's own encoding
            title = f'<span class="t"></span><script>document.currentScript.previousElementSibling.textContent = {_gbk_json(listing.title) if prefix == "/gbk" else json.dumps(listing.title, ensure_ascii=False)};</script>'
        else:
            title = self._highlight(listing.title, keyword)
        price = ""
        if listing.price is not None:
            whole, cents = f"{listing.price:.2f}".split(".")
            price = f'<span class="price">¥<em>{whole}</em>.{cents}</span>'
        return (
            f'<li class="goods" data-nid="{listing.id}"><a class="title" href="{html.escape(url)}">{title}</a>'
            f'{price}<span class="deal">{sales_text(self.sales(listing.id))}</span>'
            f'<a class="shop" href="{prefix}/shop/{listing.seller.id}">{html.escape(listing.seller.name)}</a>'
            f'<span class="loc">{html.escape(listing.location)}</span></li>'
        )

    @staticmethod
    def _highlight(title: str, keyword: str) -> str:
        at = title.casefold().find(keyword.casefold()) if keyword else -1
        if at < 0:
            return html.escape(title)
        end = at + len(keyword)
        return f"{html.escape(title[:at])}<em>{html.escape(title[at:end])}</em>{html.escape(title[end:])}"

    def detail_page(self, listing_id: str, *, gbk: bool) -> str:
        listing = self.listings[listing_id]
        data = {
            "@context": "https://schema.org",
            "@type": "Product",
            "sku": listing.id,
            "name": listing.title,
            "description": listing.description,
            "category": listing.category,
            "brand": {"@type": "Brand", "name": listing.category},
            "offers": {
                "@type": "Offer",
                "price": f"{listing.price:.2f}" if listing.price is not None else None,
                "priceCurrency": listing.currency,
                "seller": {"@type": "Organization", "name": listing.seller.name},
                "availableAtOrFrom": {"@type": "Place", "name": listing.ships_from},
            },
        }
        script = _gbk_json(data) if gbk else json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        return (
            f'<html><head><title>{html.escape(listing.title)}</title><script type="application/ld+json">{script}'
            f"</script></head><body><h1>{html.escape(listing.title)}</h1>"
            f'<div class="stock">库存 {self.sales(listing_id) // 10}件</div></body></html>'
        )


# -- crawling it with `netsword crawl` and scoring the result (the tests and benchmarks/gbk_site.py) ----------------
def crawl_cli(profile: str, base_url: str, keywords: list[str], var_dir: Any, *, max_pages: int = 3,
              evidence: bool = False, exit_codes: tuple[int, ...] = (0,), env: dict[str, str] | None = None,
              ) -> dict[str, Any]:  # fmt: skip
    """`netsword crawl PROFILE --base-url …` in a child process with its own var/ (and `env`); returns its stats, with
    the listings it handled under "listings", the child's log under "log", its stdout under "out" and its exit status
    under "code" (one not in `exit_codes` raises)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    var = Path(var_dir)
    var.mkdir(parents=True, exist_ok=True)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    child_env.update(
        NETSWORD_PATHS_VAR_DIR=str(var), PYTHONPATH=str(Path(__file__).resolve().parents[2]), **(env or {})
    )
    command = [sys.executable, "-c", "from netsword.cli import run; run()", "crawl", profile, "--base-url", base_url,
               "--max-pages", str(max_pages), "--no-alerts", "--stats-json", str(var / "stats.json"),
               "--seen-listings", str(var / "listings.jsonl")]  # fmt: skip
    command += [] if evidence else ["--no-evidence"]
    for keyword in keywords:
        command += ["--keyword", keyword]
    proc = subprocess.run(command, env=child_env, cwd=var, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    if proc.returncode not in exit_codes:
        raise RuntimeError(f"netsword crawl failed ({proc.returncode}): {proc.stderr[-3000:]}")
    stats = json.loads((var / "stats.json").read_text(encoding="utf-8"))
    lines = (var / "listings.jsonl").read_text(encoding="utf-8").splitlines()
    stats["listings"] = [json.loads(line)["listing"] for line in lines if line.strip()]
    stats["log"], stats["out"], stats["code"] = proc.stderr, proc.stdout, proc.returncode
    return stats


def leads_of(var_dir: Any) -> list[Any]:
    """The leads a crawl with NETSWORD_PATHS_VAR_DIR=var_dir stored."""
    from leads.store import open_store_from_config
    from leads.store.base import LeadQuery
    from netsword.config import load_config

    cfg = load_config(None, {"NETSWORD_PATHS_VAR_DIR": str(var_dir)})
    with open_store_from_config(cfg) as store:
        return list(store.iter_leads(LeadQuery(platform=(PLATFORM,))))


def keywords_for(market: GbkMarket, limit: int = 6) -> list[str]:
    """The watchlist marks the marketplace's infringing listings use, as `netsword demo` picks them."""
    from netsword.cli.demo_cmd import demo_keywords
    from netsword.config import load_config
    from watchlists.configured import load_configured

    watchlist = load_configured(None, load_config(None, {}))
    return demo_keywords(watchlist, market.ground_truth(), limit)


def intact_titles(market: GbkMarket, listings: list[dict[str, Any]]) -> tuple[int, int]:
    """(intact, total) over the crawled listings whose real title has Chinese characters: crawled == served."""
    import re

    from crawler.fields import clean_text

    cjk = re.compile(r"[\u3400-\u9fff]")
    pairs = [(x, market.listings[str(x["id"])].title) for x in listings if str(x.get("id")) in market.listings]
    chinese = [(x, title) for x, title in pairs if cjk.search(title)]
    return sum(1 for x, title in chinese if x.get("title") == clean_text(title, limit=1000)), len(chinese)
