"""Takedowns and price changes, 429 with Retry-After, 5xx once per URL, slow answers, and the request log."""

from __future__ import annotations

import time

import httpx
from parsel import Selector

from demo.server import DemoMarket


def test_takedown_answers_removed_everywhere(client: httpx.Client, market: DemoMarket):
    static = market.catalogue.by_platform["demo-static"][10]
    api = market.catalogue.by_platform["demo-api"][10]
    browser = market.catalogue.by_platform["demo-browser"][10]
    feed = market.catalogue.by_platform["demo-feed"][10]
    for listing in (static, api, browser, feed):
        assert client.post(f"/admin/takedown/{listing.platform}/{listing.id}").json()["ok"] is True
    removed = client.get(f"/static/item/{static.id}")
    assert removed.status_code == 404 and "商品已下架" in removed.text
    assert client.get(f"/browser/item/{browser.id}").status_code == 404
    api_answer = client.get(f"/api/item/{api.id}")
    assert api_answer.status_code == 404 and api_answer.json()["message"] == "商品已下架"
    assert static.id not in client.get("/static/search", params={"q": static.title}).text
    assert feed.id not in client.get("/feed/listings.jsonl").text
    client.post("/admin/reset")
    assert client.get(f"/static/item/{static.id}").status_code == 200
    assert feed.id in client.get("/feed/listings.jsonl").text


def test_price_change_and_bad_requests(client: httpx.Client, market: DemoMarket):
    static = next(x for x in market.catalogue.by_platform["demo-static"] if not x.defect)
    api = next(x for x in market.catalogue.by_platform["demo-api"] if not x.defect)
    assert client.post(f"/admin/price/demo-static/{static.id}", params={"price": "12.5"}).status_code == 200
    client.post(f"/admin/price/demo-api/{api.id}", params={"price": "99"}).raise_for_status()
    page = Selector(client.get(f"/static/item/{static.id}").text)
    assert page.css("span.price::text").get() == "¥12.50"
    assert '"price": "12.50"' in page.css('script[type="application/ld+json"]::text').get()
    assert client.get(f"/api/item/{api.id}").json()["price"]["value"] == "99.00"
    assert client.post(f"/admin/price/demo-static/{static.id}", params={"price": "abc"}).status_code == 400
    assert client.post(f"/admin/price/demo-static/{static.id}", params={"price": "-1"}).status_code == 400
    assert client.post(f"/admin/takedown/demo-nowhere/{static.id}").status_code == 404
    assert client.post(f"/admin/takedown/demo-api/{static.id}").status_code == 404


def test_request_log_shows_what_was_fetched(client: httpx.Client):
    client.get("/robots.txt")
    hits = client.get("/admin/hits").json()
    assert hits["/robots.txt"] == 1 and not any(path.startswith("/private/") for path in hits)


def test_rate_limit_answers_429_with_retry_after():
    with DemoMarket(rate_limit=5, burst=5, fault_rate=0, slow_rate=0) as market, httpx.Client(base_url=market.url) as c:
        statuses = [c.get("/static/search", params={"q": "nike"}) for _ in range(15)]
        limited = [r for r in statuses if r.status_code == 429]
        assert limited and statuses[0].status_code == 200
        assert limited[0].headers["Retry-After"] == "1"
        assert c.get("/ground_truth.json").status_code == 200  # the control plane is never limited
        time.sleep(1.1)
        assert c.get("/static/search", params={"q": "nike"}).status_code == 200


def test_faulty_urls_fail_once_then_succeed():
    with DemoMarket(rate_limit=None, fault_rate=1.0, slow_rate=0) as market, httpx.Client(base_url=market.url) as c:
        for path in ("/static/search?q=nike", "/api/search?q=nike", "/browser/_data?q=nike", "/feed/listings.csv"):
            first, second = c.get(path), c.get(path)
            assert first.status_code in (500, 502, 503) and second.status_code == 200, path
        assert c.get("/robots.txt").status_code == 200
    with (
        DemoMarket(rate_limit=None, fault_rate=0.3, slow_rate=0, seed=5) as market,
        httpx.Client(base_url=market.url) as c,
    ):
        failed = {p for p in (f"/static/search?q=&page={n}" for n in range(1, 31)) if c.get(p).status_code >= 500}
        assert 0 < len(failed) < 30  # a share of URLs, deterministic from the seed


def test_slow_urls_take_their_time():
    with DemoMarket(rate_limit=None, fault_rate=0, slow_rate=1.0, slow_seconds=0.3) as market:
        start = time.monotonic()
        assert httpx.get(market.url + "/api/search?q=nike").status_code == 200
        assert time.monotonic() - start >= 0.3
