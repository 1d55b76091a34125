"""Detail pages read in the crawl's lead process (crawler.pipelines.leads, crawler.lead_outcomes): the crawl's core
only fetches them, and nothing a user sees changes.

- a crawl whose lead process reads the detail pages stores, keeps and exports (`--seen-listings`) exactly the listings
  a crawl reading them in the spider does, field by field, and counts and warns about their empty fields the same;
- a detail page that cannot be read leaves its search result as it was, stored, with the error reported;
- a profile whose detail rules read the listing's id keeps its detail pages in the spider (the id decides duplicates).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import PageBody
from crawler.lead_outcomes import store_listings
from crawler.profile_loader import load_profile
from leads.sink import LeadSink
from leads.store import open_store
from leads.store.listings import ListingQuery

pytestmark = pytest.mark.timeout(300)
PROFILES = Path(__file__).resolve().parents[2] / "crawler" / "profiles"


def _kept(var_dir: Path) -> dict[str, dict[str, Any]]:
    with open_store(f"sqlite:///{var_dir / 'netsword.db'}") as store:
        return {kept.listing_id: _without_times(kept.listing) for kept in store.iter_listings(ListingQuery())}


def _without_times(listing: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(listing).items() if k != "crawled_at"}


def test_the_lead_process_reads_detail_pages_as_the_spider_would(
    quiet_market: Any, tmp_path: Path, crawl: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # demo-static with one detail rule that finds nothing on any page: its empty-field count and warning must come
    # back from wherever the page was read
    profile = tmp_path / "demo-static-stock.yaml"
    text = (PROFILES / "demo-static.yaml").read_text(encoding="utf-8")
    profile.write_text(text.replace('    ships_from: "span.ships-from::text"\n',
                                    '    ships_from: "span.ships-from::text"\n    stock: "span.no-such-thing::text"\n'),
                       encoding="utf-8")  # fmt: skip
    assert "no-such-thing" in profile.read_text(encoding="utf-8")
    results, feeds = {}, {}
    for mode, extra in (("apart", {}), ("spider", {"NETSWORD_LEAD_PROCESS": False})):
        var_dir = tmp_path / mode
        var_dir.mkdir()
        feeds[mode] = var_dir / "seen.jsonl"
        settings = {"NETSWORD_LEAD_BATCH": 5, **extra,
                    "FEEDS": {str(feeds[mode]): {"format": "jsonlines", "fields": ["profile", "listing"]}}}  # fmt: skip
        results[mode] = crawl(var_dir, str(profile), quiet_market.url, keywords=["耐克", "劳力士"], max_pages=2,
                              evidence=False, extra=settings)  # fmt: skip
    apart, spider = results["apart"], results["spider"]

    details = apart["netsword/detail_pages"]
    assert details > 5 and details == spider["netsword/detail_pages"]
    assert apart["netsword/detail_pages_read_apart"] == details  # every one read in the lead process
    assert "netsword/detail_pages_read_apart" not in spider  # and none when the spider reads them

    kept = _kept(tmp_path / "apart")
    assert kept == _kept(tmp_path / "spider")
    assert sum(1 for listing in kept.values() if listing.get("description")) >= details // 2  # detail-only fields

    def exported(path: Path) -> dict[str, dict[str, Any]]:
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return {str(line["listing"]["id"]): _without_times(line["listing"]) for line in lines}

    assert exported(feeds["apart"]) == exported(feeds["spider"])
    assert all("category" in listing for listing in exported(feeds["apart"]).values())

    def empty_counts(stats: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in stats.items() if k.startswith("netsword/empty_field/")}

    assert empty_counts(apart) == empty_counts(spider)
    assert apart["netsword/empty_field/stock"] == details
    assert apart.get("netsword/malformed_items", 0) == spider.get("netsword/malformed_items", 0)
    assert apart["crawl"]["totals"] == spider["crawl"]["totals"] and apart["crawl"]["status"] == "complete"


def test_an_unreadable_detail_page_keeps_its_search_result(tmp_path: Path) -> None:
    from matchers.configured import build_index
    from netsword.config import load_config

    profile = load_profile("demo-api")
    search = {"id": "a1", "platform": "demo-api", "title": "NIKE Air 耐克 运动鞋", "price": 99.0,
              "url": "http://127.0.0.1/api/web/item/a1"}  # fmt: skip
    good = PageBody("http://127.0.0.1/api/item/a2", b'{"title": "x", "desc": "from the detail page"}', "application/json")
    broken = PageBody("http://127.0.0.1/api/item/a1", b'{"title": "cut off', "application/json")
    with open_store(f"sqlite:///{tmp_path / 'n.db'}") as store:
        outcomes = store_listings(
            [search, {**search, "id": "a2"}, {**search, "id": "a3"}], build_index(load_config()), LeadSink(store),
            min_score=50, details=[broken, good, None], profile=profile,
        )  # fmt: skip
        kept = {k.listing_id: k.listing for k in store.iter_listings(ListingQuery())}
    first, second, third = outcomes
    assert first.listing == search and first.detail is not None
    assert first.detail.errors and "unreadable json page" in first.detail.errors[0]
    assert second.listing is not None and second.listing["description"] == "from the detail page"
    assert second.listing["title"] == "x" and second.detail is not None and not second.detail.errors
    assert third.listing is None and third.detail is None  # handed over read
    assert not any(o.rejected for o in outcomes)
    assert kept["a1"]["title"] == search["title"] and kept["a2"]["description"] == "from the detail page"
    assert "a3" in kept


def test_a_detail_page_that_reads_the_id_stays_with_the_spider() -> None:
    from scrapy.crawler import Crawler
    from scrapy.http import HtmlResponse, Request
    from scrapy.statscollectors import MemoryStatsCollector

    from crawler.profile_loader import parse_profile
    from crawler.spiders.marketplace import MarketplaceSpider

    source = (PROFILES / "demo-static.yaml").read_text(encoding="utf-8")
    for rules, reads_id in ((source, False), (source.replace('    title: "h1.title::text"\n',
                                                             '    title: "h1.title::text"\n    id: "h1::attr(data-id)"\n'), True)):  # fmt: skip
        crawler = Crawler(MarketplaceSpider)
        spider = MarketplaceSpider.from_crawler(crawler, profile=parse_profile(rules, "demo-static.yaml"))
        crawler.spider = spider
        crawler.stats = MemoryStatsCollector(crawler)
        spider.details_read_later = True  # what the lead pipeline sets when its lead process reads them
        url = "http://127.0.0.1:8471/static/item/s1"
        body = b'<html><h1 class="title" data-id="other">NIKE shoe</h1><div class="desc">real</div></html>'
        response = HtmlResponse(url, body=body, request=Request(url, meta={"keyword": "NIKE", "page": 1}))
        (item,) = list(spider.parse_detail(response, listing={"id": "s1", "platform": "demo-static", "url": url}))
        if reads_id:
            assert "detail_page" not in item and item["listing"]["id"] == "other"
            assert item["listing"]["description"] == "real"
        else:
            assert item["detail_page"].body == body and item["listing"]["id"] == "s1"
            assert "description" not in item["listing"]  # read later, in the lead process
