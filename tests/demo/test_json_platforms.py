"""The `demo-browser` data endpoints, the `demo-api` cursor API and the `demo-feed` exports."""

from __future__ import annotations

import csv
import io
import json

import httpx
from parsel import Selector

from demo.server import DemoMarket
from netsword.models import Listing, ListingError


def test_browser_shell_has_no_results_in_markup(client: httpx.Client):
    page = Selector(client.get("/browser/search", params={"q": "nike"}).text)
    assert page.css("#results").get() is not None and not page.css("#results .card")
    assert page.css("button#load-more").get() is not None
    assert page.css("script::attr(src)").get() == "/browser/app.js"
    script = client.get("/browser/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "/browser/_data" in script.text and "data-done" in script.text and ".innerHTML =" not in script.text


def test_browser_data_offsets_cover_everything(client: httpx.Client, market: DemoMarket):
    seen, offset = [], 0
    while offset is not None:
        data = client.get("/browser/_data", params={"q": "", "offset": offset, "limit": 20}).json()
        assert len(data["items"]) <= 20
        seen += [item["id"] for item in data["items"]]
        offset = data["next_offset"]
    assert set(seen) == {x.id for x in market.catalogue.by_platform["demo-browser"]}
    card = data["items"][0]
    assert set(card) >= {"id", "title", "price", "shop", "loc", "url"}
    assert client.get("/browser/_data", params={"offset": "-1"}).status_code == 400


def test_browser_item_data(client: httpx.Client, market: DemoMarket):
    listing = next(x for x in market.catalogue.by_platform["demo-browser"] if x.defect == "hostile_text")
    shell = client.get(f"/browser/item/{listing.id}")
    assert shell.status_code == 200 and listing.title not in shell.text
    item = client.get(f"/browser/_data/item/{listing.id}").json()
    assert item["title"] == listing.title  # raw in JSON: the page's JS inserts it as text
    assert {"desc", "category", "ships_from", "shop", "price"} <= set(item)


def test_api_cursor_pagination_is_complete(client: httpx.Client, market: DemoMarket):
    seen, cursor, calls = [], None, 0
    while True:
        params = {"q": "", "limit": 20} | ({"cursor": cursor} if cursor else {})
        data = client.get("/api/search", params=params).json()
        seen += [item["itemId"] for item in data["items"]]
        calls += 1
        cursor = data["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor.isascii()
    assert set(seen) == {x.id for x in market.catalogue.by_platform["demo-api"]}
    assert len(seen) > len(set(seen))  # repeats across pages
    assert client.get("/api/search", params={"q": "", "cursor": "garbage!"}).status_code == 400


def test_api_item_shape_and_search(client: httpx.Client, market: DemoMarket):
    items = client.get("/api/search", params={"q": "茅台"}).json()["items"]
    assert items
    first = items[0]
    assert set(first) == {"itemId", "title", "price", "seller", "area", "category", "itemUrl", "images"}
    assert set(first["seller"]) == {"sellerId", "nick"}
    assert first["itemUrl"] == f"/api/item/{first['itemId']}"
    priced = next(i for i in items if i["price"])
    assert priced["price"]["currency"] == "CNY" and float(priced["price"]["value"]) > 0
    detail = client.get(first["itemUrl"]).json()
    assert detail["desc"] == market.catalogue.by_id[first["itemId"]].description
    hostile = next(x for x in market.catalogue.by_platform["demo-api"] if x.defect == "hostile_text")
    assert client.get(f"/api/item/{hostile.id}").json()["title"] == hostile.title
    assert client.get("/api/item/st100000").status_code == 404  # a demo-static id is not on this platform


def test_feed_jsonl_is_listing_format_with_one_broken_line(client: httpx.Client, market: DemoMarket):
    lines = client.get("/feed/listings.jsonl").text.splitlines()
    good, bad = [], 0
    for line in lines:
        try:
            good.append(Listing.from_dict(json.loads(line)))
        except (ValueError, ListingError):
            bad += 1
    assert bad == 1
    assert {x.id for x in good} == {x.id for x in market.catalogue.by_platform["demo-feed"]}
    assert all(x.platform == "demo-feed" and x.url.startswith(market.url) for x in good)
    assert any(x.price is None for x in good) and any(x.seller and x.seller.name for x in good)


def test_feed_csv_columns(client: httpx.Client, market: DemoMarket):
    rows = list(csv.DictReader(io.StringIO(client.get("/feed/listings.csv").text)))
    assert list(rows[0]) == ["id", "title", "price", "currency", "seller_id", "seller_name", "category", "location",
                             "ships_from", "url", "description"]  # fmt: skip
    assert len(rows) == len(market.catalogue.by_platform["demo-feed"])
    hostile = next(x for x in market.catalogue.by_platform["demo-feed"] if x.defect == "hostile_text")
    assert next(r for r in rows if r["id"] == hostile.id)["title"] == hostile.title


def test_ground_truth_endpoint(client: httpx.Client, market: DemoMarket):
    rows = client.get("/ground_truth.json").json()
    assert len(rows) == len(market.catalogue.listings) >= 2000
    assert set(rows[0]) >= {"platform", "listing_id", "entry_ids", "kind", "label", "disguise"}
