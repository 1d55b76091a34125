"""Licence numbers shown only in a parameter table or an image's alt text reach the regulated-goods checks in a
real crawl (issue 17/20 review): profile fields `params` (rows/key/value) and `image_alts` (every alt), carried on
the Listing's extra into matchers.regulated. A local shop on 127.0.0.1, `netsword crawl` on a profile file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from crawler.extract import listings_from
from crawler.profile_loader import ProfileError, parse_profile
from leads.store import LeadQuery
from leads.store.sqlite import SqliteLeadStore
from tests.crawler.local_site import serve

REPO = Path(__file__).resolve().parents[2]
PAGE = """<html><body><ul>
<li class="item" data-id="p1"><a class="title" href="/item/p1">吡虫啉 杀虫剂 稻飞虱 工厂直发</a>
  <table class="params"><tr><th>品牌</th><td>无</td></tr><tr><th>登记证号</th><td>LS20150123</td></tr></table></li>
<li class="item" data-id="p2"><a class="title" href="/item/p2">吡虫啉 杀虫剂 果树蚜虫</a>
  <img src="/a.jpg" alt="正面"><img src="/b.jpg" alt="登记证号：LS20150123"></li>
<li class="item" data-id="p3"><a class="title" href="/item/p3">纯棉T恤 包邮</a>
  <table class="params"><tr><th>材质</th><td>棉</td></tr></table><img src="/c.jpg" alt="T恤"></li>
</ul></body></html>"""
PROFILE = """version: 1
platform: paramshop
base_url: {base}
allow_private_addresses: true
search:
  url: "/search?q={{keyword}}"
  items: li.item
  fields:
    id: "::attr(data-id)"
    title: "a.title::text"
    url: {{css: "a.title::attr(href)", absolute: true}}
    image_alts: "img::attr(alt)"
    params: {{rows: "table.params tr", key: "th::text", value: "td::text"}}
"""


class Shop(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = PAGE.encode() if self.path.startswith("/search") else b"<html></html>"
        self.send_response(200 if self.path.startswith("/search") else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def shop() -> Iterator[str]:
    with serve(Shop) as url:
        yield url + '/'


def test_params_and_image_alts_are_read_into_the_listing() -> None:
    profile = parse_profile(PROFILE.format(base="http://127.0.0.1:1/"))
    by_id = {x.id: x for x in listings_from(profile, PAGE, "http://127.0.0.1:1/search?q=x")}
    assert by_id["p1"].extra["params"] == {"品牌": "无", "登记证号": "LS20150123"}
    assert by_id["p2"].extra["image_alts"] == ["正面", "登记证号：LS20150123"]
    assert "params" not in by_id["p2"].extra and by_id["p3"].extra["params"] == {"材质": "棉"}


def test_profile_checks_params() -> None:
    bad = PROFILE.replace('key: "th::text", ', "")
    with pytest.raises(ProfileError, match="params: needs both key and value"):
        parse_profile(bad.format(base="http://127.0.0.1:1/"), "shop.yaml")
    json_profile = parse_profile(
        "version: 1\nplatform: api\nbase_url: http://127.0.0.1:1/\nsearch:\n  url: '/s?q={keyword}'\n  format: json\n"
        "  items: data\n  fields:\n    id: id\n    title: name\n    params: attributes\n    image_alts: 'pics[].alt'\n"
    )
    body = ('{"data": [{"id": "j1", "name": "吡虫啉", "pics": [{"alt": "a"}, {"alt": "LS20150123"}],'
            ' "attributes": [{"name": "登记证号", "value": "LS20150123"}]}, {"id": "j2", "name": "x",'
            ' "attributes": {"批准文号": "国药准字Z53020798", "n": 3}}]}')  # fmt: skip
    j1, j2 = listings_from(json_profile, body, "http://127.0.0.1:1/s")
    assert j1.extra["params"] == {"登记证号": "LS20150123"} and j1.extra["image_alts"] == ["a", "LS20150123"]
    assert j2.extra["params"] == {"批准文号": "国药准字Z53020798", "n": "3"}


def test_a_crawl_finds_licence_numbers_only_in_parameter_tables_and_alt_text(shop: str, tmp_path: Path) -> None:
    profile = tmp_path / "paramshop.yaml"
    profile.write_text(PROFILE.format(base=shop), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    subprocess.run(
        [sys.executable, "-c", "from netsword.cli import run; run()", "crawl", str(profile), "--keyword", "杀虫剂",
         "--max-pages", "1", "--no-evidence", "--no-alerts"],
        cwd=tmp_path, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with SqliteLeadStore(tmp_path / "var" / "netsword.db") as store:
        leads = store.search(LeadQuery(limit=100))
    cited = {(lead.listing_id, lead.kind, lead.cited_number) for lead in leads if lead.entry_id.startswith("reg:")}
    assert ("p1", "licence_expired", "LS20150123") in cited
    assert ("p2", "licence_expired", "LS20150123") in cited
    assert not [c for c in cited if c[0] == "p3"]
