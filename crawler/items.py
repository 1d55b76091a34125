"""The item the marketplace spider yields: a Listing dict plus what evidence capture needs about its page."""

from __future__ import annotations

import scrapy


class ListingItem(scrapy.Item):
    listing = scrapy.Field()  # Listing-shaped dict (netsword.models.Listing.from_dict validates it)
    profile = scrapy.Field()  # profile (platform) name
    page_url = scrapy.Field()  # the page the listing was read from (detail page when followed)
    status = scrapy.Field()
    fetched = scrapy.Field()  # crawler.capture.FetchedPage: how that page was fetched, its headers and body
    kind = scrapy.Field()  # what that page is: "page", "api" or "feed" (evidence.store KIND_*)
    screenshot_url = scrapy.Field()  # the listing's own web page, which evidence may open ("" when none is allowed)
    keyword = scrapy.Field()  # the search keyword and result page that listed it (the crawl's ledger counts by them)
    page = scrapy.Field()
    detail_page = scrapy.Field()  # crawler.extract.PageBody: a detail page the lead process reads (crawler.pipelines.leads)
    new_leads = scrapy.Field()  # set by the lead pipeline: ids of leads this listing created
