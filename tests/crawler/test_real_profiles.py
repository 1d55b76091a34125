"""The example profiles for real platforms read real saved pages and API responses (tests/fixtures/realdata)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.embedded import extract_embedded
from crawler.extract import listings_from, parse_page
from crawler.profile_loader import load_profile

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"


def _read(name: str) -> str:
    return (REAL / name).read_text(encoding="utf-8")


def _unwrapped(name: str, variable: str) -> str:
    """The JSON inside a JS wrapper, as the platform's API would send it."""
    import json

    return json.dumps(extract_embedded(_read(name), variable), ensure_ascii=False)


CASES = [
    # profile, body, page url, count, (id, title fragment, price, currency, seller) of the first item
    ("taobao-search", lambda: _read("taobao_g_page_config_xxx.js"), "https://s.taobao.com/search?q=x", 36,
     ("10609596736", "黑芝麻核桃粉", 52.9, "CNY", "老金磨方旗舰店")),
    ("taobao-search", lambda: "var g_page_config = " + _read("taobao_search_mainsrp_a.js") + ";",
     "https://s.taobao.com/search?q=x", 48, ("35613606503", "汽车 头枕护颈枕", 25.8, "CNY", "诚饰旗舰店")),
    ("xianyu-search", lambda: _unwrapped("xianyu_search_data1.js", "window.data"), "https://h5api.m.goofish.com/x",
     30, ("845090278669", "乒乓球拍", 38.0, "CNY", "满眼都是你")),
    ("jd-search", lambda: _read("jd_search_page_doc_list3.html"), "https://search.jd.com/Search?keyword=x", 5,
     ("15611327638", "海藻面膜", 109.0, "CNY", "纯禾雅专护肤品营店")),
    ("ebay-browse", lambda: _read("ebay_browse_search_iphone_best_match_100.json"),
     "https://api.ebay.com/buy/browse/v1/item_summary/search?q=iphone&limit=100&offset=0", 100,
     ("v1|334691749565|543843548440", "iPhone SE", 189.99, "USD", "cocosprinkles")),
    ("aliexpress-search", lambda: _unwrapped("searchSneakers.js", "data"),
     "https://www.aliexpress.com/w/wholesale-x.html", 60,
     ("3256807259722145", "Running Shoes", 2.22, "USD", "Heartthrob Square Store")),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "url", "count", "first"), CASES, ids=[c[0] + str(c[3]) for c in CASES])
def test_real_page_parses_into_listings(name, body, url, count, first) -> None:
    profile = load_profile(name)
    parsed = parse_page(profile, body(), url)
    assert parsed.errors == []
    listings = listings_from(profile, body(), url)
    assert len(listings) == count
    assert len({listing.id for listing in listings}) >= count - 1  # Taobao repeats one sponsored (p4p) item
    head = listings[0]
    listing_id, fragment, price, currency, seller = first
    assert head.id == listing_id
    assert fragment in head.title
    assert "<" not in head.title  # highlight markup (<span class=H>) is stripped
    assert head.price == pytest.approx(price)
    assert head.currency == currency
    assert head.seller_name == seller
    assert head.url.startswith("https://")
    assert all(listing.title and listing.platform == profile.platform for listing in listings)
    priced = [listing for listing in listings if listing.price is not None]
    assert len(priced) >= count * 0.9


def test_taobao_offset_images_and_sales() -> None:
    profile = load_profile("taobao-search")
    listing = listings_from(profile, _read("taobao_g_page_config_xxx.js"), "https://s.taobao.com/search?q=x")[0]
    assert listing.sales == 7261  # "7261人付款"
    assert listing.images[0].startswith("https://g-search1.alicdn.com/")  # protocol-relative made absolute
    assert listing.location == "浙江 杭州"


def test_ebay_next_link_is_followed_only_on_the_search_path() -> None:
    profile = load_profile("ebay-browse")
    parsed = parse_page(profile, _read("ebay_browse_search_iphone_best_match_100.json"), CASES[4][2])
    assert parsed.next == "https://api.ebay.com/buy/browse/v1/item_summary/search?q=iphone&limit=100&offset=100"
    hostile = _read("ebay_browse_search_iphone_best_match_100.json").replace(
        '"next": "https://api.ebay.com/buy/browse/v1/item_summary/search', '"next": "https://evil.example/search', 1
    )
    assert parse_page(profile, hostile, CASES[4][2]).next == ""


def test_jsonp_and_script_embedded_json() -> None:
    assert extract_embedded('setMdskip({"a": [1, 2]});', "jsonp") == {"a": [1, 2]}
    page = '<script>window.data = {"x": "};"};\nvar other = 1;</script>'
    assert extract_embedded(page, "window.data") == {"x": "};"}
    assert extract_embedded("export const data = [1];", "data") == [1]


def test_aliexpress_item_search_api() -> None:
    """A third-party AliExpress data API's item_search answer: 20 listings, no sellers, prices in USD."""
    profile = load_profile("aliexpress-item-search")
    body = _read("aliexpress_item_search_iphone.json")
    url = "https://aliexpress-datahub.p.rapidapi.com/item_search?q=iphone&page=1&locale=en_US&currency=USD"
    assert parse_page(profile, body, url).errors == []
    listings = listings_from(profile, body, url)
    assert len(listings) == 20 and len({listing.id for listing in listings}) == 20
    head = listings[0]
    assert head.id == "1005004802418706"  # a JSON number, kept exactly as text
    assert head.title.startswith("Original Apple iPhone 12 Pro")
    assert (head.price, head.currency, head.sales) == (pytest.approx(798.89), "USD", 0)
    assert head.url == "https://www.aliexpress.com/item/1005004802418706.html"
    assert head.images == ("https://ae01.alicdn.com/kf/A11d76c3e77f045f3989c8d15d3e1d711W.jpg",)  # was //ae01…
    assert head.platform == "aliexpress" and head.seller is None
    assert listings[2].price == pytest.approx(41.07) and listings[2].sales == 666
    assert all(listing.price and listing.currency == "USD" for listing in listings)
    assert profile.headers["X-RapidAPI-Key"] == "${RAPIDAPI_KEY}"  # the key comes from the environment at crawl time
