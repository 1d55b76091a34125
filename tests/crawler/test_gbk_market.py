"""`netsword crawl` on the test GBK marketplace (tests/crawler/gbk_market.py) with the profile written for it
(tests/crawler/profiles/gbk-shop.yaml): the GBK copy gives the same listings, leads and figures as the UTF-8 copy."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from gbk_market import GbkMarket, crawl_cli, intact_titles, keywords_for, leads_of  # noqa: E402

PROFILES = Path(__file__).parent / "profiles"


@pytest.fixture(scope="module")
def market() -> Iterator[GbkMarket]:
    server = GbkMarket(size=400)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def crawls(market: GbkMarket, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    keywords = keywords_for(market, 4)
    out = {}
    for copy in ("gbk", "utf8"):
        var = tmp_path_factory.mktemp(copy)
        stats = crawl_cli(str(PROFILES / "gbk-shop.yaml"), f"{market.base_url}/{copy}/", keywords, var, max_pages=2)
        out[copy] = {"stats": stats, "leads": leads_of(var)}
    return out


def test_gbk_copy_reads_exactly_like_the_utf8_copy(market: GbkMarket, crawls: dict[str, Any]) -> None:
    gbk, utf8 = crawls["gbk"]["stats"], crawls["utf8"]["stats"]
    assert gbk["listings"], gbk["log"][-2000:]

    def shape(listings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted((x["id"], x["title"], x.get("price"), x.get("sales"), x.get("description"), (x.get("seller") or {}).get("name"))
                      for x in listings)  # fmt: skip

    assert shape(gbk["listings"]) == shape(utf8["listings"])
    intact, total = intact_titles(market, gbk["listings"])
    assert total > 10 and intact == total
    assert not any("\ufffd" in str(x) for x in gbk["listings"])
    leads = {c: sorted((lead.listing_id, lead.entry_id) for lead in crawls[c]["leads"]) for c in ("gbk", "utf8")}
    assert leads["gbk"] and leads["gbk"] == leads["utf8"]


def test_split_prices_chinese_sales_and_json_ld_details(market: GbkMarket, crawls: dict[str, Any]) -> None:
    stats = crawls["gbk"]["stats"]
    by_id = {x["id"]: x for x in stats["listings"]}
    for listing_id, x in by_id.items():
        served = market.listings[listing_id]
        if served.price is not None:
            assert x["price"] == pytest.approx(served.price)  # ¥<em>188</em>.00
        assert x["sales"] == market.sales(listing_id)  # 1.2万+人付款, 10.0万+人付款
    followed = [x for i, x in by_id.items() if market.link_kind(i) == "item"]
    assert followed and stats["netsword/detail_pages"] == len(followed)  # ?spm=…&utm_source=… did not stop them
    for x in followed:  # from the detail page's JSON-LD
        served = market.listings[x["id"]]
        assert x["ships_from"] == served.ships_from and x["category"] == served.category
        assert x["stock"] == market.sales(x["id"]) // 10
        # the detail page names the seller; the search page's seller id and shop link are kept beside that name
        seller = served.seller
        assert x["seller"] == {"id": seller.id, "name": seller.name, "url": f"{market.base_url}/gbk/shop/{seller.id}"}


def test_failed_details_keep_the_search_result_and_refusals_are_counted(
    market: GbkMarket, crawls: dict[str, Any]
) -> None:
    stats = crawls["gbk"]["stats"]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for x in stats["listings"]:
        by_kind.setdefault(market.link_kind(x["id"]), []).append(x)
    assert by_kind.get("missing") and by_kind.get("private") and by_kind.get("offsite")
    for x in by_kind["missing"]:
        assert (x["detail"], x["detail_error"]) == ("failed", "HTTP 404") and x["title"] and x["price"] is not None
    for x in by_kind["private"]:
        assert x["detail"] == "failed" and "robots.txt" in x["detail_error"]
    assert stats["netsword/incomplete_listings"] == len(by_kind["missing"]) + len(by_kind["private"])
    assert stats["netsword/refused_urls"] == len(by_kind["offsite"])
    assert all("detail" not in x for x in by_kind["offsite"] + by_kind["item"])


def test_js_filled_gbk_titles_rendered_by_chromium(market: GbkMarket, tmp_path: Path) -> None:
    keywords = keywords_for(market, 2)
    stats = crawl_cli(str(PROFILES / "gbk-shop-browser.yaml"), f"{market.base_url}/gbk/", keywords, tmp_path)
    assert stats["listings"], stats["log"][-2000:]
    intact, total = intact_titles(market, stats["listings"])
    assert total and intact == total
    assert all(x["sales"] == market.sales(x["id"]) for x in stats["listings"])
