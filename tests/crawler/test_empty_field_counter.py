"""The crawl counts fields a rule found empty (`netsword/empty_field/NAME`, in the crawl's stats) and warns once per
field and page kind when one is empty on most items (docs/crawling.md; issue 18 review)."""

from __future__ import annotations

import logging

import pytest
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.statscollectors import MemoryStatsCollector

from crawler.profile_loader import parse_profile
from crawler.spiders.marketplace import MarketplaceSpider

PROFILE = """
version: 1
platform: empty-shop
search:
  url: "http://shop.test/search?q={keyword}"
  items: div.item
  fields:
    id: "::attr(data-id)"
    title: "h3::text"
    price: "b.price::text"
    seller_name: "span.shop::text"
"""

PAGE = b"""<html><body>
<div class="item" data-id="1"><h3>NIKE 1</h3><b class="price">54.00</b></div>
<div class="item" data-id="2"><h3>NIKE 2</h3><b class="price">64.00</b></div>
<div class="item" data-id="3"><h3>NIKE 3</h3><span class="shop">shop 3</span></div>
</body></html>"""


def test_empty_fields_are_counted_in_the_stats_and_warned_once(caplog: pytest.LogCaptureFixture) -> None:
    crawler = Crawler(MarketplaceSpider)
    spider = MarketplaceSpider.from_crawler(crawler, profile=parse_profile(PROFILE, "empty-shop.yaml"))
    crawler.spider = spider
    crawler.stats = MemoryStatsCollector(crawler)  # what Scrapy sets when the crawl starts
    with caplog.at_level(logging.WARNING):
        for n in (1, 2):
            response = HtmlResponse(f"http://shop.test/search?q=nike&p={n}", body=PAGE,
                                    headers={"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
            spider._read_page(response, "search")
    assert crawler.stats.get_value("netsword/empty_field/seller_name") == 4  # 2 of 3 items, two pages
    assert crawler.stats.get_value("netsword/empty_field/price") == 2
    assert crawler.stats.get_value("netsword/empty_field/title") is None
    warnings = [r.getMessage() for r in caplog.records if "is empty on" in r.getMessage()]
    assert warnings == ["search field 'seller_name' is empty on 2 of 3 items of http://shop.test/search?q=nike&p=1: "
                        "does its rule still fit the page?"]  # fmt: skip
