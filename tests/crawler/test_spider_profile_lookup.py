"""`scrapy crawl marketplace -a profile=NAME` finds NAME as `netsword crawl` does: in crawler.profiles_dir first,
then among the bundled profiles; a path is taken as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.crawler import Crawler

from crawler.profile_loader import PROFILES_DIR, ProfileError
from crawler.spiders.marketplace import MarketplaceSpider

MINE = PROFILES_DIR / "demo-static.yaml"
# a Crawler whose settings are still open, as when Scrapy makes the spider at the start of a crawl


def test_a_profile_name_is_looked_up_in_profiles_dir_first(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = isolated / "my-profiles"
    mine.mkdir()
    text = MINE.read_text(encoding="utf-8").replace("platform: demo-static", "platform: my-shop")
    (mine / "my-shop.yaml").write_text(text, encoding="utf-8")
    (mine / "demo-static.yaml").write_text(text, encoding="utf-8")  # yours hides the bundled one of the same name
    monkeypatch.setenv("NETSWORD_CRAWLER_PROFILES_DIR", str(mine))
    spider = MarketplaceSpider.from_crawler(Crawler(MarketplaceSpider), profile="my-shop")
    assert spider.profile.platform == "my-shop" and spider.profile_source == str(mine / "my-shop.yaml")
    crawler = Crawler(MarketplaceSpider)
    assert MarketplaceSpider.from_crawler(crawler, profile="demo-static").profile.platform == "my-shop"
    assert crawler.settings["NETSWORD_PROFILE"] == str(mine / "demo-static.yaml")  # what the add-on reads
    bundled = MarketplaceSpider.from_crawler(Crawler(MarketplaceSpider), profile="demo-api")
    assert bundled.profile.platform == "demo-api"
    with pytest.raises(ProfileError, match="no such profile"):
        MarketplaceSpider.from_crawler(Crawler(MarketplaceSpider), profile="nowhere-shop")
