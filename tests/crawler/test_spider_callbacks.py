"""Scrapy's check that no spider callback is a generator returning a value, run once here over NetSword's spiders
(crawler/defaults.py turns Scrapy's per-response check off: it re-read each callback's source for every response)."""

from __future__ import annotations

import inspect

import pytest
from scrapy.utils.misc import is_generator_with_return_value

from crawler.distributed.spider import DistributedSpider
from crawler.spiders.backfill import BackfillSpider
from crawler.spiders.marketplace import MarketplaceSpider
from crawler.spiders.profile_check import ProfileCheckSpider
from crawler.spiders.recheck import RecheckSpider

SPIDERS = [MarketplaceSpider, DistributedSpider, BackfillSpider, ProfileCheckSpider, RecheckSpider]


@pytest.mark.parametrize("spider", SPIDERS, ids=lambda cls: cls.__name__)
def test_no_generator_callback_returns_a_value(spider: type) -> None:
    generators = [(name, fn) for name, fn in inspect.getmembers(spider, inspect.isfunction)
                  if inspect.isgeneratorfunction(fn)]  # fmt: skip
    assert [name for name, fn in generators if is_generator_with_return_value(fn)] == []


def test_a_generator_returning_a_value_is_found() -> None:
    def parse(response: object):  # type: ignore[no-untyped-def]
        yield response
        return 1

    assert is_generator_with_return_value(parse)
