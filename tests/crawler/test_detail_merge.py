"""A detail page completes its search result field by field (docs/adding-a-platform.md, **detail**): nested values
such as the seller are merged key by key, so what only the search page knew (the seller's id or shop link) is kept."""

from __future__ import annotations

from crawler.extract import merge, parse_page
from crawler.profile_loader import parse_profile
from netsword.models import Listing

PROFILE = """
version: 1
platform: merge-shop
search:
  url: "http://shop.test/search?q={keyword}"
  items: li.it
  fields:
    id: "::attr(data-id)"
    title: "a.t::text"
    url: {css: "a.t::attr(href)", absolute: true}
    price: "span.p::text"
    seller_name: "a.shop::text"
    seller_id: {css: "a.shop::attr(href)", regex: "/shop/(\\\\d+)"}
    seller_url: {css: "a.shop::attr(href)", absolute: true}
detail:
  follow: ['^/item/\\\\d+$']
  fields:
    title: "h1::text"
    seller_name: "div.store b::text"
    description: "#desc::text"
"""

SEARCH = """<ul><li class="it" data-id="77"><a class="t" href="/item/77">耐克 气垫鞋</a><span class="p">¥199</span>
<a class="shop" href="/shop/1233">鞋仓</a></li></ul>"""
DETAIL = """<h1>耐克 Air Max 气垫鞋 男款</h1><div class="store"><b>阿福鞋仓</b></div><p id="desc"></p>"""


def test_detail_seller_name_keeps_the_search_pages_seller_id_and_url() -> None:
    profile = parse_profile(PROFILE)
    found = parse_page(profile, SEARCH, "http://shop.test/search?q=耐克").listings[0]
    detail = parse_page(profile, DETAIL, "http://shop.test/item/77", kind="detail").listings[0]
    assert detail["seller"] == {"name": "阿福鞋仓"}
    merged = merge(found, detail)
    assert merged["seller"] == {"id": "1233", "name": "阿福鞋仓", "url": "http://shop.test/shop/1233"}
    assert merged["title"] == "耐克 Air Max 气垫鞋 男款"  # the detail page's value wins where it has one
    assert merged["price"] == 199.0 and "description" not in merged  # an empty detail value fills nothing
    assert merged["url"] == "http://shop.test/item/77"
    listing = Listing.from_dict(merged)
    assert (listing.seller.id, listing.seller.name) == ("1233", "阿福鞋仓")
    assert found["seller"] == {"id": "1233", "name": "鞋仓", "url": "http://shop.test/shop/1233"}  # not mutated


def test_merge_is_recursive_and_ignores_empty_nested_values() -> None:
    search = {"id": "1", "seller": {"id": "9", "name": "a"}, "extra": {"a": {"x": 1, "y": 2}}}
    detail = {"seller": {"name": "", "url": "http://s/9"}, "extra": {"a": {"y": 3}, "b": []}}
    assert merge(search, detail) == {
        "id": "1",
        "seller": {"id": "9", "name": "a", "url": "http://s/9"},
        "extra": {"a": {"x": 1, "y": 3}},
    }
    assert merge({"seller": "plain"}, {"seller": {"name": "n"}}) == {"seller": {"name": "n"}}
