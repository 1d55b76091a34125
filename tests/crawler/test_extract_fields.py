"""Field rules behave as docs/adding-a-platform.md says: element text joined, Chinese quantities, empty fields
counted, `detail.follow` matching the path (the query only when asked)."""

from __future__ import annotations

import pytest

from crawler.extract import listing_url_allowed, parse_page, refusal
from crawler.fields import parse_quantity
from crawler.profile_loader import ProfileError, parse_profile

PROFILE = """
version: 1
platform: split-shop
search:
  url: "http://shop.test/search?q={keyword}"
  items: div.item
  fields:
    id: "::attr(data-id)"
    title: "h3::text"
    url: {css: "a::attr(href)", absolute: true}
    price: "b.price::text"
    sales: "span.sold::text"
    stock: "span.stock::text"
    seller_name: "span.shop::text"
detail:
  follow: ['^/item/\\d+$']
  fields:
    description: "#desc ::text"
"""

PAGE = """<html><body>
<div class="item" data-id="1"><h3>NIKE <em>耐克</em> Air<script>var x = 1;</script></h3>
  <a href="/item/1?spm=a1z10.1&utm_source=feed">x</a><b class="price">¥<em>54</em>.00</b>
  <span class="sold">已售 1.2万</span><span class="stock">库存 3千+</span></div>
<div class="item" data-id="2"><h3>阿迪达斯 <!-- hidden --> 三叶草</h3>
  <a href="/item/2">x</a><b class="price"><i>￥</i>1,299<small>.50</small></b>
  <span class="sold">10万+人付款</span></div>
<div class="item" data-id="3"><h3>耐克 3</h3><a href="/item/3">x</a><b class="price">面议</b>
  <span class="sold">30天内已售 2.5万</span></div>
</body></html>"""


@pytest.fixture
def profile():  # type: ignore[no-untyped-def]
    return parse_profile(PROFILE, "split-shop.yaml")


def test_element_text_is_all_its_text_joined(profile) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_page(profile, PAGE, "http://shop.test/search?q=nike")
    first, second, third = parsed.listings
    assert first["title"] == "NIKE 耐克 Air"  # the <em> is inside the title, the script is not
    assert first["price"] == 54.0 and first["currency"] == "CNY"  # ¥<em>54</em>.00
    assert second["title"] == "阿迪达斯 三叶草"  # a comment is no text
    assert second["price"] == 1299.5
    assert "price" not in third  # 面议 ("negotiable") is no price


@pytest.mark.parametrize(
    ("markup", "price"),
    [
        ("<del>￥399.00</del> ￥<em>199</em>", 199.0),  # the crossed-out list price, then the selling price
        ("原价 <s>¥399</s> 现价 ¥<em>199</em>.50", 199.5),
        ("<strike>¥88.00</strike>¥<b>66</b>", 66.0),
        ('<span style="color:#999;text-decoration: line-through">¥120</span> ¥<em>99</em>', 99.0),
        ("¥<em>199</em> <del>¥399</del>", 199.0),  # the former price after the selling one
        ("<del>¥399</del>", None),  # only a former price: no selling price is known
    ],
)  # fmt: skip
def test_a_price_skips_struck_through_former_prices(profile, markup: str, price: float | None) -> None:  # type: ignore[no-untyped-def]
    page = f'<div class="item" data-id="9"><h3>耐克 <del>旧款</del></h3><b class="price">{markup}</b></div>'
    [listing] = parse_page(profile, page, "http://shop.test/search?q=nike").listings
    assert listing.get("price") == price
    assert listing["title"] == "耐克 旧款"  # other fields keep struck-through text


def test_chinese_quantities_in_sales_and_stock(profile) -> None:  # type: ignore[no-untyped-def]
    first, second, third = parse_page(profile, PAGE, "http://shop.test/search?q=nike").listings
    assert (first["sales"], first["stock"]) == (12000, 3000)
    assert second["sales"] == 100000
    assert third["sales"] == 25000  # "30天内" is a period, not the count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("7261人付款", 7261), ("1.2万", 12000), ("10万+", 100000), ("已售 3千+", 3000), ("已拼2.1万件", 21000),
        ("4000+ sold", 4000), ("2.5亿", 250_000_000), ("1,234 sold", 1234), ("1.5w+", 15000), ("3k", 3000),
        ("月销 12", 12), ("5 kinds", 5), ("暂无销量", None), ("", None), (42, 42), (12.0, 12), (True, None),
    ],
)  # fmt: skip
def test_parse_quantity(text, count) -> None:  # type: ignore[no-untyped-def]
    assert parse_quantity(text) == count


def test_empty_fields_are_counted_per_field(profile) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_page(profile, PAGE, "http://shop.test/search?q=nike")
    assert parsed.read == 3
    assert parsed.empty == {"seller_name": 3, "stock": 2, "price": 1}
    assert parsed.mostly_empty() == ["seller_name", "stock"]


def test_follow_matches_the_path_not_the_tracking_query(profile) -> None:  # type: ignore[no-untyped-def]
    tracked = "http://shop.test/item/1?spm=a1z10.1&utm_source=feed"
    assert listing_url_allowed(profile, tracked) == tracked
    assert listing_url_allowed(profile, "http://shop.test/item/1/reviews") == ""
    assert "matches no detail.follow pattern" in refusal(profile, "http://shop.test/item/1/reviews")
    assert "host evil.test" in refusal(profile, "http://evil.test/item/1")
    assert "not http(s)" in refusal(profile, "javascript:alert(1)")


def test_follow_query_matches_path_and_query() -> None:
    text = PROFILE.replace("follow: ['^/item/\\d+$']", "follow: ['^/item\\?id=\\d+$']\n  follow_query: true")
    profile = parse_profile(text, "q.yaml")
    assert profile.detail is not None and profile.detail.follow_query
    assert listing_url_allowed(profile, "http://shop.test/item?id=7") == "http://shop.test/item?id=7"
    assert listing_url_allowed(profile, "http://shop.test/item?id=7&spm=x") == ""


def test_profile_mistakes_name_file_line_and_field() -> None:
    with pytest.raises(ProfileError, match=r"q.yaml:\d+: detail.follow_query: must be true or false"):
        parse_profile(PROFILE.replace("detail:\n", "detail:\n  follow_query: maybe\n"), "q.yaml")
    with pytest.raises(ProfileError, match=r"q.yaml:\d+: encoding: unknown encoding 'klingon'"):
        parse_profile(PROFILE + "encoding: klingon\n", "q.yaml")
    with pytest.raises(ProfileError, match=r"search.fields.price: jsonld reads the schema.org data of HTML pages"):
        parse_profile(
            "platform: p\nsearch:\n  url: http://a.test/?q={keyword}\n  format: json\n  items: items\n"
            "  fields:\n    id: id\n    price: {jsonld: offers.price}\n",
            "q.yaml",
        )
