"""The `demo-static` platform: result pages, pagination, detail pages with JSON-LD, seller pages, hostile text."""

from __future__ import annotations

import json

import httpx
from parsel import Selector

from demo.server import DemoMarket


def crawl_search(client: httpx.Client, url: str) -> tuple[list[str], int]:
    """Follow `a.next` from the first page; returns every data-id seen (with repeats) and the page count."""
    seen: list[str] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = Selector(response.text)
        items = page.css("li.item")
        assert len(items) <= 20
        seen += [item.attrib["data-id"] for item in items]  # not ::attr: broken markup nests li elements
        pages += 1
        url = page.css("a.next::attr(href)").get()
        if url:
            assert len(items) == 20
    return seen, pages


def test_robots_and_private_page(client: httpx.Client):
    assert client.get("/robots.txt").text == "User-agent: *\nDisallow: /private/\n"
    assert client.get("/private/").status_code == 200


def test_search_result_shape(client: httpx.Client):
    page = Selector(client.get("/static/search", params={"q": "劳力士"}).text)
    items = page.css("li.item")
    assert items
    for item in items:
        listing_id = item.attrib["data-id"]
        assert item.css("a.title::attr(href)").get() == f"/static/item/{listing_id}"
        assert item.css("a.title::text").get()
        assert item.css("a.shop::attr(href)").re_first(r"^/static/seller/S\d{4}$")
        assert item.css("span.loc::text").get()
    assert any(p.startswith("¥") for p in items.css("span.price::text").getall())


def test_pagination_is_complete_with_repeats(client: httpx.Client, market: DemoMarket):
    seen, pages = crawl_search(client, "/static/search?q=")
    expected = {x.id for x in market.catalogue.by_platform["demo-static"]}
    assert set(seen) == expected
    assert len(seen) > len(expected)  # some results repeat across pages, as on real sites
    assert pages == -(-len(seen) // 20)
    assert "page=2" in Selector(client.get("/static/search?q=").text).css("a.next::attr(href)").get()


def test_search_semantics(client: httpx.Client, market: DemoMarket):
    def ids(query: str) -> set[str]:
        return set(crawl_search(client, "/static/search?" + httpx.QueryParams(q=query).__str__())[0])

    nike = ids("nike")
    assert nike == ids("NIKE") == ids("ＮＩＫＥ")  # case-insensitive, NFKC
    titles = {market.catalogue.by_id[i].title for i in nike}
    assert any("N I K E" in t or "N1KE" in t or "NІKЕ" in t or "奈克" in t or "naike" in t for t in titles)
    assert all(market.catalogue.by_id[i].platform == "demo-static" for i in nike)
    assert ids("no-such-goods-anywhere") == set()
    assert client.get("/static/search", params={"q": "x", "page": "0"}).status_code == 400


def test_detail_page_fields_and_json_ld(client: httpx.Client, market: DemoMarket):
    listing = next(x for x in market.catalogue.by_platform["demo-static"] if not x.defect and x.price)
    page = Selector(client.get(f"/static/item/{listing.id}").text)
    assert page.css("h1.title::text").get() == listing.title
    assert page.css("span.price::text").get() == f"¥{listing.price:.2f}"
    assert page.css("div.desc::text").get() == listing.description
    assert page.css("span.category::text").get() == listing.category
    assert page.css("a.shop::text").get() == listing.seller.name
    assert page.css("span.ships-from::text").get() == listing.ships_from
    assert page.css("img.main::attr(src)").get() == listing.image
    product = json.loads(page.css('script[type="application/ld+json"]::text').get())
    assert product["@type"] == "Product" and product["name"] == listing.title
    assert product["offers"]["price"] == f"{listing.price:.2f}" and product["offers"]["priceCurrency"] == "CNY"
    assert client.get("/static/item/no-such-item").status_code == 404


def test_seller_page_lists_its_items(client: httpx.Client, market: DemoMarket):
    listing = market.catalogue.by_platform["demo-static"][5]
    seen, _ = crawl_search(client, f"/static/seller/{listing.seller.id}")
    assert listing.id in seen
    assert all(market.catalogue.by_id[i].seller.id == listing.seller.id for i in seen)
    assert client.get("/static/seller/S9999").status_code == 404


def test_hostile_titles_are_escaped(client: httpx.Client, market: DemoMarket):
    hostile = [x for x in market.catalogue.by_platform["demo-static"] if x.defect == "hostile_text"]
    assert len(hostile) == 2
    results = client.get("/static/search?q=").text
    for listing in hostile:
        detail = client.get(f"/static/item/{listing.id}").text
        for html in (results, detail):
            assert "<script>alert" not in html and "<img src=x" not in html and "<iframe" not in html
        assert Selector(detail).css("h1.title::text").get() == listing.title  # escaped, so it reads back exactly
        product = json.loads(Selector(detail).css('script[type="application/ld+json"]::text').get())
        assert product["name"] == listing.title


def test_malformed_items_still_parse(client: httpx.Client, market: DemoMarket):
    static = market.catalogue.by_platform["demo-static"]
    broken = next(x for x in static if x.defect == "broken_markup")
    no_price = next(x for x in static if x.defect == "missing_price")
    for listing in (broken, no_price):
        page = Selector(client.get("/static/search", params={"q": listing.title}).text)
        item = page.css(f'li.item[data-id="{listing.id}"]')
        assert item.css("a.title::text").get() == listing.title
        assert item.css("a.shop::text").get() == listing.seller.name
    assert not Selector(client.get("/static/search", params={"q": no_price.title}).text).css(
        f'li.item[data-id="{no_price.id}"] span.price'
    )
    detail = client.get(f"/static/item/{broken.id}").text
    assert not detail.rstrip().endswith("</html>")
    assert Selector(detail).css("h1.title::text").get() == broken.title
